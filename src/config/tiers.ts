import { NamespaceQuota, ContainerLimits } from '../namespace/trading-namespace';
import { ResourceRequirements } from '../core/resources';
import type { ResourceField } from '../core/value-rules';
import { AutoscalingOptions, ResolvedAutoscaling } from '../api-service/scaling';
import type { EnvironmentConfig, ServiceConfig } from './types';

/** The environment tiers: development, staging, production. */
export type Tier = 'dev' | 'staging' | 'prod';

/** The tiers, in promotion order. */
export const TIERS: readonly Tier[] = ['dev', 'staging', 'prod'];

/** What a tier implies for a PostgreSQL cluster. */
export interface DatabaseTierDefaults {
  /** Engine. */
  readonly engine: 'cloudnative-pg' | 'statefulset';
  /** Instances. */
  readonly instances: number;
  /** Whether fewer than three instances need `allowFewerInstances`. */
  readonly requireHighAvailability: boolean;
  /** Whether a PgBouncer pooler runs unless turned off. */
  readonly pooler: boolean;
  /** Whether backups must be configured. */
  readonly requireBackup: boolean;
  /** Requests and limits of each instance. */
  readonly resources: ResourceRequirements;
  /** Volume size of each instance. */
  readonly storageSize: string;
}

/** What a tier implies for a Redis cache (a single instance in dev and staging, Sentinel in production). */
export interface CacheTierDefaults {
  /** Engine. */
  readonly engine: 'standalone' | 'sentinel';
  /** Pods. */
  readonly replicas: number;
  /** Whether fewer than three pods need `allowFewerReplicas`. */
  readonly requireHighAvailability: boolean;
  /** Requests and limits of the Redis container (`maxmemory` is 80 % of the memory limit). */
  readonly resources: ResourceRequirements;
  /** Volume size of each pod. */
  readonly storageSize: string;
}

/** What a tier implies for an API service and its namespace. */
export interface TierDefaults {
  /** Fixed replicas, when the tier does not autoscale. */
  readonly replicas?: number;
  /** Autoscaling range and targets, when the tier autoscales. */
  readonly autoscaling?: ResolvedAutoscaling;
  /** Container requests and limits. */
  readonly resources: ResourceRequirements;
  /** Whether an API service below two pods needs `allowFewerReplicas` (as databases and caches below three need theirs). */
  readonly requireHighAvailability: boolean;
  /** Whether untagged and `latest` images are accepted. */
  readonly allowLatestTag: boolean;
  /** Namespace ResourceQuota. */
  readonly quota: NamespaceQuota;
  /** Namespace LimitRange. */
  readonly containerLimits: ContainerLimits;
  /** PostgreSQL: a single StatefulSet in dev, a dedicated cluster in staging, an HA cluster with backups and pooling in production. */
  readonly database: DatabaseTierDefaults;
  /** Redis: one pod in dev and staging, a primary with two replicas and a Sentinel quorum in production. */
  readonly cache: CacheTierDefaults;
  /** Alerts: critical ones page in production only; dev and staging warn and never page. */
  readonly monitoring: { readonly warningOnly: boolean };
  /** Whether GitOps keeps the namespace, databases and caches when they leave Git (off in dev, where data is disposable). */
  readonly pruneProtection: boolean;
  /**
   * Whether the API workloads and the caches' StatefulSets are rolled by Stakater Reloader when a Secret they read
   * changes (staging and production, whose secrets come from the secret manager and are rotated; not dev).
   */
  readonly secretRotationReloader: boolean;
  /** Whether an Argo Rollouts blue-green release promotes itself once its analysis passes (production promotes by hand). */
  readonly autoPromotion: boolean;
  /** Whether Argo CD syncs the environment by itself (production syncs by hand). */
  readonly automatedSync: boolean;
}

/**
 * What each tier implies, for the API: replicas 1 / 2 / HPA 3–20,
 * CPU 250m→1000m / 500m→2000m / 500m→2000m, memory 256Mi→1Gi / 512Mi→2Gi / 512Mi→2Gi. Quotas leave
 * room for a few services at full scale plus a rollout's surge pod.
 */
export const TIER_DEFAULTS: Readonly<Record<Tier, TierDefaults>> = {
  dev: {
    replicas: 1,
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '1Gi' } },
    allowLatestTag: true,
    requireHighAvailability: false,
    quota: { requestsCpu: '4', requestsMemory: '8Gi', limitsCpu: '16', limitsMemory: '32Gi', pods: 30 },
    containerLimits: {
      defaultRequest: { cpu: '100m', memory: '128Mi' },
      defaultLimit: { cpu: '500m', memory: '512Mi' },
      max: { cpu: '2', memory: '4Gi' },
    },
    database: {
      engine: 'statefulset',
      instances: 1,
      requireHighAvailability: false,
      pooler: false,
      requireBackup: false,
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      storageSize: '5Gi',
    },
    cache: {
      engine: 'standalone',
      replicas: 1,
      requireHighAvailability: false,
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      storageSize: '1Gi',
    },
    monitoring: { warningOnly: true },
    pruneProtection: false,
    secretRotationReloader: false,
    autoPromotion: true,
    automatedSync: true,
  },
  staging: {
    replicas: 2,
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2000m', memory: '2Gi' } },
    allowLatestTag: false,
    requireHighAvailability: false,
    quota: { requestsCpu: '8', requestsMemory: '16Gi', limitsCpu: '32', limitsMemory: '64Gi', pods: 40 },
    containerLimits: {
      defaultRequest: { cpu: '100m', memory: '128Mi' },
      defaultLimit: { cpu: '500m', memory: '512Mi' },
      max: { cpu: '4', memory: '8Gi' },
    },
    database: {
      engine: 'cloudnative-pg',
      instances: 2,
      requireHighAvailability: false,
      pooler: false,
      requireBackup: false,
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } },
      storageSize: '20Gi',
    },
    cache: {
      engine: 'standalone',
      replicas: 1,
      requireHighAvailability: false,
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      storageSize: '2Gi',
    },
    monitoring: { warningOnly: true },
    pruneProtection: true,
    secretRotationReloader: true,
    autoPromotion: true,
    automatedSync: true,
  },
  prod: {
    autoscaling: { minReplicas: 3, maxReplicas: 20, cpuUtilization: 70, memoryUtilization: 80 },
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2000m', memory: '2Gi' } },
    allowLatestTag: false,
    requireHighAvailability: true,
    quota: { requestsCpu: '32', requestsMemory: '48Gi', limitsCpu: '128', limitsMemory: '128Gi', pods: 100 },
    containerLimits: {
      defaultRequest: { cpu: '100m', memory: '128Mi' },
      defaultLimit: { cpu: '500m', memory: '512Mi' },
      max: { cpu: '4', memory: '8Gi' },
    },
    database: {
      engine: 'cloudnative-pg',
      instances: 3,
      requireHighAvailability: true,
      pooler: true,
      requireBackup: true,
      resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '4', memory: '2Gi' } },
      storageSize: '50Gi',
    },
    cache: {
      engine: 'sentinel',
      replicas: 3,
      requireHighAvailability: true,
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } },
      storageSize: '5Gi',
    },
    monitoring: { warningOnly: false },
    pruneProtection: true,
    secretRotationReloader: true,
    autoPromotion: false,
    automatedSync: false,
  },
};

// The file's values completed with its tier's: every default an environment file leaves to its tier is taken here.

/** Requests and limits as a file gives them, each missing quantity taken from `defaults`. */
export type PartialResources = { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
export function resourcesWithDefaults(given: PartialResources | undefined, defaults: ResourceRequirements): ResourceRequirements {
  return {
    requests: { cpu: given?.requests?.cpu ?? defaults.requests.cpu, memory: given?.requests?.memory ?? defaults.requests.memory },
    limits: { cpu: given?.limits?.cpu ?? defaults.limits.cpu, memory: given?.limits?.memory ?? defaults.limits.memory },
  };
}

/**
 * Who set each request or limit the file does not: the tier, named so a message never quotes its default as
 * if the user had written it (`validateResources`' `defaultedBy`).
 */
export function tierResourceDefaults(tier: Tier, given: PartialResources | undefined): (field: ResourceField) => string | undefined {
  return (field) => {
    const [kind, resource] = field.split('.') as ['requests' | 'limits', 'cpu' | 'memory'];
    return given?.[kind]?.[resource] === undefined ? `the ${tier} tier` : undefined;
  };
}

/** Resources of a service: what the file gives, the tier's for the rest. */
export function serviceResources(tier: Tier, svc: ServiceConfig): ResourceRequirements {
  return resourcesWithDefaults(svc.resources, TIER_DEFAULTS[tier].resources);
}

/**
 * Autoscaling of a service (the file's values over the tier's; the library's defaults for the rest, when
 * `resolveAutoscaling` completes them), or `undefined` for fixed replicas.
 */
export function serviceAutoscaling(tier: Tier, svc: ServiceConfig): AutoscalingOptions | undefined {
  const d = TIER_DEFAULTS[tier].autoscaling;
  if (svc.replicas !== undefined || (!svc.autoscaling && !d)) return undefined;
  // A memory target of the limit replaces the tier's target of the request (the two exclude each other).
  const { memoryUtilization, ...tierRest } = d ?? {};
  const tierTargets = svc.autoscaling?.memoryOfLimit === undefined ? { ...tierRest, memoryUtilization } : tierRest;
  return { ...tierTargets, ...svc.autoscaling };
}

/** `the <tier> tier` when a bound of the service's autoscaling range is the tier's default, not written in the file. */
export function tierAutoscalingDefault(tier: Tier, svc: ServiceConfig, field: 'minReplicas' | 'maxReplicas'): string | undefined {
  return svc.autoscaling?.[field] === undefined && TIER_DEFAULTS[tier].autoscaling?.[field] !== undefined ? `the ${tier} tier` : undefined;
}

/** Replicas of a service when it does not autoscale: the file's, else the tier's. */
export function serviceReplicas(tier: Tier, svc: ServiceConfig): number {
  return svc.replicas ?? TIER_DEFAULTS[tier].replicas ?? 1;
}

/** The namespace quota: the file's values over the tier's. */
export function environmentQuota(env: EnvironmentConfig): Required<NonNullable<EnvironmentConfig['quota']>> {
  return { ...TIER_DEFAULTS[env.tier].quota, ...env.quota };
}

/** The namespace LimitRange: the file's values over the tier's, quantity by quantity. */
export function environmentContainerLimits(env: EnvironmentConfig): ContainerLimits {
  const tier = TIER_DEFAULTS[env.tier].containerLimits;
  const given = env.containerLimits ?? {};
  return {
    defaultRequest: { ...tier.defaultRequest, ...given.defaultRequest },
    defaultLimit: { ...tier.defaultLimit, ...given.defaultLimit },
    max: { ...tier.max, ...given.max },
  };
}
