/**
 * Issue 12's facts about the reference deployment (environments/ synthesized as `npm run synth` does):
 * every pod is scraped once, analysis fails closed, and releases are smoke-tested before traffic moves.
 * Each assertion reads the emitted objects, not a snapshot.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadEnvironments, renderEnvironment } from '../src/synth/project';
import { podSpecOf, restrictedViolations } from '../src/policy/pod-security-standards';
import { decide, durationSeconds, newReplicaSet, NO_DATA, runMetric } from './support/analysis';
import { all, asManifest, one, Obj } from './support/render';

const ROOT = join(__dirname, '..');
const environments = loadEnvironments(ROOT);
const rendered = new Map(environments.map((e) => [e.name, renderEnvironment(e)]));
const objectsOf = (env: string): Obj[] =>
  (rendered.get(env)?.files ?? [])
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
    ...all(objects, 'PodMonitor')
      .filter((m) => selects(m.spec.selector.matchLabels, labels))
      .map((m) => `PodMonitor/${m.metadata.name}`),
    ...all(objects, 'ServiceMonitor').flatMap((m) =>
      services
        .filter((s) => selects(m.spec.selector.matchLabels, s.metadata.labels ?? {}) && selects(s.spec.selector, labels))
        .map((s) => `ServiceMonitor/${m.metadata.name} via Service/${s.metadata.name}`),
    ),
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

it("in staging, the canary's stable and canary Services select the same pods, and no Service-based monitor selects both", () => {
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
        expect(Number(metric.failureLimit) + Number(metric.inconclusiveLimit), where).toBeLessThan(
          metric.count === undefined ? Infinity : Number(metric.count),
        );
      }
    }
  });

  it('waits the rate window plus a scrape before the first measurement of every Prometheus metric', () => {
    const objects = objectsOf(env);
    const metrics = all(objects, 'AnalysisTemplate')
      .flatMap((t) => t.spec.metrics.map((m) => ({ ...m, where: `${t.metadata.name}/${m.name}` })))
      .filter((m) => m.provider.prometheus !== undefined);
    // The reference deployment analyses in staging (canary); prod's blue-green is a Service switch, dev rolls.
    if (env === 'staging') expect(metrics.length).toBeGreaterThan(0);
    const scrape = all(objects, 'PodMonitor')
      .filter((m) => m.metadata.name === 'trading-api')
      .map((m) => durationSeconds(m.spec.podMetricsEndpoints[0].interval));
    for (const m of metrics) {
      const window = durationSeconds(/\[(\w+)\]\)/.exec(m.provider.prometheus.query)?.[1]);
      expect(window, m.where).toBe(120);
      expect(m.initialDelay, m.where).toMatch(/^(\d+[hms])+$/);
      expect(durationSeconds(m.initialDelay), m.where).toBeGreaterThanOrEqual(window + Math.max(...scrape));
    }
  });
});

describe("staging's canary analysis over a new ReplicaSet's first minutes", () => {
  const objects = objectsOf('staging');
  const metricsOf = (name: string) => one(objects, 'AnalysisTemplate', name).spec.metrics;
  const background = metricsOf('trading-api-background-analysis');
  const step = metricsOf('trading-api-analysis');
  const HOUR = 3600;

  it('would pause at the first quiet minute without the initial delay and the background tolerance (the defect)', () => {
    // The previous template: measure at once, one inconclusive allowed over the whole run.
    const before = { ...background[0], initialDelay: undefined, inconclusiveLimit: 1 };
    expect(runMetric(before, newReplicaSet({ quiet: [[600, 660]] }), HOUR)).toBe('Inconclusive');
  });

  it('does not spend the inconclusive allowance on the empty first minutes, and rides out a few quiet minutes in the background', () => {
    for (const m of [...background, ...step]) expect(runMetric(m, newReplicaSet(), 0), m.name).toBe('Running');
    for (const m of background) {
      expect(runMetric(m, newReplicaSet(), HOUR), m.name).toBe('Running');
      expect(
        runMetric(
          m,
          newReplicaSet({
            quiet: [
              [600, 660],
              [1200, 1320],
            ],
          }),
          HOUR,
        ),
        m.name,
      ).toBe('Running');
    }
    for (const m of step) expect(runMetric(m, newReplicaSet(), HOUR), m.name).toBe('Successful');
  });

  it('still never succeeds without data: a canary nobody calls pauses for a human, a bad one fails', () => {
    const silent = newReplicaSet({ quiet: [[0, Infinity]] });
    for (const m of [...background, ...step]) expect(runMetric(m, silent, HOUR), m.name).toBe('Inconclusive');
    // Half the canary's requests fail: the success-rate metric of either run aborts the release.
    for (const m of [background[0], step[0]]) expect([m.name, runMetric(m, newReplicaSet({ value: 0.5 }), HOUR)]).toEqual(['success-rate', 'Failed']);
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

/** The NetworkPolicies whose podSelector selects pods labelled `labels`. */
const policiesOf = (objects: Obj[], labels: Readonly<Record<string, string>>) =>
  all(objects, 'NetworkPolicy').filter((p) => selects(p.spec.podSelector.matchLabels, labels));
const allowsEgressTo = (objects: Obj[], from: Readonly<Record<string, string>>, to: Readonly<Record<string, string>>, port: number): boolean =>
  policiesOf(objects, from).some((p) =>
    p.spec.egress.some((r) => r.to.some((peer) => selects(peer.podSelector?.matchLabels, to)) && r.ports.some((x) => x.port === port)),
  );
const admitsFrom = (objects: Obj[], to: Readonly<Record<string, string>>, from: Readonly<Record<string, string>>, port: number): boolean =>
  policiesOf(objects, to).some((p) =>
    p.spec.ingress.some((r) => r.from.some((peer) => selects(peer.podSelector?.matchLabels, from)) && r.ports.some((x) => x.port === port)),
  );

describe('smoke check before traffic moves', () => {
  it("prod's blue-green release is smoke-tested through the preview Service by an Argo CD hook in its own stage, before the frontend's wait", () => {
    const objects = objectsOf('prod');
    const files = rendered.get('prod')?.files ?? [];
    expect(files.map((f) => f.path)).toContain('60-smoke-test/job-trading-api-smoke-test.yaml');
    const job = one(objects, 'Job', 'trading-api-smoke-test');
    // prod's frontend releases after the API: a Sync hook in wave 2 runs before the wait (wave 3); a PostSync hook
    // would run after the frontend.
    expect(job.metadata.annotations).toMatchObject({
      'argocd.argoproj.io/hook': 'Sync',
      'argocd.argoproj.io/sync-wave': '2',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    });
    const wait = one(objects, 'Job', 'trading-web-release-wait');
    expect(Number(wait.metadata.annotations?.['argocd.argoproj.io/sync-wave'])).toBeGreaterThan(2);
    const preview = one(objects, 'Service', 'trading-api-preview');
    // The preview selects the colour that carries the staged release, not the active one.
    expect(preview.spec.selector.version).toBe('green');
    const container = job.spec.template.spec.containers[0];
    expect(container.command.filter((a) => a.startsWith('http'))).toEqual(
      ['/health', '/health/db', '/health/redis'].map((path) => `http://trading-api-preview.trading-prod.svc:8080${path}`),
    );
    expect(container.command).toEqual(expect.arrayContaining(['--fail', '--fail-early', '--max-time']));
    expect(container.image).toMatch(/^curlimages\/curl:\d+\.\d+\.\d+$/);
    expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(job.spec.backoffLimit).toBeGreaterThanOrEqual(0);
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(restrictedViolations(podSpecOf(asManifest(job)))).toEqual([]);
  });

  it("lets the smoke pods (and only what they need) through the namespace's default deny", () => {
    for (const env of ['prod', 'staging'] as const) {
      const objects = objectsOf(env);
      const api = all(objects, 'Deployment', 'Rollout').find((w) => w.metadata.labels?.['app.kubernetes.io/name'] === 'trading-api');
      const apiPods = api?.spec.template.metadata.labels ?? {};
      const smokePods =
        env === 'prod'
          ? one(objects, 'Job', 'trading-api-smoke-test').spec.template.metadata.labels
          : one(objects, 'AnalysisTemplate', 'trading-api-smoke-test').spec.metrics[0].provider.job.spec.template.metadata.labels;
      expect(allowsEgressTo(objects, smokePods, apiPods, 8080), env).toBe(true);
      expect(admitsFrom(objects, apiPods, smokePods, 8080), env).toBe(true);
      // Not the API's own policy: the smoke pods get no database, cache or internet egress.
      expect(
        policiesOf(objects, smokePods).map((p) => p.metadata.name),
        env,
      ).toEqual(['trading-api-smoke-test']);
    }
  });

  it("staging's canary runs a job-provider smoke check against one canary pod before any traffic moves", () => {
    const objects = objectsOf('staging');
    const steps = one(objects, 'Rollout').spec.strategy.canary.steps;
    const firstWeight = steps.findIndex((s) => s.setWeight !== undefined);
    const smokeIndex = steps.findIndex((s) => s.analysis?.templates.some((t) => t.templateName === 'trading-api-smoke-test'));
    expect(smokeIndex).toBeGreaterThanOrEqual(0);
    expect(smokeIndex).toBeLessThan(firstWeight);
    expect(steps.slice(0, smokeIndex)).toEqual([{ setCanaryScale: { replicas: 1 } }]);
    expect(steps[smokeIndex].analysis.args).toContainEqual({ name: 'service-name', value: 'trading-api-canary' });
    const [metric] = one(objects, 'AnalysisTemplate', 'trading-api-smoke-test').spec.metrics;
    const pod = metric.provider.job.spec.template;
    expect(pod.spec.containers[0].command.filter((a) => a.startsWith('http'))).toEqual(
      ['/health', '/health/db', '/health/redis'].map((path) => `http://{{args.service-name}}.{{args.namespace}}.svc:8080${path}`),
    );
    expect(restrictedViolations(pod.spec as unknown as Parameters<typeof restrictedViolations>[0])).toEqual([]);
  });

  it('Flux applies the smoke check as its own stage after the application, waiting for the Job, replacing it when it changes', () => {
    const flux = parse(readFileSync(join(ROOT, 'dist', 'gitops', 'flux', 'kustomization-trading-prod-smoke-test.yaml'), 'utf8')) as Obj;
    const k = one([flux], 'Kustomization');
    expect(k.spec.path).toBe('./dist/prod/60-smoke-test');
    expect(k.spec.dependsOn).toEqual([{ name: 'trading-prod-application' }]);
    expect([k.spec.wait, k.spec.force, k.spec.timeout]).toEqual([true, true, '10m']);
  });
});
