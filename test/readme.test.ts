import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((m) => m[1])
  .filter((code) => code.includes("from 'cdk8s-trading'") && code.includes('.synth()'));

describe('the README examples', () => {
  const work = mkdtempSync(join(tmpdir(), 'cdk8s-trading-readme-'));
  /** Per example: the error it threw (undefined when it ran through). */
  let errors: Array<string | undefined> = [];

  // Every example is bundled against the library's sources (one esbuild call) and run in its own folder,
  // all in one Node process: starting Node and loading cdk8s once instead of once per example.
  beforeAll(() => {
    const sources = join(ROOT, '.build', `readme-${process.pid}-${Math.random().toString(36).slice(2)}`);
    mkdirSync(sources, { recursive: true });
    const entryPoints = examples.map((code, i) => {
      const entry = join(sources, `example-${i + 1}.ts`);
      writeFileSync(entry, code);
      mkdirSync(join(work, `example-${i + 1}`));
      return entry;
    });
    try {
      buildSync({
        entryPoints,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        outdir: work,
        outExtension: { '.js': '.cjs' },
        logLevel: 'silent',
        alias: { 'cdk8s-trading': join(ROOT, 'src', 'index.ts') },
        nodePaths: [join(ROOT, 'node_modules')],
        external: ['cdk8s', 'cdk8s-plus-28', 'constructs'],
      });
    } finally {
      rmSync(sources, { recursive: true, force: true });
    }
    const runner = `
      const errors = [];
      for (let i = 1; i <= ${examples.length}; i++) {
        const dir = require('node:path').join(${JSON.stringify(work)}, 'example-' + i);
        process.chdir(dir);
        try { require(dir + '.cjs'); errors.push(null); } catch (e) { errors.push(String(e && e.stack || e)); }
      }
      process.stdout.write(JSON.stringify(errors));`;
    const r = spawnSync(process.execPath, ['-e', runner], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    });
    expect(r.status, r.stderr).toBe(0);
    errors = (JSON.parse(r.stdout) as Array<string | null>).map((e) => e ?? undefined);
  });

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('are there, one per construct at least', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  it.each(examples.map((_, i) => [i + 1]))('example %i runs against the library and synthesizes', (n) => {
    expect(errors[n - 1]).toBeUndefined();
    const dist = join(work, `example-${n}`, 'dist');
    const written = readdirSync(dist, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.yaml'));
    expect(written.length).toBeGreaterThan(0);
    expect(readFileSync(join(dist, written[0]), 'utf8')).toContain('apiVersion');
  });
});
