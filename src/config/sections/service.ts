/**
 * One entry of `services`: turned into the props of its construct by the library's own factories
 * (`Scaling`, `Exposure`, `Migration`, `SecretRef`, the release engines), which check their arguments.
 * The construct's constructor checks the rest when the environment is built; `fieldOf` says where each
 * of its props is in the file.
 */
import { NetworkPeer } from '../../core/network-peer';
import { ResourceRequirements } from '../../core/resources';
import { checkPort } from '../../core/rules';
import { SecretRef, SecretStore } from '../../core/secrets';
import { Problem, ProblemCollector } from '../../core/validation';
import { Exposure } from '../../trading-backend/exposure';
import { Migration } from '../../trading-backend/migration';
import { Scaling } from '../../trading-backend/scaling';
import { serviceAutoscaling, serviceReplicas, serviceResources } from '../tier-defaults';
import type { EnvironmentConfig, SecretEnvConfig, ServiceConfig } from '../types';
import { durationOf, seconds, secondsField } from './durations';
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
}

/** The SecretRef a config entry stands for. */
export function secretRef(entry: SecretEnvConfig): SecretRef {
  return 'remoteKey' in entry
    ? SecretRef.fromExternalStore(entry.remoteKey, entry.property)
    : SecretRef.fromSecret(entry.secretName, entry.key);
}

/** The store of an environment, when it has one. */
export function secretStore(env: EnvironmentConfig): SecretStore | undefined {
  if (!env.secretStore) return undefined;
  return env.secretStore.kind === 'SecretStore'
    ? SecretStore.namespaced(env.secretStore.name)
    : SecretStore.cluster(env.secretStore.name);
}

/** The plan of one service, or its problems (fields relative to the service). */
export function serviceSection(env: EnvironmentConfig, name: string, svc: ServiceConfig, store: SecretStore | undefined): { plan?: ServicePlan; problems: readonly Problem[] } {
  const c = new ProblemCollector();
  const secretEnv: Record<string, SecretRef> = {};
  for (const [variable, entry] of Object.entries(svc.secretEnv ?? {})) {
    const ref = c.attempt(`secretEnv.${variable}`, () => secretRef(entry));
    if (ref) secretEnv[variable] = ref;
  }
  const external = Object.entries(secretEnv).filter(([, ref]) => ref.isExternal).map(([variable]) => variable);
  if (external.length > 0 && !env.secretStore) {
    c.check('secretEnv', `needs the environment's secretStore, which is required because ${external.join(', ')} ${external.length === 1 ? 'comes' : 'come'} from an external store`);
  }
  if (svc.replicas !== undefined && svc.autoscaling !== undefined) c.check('autoscaling', 'set either replicas or autoscaling, not both');
  const autoscaling = serviceAutoscaling(env.tier, svc);
  const scaling = autoscaling
    ? c.attempt('autoscaling', () => Scaling.autoscale(autoscaling))
    : c.attempt('replicas', () => Scaling.fixed(serviceReplicas(env.tier, svc)));
  const gateway = svc.exposure?.gateway;
  const ingress = svc.exposure?.ingress;
  const exposure = gateway
    ? c.attempt('exposure.gateway', () => Exposure.gateway(gateway))
    : ingress ? c.attempt('exposure.ingress', () => Exposure.ingress(ingress)) : Exposure.none();
  const migration = migrationOf(svc, c);
  // The peer factories check the namespace or address block, as they do for the TypeScript API.
  const egress = (svc.egress ?? []).flatMap((rule, i) => {
    const peer = rule.namespace !== undefined
      ? c.attempt(() => `egress[${i}].namespace`, () => NetworkPeer.namespace(rule.namespace as string))
      : rule.cidr !== undefined
        ? c.attempt(() => `egress[${i}].cidr`, () => NetworkPeer.cidr(rule.cidr as string))
        : (c.check(`egress[${i}]`, 'needs one of namespace or cidr'), undefined);
    rule.ports.forEach((port, j) => c.check(`egress[${i}].ports[${j}]`, checkPort(port)));
    return peer ? [{ peer, ports: rule.ports }] : [];
  });
  const monitoringInterval = durationOf(c, 'monitoring.interval', svc.monitoring?.interval);
  if (svc.readReplicas && svc.database === undefined) c.check('readReplicas', 'needs a database: set database: <name>');
  const release = releaseSection(env, svc);
  c.nest('', release.problems);
  const resources = serviceResources(env.tier, svc);
  const maxReplicas = autoscaling?.maxReplicas ?? serviceReplicas(env.tier, svc);
  if (c.problems.length > 0 || !release.plan) return { problems: c.problems };
  const props: BaseServiceProps = {
    name,
    partOf: env.partOf,
    placement: env.placement,
    instance: `${name}-${env.tier}`,
    port: svc.port,
    metricsPort: svc.metricsPort,
    healthCheck: svc.healthCheck,
    scaling,
    resources,
    config: svc.config,
    secretEnv,
    secretStore: store,
    exposure,
    migration,
    monitoring: { ...svc.monitoring, interval: monitoringInterval, namespace: env.monitoringNamespace },
    rollout: svc.rollout && {
      minReady: seconds(svc.rollout.minReadySeconds),
      drain: seconds(svc.rollout.drainSeconds),
      terminationGracePeriod: seconds(svc.rollout.terminationGracePeriodSeconds),
      restartToken: svc.rollout.restartToken,
    },
    runAsUser: svc.runAsUser,
    networkPolicy: svc.networkPolicy,
    command: svc.command,
    args: svc.args,
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
      podsAtFullScale: release.plan.podsAtFullScale(maxReplicas),
    },
    problems: [],
  };
}

function migrationOf(svc: ServiceConfig, c: ProblemCollector): Migration | undefined {
  const m = svc.migration;
  const jobOnly = ['command', 'backoffLimit', 'activeDeadlineSeconds', 'backupFirst', 'backupTimeoutSeconds'] as const;
  if (!m || m.mode === 'none') {
    for (const k of jobOnly) if (m?.[k] !== undefined) c.check(`migration.${k}`, 'applies only to mode "job"');
    if (m?.startupTimeoutSeconds !== undefined) c.check('migration.startupTimeoutSeconds', 'applies only to mode "on-start"');
    return Migration.none();
  }
  if (m.mode === 'job') {
    if (m.startupTimeoutSeconds !== undefined) c.check('migration.startupTimeoutSeconds', 'applies only to mode "on-start"');
    // A missing command is the factory's to report, in its words.
    return c.attempt((f) => `migration.${secondsField(f)}`, () => Migration.job({
      command: m.command as string[], backoffLimit: m.backoffLimit, activeDeadline: seconds(m.activeDeadlineSeconds),
      backupFirst: m.backupFirst, backupTimeout: seconds(m.backupTimeoutSeconds),
    }));
  }
  for (const k of jobOnly) if (m[k] !== undefined) c.check(`migration.${k}`, 'applies only to mode "job"');
  return c.attempt((f) => `migration.${secondsField(f)}`, () => Migration.onStart({ startupTimeout: seconds(m.startupTimeoutSeconds) }));
}

/**
 * Where a problem of a service's construct belongs in the environment file: its own fields under
 * `services.<name>`, the environment-wide ones (`monitoringNamespace`, `partOf`) at the top.
 */
export function serviceField(plan: Pick<ServicePlan, 'name' | 'release'>, propField: string): string {
  if (propField === 'monitoring.namespace') return 'monitoringNamespace';
  if (propField === 'partOf' || propField === 'secretStore') return propField;
  if (propField === 'name' || propField === 'instance') return `services.${plan.name}`;
  const field = plan.release.fieldOf(secondsField(propField));
  return field ? `services.${plan.name}.${field}` : `services.${plan.name}`;
}
