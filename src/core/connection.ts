import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { FieldPath } from './field-path';
import { INetworkPeer, NetworkPeer, NetworkPort } from './network-peer';
import { Problem, ProblemCollector } from './problems';

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
  /** The client's health path that checks this dependency (like `/health/db`, `/health/redis`), smoke-tested before traffic moves. @default - none */
  readonly healthCheckPath?: string;
}

/**
 * Something a workload connects to with one call (`api.connectTo(target)`): a database, a cache, in
 * the cluster or outside it. The target decides the variables and the egress, and admits the client.
 */
export interface IConnectable extends IConstruct {
  /** What it offers a client beyond the connection, when it is a database. @default - a cache: nothing more */
  readonly clientOffer?: ClientOffer;
  /** Binds a client: admits it and returns what it needs. */
  bindClient(request: ConnectionRequest): ConnectionBinding;
}

/**
 * What a database offers its clients beyond a connection. It follows from the database's engine and
 * options, so a connection can be judged before anything is built.
 */
export interface ClientOffer {
  /** Whether it has read-only replicas a client can read from (`readUrlVariable`). */
  readonly readReplicas: boolean;
  /**
   * Why no backup can precede a client's migration, completing "the database ..."; so a client that asked
   * for one explicitly is told instead of silently migrating without it.
   * @default - a backup can precede the migration
   */
  readonly noBackupBeforeMigration?: string;
}

/** What a client asks of a database it connects to. */
export interface ClientAsk {
  /** The variable it wants the read replicas' URL in. @default - none */
  readonly readUrlVariable?: string;
  /** Whether its migration explicitly asked for a backup first. @default false */
  readonly backupFirst?: boolean;
}

/**
 * Problems of a client asking `ask` of the database `target` (its name as the user knows it) that offers
 * `offer`; each at the path where the client's setting is written.
 */
export function validateClientAsk(
  ask: ClientAsk,
  offer: ClientOffer,
  target: string,
  at: { readonly readUrlVariable: FieldPath; readonly backupFirst: FieldPath },
): Problem[] {
  const c = new ProblemCollector();
  if (ask.readUrlVariable !== undefined && !offer.readReplicas) {
    c.check(at.readUrlVariable, 'this database has no read-only replicas: connect without readUrlVariable, or run it with CloudNativePG');
  }
  if (ask.backupFirst === true && offer.noBackupBeforeMigration !== undefined) {
    c.check(
      at.backupFirst,
      `true, but the database ${target} ${offer.noBackupBeforeMigration}: no backup can precede the migration; set backupFirst to false, or give the database backups`,
    );
  }
  return [...c.problems];
}
