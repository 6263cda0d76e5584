// Internal: typed against @kubernetes-models (a dev dependency), so not part of the published API.
import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate' with { 'resolution-mode': 'import' };
import { durationText } from '../core/duration';
import { RATE_WINDOW, ResolvedAnalysis, ResolvedCustomMetric } from './analysis';

type Metric = NonNullable<NonNullable<IAnalysisTemplate['spec']>['metrics']>[number];
type RolloutAnalysis = {
  templates: Array<{ templateName: string }>;
  args: Array<{ name: string; value?: string; valueFrom?: { podTemplateHashValue: string } }>;
};

/** A measurement that holds a value: at least one series, and not NaN. */
const HAS_VALUE = 'len(result) > 0 && !isNaN(result[0])';

/**
 * The conditions of a custom metric, guarded like the built-in ones: both are emitted, each requiring a value,
 * so a measurement without one meets neither and is inconclusive. A condition given alone stands for its
 * negation as the other (Argo Rollouts' own reading of a lone condition), but only over measured values:
 * left alone, a lone successCondition would fail on no data and a lone failureCondition would pass on it.
 * The user's condition is parenthesized, so an `||` in it cannot escape the guard.
 */
export function guardedConditions(m: Pick<ResolvedCustomMetric, 'successCondition' | 'failureCondition'>): {
  successCondition: string;
  failureCondition: string;
} {
  const pass = m.successCondition !== undefined ? `(${m.successCondition})` : `!(${m.failureCondition})`;
  const fail = m.failureCondition !== undefined ? `(${m.failureCondition})` : `!(${m.successCondition})`;
  return { successCondition: `${HAS_VALUE} && ${pass}`, failureCondition: `${HAS_VALUE} && ${fail}` };
}

/** Whether an analysis run takes `count` measurements (a step, post-promotion) or runs until the rollout ends (background). */
export type AnalysisRun = 'bounded' | 'background';

/**
 * An AnalysisTemplate measuring the success rate (and p95 latency) of the pods of one ReplicaSet of
 * the service: series with `namespace`, `service` (set by the service's PodMonitor) and
 * `rollouts_pod_template_hash` (the pod label Argo Rollouts stamps on every pod), so the new version is
 * measured alone. It fails closed: a value must exist and pass the threshold for success, a value that
 * misses it fails, and no data is inconclusive (more than `inconclusiveLimit` of them pause the rollout).
 * A failed run aborts the release and traffic returns to the stable version.
 *
 * Every metric waits `initialDelay` (the rate window plus a scrape by default) before its first
 * measurement, so it does not measure a ReplicaSet with no samples yet. The background run has no `count`
 * and meets every quiet minute of the canary, so it tolerates more of them (`backgroundInconclusiveLimit`).
 */
export function analysisTemplate(
  name: string,
  metadata: { name: string; labels: Record<string, string> },
  a: ResolvedAnalysis,
  run: AnalysisRun = 'bounded',
): IAnalysisTemplate {
  const selector = 'namespace="{{args.namespace}}", service="{{args.service-name}}", rollouts_pod_template_hash="{{args.pod-template-hash}}"';
  const window = durationText(RATE_WINDOW);
  const limits = {
    ...(a.initialDelay !== undefined ? { initialDelay: a.initialDelay } : {}),
    interval: a.interval,
    ...(run === 'bounded' ? { count: a.count } : {}),
    failureLimit: a.failureLimit,
    inconclusiveLimit: run === 'bounded' ? a.inconclusiveLimit : a.backgroundInconclusiveLimit,
  };
  const metric = (metricName: string, pass: string, fail: string, query: string): Metric => ({
    name: metricName,
    ...limits,
    successCondition: `${HAS_VALUE} && ${pass}`,
    failureCondition: `${HAS_VALUE} && ${fail}`,
    provider: { prometheus: { address: a.prometheusAddress, query } },
  });
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { ...metadata, name },
    spec: {
      args: [{ name: 'service-name' }, { name: 'namespace' }, { name: 'pod-template-hash' }],
      metrics: [
        metric(
          'success-rate',
          `result[0] >= ${a.successRate}`,
          `result[0] < ${a.successRate}`,
          `sum(rate(${a.http.requestsTotal}{${selector}, ${a.http.statusLabel}!~"5.."}[${window}])) / sum(rate(${a.http.requestsTotal}{${selector}}[${window}]))`,
        ),
        ...(a.maxLatencyP95Seconds === undefined
          ? []
          : [
              metric(
                'latency-p95',
                `result[0] < ${a.maxLatencyP95Seconds}`,
                `result[0] >= ${a.maxLatencyP95Seconds}`,
                `histogram_quantile(0.95, sum by (le) (rate(${a.http.durationHistogram}_bucket{${selector}}[${window}])))`,
              ),
            ]),
        ...a.customMetrics.map((m): Metric => ({
          name: m.name,
          ...limits,
          interval: m.interval,
          ...(run === 'bounded' ? { count: m.count } : {}),
          failureLimit: m.failureLimit,
          ...guardedConditions(m),
          provider: { prometheus: { address: a.prometheusAddress, query: m.query } },
        })),
      ],
    },
  };
}

/**
 * How a Rollout calls the metrics template: the service's series (`service`, as the PodMonitor labels
 * them) of the newest ReplicaSet's pods (`podTemplateHashValue: Latest`: the canary, or the promoted colour).
 */
export function metricsAnalysis(templateName: string, service: string, namespace: string): RolloutAnalysis {
  return {
    templates: [{ templateName }],
    args: [
      { name: 'service-name', value: service },
      { name: 'namespace', value: namespace },
      { name: 'pod-template-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
    ],
  };
}
