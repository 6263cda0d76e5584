/**
 * The dashboard of an API service: traffic (request rate, error ratio, p50/p95/p99 latency),
 * saturation (CPU and memory against the limits, restarts), replicas and the HPA, and which release
 * (colour, track) serves the traffic. Every panel plots a signal of `api-signals.ts`, the expressions
 * the alerts use.
 */
import { DEFAULT_HTTP_METRICS } from './http-metrics';
import * as s from './api-signals';
import { buildDashboard, GrafanaDashboard, PanelSpec } from './dashboard';

/** The panels of one service's dashboard. */
export function apiDashboardPanels(t: s.ApiSignalTarget): PanelSpec[] {
  const hpa = s.apiAutoscalerReplicas(t);
  const hpaMax = s.apiAutoscalerMaxReplicas(t);
  const workloadLegend = t.workloadKind === 'Rollout' ? '{{name}}' : '{{deployment}}';
  const panels: PanelSpec[] = [
    {
      title: 'Targets up',
      description: 'Pods Prometheus scrapes successfully (ApiDown fires at 0).',
      type: 'stat',
      unit: 'short',
      width: 6,
      queries: [{ expr: s.apiTargetsUp(t), legend: '{{service}}' }],
    },
    {
      title: 'Request rate',
      description: 'Requests per second.',
      type: 'stat',
      unit: 'reqps',
      width: 6,
      queries: [{ expr: s.apiRequestRate(t), legend: '{{service}}' }],
    },
    {
      title: '5xx ratio',
      description: 'Share of requests answered with a 5xx status (warning above 1 %, critical above 5 %).',
      type: 'stat',
      unit: 'percentunit',
      width: 6,
      queries: [{ expr: s.apiErrorRatio(t), legend: '{{service}}' }],
    },
    {
      title: 'p95 latency',
      description: '95th percentile latency (warning above 1 s).',
      type: 'stat',
      unit: 's',
      width: 6,
      queries: [{ expr: s.apiLatency(t, 0.95), legend: '{{service}}' }],
    },
    {
      title: 'Requests per second',
      description: 'Request rate over time.',
      unit: 'reqps',
      queries: [{ expr: s.apiRequestRate(t), legend: '{{service}}' }],
    },
    {
      title: 'Error ratio (5xx)',
      description: 'Share of requests answered with a 5xx status.',
      unit: 'percentunit',
      min: 0,
      queries: [{ expr: s.apiErrorRatio(t), legend: '{{service}}' }],
    },
    {
      title: 'Latency p50 / p95 / p99',
      description: `Request latency quantiles from ${(t.http ?? DEFAULT_HTTP_METRICS).durationHistogram}.`,
      unit: 's',
      width: 24,
      queries: [0.5, 0.95, 0.99].map((q) => ({ expr: s.apiLatency(t, q), legend: `p${Math.round(q * 100)}` })),
    },
    {
      title: 'CPU of limit',
      description: 'CPU used per pod as a share of its limit (warning above 80 %).',
      unit: 'percentunit',
      min: 0,
      queries: [{ expr: s.apiCpuOfLimit(t), legend: '{{pod}}' }],
    },
    {
      title: 'Memory of limit',
      description: 'Working set per pod as a share of its limit (warning above 80 %, critical above 90 %).',
      unit: 'percentunit',
      min: 0,
      queries: [{ expr: s.apiMemoryOfLimit(t), legend: '{{pod}}' }],
    },
    {
      title: 'Replicas',
      description: 'Available and unavailable replicas per workload; current and maximum replicas of the HPA.',
      unit: 'short',
      min: 0,
      queries: [
        { expr: s.apiAvailableReplicas(t), legend: `available ${workloadLegend}` },
        { expr: s.apiUnavailableReplicas(t), legend: `unavailable ${workloadLegend}` },
        ...(hpa ? [{ expr: hpa, legend: 'HPA current {{horizontalpodautoscaler}}' }] : []),
        ...(hpaMax ? [{ expr: hpaMax, legend: 'HPA max {{horizontalpodautoscaler}}' }] : []),
      ],
    },
    {
      title: 'Restarts (15 m)',
      description: 'Container restarts per pod over 15 minutes.',
      unit: 'short',
      min: 0,
      queries: [{ expr: s.apiRestarts(t), legend: '{{pod}}' }],
    },
    t.workloadKind === 'Rollout'
      ? {
          title: 'Traffic by release',
          description: 'Requests per second by Argo Rollouts revision (rollouts-pod-template-hash of the pods): which release serves the traffic.',
          unit: 'reqps',
          queries: [{ expr: s.apiRequestRateByRelease(t), legend: '{{rollouts_pod_template_hash}}' }],
        }
      : {
          title: 'Traffic by release',
          description: 'Requests per second by colour (version) and track: which release serves the traffic.',
          unit: 'reqps',
          queries: [{ expr: s.apiRequestRateByRelease(t), legend: '{{version}} {{track}}' }],
        },
    {
      title: 'Rollout stuck',
      description:
        t.workloadKind === 'Rollout'
          ? 'Rollouts in phase Degraded, and in phase Paused (a pause step, or waiting for a promotion).'
          : 'Deployments past their progress deadline.',
      unit: 'short',
      min: 0,
      queries: [
        { expr: s.apiRolloutStuck(t), legend: t.workloadKind === 'Rollout' ? `degraded ${workloadLegend}` : workloadLegend },
        ...(s.apiRolloutPaused(t) ? [{ expr: s.apiRolloutPaused(t) as string, legend: `paused ${workloadLegend}` }] : []),
        ...(s.apiMigrationFailed(t) ? [{ expr: s.apiMigrationFailed(t) as string, legend: 'migration failed {{job_name}}' }] : []),
      ],
    },
  ];
  return panels;
}

/** The dashboard of one service. */
export function apiDashboard(t: s.ApiSignalTarget, environment: string): GrafanaDashboard {
  return buildDashboard({
    namespace: t.namespace,
    name: t.service,
    title: `${t.service} (${t.namespace ?? environment})`,
    description: `API service ${t.service}: traffic, errors, latency, saturation, replicas and releases. Generated by cdk8s-trading.`,
    tags: ['cdk8s-trading', 'api', environment],
    panels: apiDashboardPanels(t),
  });
}
