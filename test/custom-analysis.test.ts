/**
 * Custom analysis metrics (issue 21): a query and conditions of the user's own, rendered beside the built-in
 * metrics in the same AnalysisTemplate(s), against the same Prometheus, and failing closed like them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BlueGreenEngine } from '../src/blue-green/blue-green-engine';
import { BlueGreenService } from '../src/blue-green/blue-green-service';
import { CanaryEngine } from '../src/canary/canary-engine';
import { CanaryRollout } from '../src/canary/canary-rollout';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { ConfigurationError } from '../src/core/problems';
import { MONITORING_CONTEXT } from '../src/monitoring/settings';
import { CustomAnalysisMetric } from '../src/rollouts/analysis';
import { renderEnvironment } from '../src/synth/project';
import { decide, NO_DATA } from './support/analysis';
import { at, JsonMap, parseMap } from './support/yaml';
import type { JsonValue } from '../src/synth/emit-yaml';

const IMAGE = 'ghcr.io/acme/api:1.0.0';
const ADDRESS = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';
const ERRORS = 'sum(rate(orders_failed_total{namespace="{{args.namespace}}", rollouts_pod_template_hash="{{args.pod-template-hash}}"}[2m]))';
const ORDER_ERRORS: CustomAnalysisMetric = { name: 'order-errors', query: ERRORS, successCondition: 'result[0] < 0.05' };

interface Metric {
  name: string;
  successCondition?: string;
  failureCondition?: string;
  interval?: string;
  count?: number;
  failureLimit?: number;
  inconclusiveLimit?: number;
  provider: { prometheus?: { address: string; query: string } };
}
interface Template {
  kind: string;
  metadata: { name: string };
  spec: { metrics: Metric[] };
}

function templates(build: (chart: Chart) => void): Template[] {
  const app = new App();
  app.node.setContext(MONITORING_CONTEXT, { prometheusAddress: ADDRESS });
  const chart = new Chart(app, 'test', { namespace: 'trading' });
  build(chart);
  return (Testing.synth(chart) as Template[]).filter((o) => o.kind === 'AnalysisTemplate');
}

const metricOf = (ts: Template[], template: string, metric: string): Metric | undefined =>
  ts.find((t) => t.metadata.name === template)?.spec.metrics.find((m) => m.name === metric);

const canary = (customMetrics: CustomAnalysisMetric[], analysis = {}) =>
  templates((c) => new CanaryRollout(c, 'api', { engine: CanaryEngine.argoRollouts({ image: IMAGE, analysis: { ...analysis, customMetrics } }) }));

describe('a custom metric in TypeScript', () => {
  it("is measured in the canary's step and background templates, beside the built-in metrics, against the environment's Prometheus", () => {
    const ts = canary([ORDER_ERRORS]);
    for (const name of ['api-analysis', 'api-background-analysis']) {
      expect(
        ts.find((t) => t.metadata.name === name)?.spec.metrics.map((m) => m.name),
        name,
      ).toEqual(['success-rate', 'latency-p95', 'order-errors']);
      expect(metricOf(ts, name, 'order-errors')?.provider.prometheus).toEqual({ address: ADDRESS, query: ERRORS });
    }
    // The step's run is bounded like the built-in metrics; the background run has no count.
    expect(metricOf(ts, 'api-analysis', 'order-errors')).toMatchObject({ interval: '1m', count: 5, failureLimit: 1, inconclusiveLimit: 1 });
    expect(metricOf(ts, 'api-background-analysis', 'order-errors')?.count).toBeUndefined();
    expect(metricOf(ts, 'api-background-analysis', 'order-errors')?.inconclusiveLimit).toBe(3);
  });

  it('is measured in the blue-green analysis template', () => {
    const ts = templates(
      (c) =>
        new BlueGreenService(c, 'api', {
          engine: BlueGreenEngine.argoRollouts({ image: IMAGE, analysis: { customMetrics: [ORDER_ERRORS] } }),
        }),
    );
    expect(ts.find((t) => t.metadata.name === 'api-success-rate')?.spec.metrics.map((m) => m.name)).toEqual(['success-rate', 'order-errors']);
    expect(metricOf(ts, 'api-success-rate', 'order-errors')?.provider.prometheus?.address).toBe(ADDRESS);
  });

  it('takes its own interval, count and failure limit', () => {
    const ts = canary([{ ...ORDER_ERRORS, interval: Duration.seconds(30), count: 10, failureLimit: 3 }]);
    expect(metricOf(ts, 'api-analysis', 'order-errors')).toMatchObject({ interval: '30s', count: 10, failureLimit: 3 });
    expect(metricOf(ts, 'api-analysis', 'success-rate')).toMatchObject({ interval: '1m', count: 5, failureLimit: 1 });
  });

  it.each([
    ['a success condition alone', { successCondition: 'result[0] < 0.05' }],
    ['a failure condition alone', { failureCondition: 'result[0] >= 0.05' }],
    ['both conditions', { successCondition: 'result[0] < 0.05', failureCondition: 'result[0] >= 0.05' }],
    ['a condition with ||', { successCondition: 'result[0] < 0.05 || result[0] == 0' }],
  ])('fails closed with %s: no series and NaN are inconclusive, a value is judged by the condition', (_, conditions) => {
    const m = metricOf(canary([{ name: 'order-errors', query: ERRORS, ...conditions }]), 'api-analysis', 'order-errors');
    if (!m) throw new Error('no metric');
    for (const result of NO_DATA) expect(decide(m, result), JSON.stringify(result)).toBe('Inconclusive');
    expect(decide(m, [0.01])).toBe('Successful');
    expect(decide(m, [0.2])).toBe('Failed');
  });

  it('names every bad field: name, query, conditions and limits', () => {
    const problems = (customMetrics: CustomAnalysisMetric[], analysis = {}): readonly string[] => {
      try {
        CanaryEngine.argoRollouts({ image: IMAGE, analysis: { ...analysis, customMetrics } });
      } catch (e) {
        if (e instanceof ConfigurationError) return e.located.map((p) => `${p.field}: ${p.message}`);
        throw e;
      }
      return [];
    };
    expect(
      problems([
        { name: 'Order_Errors', query: ERRORS, successCondition: 'result[0] < 1' },
        { name: 'success-rate', query: ' ', failureCondition: '' },
        { name: 'lag', query: 'max(lag{service="{{args.service}}"})' },
        { name: 'lag', query: 'max(lag)', successCondition: 'true' },
      ]),
    ).toEqual([
      'analysis.customMetrics[0].name: "Order_Errors" is not a valid name: use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
      'analysis.customMetrics[1].name: "success-rate" is the name of a built-in metric (success-rate, latency-p95, smoke-test): choose another',
      'analysis.customMetrics[1].query: " " must be a PromQL query, like "sum(rate(orders_failed_total[2m]))"',
      'analysis.customMetrics[1].failureCondition: "" must be a condition on result, like "result[0] < 0.05"',
      'analysis.customMetrics[2].query: "{{args.service}}" is not an argument of the analysis template: use {{args.namespace}}, {{args.service-name}}, {{args.pod-template-hash}}',
      'analysis.customMetrics[2]: needs a successCondition or a failureCondition (or both), like successCondition: "result[0] < 0.05"',
      'analysis.customMetrics[3].name: "lag" names two custom metrics: each needs its own name',
      'analysis.customMetrics[3].successCondition: "true" does not read result, so it would judge every measurement alike: compare result[0], like "result[0] < 0.05"',
    ]);
    expect(problems([{ ...ORDER_ERRORS, count: 2 }])).toEqual([
      'analysis.customMetrics[0].count: 2 lets a run of 2 measurements succeed without one good value (failureLimit 1 + inconclusiveLimit 1 >= count 2): raise count or lower failureLimit',
    ]);
    expect(problems([{ ...ORDER_ERRORS, failureLimit: 4, interval: Duration.hours(2) }])).toEqual([
      'analysis.customMetrics[0].interval: 2h is out of range: use 1s to 1h',
      'analysis.customMetrics[0].failureLimit: 4 lets a run of 5 measurements succeed without one good value (failureLimit 4 + inconclusiveLimit 1 >= count 5): raise count or lower failureLimit',
    ]);
  });
});

describe('a custom metric in an environment file', () => {
  const FILE = 'environments/staging.yaml';
  const staging = readFileSync(join(__dirname, '..', 'environments', 'staging.yaml'), 'utf8');
  const withMetrics = (customMetrics: JsonValue[], release: JsonMap = {}): string => {
    const doc = parseMap(staging);
    const r = at(doc, 'services', 'trading-api', 'release');
    Object.assign(r, release);
    r.analysis = { ...((r.analysis as JsonMap | undefined) ?? {}), customMetrics };
    return JSON.stringify(doc);
  };

  it('renders into the AnalysisTemplates with the environment Prometheus, its interval a duration', () => {
    const environment = parseEnvironment(
      'staging',
      FILE,
      withMetrics([{ name: 'order-errors', query: ERRORS, failureCondition: 'result[0] >= 0.05', interval: '30s' }]),
    ).environment;
    if (!environment) throw new Error('invalid file');
    const ts = renderEnvironment(environment)
      .files.map((f) => parse(f.content) as Template)
      .filter((o) => o?.kind === 'AnalysisTemplate');
    for (const name of ['trading-api-analysis', 'trading-api-background-analysis']) {
      const m = metricOf(ts, name, 'order-errors');
      expect(m?.provider.prometheus).toEqual({ address: 'http://prometheus-operated.monitoring.svc:9090', query: ERRORS });
      expect(m?.interval).toBe('30s');
      for (const result of NO_DATA) expect(decide(m ?? {}, result)).toBe('Inconclusive');
    }
  });

  it('names the field of every bad value, in the canary and the blue-green release', () => {
    expect(environmentProblems('staging', FILE, withMetrics([{ name: 'latency-p95', query: '', successCondition: 'ok', interval: 'soon' }]))).toEqual(
      [
        `${FILE}: services.trading-api.release.analysis.customMetrics[0].interval: "soon" is not a duration: use a value like "30s", "5m" or "1h"`,
        `${FILE}: services.trading-api.release.analysis.customMetrics[0].name: "latency-p95" is the name of a built-in metric (success-rate, latency-p95, smoke-test): choose another`,
        `${FILE}: services.trading-api.release.analysis.customMetrics[0].query: "" must be a PromQL query, like "sum(rate(orders_failed_total[2m]))"`,
        `${FILE}: services.trading-api.release.analysis.customMetrics[0].successCondition: "ok" does not read result, so it would judge every measurement alike: compare result[0], like "result[0] < 0.05"`,
      ],
    );
    expect(
      environmentProblems(
        'staging',
        FILE,
        withMetrics([{ name: 'order-errors', query: ERRORS }], { strategy: 'blue-green', engine: 'argo-rollouts' }),
      ),
    ).toEqual([
      `${FILE}: services.trading-api.release.analysis.customMetrics[0]: needs a successCondition or a failureCondition (or both), like successCondition: "result[0] < 0.05"`,
    ]);
  });

  it('is a schema error without a name or query, or with an unknown key', () => {
    expect(environmentProblems('staging', FILE, withMetrics([{ name: 'x', successCondition: 'result[0] < 1', limit: 3 }])).join('\n')).toMatch(
      /customMetrics\[0\]/,
    );
  });
});
