/**
 * Configuration files as data: YAML read with the 1.2 core schema (duplicate keys are errors) and
 * checked against a JSON Schema, every problem at once, in words a person can act on.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import { Problem, show } from '../core/validation';

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

/**
 * The data as value rules may read it, and the fields taken out: each value the schema rejected for its
 * type (or a missing key), with its whole list when it is in one (rules read lists whole) and with its
 * block when it is one of the `discriminators`, the keys that decide what their block means. The schema
 * has reported these fields; a rule never sees them. Values less than `depth` keys deep stay (the caller
 * skips what holds them).
 */
export function readableData(
  data: unknown, errors: readonly ErrorObject[], discriminators: ReadonlySet<string>, depth: number,
): { data: unknown; rejected: string[] } {
  const cuts = errors.filter((e) => e.keyword !== 'additionalProperties').map((e) => {
    const segments = pointerSegments(e.instancePath);
    const inList = segments.findIndex((s) => /^\d+$/.test(s));
    const cut = inList >= 0 ? segments.slice(0, inList) : segments;
    return discriminators.has(cut[cut.length - 1] ?? '') ? cut.slice(0, -1) : cut;
  });
  if (cuts.length === 0) return { data, rejected: [] };
  const readable = structuredClone(data);
  for (const cut of cuts.filter((c) => c.length >= depth)) {
    const parent = cut.slice(0, -1).reduce<unknown>((node, seg) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined), readable);
    if (parent !== null && typeof parent === 'object' && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[cut[cut.length - 1]];
  }
  return { data: readable, rejected: cuts.map(segmentsToField) };
}

/** Formats problems of a file as `file: field: message`. */
export function inFile(file: string, problems: readonly Problem[]): string[] {
  return problems.map((p) => `${file}: ${p.field ? `${p.field}: ` : ''}${p.message}`);
}

function pointerSegments(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
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
    errors.filter((e) => e.keyword === 'oneOf' && e.schemaPath.startsWith('#/definitions/secretEnv/')).map((e) => e.instancePath),
  );
  for (const e of errors) {
    const field = jsonPointerToField(e.instancePath);
    if ([...secretRefPaths].some((p) => e.instancePath === p) || [...secretRefPaths].some((p) => e.instancePath.startsWith(`${p}/`))) {
      if (e.keyword === 'oneOf') {
        // The value may be the secret itself, written in the wrong place: never repeat it.
        add(field, 'must be a reference, {secretName, key} (an existing Secret) or {remoteKey, property} (an external secret store), not a value (the value is not shown here: it may be a secret)');
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
        add(field, field === '' ? 'the file must be a mapping of keys (like "tier: prod"), not a list or a single value' : `${show(e.data)} must be ${typeWords((e.params as { type: string }).type)}`);
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
      case 'minItems':
        add(field, `must list at least ${(e.params as { limit: number }).limit} ${(e.params as { limit: number }).limit === 1 ? 'entry' : 'entries'}`);
        break;
      default:
        add(field, `${show(e.data)} is not allowed here`);
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

/** A JSON Schema type in words. */
function typeWords(type: string): string {
  switch (type) {
    case 'integer': return 'a whole number';
    case 'number': return 'a number';
    case 'boolean': return 'true or false';
    case 'object': return 'a mapping of keys';
    case 'array': return 'a list';
    default: return `a ${type}`;
  }
}
