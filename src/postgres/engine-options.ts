import type { PodDemand } from '../core/pod-demand';
import { FieldPath } from '../core/field-path';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { ClientObjectMetadata, ClientOffer, MigrationBackup } from '../core/connection';
import type { DatabaseConnection } from '../core/database';
import type { StandardLabelsOptions } from '../core/labels';
import type { NetworkPeer } from '../core/network-peer';
import type { PodPlacement } from '../core/placement';
import type { ResourceRequirements } from '../core/resources';
import type { ObservabilitySettings } from '../monitoring/settings';
import { checkDnsLabel, checkInteger, checkUrlCredentials } from '../core/value-rules';
import { checkSecretKey, checkSecretName } from '../core/secrets';
import { Problem, ProblemCollector, show } from '../core/problems';
import { BackupEgress, checkEndpointUrl, validateBackupEgress } from './backup-egress';

/** Where backups go: an S3-compatible bucket through the Barman Cloud plugin. */
export interface PostgresBackupOptions {
  /** Bucket and prefix (`s3://trading-backups/prod`). */
  readonly destinationPath: string;
  /** Endpoint of an S3-compatible store (MinIO, Ceph). @default - AWS S3 */
  readonly endpointUrl?: string;
  /** Secret with the access key id and secret access key. */
  readonly credentialsSecret: string;
  /** Key of the access key id in that Secret. @default 'ACCESS_KEY_ID' */
  readonly accessKeyIdKey?: string;
  /** Key of the secret access key in that Secret. @default 'ACCESS_SECRET_KEY' */
  readonly secretAccessKeyKey?: string;
  /** How long backups and WAL are kept (`30d`, `4w`, `6m`). @default '30d' */
  readonly retention?: string;
  /** Six-field cron (seconds first) of the base backup. @default '0 0 2 * * *' (daily at 02:00) */
  readonly schedule?: string;
  /** WAL compression. @default 'gzip' */
  readonly walCompression?: 'bzip2' | 'gzip' | 'lz4' | 'snappy' | 'xz' | 'zstd';
  /**
   * Where the instances may reach the store (their egress rule to it, apart from the API server's): the store's pods
   * or an address block, and its ports.
   * @default - derived from `endpointUrl` (or an http(s) `destinationPath`): an in-cluster Service URL
   * (`http://minio.minio.svc:9000`) gives its namespace and port; an external endpoint, and `s3://` or `gs://` without
   * one, `0.0.0.0/0` on its port (443 by default)
   */
  readonly egress?: BackupEgress;
}

/** Connection pooling with PgBouncer (a CNPG Pooler of type rw). */
export interface PostgresPoolerOptions {
  /** Pooler name; also its Service. Must differ from every Cluster name. @default - `<cluster>-pooler` */
  readonly name?: string;
  /** PgBouncer pods. @default 2 */
  readonly instances?: number;
  /** PgBouncer pool mode. @default 'transaction' */
  readonly poolMode?: 'session' | 'transaction';
  /** `max_client_conn`. @default 1000 */
  readonly maxClientConnections?: number;
  /** `default_pool_size`: server connections per user/database pair. @default 20 */
  readonly defaultPoolSize?: number;
}

/**
 * Point-in-time recovery: the new Cluster bootstraps from a Barman Cloud archive (a base backup plus WAL
 * up to `targetTime`) instead of an empty `initdb`.
 */
export interface PostgresRecoveryOptions {
  /** The archive's server name: the name of the cluster whose backups are restored. */
  readonly serverName: string;
  /** Restore up to this instant (RFC 3339, `2026-11-23T09:30:00Z`). @default - the end of the archive */
  readonly targetTime?: string;
  /** Where that archive is. @default - the `backup` object store of this cluster */
  readonly objectStore?: PostgresBackupOptions;
}

/** Options of the CloudNativePG engine. */
export interface CloudNativePgOptions {
  /** Backups through the Barman Cloud plugin. @default - no backups */
  readonly backup?: PostgresBackupOptions;
  /**
   * Server name the cluster archives its own WAL and backups under; must differ from a recovery source,
   * so a restored cluster never writes into the archive it came from.
   * @default - the cluster's name, or `<name>-restored` when that is the recovery source's
   */
  readonly archiveServerName?: string;
  /** Bootstrap from a backup archive (disaster recovery) instead of an empty database. @default - a new, empty database (initdb) */
  readonly recovery?: PostgresRecoveryOptions;
  /** A PgBouncer pooler in front of the primary. @default - none; clients connect to `<cluster>-rw` */
  readonly pooler?: PostgresPoolerOptions;
  /** Namespace of the CNPG operator (and the Barman Cloud plugin), admitted to the instances. @default 'cnpg-system' */
  readonly operatorNamespace?: string;
}

/** Options of the StatefulSet engine. */
export interface StatefulSetEngineOptions {
  /** Existing Secret with the superuser name and password (the official image's POSTGRES_USER/POSTGRES_PASSWORD). */
  readonly credentialsSecret: string;
  /** Key of the user name in that Secret. @default 'username' */
  readonly usernameKey?: string;
  /** Key of the password in that Secret. @default 'password' */
  readonly passwordKey?: string;
  /** UID/GID the official image's `postgres` user has (999 in the Debian images). @default 999 */
  readonly runAsUser?: number;
}

/** The kinds of engine. */
export type PostgresEngineKind = 'cloudnative-pg' | 'statefulset';

/** What an engine builds a PostgresCluster with: the cluster's names, labels and settings. */
export interface PostgresBuild {
  /** The PostgresCluster, which every object is built into. */
  readonly scope: Construct;
  /** Name of the Cluster or StatefulSet. */
  readonly name: string;
  /** Namespace of the chart. */
  readonly namespace?: string;
  readonly labels: Record<string, string>;
  readonly labelOptions: StandardLabelsOptions;
  /** Metadata with the labels and the database sync wave. */
  meta(name: string): { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  /** The props (image, instances, owner, parameters, storage class). */
  readonly props: {
    readonly image?: string;
    readonly instances?: number;
    readonly owner?: string;
    readonly parameters?: Record<string, string>;
    readonly storage?: { readonly storageClass?: string };
  };
  readonly database: string;
  readonly resources: ResourceRequirements;
  readonly storageSize: string;
  readonly monitoring: boolean;
  readonly monitoringPeer: NetworkPeer;
  /** Whether to emit the PrometheusRule. */
  readonly alerts: boolean;
  /** Whether to emit the Grafana dashboard ConfigMap. */
  readonly dashboard: boolean;
  /** Environment label, runbooks, severity and dashboard folder. */
  readonly observability: ObservabilitySettings;
  readonly controlPlane: NetworkPeer;
  /** Registry credentials, priority, node selection and tolerations of every pod. */
  readonly placement: PodPlacement;
}

/** An on-demand backup object and how its progress is read (`status.phase`); the cluster adds its name and the API server. */
export type OnDemandBackup = Omit<MigrationBackup, 'name' | 'apiServer'>;

/** What an engine built. */
export interface PostgresParts {
  /** The Cluster or StatefulSet. */
  readonly resource: ApiObject;
  /** The instances' NetworkPolicy. */
  readonly networkPolicy: ApiObject;
  readonly pooler?: ApiObject;
  readonly objectStore?: ApiObject;
  readonly scheduledBackup?: ApiObject;
  readonly poolerNetworkPolicy?: ApiObject;
  /** The PrometheusRule, when alerts are on. */
  readonly alertRules?: ApiObject;
  /** The Grafana dashboard ConfigMap, when the dashboard is on. */
  readonly dashboard?: ApiObject;
  /** Connection settings for clients (through the pooler when there is one). */
  readonly connection: DatabaseConnection;
  /** Connection settings that bypass the pooler, for migrations. */
  readonly directConnection: DatabaseConnection;
  /** Connection settings of the read-only replicas, when the engine has them. */
  readonly readConnection?: DatabaseConnection;
  /** The instances' pods. */
  readonly peer: NetworkPeer;
  /**
   * Builds an on-demand backup object in `scope` (engines with backups configured).
   * @default - the engine takes no on-demand backups
   */
  readonly onDemandBackup?: (scope: Construct, id: string, metadata: ClientObjectMetadata) => OnDemandBackup;
  /** Admits a client to PostgreSQL (the pooler and, for migrations, the instances). */
  admit(peer: NetworkPeer): void;
}

/** What a PostgreSQL engine does (internal: the public, closed `PostgresEngine` wraps one). */
export interface PostgresEngineImpl {
  /** Which engine. */
  readonly kind: PostgresEngineKind;
  /** Instances unless the props say. */
  readonly defaultInstances: number;
  /** What a cluster of this engine offers its clients beyond the connection. */
  readonly clientOffer: ClientOffer;
  /**
   * Problems of the cluster's props that depend on the engine: the props are at `path`, the engine's own
   * options at `enginePath`.
   */
  propsProblems(
    name: string,
    props: { readonly instances?: number; readonly parameters?: Record<string, string> },
    path?: FieldPath,
    enginePath?: FieldPath,
  ): Problem[];
  /**
   * The pods a cluster `name` of `instances` instances with `resources` runs, sidecars and pooler included: what the
   * namespace's quota must admit.
   */
  podDemands(name: string, instances: number, resources: ResourceRequirements): PodDemand[];
  /**
   * Builds the engine's objects.
   * @internal
   */
  _bind(build: PostgresBuild): PostgresParts;
}

const CRON_FIELD = /^(\*|\?|[0-9A-Za-z,\-*/#LW]+)$/;

/** A six-field cron (seconds first), as CNPG's ScheduledBackup takes it. */
export function checkSixFieldCron(value: unknown): string | undefined {
  const fields = typeof value === 'string' ? value.trim().split(/\s+/) : [];
  if (fields.length !== 6 || !fields.every((f) => CRON_FIELD.test(f))) {
    return `${show(value)} is not a six-field cron (seconds first): use a value like "0 0 2 * * *" for daily at 02:00`;
  }
  return undefined;
}

/** A Barman retention policy: a positive number of days, weeks or months. */
export function checkRetention(value: unknown): string | undefined {
  return typeof value === 'string' && /^[1-9][0-9]*[dwm]$/.test(value)
    ? undefined
    : `${show(value)} is not a retention: use a number of days, weeks or months like "30d", "4w" or "6m"`;
}

/** Problems with backup options. */
export function validateBackupOptions(o: Partial<PostgresBackupOptions>, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  const pathCredentials = checkUrlCredentials(o.destinationPath);
  if (pathCredentials !== undefined) {
    c.check(path.child('destinationPath'), pathCredentials);
  } else if (typeof o.destinationPath !== 'string' || !/^(s3|gs|https?):\/\/[^\s]+$/.test(o.destinationPath)) {
    c.check(path.child('destinationPath'), `${show(o.destinationPath)} is not an object store path: use a value like "s3://bucket/prefix"`);
  }
  if (o.endpointUrl !== undefined) c.check(path.child('endpointUrl'), checkEndpointUrl(o.endpointUrl));
  if (o.credentialsSecret === undefined) {
    c.check(path.child('credentialsSecret'), 'is required: backups need a Secret with the object store credentials');
  } else {
    c.check(path.child('credentialsSecret'), checkSecretName(o.credentialsSecret));
  }
  if (o.accessKeyIdKey !== undefined) c.check(path.child('accessKeyIdKey'), checkSecretKey(o.accessKeyIdKey));
  if (o.secretAccessKeyKey !== undefined) c.check(path.child('secretAccessKeyKey'), checkSecretKey(o.secretAccessKeyKey));
  if (o.retention !== undefined) c.check(path.child('retention'), checkRetention(o.retention));
  if (o.schedule !== undefined) c.check(path.child('schedule'), checkSixFieldCron(o.schedule));
  if (o.egress !== undefined) c.add(validateBackupEgress(o.egress, path.child('egress')));
  return [...c.problems];
}

/** Problems with pooler options. */
export function validatePoolerOptions(o: PostgresPoolerOptions, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  if (o.name !== undefined) c.check(path.child('name'), checkDnsLabel(o.name, 50));
  if (o.instances !== undefined) c.check(path.child('instances'), checkInteger(o.instances, 1, 20));
  if (o.maxClientConnections !== undefined) c.check(path.child('maxClientConnections'), checkInteger(o.maxClientConnections, 1, 100000));
  if (o.defaultPoolSize !== undefined) c.check(path.child('defaultPoolSize'), checkInteger(o.defaultPoolSize, 1, 10000));
  return [...c.problems];
}

/** Problems with CloudNativePG engine options. */
export function validateCloudNativePgOptions(o: CloudNativePgOptions, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  if (o.backup) c.add(validateBackupOptions(o.backup, path.child('backup')));
  if (o.pooler) c.add(validatePoolerOptions(o.pooler, path.child('pooler')));
  if (o.operatorNamespace !== undefined) c.check(path.child('operatorNamespace'), checkDnsLabel(o.operatorNamespace));
  if (o.archiveServerName !== undefined) c.check(path.child('archiveServerName'), checkDnsLabel(o.archiveServerName));
  const r = o.recovery;
  if (r) {
    c.check(path.child('recovery.serverName'), checkDnsLabel(r.serverName));
    if (r.targetTime !== undefined && !/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(r.targetTime)) {
      c.check(path.child('recovery.targetTime'), `${show(r.targetTime)} is not an instant: use RFC 3339 with a zone, like "2026-11-23T09:30:00Z"`);
    }
    if (r.objectStore) c.add(validateBackupOptions(r.objectStore, path.child('recovery.objectStore')));
    else if (!o.backup) c.check(path.child('recovery.objectStore'), 'is required when the cluster has no backup object store to restore from');
    if (o.archiveServerName !== undefined && o.archiveServerName === r.serverName) {
      c.check(
        path.child('archiveServerName'),
        `${show(o.archiveServerName)} is the server name of the archive being restored: the restored cluster would write into it; choose another`,
      );
    }
  }
  return [...c.problems];
}

/** Problems with StatefulSet engine options. */
export function validateStatefulSetOptions(o: Partial<StatefulSetEngineOptions>, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  if (o.credentialsSecret === undefined) {
    c.check(path.child('credentialsSecret'), 'is required: the StatefulSet engine reads the superuser credentials from an existing Secret');
  } else {
    c.check(path.child('credentialsSecret'), checkSecretName(o.credentialsSecret));
  }
  if (o.usernameKey !== undefined) c.check(path.child('usernameKey'), checkSecretKey(o.usernameKey));
  if (o.passwordKey !== undefined) c.check(path.child('passwordKey'), checkSecretKey(o.passwordKey));
  if (o.runAsUser !== undefined) c.check(path.child('runAsUser'), checkInteger(o.runAsUser, 1, 2147483647));
  return [...c.problems];
}
