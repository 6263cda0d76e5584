/**
 * `npm run diff`: synthesizes into a temporary folder and compares it with the committed dist/,
 * per folder: objects added, removed and changed (with the changed fields). Exits 1 on any drift.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigurationError } from '../src';
import { compareTrees, FolderDiff } from './app/compare';
import { synthesize } from './app/synth';

/** Renders the drift as readable lines. */
export function describeDrift(diffs: readonly FolderDiff[], dist: string): string[] {
  const lines: string[] = [];
  for (const d of diffs) {
    lines.push(`${dist}/${d.folder}: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`);
    for (const a of d.added) lines.push(`  + ${a}`);
    for (const r of d.removed) lines.push(`  - ${r}`);
    for (const c of d.changed) lines.push(`  ~ ${c.item}: ${c.fields.slice(0, 8).join(', ')}${c.fields.length > 8 ? `, … (${c.fields.length - 8} more)` : ''}`);
  }
  return lines;
}

function main(): number {
  const root = process.cwd();
  const dist = process.argv[2] ?? 'dist';
  const fresh = mkdtempSync(join(tmpdir(), 'cdk8s-trading-diff-'));
  try {
    synthesize({ root, outdir: fresh });
    const diffs = compareTrees(resolve(dist), fresh);
    if (diffs.length === 0) {
      console.log(`${dist}/ matches a fresh synth`);
      return 0;
    }
    for (const line of describeDrift(diffs, dist)) console.log(line);
    console.log(`${dist}/ differs from a fresh synth: run npm run synth and commit the result`);
    return 1;
  } catch (e) {
    if (e instanceof ConfigurationError) {
      for (const p of e.problems) console.error(`  ${p}`);
      console.error('synth failed, so dist/ cannot be compared');
      return 1;
    }
    throw e;
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main();
