import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src';
import { synthesize } from '../environments/app/synth';

const ROOT = join(__dirname, '..');
let work: string;
let bundle: string;

/** A scratch project: a copy of environments/ (with edits), and an empty dist/. */
function project(): { root: string; out: string } {
  const root = mkdtempSync(join(work, 'project-'));
  cpSync(join(ROOT, 'environments'), join(root, 'environments'), { recursive: true, filter: (src) => !src.includes(`${join('environments', 'app')}`) });
  return { root, out: join(root, 'dist') };
}

/** Every file under `dir` with its content, for before/after comparisons. */
function tree(dir: string): Record<string, string> {
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

function edit(root: string, env: string, from: string, to: string): void {
  const file = join(root, 'environments', `${env}.yaml`);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cdk8s-trading-'));
  // Inside the project, so the bundle resolves the project's node_modules like `npm run synth` does.
  bundle = join(ROOT, '.build', `synth-test-${process.pid}.cjs`);
  buildSync({ entryPoints: [join(ROOT, 'environments', 'main.ts')], bundle: true, platform: 'node', format: 'cjs', packages: 'external', outfile: bundle, logLevel: 'silent' });
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(bundle, { force: true });
});

describe('synthesize', () => {
  let p: { root: string; out: string };
  beforeEach(() => {
    p = project();
  });

  it('writes every environment, one file per object', () => {
    const results = synthesize({ root: p.root, outdir: p.out });
    expect(results.map((r) => r.name)).toEqual(['dev', 'prod', 'staging', 'gitops']);
    expect(readdirSync(p.out).sort()).toEqual(['dev', 'gitops', 'prod', 'staging']);
    expect(readdirSync(join(p.out, 'prod', '50-application'))).toContain('deployment-trading-api-blue.yaml');
    expect(readdirSync(join(p.out, 'gitops')).sort()).toEqual(['argocd', 'flux']);
    expect(results.find((r) => r.name === 'prod')?.kinds.Deployment).toBe(2);
  });

  it('is deterministic: a second run writes the same bytes', () => {
    synthesize({ root: p.root, outdir: p.out });
    const first = tree(p.out);
    synthesize({ root: p.root, outdir: p.out });
    expect(tree(p.out)).toEqual(first);
  });

  it('removes the file of an object that left the configuration, and folders of removed environments', () => {
    synthesize({ root: p.root, outdir: p.out });
    expect(existsSync(join(p.out, 'prod', '40-migration', 'job-trading-api-migrate.yaml'))).toBe(true);
    edit(p.root, 'prod', 'migration:\n      mode: job\n      command: [/app/server, migrate]\n', '');
    rmSync(join(p.root, 'environments', 'dev.yaml'));
    rmSync(join(p.root, 'environments', 'gitops.yaml'));
    synthesize({ root: p.root, outdir: p.out });
    expect(existsSync(join(p.out, 'prod', '40-migration'))).toBe(false);
    expect(readdirSync(p.out).sort()).toEqual(['prod', 'staging']);
  });

  it('with `only`, rewrites just those environments and keeps the others', () => {
    synthesize({ root: p.root, outdir: p.out });
    writeFileSync(join(p.out, 'dev', 'marker.yaml'), 'kept: true\n');
    edit(p.root, 'prod', 'LOG_LEVEL: info', 'LOG_LEVEL: warn');
    synthesize({ root: p.root, outdir: p.out, only: ['prod'] });
    expect(readFileSync(join(p.out, 'prod', '20-config', 'configmap-trading-api-config.yaml'), 'utf8')).toContain('LOG_LEVEL: warn');
    expect(existsSync(join(p.out, 'dev', 'marker.yaml'))).toBe(true);
    expect(() => synthesize({ root: p.root, outdir: p.out, only: ['qa'] })).toThrow('--env qa: no such environment; use one of dev, prod, staging');
  });

  it('leaves the previous output untouched when any environment is invalid', () => {
    synthesize({ root: p.root, outdir: p.out });
    const before = tree(p.out);
    edit(p.root, 'dev', 'LOG_LEVEL: debug', 'LOG_LEVEL: trace');
    edit(p.root, 'prod', 'ghcr.io/acme-trading/trading-api:1.4.2', 'ghcr.io/acme-trading/trading-api:latest');
    const e = (() => { try { synthesize({ root: p.root, outdir: p.out }); } catch (err) { return err; } return undefined; })();
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as ConfigurationError).problems).toEqual([
      'environments/prod.yaml: services.trading-api.release.blueImage: "ghcr.io/acme-trading/trading-api:latest" uses the "latest" tag: pin a version or a digest; "latest" is allowed only in dev',
    ]);
    expect(tree(p.out)).toEqual(before);
  });

  it('recovers a swap that was killed between its two renames, and drops stale temporaries', () => {
    synthesize({ root: p.root, outdir: p.out });
    const prod = tree(join(p.out, 'prod'));
    renameSync(join(p.out, 'prod'), join(p.out, '.old-prod-4242'));
    mkdirSync(join(p.out, '.tmp-staging-4242'));
    synthesize({ root: p.root, outdir: p.out, only: ['dev'] });
    expect(tree(join(p.out, 'prod'))).toEqual(prod);
    expect(readdirSync(p.out).sort()).toEqual(['dev', 'gitops', 'prod', 'staging']);
  });
});

describe('npm run synth (the bundled CLI)', () => {
  const run = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [bundle, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: '' } });

  it('prints a summary per environment and exits 0', () => {
    const p = project();
    const r = run(p.root, '--outdir', 'dist');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^dist\/prod: \d+ files, \d+ bytes, \d+ ms \(Cluster 1, ConfigMap 1, Deployment 2, /m);
    expect(r.stdout).toMatch(/^dist\/gitops: \d+ files, \d+ bytes, \d+ ms \(AppProject 1, Application 3, GitRepository 1, Kustomization \d+\)$/m);
    expect(r.stdout).toMatch(/synthesized 4 folder\(s\) in \d+ ms/);
  });

  it('synthesizes one environment with --env', () => {
    const p = project();
    const r = run(p.root, '--outdir', 'dist', '--env', 'prod');
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(join(p.root, 'dist'))).toEqual(['prod']);
  });

  it('exits non-zero with every problem of every file, and writes nothing', () => {
    const p = project();
    edit(p.root, 'dev', 'namespace: trading-dev', 'namespace: Trading-Dev');
    edit(p.root, 'staging', '    config:', '    replica: 2\n    config:');
    writeFileSync(join(p.root, 'environments', 'qa.yaml'), 'tier: [qa\n');
    const r = run(p.root, '--outdir', 'dist');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('synth failed; dist/ was left as it was.');
    expect(r.stderr).toContain('environments/dev.yaml: namespace: "Trading-Dev" is not a valid name');
    expect(r.stderr).toContain('environments/staging.yaml: services.trading-api.replica: unknown key (did you mean "replicas"?)');
    expect(r.stderr).toMatch(/environments\/qa\.yaml: cannot parse YAML/);
    expect(existsSync(join(p.root, 'dist'))).toBe(false);
  });

  it('rejects unknown arguments', () => {
    const r = run(project().root, '--envs', 'prod');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('unknown argument "--envs"');
  });
});
