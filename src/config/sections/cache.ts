/**
 * One entry of `caches`: the tier's defaults filled in and turned into RedisCache props with the engine
 * and credentials factories (which check their arguments); the constructor checks the rest when the
 * environment is built. The Sentinel engine's fields are flat in the file (`quorum`, not `engine.quorum`).
 */
import { Construct } from 'constructs';
import { ICache } from '../../core/cache';
import { parseQuantity } from '../../core/quantity';
import { ResourceRequirements } from '../../core/resources';
import { SecretStore } from '../../core/secrets';
import { Problem, ProblemCollector } from '../../core/validation';
import { RedisCache, RedisCacheProps } from '../../redis/redis-cache';
import { RedisCredentials } from '../../redis/redis-credentials';
import { RedisEngine } from '../../redis/redis-engine';
import { ExternalRedisProps } from '../../redis/external-redis';
import { EXPORTER_RESOURCES, SENTINEL_RESOURCES } from '../../redis/redis-objects';
import { resourcesWithDefaults } from '../tier-defaults';
import { TIER_DEFAULTS } from '../tiers';
import type { CacheConfig, EnvironmentConfig, ExternalCacheConfig } from '../types';
import { seconds } from './durations';

/** A cache of an environment file, ready to build. */
export interface CachePlan {
  /** Its key in `caches`: construct id and name. */
  readonly name: string;
  /** Builds it (a RedisCache, or the reference to an external Redis) into `scope`. */
  build(scope: Construct): ICache;
  /** The field of the entry a construct's prop field stands for. */
  fieldOf(propField: string): string;
  /** Pods, and the requests and limits of each pod, every container summed (for the quota at full scale). */
  readonly pods: number;
  readonly podResources: ResourceRequirements;
}

const SENTINEL_KEYS = ['masterName', 'quorum', 'downAfterSeconds', 'failoverTimeoutSeconds'] as const;

/** The plan of one cache, or its problems (fields relative to the entry). */
export function cacheSection(env: EnvironmentConfig, name: string, cache: CacheConfig, store: SecretStore | undefined): { plan?: CachePlan; problems: readonly Problem[] } {
  if (cache.external) return externalCache(env, name, cache, cache.external, store);
  const c = new ProblemCollector();
  const d = TIER_DEFAULTS[env.tier].cache;
  const engineKind = cache.engine ?? d.engine;
  const sentinel = engineKind === 'sentinel';
  if (!sentinel) SENTINEL_KEYS.filter((k) => cache[k] !== undefined).forEach((k) => c.check(k, 'applies only to engine "sentinel"'));
  if (cache.allowFewerReplicas !== undefined && !d.requireHighAvailability) c.check('allowFewerReplicas', 'applies only to prod');
  credentialProblems(c, cache, store, '');
  if (c.problems.length > 0) return { problems: c.problems };

  const engine = sentinel
    ? c.attempt((f) => fileField(f), () => RedisEngine.sentinel({
      masterName: cache.masterName, quorum: cache.quorum, downAfter: seconds(cache.downAfterSeconds), failoverTimeout: seconds(cache.failoverTimeoutSeconds),
    }))
    : RedisEngine.standalone();
  const credentials = c.attempt(fileField, () => credentialsOf(cache, store));
  if (!engine || !credentials) return { problems: c.problems };
  const replicas = cache.replicas ?? (sentinel ? d.replicas : 1);
  const resources = resourcesWithDefaults(cache.resources, d.resources);
  const monitoring = cache.monitoring ?? true;
  const props: RedisCacheProps = {
    name,
    engine,
    replicas,
    // A standalone cache is one pod by design; the tier asks for a quorum only of Sentinel.
    requireHighAvailability: sentinel && d.requireHighAvailability && !(cache.allowFewerReplicas ?? false),
    image: cache.image,
    credentials,
    storage: { size: cache.storage?.size ?? d.storageSize, storageClass: cache.storage?.storageClass },
    persistence: cache.persistence,
    resources,
    maxMemory: cache.maxMemory,
    maxMemoryPolicy: cache.maxMemoryPolicy,
    monitoring,
    monitoringNamespace: env.monitoringNamespace,
    partOf: env.partOf,
    placement: env.placement,
    instance: `${name}-${env.tier}`,
  };
  const podResources = sumResources([resources, ...(sentinel ? [SENTINEL_RESOURCES] : []), ...(monitoring ? [EXPORTER_RESOURCES] : [])]);
  return {
    plan: { name, pods: replicas, podResources, build: (scope) => new RedisCache(scope, name, props), fieldOf: fileField },
    problems: [],
  };
}

/** Requests and limits of containers that share a pod, added up (CPU in millicores, memory in bytes); malformed ones are the constructor's to report. */
function sumResources(list: readonly ResourceRequirements[]): ResourceRequirements {
  const total = (pick: (r: ResourceRequirements) => string): number => list.reduce((n, r) => n + (parseQuantity(pick(r)) ?? NaN), 0);
  const cpu = (v: number): string => (Number.isNaN(v) ? 'invalid' : `${Math.round(v * 1000)}m`);
  const memory = (v: number): string => (Number.isNaN(v) ? 'invalid' : String(Math.round(v)));
  return {
    requests: { cpu: cpu(total((r) => r.requests.cpu)), memory: memory(total((r) => r.requests.memory)) },
    limits: { cpu: cpu(total((r) => r.limits.cpu)), memory: memory(total((r) => r.limits.memory)) },
  };
}

/** The key of the file a prop field stands for (`engine.downAfter` → `downAfterSeconds`, `credentials.secretName` → `credentialsSecret`). */
function fileField(propField: string): string {
  return propField
    .replace(/^engine\./, '')
    .replace(/^(downAfter|failoverTimeout)$/, '$1Seconds')
    .replace(/^secretName$/, 'credentialsSecret');
}

/** Exactly one source of the password; a store entry needs the environment's store. */
function credentialProblems(c: ProblemCollector, x: { credentialsSecret?: string; passwordKey?: string; remoteKey?: string; passwordProperty?: string }, store: SecretStore | undefined, prefix: string): void {
  if ((x.credentialsSecret === undefined) === (x.remoteKey === undefined)) {
    c.check(prefix || 'credentialsSecret', 'needs exactly one of credentialsSecret (an existing Secret with the password) or remoteKey (an entry of the secretStore)');
  }
  const at = (k: string): string => (prefix ? `${prefix}.${k}` : k);
  if (x.credentialsSecret !== undefined && x.passwordProperty !== undefined) c.check(at('passwordProperty'), 'applies only with remoteKey');
  if (x.remoteKey !== undefined && x.passwordKey !== undefined) c.check(at('passwordKey'), 'applies only with credentialsSecret');
  if (x.remoteKey !== undefined && !store) c.check(at('remoteKey'), "needs the environment's secretStore, which the password is read from");
}

function credentialsOf(x: { credentialsSecret?: string; passwordKey?: string; remoteKey?: string; passwordProperty?: string }, store: SecretStore | undefined): RedisCredentials {
  return x.credentialsSecret !== undefined
    ? RedisCredentials.fromSecret(x.credentialsSecret, { passwordKey: x.passwordKey })
    : RedisCredentials.fromExternalStore(store as SecretStore, x.remoteKey as string, { passwordProperty: x.passwordProperty });
}

/** An entry with `external`: a reference to a Redis outside the cluster; none of the in-cluster keys apply. */
function externalCache(_env: EnvironmentConfig, name: string, cache: CacheConfig, x: ExternalCacheConfig, store: SecretStore | undefined): { plan?: CachePlan; problems: readonly Problem[] } {
  const c = new ProblemCollector();
  for (const key of Object.keys(cache).filter((k) => k !== 'external')) c.check(key, 'does not apply to an external cache');
  credentialProblems(c, x, store, 'external');
  if (c.problems.length > 0) return { problems: c.problems };
  const credentials = c.attempt((f) => `external.${fileField(f)}`, () => credentialsOf(x, store));
  if (!credentials) return { problems: c.problems };
  const props: ExternalRedisProps = { host: x.host, port: x.port, tls: x.tls, database: x.database, cidr: x.cidr, credentials };
  return {
    plan: { name, pods: 0, podResources: sumResources([]), build: (scope) => RedisCache.fromExternal(scope, name, props), fieldOf: (f) => `external.${f}` },
    problems: [],
  };
}

/** Where a problem of a cache's construct belongs in the environment file. */
export function cacheField(plan: Pick<CachePlan, 'name' | 'fieldOf'>, propField: string): string {
  if (propField === 'monitoringNamespace' || propField === 'partOf') return propField;
  if (propField === 'name' || propField === 'instance' || propField === '') return `caches.${plan.name}`;
  return `caches.${plan.name}.${plan.fieldOf(propField)}`;
}
