/**
 * The Prometheus Adapter rule that serves an HPA's requests-per-second target (`requestsPerSecond` of
 * `Scaling.autoscale`): the per-pod rate of the service's own request counter, so the HPA, the alerts and the
 * analyses all count the same requests. The adapter's configuration belongs to the cluster, not to a service's
 * manifests, so the library returns the rule for you to add to it instead of emitting it.
 */
import { DEFAULT_REQUESTS_PER_SECOND_METRIC } from '../api-service/scaling';
import { DEFAULT_HTTP_METRICS, HttpMetrics } from './http-metrics';

/** One entry of the Prometheus Adapter's `rules:` (the custom metrics API), in its configuration's own shape. */
export interface PrometheusAdapterRule {
  /** The series the rule finds: the request counter with the pod and namespace labels a PodMonitor scrape adds. */
  readonly seriesQuery: string;
  /** How the series' labels map onto Kubernetes objects. */
  readonly resources: { readonly overrides: Readonly<Record<string, { readonly resource: string }>> };
  /** The name the metric gets in the custom metrics API. */
  readonly name: { readonly matches: string; readonly as: string };
  /** The per-pod rate the adapter answers with. */
  readonly metricsQuery: string;
}

/**
 * The adapter rule that serves `metric` (`http_requests_per_second` unless named) as the per-pod rate over 2
 * minutes of `http.requestsTotal`, the service's request counter (see `httpMetrics`).
 */
export function prometheusAdapterRule(
  http: HttpMetrics = DEFAULT_HTTP_METRICS,
  metric: string = DEFAULT_REQUESTS_PER_SECOND_METRIC,
): PrometheusAdapterRule {
  return {
    seriesQuery: `${http.requestsTotal}{namespace!="",pod!=""}`,
    resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
    name: { matches: `^${http.requestsTotal}$`, as: metric },
    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
  };
}
