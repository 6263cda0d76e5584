/**
 * The dashboard of a PostgreSQL cluster. CloudNativePG: instances, standbys, replication lag,
 * connections against `max_connections`, transactions, database size, backups and WAL archiving,
 * PgBouncer waits, volumes, CPU, memory and restarts. StatefulSet: what Kubernetes sees (readiness,
 * volume, CPU, memory, restarts). Every panel plots a signal of `postgres-signals.ts`, as the alerts do.
 */
import { buildDashboard, GrafanaDashboard, PanelSpec } from './dashboard';
import type { CnpgAlertOptions } from './postgres-alerts';
import * as s from './postgres-signals';

function resourcePanels(t: s.PostgresSignalTarget): PanelSpec[] {
  return [
    {
      title: 'Volume used',
      description: 'Used share of each instance volume (warning above 80 %, critical above 90 %).',
      unit: 'percentunit',
      min: 0,
      max: 1,
      queries: [{ expr: s.pgStorageUsed(t), legend: '{{persistentvolumeclaim}}' }],
    },
    {
      title: 'Restarts (15 m)',
      description: 'PostgreSQL container restarts per instance over 15 minutes.',
      unit: 'short',
      min: 0,
      queries: [{ expr: s.pgRestarts(t), legend: '{{pod}}' }],
    },
    {
      title: 'CPU of limit',
      description: 'CPU used per instance as a share of its limit.',
      unit: 'percentunit',
      min: 0,
      queries: [{ expr: s.pgCpuOfLimit(t), legend: '{{pod}}' }],
    },
    {
      title: 'Memory of limit',
      description: 'Working set per instance as a share of its limit.',
      unit: 'percentunit',
      min: 0,
      queries: [{ expr: s.pgMemoryOfLimit(t), legend: '{{pod}}' }],
    },
  ];
}

/** The panels of a CloudNativePG cluster's dashboard. */
export function cnpgDashboardPanels(t: s.PostgresSignalTarget, o: CnpgAlertOptions): PanelSpec[] {
  const waiting = s.pgPoolerClientsWaiting(t);
  return [
    {
      title: 'Instances up',
      description: 'Instances whose PostgreSQL answers the exporter.',
      type: 'stat',
      unit: 'short',
      width: 6,
      queries: [{ expr: s.pgInstanceUp(t), legend: '{{pod}}' }],
    },
    {
      title: 'Streaming standbys',
      description: `Standbys streaming from the primary (configured: ${o.instances - 1}).`,
      type: 'stat',
      unit: 'short',
      width: 6,
      queries: [{ expr: s.pgStreamingReplicas(t), legend: 'standbys' }],
    },
    {
      title: 'Connections of max',
      description: 'Client connections as a share of max_connections (warning above 80 %).',
      type: 'stat',
      unit: 'percentunit',
      width: 6,
      queries: [{ expr: s.pgConnectionsOfMax(t), legend: '{{pod}}' }],
    },
    ...(o.backups
      ? [
          {
            title: 'Last backup age',
            description: 'Time since the last available base backup (critical above 26 h).',
            type: 'stat' as const,
            unit: 's',
            width: 6 as const,
            queries: [{ expr: s.pgLastBackupAge(t), legend: 'age' }],
          },
        ]
      : []),
    {
      title: 'Replication lag',
      description: 'Seconds each standby is behind the primary (warning above 30 s, critical above 5 minutes).',
      unit: 's',
      min: 0,
      queries: [{ expr: s.pgReplicationLag(t), legend: '{{pod}}' }],
    },
    {
      title: 'Connections of max_connections',
      description: 'Client connections per instance as a share of max_connections.',
      unit: 'percentunit',
      min: 0,
      queries: [{ expr: s.pgConnectionsOfMax(t), legend: '{{pod}}' }],
    },
    {
      title: 'Transactions per second',
      description: 'Committed transactions per second.',
      unit: 'ops',
      min: 0,
      queries: [{ expr: s.pgTransactionRate(t), legend: 'commits' }],
    },
    {
      title: 'Database size',
      description: 'Size of each database.',
      unit: 'bytes',
      min: 0,
      queries: [{ expr: s.pgDatabaseSize(t), legend: '{{datname}}' }],
    },
    ...(o.backups
      ? [
          {
            title: 'Backups',
            description: 'Time since the last good backup; a positive "failed after success" means the latest backup failed.',
            unit: 's',
            queries: [
              { expr: s.pgLastBackupAge(t), legend: 'last backup age' },
              { expr: s.pgBackupFailedAfterSuccess(t), legend: 'failed after success' },
            ],
          },
          {
            title: 'WAL archiving',
            description: 'Last failed minus last successful archiving per instance: positive while archiving fails.',
            unit: 's',
            queries: [{ expr: s.pgWalArchivingFailure(t), legend: '{{pod}}' }],
          },
        ]
      : []),
    ...(waiting
      ? [
          {
            title: 'PgBouncer clients waiting',
            description: 'Clients waiting for a server connection in the pooler.',
            unit: 'short',
            min: 0,
            queries: [{ expr: waiting, legend: 'waiting' }],
          },
        ]
      : []),
    ...resourcePanels(t),
  ];
}

/** The panels of a StatefulSet's dashboard. */
export function statefulSetDashboardPanels(t: s.PostgresSignalTarget): PanelSpec[] {
  return [
    {
      title: 'Ready',
      description: 'Ready PostgreSQL pods of the StatefulSet (1 expected).',
      type: 'stat',
      unit: 'short',
      width: 6,
      queries: [{ expr: s.pgStatefulSetReady(t), legend: '{{statefulset}}' }],
    },
    ...resourcePanels(t),
  ];
}

/** The dashboard of one cluster with `panels`. */
export function postgresDashboard(t: s.PostgresSignalTarget, engine: string, panels: readonly PanelSpec[], environment: string): GrafanaDashboard {
  return buildDashboard({
    namespace: t.namespace,
    name: t.cluster,
    title: `${t.cluster} PostgreSQL (${t.namespace ?? environment})`,
    description: `PostgreSQL cluster ${t.cluster} (${engine}). Generated by cdk8s-trading.`,
    tags: ['cdk8s-trading', 'postgres', environment],
    panels,
  });
}
