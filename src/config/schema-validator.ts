/**
 * JSON Schema validators of the configuration files. Compiling a schema with ajv costs more than a small
 * synth itself, so the I/O edge may install a compiler that caches generated code on disk
 * (`useSchemaCompiler`); by default schemas are compiled in memory, once per process.
 */
import type { Options, ValidateFunction } from 'ajv';

/** ajv options of the configuration schemas; part of any cache key. */
export const CONFIG_SCHEMA_OPTIONS: Options = { allErrors: true, verbose: true, strict: true, code: { source: true } };

/** Turns a JSON Schema into a validator. */
export type SchemaCompiler = (schema: object) => ValidateFunction;

// ajv is loaded on first use: a synth whose validators come from the disk cache never needs it.
const compileInMemory: SchemaCompiler = (schema) => {
  const { default: Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv(CONFIG_SCHEMA_OPTIONS).compile(schema);
};
let compiler: SchemaCompiler = compileInMemory;
const compiled = new Map<object, ValidateFunction>();

/** Replaces the compiler (undefined restores the in-memory one); drops validators compiled so far. */
export function useSchemaCompiler(next: SchemaCompiler | undefined): void {
  compiler = next ?? compileInMemory;
  compiled.clear();
}

/** The validator of `schema`, compiled on first use. */
export function compileSchema(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = compiler(schema);
    compiled.set(schema, validate);
  }
  return validate;
}
