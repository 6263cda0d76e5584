/**
 * Strict schema validation of rendered objects against the vendored Kubernetes 1.28 and CRD schemas
 * (`schemas/` of the package): unknown fields, wrong types, missing required fields, closed enums and
 * quantity patterns are errors. Offline; each kind's schema is compiled on first use.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import type { RegExpEngine } from 'ajv/dist/types';
import { Problem, show } from '../core/validation';

/**
 * The strict schemas shipped with the package (`schemas/` at its root), found from this file whether it
 * runs from `src/`, `lib/` or a build folder.
 */
export function packageSchemaDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(candidate, 'index.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`the strict schemas (schemas/index.json) are missing from the package installed at ${__dirname}`);
  }
}

/** CRD patterns are Go RE2; compile what JavaScript can, and never fail on one that it cannot. */
const goRegExp: RegExpEngine = Object.assign((pattern: string, flags: string): RegExp => {
  for (const f of [`${flags}u`, flags]) {
    try {
      return new RegExp(pattern, [...new Set(f)].join(''));
    } catch {
      // try the next form
    }
  }
  return /[\s\S]*/;
}, { code: 'new RegExp' });

/** A strict validator over one schema directory. */
export class SchemaValidator {
  private readonly index: Record<string, string>;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({
    allErrors: true,
    strict: false, // the schemas carry x-kubernetes-* annotations
    allowUnionTypes: true,
    validateFormats: false,
    code: { regExp: goRegExp },
  });

  constructor(private readonly dir: string = packageSchemaDir()) {
    this.index = (JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { schemas: Record<string, string> }).schemas;
  }

  /** Whether a schema exists for the kind. */
  public knows(apiVersion: string, kind: string): boolean {
    return `${apiVersion}/${kind}` in this.index;
  }

  /** Every schema problem of `manifest`; an unknown kind is one. */
  public validate(manifest: { apiVersion?: unknown; kind?: unknown }): Problem[] {
    const key = `${String(manifest.apiVersion)}/${String(manifest.kind)}`;
    const file = this.index[key];
    if (!file) return [{ field: '', message: `unknown kind: no schema for apiVersion ${show(manifest.apiVersion)} kind ${show(manifest.kind)}` }];
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(JSON.parse(readFileSync(join(this.dir, file), 'utf8')));
      this.compiled.set(key, validate);
    }
    return validate(manifest) ? [] : formatErrors(validate.errors ?? []);
  }
}

function formatErrors(errors: ErrorObject[]): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const e of errors) {
    const field = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
    const message = e.keyword === 'additionalProperties'
      ? `unknown field ${show((e.params as { additionalProperty: string }).additionalProperty)}`
      : e.keyword === 'enum'
        ? `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => show(v)).join(', ')}`
        : e.message ?? 'is invalid';
    const k = `${field}\u0000${message}`;
    if (!seen.has(k)) {
      seen.add(k);
      problems.push({ field, message });
    }
  }
  return problems;
}
