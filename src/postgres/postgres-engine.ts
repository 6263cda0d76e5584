import type { ClientOffer } from '../core/connection';
import type { FieldPath } from '../core/field-path';
import type { PodDemand } from '../core/pod-demand';
import type { Problem } from '../core/problems';
import type { ResourceRequirements } from '../core/resources';
import {
  CloudNativePgOptions,
  PostgresBuild,
  PostgresEngineImpl,
  PostgresEngineKind,
  PostgresParts,
  StatefulSetEngineOptions,
} from './engine-options';
import { CloudNativePgEngine } from './engines/cloud-native-pg';
import { StatefulSetEngine } from './engines/stateful-set';

/**
 * How PostgreSQL runs: under the CloudNativePG operator (HA, backups, pooling), or as a plain
 * StatefulSet for dev clusters without the operator.
 *
 * Closed: made only by its static factories. An engine renders itself into the cluster it is bound to
 * through members that are internal to this package, so one written outside it could not work; the
 * private constructor (and private member) make such an engine a type error instead of a run-time one.
 */
export class PostgresEngine {
  /** A CloudNativePG `Cluster` (postgresql.cnpg.io/v1), with optional backups and pooler. */
  public static cloudNativePg(options: CloudNativePgOptions = {}): PostgresEngine {
    return new PostgresEngine(CloudNativePgEngine.of(options));
  }

  /** A single-instance StatefulSet with the official postgres image. */
  public static statefulSet(options: StatefulSetEngineOptions): PostgresEngine {
    return new PostgresEngine(StatefulSetEngine.of(options));
  }

  private constructor(private readonly impl: PostgresEngineImpl) {}

  /** @internal */
  public get kind(): PostgresEngineKind {
    return this.impl.kind;
  }

  /** @internal */
  public get defaultInstances(): number {
    return this.impl.defaultInstances;
  }

  /** @internal */
  public get clientOffer(): ClientOffer {
    return this.impl.clientOffer;
  }

  /** @internal */
  public propsProblems(
    name: string,
    props: { readonly instances?: number; readonly parameters?: Record<string, string> },
    path?: FieldPath,
    enginePath?: FieldPath,
  ): Problem[] {
    return this.impl.propsProblems(name, props, path, enginePath);
  }

  /** @internal */
  public podDemands(name: string, instances: number, resources: ResourceRequirements): PodDemand[] {
    return this.impl.podDemands(name, instances, resources);
  }

  /** @internal */
  public _bind(build: PostgresBuild): PostgresParts {
    return this.impl._bind(build);
  }
}
