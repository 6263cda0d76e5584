/**
 * An environment's plan built into constructs: one chart per environment (one validation pass per
 * environment, so synthesis stays linear in the number of services). Building is the last check: a
 * constructor that rejects its props raises problems that are reported against the file's field.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ConfigurationError, LocatedProblem } from '../core/validation';
import { TradingNamespace } from '../namespace/trading-namespace';
import { PolicyGate } from '../policy/policy-gate';
import { ICache } from '../core/cache';
import { IDatabase } from '../core/database';
import { Environment, parseEnvironment } from './environment';
import { cacheField } from './sections/cache';
import { databaseField } from './sections/database';
import { environmentObservability } from './sections/monitoring';
import { serviceField } from './sections/service';
import { MONITORING_CONTEXT } from '../monitoring/settings';
import { DNS_CONTEXT } from '../core/network-peer';
import { PRUNE_PROTECTION_CONTEXT } from '../core/prune-protection';
import { environmentContainerLimits, environmentQuota } from './tier-defaults';
import { TIER_DEFAULTS } from './tiers';

/**
 * Builds the constructs of one environment into a new chart named after it (in `scope`, a fresh App
 * by default), with a PolicyGate carrying the environment's waivers; returns the chart. Throws a
 * ConfigurationError with every problem, each as `file: field: message`.
 */
export function buildEnvironment(environment: Environment, scope: Construct = new App()): Chart {
  const env = environment.config;
  const problems: LocatedProblem[] = [];
  /** Runs `make`; what a constructor rejects is reported at the file's field. */
  const build = <T>(fieldOf: (propField: string) => string, make: () => T): T | undefined => {
    try {
      return make();
    } catch (e) {
      if (!(e instanceof ConfigurationError)) throw e;
      problems.push(...e.located.map((p) => ({ where: environment.file, field: fieldOf(p.field), message: p.message })));
      return undefined;
    }
  };
  const chart = new Chart(scope, environment.name, { namespace: env.namespace, disableResourceNameHashes: true });
  chart.node.setContext(MONITORING_CONTEXT, environmentObservability(env, environment.name));
  chart.node.setContext(PRUNE_PROTECTION_CONTEXT, env.pruneProtection ?? TIER_DEFAULTS[env.tier].pruneProtection);
  if (environment.plan.dns) chart.node.setContext(DNS_CONTEXT, environment.plan.dns);
  new PolicyGate(chart, 'PolicyGate', { allowLatestTag: TIER_DEFAULTS[env.tier].allowLatestTag, waivers: env.waivers });
  build((f) => (f === 'name' ? 'namespace' : f), () => new TradingNamespace(chart, 'Namespace', {
    name: env.namespace,
    partOf: env.partOf,
    quota: environmentQuota(env),
    containerLimits: environmentContainerLimits(env),
  }));
  const databases = new Map<string, IDatabase>();
  for (const db of environment.plan.databases) {
    const database = build((f) => databaseField(db, f), () => db.build(chart));
    if (database) databases.set(db.name, database);
  }
  const caches = new Map<string, ICache>();
  for (const plan of environment.plan.caches) {
    const cache = build((f) => cacheField(plan, f), () => plan.build(chart));
    if (cache) caches.set(plan.name, cache);
  }
  for (const svc of environment.plan.services) {
    const fieldOf = (f: string): string => serviceField(svc, f);
    const backend = build(fieldOf, () => svc.release.build(chart, svc.name, svc.props));
    if (!backend) continue;
    const database = svc.database === undefined ? undefined : databases.get(svc.database);
    if (database) build((f) => (f === 'readUrlVariable' ? `services.${svc.name}.readReplicas` : fieldOf(f)), () => backend.connectTo(database, svc.readReplicas ? { readUrlVariable: 'READ_DATABASE_URL' } : {}));
    const cache = svc.cache === undefined ? undefined : caches.get(svc.cache);
    if (cache) build(fieldOf, () => backend.connectTo(cache));
    for (const rule of svc.egress) backend.allowEgressTo(rule.peer, ...rule.ports.map((port) => ({ port })));
  }
  if (problems.length > 0) {
    // One cause, one line: the same rule broken by several constructs of one setting is said once.
    const lines = new Set<string>();
    throw new ConfigurationError(problems.filter((p) => {
      const key = `${p.field}\u0000${p.message}`;
      return !lines.has(key) && lines.add(key) !== undefined;
    }));
  }
  return chart;
}

/**
 * Every problem of an environment file, parsing and building included, each as `file: field: message`;
 * none when it would synthesize (policy rules aside).
 */
export function environmentProblems(name: string, file: string, text: string): string[] {
  const parsed = parseEnvironment(name, file, text);
  const environment = parsed.environment ?? parsed.draft;
  return environment ? [...parsed.problems, ...draftProblems(environment)] : parsed.problems;
}

/** The problems building `environment` finds (none when it builds). */
export function draftProblems(environment: Environment): string[] {
  try {
    buildEnvironment(environment);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigurationError)) throw e;
    return [...e.problems];
  }
}
