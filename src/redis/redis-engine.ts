import type { FieldPath } from '../core/field-path';
import type { Problem } from '../core/problems';
import { RedisBuild, RedisEngineImpl, RedisEngineKind, RedisParts, SentinelEngineOptions } from './engine-options';
import { SentinelEngine } from './engines/sentinel';
import { StandaloneEngine } from './engines/standalone';

/**
 * How Redis runs: one pod (dev, staging), or a primary with replicas and a Sentinel quorum that fails
 * over automatically (production).
 *
 * Closed: made only by its static factories. An engine renders itself into the cache it is bound to
 * through members that are internal to this package, so one written outside it could not work; the
 * private constructor (and private member) make such an engine a type error instead of a run-time one.
 */
export class RedisEngine {
  /** One Redis pod in a StatefulSet, with its data volume; no replication. */
  public static standalone(): RedisEngine {
    return new RedisEngine(StandaloneEngine.of());
  }

  /** A primary, replicas and a Sentinel beside each (3 pods by default), one pod per node. */
  public static sentinel(options: SentinelEngineOptions = {}): RedisEngine {
    return new RedisEngine(SentinelEngine.of(options));
  }

  private constructor(private readonly impl: RedisEngineImpl) {}

  /** @internal */
  public get kind(): RedisEngineKind {
    return this.impl.kind;
  }

  /** @internal */
  public get defaultReplicas(): number {
    return this.impl.defaultReplicas;
  }

  /** @internal */
  public propsProblems(props: { readonly replicas?: number }, path?: FieldPath, enginePath?: FieldPath): Problem[] {
    return this.impl.propsProblems(props, path, enginePath);
  }

  /** @internal */
  public _bind(build: RedisBuild): RedisParts {
    return this.impl._bind(build);
  }
}
