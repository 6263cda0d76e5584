import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'vitest';

export const ROOT = join(__dirname, '..', '..');

/** A scratch project in a fresh temporary folder: a copy of this repository's environments/. */
export function scratchProject(): { root: string; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'cdk8s-trading-project-'));
  cpSync(join(ROOT, 'environments'), join(root, 'environments'), { recursive: true });
  return { root, out: join(root, 'dist') };
}

/** Every file under `dir` with its content, for before/after comparisons. */
export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** Replaces `from` (which must be there) with `to` in `environments/<env>.yaml`. */
export function edit(root: string, env: string, from: string, to: string): void {
  const file = join(root, 'environments', `${env}.yaml`);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

/** Runs this repository's CLI (`npm run synth` and friends run the same entry) in `cwd`. */
export function cli(cwd: string, args: readonly string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(ROOT, 'scripts', 'cli.cjs'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CDK8S_OUTDIR: '', ...env },
  });
}
