/**
 * The PromQL of every signal of a Redis cache, one function each, for its alerts and its dashboard alike.
 * Every expression keeps the `namespace` label.
 *
 * The redis_exporter sidecar (oliver006/redis_exporter), scraped through the cache's ServiceMonitor: `redis_up`
 * (the exporter reached Redis), `redis_instance_info{role}` (`master` or `slave`), `redis_connected_slaves`,
 * `redis_master_link_up` (replicas only), `redis_memory_used_bytes`, `redis_memory_max_bytes` (`maxmemory`),
 * `redis_evicted_keys_total`, `redis_rejected_connections_total`, `redis_connected_clients`,
 * `redis_commands_processed_total`, `redis_keyspace_{hits,misses}_total`. The scrape itself: Prometheus's `up`
 * of the headless Service's targets. The containers: cAdvisor and kube-state-metrics.
 */

/** What the signals of one cache are about. */
export interface RedisSignalTarget {
  /** Namespace, when known. */
  readonly namespace: string | undefined;
  /** Name of the cache (its StatefulSet). */
  readonly cache: string;
  /** Regular expression of the pods' names. */
  readonly podPattern: string;
  /** The Service the ServiceMonitor scrapes (the headless one, which alone has the metrics port). */
  readonly scrapeService: string;
  /** The Redis container's name. */
  readonly container: string;
}

function selector(...matchers: Array<string | undefined>): string {
  return `{${matchers.filter((m): m is string => m !== undefined).join(', ')}}`;
}

/** The cache's pods (`extra` matchers added). */
function pods(t: RedisSignalTarget, ...extra: string[]): string {
  return selector(t.namespace === undefined ? undefined : `namespace="${t.namespace}"`, `pod=~"${t.podPattern}"`, ...extra);
}

/** Prometheus: 1 per pod whose exporter answers the scrape. */
export function redisScrapeUp(t: RedisSignalTarget): string {
  return `max by (namespace, pod) (up${pods(t, `service="${t.scrapeService}"`)})`;
}

/** Exporter: 1 per pod whose Redis answers the exporter. */
export function redisUp(t: RedisSignalTarget): string {
  return `max by (namespace, pod) (redis_up${pods(t)})`;
}

/** Exporter: no pod scraped at all (only with a known namespace). */
export function redisAbsent(t: RedisSignalTarget): string | undefined {
  return t.namespace === undefined ? undefined : `absent(redis_up${pods(t)})`;
}

/**
 * Exporter: pods that answer as the primary. 0 (not no value) while the exporters run but none is the primary,
 * or Redis answers none of them.
 */
export function redisPrimaries(t: RedisSignalTarget): string {
  return `count by (namespace) (redis_instance_info${pods(t, 'role="master"')})\n  or 0 * count by (namespace) (redis_up${pods(t)})`;
}

/** Exporter: each pod's role, 1 for the one it has (`role` label). */
export function redisRoles(t: RedisSignalTarget): string {
  return `max by (namespace, pod, role) (redis_instance_info${pods(t)})`;
}

/** Exporter: replicas attached to the primary (replicas report 0, so the maximum is the primary's). */
export function redisConnectedReplicas(t: RedisSignalTarget): string {
  return `max by (namespace) (redis_connected_slaves${pods(t)})`;
}

/** Exporter: 1 per replica whose link to its primary is up (replicas only). */
export function redisReplicaLinkUp(t: RedisSignalTarget): string {
  return `min by (namespace, pod) (redis_master_link_up${pods(t)})`;
}

/** Exporter: memory used per pod as a share of `maxmemory` (pods without a `maxmemory` left out). */
export function redisMemoryOfMax(t: RedisSignalTarget): string {
  return `max by (namespace, pod) (redis_memory_used_bytes${pods(t)})\n  / max by (namespace, pod) (redis_memory_max_bytes${pods(t)} > 0)`;
}

/** Exporter: memory used per pod, in bytes. */
export function redisMemoryUsed(t: RedisSignalTarget): string {
  return `max by (namespace, pod) (redis_memory_used_bytes${pods(t)})`;
}

/** Exporter: `maxmemory` per pod, in bytes. */
export function redisMemoryMax(t: RedisSignalTarget): string {
  return `max by (namespace, pod) (redis_memory_max_bytes${pods(t)})`;
}

/** Exporter: keys evicted per second, per pod. */
export function redisEvictionRate(t: RedisSignalTarget): string {
  return `sum by (namespace, pod) (rate(redis_evicted_keys_total${pods(t)}[5m]))`;
}

/** Exporter: connections refused (`maxclients` reached) per pod over 5 minutes. */
export function redisRejectedConnections(t: RedisSignalTarget): string {
  return `sum by (namespace, pod) (increase(redis_rejected_connections_total${pods(t)}[5m]))`;
}

/** Exporter: connected clients per pod. */
export function redisConnectedClients(t: RedisSignalTarget): string {
  return `max by (namespace, pod) (redis_connected_clients${pods(t)})`;
}

/** Exporter: commands processed per second, per pod. */
export function redisCommandRate(t: RedisSignalTarget): string {
  return `sum by (namespace, pod) (rate(redis_commands_processed_total${pods(t)}[5m]))`;
}

/** Exporter: share of key lookups that found the key, over the cache. */
export function redisHitRatio(t: RedisSignalTarget): string {
  const hits = `sum by (namespace) (rate(redis_keyspace_hits_total${pods(t)}[5m]))`;
  const misses = `sum by (namespace) (rate(redis_keyspace_misses_total${pods(t)}[5m]))`;
  return `${hits}\n  / (${hits} + ${misses})`;
}

/** cAdvisor and kube-state-metrics: the Redis container's working set as a share of its memory limit. */
export function redisContainerMemoryOfLimit(t: RedisSignalTarget): string {
  const c = `container="${t.container}"`;
  return (
    `sum by (namespace, pod) (container_memory_working_set_bytes${pods(t, c)})\n` +
    `  / sum by (namespace, pod) (kube_pod_container_resource_limits${pods(t, c, 'resource="memory"')})`
  );
}

/** kube-state-metrics: Redis container restarts per pod over 15 minutes. */
export function redisRestarts(t: RedisSignalTarget): string {
  return `sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total${pods(t, `container="${t.container}"`)}[15m]))`;
}
