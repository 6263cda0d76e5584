/**
 * One entry of `databases`: the tier's defaults filled in, each value judged by the engine's and the
 * construct's own rules at its path in the file, then built into PostgresCluster props. The engine's
 * fields are flat in the file (`backup`, `pooler`, not `engine.*`), so the engine's path is the entry's.
 */
import { hasTypoOf } from '../yaml-file';
import { Construct } from 'constructs';
import { ClientOffer } from '../../core/connection';
import { IDatabase } from '../../core/database';
import { FieldPath } from '../../core/field-path';
import type { PodDemand } from '../../core/pod-demand';
import { SecretStore, validateSecretReference, validateStoreReference } from '../../core/secrets';
import { Problem, ProblemCollector } from '../../core/problems';
import {
  CloudNativePgOptions,
  PostgresBackupOptions,
  PostgresPoolerOptions,
  StatefulSetEngineOptions,
  validateCloudNativePgOptions,
  validateStatefulSetOptions,
} from '../../postgres/engine-options';
import { DatabaseCredentials, EXTERNAL_DATABASE_OFFER, ExternalPostgresProps, validateExternalPostgresProps } from '../../postgres/external-postgres';
import { PostgresCluster, PostgresClusterProps, validatePostgresClusterProps } from '../../postgres/postgres-cluster';
import { PostgresEngine } from '../../postgres/postgres-engine';
import { resourcesWithDefaults, TIER_DEFAULTS, tierResourceDefaults } from '../tiers';
import type { DatabaseConfig, EnvironmentConfig, ExternalDatabaseConfig } from '../types';
import { checked } from './checked';

/** A database of an environment file, ready to build. */
export interface DatabasePlan {
  /** Its key in `databases`: construct id and name. */
  readonly name: string;
  /** Builds it (a PostgresCluster, or the reference to an external database) into `scope`. */
  build(scope: Construct): IDatabase;
  /** What it offers the services that connect to it. */
  readonly offer: ClientOffer;
  /** The pods it runs (instances, sidecars, pooler), for the quota at full scale: what its engine reports. */
  readonly demands: readonly PodDemand[];
}

/** The plan of the database at `path` (`databases.<name>`), or its problems at their paths in the file. */
export function databaseSection(
  env: EnvironmentConfig,
  name: string,
  db: DatabaseConfig,
  store: SecretStore | undefined,
  path: FieldPath,
): { plan?: DatabasePlan; problems: readonly Problem[] } {
  if (db.external) return externalDatabase(name, db.external, store, path);
  const c = new ProblemCollector();
  const d = TIER_DEFAULTS[env.tier].database;
  // The keys of each engine are the schema's (its branch for the engine written, else the tier's); what
  // the tier asks beyond them is judged here.
  const engineKind = db.engine ?? d.engine;
  if (engineKind === 'cloudnative-pg' && d.requireBackup && db.backup === undefined) {
    c.check(path.child('backup'), `is required in ${env.tier}: set destinationPath and credentialsSecret of the object store`);
  }
  // The rest of the entry is still judged (a missing backup does not hide `instances: 1`); it is planned only without problems.
  if (db.allowFewerInstances !== undefined && !d.requireHighAvailability) c.check(path.child('allowFewerInstances'), 'applies only to prod');

  const pooler: PostgresPoolerOptions | undefined =
    engineKind === 'statefulset' || db.pooler === false || (db.pooler === undefined && !d.pooler)
      ? undefined
      : typeof db.pooler === 'object'
        ? db.pooler
        : {};
  const engine = engineKind === 'statefulset' ? statefulSetEngine(c, db, path) : cloudNativePgEngine(c, db, pooler, path);
  // The engine's options have problems of their own (a backup's credentials, the Secret of the StatefulSet
  // engine): the rest of the entry is judged with an engine of the same kind without them, and not planned.
  const judgedBy = engine ?? standInEngine(engineKind, pooler, path);
  const instances = db.instances ?? (engineKind === 'statefulset' ? 1 : d.instances);
  const resources = resourcesWithDefaults(db.resources, d.resources);
  const own: PostgresClusterProps = {
    name,
    engine: judgedBy,
    // The StatefulSet engine's one instance is its own, not a count the file wrote.
    instances: engineKind === 'statefulset' ? db.instances : instances,
    requireHighAvailability: d.requireHighAvailability && !(db.allowFewerInstances ?? false),
    image: db.image,
    database: db.database,
    owner: db.owner,
    storage: { size: db.storage?.size ?? d.storageSize, storageClass: db.storage?.storageClass },
    parameters: db.parameters,
    resources,
    alerts: db.alerts,
    dashboard: db.dashboard,
  };
  // The construct's own rule at the file's paths; the engine's options are flat in the entry.
  c.add(validatePostgresClusterProps(name, { ...own, engine: judgedBy }, path, path, tierResourceDefaults(env.tier, db.resources)));
  if (c.problems.length > 0 || !engine) return { problems: c.problems };
  const props: PostgresClusterProps = {
    ...own,
    partOf: env.partOf,
    placement: env.placement,
    instance: `${name}-${env.tier}`,
    monitoringNamespace: env.monitoringNamespace,
  };
  return {
    plan: {
      name,
      demands: engine.podDemands(name, instances, resources),
      offer: engine.clientOffer,
      build: (scope) => new PostgresCluster(scope, name, props),
    },
    problems: [],
  };
}

/** An engine of `kind` for judging an entry whose engine options have problems: the pooler if it is valid, nothing else. */
function standInEngine(kind: string, pooler: PostgresPoolerOptions | undefined, path: FieldPath): PostgresEngine {
  if (kind === 'statefulset') return PostgresEngine.statefulSet({ credentialsSecret: 'stand-in' });
  const poolerOnly: CloudNativePgOptions = pooler ? { pooler } : {};
  return (
    checked(new ProblemCollector(), validateCloudNativePgOptions(poolerOnly, path), () => PostgresEngine.cloudNativePg(poolerOnly)) ??
    PostgresEngine.cloudNativePg({})
  );
}

function statefulSetEngine(c: ProblemCollector, db: DatabaseConfig, path: FieldPath): ReturnType<typeof PostgresEngine.statefulSet> | undefined {
  const options: StatefulSetEngineOptions = {
    credentialsSecret: db.credentialsSecret as string,
    usernameKey: db.usernameKey,
    passwordKey: db.passwordKey,
  };
  return checked(c, validateStatefulSetOptions(options, path), () => PostgresEngine.statefulSet(options));
}

function cloudNativePgEngine(
  c: ProblemCollector,
  db: DatabaseConfig,
  pooler: PostgresPoolerOptions | undefined,
  path: FieldPath,
): ReturnType<typeof PostgresEngine.cloudNativePg> | undefined {
  const options: CloudNativePgOptions = {
    ...(db.backup ? { backup: db.backup as PostgresBackupOptions } : {}),
    archiveServerName: db.archiveServerName,
    ...(db.recovery ? { recovery: { ...db.recovery, objectStore: db.recovery.objectStore as PostgresBackupOptions | undefined } } : {}),
    ...(pooler ? { pooler } : {}),
  };
  return checked(c, validateCloudNativePgOptions(options, path), () => PostgresEngine.cloudNativePg(options));
}

/** An entry with `external`: a reference to a database outside the cluster (the schema admits no other key beside it). */
function externalDatabase(
  name: string,
  x: ExternalDatabaseConfig,
  store: SecretStore | undefined,
  path: FieldPath,
): { plan?: DatabasePlan; problems: readonly Problem[] } {
  const c = new ProblemCollector();
  const at = path.child('external');
  const neither = x.credentialsSecret === undefined && x.remoteKey === undefined;
  if ((x.credentialsSecret === undefined) === (x.remoteKey === undefined) && !(neither && hasTypoOf(x, ['credentialsSecret', 'remoteKey']))) {
    c.check(at, 'needs exactly one of credentialsSecret (an existing Secret) or remoteKey (an entry of the secretStore)');
  }
  if (x.credentialsSecret !== undefined) {
    for (const k of ['usernameProperty', 'passwordProperty'] as const) if (x[k] !== undefined) c.check(at.child(k), 'applies only with remoteKey');
  }
  if (x.remoteKey !== undefined) {
    for (const k of ['usernameKey', 'passwordKey'] as const) if (x[k] !== undefined) c.check(at.child(k), 'applies only with credentialsSecret');
    if (!store) c.check(at.child('remoteKey'), "needs the environment's secretStore, which the credentials are read from");
  }
  if (c.problems.length > 0 || neither) return { problems: c.problems };
  const credentials =
    x.credentialsSecret !== undefined
      ? checked(
          c,
          validateSecretReference(x.credentialsSecret, { usernameKey: x.usernameKey, passwordKey: x.passwordKey }, at, at.child('credentialsSecret')),
          () => DatabaseCredentials.fromSecret(x.credentialsSecret as string, { usernameKey: x.usernameKey, passwordKey: x.passwordKey }),
        )
      : checked(c, validateStoreReference(x.remoteKey, { usernameProperty: x.usernameProperty, passwordProperty: x.passwordProperty }, at), () =>
          DatabaseCredentials.fromExternalStore(store as SecretStore, x.remoteKey as string, {
            usernameProperty: x.usernameProperty,
            passwordProperty: x.passwordProperty,
          }),
        );
  const reference = { host: x.host, port: x.port, database: x.database, sslMode: x.sslMode, cidr: x.cidr };
  c.add(validateExternalPostgresProps(reference, at));
  if (!credentials || c.problems.length > 0) return { problems: c.problems };
  const props: ExternalPostgresProps = { ...reference, credentials };
  return {
    plan: {
      name,
      demands: [],
      offer: EXTERNAL_DATABASE_OFFER,
      build: (scope) => PostgresCluster.fromExternal(scope, name, props),
    },
    problems: [],
  };
}
