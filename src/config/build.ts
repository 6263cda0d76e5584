/**
 * An environment's plan built into constructs: one chart per environment (one validation pass per
 * environment, so synthesis stays linear in the number of services).
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { TradingNamespace } from '../namespace/trading-namespace';
import { PolicyGate } from '../policy/policy-gate';
import { ICache } from '../core/cache';
import { IDatabase } from '../core/database';
import { Environment, namespaceProps, parseEnvironment } from './environment';
import { environmentObservability } from './sections/monitoring';
import { READ_URL_VARIABLE, ServicePlan } from './sections/service';
import { MONITORING_CONTEXT } from '../monitoring/settings';
import { DNS_CONTEXT } from '../core/network-peer';
import { PRUNE_PROTECTION_CONTEXT } from '../core/prune-protection';
import { SECRET_ROTATION_CONTEXT } from '../core/secret-rotation';
import { TIER_DEFAULTS } from './tiers';

/**
 * Builds the constructs of one environment into a new chart named after it (in `scope`, a fresh App by
 * default), with a PolicyGate carrying the environment's waivers; returns the chart. The environment has
 * been checked when it was parsed, so the constructs accept their props.
 */
export function buildEnvironment(environment: Environment, scope: Construct = new App()): Chart {
  const env = environment.config;
  const chart = new Chart(scope, environment.name, { namespace: env.namespace, disableResourceNameHashes: true });
  chart.node.setContext(MONITORING_CONTEXT, environmentObservability(env, environment.name));
  chart.node.setContext(PRUNE_PROTECTION_CONTEXT, env.pruneProtection ?? TIER_DEFAULTS[env.tier].pruneProtection);
  chart.node.setContext(SECRET_ROTATION_CONTEXT, { reloader: env.secretRotation?.reloader ?? TIER_DEFAULTS[env.tier].secretRotationReloader });
  if (environment.plan.dns) chart.node.setContext(DNS_CONTEXT, environment.plan.dns);
  new PolicyGate(chart, 'PolicyGate', { allowLatestTag: TIER_DEFAULTS[env.tier].allowLatestTag, waivers: env.waivers });
  new TradingNamespace(chart, 'Namespace', namespaceProps(env));
  const databases = new Map<string, IDatabase>(environment.plan.databases.map((db) => [db.name, db.build(chart)]));
  const caches = new Map<string, ICache>(environment.plan.caches.map((cache) => [cache.name, cache.build(chart)]));
  const backends = new Map<string, ReturnType<ServicePlan['release']['build']>>();
  for (const svc of environment.plan.services) {
    const backend = svc.release.build(chart, svc.name, svc.props);
    backends.set(svc.name, backend);
    const database = svc.database === undefined ? undefined : databases.get(svc.database);
    if (database) backend.connectTo(database, svc.readReplicas ? { readUrlVariable: READ_URL_VARIABLE } : {});
    const cache = svc.cache === undefined ? undefined : caches.get(svc.cache);
    if (cache) backend.connectTo(cache);
    for (const rule of svc.egress) backend.allowEgressTo(rule.peer, ...rule.ports.map((port) => ({ port })));
  }
  for (const svc of environment.plan.services) {
    const upstream = svc.releaseAfter && backends.get(svc.releaseAfter.service);
    if (svc.releaseAfter && upstream) backends.get(svc.name)?.releaseAfter(upstream, svc.releaseAfter.options);
  }
  return chart;
}

/**
 * Every problem of an environment file, each as `file: field: message`; none when it would synthesize
 * (policy rules aside).
 */
export function environmentProblems(name: string, file: string, text: string): string[] {
  return parseEnvironment(name, file, text).problems;
}
