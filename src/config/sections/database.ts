/**
 * One entry of `databases`: the tier's defaults filled in and turned into PostgresCluster props with
 * the engine factories (which check their arguments); the constructor checks the rest when the
 * environment is built. The engine's fields are flat in the file (`backup`, `pooler`, not `engine.*`).
 */
import { ResourceRequirements } from '../../core/resources';
import { Problem, ProblemCollector } from '../../core/validation';
import { Construct } from 'constructs';
import { IDatabase } from '../../core/database';
import { SecretStore } from '../../core/secrets';
import { PostgresCluster, PostgresClusterProps } from '../../postgres/postgres-cluster';
import { DatabaseCredentials, ExternalPostgresProps } from '../../postgres/external-postgres';
import { secretStore } from './service';
import { PostgresBackupOptions, PostgresPoolerOptions } from '../../postgres/engine';
import { PostgresEngine } from '../../postgres/postgres-engine';
import { resourcesWithDefaults } from '../tier-defaults';
import { TIER_DEFAULTS } from '../tiers';
import type { DatabaseConfig, EnvironmentConfig, ExternalDatabaseConfig } from '../types';

/** A database of an environment file, ready to build. */
export interface DatabasePlan {
  /** Its key in `databases`: construct id and name. */
  readonly name: string;
  /** Builds it (a PostgresCluster, or the reference to an external database) into `scope`. */
  build(scope: Construct): IDatabase;
  /** The field of the entry a construct's prop field stands for. */
  fieldOf(propField: string): string;
  /** Instances, each with `resources`, and pooler pods. */
  readonly instances: number;
  readonly resources: ResourceRequirements;
  readonly poolerInstances: number;
}

/** PgBouncer pods: 100m/128Mi requested, 500m/256Mi limit each (what the CNPG engine emits). */
export const POOLER_POD_RESOURCES: ResourceRequirements = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } };

/** The plan of one database, or its problems (fields relative to the entry). */
export function databaseSection(env: EnvironmentConfig, name: string, db: DatabaseConfig): { plan?: DatabasePlan; problems: readonly Problem[] } {
  if (db.external) return externalDatabase(env, name, db, db.external);
  const c = new ProblemCollector();
  const d = TIER_DEFAULTS[env.tier].database;
  const engineKind = db.engine ?? d.engine;
  if (engineKind === 'statefulset') {
    (['backup', 'pooler', 'parameters', 'recovery', 'archiveServerName'] as const).filter((k) => db[k] !== undefined && db[k] !== false)
      .forEach((k) => c.check(k, 'applies only to engine "cloudnative-pg"'));
    if (db.credentialsSecret === undefined) c.check('credentialsSecret', 'is required with engine "statefulset": an existing Secret with the superuser name and password');
  } else {
    (['credentialsSecret', 'usernameKey', 'passwordKey'] as const).filter((k) => db[k] !== undefined)
      .forEach((k) => c.check(k, 'applies only to engine "statefulset"'));
    if (d.requireBackup && db.backup === undefined) {
      c.check('backup', `is required in ${env.tier}: set destinationPath and credentialsSecret of the object store`);
    }
  }
  if (db.allowFewerInstances !== undefined && !d.requireHighAvailability) c.check('allowFewerInstances', 'applies only to prod');
  if (c.problems.length > 0) return { problems: c.problems };

  const pooler: PostgresPoolerOptions | undefined = engineKind === 'statefulset' || db.pooler === false || (db.pooler === undefined && !d.pooler)
    ? undefined
    : typeof db.pooler === 'object' ? db.pooler : {};
  const backup = db.backup;
  const engine = engineKind === 'statefulset'
    ? c.attempt('', () => PostgresEngine.statefulSet({ credentialsSecret: db.credentialsSecret as string, usernameKey: db.usernameKey, passwordKey: db.passwordKey }))
    : c.attempt('', () => PostgresEngine.cloudNativePg({
      // A missing credentialsSecret is the factory's to report, in its words.
      ...(backup ? { backup: backup as PostgresBackupOptions } : {}),
      archiveServerName: db.archiveServerName,
      ...(db.recovery ? { recovery: { ...db.recovery, objectStore: db.recovery.objectStore as PostgresBackupOptions | undefined } } : {}),
      ...(pooler ? { pooler } : {}),
    }));
  if (!engine) return { problems: c.problems };
  const instances = db.instances ?? (engineKind === 'statefulset' ? 1 : d.instances);
  const resources = resourcesWithDefaults(db.resources, d.resources);
  const props: PostgresClusterProps = {
    name,
    engine,
    instances,
    requireHighAvailability: d.requireHighAvailability && !(db.allowFewerInstances ?? false),
    image: db.image,
    database: db.database,
    owner: db.owner,
    storage: { size: db.storage?.size ?? d.storageSize, storageClass: db.storage?.storageClass },
    parameters: db.parameters,
    resources,
    partOf: env.partOf,
    placement: env.placement,
    instance: `${name}-${env.tier}`,
    monitoringNamespace: env.monitoringNamespace,
    alerts: db.alerts,
    dashboard: db.dashboard,
  };
  return {
    plan: { name, instances, resources, poolerInstances: pooler ? pooler.instances ?? 2 : 0, build: (scope) => new PostgresCluster(scope, name, props), fieldOf: (f) => f.replace(/^engine\./, '') },
    problems: [],
  };
}

/** An entry with `external`: a reference to a database outside the cluster; none of the in-cluster keys apply. */
function externalDatabase(env: EnvironmentConfig, name: string, db: DatabaseConfig, x: ExternalDatabaseConfig): { plan?: DatabasePlan; problems: readonly Problem[] } {
  const c = new ProblemCollector();
  for (const key of Object.keys(db).filter((k) => k !== 'external')) c.check(key, 'does not apply to an external database');
  if ((x.credentialsSecret === undefined) === (x.remoteKey === undefined)) {
    c.check('external', 'needs exactly one of credentialsSecret (an existing Secret) or remoteKey (an entry of the secretStore)');
  }
  if (x.credentialsSecret !== undefined) {
    for (const k of ['usernameProperty', 'passwordProperty'] as const) if (x[k] !== undefined) c.check(`external.${k}`, 'applies only with remoteKey');
  }
  if (x.remoteKey !== undefined) {
    for (const k of ['usernameKey', 'passwordKey'] as const) if (x[k] !== undefined) c.check(`external.${k}`, 'applies only with credentialsSecret');
    if (!env.secretStore) c.check('external.remoteKey', "needs the environment's secretStore, which the credentials are read from");
  }
  if (c.problems.length > 0) return { problems: c.problems };
  const credentials = x.credentialsSecret !== undefined
    ? c.attempt('external', () => DatabaseCredentials.fromSecret(x.credentialsSecret as string, { usernameKey: x.usernameKey, passwordKey: x.passwordKey }))
    : c.attempt('external', () => DatabaseCredentials.fromExternalStore(secretStore(env) as SecretStore, x.remoteKey as string, { usernameProperty: x.usernameProperty, passwordProperty: x.passwordProperty }));
  if (!credentials) return { problems: c.problems };
  const props: ExternalPostgresProps = { host: x.host, port: x.port, database: x.database, sslMode: x.sslMode, cidr: x.cidr, credentials };
  return {
    plan: { name, instances: 0, resources: NO_RESOURCES, poolerInstances: 0, build: (scope) => PostgresCluster.fromExternal(scope, name, props), fieldOf: (f) => `external.${f}` },
    problems: [],
  };
}

const NO_RESOURCES: ResourceRequirements = { requests: { cpu: '0', memory: '0' }, limits: { cpu: '0', memory: '0' } };

/** Where a problem of a database's construct belongs in the environment file. */
export function databaseField(plan: Pick<DatabasePlan, 'name' | 'fieldOf'>, propField: string): string {
  if (propField === 'monitoringNamespace' || propField === 'partOf') return propField;
  if (propField === 'name' || propField === 'instance' || propField === '') return `databases.${plan.name}`;
  return `databases.${plan.name}.${plan.fieldOf(propField)}`;
}
