import { IRedisEngine, SentinelEngineOptions } from './engine-options';
import { SentinelEngine } from './engines/sentinel';
import { StandaloneEngine } from './engines/standalone';

/**
 * How Redis runs: one pod (dev, staging), or a primary with replicas and a Sentinel quorum that fails
 * over automatically (production).
 */
export class RedisEngine {
  /** One Redis pod in a StatefulSet, with its data volume; no replication. */
  public static standalone(): IRedisEngine {
    return StandaloneEngine.of();
  }

  /** A primary, replicas and a Sentinel beside each (3 pods by default), one pod per node. */
  public static sentinel(options: SentinelEngineOptions = {}): IRedisEngine {
    return SentinelEngine.of(options);
  }

  private constructor() {}
}
