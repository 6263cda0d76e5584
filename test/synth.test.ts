import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runNow as run } from './support/run-now';
import { ConfigurationError } from '../src/core/problems';
import { synthesizeProject } from '../src/synth/project';
import { emitYaml, JsonValue } from '../src/synth/emit-yaml';
import { defaultStrictCacheDir, SchemaValidator } from '../src/synth/strict-schemas';
import { readEmitted } from '../src/synth/validate-tree';
import { recoverInterruptedWrite, writeTree, WriteError, WriteStep, writerPaths } from '../src/synth/write';
import { ensureBuilt } from './support/dev-build';
import { edit, ROOT, scratchProject, tree } from './support/project';

const STEPS: WriteStep[] = ['locked', 'recovered', 'written', 'old-moved-aside', 'new-moved-in', 'old-removed'];

describe('synthesizeProject', () => {
  let p: { root: string; out: string };
  beforeEach(() => {
    p = scratchProject();
  });

  it('writes every environment, one file per object, and the GitOps folders', () => {
    const { rendered } = synthesizeProject({ root: p.root, outdir: p.out });
    expect(rendered.map((r) => r.folder)).toEqual(['dev', 'prod', 'staging', 'gitops/argocd', 'gitops/flux']);
    expect(readdirSync(p.out).sort()).toEqual(['dev', 'gitops', 'prod', 'staging']);
    expect(readdirSync(join(p.out, 'prod', '50-application'))).toContain('deployment-trading-api-blue.yaml');
    expect(readdirSync(join(p.out, 'gitops')).sort()).toEqual(['argocd', 'flux']);
    expect(rendered.find((r) => r.folder === 'prod')?.kinds.Deployment).toBe(3); // two colours of the API, the frontend
  });

  it('names every kustomize file kustomization.yaml, in every folder', () => {
    synthesizeProject({ root: p.root, outdir: p.out });
    const files = Object.keys(tree(p.out));
    expect(files.filter((f) => /(^|\/)Kustomization$/.test(f))).toEqual([]);
    for (const folder of ['dev', 'prod/10-namespace', 'prod/50-application', 'gitops/argocd', 'gitops/flux']) {
      expect(files).toContain(`${folder}/kustomization.yaml`);
    }
  });

  it('is deterministic: a second run writes the same bytes', () => {
    synthesizeProject({ root: p.root, outdir: p.out });
    const first = tree(p.out);
    synthesizeProject({ root: p.root, outdir: p.out });
    expect(tree(p.out)).toEqual(first);
  });

  it('removes the file of an object that left the configuration, and folders of removed environments', () => {
    synthesizeProject({ root: p.root, outdir: p.out });
    expect(existsSync(join(p.out, 'prod', '40-migration', 'job-trading-api-migrate.yaml'))).toBe(true);
    edit(
      p.root,
      'prod',
      readFileSync(join(p.root, 'environments', 'prod.yaml'), 'utf8')
        .match(/ {4}migration:\n {6}mode: job\n(?: {6}.*\n)+/)?.[0]
        .slice(4) ?? 'no migration',
      '',
    );
    rmSync(join(p.root, 'environments', 'dev.yaml'));
    rmSync(join(p.root, 'environments', 'gitops.yaml'));
    synthesizeProject({ root: p.root, outdir: p.out });
    expect(existsSync(join(p.out, 'prod', '40-migration'))).toBe(false);
    expect(readdirSync(p.out).sort()).toEqual(['prod', 'staging']);
  });

  it('keeps a top-level file a person put in dist/, not stale folders', () => {
    synthesizeProject({ root: p.root, outdir: p.out });
    writeFileSync(join(p.out, 'README.md'), 'rendered by cdk8s-trading\n');
    mkdirSync(join(p.out, 'qa'));
    synthesizeProject({ root: p.root, outdir: p.out });
    expect(readFileSync(join(p.out, 'README.md'), 'utf8')).toBe('rendered by cdk8s-trading\n');
    expect(existsSync(join(p.out, 'qa'))).toBe(false);
  });

  it('with `only`, rewrites just those environments, keeps the others and renders gitops/ again', () => {
    synthesizeProject({ root: p.root, outdir: p.out });
    writeFileSync(join(p.out, 'dev', 'marker.yaml'), 'kept: true\n');
    edit(p.root, 'prod', 'LOG_LEVEL: info', 'LOG_LEVEL: warn');
    edit(
      p.root,
      'prod',
      readFileSync(join(p.root, 'environments', 'prod.yaml'), 'utf8')
        .match(/ {4}migration:\n {6}mode: job\n(?: {6}.*\n)+/)?.[0]
        .slice(4) ?? 'no migration',
      '',
    );
    const { rendered, kept } = synthesizeProject({ root: p.root, outdir: p.out, only: ['prod'] });
    expect(rendered.map((r) => r.folder)).toEqual(['prod', 'gitops/argocd', 'gitops/flux']);
    expect(kept).toEqual(['dev', 'staging']);
    expect(readFileSync(join(p.out, 'prod', '20-config', 'configmap-trading-api-blue-config.yaml'), 'utf8')).toContain('LOG_LEVEL: warn');
    expect(existsSync(join(p.out, 'dev', 'marker.yaml'))).toBe(true);
    // prod lost its migration stage: the Flux Kustomizations of prod follow, so gitops/ is never stale.
    const flux = readdirSync(join(p.out, 'gitops', 'flux'));
    expect(flux).not.toContain('kustomization-trading-prod-migration.yaml');
    expect(flux).toContain('kustomization-trading-staging-migration.yaml');
    // ...and equals what a full synth renders for the same tree.
    const afterOnly = tree(join(p.out, 'gitops'));
    rmSync(join(p.out, 'dev', 'marker.yaml'));
    synthesizeProject({ root: p.root, outdir: p.out });
    expect(tree(join(p.out, 'gitops'))).toEqual(afterOnly);
    expect(() => synthesizeProject({ root: p.root, outdir: p.out, only: ['qa'] })).toThrow(
      '--env qa: no such environment; use one of dev, prod, staging',
    );
  });

  it('leaves the previous output untouched when any environment is invalid', () => {
    synthesizeProject({ root: p.root, outdir: p.out });
    const before = tree(p.out);
    edit(p.root, 'dev', 'LOG_LEVEL: debug', 'LOG_LEVEL: trace');
    edit(p.root, 'prod', 'ghcr.io/acme-trading/trading-api:1.4.2', 'ghcr.io/acme-trading/trading-api:latest');
    const e = (() => {
      try {
        synthesizeProject({ root: p.root, outdir: p.out });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as ConfigurationError).problems).toEqual([
      'environments/prod.yaml: services.trading-api.release.blueImage: "ghcr.io/acme-trading/trading-api:latest" uses the "latest" tag: pin a version or a digest; "latest" is allowed only in dev',
    ]);
    expect(tree(p.out)).toEqual(before);
  });

  it("reports problems of gitops.yaml together with the environments' problems", () => {
    edit(p.root, 'prod', 'namespace: trading-prod', 'namespace: Trading-Prod');
    writeFileSync(join(p.root, 'environments', 'gitops.yaml'), 'repository: https://example.com/x.git\nflux: { intervall: 5m }\n');
    const e = (() => {
      try {
        synthesizeProject({ root: p.root, outdir: p.out });
      } catch (err) {
        return err;
      }
      return undefined;
    })() as ConfigurationError;
    expect(e.problems.some((x) => x.startsWith('environments/prod.yaml: namespace:'))).toBe(true);
    expect(e.problems.some((x) => x.startsWith('environments/gitops.yaml: flux.intervall: unknown key'))).toBe(true);
    expect(existsSync(p.out)).toBe(false);
  });
});

describe('the atomic writer', () => {
  it('puts back a tree that a killed swap had moved aside, and drops a half-written one', () => {
    const p = scratchProject();
    synthesizeProject({ root: p.root, outdir: p.out });
    const before = tree(p.out);
    const { next, old } = writerPaths(p.out);
    renameSync(p.out, old);
    mkdirSync(join(next, 'prod'), { recursive: true });
    recoverInterruptedWrite(p.out);
    expect(tree(p.out)).toEqual(before);
    expect(existsSync(next) || existsSync(old)).toBe(false);
  });

  it('fails on a write error with one line naming the path and cause, and leaves the old tree and nothing else', () => {
    const p = scratchProject();
    synthesizeProject({ root: p.root, outdir: p.out });
    const before = tree(p.out);
    const tooLong = `prod/${'x'.repeat(300)}.yaml`;
    const e = (() => {
      try {
        writeTree(p.out, [
          { path: 'prod/a.yaml', content: 'a: 1\n' },
          { path: tooLong, content: '' },
        ]);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(WriteError);
    expect((e as Error).message).toMatch(/^cannot write .*dist\/prod\/x{300}\.yaml: .*; .*dist\/ was left as it was$/);
    expect((e as Error).message).not.toContain('\n');
    expect(tree(p.out)).toEqual(before);
    const { next, old, lock } = writerPaths(p.out);
    expect([next, old, lock].filter((f) => existsSync(f))).toEqual([]);
  });

  it('refuses a missing parent folder and a file in the way, in one line each', () => {
    expect(() => writeTree('/nonexistent-cdk8s-trading/dist', [])).toThrow(
      /^cannot write .*: its parent folder \/nonexistent-cdk8s-trading does not exist$/,
    );
    const p = scratchProject();
    writeFileSync(p.out, 'not a folder');
    expect(() => writeTree(p.out, [])).toThrow(/: it is a file, not a folder$/);
  });

  it('takes over the lock of a writer that died', () => {
    const p = scratchProject();
    const { lock } = writerPaths(p.out);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(lock, `${dead}\n`);
    writeTree(p.out, [{ path: 'a/b.yaml', content: 'b: 1\n' }], { lockTimeoutMs: 1000 });
    expect(tree(p.out)).toEqual({ 'a/b.yaml': 'b: 1\n' });
    expect(existsSync(lock)).toBe(false);
  });

  it('fails clearly when a live writer holds the lock past the timeout', () => {
    const p = scratchProject();
    const { lock } = writerPaths(p.out);
    writeFileSync(lock, `${process.ppid}\n`);
    expect(() => writeTree(p.out, [], { lockTimeoutMs: 200 })).toThrow(`another synth (pid ${process.ppid}) is writing it; wait for it to finish`);
  });

  // A process killed (SIGKILL) right after each step leaves, once the next run has recovered, exactly
  // the old output or exactly the new one.
  it.each(STEPS)('a kill right after "%s" leaves the old or the new output', (step) => {
    const p = scratchProject();
    synthesizeProject({ root: p.root, outdir: p.out });
    const old = tree(p.out);
    edit(p.root, 'prod', 'LOG_LEVEL: info', 'LOG_LEVEL: warn');
    // The library as the CLI runs it (one bundled file: the child starts in a fraction of the time).
    const script = `
      const { synthesizeProject } = require(${JSON.stringify(join(ROOT, 'scripts', 'dev-build.cjs'))}).requireCli().toolkit();
      synthesizeProject({ root: ${JSON.stringify(p.root)}, outdir: ${JSON.stringify(p.out)},
        onStep: (s) => { if (s === ${JSON.stringify(step)}) process.kill(process.pid, 'SIGKILL'); } });`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    recoverInterruptedWrite(p.out);
    const after = tree(p.out);
    synthesizeProject({ root: p.root, outdir: p.out });
    const fresh = tree(p.out);
    expect([old, fresh]).toContainEqual(after);
    if (STEPS.indexOf(step) >= STEPS.indexOf('new-moved-in')) expect(after).toEqual(fresh);
    else expect(after).toEqual(old);
  });

  it('two synths started at once both succeed, one after the other', async () => {
    const p = scratchProject();
    const runOne = (): Promise<number | null> =>
      new Promise((done) => {
        const child = spawn(process.execPath, [join(ROOT, 'scripts', 'cli.cjs'), 'synth'], {
          cwd: p.root,
          stdio: 'ignore',
          env: { ...process.env, CDK8S_OUTDIR: '' },
        });
        child.on('exit', (code) => done(code));
      });
    ensureBuilt();
    const codes = await Promise.all([runOne(), runOne()]);
    expect(codes).toEqual([0, 0]);
    const result = tree(p.out);
    synthesizeProject({ root: p.root, outdir: p.out });
    expect(result).toEqual(tree(p.out));
    expect(readdirSync(p.root).filter((f) => f.startsWith('.dist'))).toEqual([]);
  });
});

describe('the committed dist/', () => {
  it('equals a fresh synth of environments/', () => {
    const p = scratchProject();
    synthesizeProject({ root: p.root, outdir: p.out });
    expect(tree(join(ROOT, 'dist'))).toEqual(tree(p.out));
  });

  it("environments/ carries the library's JSON schemas, unchanged", () => {
    for (const [file, schema] of [
      ['schema.json', 'environment.schema.json'],
      ['gitops.schema.json', 'gitops.schema.json'],
    ]) {
      expect(JSON.parse(readFileSync(join(ROOT, 'environments', file), 'utf8'))).toEqual(
        JSON.parse(readFileSync(join(ROOT, 'src', 'config', schema), 'utf8')),
      );
    }
  });
});

describe('cdk8s.yaml (for a cdk8s CLI run in this repository)', () => {
  // cdk8s-cli deletes its `output` folder, then runs `app` with CDK8S_OUTDIR set to it.
  const config = readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8');
  const output = /^output:\s*(\S+)/m.exec(config)?.[1] ?? '';
  const app = /^app:\s*(.+)$/m.exec(config)?.[1] ?? '';

  it('never points its output folder at dist/', () => {
    expect(output).not.toBe('');
    expect(output.replace(/\/+$/, '')).not.toBe('dist');
  });

  it('with a bad configuration, leaves dist/ as it was and exits non-zero', () => {
    const p = scratchProject();
    synthesizeProject({ root: p.root, outdir: p.out });
    const before = tree(p.out);
    edit(p.root, 'prod', 'namespace: trading-prod', 'namespace: Trading-Prod');
    rmSync(join(p.root, output), { recursive: true, force: true });
    const r = spawnSync(app.replace('scripts/cli.cjs', join(ROOT, 'scripts', 'cli.cjs')), {
      shell: true,
      cwd: p.root,
      encoding: 'utf8',
      env: { ...process.env, CDK8S_OUTDIR: output },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('environments/prod.yaml: namespace:');
    expect(tree(p.out)).toEqual(before);
  });

  it('with a good configuration, writes into its own output folder and leaves dist/ alone', () => {
    const p = scratchProject();
    synthesizeProject({ root: p.root, outdir: p.out });
    const before = tree(p.out);
    edit(p.root, 'prod', 'LOG_LEVEL: info', 'LOG_LEVEL: warn');
    const r = spawnSync(app.replace('scripts/cli.cjs', join(ROOT, 'scripts', 'cli.cjs')), {
      shell: true,
      cwd: p.root,
      encoding: 'utf8',
      env: { ...process.env, CDK8S_OUTDIR: output },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(p.root, output, 'prod', '20-config', 'configmap-trading-api-blue-config.yaml'), 'utf8')).toContain('LOG_LEVEL: warn');
    expect(tree(p.out)).toEqual(before);
  });
});

describe('a command line', () => {
  it('runs from a subfolder of the project', () => {
    const p = scratchProject();
    mkdirSync(join(p.root, 'docs', 'deep'), { recursive: true });
    // In-process with that working folder: finding the project is what is tested, not the process.
    const out: string[] = [];
    const err: string[] = [];
    const status = run(['synth', '--env', 'dev'], { cwd: join(p.root, 'docs', 'deep'), out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    expect(status, err.join('\n')).toBe(0);
    expect(out.join('\n')).toMatch(/^\.\.\/\.\.\/dist\/dev: \d+ files/m);
    expect(readdirSync(p.out).sort()).toEqual(['dev', 'gitops']);
  });
});

describe('the strict validators of validate', () => {
  /** A schema folder with three of the package's schemas, to keep generating them quick. */
  function schemaDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-trading-schemas-'));
    const kinds = { 'v1/ConfigMap': 'configmap-v1.json', 'v1/Namespace': 'namespace-v1.json', 'v1/ServiceAccount': 'serviceaccount-v1.json' };
    for (const file of Object.values(kinds)) cpSync(join(ROOT, 'schemas', file), join(dir, file));
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemas: kinds }));
    return dir;
  }
  const badMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 1 }, extra: true };
  const expected = [
    { field: '', message: 'unknown field "extra"' },
    { field: 'data.a', message: 'must be string' },
  ];
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } };

  it('are generated once, kept in the cache folder and loaded from it afterwards, with the same results', () => {
    const dir = schemaDir();
    const cacheDir = join(dir, 'cache');
    const first = new SchemaValidator(dir, { cacheDir });
    expect(first.validate(badMap)).toEqual(expected);
    const cached = readdirSync(cacheDir).filter((f) => f.endsWith('.cjs'));
    expect(cached).toHaveLength(1);
    const generatedAt = statSync(join(cacheDir, cached[0])).mtimeMs;
    const second = new SchemaValidator(dir, { cacheDir });
    expect(second.validate(badMap)).toEqual(expected);
    expect(second.validate(namespace)).toEqual([]);
    expect(readdirSync(cacheDir).sort()).toEqual([cached[0], `${cached[0]}.v8`]);
    expect(statSync(join(cacheDir, cached[0])).mtimeMs).toBe(generatedAt);
    expect(new SchemaValidator(dir, { cacheDir }).validate(badMap)).toEqual(expected);
  });

  it('are generated again when a schema changes', () => {
    const dir = schemaDir();
    const cacheDir = join(dir, 'cache');
    new SchemaValidator(dir, { cacheDir }).prepare();
    const schema = JSON.parse(readFileSync(join(dir, 'configmap-v1.json'), 'utf8'));
    schema.properties.data.additionalProperties = { type: ['string', 'integer'] };
    writeFileSync(join(dir, 'configmap-v1.json'), JSON.stringify(schema));
    expect(new SchemaValidator(dir, { cacheDir }).validate(badMap)).toEqual([{ field: '', message: 'unknown field "extra"' }]);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.cjs'))).toHaveLength(2);
  });

  it('still validate when the cache folder cannot be written, or is switched off', () => {
    const dir = schemaDir();
    writeFileSync(join(dir, 'not-a-folder'), '');
    expect(new SchemaValidator(dir, { cacheDir: join(dir, 'not-a-folder', 'cache') }).validate(badMap)).toEqual(expected);
    expect(new SchemaValidator(dir, { cacheDir: false }).validate(badMap)).toEqual(expected);
  });

  it('check the formats the schemas name when asked (as the tests do)', () => {
    const dir = schemaDir();
    const odd = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', creationTimestamp: 'yesterday', deletionGracePeriodSeconds: 2 ** 60 } };
    expect(new SchemaValidator(dir, { cacheDir: join(dir, 'cache') }).validate(odd)).toEqual([]);
    for (let i = 0; i < 2; i++) {
      expect(new SchemaValidator(dir, { cacheDir: join(dir, 'cache'), checkFormats: true }).validate(odd)).toEqual([
        { field: 'metadata.creationTimestamp', message: 'must match format "date-time"' },
        { field: 'metadata.deletionGracePeriodSeconds', message: 'must match format "int64"' },
      ]);
    }
    expect(readdirSync(join(dir, 'cache')).filter((f) => f.endsWith('.cjs'))).toHaveLength(2);
  });

  it('live in node_modules/.cache/cdk8s-trading of the installation that holds the schemas', () => {
    expect(defaultStrictCacheDir('/p/node_modules/cdk8s-trading/schemas')).toBe('/p/node_modules/.cache/cdk8s-trading');
    expect(defaultStrictCacheDir(join(ROOT, 'schemas'))).toBe(join(ROOT, 'node_modules', '.cache', 'cdk8s-trading'));
  });
});

describe('validate reads the files synth writes', () => {
  const tricky = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', labels: { 'app.kubernetes.io/name': 'x', 'a: b': 'c' } },
    data: {
      empty: '',
      yes: 'yes',
      version: '1.4.2',
      time: '1:30',
      date: '2024-01-01',
      hash: 'a #b',
      colon: 'a: b',
      dash: '- x',
      quote: '"q"',
      backslash: 'a\\b',
      unicode: 'ünï ☃',
      multi: 'line 1\nline 2\n',
      multiNoEnd: 'a\n\nb',
      spaces: ' lead',
      tab: 'a\tb',
      '"key"': 'v',
    },
    spec: {
      numbers: [0, -5, 0.5, 1e21, 123456789],
      flags: [true, false, null],
      nested: [[1, [2]], [], {}, [{ a: 1, b: [{ c: 'd' }] }]],
      empty: { list: [], map: {} },
      items: [{ '- k': 'v', '"q"': { x: 'y' } }, 'plain', '"quoted: yes"'],
    },
  };

  it('reads back every file of a synth and adversarial values exactly as YAML 1.1 does', () => {
    const p = scratchProject();
    synthesizeProject({ root: p.root, outdir: p.out });
    const texts = [...Object.values(tree(p.out)), emitYaml(tricky as unknown as JsonValue)];
    for (const text of texts) {
      const value = readEmitted(text);
      expect(value).toEqual(parse(text, { version: '1.1' }));
      expect(emitYaml(value as JsonValue)).toBe(text);
    }
    expect(readEmitted(emitYaml(tricky as unknown as JsonValue))).toEqual(tricky);
  });

  it('declines what it was not written by the emitter, for the full YAML reader', () => {
    for (const text of ['a: 1 # note\n', 'a: [1, 2]\n', '- a\n', 'a:\n    b: 1\n', 'a: 1\na: 2\n', 'a: 1\n---\nb: 2\n', 'a: 1']) {
      const value = readEmitted(text);
      expect(value === undefined || emitYaml(value) !== text).toBe(true);
    }
  });
});
