/**
 * The alerts of an API service: 5xx above 1 % (warning) and 5 % (critical), p95 latency above 1 s
 * (warning), CPU or memory above 80 % of the limit (warning), memory above 90 % (critical), the API down
 * (critical), restarts, unavailable replicas, a stuck rollout, an Argo Rollout paused longer than any of
 * its pause steps and a failed migration Job. Each expression is a signal of `api-signals.ts` against its
 * threshold.
 */
import * as s from './api-signals';
import { AlertRuleGroup, alertRules, AlertSpec } from './alert-rules';
import type { ObservabilitySettings } from './settings';

/** The alert specs of one service, by group (before the environment's labels). */
export function apiAlertSpecs(t: s.ApiSignalTarget): Array<{ group: string; specs: AlertSpec[] }> {
  const subject = `${t.service} in {{ $labels.namespace }}`;
  const absent = s.apiTargetsAbsent(t);
  const migration = s.apiMigrationFailed(t);
  const availability: AlertSpec[] = [
    {
      alert: 'ApiDown',
      expr: `${s.apiTargetsUp(t)} == 0${absent ? `\n  or ${absent}` : ''}`,
      for: '2m',
      severity: 'critical',
      summary: `${subject}: down`,
      description: `No pod of ${subject} has answered Prometheus's scrape for 2 minutes: the API is down or cannot be reached.`,
    },
    {
      alert: 'ApiHighErrorRate',
      expr: `${s.apiErrorRatio(t)} > 0.01`,
      for: '5m',
      severity: 'warning',
      summary: `${subject}: 5xx rate above 1 %`,
      description: `{{ $value | humanizePercentage }} of the requests to ${subject} failed with a 5xx status over the last 5 minutes (threshold 1 %).`,
    },
    {
      alert: 'ApiCriticalErrorRate',
      expr: `${s.apiErrorRatio(t)} > 0.05`,
      for: '5m',
      severity: 'critical',
      summary: `${subject}: 5xx rate above 5 %`,
      description: `{{ $value | humanizePercentage }} of the requests to ${subject} failed with a 5xx status over the last 5 minutes (threshold 5 %).`,
    },
    {
      alert: 'ApiHighLatencyP95',
      expr: `${s.apiLatency(t, 0.95)} > 1`,
      for: '5m',
      severity: 'warning',
      summary: `${subject}: p95 latency above 1 s`,
      description: `The 95th percentile latency of ${subject} has been {{ $value | humanizeDuration }} for 5 minutes (threshold 1 s).`,
    },
    {
      alert: 'ApiReplicasUnavailable',
      expr: `${s.apiUnavailableReplicas(t)} > 0`,
      for: '10m',
      severity: 'critical',
      summary: `${subject}: replicas unavailable`,
      description: `{{ $value }} replica(s) of the ${t.workloadKind} of ${subject} have been unavailable for 10 minutes.`,
    },
    t.workloadKind === 'Rollout'
      ? {
          alert: 'ApiRolloutDegraded',
          expr: `${s.apiRolloutStuck(t)} > 0`,
          for: '5m',
          severity: 'warning',
          summary: `${subject}: Argo Rollout degraded`,
          description: `The Rollout {{ $labels.name }} of ${subject} is Degraded (an aborted release or a failed analysis): the stable version keeps serving.`,
        }
      : {
          alert: 'ApiDeploymentNotProgressing',
          expr: `${s.apiRolloutStuck(t)} > 0`,
          for: '5m',
          severity: 'warning',
          summary: `${subject}: deployment not progressing`,
          description: `The Deployment {{ $labels.deployment }} of ${subject} passed its progress deadline: new pods do not become ready; the old ones keep serving.`,
        },
  ];
  const paused = s.apiRolloutPaused(t);
  if (paused) {
    const after = pausedAlertAfterMinutes(t.longestPauseSeconds ?? 0);
    availability.push({
      alert: 'ApiRolloutPausedTooLong',
      expr: `${paused} > 0`,
      for: `${after}m`,
      severity: 'warning',
      summary: `${subject}: Argo Rollout paused for ${after} minutes`,
      description: `The Rollout {{ $labels.name }} of ${subject} has been Paused for ${after} minutes, longer than any of its pause steps: an inconclusive analysis or a manual-promotion pause waits for someone to promote or abort it.`,
    });
  }
  if (migration) {
    availability.push({
      alert: 'ApiMigrationFailed',
      expr: `${migration} > 0`,
      for: '0m',
      severity: 'critical',
      summary: `${subject}: migration Job failed`,
      description: `The migration Job {{ $labels.job_name }} of ${subject} failed after its retries: the release is blocked and the schema may be half-migrated.`,
    });
  }
  const resources: AlertSpec[] = [
    {
      alert: 'ApiHighCpu',
      expr: `${s.apiCpuOfLimit(t)} > 0.8`,
      for: '10m',
      severity: 'warning',
      summary: `${subject}: CPU above 80 % of the limit`,
      description: `Pod {{ $labels.pod }} of ${subject} has used {{ $value | humanizePercentage }} of its CPU limit for 10 minutes (threshold 80 %).`,
    },
    {
      alert: 'ApiHighMemory',
      expr: `${s.apiMemoryOfLimit(t)} > 0.8`,
      for: '10m',
      severity: 'warning',
      summary: `${subject}: memory above 80 % of the limit`,
      description: `Pod {{ $labels.pod }} of ${subject} has used {{ $value | humanizePercentage }} of its memory limit for 10 minutes (threshold 80 %).`,
    },
    {
      alert: 'ApiCriticalMemory',
      expr: `${s.apiMemoryOfLimit(t)} > 0.9`,
      for: '5m',
      severity: 'critical',
      summary: `${subject}: memory above 90 % of the limit`,
      description: `Pod {{ $labels.pod }} of ${subject} has used {{ $value | humanizePercentage }} of its memory limit for 5 minutes (threshold 90 %): an OOM kill is near.`,
    },
    {
      alert: 'ApiContainerRestarts',
      expr: `${s.apiRestarts(t)} > 0`,
      for: '0m',
      severity: 'warning',
      summary: `${subject}: container restarted`,
      description: `Pod {{ $labels.pod }} of ${subject} restarted {{ $value }} time(s) in the last 15 minutes (crash, OOM kill or failed liveness probe).`,
    },
  ];
  return [
    { group: 'availability', specs: availability },
    { group: 'resources', specs: resources },
  ];
}

/**
 * How long a Rollout may stay Paused before it is reported: 30 minutes, or 15 minutes more than the
 * longest timed pause step when that is longer.
 */
export function pausedAlertAfterMinutes(longestPauseSeconds: number): number {
  return Math.max(30, Math.ceil(longestPauseSeconds / 60) + 15);
}

/** The rule groups of one service, labelled for its environment. */
export function apiAlertGroups(t: s.ApiSignalTarget, settings: ObservabilitySettings): AlertRuleGroup[] {
  return apiAlertSpecs(t).map(({ group, specs }) => ({
    name: `${t.service}.${group}`,
    rules: alertRules(specs, { service: t.service }, settings),
  }));
}
