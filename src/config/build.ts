/**
 * Pure mapping from a validated environment to constructs: one cdk8s App and one Chart per
 * environment (one validation pass per environment, so synthesis stays linear in the number of services).
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { BlueGreenEngine } from '../blue-green/blue-green-engine';
import { BlueGreenService } from '../blue-green/blue-green-service';
import { CanaryEngine, CanaryStep } from '../canary/canary-engine';
import { CanaryRollout } from '../canary/canary-rollout';
import { NetworkPeer } from '../core/network-peer';
import { applySyncWaves } from '../gitops/sync-waves';
import { TradingNamespace } from '../namespace/trading-namespace';
import { PolicyGate } from '../policy/policy-gate';
import { PostgresCluster } from '../postgres/postgres-cluster';
import { ApiServiceBase } from '../trading-backend/api-service-base';
import { Exposure } from '../trading-backend/exposure';
import { Migration } from '../trading-backend/migration';
import { Scaling } from '../trading-backend/scaling';
import { TradingBackend, TradingBackendProps } from '../trading-backend/trading-backend';
import { TIER_DEFAULTS } from './tiers';
import { secretRef, secretStore } from './environment';
import type { Environment, EnvironmentConfig, ServiceConfig } from './types';
import { databaseProps } from './database-config';
import { releaseKind } from './release-config';
import { environmentQuota, serviceAutoscaling, serviceReplicas, serviceResources } from './tier-defaults';

/** The props every API service construct shares, for one service of an environment file. */
export function backendProps(env: EnvironmentConfig, name: string, svc: ServiceConfig): Omit<TradingBackendProps, 'image'> & { image: string | undefined } {
  const autoscaling = serviceAutoscaling(env.tier, svc);
  const exposure = svc.exposure?.gateway
    ? Exposure.gateway(svc.exposure.gateway)
    : svc.exposure?.ingress
      ? Exposure.ingress(svc.exposure.ingress)
      : Exposure.none();
  const m = svc.migration;
  const migration =
    m?.mode === 'job'
      ? Migration.job({ command: m.command ?? [], backoffLimit: m.backoffLimit, activeDeadlineSeconds: m.activeDeadlineSeconds })
      : m?.mode === 'on-start'
        ? Migration.onStart({ startupTimeoutSeconds: m.startupTimeoutSeconds })
        : Migration.none();
  return {
    name,
    image: svc.image,
    allowLatestTag: TIER_DEFAULTS[env.tier].allowLatestTag,
    partOf: env.partOf,
    instance: `${name}-${env.tier}`,
    port: svc.port,
    metricsPort: svc.metricsPort,
    healthCheck: svc.healthCheck,
    scaling: autoscaling ? Scaling.autoscale(autoscaling) : Scaling.fixed(serviceReplicas(env.tier, svc)),
    resources: serviceResources(env.tier, svc),
    config: svc.config,
    secretEnv: Object.fromEntries(Object.entries(svc.secretEnv ?? {}).map(([k, v]) => [k, secretRef(v)])),
    secretStore: secretStore(env),
    exposure,
    migration,
    monitoring: { ...svc.monitoring, namespace: env.monitoringNamespace },
    rollout: svc.rollout,
    runAsUser: svc.runAsUser,
    networkPolicy: svc.networkPolicy,
    command: svc.command,
    args: svc.args,
  };
}

/** The construct for one service: TradingBackend, BlueGreenService or CanaryRollout, by its release. */
export function buildService(scope: Construct, env: EnvironmentConfig, name: string, svc: ServiceConfig): ApiServiceBase {
  const { image, ...props } = backendProps(env, name, svc);
  const r = svc.release;
  const allowLatestTag = TIER_DEFAULTS[env.tier].allowLatestTag;
  const analysis = r?.analysis;
  switch (releaseKind(r)) {
    case 'blue-green/service-switch':
      return new BlueGreenService(scope, name, {
        ...props,
        previewHost: r?.previewHost,
        engine: BlueGreenEngine.serviceSwitch({
          activeColor: r?.activeColor ?? 'blue', blueImage: r?.blueImage ?? '', greenImage: r?.greenImage ?? '',
          releaseColor: r?.releaseColor, scaleDownIdle: r?.scaleDownIdle, allowLatestTag,
        }),
      });
    case 'blue-green/argo-rollouts':
      return new BlueGreenService(scope, name, {
        ...props,
        previewHost: r?.previewHost,
        engine: BlueGreenEngine.argoRollouts({
          image: image ?? '', allowLatestTag, analysis, scaleDownDelaySeconds: r?.scaleDownDelaySeconds,
          // Production promotes by hand after the preview checks (seed 003); lower tiers promote on a passing analysis.
          autoPromotion: r?.autoPromotion ?? env.tier !== 'prod',
        }),
      });
    case 'canary/argo-rollouts':
      return new CanaryRollout(scope, name, {
        ...props,
        engine: CanaryEngine.argoRollouts({
          image: image ?? '', allowLatestTag, analysis, trafficRouting: r?.trafficRouting,
          steps: r?.steps?.map((step) => CanaryStep.fromData(step)),
        }),
      });
    case 'canary/weighted':
      return new CanaryRollout(scope, name, {
        ...props,
        engine: CanaryEngine.weighted({
          stableImage: r?.stableImage ?? '', canaryImage: r?.canaryImage ?? '', canaryWeight: r?.canaryWeight ?? 0,
          canaryReplicas: r?.canaryReplicas, allowLatestTag,
        }),
      });
    default:
      return new TradingBackend(scope, name, { ...props, image: image ?? '' });
  }
}

/**
 * Builds the constructs of one environment into a new chart named after it (in `scope`, a fresh App
 * by default), with a PolicyGate carrying the environment's waivers; returns the chart.
 */
export function buildEnvironment(environment: Environment, scope: Construct = new App()): Chart {
  const env = environment.config;
  const chart = new Chart(scope, environment.name, { namespace: env.namespace, disableResourceNameHashes: true });
  new PolicyGate(chart, 'PolicyGate', { allowLatestTag: TIER_DEFAULTS[env.tier].allowLatestTag, waivers: env.waivers });
  new TradingNamespace(chart, 'Namespace', {
    name: env.namespace,
    partOf: env.partOf,
    quota: environmentQuota(env),
    containerLimits: TIER_DEFAULTS[env.tier].containerLimits,
  });
  const databases = new Map<string, PostgresCluster>();
  for (const [name, db] of Object.entries(env.databases ?? {})) {
    databases.set(name, new PostgresCluster(chart, name, databaseProps(env, name, db)));
  }
  for (const [name, svc] of Object.entries(env.services)) {
    const backend = buildService(chart, env, name, svc);
    const database = svc.database === undefined ? undefined : databases.get(svc.database);
    if (database) backend.connectTo(database);
    for (const rule of svc.egress ?? []) {
      const peer = rule.namespace !== undefined ? NetworkPeer.namespace(rule.namespace) : NetworkPeer.cidr(rule.cidr ?? '');
      backend.allowEgressTo(peer, ...rule.ports.map((port) => ({ port })));
    }
  }
  applySyncWaves(chart);
  return chart;
}
