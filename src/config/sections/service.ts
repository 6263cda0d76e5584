/**
 * One entry of `services`: each value judged by the library's own rules at the path the file gives it,
 * then built with the factories (`Scaling`, `Exposure`, `Migration`, `SecretRef`, the release engines)
 * into the props of its construct. The environment-wide values (`partOf`, `placement`,
 * `monitoringNamespace`, `secretStore`) are judged once at the top of the file, not per service.
 */
import { FieldPath } from '../../core/field-path';
import { NetworkPeer } from '../../core/network-peer';
import { ResourceRequirements } from '../../core/resources';
import { checkCidr, checkDnsLabel, checkPort } from '../../core/value-rules';
import { SecretRef, SecretStore, validateSecretReference, validateStoreReference } from '../../core/secrets';
import { Problem, ProblemCollector } from '../../core/problems';
import { DrainHook } from '../../api-service/drain-hook';
import { Exposure, validateGatewayExposure, validateIngressExposure } from '../../api-service/exposure';
import { Migration, validateJobMigration, validateOnStart } from '../../api-service/migration';
import { resolveAutoscaling, Scaling, validateAutoscaling, validateFixed } from '../../api-service/scaling';
import { validateApiServiceProps } from '../../api-service/api-service-rules';
import { ReleaseAfterOptions, validateReleaseAfterOptions } from '../../api-service/release-after';
import { serviceAutoscaling, serviceReplicas, serviceResources, TIER_DEFAULTS, tierAutoscalingDefault, tierResourceDefaults } from '../tiers';
import type { EnvironmentConfig, SecretEnvConfig, ServiceConfig } from '../types';
import { checked } from './checked';
import { durationOf, seconds } from './durations';
import { BaseServiceProps, ReleasePlan, releaseSection } from './release';

/** A service of an environment file, ready to build. */
export interface ServicePlan {
  /** The service's key in the file; its construct id and name. */
  readonly name: string;
  /** The props every API service construct shares. */
  readonly props: BaseServiceProps;
  /** How it releases and builds. */
  readonly release: ReleasePlan;
  /** The database it connects to, by its key in `databases`. */
  readonly database?: string;
  /** Whether it also gets READ_DATABASE_URL, through the database's replicas. */
  readonly readReplicas: boolean;
  /** The cache it connects to, by its key in `caches`. */
  readonly cache?: string;
  /** Extra egress rules. */
  readonly egress: ReadonlyArray<{ readonly peer: NetworkPeer; readonly ports: readonly number[] }>;
  /** Requests and limits of each pod. */
  readonly resources: ResourceRequirements;
  /** Pods at full scale, with every colour, canary and surge pod. */
  readonly podsAtFullScale: number;
  /** The service it releases after, by its key in `services`, and how. */
  readonly releaseAfter?: { readonly service: string; readonly options: ReleaseAfterOptions };
}

/** The variable a service that reads from its database's replicas (`readReplicas: true`) gets their URL in. */
export const READ_URL_VARIABLE = 'READ_DATABASE_URL';

/** The store of an environment, when it has one (its name is judged at the top of the file). */
export function secretStore(env: EnvironmentConfig): SecretStore | undefined {
  if (!env.secretStore) return undefined;
  return env.secretStore.kind === 'SecretStore' ? SecretStore.namespaced(env.secretStore.name) : SecretStore.cluster(env.secretStore.name);
}

/** A `secretEnv` entry: judged at `path`, then the SecretRef it stands for. */
function secretRefOf(c: ProblemCollector, entry: SecretEnvConfig, path: FieldPath): SecretRef | undefined {
  return 'remoteKey' in entry
    ? checked(c, validateStoreReference(entry.remoteKey, { property: entry.property }, path), () =>
        SecretRef.fromExternalStore(entry.remoteKey, entry.property),
      )
    : checked(c, validateSecretReference(entry.secretName, { key: entry.key }, path), () => SecretRef.fromSecret(entry.secretName, entry.key));
}

/** What a service runs at full scale (its workloads, as its engine counts them, and its Jobs), and what each pod requests and may use. */
export interface ServiceCapacity {
  readonly name: string;
  readonly podsAtFullScale: number;
  readonly resources: ResourceRequirements;
  /** How it migrates (a Job runs a pod). */
  readonly migration: Migration;
  /** Whether its release runs the smoke check's Job. */
  readonly runsSmokeTest: boolean;
}

/**
 * The plan of the service at `path` (`services.<name>`), or its problems, each at its path in the file;
 * its capacity whenever its release can say how many pods it runs (so the quota is judged in the same run).
 */
export function serviceSection(
  env: EnvironmentConfig,
  name: string,
  svc: ServiceConfig,
  store: SecretStore | undefined,
  path: FieldPath,
  releaseRejected = false,
): { plan?: ServicePlan; capacity?: ServiceCapacity; problems: readonly Problem[] } {
  const c = new ProblemCollector();
  const secretEnv: Record<string, SecretRef> = {};
  for (const [variable, entry] of Object.entries(svc.secretEnv ?? {})) {
    const ref = secretRefOf(c, entry, path.child(`secretEnv.${variable}`));
    if (ref) secretEnv[variable] = ref;
  }
  if (svc.replicas !== undefined && svc.autoscaling !== undefined) c.check(path.child('autoscaling'), 'set either replicas or autoscaling, not both');
  const requireHighAvailability = TIER_DEFAULTS[env.tier].requireHighAvailability;
  if (svc.allowFewerReplicas !== undefined && !requireHighAvailability) c.check(path.child('allowFewerReplicas'), 'applies only to prod');
  const given = serviceAutoscaling(env.tier, svc);
  const autoscaling = given && resolveAutoscaling(given);
  const replicas = serviceReplicas(env.tier, svc);
  const scaling = autoscaling
    ? checked(
        c,
        validateAutoscaling(autoscaling, path.child('autoscaling'), (f) => tierAutoscalingDefault(env.tier, svc, f)),
        () => Scaling.autoscale(autoscaling),
      )
    : checked(c, validateFixed(replicas, path), () => Scaling.fixed(replicas));
  const gatewayConfig = svc.exposure?.gateway;
  const gateway = gatewayConfig && {
    ...gatewayConfig,
    hsts: gatewayConfig.hsts && { includeSubDomains: gatewayConfig.hsts.includeSubDomains, maxAge: seconds(gatewayConfig.hsts.maxAgeSeconds) },
  };
  const ingress = svc.exposure?.ingress;
  const exposure = gateway
    ? checked(c, validateGatewayExposure(gateway, path.child('exposure.gateway')), () => Exposure.gateway(gateway))
    : ingress
      ? checked(c, validateIngressExposure(ingress, path.child('exposure.ingress')), () => Exposure.ingress(ingress))
      : Exposure.none();
  const migration = migrationOf(c, svc, path.child('migration'));
  const egress = (svc.egress ?? []).flatMap((rule, i) => {
    const at = path.child('egress').index(i);
    const peer =
      rule.namespace !== undefined
        ? checked(c, problemAt(at.child('namespace'), checkDnsLabel(rule.namespace)), () => NetworkPeer.namespace(rule.namespace as string))
        : rule.cidr !== undefined
          ? checked(c, problemAt(at.child('cidr'), checkCidr(rule.cidr)), () => NetworkPeer.cidr(rule.cidr as string))
          : (c.check(at, 'needs one of namespace or cidr'), undefined);
    rule.ports.forEach((port, j) => c.check(at.child('ports').index(j), checkPort(port)));
    return peer ? [{ peer, ports: rule.ports }] : [];
  });
  const monitoringInterval = durationOf(c, path.child('monitoring.interval'), svc.monitoring?.interval);
  if (svc.readReplicas && svc.database === undefined) c.check(path.child('readReplicas'), 'needs a database: set database: <name>');
  const releaseAfter = svc.releaseAfter && {
    service: svc.releaseAfter.service,
    options: { stabilization: seconds(svc.releaseAfter.stabilizationSeconds), image: svc.releaseAfter.image },
  };
  if (releaseAfter) {
    c.add(validateReleaseAfterOptions(releaseAfter.options, TIER_DEFAULTS[env.tier].allowLatestTag, path.child('releaseAfter')));
  }
  // A release the schema rejected says nothing of which image runs: the service's other values are judged alone.
  const release: ReturnType<typeof releaseSection> = releaseRejected ? { usesServiceImage: false, problems: [] } : releaseSection(env, svc, path);
  c.add(release.problems);
  const resources = serviceResources(env.tier, svc);
  // Judged whole even when a part could not be built (a bad host, an empty migration command): the rest of the
  // service (its image, ports, resources) still gets its findings; only a service with every part is planned.
  const judged = {
    name,
    port: svc.port,
    metricsPort: svc.metricsPort,
    healthCheck: svc.healthCheck,
    scaling,
    requireHighAvailability: requireHighAvailability && !(svc.allowFewerReplicas ?? false),
    resources,
    config: svc.config,
    secretEnv,
    secretStore: store,
    exposure,
    migration,
    monitoring: { ...svc.monitoring, interval: monitoringInterval },
    rollout: svc.rollout && {
      minReady: seconds(svc.rollout.minReadySeconds),
      drain: seconds(svc.rollout.drainSeconds),
      terminationGracePeriod: seconds(svc.rollout.terminationGracePeriodSeconds),
      restartToken: svc.rollout.restartToken,
      drainHook: svc.rollout.drainHook && DrainHook.fromName(svc.rollout.drainHook),
    },
    runAsUser: svc.runAsUser,
    networkPolicy: svc.networkPolicy,
    command: svc.command,
    args: svc.args,
  };
  const own: BaseServiceProps | undefined = scaling && exposure && migration && { ...judged, scaling, exposure, migration };
  // The construct's own rule, at the file's paths; an image the release names is judged with the release.
  const image =
    release.usesServiceImage && svc.image !== undefined ? { image: svc.image, allowLatestTag: TIER_DEFAULTS[env.tier].allowLatestTag } : {};
  // Too few pods is said where the count is written: `replicas`, else `autoscaling.minReplicas` (the tier's own is enough).
  const scalingPath = path.child(svc.replicas !== undefined ? 'replicas' : 'autoscaling.minReplicas');
  const tierDefault = tierResourceDefaults(env.tier, svc.resources);
  c.add(validateApiServiceProps(name, { ...judged, ...image }, path, FieldPath.file().child('secretStore'), scalingPath, tierDefault));
  // Counted toward the quota once its scale is known (a scale out of range says nothing about the quota).
  const capacity = release.plan &&
    scaling && {
      name,
      podsAtFullScale: release.plan.podsAtFullScale(autoscaling?.maxReplicas ?? replicas),
      resources,
      migration: migration ?? Migration.none(),
      runsSmokeTest: release.plan.runsSmokeTest,
    };
  if (c.problems.length > 0 || !release.plan || !own) return { capacity, problems: c.problems };
  const props: BaseServiceProps = {
    ...own,
    partOf: env.partOf,
    placement: env.placement,
    instance: `${name}-${env.tier}`,
    monitoring: { ...own.monitoring, namespace: env.monitoringNamespace },
  };
  return {
    plan: {
      name,
      props,
      release: release.plan,
      database: svc.database,
      readReplicas: svc.readReplicas ?? false,
      cache: svc.cache,
      egress,
      resources,
      podsAtFullScale: release.plan.podsAtFullScale(autoscaling?.maxReplicas ?? replicas),
      ...(releaseAfter ? { releaseAfter } : {}),
    },
    capacity,
    problems: [],
  };
}

/** A problem at `path` when `message` is defined. */
function problemAt(path: FieldPath, message: string | undefined): Problem[] {
  return message === undefined ? [] : [{ field: String(path), message }];
}

/** The migration at `path` (its keys are the schema's branch of its mode): its options judged, then built. */
function migrationOf(c: ProblemCollector, svc: ServiceConfig, path: FieldPath): Migration | undefined {
  const m = svc.migration;
  if (!m || m.mode === 'none') return Migration.none();
  if (m.mode === 'job') {
    const options = {
      command: m.command as string[],
      backoffLimit: m.backoffLimit,
      activeDeadline: seconds(m.activeDeadlineSeconds),
      backupFirst: m.backupFirst,
      backupTimeout: seconds(m.backupTimeoutSeconds),
      rollbackCommand: m.rollbackCommand as string[] | undefined,
    };
    return checked(c, validateJobMigration(options, path), () => Migration.job(options));
  }
  const options = { startupTimeout: seconds(m.startupTimeoutSeconds) };
  return checked(c, validateOnStart(options, path), () => Migration.onStart(options));
}
