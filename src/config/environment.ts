/**
 * Environment files: parsed, checked against `environment.schema.json`, then turned into a plan (the
 * props of every construct) by one adapter per section. Each adapter is given the path of what it reads
 * and judges it with the library's own rules (the ones the constructs and factories run) at that path, so
 * every problem is created where it is found; a plan is only built when the file has none.
 */
import { validateSecretRotation } from '../core/secret-rotation';
import { quotaProblems } from '../core/pod-demand';
import { serviceDemands } from '../api-service/service-demand';
import { runsReleaseWait } from '../api-service/release-after';
import { seconds } from './sections/durations';
import { checkDnsLabel, checkHostname } from '../core/value-rules';
import { ClusterDns, validateClusterDns } from '../core/network-peer';
import { validatePlacement } from '../core/placement';
import { checkOnSuccess, validateSlackOptions } from '../gitops/notifications';
import { validateClientAsk } from '../core/connection';
import { FieldPath } from '../core/field-path';
import { validateStoreName } from '../core/secrets';
import { Problem, ProblemCollector, show } from '../core/problems';
import { validateObservabilityOptions } from '../monitoring/settings';
import { TradingNamespaceProps, validateTradingNamespaceProps } from '../namespace/trading-namespace';
import schema from './environment.schema.json';
import { CachePlan, cacheSection } from './sections/cache';
import { DatabasePlan, databaseSection } from './sections/database';
import { monitoringProblems } from './sections/monitoring';
import { checked } from './sections/checked';
import { READ_URL_VARIABLE, secretStore, ServiceCapacity, ServicePlan, serviceSection } from './sections/service';
import { environmentContainerLimits, environmentQuota, PartialResources, resourcesWithDefaults, serviceResources, TIER_DEFAULTS } from './tiers';
import { ResourceRequirements } from '../core/resources';
import { parseQuantity } from '../core/quantity';
import type { EnvironmentConfig } from './types';
import { credentialProblems, inFile, parseAndCheckSchema, readableData } from './yaml-file';
import { closest } from '../core/closest';

/** What an environment file stands for: every construct's props, checked, ready to build. */
export interface EnvironmentPlan {
  readonly services: readonly ServicePlan[];
  readonly databases: readonly DatabasePlan[];
  readonly caches: readonly CachePlan[];
  /** The cluster DNS every pod's egress allows, when the file names one (and it is valid). */
  readonly dns?: ClusterDns;
}

/** A checked environment. */
export interface Environment {
  /** Environment name: the file name without `.yaml`; also its folder under `dist/`. */
  readonly name: string;
  /** The file it was read from, as shown in messages. */
  readonly file: string;
  /** The file's content. */
  readonly config: EnvironmentConfig;
  /**
   * What to build.
   * @internal
   */
  readonly plan: EnvironmentPlan;
}

/** What parsing an environment file found. */
export interface ParsedEnvironment {
  /** The environment, when the file has no problem. */
  readonly environment?: Environment;
  /** Every problem, as `file: field: message`. */
  readonly problems: string[];
}

/**
 * Parses and checks one environment file; returns the environment (with its plan) or every problem in
 * it, each as `file: field: message`.
 */
export function parseEnvironment(name: string, file: string, text: string): ParsedEnvironment {
  const named = environmentNameProblems(name);
  const parsed = parseAndCheckSchema(text, schema, DISCRIMINATORS);
  if (parsed.data === undefined) return { problems: inFile(file, [...named, ...parsed.problems]) };
  // A credential in any field, said whatever else the file has (a field with a problem of its own says it there).
  const pasted = credentialProblems(parsed.data, new Set(parsed.problems.map((p) => p.field)));
  // The value rules read what the schema admits: a value it rejects is absent for them, and what they
  // would say about it is the schema's to say. A whole entry rejected is skipped; a value rejected outside
  // the entries leaves the file to the schema.
  const readable = readableData(parsed.data, parsed.schemaErrors, DISCRIMINATORS, 3);
  const entries = readable.rejected.map((field) => entryOf(field));
  if (entries.some((entry) => entry === undefined)) return { problems: inFile(file, [...named, ...parsed.problems, ...pasted]) };
  const wholeEntries = new Set(entries.filter((e): e is { entry: string; whole: boolean } => e !== undefined && e.whole).map((e) => e.entry));
  const planned = planEnvironment(readable.data as EnvironmentConfig, wholeEntries, readable.rejected);
  const said = [...readable.rejected, ...readable.unread];
  // A key the schema found misspelt (`backups`, did you mean "backup"?) is there: a rule's "backup: is required" is that typo again.
  const misspelt = new Set(
    parsed.problems.flatMap((p) => {
      const guess = /^unknown key \(did you mean "([^"]+)"/.exec(p.message)?.[1];
      return guess === undefined ? [] : [p.field.replace(/[^.]+$/, guess)];
    }),
  );
  const derived = (p: Problem): boolean => said.some((f) => within(p.field, f)) || (misspelt.has(p.field) && p.message.startsWith('is required'));
  const own = planned.problems.filter((p) => !derived(p));
  const problems = [...named, ...parsed.problems, ...own, ...pasted.filter((p) => !own.some((o) => o.field === p.field))];
  // The environment's name labels its alerts unless the file names the environment (a name that is no name is said above).
  const config = parsed.data as EnvironmentConfig;
  if (config.monitoring?.environment === undefined && named.length === 0) {
    for (const p of validateObservabilityOptions({ environment: name })) {
      problems.push({ field: 'monitoring.environment', message: `${p.message}; the file's name is the label unless you set it` });
    }
  }
  if (problems.length > 0) return { problems: inFile(file, problems) };
  return { environment: { name, file, config: parsed.data as EnvironmentConfig, plan: planned.plan }, problems: [] };
}

/**
 * The file's name is the environment's: its folder in `dist/`, its chart, its Argo CD Application and Flux
 * Kustomizations (`<project>-<name>`) and its alerts' label. A name Kubernetes cannot take is the file's problem,
 * found before anything is built or written.
 */
function environmentNameProblems(name: string): Problem[] {
  if (checkDnsLabel(name, MAX_ENVIRONMENT_NAME_LENGTH) === undefined) return [];
  return [
    {
      field: '',
      message:
        `the file name ${show(name)} is not a valid environment name (it names the folder in dist/, the GitOps applications and the alerts' ` +
        `label): use at most ${MAX_ENVIRONMENT_NAME_LENGTH} lower-case letters, digits and "-", starting and ending with a letter or digit, like ` +
        `"${suggestedName(name)}.yaml"`,
    },
  ];
}

/** GitOps objects carry `app.kubernetes.io/instance: <project>-<name>`, a label value of 63 characters with a project of up to 40. */
const MAX_ENVIRONMENT_NAME_LENGTH = 22;

/** A valid spelling of `name`, to suggest. */
export function suggestedName(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_ENVIRONMENT_NAME_LENGTH)
    .replace(/-+$/, '');
  return s === '' ? 'qa' : s;
}

/** Keys that decide what the rest of their block means: a wrong one takes its whole block out. */
const DISCRIMINATORS: ReadonlySet<string> = new Set(['strategy', 'engine', 'mode', 'external']);

/** The entry of services, databases or caches a field (`services.api.port`) is in, and whether it is the entry itself. */
function entryOf(field: string): { entry: string; whole: boolean } | undefined {
  const m = /^(services|databases|caches)\.([^.[]+)(.*)$/.exec(field);
  return m ? { entry: `${m[1]}/${m[2]}`, whole: m[3] === '' } : undefined;
}

/** Whether `field` is `parent` or below it. */
function within(field: string, parent: string): boolean {
  return field === parent || field.startsWith(`${parent}.`) || field.startsWith(`${parent}[`);
}

/**
 * The plan of an environment and its problems, each created at its path in the file: the values every
 * pod shares first, then each section through its adapter, then the rules across sections (references,
 * hosts, connections, the quota at full scale). `skipped` holds `services/<name>`, `databases/<name>`
 * and `caches/<name>` entries whose types are already wrong; `rejected`, the fields the schema rejected
 * (a service whose release was rejected is judged without it: which image it runs is unknown).
 */
export function planEnvironment(
  env: EnvironmentConfig,
  skipped: ReadonlySet<string> = new Set(),
  rejected: readonly string[] = [],
): { plan: EnvironmentPlan; problems: readonly Problem[] } {
  const root = FieldPath.file();
  const skip = new Set(skipped);
  const c = new ProblemCollector();
  // An entry that is not a mapping (an empty `api:`) cannot be read by any rule: the schema has said so.
  // Who connects to a database or cache is unknown while a service cannot be read: nobody is blamed then.
  const unreadService = Object.keys(env.services ?? {}).some((n) => skip.has(`services/${n}`));
  const readable = <T>(entries: Record<string, T> | undefined): Record<string, T> =>
    Object.fromEntries(Object.entries(entries ?? {}).filter(([, v]) => v !== null && typeof v === 'object' && !Array.isArray(v)));
  const serviceKeys = Object.keys(env.services ?? {});
  env = { ...env, services: readable(env.services), databases: readable(env.databases), caches: readable(env.caches) };
  // What every pod, alert and release of the environment shares is judged once, here.
  if (env.placement) c.add(validatePlacement(env.placement, root.child('placement')));
  if (env.notifications) {
    c.add(validateSlackOptions(env.notifications.slack, root.child('notifications.slack')));
    c.check(root.child('notifications.onSuccess'), checkOnSuccess(env.notifications.onSuccess));
  }
  if (env.dns) c.add(validateClusterDns(env.dns, root.child('dns')));
  if (env.secretRotation !== undefined) c.add(validateSecretRotation(env.secretRotation, root.child('secretRotation')));
  if (env.monitoringNamespace !== undefined) c.check(root.child('monitoringNamespace'), checkDnsLabel(env.monitoringNamespace));
  c.add(monitoringProblems(env, root.child('monitoring')));
  (env.waivers ?? []).forEach((w, i) => {
    const at = root.child('waivers').index(i);
    if (w.reason.trim().length < 15) c.check(at.child('reason'), `${show(w.reason)} is too short: say why the exception is acceptable`);
    if (!/^[A-Za-z]+\/[a-z0-9.-]+$/.test(w.object))
      c.check(at.child('object'), `${show(w.object)} is not an object: use Kind/name, like "Deployment/trading-api"`);
  });
  const store = env.secretStore ? checked(c, validateStoreName(env.secretStore.name, root.child('secretStore')), () => secretStore(env)) : undefined;

  // A service, a database and a cache are constructs of one chart: one name cannot be two of them.
  for (const name of Object.keys(env.databases ?? {}).filter((n) => n in env.services)) {
    c.check(root.child('databases').child(name), `has the name of a service (services.${name}): a service and a database need different names`);
    skip.add(`databases/${name}`);
  }
  for (const name of Object.keys(env.caches ?? {})) {
    const other = name in env.services ? `services.${name}` : name in (env.databases ?? {}) ? `databases.${name}` : undefined;
    if (other === undefined) continue;
    c.check(
      root.child('caches').child(name),
      `has the name of ${other.startsWith('services') ? 'a service' : 'a database'} (${other}): give the cache a name of its own`,
    );
    skip.add(`caches/${name}`);
  }
  const services: ServicePlan[] = [];
  const capacities: ServiceCapacity[] = [];
  for (const [name, svc] of Object.entries(env.services)) {
    if (skip.has(`services/${name}`)) continue;
    const at = root.child('services').entry(name);
    const s = serviceSection(env, name, svc, store, at, rejected.includes(String(at.child('release'))));
    c.add(s.problems);
    if (s.plan) services.push(s.plan);
    if (s.capacity) capacities.push(s.capacity);
  }
  const databases: DatabasePlan[] = [];
  for (const [name, db] of Object.entries(env.databases ?? {})) {
    if (skip.has(`databases/${name}`)) continue;
    const d = databaseSection(env, name, db, store, root.child('databases').entry(name));
    c.add(d.problems);
    if (d.plan) databases.push(d.plan);
    if (!unreadService) c.add(clientProblems(env, root, 'databases', name));
  }
  c.add(referenceProblems(env, root, 'databases'));
  const caches: CachePlan[] = [];
  for (const [name, cache] of Object.entries(env.caches ?? {})) {
    if (skip.has(`caches/${name}`)) continue;
    const p = cacheSection(env, name, cache, store, root.child('caches').entry(name));
    c.add(p.problems);
    if (p.plan) caches.push(p.plan);
    if (!unreadService) c.add(clientProblems(env, root, 'caches', name));
  }
  c.add(referenceProblems(env, root, 'caches'));
  c.add(hostProblems(env, root));
  c.add(releaseOrderProblems(env, root, serviceKeys));
  // A limit above the LimitRange's max is the cause; the quota computed from it would be a derived problem, told
  // before (or instead of) it. The quota is judged once the limits fit.
  const limits = containerLimitProblems(env, root);
  c.add(limits);
  if (limits.length === 0) c.add(quotaCapacityProblems(env, root, capacities, databases, caches));
  c.add(validateTradingNamespaceProps(namespaceProps(env), root, root.child('namespace')));
  c.add(connectionProblems(env, root, databases));
  // A store that is written but rejected is not missing: its own problem is the one to fix, not "is required" elsewhere.
  const storeRejected = env.secretStore !== undefined && store === undefined;
  const problems = storeRejected ? c.problems.filter((p) => !asksForStore(p)) : c.problems;
  return { plan: { services, databases, caches, ...(env.dns ? { dns: env.dns } : {}) }, problems };
}

/** A problem that only says the environment's secretStore is missing: `secretStore: is required because ...`, `needs the environment's secretStore`. */
function asksForStore(p: Problem): boolean {
  return p.field === 'secretStore' || p.message.includes("needs the environment's secretStore");
}

/** The namespace's props: the file's values over the tier's. */
export function namespaceProps(env: EnvironmentConfig): TradingNamespaceProps {
  const quota = environmentQuota(env);
  const quotaSetBy = Object.fromEntries(
    Object.keys(quota)
      .filter((f) => !(env.quota && f in env.quota))
      .map((f) => [f, `the ${env.tier} tier`]),
  );
  return { name: env.namespace, partOf: env.partOf, quota, quotaSetBy, containerLimits: environmentContainerLimits(env) };
}

const KEY_OF = { databases: 'database', caches: 'cache' } as const;

/** A database or cache no service connects to. */
function clientProblems(env: EnvironmentConfig, root: FieldPath, section: 'databases' | 'caches', name: string): Problem[] {
  const key = KEY_OF[section];
  if (Object.values(env.services).some((svc) => svc[key] === name)) return [];
  // A service that names a database the environment does not have by a typo of this one (`trading-dbb`) means this
  // one: that reference is the problem, told at the service; "no service connects to it" would only follow from it.
  const defined = Object.keys(env[section] ?? {});
  const meant = (wanted: unknown): boolean => typeof wanted === 'string' && !defined.includes(wanted) && closest(wanted, defined) === name;
  if (Object.values(env.services).some((svc) => meant(svc[key]))) return [];
  return [
    {
      field: String(root.child(section).child(name)),
      message: `no service connects to it (set \`${key}: ${name}\` on the services that use it), or remove it`,
    },
  ];
}

/** Services that name a database or cache the environment does not define. */
function referenceProblems(env: EnvironmentConfig, root: FieldPath, section: 'databases' | 'caches'): Problem[] {
  const c = new ProblemCollector();
  const key = KEY_OF[section];
  const defined = Object.keys(env[section] ?? {});
  for (const [name, svc] of Object.entries(env.services)) {
    const wanted = svc[key];
    if (wanted !== undefined && !defined.includes(wanted)) {
      c.check(
        root.child('services').child(name).child(key),
        `${show(wanted)} is not a ${key} of this environment; ${defined.length ? `use one of ${defined.join(', ')}` : `define it under ${section}`}`,
      );
    }
  }
  return [...c.problems];
}

/** A service asks of its database only what the database offers (read replicas, a backup before migrating). */
function connectionProblems(env: EnvironmentConfig, root: FieldPath, databases: readonly DatabasePlan[]): Problem[] {
  const c = new ProblemCollector();
  for (const [name, svc] of Object.entries(env.services)) {
    const database = databases.find((d) => d.name === svc.database);
    if (!database) continue;
    const at = root.child('services').child(name);
    const ask = {
      readUrlVariable: svc.readReplicas ? READ_URL_VARIABLE : undefined,
      backupFirst: svc.migration?.mode === 'job' ? svc.migration.backupFirst : undefined,
    };
    c.add(
      validateClientAsk(ask, database.offer, database.name, {
        readUrlVariable: at.child('readReplicas'),
        backupFirst: at.child('migration.backupFirst'),
      }),
    );
  }
  return [...c.problems];
}

/**
 * A `releaseAfter` naming no other service of the file, or a service that itself releases after another;
 * `keys` are every service key, readable or not (an unreadable one has its own problem).
 */
function releaseOrderProblems(env: EnvironmentConfig, root: FieldPath, keys: readonly string[]): Problem[] {
  const c = new ProblemCollector();
  for (const [name, svc] of Object.entries(env.services)) {
    const after = svc.releaseAfter?.service;
    if (after === undefined) continue;
    const at = root.child('services').child(name).child('releaseAfter.service');
    const others = keys.filter((n) => n !== name);
    if (after === name) {
      c.check(at, `${show(after)} is this service: name the service to release after${others.length ? ` (one of ${others.join(', ')})` : ''}`);
    } else if (!keys.includes(after)) {
      c.check(
        at,
        `${show(after)} is not a service of this environment; ${others.length ? `use one of ${others.join(', ')}` : 'define it under services'}`,
      );
    } else if (env.services[after]?.releaseAfter !== undefined) {
      c.check(
        at,
        `${show(after)} itself releases after ${show(env.services[after].releaseAfter?.service)}: ` +
          'release both after the same service, or merge the stages',
      );
    }
  }
  return [...c.problems];
}

/** A host routed to two services. */
function hostProblems(env: EnvironmentConfig, root: FieldPath): Problem[] {
  const c = new ProblemCollector();
  const owners = new Map<string, string>();
  for (const [name, svc] of Object.entries(env.services)) {
    const exposure = svc.exposure;
    const field = exposure?.gateway ? 'exposure.gateway.hosts' : 'exposure.ingress.hosts';
    (exposure?.gateway?.hosts ?? exposure?.ingress?.hosts ?? []).forEach((host, i) => {
      const owner = owners.get(host);
      if (owner !== undefined && owner !== name && checkHostname(host) === undefined) {
        c.check(
          root.child('services').child(name).child(field).index(i),
          `${show(host)} is already routed to service ${show(owner)}: a host belongs to one service`,
        );
      }
      owners.set(host, name);
    });
  }
  return [...c.problems];
}

/**
 * Limits of services, databases and caches above the namespace's LimitRange max (`containerLimits.max`), at the
 * field that sets them: the API server's LimitRanger would reject every pod of the workload, its Jobs and sidecars
 * alike. A side the file does not set is named as the tier's default.
 */
function containerLimitProblems(env: EnvironmentConfig, root: FieldPath): Problem[] {
  const max = environmentContainerLimits(env).max;
  const tier = TIER_DEFAULTS[env.tier];
  const entries: Array<[FieldPath, PartialResources | undefined, ResourceRequirements]> = [
    ...Object.entries(env.services).map(([name, svc]): [FieldPath, PartialResources | undefined, ResourceRequirements] => [
      root.child('services').entry(name),
      svc.resources,
      serviceResources(env.tier, svc),
    ]),
    ...Object.entries(env.databases ?? {}).map(([name, db]): [FieldPath, PartialResources | undefined, ResourceRequirements] => [
      root.child('databases').entry(name),
      db.resources,
      resourcesWithDefaults(db.resources, tier.database.resources),
    ]),
    ...Object.entries(env.caches ?? {}).map(([name, cache]): [FieldPath, PartialResources | undefined, ResourceRequirements] => [
      root.child('caches').entry(name),
      cache.resources,
      resourcesWithDefaults(cache.resources, tier.cache.resources),
    ]),
  ];
  const c = new ProblemCollector();
  for (const [at, given, resources] of entries) {
    for (const r of ['cpu', 'memory'] as const) {
      const limit = resources.limits?.[r];
      const bound = max[r];
      const [l, m] = [typeof limit === 'string' ? parseQuantity(limit) : undefined, typeof bound === 'string' ? parseQuantity(bound) : undefined];
      if (l === undefined || m === undefined || l <= m) continue;
      const mine = given?.limits?.[r] !== undefined;
      const maxOwn = env.containerLimits?.max?.[r] !== undefined;
      const value = mine ? show(limit) : `the ${env.tier} tier's default ${show(limit)} (not set in the file)`;
      const limitRange = maxOwn
        ? `containerLimits.max.${r} ${show(bound)}`
        : `the ${env.tier} tier's LimitRange max ${show(bound)} (containerLimits.max.${r})`;
      c.check(
        at.child(`resources.limits.${r}`),
        `${value} is above ${limitRange}: the API server rejects every pod of it; use at most ${show(bound)}, or raise containerLimits.max.${r}`,
      );
    }
  }
  return [...c.problems];
}

/**
 * A quota too small for what the environment runs at its peak would block a rollout in the cluster; say so at synth
 * time, with what drives the need. Each service, database and cache counts its pods as its construct does (the
 * library's one rule, which a TradingNamespace also applies to its chart): every colour, canary and surge pod, the
 * migration and smoke-check Jobs, init containers and sidecars, with the LimitRange's defaults for what sets none.
 */
function quotaCapacityProblems(
  env: EnvironmentConfig,
  root: FieldPath,
  services: readonly ServiceCapacity[],
  databases: readonly DatabasePlan[],
  caches: readonly CachePlan[],
): Problem[] {
  const demands = [
    ...services.flatMap((s) => {
      // The migration Job waits for a backup of the database it migrates when that database takes them (as connectTo wires it).
      const svc = env.services[s.name];
      const database = databases.find((d) => d.name === svc?.database);
      const waits = s.migration.job?.backupFirst && database !== undefined && database.offer.noBackupBeforeMigration === undefined;
      const releaseWait = runsReleaseWait(svc?.releaseAfter && { stabilization: seconds(svc.releaseAfter.stabilizationSeconds) });
      return serviceDemands({ ...s, backupWaits: waits ? 1 : 0, smokeTest: s.runsSmokeTest, releaseWait });
    }),
    ...databases.flatMap((d) => d.demands),
    ...caches.flatMap((k) => k.demands),
  ];
  const defaultedBy = (field: string): string | undefined => (env.quota && field in env.quota ? undefined : `the ${env.tier} tier`);
  return quotaProblems(environmentQuota(env), demands, environmentContainerLimits(env), root, defaultedBy);
}
