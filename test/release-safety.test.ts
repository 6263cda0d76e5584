/**
 * Issue 12's facts about the reference deployment (environments/ synthesized as `npm run synth` does):
 * every pod is scraped once, analysis fails closed, and releases are smoke-tested before traffic moves.
 * Each assertion reads the emitted objects, not a snapshot.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadEnvironments, renderEnvironment } from '../src/synth/project';
import { decide, NO_DATA } from './support/analysis';
import { all, one, Obj } from './support/render';

const ROOT = join(__dirname, '..');
const environments = loadEnvironments(ROOT);
const rendered = new Map(environments.map((e) => [e.name, renderEnvironment(e)]));
const objectsOf = (env: string): Obj[] => (rendered.get(env)?.files ?? [])
  .filter((f) => f.path.endsWith('.yaml') && !f.path.endsWith('kustomization.yaml'))
  .map((f) => parse(f.content) as Obj);

/** Whether `selector` (matchLabels) selects pods labelled `labels`. */
const selects = (selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

describe.each(['dev', 'staging', 'prod'] as const)('scraping in %s', (env) => {
  const objects = objectsOf(env);
  const apiPods = all(objects, 'Deployment', 'Rollout')
    .filter((w) => w.metadata.labels?.['app.kubernetes.io/name'] === 'trading-api')
    .map((w) => ({ name: w.metadata.name, labels: w.spec.template.metadata.labels }));
  const services = all(objects, 'Service');

  /** Every way Prometheus reaches pods labelled `labels`: one per PodMonitor, one per Service a ServiceMonitor selects. */
  const scrapePaths = (labels: Readonly<Record<string, string>>): string[] => [
    ...all(objects, 'PodMonitor').filter((m) => selects(m.spec.selector.matchLabels, labels)).map((m) => `PodMonitor/${m.metadata.name}`),
    ...all(objects, 'ServiceMonitor').flatMap((m) => services
      .filter((s) => selects(m.spec.selector.matchLabels, s.metadata.labels ?? {}) && selects(s.spec.selector, labels))
      .map((s) => `ServiceMonitor/${m.metadata.name} via Service/${s.metadata.name}`)),
  ];

  it('scrapes every API pod exactly once, whatever Services select it', () => {
    expect(apiPods.length).toBeGreaterThan(0);
    for (const pod of apiPods) expect(scrapePaths(pod.labels), pod.name).toEqual(['PodMonitor/trading-api']);
  });

  it('labels every series with the service, and the pod labels that tell releases apart', () => {
    const [monitor] = all(objects, 'PodMonitor').filter((m) => m.metadata.name === 'trading-api');
    expect(monitor.spec.podMetricsEndpoints.map((e) => [e.port, e.relabelings])).toEqual([
      ['metrics', [{ action: 'replace', targetLabel: 'service', replacement: 'trading-api' }]],
    ]);
    expect(monitor.spec.podTargetLabels).toEqual(['version', 'track', 'rollouts-pod-template-hash']);
  });
});

it('in staging, the canary\'s stable and canary Services select the same pods, and no Service-based monitor selects both', () => {
  const objects = objectsOf('staging');
  const stable = all(objects, 'Service').find((s) => s.metadata.name === 'trading-api');
  const canary = all(objects, 'Service').find((s) => s.metadata.name === 'trading-api-canary');
  // Argo Rollouts narrows both selectors at run time; in Git they are the same, which is what made a ServiceMonitor scrape twice.
  expect(stable?.spec.selector).toEqual(canary?.spec.selector);
  for (const m of all(objects, 'ServiceMonitor')) {
    expect([stable, canary].filter((s) => selects(m.spec.selector.matchLabels, s?.metadata.labels ?? {})).length, m.metadata.name).toBeLessThan(2);
  }
});

describe.each(['dev', 'staging', 'prod'] as const)('analysis in %s', (env) => {
  it('has no AnalysisTemplate metric that succeeds without data', () => {
    for (const template of all(objectsOf(env), 'AnalysisTemplate')) {
      for (const metric of template.spec.metrics) {
        const where = `${template.metadata.name}/${metric.name}`;
        // A Job metric succeeds only when its Job does; every other metric must require a value.
        if (metric.provider.job !== undefined) continue;
        expect(metric.provider.prometheus, where).toBeDefined();
        for (const result of NO_DATA) expect(decide(metric, result), `${where} on ${JSON.stringify(result)}`).not.toBe('Successful');
        expect(Number(metric.failureLimit) + Number(metric.inconclusiveLimit), where).toBeLessThan(metric.count === undefined ? Infinity : Number(metric.count));
      }
    }
  });
});

it("staging's canary analyses every step after the first in the background, measuring the canary's pods alone", () => {
  const objects = objectsOf('staging');
  const canary = one(objects, 'Rollout').spec.strategy.canary;
  const firstWeight = canary.steps.findIndex((s) => s.setWeight !== undefined);
  expect(canary.analysis.startingStep).toBe(firstWeight + 1);
  expect(canary.analysis.args).toContainEqual({ name: 'pod-template-hash', valueFrom: { podTemplateHashValue: 'Latest' } });
  const [template] = canary.analysis.templates;
  const metrics = one(objects, 'AnalysisTemplate', template.templateName).spec.metrics;
  // No count: the run lasts until the rollout completes (or fails it).
  for (const m of metrics) expect(m.count, m.name).toBeUndefined();
  expect(metrics.every((m) => m.provider.prometheus.query.includes('rollouts_pod_template_hash="{{args.pod-template-hash}}"'))).toBe(true);
});
