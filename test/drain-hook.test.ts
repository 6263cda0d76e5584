import { Duration } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { DrainHook } from '../src/api-service/drain-hook';
import { objectsAfter, problemsAfter } from './support/environment-edit';
import { productionLikeBackend } from './support/fixtures';
import { errorOf, one, render } from './support/render';
import { at } from './support/yaml';

// The default drain runs `sleep` from the image: single-binary and distroless images have none, so their pods got
// SIGTERM with no drain. Kubernetes 1.30's sleep action (on by default; beta) needs nothing in the image.
const container = (drainHook?: DrainHook, drain?: Duration) =>
  one(
    render((s) => productionLikeBackend(s, { rollout: { drainHook, drain } })),
    'Deployment',
    'trading-api',
  ).spec.template.spec.containers[0];

describe('the preStop drain', () => {
  it('runs sleep from the image by default, valid on Kubernetes 1.28', () => {
    expect(container().lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '10'] } } });
    expect(container(DrainHook.execSleep(), Duration.seconds(20)).lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '20'] } } });
  });

  it("is Kubernetes' own sleep action with DrainHook.sleepAction(): nothing runs in the image", () => {
    expect(container(DrainHook.sleepAction()).lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    expect(container(DrainHook.sleepAction(), Duration.seconds(25)).lifecycle).toEqual({ preStop: { sleep: { seconds: 25 } } });
  });

  it('emits no hook for a drain of 0 s with the sleep action (a zero sleep is refused before Kubernetes 1.33)', () => {
    expect(container(DrainHook.sleepAction(), Duration.seconds(0)).lifecycle).toBeUndefined();
  });

  it("reaches an Argo Rollout's pod template and every blue-green colour from an environment file", () => {
    const rollout = one(
      objectsAfter('staging', (d) => void (at(d, 'services', 'trading-api').rollout = { drainHook: 'sleep-action', drainSeconds: 15 })),
      'Rollout',
      'trading-api',
    );
    expect(rollout.spec.template?.spec?.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 15 } } });
    const prod = objectsAfter('prod', (d) => void (at(d, 'services', 'trading-api').rollout = { drainHook: 'sleep-action' }));
    for (const colour of ['trading-api-blue', 'trading-api-green']) {
      expect(one(prod, 'Deployment', colour).spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    }
  });

  it('a value that is not a hook is an error at its field, in props and in files', () => {
    const notAHook = 'sleep-action' as unknown as DrainHook;
    expect(errorOf(() => render((s) => productionLikeBackend(s, { rollout: { drainHook: notAHook } }))).message).toBe(
      'TradingBackend test/trading-api: rollout.drainHook: "sleep-action" is not a DrainHook: use DrainHook.execSleep() or DrainHook.sleepAction()',
    );
    expect(problemsAfter('prod', (d) => void (at(d, 'services', 'trading-api').rollout = { drainHook: 'sleep' }))).toEqual([
      'environments/prod.yaml: services.trading-api.rollout.drainHook: "sleep" is not allowed; use one of "exec-sleep", "sleep-action"',
    ]);
  });
});
