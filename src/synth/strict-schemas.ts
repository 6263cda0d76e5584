/**
 * Strict schema validation of rendered objects against the vendored Kubernetes 1.28 and CRD schemas
 * (`schemas/` of the package): unknown fields, wrong types, missing required fields, closed enums and
 * quantity patterns are errors. Offline.
 *
 * Compiling the ~0.8 MB of schemas with ajv takes seconds, so the validators are generated once, for every
 * kind at once, and kept as code in a cache folder (by default `node_modules/.cache/cdk8s-trading` nearest
 * the package): later runs load them (with V8's compiled code) instead of compiling. The file
 * name is a hash of the schemas, the ajv version and the options, so a changed schema is compiled again.
 * A read-only or missing cache folder only loses the cache.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import Ajv, { _, ErrorObject, Format, Options, ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import type { RegExpEngine } from 'ajv/dist/types';
import { Problem, show } from '../core/problems';

// Resolved from this file, not the working directory, which may be any project.
const requireHere = createRequire(__filename);

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

/**
 * `node_modules/.cache/cdk8s-trading` of the installation that holds `schemaDir`: the nearest
 * `node_modules` above it (an installed package), else the one beside it (this repository).
 */
export function defaultStrictCacheDir(schemaDir: string): string | undefined {
  for (let dir = dirname(schemaDir); dirname(dir) !== dir; dir = dirname(dir)) {
    if (basename(dir) === 'node_modules') return join(dir, '.cache', 'cdk8s-trading');
  }
  const beside = join(dirname(schemaDir), 'node_modules');
  return existsSync(beside) ? join(beside, '.cache', 'cdk8s-trading') : undefined;
}

/** How generated code reaches the RegExp engine below (see `moduleRequire`). */
const GO_REGEXP_MODULE = 'cdk8s-trading:go-regexp';

/** CRD patterns are Go RE2; compile what JavaScript can, and never fail on one that it cannot. */
const goRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string): RegExp => {
    for (const f of [`${flags}u`, flags]) {
      try {
        return new RegExp(pattern, [...new Set(f)].join(''));
      } catch {
        // try the next form
      }
    }
    return /[\s\S]*/;
  },
  { code: `require(${JSON.stringify(GO_REGEXP_MODULE)})` },
);

/** How generated code reaches FORMATS (see `moduleRequire`). */
const FORMATS_MODULE = 'cdk8s-trading:formats';
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** The formats the schemas name, as the apiserver and kubernetes-models' validators read them. */
const FORMATS: Record<string, Format> = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: 'number', validate: (n: number) => Number.isSafeInteger(n) },
  'date-time': { type: 'string', validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)) },
  byte: { type: 'string', validate: (s: string) => BASE64.test(s) },
};

function ajvOptions(checkFormats: boolean): Options {
  return {
    allErrors: true,
    strict: false, // the schemas carry x-kubernetes-* annotations
    allowUnionTypes: true,
    validateFormats: checkFormats,
    ...(checkFormats ? { formats: FORMATS } : {}),
    // Shared subschemas (below) stay functions of their own instead of being inlined at every use.
    inlineRefs: false,
    code: { source: true, regExp: goRegExp, ...(checkFormats ? { formats: _`require(${FORMATS_MODULE})` } : {}) },
  };
}
/** Part of the cache key: bump when the generated code changes shape. */
const GENERATOR_VERSION = 1;

type Validators = Readonly<Record<string, ValidateFunction>>;
type JsonSchema = { [key: string]: unknown };

/** Options of a `SchemaValidator`. */
export interface SchemaValidatorOptions {
  /**
   * Where the generated validators are kept; `false` keeps them in memory only.
   * @default - node_modules/.cache/cdk8s-trading of the installation holding the schemas
   */
  readonly cacheDir?: string | false;
  /**
   * Also check the formats the schemas name (int32 and int64 ranges, RFC 3339 date-times, base64 bytes).
   * @default false
   */
  readonly checkFormats?: boolean;
}

let shared: SchemaValidator | undefined;
/** One validator of the package's schemas per process: the generated validators are loaded (or compiled) once. */
export function sharedSchemaValidator(): SchemaValidator {
  shared ??= new SchemaValidator();
  return shared;
}

/** A strict validator over one schema directory. */
export class SchemaValidator {
  private readonly index: Record<string, string>;
  private readonly cacheDir: string | undefined;
  private readonly options: Options;
  private validators: Validators | undefined;

  constructor(
    private readonly dir: string = packageSchemaDir(),
    options: SchemaValidatorOptions = {},
  ) {
    this.index = (JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { schemas: Record<string, string> }).schemas;
    this.cacheDir = options.cacheDir === false ? undefined : (options.cacheDir ?? defaultStrictCacheDir(dir));
    this.options = ajvOptions(options.checkFormats ?? false);
  }

  /** Whether a schema exists for the kind. */
  public knows(apiVersion: string, kind: string): boolean {
    return `${apiVersion}/${kind}` in this.index;
  }

  /** Every schema problem of `manifest`; an unknown kind is one. */
  public validate(manifest: { apiVersion?: unknown; kind?: unknown }): Problem[] {
    const key = `${String(manifest.apiVersion)}/${String(manifest.kind)}`;
    if (!(key in this.index))
      return [{ field: '', message: `unknown kind: no schema for apiVersion ${show(manifest.apiVersion)} kind ${show(manifest.kind)}` }];
    const validate = this.load()[key];
    return validate(manifest) ? [] : formatErrors(validate.errors ?? []);
  }

  /** Loads (or generates and caches) the validators of every kind now, rather than on the first `validate`. */
  public prepare(): void {
    this.load();
  }

  private load(): Validators {
    this.validators ??= this.loadCached() ?? this.generate();
    return this.validators;
  }

  /** The cache file of the current schemas: a hash of their text, the ajv version and the options. */
  private cacheFile(): string | undefined {
    if (!this.cacheDir) return undefined;
    const hash = createHash('sha256').update(
      JSON.stringify([GENERATOR_VERSION, ajvVersion(), this.options, Object.keys(this.options.formats ?? {}), this.index]),
    );
    for (const file of Object.values(this.index).sort()) hash.update(`\u0000${file}\u0000`).update(readFileSync(join(this.dir, file)));
    return join(this.cacheDir, `strict-validators-${hash.digest('hex').slice(0, 24)}.cjs`);
  }

  private loadCached(): Validators | undefined {
    const file = this.cacheFile();
    if (!file || !existsSync(file)) return undefined;
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(`${file}.v8`);
    } catch {
      // not saved yet
    }
    const source = moduleSource(readFileSync(file, 'utf8'));
    const script = new Script(source, { filename: file, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) writeCodeCache(file, source);
    const module = { exports: {} as Validators };
    (script.runInThisContext() as (m: object, e: object, r: (id: string) => unknown) => void)(module, module.exports, moduleRequire);
    return module.exports;
  }

  /** Compiles every kind's schema with ajv and, with a cache folder, writes the generated code there. */
  private generate(): Validators {
    const schemas = Object.fromEntries(
      Object.entries(this.index).map(([key, file]) => [key, JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as JsonSchema]),
    );
    const { definitions, rewritten } = shareSubschemas(schemas);
    const ajv = new Ajv(this.options);
    ajv.addSchema({ $id: SHARED_ID, definitions });
    const ids = Object.fromEntries(Object.keys(rewritten).map((key, i) => [key, `kind-${i}`]));
    for (const [key, schema] of Object.entries(rewritten)) ajv.addSchema({ ...schema, $id: ids[key] });
    const validators = Object.fromEntries(Object.entries(ids).map(([key, id]) => [key, ajv.getSchema(id) as ValidateFunction]));
    const file = this.cacheFile();
    if (file) {
      const code = standaloneCode(ajv, ids);
      writeAtomically(file, code);
      writeCodeCache(file, moduleSource(code));
    }
    return validators;
  }
}

/** The generated code as a function of `module`, `exports` and `require`, like a CommonJS module. */
function moduleSource(code: string): string {
  return `(function (module, exports, require) {${code}\n})`;
}

/**
 * Writes V8's compiled code for a cache file beside it, with every function compiled (V8 compiles most
 * functions on first call, so a cache taken after one run would hold only what that run needed): loading
 * the ~3 MB of validators then costs tens of milliseconds instead of parsing and compiling them. Once per
 * cache file (and again should V8 reject it: another Node version).
 */
function writeCodeCache(file: string, source: string): void {
  setFlagsFromString('--no-lazy');
  let eager: Script;
  try {
    eager = new Script(source, { filename: file });
  } finally {
    setFlagsFromString('--lazy');
  }
  writeAtomically(`${file}.v8`, eager.createCachedData());
}

/** The `require` of the generated code: ajv's runtime helpers, the RegExp engine and the formats. */
function moduleRequire(id: string): unknown {
  return id === GO_REGEXP_MODULE ? goRegExp : id === FORMATS_MODULE ? FORMATS : requireHere(id);
}

function ajvVersion(): string {
  return (requireHere('ajv/package.json') as { version: string }).version;
}

/** Writes through a temporary file and a rename, so a reader never sees half a file; a failure only loses the cache. */
function writeAtomically(file: string, content: string | Buffer): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch {
    // A read-only installation still validates; it just compiles every time.
  }
}

const SHARED_ID = 'cdk8s-trading-shared';
/** Subschemas this short are cheaper inlined than called. */
const MIN_SHARED_LENGTH = 50;

/**
 * The schemas have every `$ref` inlined, so a pod spec is spelled out in Deployment, StatefulSet, Job,
 * Rollout, AnalysisTemplate and Pooler, a container three times in each: compiled as is, that is ~13 MB of
 * generated code. Each subschema that occurs more than once becomes one definition and a `$ref` to it
 * (the same constraints, compiled once): ~3 MB, and two to three times faster to generate.
 */
function shareSubschemas(schemas: Record<string, JsonSchema>): { definitions: Record<string, JsonSchema>; rewritten: Record<string, JsonSchema> } {
  const text = new Map<JsonSchema, string>();
  const counts = new Map<string, number>();
  const count = (node: JsonSchema): void => {
    const t = canonical(node);
    text.set(node, t);
    counts.set(t, (counts.get(t) ?? 0) + 1);
    mapSubschemas(node, (child) => {
      count(child);
      return child;
    });
  };
  for (const schema of Object.values(schemas)) count(schema);
  const definitions: Record<string, JsonSchema> = {};
  const rewrite = (node: JsonSchema, top: boolean): JsonSchema => {
    const result = mapSubschemas(node, (child) => rewrite(child, false));
    const t = text.get(node) as string;
    if (top || (counts.get(t) ?? 0) < 2 || t.length < MIN_SHARED_LENGTH) return result;
    const name = createHash('sha256').update(t).digest('hex').slice(0, 16);
    definitions[name] = result;
    return { $ref: `${SHARED_ID}#/definitions/${name}` };
  };
  return { definitions, rewritten: Object.fromEntries(Object.entries(schemas).map(([key, schema]) => [key, rewrite(schema, true)])) };
}

/** A copy of `node` with `fn` applied to each direct subschema (the only keywords these schemas nest them in). */
function mapSubschemas(node: JsonSchema, fn: (child: JsonSchema) => JsonSchema): JsonSchema {
  const out: JsonSchema = { ...node };
  const isSchema = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);
  for (const k of ['properties', 'patternProperties']) {
    const map = node[k];
    if (isSchema(map)) out[k] = Object.fromEntries(Object.entries(map).map(([name, s]) => [name, isSchema(s) ? fn(s) : s]));
  }
  for (const k of ['items', 'additionalProperties', 'not']) {
    const s = node[k];
    if (isSchema(s)) out[k] = fn(s);
  }
  for (const k of ['anyOf', 'allOf', 'oneOf']) {
    const list = node[k];
    if (Array.isArray(list)) out[k] = list.map((s: unknown) => (isSchema(s) ? fn(s) : s));
  }
  return out;
}

/** JSON with sorted keys: equal schemas, equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function formatErrors(errors: ErrorObject[]): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const e of errors) {
    const field = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
    const message =
      e.keyword === 'additionalProperties'
        ? `unknown field ${show((e.params as { additionalProperty: string }).additionalProperty)}`
        : e.keyword === 'enum'
          ? `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => show(v)).join(', ')}`
          : (e.message ?? 'is invalid');
    const k = `${field}\u0000${message}`;
    if (!seen.has(k)) {
      seen.add(k);
      problems.push({ field, message });
    }
  }
  return problems;
}
