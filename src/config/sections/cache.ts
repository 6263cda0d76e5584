/**
 * One entry of `caches`: the tier's defaults filled in, each value judged by the engine's and the
 * construct's own rules at its path in the file, then built into RedisCache props. The Sentinel engine's
 * fields are flat in the file (`quorum`, not `engine.quorum`), so the engine's path is the entry's.
 */
import { hasTypoOf } from '../yaml-file';
import { Construct } from 'constructs';
import { ICache } from '../../core/cache';
import { FieldPath } from '../../core/field-path';
import { SecretStore, validateSecretReference, validateStoreReference } from '../../core/secrets';
import { Problem, ProblemCollector } from '../../core/problems';
import { SentinelEngineOptions, validateSentinelOptions } from '../../redis/engine-options';
import { ExternalRedisProps, validateExternalRedisProps } from '../../redis/external-redis';
import { RedisCache, RedisCacheProps, validateRedisCacheProps } from '../../redis/redis-cache';
import { RedisCredentials } from '../../redis/redis-credentials';
import { RedisEngine } from '../../redis/redis-engine';
import { cachePodDemands } from '../../redis/redis-objects';
import type { PodDemand } from '../../core/pod-demand';
import { resourcesWithDefaults, TIER_DEFAULTS, tierResourceDefaults } from '../tiers';
import type { CacheConfig, EnvironmentConfig } from '../types';
import { checked } from './checked';
import { seconds } from './durations';

/** A cache of an environment file, ready to build. */
export interface CachePlan {
  /** Its key in `caches`: construct id and name. */
  readonly name: string;
  /** Builds it (a RedisCache, or the reference to an external Redis) into `scope`. */
  build(scope: Construct): ICache;
  /** The pods it runs, for the quota at full scale (what the RedisCache reports). */
  readonly demands: readonly PodDemand[];
}

/** Where a cache's password comes from, as an entry (or its `external` block) writes it. */
interface CredentialsConfig {
  readonly credentialsSecret?: string;
  readonly passwordKey?: string;
  readonly remoteKey?: string;
  readonly passwordProperty?: string;
}

/** Judges an entry whose password source has problems of its own; never built. */
const STAND_IN_CREDENTIALS = RedisCredentials.fromSecret('stand-in');

/** The plan of the cache at `path` (`caches.<name>`), or its problems at their paths in the file. */
export function cacheSection(
  env: EnvironmentConfig,
  name: string,
  cache: CacheConfig,
  store: SecretStore | undefined,
  path: FieldPath,
): { plan?: CachePlan; problems: readonly Problem[] } {
  if (cache.external) return externalCache(name, cache, store, path);
  const c = new ProblemCollector();
  const d = TIER_DEFAULTS[env.tier].cache;
  // The keys of each engine are the schema's (its branch for the engine written, else the tier's).
  const sentinel = (cache.engine ?? d.engine) === 'sentinel';
  if (cache.allowFewerReplicas !== undefined && !d.requireHighAvailability) c.check(path.child('allowFewerReplicas'), 'applies only to prod');
  const before = c.problems.length;
  credentialProblems(c, cache, store, path, path.child('credentialsSecret'));
  // (Neither source written may be a typo the schema reports, with nothing here: no credentials either way.)
  const sourceWritten = c.problems.length === before && (cache.credentialsSecret !== undefined || cache.remoteKey !== undefined);

  const sentinelOptions: SentinelEngineOptions = {
    masterName: cache.masterName,
    quorum: cache.quorum,
    downAfter: seconds(cache.downAfterSeconds),
    failoverTimeout: seconds(cache.failoverTimeoutSeconds),
  };
  const engine = sentinel
    ? checked(c, validateSentinelOptions(sentinelOptions, path), () => RedisEngine.sentinel(sentinelOptions))
    : RedisEngine.standalone();
  const credentials = sourceWritten ? credentialsOf(c, cache, store, path) : undefined;
  if (!engine) return { problems: c.problems };
  const replicas = cache.replicas ?? (sentinel ? d.replicas : 1);
  const resources = resourcesWithDefaults(cache.resources, d.resources);
  const monitoring = cache.monitoring ?? true;
  const own: RedisCacheProps = {
    name,
    engine,
    replicas,
    // A standalone cache is one pod by design; the tier asks for a quorum only of Sentinel.
    requireHighAvailability: sentinel && d.requireHighAvailability && !(cache.allowFewerReplicas ?? false),
    image: cache.image,
    // The password's problems are reported above; a stand-in lets the rest of the entry be judged too (a bad
    // Secret name does not hide `replicas: 1` in prod). It is planned only without problems.
    credentials: credentials ?? STAND_IN_CREDENTIALS,
    storage: { size: cache.storage?.size ?? d.storageSize, storageClass: cache.storage?.storageClass },
    persistence: cache.persistence,
    resources,
    maxMemory: cache.maxMemory,
    maxMemoryPolicy: cache.maxMemoryPolicy,
    monitoring,
    alerts: cache.alerts,
    dashboard: cache.dashboard,
  };
  // The construct's own rule at the file's paths; the engine's options are flat in the entry.
  c.add(validateRedisCacheProps(name, { ...own, engine }, path, path, tierResourceDefaults(env.tier, cache.resources)));
  if (c.problems.length > 0 || !credentials) return { problems: c.problems };
  const props: RedisCacheProps = {
    ...own,
    monitoringNamespace: env.monitoringNamespace,
    partOf: env.partOf,
    placement: env.placement,
    instance: `${name}-${env.tier}`,
  };
  const demands = cachePodDemands(name, replicas, resources, sentinel, monitoring);
  return { plan: { name, demands, build: (scope) => new RedisCache(scope, name, props) }, problems: [] };
}

const SOURCES = ['credentialsSecret', 'remoteKey'];

/** Exactly one source of the password (reported at `sourcePath`); a store entry needs the environment's store. */
function credentialProblems(c: ProblemCollector, x: CredentialsConfig, store: SecretStore | undefined, path: FieldPath, sourcePath: FieldPath): void {
  const neither = x.credentialsSecret === undefined && x.remoteKey === undefined;
  if ((x.credentialsSecret === undefined) === (x.remoteKey === undefined) && !(neither && hasTypoOf(x, SOURCES))) {
    c.check(sourcePath, 'needs exactly one of credentialsSecret (an existing Secret with the password) or remoteKey (an entry of the secretStore)');
  }
  if (x.credentialsSecret !== undefined && x.passwordProperty !== undefined) c.check(path.child('passwordProperty'), 'applies only with remoteKey');
  if (x.remoteKey !== undefined && x.passwordKey !== undefined) c.check(path.child('passwordKey'), 'applies only with credentialsSecret');
  if (x.remoteKey !== undefined && !store) c.check(path.child('remoteKey'), "needs the environment's secretStore, which the password is read from");
}

/** The credentials at `path`: judged, then built. */
function credentialsOf(c: ProblemCollector, x: CredentialsConfig, store: SecretStore | undefined, path: FieldPath): RedisCredentials | undefined {
  return x.credentialsSecret !== undefined
    ? checked(c, validateSecretReference(x.credentialsSecret, { passwordKey: x.passwordKey }, path, path.child('credentialsSecret')), () =>
        RedisCredentials.fromSecret(x.credentialsSecret as string, { passwordKey: x.passwordKey }),
      )
    : checked(c, validateStoreReference(x.remoteKey, { passwordProperty: x.passwordProperty }, path), () =>
        RedisCredentials.fromExternalStore(store as SecretStore, x.remoteKey as string, { passwordProperty: x.passwordProperty }),
      );
}

/** An entry with `external`: a reference to a Redis outside the cluster (the schema admits no other key beside it). */
function externalCache(
  name: string,
  cache: CacheConfig,
  store: SecretStore | undefined,
  path: FieldPath,
): { plan?: CachePlan; problems: readonly Problem[] } {
  const c = new ProblemCollector();
  const x = cache.external ?? { host: '' };
  const at = path.child('external');
  credentialProblems(c, x, store, at, at);
  if (c.problems.length > 0) return { problems: c.problems };
  const credentials = credentialsOf(c, x, store, at);
  const reference = { host: x.host, port: x.port, tls: x.tls, database: x.database, cidr: x.cidr };
  c.add(validateExternalRedisProps(reference, at));
  if (!credentials || c.problems.length > 0) return { problems: c.problems };
  const props: ExternalRedisProps = { ...reference, credentials };
  return { plan: { name, demands: [], build: (scope) => RedisCache.fromExternal(scope, name, props) }, problems: [] };
}
