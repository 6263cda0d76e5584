/**
 * The extension point of environment-file projects: `environments/extend.ts` (or `.js`) default-exports
 * a function that receives each environment's chart before it is rendered, so a team adds its own
 * constructs without forking the loader. The file is compiled with esbuild; `cdk8s-trading` inside it
 * (and `cdk8s-trading/toolkit`, cdk8s, cdk8s-plus-28, constructs) resolve to the modules that run it, so
 * its constructs and these share one tree.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { Chart } from 'cdk8s';
import type { Environment } from '../config/environment';
import { ConfigurationError } from '../core/problems';

/** Receives each environment's chart (with its constructs built from the file) before it is rendered. */
export type EnvironmentExtension = (chart: Chart, environment: Environment) => void;

/** The extension files looked for in `environments/`, in order. */
export const EXTENSION_FILES = ['extend.ts', 'extend.js', 'extend.cjs'] as const;

const requireHere = createRequire(__filename);
const SHARED = new Set(['cdk8s', 'cdk8s-plus-28', 'constructs']);

/** The extension of the project at `root`, when it has one. */
export function loadExtension(root: string): EnvironmentExtension | undefined {
  const file = EXTENSION_FILES.map((f) => join(root, 'environments', f)).find((f) => existsSync(f));
  if (!file) return undefined;
  const shown = relative(process.cwd(), file) || file;
  const { buildSync } = requireHere('esbuild') as typeof import('esbuild');
  let code: string;
  try {
    const out = buildSync({
      entryPoints: [file],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
      sourcemap: 'inline',
    });
    code = out.outputFiles[0].text;
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { line: number; column: number } | null }> }).errors ?? [];
    throw new ConfigurationError(
      errors.length > 0
        ? errors.map((x) => `${shown}${x.location ? `:${x.location.line}:${x.location.column}` : ''}: ${x.text}`)
        : [`${shown}: cannot compile: ${(e as Error).message}`],
    );
  }
  const requireThere = createRequire(file);
  const library = requireHere('../index') as object;
  const toolkit = (): object => requireHere('../toolkit') as object;
  const module = { exports: {} as { default?: unknown; extend?: unknown } };
  const load = new Function('module', 'exports', 'require', '__filename', '__dirname', code);
  // The library and its peers resolve to the very modules running now: one cdk8s, one construct tree.
  const requireFor = (id: string): unknown =>
    id === 'cdk8s-trading' ? library : id === 'cdk8s-trading/toolkit' ? toolkit() : SHARED.has(id.split('/')[0]) ? requireHere(id) : requireThere(id);
  load(module, module.exports, requireFor, file, join(file, '..'));
  const fn = module.exports.default ?? module.exports.extend ?? module.exports;
  if (typeof fn !== 'function') {
    throw new ConfigurationError([`${shown}: must export a function (export default function (chart, environment) { ... })`]);
  }
  return fn as EnvironmentExtension;
}
