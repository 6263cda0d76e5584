import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { INetworkPeer, NetworkPeer, NetworkPort } from './network-peer';

/** Options of `connectTo`. */
export interface ConnectOptions {
  /** Variable that receives the connection URL. @default - the target's (`DATABASE_URL` for PostgreSQL) */
  readonly urlVariable?: string;
  /** Also a URL of the read-only replicas, in this variable (`READ_DATABASE_URL`). @default - none */
  readonly readUrlVariable?: string;
}

/** Who asks to connect: the client's pods and where they run. */
export interface ConnectionRequest extends ConnectOptions {
  /** The client's pods (for the target's admission). */
  readonly client: INetworkPeer;
  /** The client's namespace (a target elsewhere is then named by its cluster DNS name). @default - the target's */
  readonly namespace?: string;
}

/** Name, labels and annotations of an object a target builds for a client. */
export interface ClientObjectMetadata {
  name: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/** An on-demand backup taken for a migration, and how a waiting pod finds it through the Kubernetes API. */
export interface MigrationBackup {
  /** The backup object. */
  readonly object: ApiObject;
  /** API group of its kind. */
  readonly group: string;
  /** API version of its kind. */
  readonly version: string;
  /** Plural resource name of its kind (RBAC rules and the API path). */
  readonly resource: string;
  /** `metadata.name`. */
  readonly name: string;
  /** `status.phase` values that mean the backup is usable. */
  readonly donePhases: readonly string[];
  /** `status.phase` values that mean it will never be. */
  readonly failedPhases: readonly string[];
  /** The Kubernetes API server, for the waiting pod's egress. */
  readonly apiServer: NetworkPeer;
}

/** What a client gets from a target: variables, where it may connect to, and ordering. */
export interface ConnectionBinding {
  /** Variables of the client's pods (secrets only by reference). */
  readonly env: readonly k8s.EnvVar[];
  /** Variables of the client's migration Job (for example past a transaction pooler). */
  readonly migrationEnv: readonly k8s.EnvVar[];
  /** Egress the client needs. */
  readonly egress: ReadonlyArray<{ readonly peer: NetworkPeer; readonly ports: readonly NetworkPort[] }>;
  /** Whether the client's migrations must wait for the target in a sync (it is deployed with them). */
  readonly migrationsWaitForIt: boolean;
  /**
   * Builds, in `scope`, an on-demand backup of the target for the client's migration to wait for:
   * offered by targets with backups configured.
   * @default - the target takes no backup before migrations
   */
  readonly backupBeforeMigration?: (scope: Construct, id: string, metadata: ClientObjectMetadata) => MigrationBackup;
  /**
   * Why a database target offers no backup before migrations (completing "the database ..."), so a client
   * that asked for one explicitly is told instead of silently migrating without it.
   * @default - not a database, or one that offers the backup
   */
  readonly noBackupBeforeMigration?: string;
  /** The client's health path that checks this dependency (the seeds' `/health/db`, `/health/redis`), smoke-tested before traffic moves. @default - none */
  readonly healthCheckPath?: string;
}

/**
 * Something a workload connects to with one call (`api.connectTo(target)`): a database, a cache, in
 * the cluster or outside it. The target decides the variables and the egress, and admits the client.
 */
export interface IConnectable extends IConstruct {
  /** Binds a client: admits it and returns what it needs. */
  bindClient(request: ConnectionRequest): ConnectionBinding;
}
