import { Problem, ProblemCollector, show } from '../../core/problems';
import { FieldPath } from '../../core/field-path';
import { RedisEngineImpl, RedisBuild, RedisEngineKind, RedisParts } from '../engine-options';
import { buildRedisObjects, PASSWORD_SHELL, REDIS_PORT, redisConf, redisServerContainer } from '../redis-objects';

/**
 * One Redis pod (dev, staging): a StatefulSet of one with its data volume, no replication. A restart
 * is a short outage; the append-only file brings the data back.
 */
export class StandaloneEngine implements RedisEngineImpl {
  /** The engine. */
  public static of(): StandaloneEngine {
    return new StandaloneEngine();
  }

  public readonly kind: RedisEngineKind = 'standalone';
  public readonly defaultReplicas = 1;

  private constructor() {}

  /** Exactly one pod: a second one would be a second, unrelated primary. */
  public propsProblems(props: { readonly replicas?: number }, path = FieldPath.props()): Problem[] {
    const c = new ProblemCollector();
    if (props.replicas !== undefined && props.replicas !== 1) {
      c.check(
        path.child('replicas'),
        `${show(props.replicas)} is not possible with the standalone engine, which runs one pod without replication; use RedisEngine.sentinel() for more`,
      );
    }
    return [...c.problems];
  }

  /** @internal */
  public _bind(b: RedisBuild): RedisParts {
    const start = [
      '#!/bin/sh',
      '# Renders the configuration with the password from the environment (never stored in the ConfigMap) and starts Redis.',
      'set -eu',
      'umask 077',
      PASSWORD_SHELL,
      `{ cat /config/redis.conf; printf 'requirepass "%s"\\n' "$pw"; } > /etc/redis/redis.conf`,
      'exec redis-server /etc/redis/redis.conf',
      '',
    ].join('\n');
    return buildRedisObjects(b, {
      configData: { 'redis.conf': redisConf(b), 'start-redis.sh': start },
      containers: [redisServerContainer(b)],
      ports: [{ name: 'redis', port: REDIS_PORT }],
      peerPorts: [],
      spread: false,
      terminationGracePeriodSeconds: 30,
      replication: false,
      engineName: 'standalone',
    });
  }
}
