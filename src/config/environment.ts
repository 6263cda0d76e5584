/**
 * Environment files: parsed, checked against `environments/schema.json`, then checked with the same
 * rules the constructs use, every problem reported at once with the file and field it is in.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import { parseQuantity } from '../core/quantity';
import { checkDnsLabel, checkDnsSubdomain, checkCidr, checkHostname, checkPort } from '../core/rules';
import { checkSecretKey, SecretRef, SecretStore } from '../core/secrets';
import { Problem, ProblemCollector, show } from '../core/validation';
import { validateTradingNamespaceProps } from '../namespace/trading-namespace';
import { validateGatewayExposure, validateIngressExposure } from '../trading-backend/exposure';
import { validateJobMigration, validateOnStart } from '../trading-backend/migration';
import { validateAutoscaling, validateFixed } from '../trading-backend/scaling';
import { validateApiServiceProps } from '../trading-backend/validate';
import { Tier, TIER_DEFAULTS } from './tiers';
import schema from './environment.schema.json';
import { databaseProblems, databaseSize } from './database-config';
import { releaseKind, releaseProblems, usesServiceImage } from './release-config';
import { environmentQuota, serviceAutoscaling, serviceReplicas, serviceResources } from './tier-defaults';
import { compileSchema } from './schema-validator';
import type { EnvironmentConfig, Environment, SecretEnvConfig, ServiceConfig } from './types';


let environmentValidator: ValidateFunction | undefined;
/** The environment schema's validator, compiled once (and cached across runs). */
function validateSchema(): ValidateFunction {
  environmentValidator ??= compileSchema(schema);
  return environmentValidator;
}

/** A YAML file parsed and checked against its JSON Schema. */
export interface SchemaCheckedFile {
  /** The parsed data (also when it has schema problems); `undefined` when unparsable. */
  readonly data: unknown;
  /** Parse and schema problems, relative to the file. */
  readonly problems: Problem[];
  /** The raw schema errors, for deciding what else can still be checked. */
  readonly schemaErrors: ErrorObject[];
}

/**
 * Parses YAML (YAML 1.2 core schema; duplicate keys are errors) and checks it against a compiled
 * schema, every problem at once. js-yaml reads environment files several times faster than `yaml`,
 * which matters when a repository holds hundreds of services.
 */
export function parseAndCheckSchema(text: string, validate: ValidateFunction): SchemaCheckedFile {
  let data: unknown;
  try {
    data = load(text, { schema: CORE_SCHEMA });
  } catch (e) {
    const where = e instanceof YAMLException && e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '';
    const reason = e instanceof YAMLException ? `${e.reason}${where}` : String(e);
    return { data: undefined, schemaErrors: [], problems: [{ field: '', message: `cannot parse YAML: ${reason}` }] };
  }
  const schemaErrors = validate(data) ? [] : [...(validate.errors ?? [])];
  return { data, schemaErrors, problems: schemaErrorsToProblems(schemaErrors) };
}

/** Formats problems of a file as `file: field: message`. */
export function inFile(file: string, problems: readonly Problem[]): string[] {
  return problems.map((p) => `${file}: ${p.field ? `${p.field}: ` : ''}${p.message}`);
}

/** Parses and validates one environment file; returns the environment or every problem in it. */
export function parseEnvironment(name: string, file: string, text: string): { environment?: Environment; problems: string[] } {
  const parsed = parseAndCheckSchema(text, validateSchema());
  if (parsed.data === undefined) return { problems: inFile(file, parsed.problems) };
  const data = parsed.data;
  const errors = parsed.schemaErrors;
  // An unknown key leaves the types intact, so the value rules still run; a wrong type does not.
  const typeErrors = errors.filter((e) => e.keyword !== 'additionalProperties');
  const badServices = new Set(typeErrors.filter((e) => e.instancePath.startsWith('/services/')).map((e) => e.instancePath.split('/')[2]));
  for (const e of typeErrors.filter((x) => x.instancePath.startsWith('/databases/'))) badServices.add(`db:${e.instancePath.split('/')[2]}`);
  const topLevelBroken = typeErrors.some((e) => !e.instancePath.startsWith('/services/') && !e.instancePath.startsWith('/databases/'));
  const problems: Problem[] = [...parsed.problems];
  if (!topLevelBroken && data !== null && typeof data === 'object') {
    problems.push(...semanticProblems(data as EnvironmentConfig, badServices));
  }
  if (problems.length > 0) {
    return { problems: inFile(file, problems) };
  }
  return { environment: { name, file, config: data as EnvironmentConfig }, problems: [] };
}

function jsonPointerToField(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

function join(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

function schemaErrorsToProblems(errors: ErrorObject[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const add = (field: string, message: string): void => {
    const key = `${field}\u0000${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push({ field, message });
    }
  };
  // A secret reference is one of two shapes; say so once instead of listing both branches' errors.
  const secretRefPaths = new Set(
    errors.filter((e) => e.keyword === 'oneOf' && e.schemaPath.includes('secretEnv')).map((e) => e.instancePath),
  );
  for (const e of errors) {
    const field = jsonPointerToField(e.instancePath);
    if ([...secretRefPaths].some((p) => e.instancePath === p) || [...secretRefPaths].some((p) => e.instancePath.startsWith(`${p}/`))) {
      if (e.keyword === 'oneOf') {
        add(field, `${show(e.data)} must be {secretName, key} (an existing Secret) or {remoteKey, property} (an external secret store)`);
      }
      continue;
    }
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        const allowed = Object.keys((e.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
        const guess = closest(key, allowed);
        add(join(field, key), `unknown key${guess ? ` (did you mean "${guess}"?)` : ''}; allowed: ${allowed.join(', ')}`);
        break;
      }
      case 'required':
        add(join(field, String((e.params as { missingProperty: string }).missingProperty)), 'is required');
        break;
      case 'type':
        add(field, `${show(e.data)} must be ${(e.params as { type: string }).type === 'integer' ? 'a whole number' : `of type ${(e.params as { type: string }).type}`}`);
        break;
      case 'enum':
        add(field, `${show(e.data)} is not allowed; use one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => show(v)).join(', ')}`);
        break;
      case 'maxProperties':
        add(field, field.endsWith('exposure') ? 'choose one of "gateway" or "ingress", not both' : 'choose one of namespace or cidr, not both');
        break;
      case 'minProperties':
        add(field, field.includes('egress[') ? 'needs ports and one of namespace or cidr' : 'must list at least one entry');
        break;
      default:
        add(field, e.message ?? 'is invalid');
    }
  }
  return problems;
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The SecretRef a config entry stands for. Call only on validated entries. */
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

function semanticProblems(env: EnvironmentConfig, skipServices: Set<string>): Problem[] {
  const c = new ProblemCollector();
  const quota = environmentQuota(env);
  c.nest('', validateTradingNamespaceProps({ name: env.namespace, partOf: env.partOf, quota, containerLimits: TIER_DEFAULTS[env.tier].containerLimits })
    .map((p) => ({ field: p.field === 'name' ? 'namespace' : p.field, message: p.message })));
  if (env.monitoringNamespace !== undefined) c.check('monitoringNamespace', checkDnsLabel(env.monitoringNamespace));
  (env.waivers ?? []).forEach((w, i) => {
    if (w.reason.trim().length < 15) c.check(`waivers[${i}].reason`, `${show(w.reason)} is too short: say why the exception is acceptable`);
    if (!/^[A-Za-z]+\/[a-z0-9.-]+$/.test(w.object)) c.check(`waivers[${i}].object`, `${show(w.object)} is not an object: use Kind/name, like "Deployment/trading-api"`);
  });
  if (env.secretStore) c.check('secretStore.name', checkDnsSubdomain(env.secretStore.name));

  const hostOwners = new Map<string, string>();
  for (const [name, svc] of Object.entries(env.services)) {
    if (skipServices.has(name)) continue;
    c.nest(`services.${name}`, serviceProblems(env, name, svc, hostOwners));
  }
  const badDatabases = new Set([...skipServices].filter((k) => k.startsWith('db:')).map((k) => k.slice(3)));
  for (const [name, db] of Object.entries(env.databases ?? {})) {
    if (badDatabases.has(name)) continue;
    c.nest(`databases.${name}`, databaseProblems(env, name, db));
    if (!Object.values(env.services).some((svc) => svc.database === name)) {
      c.check(`databases.${name}`, 'no service connects to it (set `database: ' + name + '` on the services that use it), or remove it');
    }
  }
  for (const [name, svc] of Object.entries(env.services)) {
    if (svc.database !== undefined && !(svc.database in (env.databases ?? {}))) {
      const known = Object.keys(env.databases ?? {});
      c.check(`services.${name}.database`, `${show(svc.database)} is not a database of this environment; ${known.length ? `use one of ${known.join(', ')}` : 'define it under databases'}`);
    }
  }
  c.nest('', quotaCapacityProblems(env, quota, skipServices));
  return [...c.problems];
}

function serviceProblems(env: EnvironmentConfig, name: string, svc: ServiceConfig, hostOwners: Map<string, string>): Problem[] {
  const c = new ProblemCollector();
  const secretEnv: Record<string, SecretRef> = {};
  for (const [envName, entry] of Object.entries(svc.secretEnv ?? {})) {
    const field = `secretEnv.${envName}`;
    if ('remoteKey' in entry) {
      c.check(`${field}.remoteKey`, entry.remoteKey.trim() === '' ? `${show(entry.remoteKey)} must not be empty` : undefined);
      if (entry.remoteKey.trim() !== '') secretEnv[envName] = secretRef(entry);
    } else {
      const problems = [checkDnsSubdomain(entry.secretName), checkSecretKey(entry.key)];
      c.check(`${field}.secretName`, problems[0]);
      c.check(`${field}.key`, problems[1]);
      if (!problems[0] && !problems[1]) secretEnv[envName] = secretRef(entry);
    }
  }
  const kind = releaseKind(svc.release);
  if (svc.release) c.nest('release', releaseProblems(env, svc, kind));
  if (!usesServiceImage(kind) && svc.image !== undefined) {
    c.check('image', `is not used with release ${show(svc.release?.strategy)}/${show(kind?.split('/')[1])}, which names its images in release`);
  }
  if (usesServiceImage(kind) && svc.image === undefined) c.check('image', 'is required');
  const backendProblems = validateApiServiceProps(name, {
    name,
    image: svc.image ?? '',
    allowLatestTag: TIER_DEFAULTS[env.tier].allowLatestTag,
    port: svc.port,
    metricsPort: svc.metricsPort,
    healthCheck: svc.healthCheck,
    resources: serviceResources(env.tier, svc),
    config: svc.config,
    secretEnv,
    secretStore: env.secretStore && checkDnsSubdomain(env.secretStore.name) === undefined ? secretStore(env) : undefined,
    monitoring: { ...svc.monitoring, namespace: env.monitoringNamespace },
    rollout: svc.rollout,
    runAsUser: svc.runAsUser,
  });
  for (const p of backendProblems) {
    if (p.field === 'image' && (!usesServiceImage(kind) || svc.image === undefined)) {
      // Reported above, or the engine names (and checks) its own images.
    } else if (p.field !== 'secretStore') {
      c.check(p.field, p.message);
    } else if (!env.secretStore) {
      // The store is set once per environment, not per service.
      c.check('secretEnv', `needs the environment's secretStore, which ${p.message}`);
    }
  }
  if (svc.replicas !== undefined && svc.autoscaling !== undefined) {
    c.check('autoscaling', 'set either replicas or autoscaling, not both');
  }
  if (svc.replicas !== undefined) c.nest('', validateFixed(svc.replicas));
  const autoscaling = serviceAutoscaling(env.tier, svc);
  if (autoscaling && svc.replicas === undefined) c.nest('autoscaling', validateAutoscaling(autoscaling));
  const exposure = svc.exposure;
  if (exposure?.gateway) c.nest('exposure.gateway', validateGatewayExposure(exposure.gateway));
  if (exposure?.ingress) c.nest('exposure.ingress', validateIngressExposure(exposure.ingress));
  const hosts = exposure?.gateway?.hosts ?? exposure?.ingress?.hosts ?? [];
  const hostField = exposure?.gateway ? 'exposure.gateway.hosts' : 'exposure.ingress.hosts';
  hosts.forEach((host, i) => {
    const owner = hostOwners.get(host);
    if (owner !== undefined && owner !== name && checkHostname(host) === undefined) {
      c.check(`${hostField}[${i}]`, `${show(host)} is already routed to service ${show(owner)}: a host belongs to one service`);
    }
    hostOwners.set(host, name);
  });
  (svc.egress ?? []).forEach((rule, i) => {
    if (rule.namespace !== undefined) c.check(`egress[${i}].namespace`, checkDnsLabel(rule.namespace));
    if (rule.cidr !== undefined) c.check(`egress[${i}].cidr`, checkCidr(rule.cidr));
    rule.ports.forEach((port, j) => c.check(`egress[${i}].ports[${j}]`, checkPort(port)));
  });
  const m = svc.migration;
  if (m) {
    const jobOnly = (['command', 'backoffLimit', 'activeDeadlineSeconds'] as const).filter((k) => m[k] !== undefined);
    if (m.mode === 'job') {
      c.nest('migration', validateJobMigration(m));
      if (m.startupTimeoutSeconds !== undefined) c.check('migration.startupTimeoutSeconds', 'applies only to mode "on-start"');
    } else {
      jobOnly.forEach((k) => c.check(`migration.${k}`, 'applies only to mode "job"'));
      if (m.mode === 'on-start') c.nest('migration', validateOnStart(m));
      else if (m.startupTimeoutSeconds !== undefined) c.check('migration.startupTimeoutSeconds', 'applies only to mode "on-start"');
    }
  }
  return [...c.problems];
}

/** Pods one service can run at once: every workload at full scale, plus rollout surge. */
export function servicePods(tier: Tier, svc: ServiceConfig): number {
  const max = serviceAutoscaling(tier, svc)?.maxReplicas ?? serviceReplicas(tier, svc);
  switch (releaseKind(svc.release)) {
    case 'blue-green/service-switch':
    case 'blue-green/argo-rollouts':
      return 2 * (max + 1);
    case 'canary/argo-rollouts':
      return max + Math.ceil(max / 4);
    case 'canary/weighted':
      return max + 1 + (svc.release?.canaryReplicas ?? 1) + 1;
    default:
      return max + 1;
  }
}

/**
 * A quota too small for the services at full scale (plus one surge pod each during a rollout) would
 * block the rollout in the cluster; say so at synth time instead.
 */
function quotaCapacityProblems(env: EnvironmentConfig, quota: Required<NonNullable<EnvironmentConfig['quota']>>, skip: Set<string>): Problem[] {
  // Services and databases at full scale, plus one surge pod per service.
  const need = { requestsCpu: 0, requestsMemory: 0, limitsCpu: 0, limitsMemory: 0, pods: 0 };
  for (const [name, svc] of Object.entries(env.services)) {
    if (skip.has(name)) continue;
    const pods = servicePods(env.tier, svc);
    const r = serviceResources(env.tier, svc);
    const values = [r.requests.cpu, r.requests.memory, r.limits.cpu, r.limits.memory].map((q) => parseQuantity(q));
    if (values.some((v) => v === undefined) || typeof pods !== 'number' || Number.isNaN(pods)) continue;
    need.requestsCpu += pods * (values[0] as number);
    need.requestsMemory += pods * (values[1] as number);
    need.limitsCpu += pods * (values[2] as number);
    need.limitsMemory += pods * (values[3] as number);
    need.pods += pods;
  }
  for (const [name, db] of Object.entries(env.databases ?? {})) {
    if (skip.has(`db:${name}`)) continue;
    const size = databaseSize(env, db);
    const r = size.resources;
    const values = [r.requests.cpu, r.requests.memory, r.limits.cpu, r.limits.memory].map((q) => parseQuantity(q));
    if (values.some((v) => v === undefined) || typeof size.instances !== 'number') continue;
    const add = (pods: number, q: number[]): void => {
      need.requestsCpu += pods * q[0];
      need.requestsMemory += pods * q[1];
      need.limitsCpu += pods * q[2];
      need.limitsMemory += pods * q[3];
      need.pods += pods;
    };
    add(size.instances, values as number[]);
    // PgBouncer pods: 100m/128Mi requested, 500m/256Mi limit each.
    add(size.poolerInstances, [0.1, 128 * 2 ** 20, 0.5, 256 * 2 ** 20]);
  }
  const c = new ProblemCollector();
  const fmt = (field: keyof typeof need, v: number): string =>
    field.endsWith('Memory') ? `${Math.ceil(v / 2 ** 30)}Gi` : field === 'pods' ? String(v) : `${Math.ceil(v * 1000)}m`;
  for (const field of ['requestsCpu', 'requestsMemory', 'limitsCpu', 'limitsMemory', 'pods'] as const) {
    const have = field === 'pods' ? quota.pods : parseQuantity(quota[field]);
    if (typeof have === 'number' && have < need[field]) {
      c.check(`quota.${field}`, `${show(quota[field])} is below ${fmt(field, need[field])}, what the services and databases need at full scale, with every colour, canary and surge pod`);
    }
  }
  return [...c.problems];
}
