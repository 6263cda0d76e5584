/**
 * Configuration files as data: YAML read with the 1.2 core schema (duplicate keys are errors) and
 * checked against a JSON Schema, every problem at once, in words a person can act on.
 */
import type { ErrorObject } from 'ajv';
import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import { Problem, show } from '../core/problems';
import { namesSecret } from '../core/secrets';
import { closest } from '../core/closest';
import { holdsCredential, withoutCredentialKeys } from '../core/credential-shape';
import { compileSchema } from './schema-validator';

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
 * which matters when a repository holds hundreds of services. `discriminators` are the keys that decide
 * which branch of a discriminated block applies (`strategy`, `engine`, `mode`): a wrong one is the only
 * problem reported for its block.
 */
export function parseAndCheckSchema(text: string, schema: object, discriminators: ReadonlySet<string> = new Set()): SchemaCheckedFile {
  let data: unknown;
  try {
    data = load(text, { schema: CORE_SCHEMA });
  } catch (e) {
    const where = e instanceof YAMLException && e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '';
    const reason = e instanceof YAMLException ? `${e.reason}${where}` : String(e);
    return { data: undefined, schemaErrors: [], problems: [{ field: '', message: `cannot parse YAML: ${reason}` }] };
  }
  const validate = compileSchema(schema);
  const schemaErrors = validate(data) ? [] : [...(validate.errors ?? [])];
  return { data, schemaErrors, problems: schemaErrorsToProblems(withoutBranchNoise(schemaErrors, discriminators), data, knownKeys(schema)) };
}

/**
 * The data as value rules may read it, and the fields taken out: each value the schema rejected for its
 * type, with its whole list when it is in one (rules read lists whole) and with its block when it is one of
 * the `discriminators`, the keys that decide what their block means (a missing one too). A key missing from
 * a block that names its branch stays absent (its field rejected without cutting the block); a key the block
 * does not take stays unread (`unread`). The schema has reported these fields; a rule's problem in one of them
 * is the schema's to say. Values less than `depth` keys deep stay (the caller skips what holds them).
 */
export function readableData(
  data: unknown,
  errors: readonly ErrorObject[],
  discriminators: ReadonlySet<string>,
  depth: number,
): { data: unknown; rejected: string[]; unread: string[] } {
  errors = withoutBranchNoise(errors, discriminators);
  const kept: string[] = [];
  const unread: string[] = [];
  const cuts = errors
    .filter((e) => e.keyword !== 'if')
    .flatMap((e) => {
      const segments = pointerSegments(e.instancePath);
      if (e.keyword === 'additionalProperties') {
        unread.push(segmentsToField([...segments, String((e.params as { additionalProperty: string }).additionalProperty)]));
        return [];
      }
      if (e.keyword === 'required') {
        const missing = String((e.params as { missingProperty: string }).missingProperty);
        // Without the key that says what it is, the block cannot be read.
        if (discriminators.has(missing)) return [segments];
        // A key missing from a discriminated block: the block is still read as its branch; only the key is absent.
        if (isDiscriminated(e.data, discriminators)) {
          kept.push(segmentsToField([...segments, missing]));
          return [];
        }
      }
      const inList = segments.findIndex((s) => /^\d+$/.test(s));
      const cut = inList >= 0 ? segments.slice(0, inList) : segments;
      return [discriminators.has(cut[cut.length - 1] ?? '') ? cut.slice(0, -1) : cut];
    });
  if (cuts.length === 0) return { data, rejected: kept, unread };
  const readable = structuredClone(data);
  for (const cut of cuts.filter((c) => c.length >= depth)) {
    const parent = valueAt(readable, cut.slice(0, -1));
    if (parent !== null && typeof parent === 'object' && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[cut[cut.length - 1]];
  }
  return { data: readable, rejected: [...kept, ...cuts.map(segmentsToField)], unread };
}

/** Whether `data` is a mapping that names its branch with one of the `discriminators`. */
function isDiscriminated(data: unknown, discriminators: ReadonlySet<string>): boolean {
  return data !== null && typeof data === 'object' && Object.keys(data).some((k) => discriminators.has(k));
}

/** The block (JSON pointer) and the discriminator an error is about, when it says a discriminator is wrong or missing. */
function discriminatorError(e: ErrorObject, discriminators: ReadonlySet<string>): { block: string; key: string } | undefined {
  if (e.keyword === 'required') {
    const missing = String((e.params as { missingProperty: string }).missingProperty);
    return discriminators.has(missing) ? { block: e.instancePath, key: missing } : undefined;
  }
  if (!['enum', 'const', 'type'].includes(e.keyword)) return undefined;
  const segments = pointerSegments(e.instancePath);
  const key = segments[segments.length - 1] ?? '';
  return discriminators.has(key) ? { block: e.instancePath.slice(0, e.instancePath.lastIndexOf('/')), key } : undefined;
}

/**
 * The errors worth a message: not the `if` summary of a conditional (its branch's own errors say what is
 * wrong), and in a block whose discriminator is wrong or missing only that discriminator's error (the branch
 * it would have selected is not the one the user meant): the first discriminator of the block in the order
 * of `discriminators` (`strategy` before `engine`), its enum (which lists every choice) before a branch's const.
 */
function withoutBranchNoise(errors: readonly ErrorObject[], discriminators: ReadonlySet<string>): ErrorObject[] {
  const order = [...discriminators];
  const keywordRank = (k: string): number => ['required', 'enum', 'type', 'const'].indexOf(k);
  const chosen = new Map<string, { error: ErrorObject; key: string }>();
  for (const e of errors) {
    const d = discriminatorError(e, discriminators);
    if (!d) continue;
    const current = chosen.get(d.block);
    const better =
      !current ||
      order.indexOf(d.key) < order.indexOf(current.key) ||
      (d.key === current.key && keywordRank(e.keyword) < keywordRank(current.error.keyword));
    if (better) chosen.set(d.block, { error: e, key: d.key });
  }
  return errors.filter((e) => {
    if (e.keyword === 'if') return false;
    for (const [block, c] of chosen) {
      const inside = e.instancePath === block || e.instancePath.startsWith(`${block}/`);
      if (inside && c.error !== e) return false;
    }
    return true;
  });
}

/** Formats problems of a file as `file: field: message`. */
export function inFile(file: string, problems: readonly Problem[]): string[] {
  // A key that is a credential (pasted as a key of `config:`) is not repeated in its field's path either.
  return problems.map((p) => `${file}: ${p.field ? `${withoutCredentialKeys(p.field)}: ` : ''}${p.message}`);
}

/**
 * Every value (or key) of a configuration file that is or holds a credential (a well-known token, a URL with a
 * password or a query token), at its field, without the value: whatever the field, it would be written into dist/.
 * Fields in `skip` (those with a problem of their own) are left to it.
 */
export function credentialProblems(data: unknown, skip: ReadonlySet<string> = new Set()): Problem[] {
  const problems: Problem[] = [];
  const message =
    'looks like a credential (a token, or a URL with a password or a token): it would be written into dist/; keep it in a Secret ' +
    'and reference it (secretEnv, credentialsSecret) (the value is not shown here)';
  const walk = (value: unknown, segments: string[]): void => {
    if (typeof value === 'string') {
      const field = segmentsToField(segments);
      if (holdsCredential(value) && !skip.has(field)) problems.push({ field, message });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...segments, String(i)]));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (holdsCredential(k))
          problems.push({ field: segmentsToField(segments), message: `a key ${message.replace('looks like', 'that looks like')}` });
        else walk(v, [...segments, k]);
      }
    }
  };
  walk(data, []);
  return problems;
}

function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function segmentsToField(segments: readonly string[]): string {
  return segments.reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

function jsonPointerToField(pointer: string): string {
  return segmentsToField(pointerSegments(pointer));
}

function join(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

/**
 * The errors of a value that may take several forms (`pooler: true` or `pooler: {…}`), without the forms its type
 * rules out: a mapping with a typo inside is that typo, not also "must be true or false" and "is not allowed here".
 */
function withoutOtherForms(errors: readonly ErrorObject[], data: unknown): ErrorObject[] {
  const drop = new Set<ErrorObject>();
  const merged: ErrorObject[] = [];
  for (const choice of errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')) {
    const at = choice.instancePath;
    const actual = jsonType(valueAt(data, pointerSegments(at)));
    const otherType = (e: ErrorObject): boolean =>
      e.instancePath === at &&
      ((e.keyword === 'type' && !([] as string[]).concat((e.params as { type: string | string[] }).type).some((t) => fitsType(t, actual))) ||
        (e.keyword === 'const' &&
          (e.parentSchema as { title?: string }).title === undefined &&
          jsonType((e.params as { allowedValue: unknown }).allowedValue) !== actual));
    const within = errors.filter((e) => e !== choice && (e.instancePath === at || e.instancePath.startsWith(`${at}/`)));
    const own = within.filter((e) => !otherType(e) && e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
    if (own.length === within.length) continue;
    if (own.length > 0) {
      drop.add(choice);
      for (const e of within) if (otherType(e)) drop.add(e);
      continue;
    }
    // No form takes a value of its type: one line naming them all.
    const types = within
      .filter((e) => e.keyword === 'type')
      .map((e) => ([] as string[]).concat((e.params as { type: string | string[] }).type).join(','));
    const distinct = [...new Set(types)];
    if (distinct.length < 2 || within.some((e) => !['type', 'const', 'oneOf', 'anyOf'].includes(e.keyword))) continue;
    for (const e of within) drop.add(e);
    drop.add(choice);
    if (!merged.some((m) => m.instancePath === at)) merged.push({ ...within[0], keyword: 'type', params: { type: distinct.join(',') } });
  }
  return [...errors.filter((e) => !drop.has(e)), ...merged];
}

function jsonType(value: unknown): string {
  return value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : typeof value === 'number'
        ? Number.isInteger(value)
          ? 'integer'
          : 'number'
        : typeof value;
}

function fitsType(schemaType: string, actual: string): boolean {
  return schemaType === actual || (schemaType === 'number' && actual === 'integer');
}

function schemaErrorsToProblems(all: ErrorObject[], data: unknown, known: ReadonlySet<string>): Problem[] {
  const errors = withoutOtherForms(all, data);
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
    errors.filter((e) => e.keyword === 'oneOf' && e.schemaPath.startsWith('#/definitions/secretEnv/')).map((e) => e.instancePath),
  );
  // A misspelt key that is required is one problem: the unknown key, naming the key it stands for (not also "is required").
  const misspelt = new Map<string, string>();
  for (const e of errors.filter((x) => x.keyword === 'additionalProperties')) {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const guess = closest(key, Object.keys((e.parentSchema as { properties?: object }).properties ?? {}));
    const missing = errors.some(
      (r) => r.keyword === 'required' && r.instancePath === e.instancePath && (r.params as { missingProperty: string }).missingProperty === guess,
    );
    if (guess !== undefined && missing) misspelt.set(join(jsonPointerToField(e.instancePath), guess), key);
  }
  for (const e of errors) {
    const field = jsonPointerToField(e.instancePath);
    // Below a field that names a Secret, the value may be the secret itself: say what is wrong without it.
    const value = namesSecret(field) ? 'the value (not shown here: it may be a secret)' : show(e.data);
    if ([...secretRefPaths].some((p) => e.instancePath === p) || [...secretRefPaths].some((p) => e.instancePath.startsWith(`${p}/`))) {
      const ref = valueAt(data, pointerSegments(e.instancePath));
      const typo = e.keyword === 'oneOf' ? referenceTypo(ref) : undefined;
      if (typo) {
        add(join(field, typo.key), `unknown key (did you mean "${typo.meant}"?); a reference is {secretName, key} or {remoteKey, property}`);
        continue;
      }
      if (e.keyword === 'oneOf') {
        // The value may be the secret itself, written in the wrong place: never repeat it.
        add(
          field,
          'must be a reference, {secretName, key} (an existing Secret) or {remoteKey, property} (an external secret store), not a value (the value is not shown here: it may be a secret)',
        );
      }
      continue;
    }
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        // One line per key, whichever schema of the value says it first.
        if (problems.some((p) => p.field === join(field, key))) break;
        const parent = e.parentSchema as { title?: string; required?: string[]; properties?: Record<string, { const?: unknown }> };
        const allowed = Object.keys(parent.properties ?? {});
        const guess = closest(key, allowed);
        // A branch of a discriminated block (a release strategy, a migration mode, an engine) names what it
        // takes, unless it takes just the key that makes it its kind (`external`).
        const takes = allowed.filter((k) => parent.properties?.[k]?.const === undefined);
        const defining = takes.length === 1 && (parent.required ?? []).includes(takes[0]);
        // A key of another branch (or a typo of nothing near) does not apply to this one.
        if (parent.title !== undefined && (known.has(key) || guess === undefined)) {
          add(join(field, key), `does not apply to ${parent.title}${takes.length && !defining ? `; it takes ${takes.join(', ')}` : ''}`);
        } else {
          const required = guess !== undefined && misspelt.get(join(field, guess)) === key ? ', which is required' : '';
          add(join(field, key), `unknown key${guess ? ` (did you mean "${guess}"${required}?)` : ''}; allowed: ${allowed.join(', ')}`);
        }
        break;
      }
      case 'const': {
        // A key a branch takes only in one form (a StatefulSet database's `pooler: false`) names the branch.
        const title = (e.parentSchema as { title?: string }).title;
        const allowed = show((e.params as { allowedValue: unknown }).allowedValue);
        add(field, title ? `does not apply to ${title}, which takes only ${allowed}` : `${value} is not allowed; use ${allowed}`);
        break;
      }
      case 'required': {
        const missing = String((e.params as { missingProperty: string }).missingProperty);
        // The key is there, misspelt: the unknown key's problem says so.
        if (misspelt.has(join(field, missing))) break;
        // A misspelt key that picks the block's kind (`mod:` for `mode:`) leaves no branch to report it: the
        // typo is named here, as the one problem.
        const typo = typoOf(valueAt(data, pointerSegments(e.instancePath)), missing, e.parentSchema);
        if (typo !== undefined) {
          add(join(field, typo), `unknown key (did you mean "${missing}", which is required?)`);
          break;
        }
        // In a branch of a discriminated block, say whose requirement it is.
        const title = e.instancePath === '' ? undefined : (e.parentSchema as { title?: string }).title;
        add(join(field, String((e.params as { missingProperty: string }).missingProperty)), title ? `is required with ${title}` : 'is required');
        break;
      }
      case 'type':
        add(
          field,
          field === ''
            ? 'the file must be a mapping of keys (like "tier: prod"), not a list or a single value'
            : namesSecret(field)
              ? `must be ${typeWords((e.params as { type: string }).type)} (the value is not shown here: it may be a secret)`
              : `${value} must be ${typeWords((e.params as { type: string }).type)}`,
        );
        break;
      case 'enum': {
        // An engine names its strategy's choices, so say whose.
        const segments = pointerSegments(e.instancePath);
        const strategy = segments[segments.length - 1] === 'engine' ? valueAt(data, [...segments.slice(0, -1), 'strategy']) : undefined;
        if (typeof strategy === 'string') {
          const engines = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => show(v)).join(' or ');
          add(field, `${show(e.data)} is not an engine of strategy ${show(strategy)}: use ${engines}`);
          break;
        }
        add(field, `${value} is not allowed; use one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => show(v)).join(', ')}`);
        break;
      }
      case 'maxProperties':
        add(field, field.endsWith('exposure') ? 'choose one of "gateway" or "ingress", not both' : 'choose one of namespace or cidr, not both');
        break;
      case 'minProperties':
        add(field, field.includes('egress[') ? 'needs ports and one of namespace or cidr' : 'must list at least one entry');
        break;
      case 'minItems':
        add(
          field,
          `must list at least ${(e.params as { limit: number }).limit} ${(e.params as { limit: number }).limit === 1 ? 'entry' : 'entries'}`,
        );
        break;
      case 'minimum':
        add(field, `${value} must be at least ${(e.params as { limit: number }).limit}`);
        break;
      default:
        add(field, `${value} is not allowed here`);
    }
  }
  return problems;
}

const KNOWN_KEYS = new WeakMap<object, ReadonlySet<string>>();

/** Every key a schema declares anywhere (in any `properties`). */
function knownKeys(schema: unknown): ReadonlySet<string> {
  if (schema === null || typeof schema !== 'object') return new Set();
  let keys = KNOWN_KEYS.get(schema);
  if (!keys) {
    const found = new Set<string>();
    const walk = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      for (const k of Object.keys((node as { properties?: object }).properties ?? {})) found.add(k);
      for (const v of Object.values(node)) walk(v);
    };
    walk(schema);
    keys = found;
    KNOWN_KEYS.set(schema, keys);
  }
  return keys;
}

/** The value at `segments` of parsed data, if any. */
function valueAt(data: unknown, segments: readonly string[]): unknown {
  return segments.reduce<unknown>(
    (node, seg) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined),
    data,
  );
}

/** A key of `here` that is not one of the schema's and stands for `missing`, misspelt. */
function typoOf(here: unknown, missing: string, parentSchema: unknown): string | undefined {
  if (here === null || typeof here !== 'object' || Array.isArray(here)) return undefined;
  const known = Object.keys((parentSchema as { properties?: object } | undefined)?.properties ?? {});
  return Object.keys(here).find((k) => k !== missing && !known.includes(k) && closest(k, [missing]) === missing);
}

/** In a mapping meant as a secret reference, a misspelt key of one of its two shapes (`remotekey`, `secretname`). */
function referenceTypo(ref: unknown): { key: string; meant: string } | undefined {
  if (ref === null || typeof ref !== 'object' || Array.isArray(ref)) return undefined;
  const keys = ['secretName', 'key', 'remoteKey', 'property'];
  for (const k of Object.keys(ref)) {
    if (keys.includes(k)) continue;
    const meant = closest(k, keys);
    if (meant !== undefined) return { key: k, meant };
  }
  return undefined;
}

/** A JSON Schema type in words. */
function typeWords(type: string): string {
  if (type.includes(',')) {
    const words = type.split(',').map(typeWords);
    return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
  }
  switch (type) {
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'a mapping of keys';
    case 'array':
      return 'a list';
    default:
      return `a ${type}`;
  }
}

/**
 * Whether `entry` has a key that is a typo of one of `keys` (`remotKey`): the unknown key's own problem names it, so
 * a rule that finds none of `keys` written would report the same typo a second time.
 */
export function hasTypoOf(entry: object, keys: readonly string[]): boolean {
  return Object.keys(entry).some((k) => !keys.includes(k) && closest(k, keys) !== undefined);
}
