import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { environmentProblems } from '../../src/config/build';
import { parseEnvironment } from '../../src/config/environment';
import { renderEnvironment } from '../../src/synth/project';
import type { Obj } from './render';
import { JsonMap, parseMap } from './yaml';

/** The file name a reference environment is read from, as problems name it. */
export const fileOf = (env: string): string => `environments/${env}.yaml`;

/** The reference environment `env` with `edit` applied, as the text of a file. */
export function editedEnvironment(env: string, edit: (doc: JsonMap) => void): string {
  const doc = parseMap(readFileSync(join(__dirname, '..', '..', 'environments', `${env}.yaml`), 'utf8'));
  edit(doc);
  return JSON.stringify(doc);
}

/** Every object the reference environment `env` renders with `edit` applied (fails when the file is invalid). */
export function objectsAfter(env: string, edit: (doc: JsonMap) => void): Obj[] {
  const parsed = parseEnvironment(env, fileOf(env), editedEnvironment(env, edit));
  if (!parsed.environment) throw new Error(parsed.problems.join('\n'));
  return renderEnvironment(parsed.environment)
    .files.filter((f) => f.path.endsWith('.yaml') && !f.path.endsWith('kustomization.yaml'))
    .map((f) => parse(f.content) as Obj);
}

/** The problems of the reference environment `env` with `edit` applied. */
export function problemsAfter(env: string, edit: (doc: JsonMap) => void): string[] {
  return environmentProblems(env, fileOf(env), editedEnvironment(env, edit));
}
