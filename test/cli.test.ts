import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNow as run } from './support/run-now';
import { cli, edit, scratchProject, tree } from './support/project';

/** Runs the CLI in-process; returns the exit code and what it printed. */
function inProcess(cwd: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  const status = run(args, { cwd, out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('cdk8s-trading --help and usage errors', () => {
  it('lists the subcommands', () => {
    const r = inProcess(tmpdir(), '--help');
    expect(r.status).toBe(0);
    for (const c of ['init', 'synth', 'validate', 'diff']) expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    expect(inProcess(tmpdir()).stdout).toBe(r.stdout);
  });

  it.each(['init', 'synth', 'validate', 'diff'])('%s --help prints its usage', (c) => {
    const r = inProcess(tmpdir(), c, '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: cdk8s-trading ${c}`));
    expect(inProcess(tmpdir(), 'help', c).stdout).toBe(r.stdout);
  });

  it('answers an unknown flag with the usage and exit 2, not "synth failed"', () => {
    const p = scratchProject();
    const r = inProcess(p.root, 'synth', '--envs', 'prod');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'cdk8s-trading synth: unknown option --envs\nUsage: cdk8s-trading synth [--env NAME]... [--outdir DIR] [--root DIR]\nRun cdk8s-trading synth --help for details.',
    );
    expect(existsSync(p.out)).toBe(false);
    expect(inProcess(p.root, 'synth', '--env').stderr).toContain('--env needs a value');
    expect(inProcess(p.root, 'validate', 'a', 'b').stderr).toContain('unexpected argument "b"');
  });

  it('answers an unknown command with the command list and exit 2', () => {
    const r = inProcess(tmpdir(), 'synthesize');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^cdk8s-trading: unknown command "synthesize"\n\nUsage: cdk8s-trading <command>/);
  });

  it('says where it looked when there is no project, and how to start one', () => {
    const empty = mkdtempSync(join(tmpdir(), 'cdk8s-trading-empty-'));
    const r = inProcess(empty, 'synth');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`no environments/ folder in ${empty} or above it; run cdk8s-trading init, or give --root DIR`);
  });

  it('takes --context and --kubeconfig only with validate --server', () => {
    const r = inProcess(tmpdir(), 'validate', '--context', 'staging');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^cdk8s-trading validate: --context, --kubeconfig and --allow-missing-namespaces go with --server\n/);
  });

  it('prints its version', () => {
    const r = inProcess(tmpdir(), '--version');
    expect(r.stdout).toBe((JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version);
  });
});

describe('cdk8s-trading init', () => {
  it('writes a starting point that synthesizes, validates and diffs clean at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-trading-init-'));
    const init = inProcess(dir, 'init');
    expect(init.status, init.stderr).toBe(0);
    expect(readdirSync(join(dir, 'environments')).sort()).toEqual([
      'README.md',
      'dev.yaml',
      'gitops.schema.json',
      'gitops.yaml',
      'prod.yaml',
      'schema.json',
      'staging.yaml',
    ]);
    expect(init.stdout).toContain('set your image in environments/{dev,staging,prod}.yaml');
    const synth = inProcess(dir, 'synth');
    expect(synth.status, synth.stderr).toBe(0);
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['dev', 'gitops', 'prod', 'staging']);
    const validate = inProcess(dir, 'validate');
    expect(validate.status, validate.stderr).toBe(0);
    expect(inProcess(dir, 'diff').status).toBe(0);
    // prod autoscales from 3; the HPA, PDB and spread come with it.
    expect(readdirSync(join(dir, 'dist', 'prod', '50-application'))).toContain('horizontalpodautoscaler-api.yaml');
  });

  it('never overwrites an environment file, even with --force, and says so per file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-trading-init-'));
    mkdirSync(join(dir, 'environments'));
    writeFileSync(join(dir, 'environments', 'prod.yaml'), 'mine\n');
    writeFileSync(join(dir, 'environments', 'README.md'), 'our notes\n');
    const r = inProcess(dir, 'init');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('wrote environments/dev.yaml');
    expect(r.stdout).toContain(
      'kept environments/prod.yaml (your environment file; init never overwrites one: delete it to start from the template)',
    );
    expect(r.stdout).toContain('kept environments/README.md (exists; --force overwrites it)');
    const forced = inProcess(dir, 'init', '--force');
    expect(forced.status).toBe(0);
    expect(forced.stdout.split('\n')).toEqual([
      'unchanged environments/schema.json',
      'unchanged environments/gitops.schema.json',
      ...['dev', 'staging', 'prod', 'gitops'].map(
        (e) => `kept environments/${e}.yaml (your environment file; init never overwrites one: delete it to start from the template)`,
      ),
      expect.stringMatching(/^updated environments\/README\.md \(cdk8s-trading \d+\.\d+\.\d+\)$/),
    ]);
    expect(readFileSync(join(dir, 'environments', 'prod.yaml'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(dir, 'environments', 'README.md'), 'utf8')).not.toBe('our notes\n');
  });

  it('refreshes only the schemas with --schemas-only; validate warns while a copied schema is not the installed one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-trading-init-'));
    expect(inProcess(dir, 'init').status).toBe(0);
    expect(inProcess(dir, 'synth').status).toBe(0);
    const clean = inProcess(dir, 'validate');
    expect(clean.status).toBe(0);
    // (init's runbook placeholder is warned about on its own; no schema is.)
    expect(clean.stderr).not.toMatch(/schema/);
    // As a schema from an older version of the package would be: one key fewer.
    const schemaFile = join(dir, 'environments', 'schema.json');
    const installed = readFileSync(schemaFile, 'utf8');
    const old = JSON.parse(installed) as { properties: Record<string, unknown> };
    delete old.properties.waivers;
    writeFileSync(schemaFile, JSON.stringify(old));
    const prod = join(dir, 'environments', 'prod.yaml');
    writeFileSync(prod, `${readFileSync(prod, 'utf8')}# our change\n`);
    const stale = inProcess(dir, 'validate');
    expect(stale.status).toBe(0);
    expect(stale.stderr.split('\n').filter((l) => /schema/.test(l))).toEqual([
      expect.stringMatching(
        /^warning: environments\/schema\.json is not the schema of the installed cdk8s-trading \S+ \(editors check the environment files against it\): run cdk8s-trading init --schemas-only$/,
      ),
    ]);
    expect(inProcess(dir, 'init').stdout).toContain(
      "kept environments/schema.json (not the installed package's schema; --schemas-only rewrites the schemas)",
    );
    const refresh = inProcess(dir, 'init', '--schemas-only');
    expect(refresh.status).toBe(0);
    expect(refresh.stdout.split('\n')).toEqual([
      expect.stringMatching(/^updated environments\/schema\.json \(cdk8s-trading \S+\)$/),
      'unchanged environments/gitops.schema.json',
    ]);
    expect(readFileSync(schemaFile, 'utf8')).toBe(installed);
    expect(readFileSync(prod, 'utf8')).toMatch(/# our change\n$/);
    expect(inProcess(dir, 'validate').stderr).not.toMatch(/schema/);
    // Reformatted (as a formatter would) is still the same schema.
    writeFileSync(schemaFile, JSON.stringify(JSON.parse(installed), null, 4));
    expect(inProcess(dir, 'validate').stderr).not.toMatch(/schema/);
  });
});

describe('cdk8s-trading validate --server, without a cluster', () => {
  it('says in one line that kubectl cannot be run, exit 1 (the cluster tests run it against an API server)', () => {
    const p = scratchProject();
    expect(cli(p.root, ['synth', '--env', 'dev']).status).toBe(0);
    const r = cli(p.root, ['validate', '--server'], { PATH: '/nonexistent' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('validate --server: cannot run kubectl: spawn kubectl ENOENT\n');
  });
});

describe('cdk8s-trading synth, as a process', () => {
  it('prints a summary per folder and exits 0', () => {
    const p = scratchProject();
    const r = cli(p.root, ['synth']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^dist\/prod: \d+ files, \d+ bytes, \d+ ms \(Backup 1, Cluster 1, ConfigMap 8, Deployment 3, /m);
    expect(r.stdout).toMatch(/^dist\/gitops\/argocd: \d+ files, \d+ bytes, \d+ ms \(AppProject 1, Application 3\)$/m);
    expect(r.stdout).toMatch(/^dist\/gitops\/flux: \d+ files, \d+ bytes, \d+ ms \(Alert 4, GitRepository 1, Kustomization 19, Provider 2\)$/m);
    expect(r.stdout).toMatch(/synthesized 5 folder\(s\) into dist\/ in \d+ ms/);
  });

  it('exits 1 with every problem of every file, and writes nothing', () => {
    const p = scratchProject();
    edit(p.root, 'dev', 'namespace: trading-dev', 'namespace: Trading-Dev');
    edit(p.root, 'staging', '    config:', '    replica: 2\n    config:');
    writeFileSync(join(p.root, 'environments', 'qa.yaml'), 'tier: [qa\n');
    const r = cli(p.root, ['synth']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('synth failed; dist/ was left as it was.');
    expect(r.stderr).toContain('environments/dev.yaml: namespace: "Trading-Dev" is not a valid name');
    expect(r.stderr).toContain('environments/staging.yaml: services.trading-api.replica: unknown key (did you mean "replicas"?)');
    expect(r.stderr).toMatch(/environments\/qa\.yaml: cannot parse YAML/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(p.out)).toBe(false);
  });

  // In-process: what is tested is the message (an exception escaping run() would fail the test as a
  // stack trace would), not the process around it, which the tests above and below start.
  it('reports an unwritable output folder in one line, without a stack trace', () => {
    const p = scratchProject();
    for (const outdir of ['/sys/fs/dist', '/nonexistent-cdk8s-trading/dist']) {
      const r = inProcess(p.root, 'synth', '--outdir', outdir);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^synth failed: cannot write .*(permission denied|does not exist)/);
    }
  });

  it('adds what environments/extend.ts builds to every environment', () => {
    const p = scratchProject();
    writeFileSync(
      join(p.root, 'environments', 'extend.ts'),
      `
import { ApiObject, Chart } from 'cdk8s';
import { applySyncWaves, type Environment } from 'cdk8s-trading';

export default function extend(chart: Chart, environment: Environment): void {
  new ApiObject(chart, 'team-info', {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team-info' },
    data: { environment: environment.name, tier: environment.config.tier },
  });
  applySyncWaves(chart);
}
`,
    );
    const r = cli(p.root, ['synth']);
    expect(r.status, r.stderr).toBe(0);
    for (const env of ['dev', 'staging', 'prod']) {
      expect(readFileSync(join(p.out, env, '20-config', 'configmap-team-info.yaml'), 'utf8')).toContain(`environment: ${env}`);
    }
    writeFileSync(join(p.root, 'environments', 'extend.ts'), 'export default 42;\n');
    const bad = cli(p.root, ['synth']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('environments/extend.ts: must export a function');
    expect(tree(p.out)['prod/20-config/configmap-team-info.yaml']).toBeDefined();
    // Type-checking the extension against the library's sources takes seconds of CPU (environments/extend.ts).
  }, 120_000);

  // The CLI that npm run synth starts carries cdk8s, cdk8s-plus-28, constructs and the library in one file:
  // an extension must still get those very instances, by name or by subpath (cdk8s-trading/toolkit too).
  it('gives environments/extend.ts the very cdk8s, cdk8s-plus-28, constructs and library it runs', () => {
    const p = scratchProject();
    writeFileSync(
      join(p.root, 'environments', 'extend.ts'),
      `
import { Chart } from 'cdk8s';
import { ConfigMap } from 'cdk8s-plus-28';
import { KubeConfigMap } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { ConfigurationError, GitOpsApp, TradingBackend, type Environment } from 'cdk8s-trading';
import { loadProject } from 'cdk8s-trading/toolkit';

export default function extend(chart: Chart, environment: Environment): void {
  if (!(chart instanceof Chart) || !(chart instanceof Construct)) throw new Error('another cdk8s or constructs');
  if (!(chart.node.root instanceof GitOpsApp)) throw new Error('another copy of the library');
  try {
    loadProject('/nonexistent-project');
  } catch (e) {
    if (!(e instanceof ConfigurationError)) throw new Error('the toolkit is another copy of the library');
  }
  new ConfigMap(chart, 'plus', { metadata: { name: 'plus' }, data: { env: environment.name } });
  new KubeConfigMap(chart, 'kube', { metadata: { name: 'kube' }, data: { env: environment.name } });
  new TradingBackend(chart, 'extra', { image: 'ghcr.io/acme/extra:1.0.0' });
}
`,
    );
    const r = cli(p.root, ['synth', '--env', 'dev']);
    expect(r.status, r.stderr).toBe(0);
    const files = Object.keys(tree(join(p.out, 'dev')));
    expect(files).toEqual(
      expect.arrayContaining(['20-config/configmap-plus.yaml', '20-config/configmap-kube.yaml', '50-application/deployment-extra.yaml']),
    );
    // Type-checking the extension against the library's sources takes seconds of CPU (environments/extend.ts).
  }, 120_000);
});
