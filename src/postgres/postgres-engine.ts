import { CloudNativePgOptions, IPostgresEngine, StatefulSetEngineOptions } from './engine-options';
import { CloudNativePgEngine } from './engines/cloud-native-pg';
import { StatefulSetEngine } from './engines/stateful-set';

/**
 * How PostgreSQL runs: under the CloudNativePG operator (HA, backups, pooling), or as a plain
 * StatefulSet for dev clusters without the operator.
 */
export class PostgresEngine {
  /** A CloudNativePG `Cluster` (postgresql.cnpg.io/v1), with optional backups and pooler. */
  public static cloudNativePg(options: CloudNativePgOptions = {}): IPostgresEngine {
    return CloudNativePgEngine.of(options);
  }

  /** A single-instance StatefulSet with the official postgres image. */
  public static statefulSet(options: StatefulSetEngineOptions): IPostgresEngine {
    return StatefulSetEngine.of(options);
  }

  private constructor() {}
}
