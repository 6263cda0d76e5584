/**
 * The PromQL of every signal of an API service, one function each. Alert rules compare these with a
 * threshold and dashboard panels plot them as they are: one source. Every expression keeps the
 * `namespace` label (a matcher when the namespace is known, and `by (namespace, ...)` in every
 * aggregation), so an alert says where it fires.
 *
 * Metrics: the Prometheus client defaults scraped per pod with a `service` label
 * (the service's HTTP metrics, `http_requests_total{status}` and `http_request_duration_seconds_bucket` unless
 * named otherwise, and `up`), cAdvisor
 * (`container_cpu_usage_seconds_total`, `container_memory_working_set_bytes`), kube-state-metrics
 * (`kube_pod_container_resource_limits`, `kube_pod_container_status_restarts_total`,
 * `kube_deployment_status_*`, `kube_horizontalpodautoscaler_*`, `kube_job_failed`) and the Argo Rollouts
 * controller (`rollout_info`, `rollout_info_replicas_*`).
 *
 * The controller labels its series with the Rollout's own `namespace`. Scraped by a ServiceMonitor without
 * `honorLabels` (the argo-helm chart's), Prometheus renames that label `exported_namespace` and sets
 * `namespace` to the controller's; the Rollout signals match both forms (see {@link rolloutMetric}).
 */

import { DEFAULT_HTTP_METRICS, HttpMetrics } from './http-metrics';

/** Kinds of workload whose availability the signals watch. */
export type WorkloadKind = 'Deployment' | 'Rollout';

/** What the signals of one API service are about. */
export interface ApiSignalTarget {
  /** Namespace, when known; the expressions match every namespace otherwise (and still keep the label). */
  readonly namespace: string | undefined;
  /** Service name: the `service` label of the scraped metrics. */
  readonly service: string;
  /** Deployments (kube-state-metrics) or Argo Rollouts (the controller's metrics). */
  readonly workloadKind: WorkloadKind;
  /** Workload names; pod names start with them. */
  readonly workloads: readonly string[];
  /** Container name. */
  readonly container: string;
  /** HPA names, when autoscaling. */
  readonly autoscalers: readonly string[];
  /** The migration Job's name, when migrations run as a Job. */
  readonly migrationJob: string | undefined;
  /** The longest timed pause step of a Rollout, in seconds: a pause longer than that is reported. @default 0 */
  readonly longestPauseSeconds?: number;
  /** The names of the service's HTTP metrics. @default DEFAULT_HTTP_METRICS */
  readonly http?: HttpMetrics;
}

function http(t: ApiSignalTarget): HttpMetrics {
  return t.http ?? DEFAULT_HTTP_METRICS;
}

/** The rate window of every signal. */
const WINDOW = '5m';

/** A label selector of the non-empty `matchers`. */
function selector(...matchers: Array<string | undefined>): string {
  return `{${matchers.filter((m): m is string => m !== undefined && m !== '').join(', ')}}`;
}

function ns(t: { readonly namespace: string | undefined }): string | undefined {
  return t.namespace === undefined ? undefined : `namespace="${t.namespace}"`;
}

/** `label="a"` for one name, `label=~"(a|b)"` for several. */
export function nameMatcher(label: string, names: readonly string[]): string {
  return names.length === 1 ? `${label}="${names[0]}"` : `${label}=~"(${names.join('|')})"`;
}

function service(t: ApiSignalTarget, ...extra: string[]): string {
  return selector(ns(t), `service="${t.service}"`, ...extra);
}

function pods(t: ApiSignalTarget, ...extra: string[]): string {
  const workloads = t.workloads.length === 1 ? t.workloads[0] : `(${t.workloads.join('|')})`;
  return selector(ns(t), `pod=~"${workloads}-[a-z0-9]+-[a-z0-9]+"`, `container="${t.container}"`, ...extra);
}

/** Scraped targets that are up, per service. */
export function apiTargetsUp(t: ApiSignalTarget): string {
  return `sum by (namespace, service) (up${service(t)})`;
}

/** No target scraped at all (only with a known namespace: `absent` keeps the labels of its equality matchers). */
export function apiTargetsAbsent(t: ApiSignalTarget): string | undefined {
  return t.namespace === undefined ? undefined : `absent(up${service(t)})`;
}

/** Requests per second. */
export function apiRequestRate(t: ApiSignalTarget): string {
  return `sum by (namespace, service) (rate(${http(t).requestsTotal}${service(t)}[${WINDOW}]))`;
}

/**
 * Requests per second by release: by colour (`version`) and track for Deployments, by
 * `rollouts_pod_template_hash` (the pod label Argo Rollouts stamps on each revision's pods, copied by the
 * PodMonitor) for Rollouts, whose pods carry neither `version` nor `track`.
 */
export function apiRequestRateByRelease(t: ApiSignalTarget): string {
  const release = t.workloadKind === 'Rollout' ? 'rollouts_pod_template_hash' : 'version, track';
  return `sum by (namespace, service, ${release}) (rate(${http(t).requestsTotal}${service(t)}[${WINDOW}]))`;
}

/** Share of requests answered with a 5xx status. */
export function apiErrorRatio(t: ApiSignalTarget): string {
  return (
    `sum by (namespace, service) (rate(${http(t).requestsTotal}${service(t, `${http(t).statusLabel}=~"5.."`)}[${WINDOW}]))\n` +
    `  / sum by (namespace, service) (rate(${http(t).requestsTotal}${service(t)}[${WINDOW}]))`
  );
}

/** Request latency at quantile `q` (0.5, 0.95, 0.99), in seconds. */
export function apiLatency(t: ApiSignalTarget, q: number): string {
  return `histogram_quantile(${q}, sum by (namespace, service, le) (rate(${http(t).durationHistogram}_bucket${service(t)}[${WINDOW}])))`;
}

/** CPU used per pod, as a share of its limit. */
export function apiCpuOfLimit(t: ApiSignalTarget): string {
  return (
    `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total${pods(t)}[${WINDOW}]))\n` +
    `  / sum by (namespace, pod) (kube_pod_container_resource_limits${pods(t, 'resource="cpu"')})`
  );
}

/** Memory (working set) per pod, as a share of its limit. */
export function apiMemoryOfLimit(t: ApiSignalTarget): string {
  return (
    `sum by (namespace, pod) (container_memory_working_set_bytes${pods(t)})\n` +
    `  / sum by (namespace, pod) (kube_pod_container_resource_limits${pods(t, 'resource="memory"')})`
  );
}

/** Container restarts per pod over 15 minutes. */
export function apiRestarts(t: ApiSignalTarget): string {
  return `sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total${pods(t)}[15m]))`;
}

/**
 * A series of the Argo Rollouts controller for the workloads, with `namespace` the Rollout's in both
 * scrape setups: either the label was honoured (and there is no `exported_namespace`; requiring its
 * absence keeps a controller that runs in the app's namespace from matching every namespace's Rollouts),
 * or Prometheus renamed it `exported_namespace`, which `label_replace` copies back into `namespace`.
 * Only ever the argument of an aggregation `by (namespace, ...)`, which drops the controller's own labels
 * (and holds the `or` together).
 */
function rolloutMetric(t: ApiSignalTarget, metric: string, ...extra: string[]): string {
  const names = nameMatcher('name', t.workloads);
  const exported = t.namespace === undefined ? 'exported_namespace!=""' : `exported_namespace="${t.namespace}"`;
  return (
    `${metric}${selector(ns(t), 'exported_namespace=""', names, ...extra)}` +
    ` or label_replace(${metric}${selector(exported, names, ...extra)}, "namespace", "$1", "exported_namespace", "(.+)")`
  );
}

function workloadMetric(t: ApiSignalTarget, deployment: string, rollout: string, ...extra: string[]): string {
  return t.workloadKind === 'Rollout'
    ? rolloutMetric(t, `rollout_${rollout}`, ...extra)
    : `kube_deployment_${deployment}${selector(ns(t), nameMatcher('deployment', t.workloads), ...extra)}`;
}

function byWorkload(t: ApiSignalTarget): string {
  return t.workloadKind === 'Rollout' ? 'namespace, name' : 'namespace, deployment';
}

/** Unavailable replicas per workload. */
export function apiUnavailableReplicas(t: ApiSignalTarget): string {
  return `sum by (${byWorkload(t)}) (${workloadMetric(t, 'status_replicas_unavailable', 'info_replicas_unavailable')})`;
}

/** Available replicas per workload (a colour, a canary). */
export function apiAvailableReplicas(t: ApiSignalTarget): string {
  return `sum by (${byWorkload(t)}) (${workloadMetric(t, 'status_replicas_available', 'info_replicas_available')})`;
}

/**
 * 1 while a rollout is stuck: a Deployment whose `Progressing` condition is false (its progress deadline
 * passed), or an Argo Rollout in phase `Degraded` (aborted, or its deadline passed).
 */
export function apiRolloutStuck(t: ApiSignalTarget): string {
  return t.workloadKind === 'Rollout'
    ? `max by (namespace, name) (${workloadMetric(t, '', 'info', 'phase="Degraded"')})`
    : `max by (namespace, deployment) (${workloadMetric(t, 'status_condition', '', 'condition="Progressing"', 'status="false"')})`;
}

/**
 * 1 while an Argo Rollout is in phase `Paused`: a pause step, a manual-promotion pause or an inconclusive
 * analysis waiting for a human (undefined for Deployments).
 */
export function apiRolloutPaused(t: ApiSignalTarget): string | undefined {
  return t.workloadKind === 'Rollout' ? `max by (namespace, name) (${workloadMetric(t, '', 'info', 'phase="Paused"')})` : undefined;
}

/** Current replicas per HPA (undefined without autoscaling). */
export function apiAutoscalerReplicas(t: ApiSignalTarget): string | undefined {
  return t.autoscalers.length === 0
    ? undefined
    : `sum by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas${selector(ns(t), nameMatcher('horizontalpodautoscaler', t.autoscalers))})`;
}

/** Maximum replicas per HPA (undefined without autoscaling). */
export function apiAutoscalerMaxReplicas(t: ApiSignalTarget): string | undefined {
  return t.autoscalers.length === 0
    ? undefined
    : `sum by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas${selector(ns(t), nameMatcher('horizontalpodautoscaler', t.autoscalers))})`;
}

/** 1 when the migration Job has failed (its retries used up); undefined without a migration Job. */
export function apiMigrationFailed(t: ApiSignalTarget): string | undefined {
  return t.migrationJob === undefined
    ? undefined
    : `max by (namespace, job_name) (kube_job_failed${selector(ns(t), `job_name="${t.migrationJob}"`, 'condition="true"')})`;
}
