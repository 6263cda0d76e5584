/**
 * The alerts of a PostgreSQL cluster. CloudNativePG: an instance down, high availability lost or
 * degraded, replication lag, storage almost full, a failed or too old backup and failing WAL archiving
 * (with backups), connections near `max_connections`, PgBouncer clients waiting (with a pooler),
 * restarts. The StatefulSet engine has no PostgreSQL exporter: the pod not ready, storage almost full
 * and restarts. Each expression is a signal of `postgres-signals.ts` against its threshold.
 */
import * as s from './postgres-signals';
import { AlertRuleGroup, alertRules, AlertSpec } from './alert-rules';
import type { ObservabilitySettings } from './settings';

/** What the CloudNativePG alerts depend on besides the signals. */
export interface CnpgAlertOptions {
  /** Instances of the Cluster: HA alerts need more than one. */
  readonly instances: number;
  /** Whether backups run (the backup and archiving alerts). */
  readonly backups: boolean;
}

/** A backup older than this (a daily schedule plus two hours) is too old, in seconds. */
export const BACKUP_MAX_AGE_SECONDS = 26 * 3600;

const SUBJECT = '{{ $labels.namespace }}';

/** The alerts both engines share: storage and restarts. */
function commonSpecs(t: s.PostgresSignalTarget): AlertSpec[] {
  return [
    {
      alert: 'PostgresStorageAlmostFull',
      expr: `${s.pgStorageUsed(t)} > 0.8`,
      for: '10m',
      severity: 'warning',
      summary: `${t.cluster} in ${SUBJECT}: volume above 80 %`,
      description: `Volume {{ $labels.persistentvolumeclaim }} of ${t.cluster} in ${SUBJECT} is {{ $value | humanizePercentage }} full (threshold 80 %).`,
    },
    {
      alert: 'PostgresStorageCritical',
      expr: `${s.pgStorageUsed(t)} > 0.9`,
      for: '5m',
      severity: 'critical',
      summary: `${t.cluster} in ${SUBJECT}: volume above 90 %`,
      description: `Volume {{ $labels.persistentvolumeclaim }} of ${t.cluster} in ${SUBJECT} is {{ $value | humanizePercentage }} full (threshold 90 %): PostgreSQL stops when it is full.`,
    },
    {
      alert: 'PostgresContainerRestarts',
      expr: `${s.pgRestarts(t)} > 0`,
      for: '0m',
      severity: 'warning',
      summary: `${t.cluster} in ${SUBJECT}: PostgreSQL restarted`,
      description: `Instance {{ $labels.pod }} of ${t.cluster} in ${SUBJECT} restarted {{ $value }} time(s) in the last 15 minutes.`,
    },
  ];
}

/** The alert specs of a CloudNativePG cluster. */
export function cnpgAlertSpecs(t: s.PostgresSignalTarget, o: CnpgAlertOptions): AlertSpec[] {
  const absent = s.pgInstancesAbsent(t);
  const specs: AlertSpec[] = [
    {
      alert: 'PostgresInstanceDown',
      expr: `${s.pgInstanceUp(t)} == 0${absent ? `\n  or ${absent}` : ''}`,
      for: '5m',
      severity: 'critical',
      summary: `${t.cluster} in ${SUBJECT}: instance down`,
      description: `Instance {{ $labels.pod }} of ${t.cluster} in ${SUBJECT} does not answer its exporter (or no instance is scraped at all) for 5 minutes.`,
    },
  ];
  if (o.instances > 1) {
    specs.push({
      alert: 'PostgresHighAvailabilityLost',
      expr: `${s.pgStreamingReplicas(t)} < 1`,
      for: '5m',
      severity: 'critical',
      summary: `${t.cluster} in ${SUBJECT}: no standby streams from the primary`,
      description: `The primary of ${t.cluster} in ${SUBJECT} has no streaming standby: a failover is not possible and a lost primary loses data.`,
    });
  }
  if (o.instances > 2) {
    specs.push({
      alert: 'PostgresReplicasMissing',
      expr: `${s.pgStreamingReplicas(t)} < ${o.instances - 1}`,
      for: '10m',
      severity: 'warning',
      summary: `${t.cluster} in ${SUBJECT}: fewer standbys than configured`,
      description: `{{ $value }} of ${o.instances - 1} standbys of ${t.cluster} in ${SUBJECT} stream from the primary.`,
    });
  }
  if (o.instances > 1) {
    specs.push(
      {
        alert: 'PostgresReplicationLag',
        expr: `${s.pgReplicationLag(t)} > 30`,
        for: '5m',
        severity: 'warning',
        summary: `${t.cluster} in ${SUBJECT}: replication lag above 30 s`,
        description: `Standby {{ $labels.pod }} of ${t.cluster} in ${SUBJECT} is {{ $value | humanizeDuration }} behind the primary (threshold 30 s); reads from the replicas are stale.`,
      },
      {
        alert: 'PostgresReplicationLagCritical',
        expr: `${s.pgReplicationLag(t)} > 300`,
        for: '5m',
        severity: 'critical',
        summary: `${t.cluster} in ${SUBJECT}: replication lag above 5 minutes`,
        description: `Standby {{ $labels.pod }} of ${t.cluster} in ${SUBJECT} is {{ $value | humanizeDuration }} behind the primary (threshold 5 minutes): a failover now would lose that much.`,
      },
    );
  }
  specs.push({
    alert: 'PostgresConnectionsNearLimit',
    expr: `${s.pgConnectionsOfMax(t)} > 0.8`,
    for: '5m',
    severity: 'warning',
    summary: `${t.cluster} in ${SUBJECT}: connections above 80 % of max_connections`,
    description: `Instance {{ $labels.pod }} of ${t.cluster} in ${SUBJECT} uses {{ $value | humanizePercentage }} of max_connections (threshold 80 %); new connections will be refused at 100 %.`,
  });
  if (o.backups) {
    specs.push(
      {
        alert: 'PostgresBackupFailed',
        expr: `${s.pgBackupFailedAfterSuccess(t)} > 0`,
        for: '0m',
        severity: 'warning',
        summary: `${t.cluster} in ${SUBJECT}: the last backup failed`,
        description: `The latest base backup of ${t.cluster} in ${SUBJECT} failed after the last good one.`,
      },
      {
        alert: 'PostgresBackupTooOld',
        expr: `${s.pgLastBackupAge(t)} > ${BACKUP_MAX_AGE_SECONDS}`,
        for: '10m',
        severity: 'critical',
        summary: `${t.cluster} in ${SUBJECT}: no backup for 26 hours`,
        description: `The last good base backup of ${t.cluster} in ${SUBJECT} is {{ $value | humanizeDuration }} old (threshold 26 h, a daily schedule plus two hours).`,
      },
      {
        alert: 'PostgresWalArchivingFailing',
        expr: `${s.pgWalArchivingFailure(t)} > 0`,
        for: '5m',
        severity: 'warning',
        summary: `${t.cluster} in ${SUBJECT}: WAL archiving failing`,
        description: `Instance {{ $labels.pod }} of ${t.cluster} in ${SUBJECT} fails to archive WAL: point-in-time recovery has a gap and WAL piles up on the volume.`,
      },
    );
  }
  const waiting = s.pgPoolerClientsWaiting(t);
  if (waiting) {
    specs.push({
      alert: 'PostgresPoolerClientsWaiting',
      expr: `${waiting} > 0`,
      for: '5m',
      severity: 'warning',
      summary: `${t.cluster} in ${SUBJECT}: PgBouncer clients waiting`,
      description: `{{ $value }} client(s) of the PgBouncer pooler of ${t.cluster} in ${SUBJECT} have waited for a server connection for 5 minutes: the pool is too small for the load.`,
    });
  }
  return [...specs, ...commonSpecs(t)];
}

/** The alert specs of a single-instance StatefulSet (no PostgreSQL exporter: what Kubernetes sees). */
export function statefulSetAlertSpecs(t: s.PostgresSignalTarget): AlertSpec[] {
  return [
    {
      alert: 'PostgresInstanceDown',
      expr: `${s.pgStatefulSetReady(t)} < 1`,
      for: '5m',
      severity: 'critical',
      summary: `${t.cluster} in ${SUBJECT}: instance down`,
      description: `The PostgreSQL pod of ${t.cluster} in ${SUBJECT} has not been ready for 5 minutes.`,
    },
    ...commonSpecs(t),
  ];
}

/** One rule group of `specs` for the cluster, labelled for its environment. */
export function postgresAlertGroups(t: s.PostgresSignalTarget, specs: readonly AlertSpec[], settings: ObservabilitySettings): AlertRuleGroup[] {
  return [{ name: `${t.cluster}.postgres`, rules: alertRules(specs, { cluster: t.cluster }, settings) }];
}
