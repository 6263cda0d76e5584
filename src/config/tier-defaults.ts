/** Environment-file values with the tier's defaults (TIER_DEFAULTS) filled in. */
import { ResourceRequirements } from '../core/resources';
import type { ContainerLimits } from '../namespace/trading-namespace';
import { Tier, TIER_DEFAULTS } from './tiers';
import type { EnvironmentConfig, ServiceConfig } from './types';

/** Requests and limits as a file gives them, each missing quantity taken from `defaults`. */
type PartialResources = { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
export function resourcesWithDefaults(given: PartialResources | undefined, defaults: ResourceRequirements): ResourceRequirements {
  return {
    requests: { cpu: given?.requests?.cpu ?? defaults.requests.cpu, memory: given?.requests?.memory ?? defaults.requests.memory },
    limits: { cpu: given?.limits?.cpu ?? defaults.limits.cpu, memory: given?.limits?.memory ?? defaults.limits.memory },
  };
}

/** Resources of a service: what the file gives, the tier's matrix row for the rest. */
export function serviceResources(tier: Tier, svc: ServiceConfig): ResourceRequirements {
  return resourcesWithDefaults(svc.resources, TIER_DEFAULTS[tier].resources);
}

/** Autoscaling of a service, or `undefined` for fixed replicas. */
export function serviceAutoscaling(tier: Tier, svc: ServiceConfig): Required<NonNullable<ServiceConfig['autoscaling']>> | undefined {
  const d = TIER_DEFAULTS[tier].autoscaling;
  if (svc.replicas !== undefined) return undefined;
  if (!svc.autoscaling && !d) return undefined;
  return {
    minReplicas: svc.autoscaling?.minReplicas ?? d?.minReplicas ?? 3,
    maxReplicas: svc.autoscaling?.maxReplicas ?? d?.maxReplicas ?? 20,
    cpuUtilization: svc.autoscaling?.cpuUtilization ?? d?.cpuUtilization ?? 70,
    memoryUtilization: svc.autoscaling?.memoryUtilization ?? d?.memoryUtilization ?? 80,
  };
}

/** Replicas of a service when it does not autoscale. */
export function serviceReplicas(tier: Tier, svc: ServiceConfig): number {
  return svc.replicas ?? TIER_DEFAULTS[tier].replicas ?? 2;
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
