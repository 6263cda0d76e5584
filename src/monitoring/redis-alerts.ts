/**
 * The alerts of a Redis cache: no primary, a pod whose Redis or exporter is down, memory near `maxmemory`,
 * sustained evictions, rejected connections; with replication (Sentinel) also more than one primary, a
 * replica whose link to the primary is down and fewer replicas attached than configured. Each expression is
 * a signal of `redis-signals.ts` against its threshold.
 */
import * as s from './redis-signals';
import { AlertRuleGroup, alertRules, AlertSpec } from './alert-rules';
import type { ObservabilitySettings } from './settings';

/** What the alerts of a cache depend on besides the signals. */
export interface RedisAlertOptions {
  /** Pods of the cache. */
  readonly replicas: number;
  /** Whether the pods replicate from a primary (Sentinel): the replication alerts. */
  readonly replication: boolean;
  /** `maxmemory-policy`: with `noeviction` a full cache refuses writes, so memory near the maximum pages. */
  readonly maxMemoryPolicy: string;
}

const SUBJECT = '{{ $labels.namespace }}';

/** The alert specs of a cache. */
export function redisAlertSpecs(t: s.RedisSignalTarget, o: RedisAlertOptions): AlertSpec[] {
  const absent = s.redisAbsent(t);
  const evicts = o.maxMemoryPolicy !== 'noeviction';
  const specs: AlertSpec[] = [
    {
      alert: 'RedisNoPrimary',
      expr: `(${s.redisPrimaries(t)}) < 1${absent ? `\n  or ${absent}` : ''}`,
      for: '2m',
      severity: 'critical',
      summary: `${t.cache} in ${SUBJECT}: no primary`,
      description: `No pod of ${t.cache} in ${SUBJECT} answers as the Redis primary (or none is scraped at all) for 2 minutes: writes fail.`,
    },
  ];
  if (o.replication) {
    specs.push(
      {
        alert: 'RedisMultiplePrimaries',
        expr: `(${s.redisPrimaries(t)}) > 1`,
        for: '2m',
        severity: 'critical',
        summary: `${t.cache} in ${SUBJECT}: more than one primary`,
        description: `{{ $value }} pods of ${t.cache} in ${SUBJECT} answer as the Redis primary for 2 minutes (split brain): writes to the wrong one are lost when the Sentinels demote it.`,
      },
      {
        alert: 'RedisReplicationBroken',
        expr: `${s.redisReplicaLinkUp(t)} < 1`,
        for: '5m',
        severity: 'warning',
        summary: `${t.cache} in ${SUBJECT}: a replica lost its primary`,
        description: `Replica {{ $labels.pod }} of ${t.cache} in ${SUBJECT} has had no link to its primary for 5 minutes: it serves stale data and cannot take over.`,
      },
      {
        alert: 'RedisReplicasMissing',
        expr: `${s.redisConnectedReplicas(t)} < ${o.replicas - 1}`,
        for: '10m',
        severity: 'warning',
        summary: `${t.cache} in ${SUBJECT}: fewer replicas than configured`,
        description: `{{ $value }} of ${o.replicas - 1} replicas of ${t.cache} in ${SUBJECT} are attached to the primary for 10 minutes.`,
      },
    );
  }
  specs.push(
    {
      alert: 'RedisDown',
      expr: `${s.redisUp(t)} == 0`,
      for: '5m',
      severity: 'warning',
      summary: `${t.cache} in ${SUBJECT}: Redis does not answer`,
      description: `Redis in pod {{ $labels.pod }} of ${t.cache} in ${SUBJECT} has not answered its exporter for 5 minutes.`,
    },
    {
      alert: 'RedisExporterDown',
      expr: `${s.redisScrapeUp(t)} == 0`,
      for: '5m',
      severity: 'warning',
      summary: `${t.cache} in ${SUBJECT}: metrics not scraped`,
      description: `Prometheus has not scraped the redis_exporter of pod {{ $labels.pod }} of ${t.cache} in ${SUBJECT} for 5 minutes: its alerts are blind.`,
    },
    {
      alert: 'RedisMemoryNearMax',
      expr: `${s.redisMemoryOfMax(t)} > 0.9`,
      for: '15m',
      severity: evicts ? 'warning' : 'critical',
      summary: `${t.cache} in ${SUBJECT}: memory above 90 % of maxmemory`,
      description: evicts
        ? `Redis in pod {{ $labels.pod }} of ${t.cache} in ${SUBJECT} uses {{ $value | humanizePercentage }} of maxmemory (threshold 90 %): at 100 % it evicts keys (${o.maxMemoryPolicy}).`
        : `Redis in pod {{ $labels.pod }} of ${t.cache} in ${SUBJECT} uses {{ $value | humanizePercentage }} of maxmemory (threshold 90 %): at 100 % it refuses writes (noeviction).`,
    },
    {
      alert: 'RedisEvictingKeys',
      expr: `${s.redisEvictionRate(t)} > 0`,
      for: '15m',
      severity: 'warning',
      summary: `${t.cache} in ${SUBJECT}: evicting keys`,
      description: `Redis in pod {{ $labels.pod }} of ${t.cache} in ${SUBJECT} has evicted {{ $value | humanize }} keys per second for 15 minutes: the data does not fit in maxmemory.`,
    },
    {
      alert: 'RedisRejectedConnections',
      expr: `${s.redisRejectedConnections(t)} > 0`,
      for: '0m',
      severity: 'warning',
      summary: `${t.cache} in ${SUBJECT}: connections rejected`,
      description: `Redis in pod {{ $labels.pod }} of ${t.cache} in ${SUBJECT} rejected {{ $value | humanize }} connections in 5 minutes (maxclients reached).`,
    },
  );
  return specs;
}

/** One rule group of `specs` for the cache, labelled for its environment (the subject label is `cluster`, as for a database). */
export function redisAlertGroups(t: s.RedisSignalTarget, specs: readonly AlertSpec[], settings: ObservabilitySettings): AlertRuleGroup[] {
  return [{ name: `${t.cache}.redis`, rules: alertRules(specs, { cluster: t.cache }, settings) }];
}
