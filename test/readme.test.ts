import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => code.includes("from 'cdk8s-trading'") && code.includes('.synth()'));

describe('the README examples', () => {
  it('are there, one per construct at least', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  it.each(examples.map((code, i) => [i + 1, code]))('example %i runs against the library and synthesizes', (_, code) => {
    const work = mkdtempSync(join(tmpdir(), 'cdk8s-trading-readme-'));
    try {
      const entry = join(ROOT, '.build', `readme-${process.pid}-${Math.random().toString(36).slice(2)}.ts`);
      writeFileSync(entry, code as string);
      const bundle = join(work, 'example.cjs');
      try {
        buildSync({
          entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'silent',
          alias: { 'cdk8s-trading': join(ROOT, 'src', 'index.ts') }, nodePaths: [join(ROOT, 'node_modules')],
          external: ['cdk8s', 'cdk8s-plus-28', 'constructs'],
        });
      } finally {
        rmSync(entry, { force: true });
      }
      const r = spawnSync(process.execPath, [bundle], { cwd: work, encoding: 'utf8', env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') } });
      expect(r.status, r.stderr).toBe(0);
      const written = readdirSync(join(work, 'dist'), { recursive: true }).map(String).filter((f) => f.endsWith('.yaml'));
      expect(written.length).toBeGreaterThan(0);
      expect(readFileSync(join(work, 'dist', written[0]), 'utf8')).toContain('apiVersion');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
