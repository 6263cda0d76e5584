/**
 * The HTTP metrics a service exports, by name: the counter of requests, the label that holds the status
 * code, the latency histogram. Client libraries differ (Go's promhttp labels the status `code`, Node's
 * express-prom-bundle `status_code` and counts requests in its histogram), and a query with the wrong label
 * matches nothing: a success ratio of 1 and alerts that never fire. Every analysis, alert and dashboard panel
 * of a service reads these names.
 */
import { FieldPath } from '../core/field-path';
import { Problem, ProblemCollector, show } from '../core/problems';

/** The names of a service's HTTP metrics. */
export interface HttpMetrics {
  /** Counter of requests (a histogram's `_count` series counts them too). */
  readonly requestsTotal: string;
  /** Label of `requestsTotal` that holds the response's status code (`500`, or a class like `5xx`). */
  readonly statusLabel: string;
  /** Latency histogram in seconds, without the `_bucket` suffix. */
  readonly durationHistogram: string;
}

/** Client libraries whose HTTP metrics are known by name. */
export type HttpMetricsPreset = 'prometheus-client' | 'go-promhttp' | 'express-prom-bundle' | 'spring-boot';

/**
 * The names each client library exports: `prometheus-client` (the common convention, and FastAPI's
 * instrumentator: `http_requests_total{status}`), `go-promhttp` (client_golang's `InstrumentHandlerCounter`
 * and `InstrumentHandlerDuration` with the conventional names, labelled `code`), `express-prom-bundle`
 * (`http_request_duration_seconds{status_code}`, whose `_count` counts requests), `spring-boot` (Micrometer's
 * `http_server_requests_seconds{status}`, with `percentiles-histogram` on for the buckets).
 */
export const HTTP_METRICS_PRESETS: Readonly<Record<HttpMetricsPreset, HttpMetrics>> = {
  'prometheus-client': { requestsTotal: 'http_requests_total', statusLabel: 'status', durationHistogram: 'http_request_duration_seconds' },
  'go-promhttp': { requestsTotal: 'http_requests_total', statusLabel: 'code', durationHistogram: 'http_request_duration_seconds' },
  'express-prom-bundle': {
    requestsTotal: 'http_request_duration_seconds_count',
    statusLabel: 'status_code',
    durationHistogram: 'http_request_duration_seconds',
  },
  'spring-boot': { requestsTotal: 'http_server_requests_seconds_count', statusLabel: 'status', durationHistogram: 'http_server_requests_seconds' },
};

/** The names assumed unless configured. */
export const DEFAULT_HTTP_METRICS: HttpMetrics = HTTP_METRICS_PRESETS['prometheus-client'];

/** A service's HTTP metrics: a preset, names of its own, or a preset with some names changed. */
export interface HttpMetricsOptions extends Partial<HttpMetrics> {
  /** The client library's names. @default - the names around it (the environment's), else `prometheus-client` */
  readonly preset?: HttpMetricsPreset;
}

/** `options` over `base` (the preset it names instead, when it names one). */
export function resolveHttpMetrics(options: HttpMetricsOptions | undefined, base: HttpMetrics = DEFAULT_HTTP_METRICS): HttpMetrics {
  const from = options?.preset ? HTTP_METRICS_PRESETS[options.preset] : base;
  return {
    requestsTotal: options?.requestsTotal ?? from.requestsTotal,
    statusLabel: options?.statusLabel ?? from.statusLabel,
    durationHistogram: options?.durationHistogram ?? from.durationHistogram,
  };
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Labels the queries set themselves: a status label of that name would match the wrong thing. */
const RESERVED_LABELS = ['le', 'namespace', 'service', 'pod', 'rollouts_pod_template_hash'];

/** Message for a name that is not a Prometheus metric name. */
export function checkMetricName(name: unknown): string | undefined {
  return typeof name === 'string' && METRIC_NAME.test(name)
    ? undefined
    : `${show(name)} is not a metric name: use letters, digits, "_" and ":", not starting with a digit`;
}

/** Problems of HTTP metrics options at `path`: names a PromQL query can hold. */
export function validateHttpMetricsOptions(o: HttpMetricsOptions, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  if (o.preset !== undefined && !(o.preset in HTTP_METRICS_PRESETS)) {
    c.check(path.child('preset'), `${show(o.preset)} is not a preset; use one of ${Object.keys(HTTP_METRICS_PRESETS).join(', ')}`);
  }
  for (const field of ['requestsTotal', 'durationHistogram'] as const) {
    if (o[field] !== undefined) c.check(path.child(field), checkMetricName(o[field]));
  }
  const label = o.statusLabel;
  if (label !== undefined) {
    if (!(typeof label === 'string' && LABEL_NAME.test(label) && !label.startsWith('__'))) {
      c.check(path.child('statusLabel'), `${show(label)} is not a label name: use letters, digits and "_", not starting with a digit or "__"`);
    } else if (RESERVED_LABELS.includes(label)) {
      c.check(
        path.child('statusLabel'),
        `${show(label)} is a label the queries set themselves (${RESERVED_LABELS.join(', ')}): name the label that holds the status code`,
      );
    }
  }
  return [...c.problems];
}
