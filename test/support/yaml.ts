import { parse, parseDocument } from 'yaml';
import type { JsonValue } from '../../src/synth/emit-yaml';

/** A YAML mapping as plain JSON: what an environment file is, before it is checked. */
export type JsonMap = { [key: string]: JsonValue };

function mapping(value: JsonValue | undefined, where: string): JsonMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected a mapping, found ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value;
}

/**
 * Parses YAML whose top level is a mapping, like an environment file, into plain JSON to edit. Tests
 * edit it freely (they write wrong values on purpose), so it is typed as JSON, not as the file's
 * schema; `at` reaches into it.
 */
export function parseMap(text: string): JsonMap {
  return mapping(parseDocument(text).toJS() as JsonValue, 'the document');
}

/** The mapping at `path` in `map`, to read or edit in place; fails when a step is not a mapping. */
export function at(map: JsonMap, ...path: string[]): JsonMap {
  let here = map;
  path.forEach((key, i) => {
    here = mapping(here[key], path.slice(0, i + 1).join('.'));
  });
  return here;
}

/**
 * A kustomize `kustomization.yaml` as the synth writes it (kustomize.config.k8s.io/v1beta1; not
 * Flux's Kustomization kind, which kinds.ts maps).
 */
export interface KustomizeFile {
  readonly apiVersion: string;
  readonly kind: string;
  readonly resources: readonly string[];
}

/** Parses the text of a `kustomization.yaml`. */
export function kustomizeFile(text: string): KustomizeFile {
  return parse(text) as KustomizeFile;
}
