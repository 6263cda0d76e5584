/** A Prometheus alerting rule (a PrometheusRule `spec.groups[].rules[]` entry). */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** A PrometheusRule `spec.groups[]` entry. */
export interface AlertRuleGroup {
  readonly name: string;
  readonly rules: AlertRule[];
}

/** Kinds of workload whose availability the alerts watch. */
export type WorkloadKind = 'Deployment' | 'Rollout';

/** What the alerts of one API service are about. */
export interface BackendAlertsInput {
  /** Service (and `job` label) name the metrics are scraped under. */
  readonly service: string;
  /** Kind of the workloads: Deployments (kube-state-metrics) or Argo Rollouts (the controller's metrics). */
  readonly workloadKind: WorkloadKind;
  /** Workload names; pod names start with them. */
  readonly workloads: readonly string[];
  /** Container name. */
  readonly container: string;
  /** Namespace, when known; alerts match every namespace otherwise. */
  readonly namespace: string | undefined;
}

/** Pascal-cased prefix for alert names (`trading-api` → `TradingApi`). */
function alertPrefix(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The alerts of an API service: 5xx rate above 1 % (warning) and 5 % (critical) for 5 minutes,
 * p95 latency above 1 s, CPU or memory above 80 % of the limit, container restarts and unavailable
 * replicas. Metric names are the Prometheus client defaults (`http_requests_total` with a `status`
 * label, `http_request_duration_seconds`), cAdvisor and kube-state-metrics.
 */
export function backendAlertGroups(i: BackendAlertsInput): AlertRuleGroup[] {
  const prefix = alertPrefix(i.service);
  const ns = i.namespace === undefined ? '' : `namespace="${i.namespace}", `;
  const svc = `${ns}service="${i.service}"`;
  const workloads = i.workloads.length === 1 ? i.workloads[0] : `(${i.workloads.join('|')})`;
  const pod = `${ns}pod=~"${workloads}-[a-z0-9]+-[a-z0-9]+", container="${i.container}"`;
  const unavailable = i.workloadKind === 'Rollout'
    ? `rollout_info_replicas_unavailable{${ns}name=~"${workloads}"} > 0`
    : i.workloads.length === 1
      ? `kube_deployment_status_replicas_unavailable{${ns}deployment="${i.workloads[0]}"} > 0`
      : `kube_deployment_status_replicas_unavailable{${ns}deployment=~"${workloads}"} > 0`;
  const errorRatio =
    `sum(rate(http_requests_total{${svc}, status=~"5.."}[5m]))\n` +
    `  / sum(rate(http_requests_total{${svc}}[5m]))`;
  const labels = (severity: string): Record<string, string> => ({ severity, service: i.service });
  const rule = (alert: string, expr: string, forDuration: string, severity: string, summary: string, description: string): AlertRule => ({
    alert: `${prefix}${alert}`,
    expr,
    for: forDuration,
    labels: labels(severity),
    annotations: { summary, description },
  });
  return [
    {
      name: `${i.service}.availability`,
      rules: [
        rule('HighErrorRate', `${errorRatio} > 0.01`, '5m', 'warning', `${i.service}: 5xx rate above 1 %`,
          'More than 1 % of requests failed with a 5xx status over the last 5 minutes.'),
        rule('CriticalErrorRate', `${errorRatio} > 0.05`, '5m', 'critical', `${i.service}: 5xx rate above 5 %`,
          'More than 5 % of requests failed with a 5xx status over the last 5 minutes.'),
        rule('HighLatencyP95',
          `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${svc}}[5m]))) > 1`,
          '5m', 'warning', `${i.service}: p95 latency above 1 s`, 'The 95th percentile request latency has been above 1 second for 5 minutes.'),
        rule('ReplicasUnavailable', unavailable,
          '10m', 'critical', `${i.service}: replicas unavailable`, `The ${i.workloadKind} has had unavailable replicas for 10 minutes.`),
      ],
    },
    {
      name: `${i.service}.resources`,
      rules: [
        rule('HighCpu',
          `sum by (pod) (rate(container_cpu_usage_seconds_total{${pod}}[5m]))\n` +
          `  / sum by (pod) (kube_pod_container_resource_limits{${pod}, resource="cpu"}) > 0.8`,
          '10m', 'warning', `${i.service}: CPU above 80 % of the limit`, 'A pod has used more than 80 % of its CPU limit for 10 minutes.'),
        rule('HighMemory',
          `sum by (pod) (container_memory_working_set_bytes{${pod}})\n` +
          `  / sum by (pod) (kube_pod_container_resource_limits{${pod}, resource="memory"}) > 0.8`,
          '10m', 'warning', `${i.service}: memory above 80 % of the limit`, 'A pod has used more than 80 % of its memory limit for 10 minutes.'),
        rule('ContainerRestarts',
          `increase(kube_pod_container_status_restarts_total{${pod}}[15m]) > 0`,
          '0m', 'warning', `${i.service}: container restarted`, 'A container restarted in the last 15 minutes (crash, OOM kill or failed liveness probe).'),
      ],
    },
  ];
}
