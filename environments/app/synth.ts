/**
 * The synth pipeline: read and validate every environment file, build each environment, render
 * it, and only then write anything.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigurationError, compareStrings } from '../../src';
import { buildEnvironment } from './build';
import { Environment, parseEnvironment } from './config';
import { Manifest, manifestFiles, OutputFile, writeEnvironments } from './write';

/** Options of `synthesize`. */
export interface SynthOptions {
  /** Project root; environment files are read from `<root>/environments/*.yaml`. */
  readonly root: string;
  /** Output folder. */
  readonly outdir: string;
  /** Only these environments (all when empty). Folders of the others are kept. */
  readonly only?: readonly string[];
}

/** What one environment produced. */
export interface EnvironmentResult {
  readonly name: string;
  readonly files: readonly OutputFile[];
  readonly kinds: Readonly<Record<string, number>>;
  readonly bytes: number;
}

/** Reads and validates every environment file; throws a ConfigurationError listing every problem. */
export function loadEnvironments(root: string): Environment[] {
  const dir = join(root, 'environments');
  const names = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort(compareStrings);
  const problems: string[] = [];
  const environments: Environment[] = [];
  for (const fileName of names) {
    const file = relative(root, join(dir, fileName)) || fileName;
    const result = parseEnvironment(fileName.replace(/\.yaml$/, ''), file, readFileSync(join(dir, fileName), 'utf8'));
    problems.push(...result.problems);
    if (result.environment) environments.push(result.environment);
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  if (environments.length === 0) throw new ConfigurationError([`${relative(root, dir) || dir}: no environment files (*.yaml)`]);
  return environments;
}

/** Renders one environment to its files, without touching the disk. */
export function renderEnvironment(environment: Environment): EnvironmentResult {
  let manifests: Manifest[];
  try {
    const chart = buildEnvironment(environment);
    // The constructs' tree validations (duplicate names, unconnected databases, ...), each as one line.
    const problems = chart.node.findAll().flatMap((c) => c.node.validate());
    if (problems.length > 0) throw new ConfigurationError(problems);
    manifests = chart.toJson() as Manifest[];
  } catch (e) {
    const problems = e instanceof ConfigurationError ? e.problems : [(e as Error).message];
    throw new ConfigurationError(problems.map((p) => `${environment.file}: ${p}`));
  }
  const files = manifestFiles(manifests);
  const kinds: Record<string, number> = {};
  for (const m of manifests) kinds[m.kind] = (kinds[m.kind] ?? 0) + 1;
  return { name: environment.name, files, kinds, bytes: files.reduce((n, f) => n + Buffer.byteLength(f.content), 0) };
}

/** Validates, renders and writes the environments; nothing is written unless every one succeeds. */
export function synthesize(options: SynthOptions): EnvironmentResult[] {
  const all = loadEnvironments(options.root);
  const only = options.only ?? [];
  const unknown = only.filter((name) => !all.some((e) => e.name === name));
  if (unknown.length > 0) {
    throw new ConfigurationError(unknown.map((n) => `--env ${n}: no such environment; use one of ${all.map((e) => e.name).join(', ')}`));
  }
  const selected = only.length > 0 ? all.filter((e) => only.includes(e.name)) : all;
  const results = selected.map(renderEnvironment);
  writeEnvironments(options.outdir, new Map(results.map((r) => [r.name, r.files])), only.length === 0);
  return results;
}
