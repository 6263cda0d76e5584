/**
 * A schema compiler that keeps ajv's generated validators as standalone code on disk, keyed by the
 * schema, the ajv version and the options, so later runs only evaluate them (loading ajv and generating
 * code is a third of a small synth's own time).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { CONFIG_SCHEMA_OPTIONS, SchemaCompiler } from '../config/schema-validator';

// Resolved from this file, not the working directory, which may be any project.
const requireHere = createRequire(__filename);

function ajvVersion(): string {
  try {
    return (requireHere('ajv/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** A compiler caching its validators in `cacheDir` (created on demand; a read-only folder only loses the cache). */
export function diskCachedCompiler(cacheDir: string): SchemaCompiler {
  return (schema: object): ValidateFunction => {
    const key = createHash('sha256')
      .update(JSON.stringify([schema, ajvVersion(), CONFIG_SCHEMA_OPTIONS]))
      .digest('hex')
      .slice(0, 24);
    const file = join(cacheDir, `${key}.cjs`);
    if (existsSync(file)) {
      const module = { exports: {} as { default?: ValidateFunction } };
      new Function('module', 'exports', 'require', readFileSync(file, 'utf8'))(module, module.exports, requireHere);
      if (module.exports.default) return module.exports.default;
    }
    const { default: Ajv } = requireHere('ajv') as typeof import('ajv');
    const { default: standaloneCode } = requireHere('ajv/dist/standalone') as typeof import('ajv/dist/standalone');
    const ajv = new Ajv(CONFIG_SCHEMA_OPTIONS);
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
  };
}
