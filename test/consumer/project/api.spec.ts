// A team's own test of its constructs, with cdk8s Testing and a snapshot.
import { Chart, Testing } from 'cdk8s';
import { PolicyGate, Scaling, TradingBackend } from 'cdk8s-trading';
import { expect, it } from 'vitest';

it('renders the API with an autoscaler and passes the policy gate', () => {
  const app = Testing.app();
  // A chart of this app (Testing.chart ignores its argument and makes its own app), so app.synth() checks it.
  const chart = new Chart(app, 'test', { namespace: 'team', disableResourceNameHashes: true });
  new TradingBackend(chart, 'api', { image: 'registry.example.com/team/api:1.0.0', scaling: Scaling.autoscale({ minReplicas: 3, maxReplicas: 6 }) });
  new PolicyGate(chart, 'PolicyGate');
  const objects = Testing.synth(chart);
  expect(objects).toMatchSnapshot();
  expect(objects.find((o) => o.kind === 'HorizontalPodAutoscaler')?.spec.minReplicas).toBe(3);
  expect(() => app.synth()).not.toThrow();
});
