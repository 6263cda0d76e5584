// Internal: typed against @kubernetes-models (a dev dependency), so not part of the published API.
import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate' with { 'resolution-mode': 'import' };
import { ResolvedAnalysis } from './analysis';

/**
 * An AnalysisTemplate measuring the success rate (and p95 latency) of the Service named by the
 * `service-name` argument, from the same `http_requests_total` / `http_request_duration_seconds`
 * metrics the alerts use. A failed run aborts the release and traffic returns to the stable version.
 */
export function analysisTemplate(name: string, metadata: { name: string; labels: Record<string, string> }, a: ResolvedAnalysis): IAnalysisTemplate {
  const selector = 'namespace="{{args.namespace}}", service="{{args.service-name}}"';
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { ...metadata, name },
    spec: {
      args: [{ name: 'service-name' }, { name: 'namespace' }],
      metrics: [
        {
          name: 'success-rate',
          interval: a.interval,
          count: a.count,
          failureLimit: a.failureLimit,
          successCondition: `len(result) == 0 || isNaN(result[0]) || result[0] >= ${a.successRate}`,
          provider: {
            prometheus: {
              address: a.prometheusAddress,
              query: `sum(rate(http_requests_total{${selector}, status!~"5.."}[2m])) / sum(rate(http_requests_total{${selector}}[2m]))`,
            },
          },
        },
        ...(a.maxLatencyP95Seconds === undefined ? [] : [{
          name: 'latency-p95',
          interval: a.interval,
          count: a.count,
          failureLimit: a.failureLimit,
          successCondition: `len(result) == 0 || isNaN(result[0]) || result[0] < ${a.maxLatencyP95Seconds}`,
          provider: {
            prometheus: {
              address: a.prometheusAddress,
              query: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${selector}}[2m])))`,
            },
          },
        }]),
      ],
    },
  };
}
