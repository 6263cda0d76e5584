/** The `databases` of an environment file: tier defaults, PostgresCluster props, and their checks. */
import { ResourceRequirements } from '../core/resources';
import { checkDnsSubdomain } from '../core/rules';
import { Problem, ProblemCollector } from '../core/validation';
import { PostgresClusterProps, validatePostgresClusterProps } from '../postgres/postgres-cluster';
import { PostgresEngine, PostgresPoolerOptions, validateBackupOptions, validatePoolerOptions } from '../postgres/postgres-engine';
import { TIER_DEFAULTS } from './tiers';
import type { DatabaseConfig, EnvironmentConfig } from './types';
import { resourcesWithDefaults } from './tier-defaults';



/** Instances, resources and pooler pods of a database entry, tier defaults filled in. */
export function databaseSize(env: EnvironmentConfig, db: DatabaseConfig): { instances: number; resources: ResourceRequirements; poolerInstances: number; pooler: PostgresPoolerOptions | undefined } {
  const d = TIER_DEFAULTS[env.tier].database;
  const engine = db.engine ?? d.engine;
  const pooler = engine === 'statefulset' || db.pooler === false || (db.pooler === undefined && !d.pooler)
    ? undefined
    : typeof db.pooler === 'object' ? db.pooler : {};
  return {
    instances: db.instances ?? (engine === 'statefulset' ? 1 : d.instances),
    resources: resourcesWithDefaults(db.resources, d.resources),
    pooler,
    poolerInstances: pooler ? pooler.instances ?? 2 : 0,
  };
}

/** The PostgresCluster props a database entry stands for (tier defaults filled in). Call on validated entries. */
export function databaseProps(env: EnvironmentConfig, name: string, db: DatabaseConfig): PostgresClusterProps {
  const d = TIER_DEFAULTS[env.tier].database;
  const engineKind = db.engine ?? d.engine;
  const size = databaseSize(env, db);
  const pooler = size.pooler;
  const engine = engineKind === 'statefulset'
    ? PostgresEngine.statefulSet({ credentialsSecret: db.credentialsSecret ?? '', usernameKey: db.usernameKey, passwordKey: db.passwordKey })
    : PostgresEngine.cloudNativePg({
      ...(db.backup ? { backup: { ...db.backup, credentialsSecret: db.backup.credentialsSecret ?? '' } } : {}),
      ...(pooler ? { pooler } : {}),
    });
  return {
    name,
    engine,
    instances: size.instances,
    requireHighAvailability: d.requireHighAvailability && !(db.allowFewerInstances ?? false),
    image: db.image,
    database: db.database,
    owner: db.owner,
    storage: { size: db.storage?.size ?? d.storageSize, storageClass: db.storage?.storageClass },
    parameters: db.parameters,
    resources: size.resources,
    partOf: env.partOf,
    instance: `${name}-${env.tier}`,
    monitoringNamespace: env.monitoringNamespace,
  };
}

export function databaseProblems(env: EnvironmentConfig, name: string, db: DatabaseConfig): Problem[] {
  const c = new ProblemCollector();
  const d = TIER_DEFAULTS[env.tier].database;
  const engine = db.engine ?? d.engine;
  const cnpgOnly = (['backup', 'pooler', 'parameters'] as const).filter((k) => db[k] !== undefined && db[k] !== false);
  const stsOnly = (['credentialsSecret', 'usernameKey', 'passwordKey'] as const).filter((k) => db[k] !== undefined);
  if (engine === 'statefulset') {
    cnpgOnly.forEach((k) => c.check(k, 'applies only to engine "cloudnative-pg"'));
    if (db.credentialsSecret === undefined) c.check('credentialsSecret', 'is required with engine "statefulset": an existing Secret with the superuser name and password');
  } else {
    stsOnly.forEach((k) => c.check(k, 'applies only to engine "statefulset"'));
    if (d.requireBackup && db.backup === undefined) {
      c.check('backup', `is required in ${env.tier}: set destinationPath and credentialsSecret of the object store`);
    }
    if (db.backup) c.nest('backup', validateBackupOptions(db.backup));
    if (typeof db.pooler === 'object') c.nest('pooler', validatePoolerOptions(db.pooler));
  }
  if (db.allowFewerInstances !== undefined && !d.requireHighAvailability) c.check('allowFewerInstances', `applies only to prod`);
  if (db.credentialsSecret !== undefined) c.check('credentialsSecret', checkDnsSubdomain(db.credentialsSecret));
  if (c.problems.length > 0) return [...c.problems];
  const props = databaseProps(env, name, db);
  const problems = validatePostgresClusterProps(name, { ...props, engine: props.engine ?? PostgresEngine.cloudNativePg() });
  // The engine's fields are flat in the file.
  c.nest('', problems.map((p) => ({ field: p.field.replace(/^engine\./, ''), message: p.field === 'instances' && p.message.includes('requireHighAvailability') ? p.message.replace('set requireHighAvailability to false', 'set allowFewerInstances: true') : p.message })));
  return [...c.problems];
}

