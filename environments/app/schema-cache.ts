/**
 * Compiling the environment schemas with ajv is a third of a small synth's own time (loading ajv and
 * generating code). The generated validator is cached as standalone code in `.build/schema-cache`,
 * keyed by the schema, the ajv version and the options, so later runs only evaluate it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Options, ValidateFunction } from 'ajv';

const OPTIONS: Options = { allErrors: true, verbose: true, strict: true, code: { source: true } };
// Resolved from this file (or the bundle in .build/), not the working directory, which may be any project.
const requireHere = createRequire(__filename);

function ajvVersion(): string {
  try {
    return (requireHere('ajv/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** A validator for `schema`: from the cache when present, compiled (and cached) otherwise. */
export function compileCached(schema: object, cacheDir = join(process.cwd(), '.build', 'schema-cache')): ValidateFunction {
  const key = createHash('sha256').update(JSON.stringify([schema, ajvVersion(), OPTIONS])).digest('hex').slice(0, 24);
  const file = join(cacheDir, `${key}.cjs`);
  if (existsSync(file)) {
    const module = { exports: {} as { default?: ValidateFunction } };
    new Function('module', 'exports', 'require', readFileSync(file, 'utf8'))(module, module.exports, requireHere);
    if (module.exports.default) return module.exports.default;
  }
  const { default: Ajv } = requireHere('ajv') as typeof import('ajv');
  const { default: standaloneCode } = requireHere('ajv/dist/standalone') as typeof import('ajv/dist/standalone');
  const ajv = new Ajv(OPTIONS);
  const validate = ajv.compile(schema);
  try {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, standaloneCode(ajv, validate));
    renameSync(tmp, file);
  } catch {
    // A read-only project still synthesizes; it just compiles every time.
  }
  return validate;
}
