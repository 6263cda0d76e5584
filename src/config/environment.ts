/**
 * Environment files: parsed, checked against `environment.schema.json`, then turned into a plan (the
 * props of every construct) by one adapter per section. The adapters use the library's factories, so
 * the rules are the constructs' own; what only a built construct can judge is checked when the plan is
 * built (`buildEnvironment`), and reported against the same file and field.
 */
import { parseQuantity } from '../core/quantity';
import { ResourceRequirements } from '../core/resources';
import { checkDnsLabel, checkHostname } from '../core/rules';
import { ClusterDns, validateClusterDns } from '../core/network-peer';
import { validatePlacement } from '../core/placement';
import { validateSlackOptions } from '../gitops/notifications';
import { SecretStore } from '../core/secrets';
import { Problem, ProblemCollector, show } from '../core/validation';
import schema from './environment.schema.json';
import { compileSchema } from './schema-validator';
import { CachePlan, cacheSection } from './sections/cache';
import { DatabasePlan, databaseSection, POOLER_POD_RESOURCES } from './sections/database';
import { monitoringProblems } from './sections/monitoring';
import { secretStore, ServicePlan, serviceSection } from './sections/service';
import { environmentQuota } from './tier-defaults';
import type { EnvironmentConfig } from './types';
import { inFile, parseAndCheckSchema } from './yaml-file';

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
  /** What to build. */
  readonly plan: EnvironmentPlan;
}

/** What parsing an environment file found. */
export interface ParsedEnvironment {
  /** The environment, when the file has no problem. */
  readonly environment?: Environment;
  /** Every problem, as `file: field: message`. */
  readonly problems: string[];
  /**
   * With problems: the environment as far as it could be planned (sections with problems left out), so
   * that building it can report the problems only a constructor finds, in the same run.
   */
  readonly draft?: Environment;
}

/**
 * Parses and checks one environment file; returns the environment (with its plan) or every problem in
 * it, each as `file: field: message`.
 */
export function parseEnvironment(name: string, file: string, text: string): ParsedEnvironment {
  const parsed = parseAndCheckSchema(text, compileSchema(schema));
  if (parsed.data === undefined) return { problems: inFile(file, parsed.problems) };
  // An unknown key leaves the types intact, so the value rules still run. A value of the wrong type is
  // taken out (its parent, for the keys that decide what the rest means), the rules run on the rest, and
  // what they would say about the removed value is dropped: the schema has said it.
  const typeErrors = parsed.schemaErrors.filter((e) => e.keyword !== 'additionalProperties');
  const paths = typeErrors.map((e) => brokenPath(pointerSegments(e.instancePath)));
  const topLevelBroken = paths.some((p) => p.length < 2 || !['services', 'databases', 'caches'].includes(p[0]));
  const broken = new Set(paths.filter((p) => p.length === 2).map((p) => p.join('/')));
  const problems: Problem[] = [...parsed.problems];
  let plan: EnvironmentPlan | undefined;
  if (!topLevelBroken && parsed.data !== null && typeof parsed.data === 'object') {
    const data = structuredClone(parsed.data) as Record<string, unknown>;
    for (const p of paths.filter((x) => x.length > 2)) removeAt(data, p);
    const removed = paths.filter((p) => p.length > 2).map(fieldOf);
    const planned = planEnvironment(data as unknown as EnvironmentConfig, broken);
    problems.push(...planned.problems.filter((pr) => !removed.some((f) => pr.field === f || pr.field.startsWith(`${f}.`) || pr.field.startsWith(`${f}[`))));
    plan = planned.plan;
  }
  if (!plan) return { problems: inFile(file, problems) };
  const environment: Environment = { name, file, config: parsed.data as EnvironmentConfig, plan };
  return problems.length > 0 ? { problems: inFile(file, problems), draft: environment } : { environment, problems: [] };
}

/** Keys that decide what the rest of their block means: a wrong one takes its whole block out. */
const DISCRIMINATORS = new Set(['strategy', 'engine', 'mode']);

function pointerSegments(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function fieldOf(segments: readonly string[]): string {
  return segments.reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

/**
 * What to take out for a type error at `segments`: the value itself; its whole list when it is in one
 * (rules read lists whole); its block when it is a key that decides what the block means.
 */
function brokenPath(segments: readonly string[]): string[] {
  const inList = segments.findIndex((s) => /^\d+$/.test(s));
  const cut = inList >= 0 ? segments.slice(0, inList) : [...segments];
  return DISCRIMINATORS.has(cut[cut.length - 1] ?? '') ? cut.slice(0, -1) : cut;
}

/** Deletes the key at `segments` of a parsed file. */
function removeAt(root: Record<string, unknown>, segments: readonly string[]): void {
  let node: unknown = root;
  for (const seg of segments.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[seg];
  }
  if (node !== null && typeof node === 'object' && !Array.isArray(node)) delete (node as Record<string, unknown>)[segments[segments.length - 1]];
}

/**
 * The plan of an environment and its problems: each section through its adapter, then the rules across
 * sections (references, hosts, the quota at full scale). Sections with problems are left out of the
 * plan. `skip` holds `services/<name>`, `databases/<name>` and `caches/<name>` entries whose types are already wrong.
 */
export function planEnvironment(file: EnvironmentConfig, skipped: ReadonlySet<string> = new Set()): { plan: EnvironmentPlan; problems: readonly Problem[] } {
  let skip = skipped;
  const c = new ProblemCollector();
  // Placement applies to every pod of the environment: reported once here, and left out when wrong.
  const placementProblems = file.placement ? validatePlacement(file.placement) : [];
  c.nest('placement', placementProblems);
  // So do notifications (every Rollout, the Application, Flux's Alert): reported once, left out when wrong.
  const notificationProblems = file.notifications ? validateSlackOptions(file.notifications.slack) : [];
  c.nest('notifications.slack', notificationProblems);
  // And the cluster DNS (every pod's egress).
  const dnsProblems = file.dns ? validateClusterDns(file.dns) : [];
  c.nest('dns', dnsProblems);
  const env: EnvironmentConfig = {
    ...file,
    ...(placementProblems.length > 0 ? { placement: undefined } : {}),
    ...(dnsProblems.length > 0 ? { dns: undefined } : {}),
    ...(notificationProblems.length > 0 ? { notifications: undefined } : {}),
  };
  if (env.monitoringNamespace !== undefined) c.check('monitoringNamespace', checkDnsLabel(env.monitoringNamespace));
  c.nest('', monitoringProblems(env));
  (env.waivers ?? []).forEach((w, i) => {
    if (w.reason.trim().length < 15) c.check(`waivers[${i}].reason`, `${show(w.reason)} is too short: say why the exception is acceptable`);
    if (!/^[A-Za-z]+\/[a-z0-9.-]+$/.test(w.object)) c.check(`waivers[${i}].object`, `${show(w.object)} is not an object: use Kind/name, like "Deployment/trading-api"`);
  });
  const store: SecretStore | undefined = env.secretStore ? c.attempt('secretStore', () => secretStore(env)) : undefined;

  // A service and a database are constructs of one chart: one name cannot be both.
  for (const name of Object.keys(env.databases ?? {}).filter((n) => n in env.services)) {
    c.check(`databases.${name}`, `has the name of a service (services.${name}): a service and a database need different names`);
    skip = new Set([...skip, `databases/${name}`]);
  }
  // A cache is a construct of the same chart too.
  for (const name of Object.keys(env.caches ?? {})) {
    const other = name in env.services ? `services.${name}` : name in (env.databases ?? {}) ? `databases.${name}` : undefined;
    if (other === undefined) continue;
    c.check(`caches.${name}`, `has the name of ${other.startsWith('services') ? 'a service' : 'a database'} (${other}): give the cache a name of its own`);
    skip = new Set([...skip, `caches/${name}`]);
  }
  const services: ServicePlan[] = [];
  for (const [name, svc] of Object.entries(env.services)) {
    if (skip.has(`services/${name}`)) continue;
    const s = serviceSection(env, name, svc, store);
    c.nest(`services.${name}`, s.problems);
    if (s.plan) services.push(s.plan);
  }
  const databases: DatabasePlan[] = [];
  for (const [name, db] of Object.entries(env.databases ?? {})) {
    if (skip.has(`databases/${name}`)) continue;
    const d = databaseSection(env, name, db);
    c.nest(`databases.${name}`, d.problems);
    if (d.plan) databases.push(d.plan);
    if (!Object.values(env.services).some((svc) => svc.database === name)) {
      c.check(`databases.${name}`, `no service connects to it (set \`database: ${name}\` on the services that use it), or remove it`);
    }
  }
  for (const [name, svc] of Object.entries(env.services)) {
    if (svc.database !== undefined && !(svc.database in (env.databases ?? {}))) {
      const known = Object.keys(env.databases ?? {});
      c.check(`services.${name}.database`, `${show(svc.database)} is not a database of this environment; ${known.length ? `use one of ${known.join(', ')}` : 'define it under databases'}`);
    }
  }
  const caches: CachePlan[] = [];
  for (const [name, cache] of Object.entries(env.caches ?? {})) {
    if (skip.has(`caches/${name}`)) continue;
    const p = cacheSection(env, name, cache, store);
    c.nest(`caches.${name}`, p.problems);
    if (p.plan) caches.push(p.plan);
    if (!Object.values(env.services).some((svc) => svc.cache === name)) {
      c.check(`caches.${name}`, `no service connects to it (set \`cache: ${name}\` on the services that use it), or remove it`);
    }
  }
  for (const [name, svc] of Object.entries(env.services)) {
    if (svc.cache !== undefined && !(svc.cache in (env.caches ?? {}))) {
      const known = Object.keys(env.caches ?? {});
      c.check(`services.${name}.cache`, `${show(svc.cache)} is not a cache of this environment; ${known.length ? `use one of ${known.join(', ')}` : 'define it under caches'}`);
    }
  }
  c.nest('', hostProblems(env));
  c.nest('', quotaCapacityProblems(env, services, databases, caches));
  return { plan: { services, databases, caches, ...(env.dns ? { dns: env.dns } : {}) }, problems: c.problems };
}

/** A host routed to two services. */
function hostProblems(env: EnvironmentConfig): Problem[] {
  const c = new ProblemCollector();
  const owners = new Map<string, string>();
  for (const [name, svc] of Object.entries(env.services)) {
    const exposure = svc.exposure;
    const field = exposure?.gateway ? 'exposure.gateway.hosts' : 'exposure.ingress.hosts';
    (exposure?.gateway?.hosts ?? exposure?.ingress?.hosts ?? []).forEach((host, i) => {
      const owner = owners.get(host);
      if (owner !== undefined && owner !== name && checkHostname(host) === undefined) {
        c.check(`services.${name}.${field}[${i}]`, `${show(host)} is already routed to service ${show(owner)}: a host belongs to one service`);
      }
      owners.set(host, name);
    });
  }
  return [...c.problems];
}

/**
 * A quota too small for the services at full scale (every colour, canary and surge pod), the
 * databases and the caches would block a rollout in the cluster; say so at synth time, with what drives the need.
 */
function quotaCapacityProblems(env: EnvironmentConfig, services: readonly ServicePlan[], databases: readonly DatabasePlan[], caches: readonly CachePlan[]): Problem[] {
  const quota = environmentQuota(env);
  type Field = 'requestsCpu' | 'requestsMemory' | 'limitsCpu' | 'limitsMemory' | 'pods';
  const fields: readonly Field[] = ['requestsCpu', 'requestsMemory', 'limitsCpu', 'limitsMemory', 'pods'];
  const need = new Map<Field, Array<{ who: string; amount: number }>>(fields.map((f) => [f, []]));
  const add = (who: string, pods: number, r: ResourceRequirements): void => {
    const q = [r.requests.cpu, r.requests.memory, r.limits.cpu, r.limits.memory].map((v) => parseQuantity(v));
    if (pods === 0 || q.some((v) => v === undefined)) return;
    [...q as number[], 1].forEach((per, i) => need.get(fields[i])?.push({ who, amount: pods * per }));
  };
  for (const s of services) add(s.name, s.podsAtFullScale, s.resources);
  for (const d of databases) {
    add(d.name, d.instances, d.resources);
    add(`${d.name} pooler`, d.poolerInstances, POOLER_POD_RESOURCES);
  }
  for (const k of caches) add(k.name, k.pods, k.podResources);
  const c = new ProblemCollector();
  // Both numbers in one unit: millicores for CPU, Mi or Gi for memory.
  const fmt = (field: Field, v: number): string => {
    if (field === 'pods') return String(v);
    if (field.endsWith('Cpu')) return `${Math.ceil(v * 1000 - 1e-9)}m`;
    return v >= 2 ** 30 ? `${Math.ceil((v / 2 ** 30) * 10 - 1e-9) / 10}Gi` : `${Math.ceil(v / 2 ** 20 - 1e-9)}Mi`;
  };
  for (const field of fields) {
    const have = field === 'pods' ? quota.pods : parseQuantity(quota[field]);
    const parts = need.get(field) ?? [];
    const total = parts.reduce((n, p) => n + p.amount, 0);
    if (typeof have !== 'number' || have >= total) continue;
    const drivers = [...parts].sort((a, b) => b.amount - a.amount).slice(0, 3).map((p) => `${p.who} ${fmt(field, p.amount)}`).join(', ');
    c.check(`quota.${field}`, `${fmt(field, have)} is below the ${fmt(field, total)} the services, databases and caches need at full scale, with every colour, canary and surge pod (${drivers}${parts.length > 3 ? ', ...' : ''}): set quota.${field} to at least ${fmt(field, total)}, or lower the replicas or requests`);
  }
  return [...c.problems];
}
