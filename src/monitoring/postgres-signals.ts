/**
 * The PromQL of every signal of a PostgreSQL cluster, one function each, for its alerts and its
 * dashboard alike. Every expression keeps the `namespace` label.
 *
 * CloudNativePG: the instance manager's exporter (`cnpg_collector_up`), the operator's default
 * monitoring queries (`cnpg_pg_replication_lag`, `cnpg_pg_replication_streaming_replicas`,
 * `cnpg_pg_stat_archiver_*`, `cnpg_backends_total`, `cnpg_pg_settings_setting`,
 * `cnpg_pg_stat_database_xact_commit`, `cnpg_pg_database_size_bytes`), the Barman Cloud plugin
 * (`barman_cloud_cloudnative_pg_io_last_{available,failed}_backup_timestamp`, which supersede the
 * deprecated `cnpg_collector_*_backup_timestamp`) and PgBouncer's exporter
 * (`cnpg_pgbouncer_pools_cl_waiting`). Both engines: the kubelet's volume statistics, cAdvisor and
 * kube-state-metrics.
 */

/** What the signals of one PostgreSQL cluster are about. */
export interface PostgresSignalTarget {
  /** Namespace, when known. */
  readonly namespace: string | undefined;
  /** Name of the Cluster or StatefulSet. */
  readonly cluster: string;
  /** Regular expression of the instances' pod names. */
  readonly podPattern: string;
  /** Regular expression of the instances' PersistentVolumeClaims. */
  readonly pvcPattern: string;
  /** The PostgreSQL container's name. */
  readonly container: string;
  /** Regular expression of the PgBouncer pods' names, when there is a pooler. */
  readonly poolerPodPattern: string | undefined;
}

/** Prefix of the Barman Cloud plugin's metrics (`barman-cloud.cloudnative-pg.io`, sanitized). */
const BARMAN = 'barman_cloud_cloudnative_pg_io';

function selector(...matchers: Array<string | undefined>): string {
  return `{${matchers.filter((m): m is string => m !== undefined).join(', ')}}`;
}

function ns(t: PostgresSignalTarget): string | undefined {
  return t.namespace === undefined ? undefined : `namespace="${t.namespace}"`;
}

/** The instances' pods (`extra` matchers added). */
function instances(t: PostgresSignalTarget, ...extra: string[]): string {
  return selector(ns(t), `pod=~"${t.podPattern}"`, ...extra);
}

/** The PostgreSQL containers of the instances. */
function containers(t: PostgresSignalTarget, ...extra: string[]): string {
  return instances(t, `container="${t.container}"`, ...extra);
}

/** CNPG: 1 per instance whose PostgreSQL answers the exporter. */
export function pgInstanceUp(t: PostgresSignalTarget): string {
  return `max by (namespace, pod) (cnpg_collector_up${instances(t)})`;
}

/** CNPG: no instance scraped at all (only with a known namespace). */
export function pgInstancesAbsent(t: PostgresSignalTarget): string | undefined {
  return t.namespace === undefined ? undefined : `absent(cnpg_collector_up${instances(t)})`;
}

/** CNPG: standbys streaming from the primary. */
export function pgStreamingReplicas(t: PostgresSignalTarget): string {
  return `max by (namespace) (cnpg_pg_replication_streaming_replicas${instances(t)})`;
}

/** CNPG: replication lag per standby, in seconds. */
export function pgReplicationLag(t: PostgresSignalTarget): string {
  return `max by (namespace, pod) (cnpg_pg_replication_lag${instances(t)})`;
}

/** CNPG: client connections per instance as a share of `max_connections`. */
export function pgConnectionsOfMax(t: PostgresSignalTarget): string {
  return (
    `sum by (namespace, pod) (cnpg_backends_total${instances(t)})\n` +
    `  / max by (namespace, pod) (cnpg_pg_settings_setting${instances(t, 'name="max_connections"')})`
  );
}

/** CNPG: committed transactions per second. */
export function pgTransactionRate(t: PostgresSignalTarget): string {
  return `sum by (namespace) (rate(cnpg_pg_stat_database_xact_commit${instances(t)}[5m]))`;
}

/** CNPG: size of each database, from the primary. */
export function pgDatabaseSize(t: PostgresSignalTarget): string {
  return `max by (namespace, datname) (cnpg_pg_database_size_bytes${instances(t)})`;
}

/** CNPG: seconds since the last available backup (Barman Cloud plugin). */
export function pgLastBackupAge(t: PostgresSignalTarget): string {
  return `time() - max by (namespace) (${BARMAN}_last_available_backup_timestamp${instances(t)})`;
}

/** CNPG: how much later the last failed backup is than the last good one (positive: the latest backup failed). */
export function pgBackupFailedAfterSuccess(t: PostgresSignalTarget): string {
  return (
    `max by (namespace) (${BARMAN}_last_failed_backup_timestamp${instances(t)})\n` +
    `  - max by (namespace) (${BARMAN}_last_available_backup_timestamp${instances(t)})`
  );
}

/** CNPG: how much later the last failed WAL archiving is than the last success (positive: archiving fails). */
export function pgWalArchivingFailure(t: PostgresSignalTarget): string {
  return `max by (namespace, pod) (cnpg_pg_stat_archiver_last_failed_time${instances(t)} - cnpg_pg_stat_archiver_last_archived_time${instances(t)})`;
}

/** CNPG: PgBouncer clients waiting for a server connection (undefined without a pooler). */
export function pgPoolerClientsWaiting(t: PostgresSignalTarget): string | undefined {
  return t.poolerPodPattern === undefined
    ? undefined
    : `sum by (namespace) (cnpg_pgbouncer_pools_cl_waiting${selector(ns(t), `pod=~"${t.poolerPodPattern}"`)})`;
}

/** Both engines: used share of each instance volume (the kubelet's volume statistics). */
export function pgStorageUsed(t: PostgresSignalTarget): string {
  const pvc = selector(ns(t), `persistentvolumeclaim=~"${t.pvcPattern}"`);
  return `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes${pvc} / kubelet_volume_stats_capacity_bytes${pvc})`;
}

/** Both engines: CPU per instance as a share of its limit. */
export function pgCpuOfLimit(t: PostgresSignalTarget): string {
  return (
    `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total${containers(t)}[5m]))\n` +
    `  / sum by (namespace, pod) (kube_pod_container_resource_limits${containers(t, 'resource="cpu"')})`
  );
}

/** Both engines: memory (working set) per instance as a share of its limit. */
export function pgMemoryOfLimit(t: PostgresSignalTarget): string {
  return (
    `sum by (namespace, pod) (container_memory_working_set_bytes${containers(t)})\n` +
    `  / sum by (namespace, pod) (kube_pod_container_resource_limits${containers(t, 'resource="memory"')})`
  );
}

/** Both engines: container restarts per instance over 15 minutes. */
export function pgRestarts(t: PostgresSignalTarget): string {
  return `sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total${containers(t)}[15m]))`;
}

/** StatefulSet engine: ready replicas of the StatefulSet (kube-state-metrics). */
export function pgStatefulSetReady(t: PostgresSignalTarget): string {
  return `max by (namespace, statefulset) (kube_statefulset_status_replicas_ready${selector(ns(t), `statefulset="${t.cluster}"`)})`;
}
