import { Duration } from 'cdk8s';
import { FieldPath } from '../../core/field-path';
import { checkInteger } from '../../core/value-rules';
import { Problem, ProblemCollector, show, throwIfProblems } from '../../core/problems';
import { RedisEngineImpl, RedisBuild, RedisEngineKind, RedisParts, SentinelEngineOptions, validateSentinelOptions } from '../engine-options';
import {
  buildRedisObjects,
  PASSWORD_SHELL,
  pingProbe,
  REDIS_PORT,
  redisConf,
  redisContainer,
  redisServerContainer,
  SENTINEL_PORT,
  SENTINEL_RESOURCES,
} from '../redis-objects';

/**
 * How long the Redis container's preStop waits, at most, for another pod to answer as the primary after it
 * asked a Sentinel to fail over. A forced failover normally completes in a few seconds; past this the pod
 * stops anyway and the Sentinels fail over as for a lost primary.
 */
export const FAILOVER_WAIT_SECONDS = 30;
/**
 * Grace period of the pods: the preStop's wait (the countdown starts before the hook runs) plus time for
 * Redis to stop on SIGTERM (`shutdown-timeout` of 10 s, the last fsync of the append-only file).
 */
export const SENTINEL_GRACE_SECONDS = FAILOVER_WAIT_SECONDS + 30;

/**
 * Redis with automatic failover (production): a StatefulSet whose first pod starts as the primary and
 * the others as its replicas, each pod with a Sentinel beside Redis; one pod per node. Pods announce
 * their stable DNS names, so a restarted pod (new IP) is still the same member; on start each asks the
 * Sentinels which pod is the primary now. A primary being stopped (rolling update, drain) hands over
 * first: its preStop has a Sentinel promote a replica and waits until one answers as the primary.
 */
export class SentinelEngine implements RedisEngineImpl {
  /** A checked engine. */
  public static of(options: SentinelEngineOptions): SentinelEngine {
    throwIfProblems('RedisEngine.sentinel', validateSentinelOptions(options));
    return new SentinelEngine(options);
  }

  public readonly kind: RedisEngineKind = 'sentinel';
  public readonly defaultReplicas = 3;

  private constructor(private readonly options: SentinelEngineOptions) {}

  /** A primary and at least one replica; a quorum the pods can reach. */
  public propsProblems(props: { readonly replicas?: number }, path = FieldPath.props(), enginePath = path.child('engine')): Problem[] {
    const c = new ProblemCollector();
    const replicas = props.replicas ?? this.defaultReplicas;
    if (
      c.check(path.child('replicas'), checkInteger(replicas, 2, 9)) === undefined &&
      this.options.quorum !== undefined &&
      this.options.quorum > replicas
    ) {
      c.check(
        enginePath.child('quorum'),
        `${show(this.options.quorum)} is more than the ${replicas} Sentinels there are: no failover could ever be agreed; use at most ${replicas} (a majority, ${Math.floor(replicas / 2) + 1}, is the default)`,
      );
    }
    return [...c.problems];
  }

  /** @internal */
  public _bind(b: RedisBuild): RedisParts {
    const o = this.options;
    const master = o.masterName ?? 'mymaster';
    const quorum = o.quorum ?? Math.floor(b.replicas / 2) + 1;
    const headless = `${b.name}-headless`;
    const ms = (d: Duration | undefined, fallback: number): number => (d ? d.toMilliseconds() : fallback);
    const pods = Array.from({ length: b.replicas }, (_, i) => i);
    const findMaster = [
      "# Sourced by the start scripts: $me is this pod's stable name, $master the primary the Sentinels know",
      "# (the first pod when none answers: a fresh start). Names, not IPs, survive a pod's restart.",
      `headless="${headless}.\${POD_NAMESPACE}.svc"`,
      'me="${HOSTNAME}.${headless}"',
      'master=""',
      `for i in ${pods.join(' ')}; do`,
      `  found=$(timeout 3 redis-cli -h "${b.name}-$i.\${headless}" -p ${SENTINEL_PORT} --raw sentinel get-master-addr-by-name ${master} 2>/dev/null | head -n 1 || true)`,
      '  case "$found" in \'\'|*[!a-z0-9.-]*) ;; *) master="$found"; break ;; esac',
      'done',
      `[ -n "$master" ] || master="${b.name}-0.\${headless}"`,
      '',
    ].join('\n');
    const startRedis = [
      '#!/bin/sh',
      '# Renders the configuration with the password from the environment (never stored in the ConfigMap),',
      '# as a replica of the current primary unless this pod is it, and starts Redis.',
      'set -eu',
      'umask 077',
      PASSWORD_SHELL,
      '. /config/find-master.sh',
      '{',
      '  cat /config/redis.conf',
      `  printf 'requirepass "%s"\\nmasterauth "%s"\\n' "$pw" "$pw"`,
      `  printf 'replica-announce-ip %s\\n' "$me"`,
      `  if [ "$master" != "$me" ]; then printf 'replicaof %s ${REDIS_PORT}\\n' "$master"; fi`,
      '} > /etc/redis/redis.conf',
      'exec redis-server /etc/redis/redis.conf',
      '',
    ].join('\n');
    const startSentinel = [
      '#!/bin/sh',
      '# Renders sentinel.conf (Sentinel rewrites it, so it lives in the writable runtime volume) with the',
      '# current primary and the password from the environment, and starts Sentinel.',
      'set -eu',
      'umask 077',
      PASSWORD_SHELL,
      '. /config/find-master.sh',
      '{',
      '  sed "s/@MASTER_HOST@/$master/" /config/sentinel.conf',
      `  printf 'sentinel auth-pass ${master} "%s"\\nsentinel sentinel-pass "%s"\\nrequirepass "%s"\\n' "$pw" "$pw" "$pw"`,
      `  printf 'sentinel announce-ip %s\\n' "$me"`,
      '} > /etc/redis/sentinel.conf',
      'exec redis-sentinel /etc/redis/sentinel.conf',
      '',
    ].join('\n');
    const preStopRedis = [
      '#!/bin/sh',
      '# preStop of the Redis container. A replica stops at once. The primary asks a Sentinel on another pod',
      '# (its own is being stopped too) to fail over now, which needs no quorum: that Sentinel promotes a',
      '# replica at once, instead of the down-after period plus an election once this pod is gone. Then it',
      `# waits, at most ${FAILOVER_WAIT_SECONDS} s, until the pod the Sentinels name answers as the primary. Exit 1 (a`,
      '# FailedPreStopHook event) when no Sentinel took the failover or none completed in time.',
      '# redis-cli reads the password from REDISCLI_AUTH, never from an argument.',
      'set -u',
      `headless="${headless}.\${POD_NAMESPACE}.svc"`,
      'me="${HOSTNAME}.${headless}"',
      `role=$(timeout 3 redis-cli -h 127.0.0.1 -p ${REDIS_PORT} role 2>/dev/null | head -n 1)`,
      '[ "$role" = master ] || exit 0',
      'asked=""',
      `for i in ${pods.join(' ')}; do`,
      `  peer="${b.name}-$i.\${headless}"`,
      '  [ "$peer" != "$me" ] || continue',
      `  reply=$(timeout 3 redis-cli -h "$peer" -p ${SENTINEL_PORT} sentinel failover ${master} 2>&1 | head -n 1)`,
      '  case "$reply" in',
      '    OK | *INPROG*) asked="$peer"; break ;;',
      '  esac',
      '  echo "Sentinel on $peer did not fail over: ${reply:-no answer}" >&2',
      'done',
      'if [ -z "$asked" ]; then echo "no Sentinel took the failover; stopping as the primary" >&2; exit 1; fi',
      `end=$(($(date +%s) + ${FAILOVER_WAIT_SECONDS}))`,
      'while [ "$(date +%s)" -lt "$end" ]; do',
      `  primary=$(timeout 3 redis-cli -h "$asked" -p ${SENTINEL_PORT} sentinel get-master-addr-by-name ${master} 2>/dev/null | head -n 1)`,
      '  if [ -n "$primary" ] && [ "$primary" != "$me" ]; then',
      `    role=$(timeout 3 redis-cli -h "$primary" -p ${REDIS_PORT} role 2>/dev/null | head -n 1)`,
      '    if [ "$role" = master ]; then echo "$primary is the primary now"; exit 0; fi',
      '  fi',
      '  sleep 1',
      'done',
      `echo "no other pod became the primary within ${FAILOVER_WAIT_SECONDS} s; stopping as the primary" >&2`,
      'exit 1',
      '',
    ].join('\n');
    const sentinelConf = [
      '# Rendered into /etc/redis/sentinel.conf at start, with the primary and the passwords.',
      `port ${SENTINEL_PORT}`,
      'dir /tmp',
      'sentinel resolve-hostnames yes',
      'sentinel announce-hostnames yes',
      `sentinel monitor ${master} @MASTER_HOST@ ${REDIS_PORT} ${quorum}`,
      `sentinel down-after-milliseconds ${master} ${ms(o.downAfter, 5000)}`,
      `sentinel failover-timeout ${master} ${ms(o.failoverTimeout, 60000)}`,
      `sentinel parallel-syncs ${master} 1`,
      '',
    ].join('\n');
    const parts = buildRedisObjects(b, {
      configData: {
        'redis.conf': redisConf(b, [`replica-announce-port ${REDIS_PORT}`]),
        'sentinel.conf': sentinelConf,
        'find-master.sh': findMaster,
        'start-redis.sh': startRedis,
        'start-sentinel.sh': startSentinel,
        'prestop-redis.sh': preStopRedis,
      },
      containers: [
        redisServerContainer(b, 'prestop-redis.sh'),
        redisContainer(b, {
          name: 'sentinel',
          script: 'start-sentinel.sh',
          port: { name: 'sentinel', port: SENTINEL_PORT },
          resources: SENTINEL_RESOURCES,
          readiness: pingProbe(SENTINEL_PORT, false),
          liveness: pingProbe(SENTINEL_PORT, true),
          mounts: [],
        }),
      ],
      ports: [
        { name: 'redis', port: REDIS_PORT },
        { name: 'sentinel', port: SENTINEL_PORT },
      ],
      peerPorts: [REDIS_PORT, SENTINEL_PORT],
      spread: true,
      sentinelServiceName: `${b.name}-sentinel`,
      terminationGracePeriodSeconds: SENTINEL_GRACE_SECONDS,
      replication: true,
      engineName: 'Sentinel',
    });
    return {
      ...parts,
      connection: {
        ...parts.connection,
        sentinel: { masterName: master, hosts: pods.map((i) => `${b.name}-${i}.${headless}`), port: SENTINEL_PORT },
      },
    };
  }
}
