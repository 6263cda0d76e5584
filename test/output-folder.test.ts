// The output folder and a hand-edited dist/ (issue 23): every case through the CLI as `npm run synth`,
// `npm run validate` and `npm run diff` start it, in a process, so a stack trace would show in its stderr.
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compareStrings } from '../src/core/order';
import { kustomization } from '../src/synth/layout';
import { synthesizeProject } from '../src/synth/project';
import { writerPaths } from '../src/synth/write';
import { ensureBuilt } from './support/dev-build';
import { cli, edit, ROOT, scratchProject, tree } from './support/project';

/** Nobody's uid: the permission cases are about a user without rights that root always has. */
const NOBODY = 65534;
const IS_ROOT = process.getuid?.() === 0;

/** Files and the modes of every file and folder under `dir`: "byte for byte as it was" includes its permissions. */
function snapshot(dir: string): { files: Record<string, string>; modes: Record<string, number> } {
  const modes: Record<string, number> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      modes[p.slice(dir.length)] = statSync(p).mode;
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return { files: tree(dir), modes };
}

function chownTree(path: string, uid: number): void {
  chownSync(path, uid, uid);
  if (lstatSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid);
}

/**
 * Runs the CLI as a user that is not root. Run as root (a container), the test hands the project to `nobody` and
 * starts the CLI with setpriv (util-linux), so the kernel, not a simulation, refuses the writes: root passes every
 * permission check, so a test run as root alone could not fail. Run as any other user, the CLI runs as that user.
 */
function asNonRoot(root: string, args: readonly string[]): SpawnSyncReturns<string> {
  if (!IS_ROOT) return cli(root, args);
  chownTree(root, NOBODY);
  return spawnSync(
    'setpriv',
    [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, join(ROOT, 'scripts', 'cli.cjs'), ...args],
    { cwd: root, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: '' } },
  );
}

/** Each test starts the CLI a few times; under a full parallel run, a process takes several seconds. */
const SLOW = 180_000;

const NO_STACK = /^\s+at |TypeError|ReferenceError/m;

/** The writer's siblings of dist/ (.dist.new, .dist.old, .dist.lock) left in the project root. */
const leftovers = (root: string): string[] => readdirSync(root).filter((f) => f.startsWith('.dist'));

beforeAll(() => {
  ensureBuilt();
});

describe('a read-only output folder, for a user who is not root', () => {
  it.each([
    ['dist/', 'dist'],
    ['one environment folder', 'dist/prod'],
    ['a stage folder deep inside', 'dist/staging/50-application'],
  ])(
    '%s: one line naming the folder and the permission, nothing changed, and the next run works once it is writable',
    (_, folder) => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      edit(p.root, 'prod', 'LOG_LEVEL: info', 'LOG_LEVEL: warn');
      const target = join(p.root, folder);
      chmodSync(target, 0o555);
      const before = snapshot(p.out);
      const r = asNonRoot(p.root, ['synth']);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `synth failed: ${folder}/: not writable (permission denied): a synth replaces dist/ as a whole, so it must list, create and ` +
          'remove what is in every folder of it; make it writable (chmod -R u+rwX dist), or synthesize elsewhere with --outdir; dist/ was left as it was\n',
      );
      expect(snapshot(p.out)).toEqual(before);
      expect(leftovers(p.root)).toEqual([]);
      // No hidden state: once writable, the next synth simply runs.
      chmodSync(target, 0o755);
      const again = asNonRoot(p.root, ['synth']);
      expect(again.status, again.stderr).toBe(0);
      expect(readFileSync(join(p.out, 'prod', '20-config', 'configmap-trading-api-blue-config.yaml'), 'utf8')).toContain('LOG_LEVEL: warn');
      expect(leftovers(p.root)).toEqual([]);
    },
    SLOW,
  );

  it(
    'reported with the problems of the environment files, all at once, not after they are fixed',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      edit(p.root, 'prod', 'LOG_LEVEL: info', 'LOG_LEVEL: warn');
      edit(p.root, 'dev', 'namespace: trading-dev', 'namespace: Trading_Dev');
      chmodSync(join(p.out, 'prod'), 0o555);
      const before = snapshot(p.out);
      const r = asNonRoot(p.root, ['synth']);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe('synth failed; dist/ was left as it was.');
      expect(lines.some((l) => l.startsWith('  environments/dev.yaml: namespace: '))).toBe(true);
      expect(lines).toContain(
        '  dist/prod/: not writable (permission denied): a synth replaces dist/ as a whole, so it must list, create and remove what is in ' +
          'every folder of it; make it writable (chmod -R u+rwX dist), or synthesize elsewhere with --outdir',
      );
      expect(snapshot(p.out)).toEqual(before);
      chmodSync(join(p.out, 'prod'), 0o755);
    },
    SLOW,
  );

  it(
    'a project folder that is not writable: the folder the swap needs, in one line',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      const before = snapshot(p.out);
      chmodSync(p.root, 0o555);
      try {
        const r = asNonRoot(p.root, ['synth']);
        expect(r.status).toBe(1);
        expect(r.stderr).toBe(
          `synth failed: ${p.root}/: not writable (permission denied): the synth writes dist/ in full beside it (.dist.new) and swaps ` +
            'the two; make the folder writable, or synthesize elsewhere with --outdir; dist/ was left as it was\n',
        );
        expect(snapshot(p.out)).toEqual(before);
      } finally {
        chmodSync(p.root, 0o700);
      }
      expect(leftovers(p.root)).toEqual([]);
    },
    SLOW,
  );

  it(
    'every problem at once: two read-only folders are two lines under one headline',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      chmodSync(join(p.out, 'dev'), 0o555);
      chmodSync(join(p.out, 'gitops', 'flux'), 0o555);
      const r = asNonRoot(p.root, ['synth']);
      expect(r.status).toBe(1);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe('synth failed; dist/ was left as it was.');
      expect(lines.slice(1).map((l) => l.split(': ')[0])).toEqual(['  dist/dev/', '  dist/gitops/flux/']);
    },
    SLOW,
  );

  it(
    'a read-only .dist.old an interrupted synth of an earlier version left no longer blocks every later run',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      const { old } = writerPaths(p.out);
      synthesizeProject({ root: p.root, outdir: old });
      chmodSync(join(old, 'prod'), 0o555);
      chmodSync(old, 0o555);
      const r = asNonRoot(p.root, ['synth']);
      expect(r.status, r.stderr).toBe(0);
      expect(leftovers(p.root)).toEqual([]);
    },
    SLOW,
  );
});

describe('a dist/ that is a symbolic link', () => {
  it(
    'is written through: the link stays, its target gets the new output, nothing stale is left there',
    () => {
      const p = scratchProject();
      const elsewhere = mkdtempSync(join(tmpdir(), 'cdk8s-trading-elsewhere-'));
      const target = join(elsewhere, 'out');
      synthesizeProject({ root: p.root, outdir: target });
      symlinkSync(target, p.out);
      edit(p.root, 'prod', 'LOG_LEVEL: info', 'LOG_LEVEL: warn');
      const r = cli(p.root, ['synth']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`into dist/ (→ ${target})`);
      expect(lstatSync(p.out).isSymbolicLink()).toBe(true);
      expect(readFileSync(join(target, 'prod', '20-config', 'configmap-trading-api-blue-config.yaml'), 'utf8')).toContain('LOG_LEVEL: warn');
      expect(readdirSync(elsewhere)).toEqual(['out']);
      expect(leftovers(p.root)).toEqual([]);
      expect(cli(p.root, ['diff']).stdout).toContain('dist/ matches a fresh synth');
    },
    SLOW,
  );

  it(
    'a link to nothing, and a link inside dist/, are refused in one line each',
    () => {
      const p = scratchProject();
      symlinkSync(join(p.root, 'missing'), p.out);
      const dangling = cli(p.root, ['synth']);
      expect(dangling.status).toBe(1);
      expect(dangling.stderr).toBe(
        `synth failed: cannot write dist/: it is a symbolic link to ${join(p.root, 'missing')}, which does not exist; create that folder or remove the link\n`,
      );
      rmSync(p.out);
      synthesizeProject({ root: p.root, outdir: p.out });
      const kept = mkdtempSync(join(tmpdir(), 'cdk8s-trading-kept-'));
      renameSync(join(p.out, 'dev'), join(kept, 'dev'));
      symlinkSync(join(kept, 'dev'), join(p.out, 'dev'));
      const before = tree(p.out);
      const r = cli(p.root, ['synth']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^synth failed: dist\/dev: a symbolic link \(to .*\) inside dist\/: a synth writes dist\/ anew and would replace it/);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(tree(p.out)).toEqual(before);
    },
    SLOW,
  );
});

describe('files a user keeps in subfolders of dist/', () => {
  it(
    'are never deleted: the synth refuses, one line per file, and leaves dist/ as it was',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      mkdirSync(join(p.out, 'prod', 'overlays', 'eu'), { recursive: true });
      writeFileSync(join(p.out, 'prod', 'overlays', 'eu', 'kustomization.yaml'), 'resources: [../..]\npatches: [{ path: replicas.yaml }]\n');
      writeFileSync(join(p.out, 'prod', 'overlays', 'eu', 'replicas.yaml'), 'kind: Deployment\n');
      writeFileSync(join(p.out, 'staging', '50-application', 'extra-patch.yaml'), 'kind: Service\n');
      writeFileSync(join(p.out, 'README.md'), 'our output\n');
      edit(p.root, 'prod', 'LOG_LEVEL: info', 'LOG_LEVEL: warn');
      const before = snapshot(p.out);
      for (const args of [['synth'], ['synth', '--env', 'prod']]) {
        const r = cli(p.root, args);
        expect(r.status).toBe(1);
        const lines = r.stderr.trimEnd().split('\n');
        expect(lines[0]).toBe('synth failed; dist/ was left as it was.');
        const named = lines.slice(1).map((l) => l.split(': ')[0].trim());
        expect(named).toEqual(
          args.length === 1
            ? ['dist/prod/overlays/eu/kustomization.yaml', 'dist/prod/overlays/eu/replicas.yaml', 'dist/staging/50-application/extra-patch.yaml']
            : ['dist/prod/overlays/eu/kustomization.yaml', 'dist/prod/overlays/eu/replicas.yaml'],
        );
        expect(lines[1]).toContain('not written by a synth (no kustomization.yaml it wrote lists it) and would be deleted');
        expect(lines[1]).toContain('move it out of dist/, or delete it');
        expect(snapshot(p.out)).toEqual(before);
      }
      // Moved out of the subfolders, the synth runs, and keeps the top-level file.
      rmSync(join(p.out, 'prod', 'overlays'), { recursive: true });
      rmSync(join(p.out, 'staging', '50-application', 'extra-patch.yaml'));
      const r = cli(p.root, ['synth']);
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(join(p.out, 'README.md'), 'utf8')).toBe('our output\n');
    },
    SLOW,
  );

  it(
    'a file the user lists by hand in a kustomization.yaml the synth wrote is theirs too: refused, not deleted',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      const folder = join(p.out, 'prod', '50-application');
      writeFileSync(join(folder, 'mine.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: desk-notes\n');
      writeFileSync(join(folder, 'kustomization.yaml'), `${readFileSync(join(folder, 'kustomization.yaml'), 'utf8')}  - mine.yaml\n`);
      const before = snapshot(p.out);
      const r = cli(p.root, ['synth']);
      expect(r.status).toBe(1);
      expect(r.stderr.trimEnd().split('\n')).toEqual([
        'synth failed: dist/prod/50-application/mine.yaml: not written by a synth (listed by hand: a synth names each file after the one ' +
          'object in it, <kind>-<name>.yaml) and would be deleted, since a synth replaces dist/ as a whole: move it out of dist/, or delete it; ' +
          'dist/ was left as it was',
      ]);
      expect(snapshot(p.out)).toEqual(before);
    },
    SLOW,
  );

  it(
    'a file named as a synth names it but appended by hand to a kustomization.yaml is refused too: the list is not as a synth writes it',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      const folder = join(p.out, 'prod', '20-config');
      writeFileSync(join(folder, 'configmap-desk-notes.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: desk-notes\n');
      writeFileSync(join(folder, 'kustomization.yaml'), `${readFileSync(join(folder, 'kustomization.yaml'), 'utf8')}  - configmap-desk-notes.yaml\n`);
      const before = snapshot(p.out);
      const r = cli(p.root, ['synth']);
      expect(r.status).toBe(1);
      expect(r.stderr.trimEnd().split('\n')).toEqual([
        'synth failed: dist/prod/20-config/configmap-desk-notes.yaml: not written by a synth (listed in a kustomization.yaml edited by hand: ' +
          'a synth lists one file per line, sorted, and this list is not) and would be deleted, since a synth replaces dist/ as a whole: ' +
          'move it out of dist/, or delete it; dist/ was left as it was',
      ]);
      expect(snapshot(p.out)).toEqual(before);
    },
    SLOW,
  );

  it(
    'what a user adds to a kustomization.yaml the synth wrote (patches, labels) is refused, not dropped',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      const file = join(p.out, 'prod', '50-application', 'kustomization.yaml');
      writeFileSync(file, `${readFileSync(file, 'utf8')}commonLabels:\n  team: desk\n`);
      const before = snapshot(p.out);
      const r = cli(p.root, ['synth']);
      expect(r.status).toBe(1);
      expect(r.stderr.trimEnd().split('\n')).toEqual([
        'synth failed: dist/prod/50-application/kustomization.yaml: edited by hand (commonLabels): a synth writes it anew with its resources ' +
          'only and would drop it; keep it in a kustomization of your own outside dist/ that lists this folder; dist/ was left as it was',
      ]);
      expect(snapshot(p.out)).toEqual(before);
    },
    SLOW,
  );

  it(
    "an environment's own kustomization.yaml edited by hand (an entry dropped, labels added) is one line, not one per file under it",
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      // What an earlier synth wrote and the configuration no longer makes: a file listed as a synth lists it.
      const application = join(p.out, 'prod', '50-application');
      const entries = parse(readFileSync(join(application, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
      writeFileSync(join(application, 'configmap-retired.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: retired\n');
      writeFileSync(join(application, 'kustomization.yaml'), kustomization([...entries.resources, 'configmap-retired.yaml'].sort(compareStrings)));
      const file = join(p.out, 'prod', 'kustomization.yaml');
      writeFileSync(file, `${readFileSync(file, 'utf8').replace('  - 50-application\n', '')}commonLabels:\n  team: desk\n`);
      const before = snapshot(p.out);
      const r = cli(p.root, ['synth']);
      expect(r.status).toBe(1);
      expect(r.stderr.trimEnd().split('\n')).toEqual([
        'synth failed: dist/prod/kustomization.yaml: edited by hand (commonLabels): a synth writes it anew with its resources ' +
          'only and would drop it; keep it in a kustomization of your own outside dist/ that lists this folder; dist/ was left as it was',
      ]);
      expect(snapshot(p.out)).toEqual(before);
      // A folder of the user's own that the edited file lists stays the user's: refused, not deleted.
      mkdirSync(join(p.out, 'prod', 'team'));
      writeFileSync(join(p.out, 'prod', 'team', 'kustomization.yaml'), kustomization(['configmap-desk.yaml']));
      writeFileSync(join(p.out, 'prod', 'team', 'configmap-desk.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: desk\n');
      writeFileSync(file, `${readFileSync(file, 'utf8').replace('commonLabels:\n  team: desk\n', '')}  - team\n`);
      const team = cli(p.root, ['synth']);
      expect(team.status).toBe(1);
      expect(team.stderr).toContain('dist/prod/team/configmap-desk.yaml: not written by a synth');
      expect(team.stderr).toContain('dist/prod/team/kustomization.yaml: not written by a synth');
      // Its list alone edited (the entry dropped): the folders under it are still the synth's, so what it no longer
      // makes goes without a word, and the entry is listed again.
      rmSync(join(p.out, 'prod', 'team'), { recursive: true });
      writeFileSync(file, readFileSync(file, 'utf8').replace('  - team\n', ''));
      const again = cli(p.root, ['synth']);
      expect(again.status, again.stderr).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain('  - 50-application\n');
      expect(existsSync(join(application, 'configmap-retired.yaml'))).toBe(false);
    },
    SLOW,
  );

  it(
    'what an earlier synth wrote and the configuration dropped is still removed without a word',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      rmSync(join(p.root, 'environments', 'dev.yaml'));
      edit(p.root, 'prod', 'LOG_LEVEL: info', 'LOG_LEVEL: warn');
      const r = cli(p.root, ['synth']);
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(join(p.out, 'dev'))).toBe(false);
    },
    SLOW,
  );
});

describe('a file where the synth writes a folder', () => {
  it(
    "is named with the environment files' problems, as seen from where the command runs, and dist/ is left as it was",
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      rmSync(join(p.out, 'prod'), { recursive: true });
      writeFileSync(join(p.out, 'prod'), 'notes\n');
      edit(p.root, 'dev', 'tier: dev', 'tier: dev\nbogus: 1');
      const before = snapshot(p.out);
      const r = cli(p.root, ['synth']);
      expect(r.status).toBe(1);
      expect(r.stderr.trimEnd().split('\n').slice(1)).toEqual([
        expect.stringMatching(/^ {2}environments\/dev\.yaml: bogus: /),
        '  dist/prod: a file where the synth writes the folder of environment prod; move it out of dist/, or delete it',
      ]);
      expect(snapshot(p.out)).toEqual(before);
    },
    SLOW,
  );
});

describe('cdk8s synth -o dist (the stock cdk8s CLI deletes its output folder, then runs the app)', () => {
  // What cdk8s-cli's synth command does (src/cli/cmds/synth.ts): fs.rmSync(outdir, { recursive: true, force: true }),
  // then the app with CDK8S_OUTDIR=outdir (src/util.ts synthApp). The cdk8s CLI is not a dependency: this is that.
  const cdk8sSynth = (root: string, output: string): SpawnSyncReturns<string> => {
    rmSync(join(root, output), { recursive: true, force: true });
    return cli(root, ['synth'], { CDK8S_OUTDIR: output });
  };

  it(
    'with a bad configuration, does not claim dist/ was left as it was, and says how to restore it',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      edit(p.root, 'prod', 'namespace: trading-prod', 'namespace: Trading-Prod');
      const r = cdk8sSynth(p.root, 'dist');
      expect(r.status).toBe(1);
      expect(r.stderr).not.toContain('left as it was');
      expect(r.stderr).toMatch(
        /^synth failed; nothing was written to dist\/, which was not there when this synth started\.\n {2}environments\/prod\.yaml: namespace:/,
      );
      expect(r.stderr).toContain(
        'note: a cdk8s CLI (cdk8s synth) deletes its output folder before it runs the app; if dist/ held output you keep, restore it (git checkout -- dist)',
      );
      expect(r.stderr).not.toMatch(NO_STACK);
    },
    SLOW,
  );

  it(
    'with a good configuration, writes dist/ again',
    () => {
      const p = scratchProject();
      const r = cdk8sSynth(p.root, 'dist');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).not.toContain('note:');
      expect(readdirSync(p.out).sort()).toEqual(['dev', 'gitops', 'prod', 'staging']);
    },
    SLOW,
  );
});

describe('CDK8S_OUTDIR set in the shell', () => {
  it(
    'synth says where the output went, and validate and diff look at the same folder',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      const before = tree(p.out);
      edit(p.root, 'prod', 'LOG_LEVEL: info', 'LOG_LEVEL: warn');
      const env = { CDK8S_OUTDIR: 'out' };
      const synth = cli(p.root, ['synth'], env);
      expect(synth.status, synth.stderr).toBe(0);
      expect(synth.stdout).toMatch(/^synthesized 5 folder\(s\) into out\/ in \d+ ms$/m);
      expect(synth.stdout).toContain('note: written to out/, not dist/: CDK8S_OUTDIR=out is set; validate and diff look there too while it is');
      expect(tree(p.out)).toEqual(before);
      const diff = cli(p.root, ['diff'], env);
      expect(diff.status, diff.stdout).toBe(0);
      expect(diff.stdout).toBe('note: comparing out/: CDK8S_OUTDIR=out is set\nout/ matches a fresh synth\n');
      const validate = cli(p.root, ['validate'], env);
      expect(validate.status, validate.stderr).toBe(0);
      expect(validate.stdout).toMatch(/^note: validating out\/: CDK8S_OUTDIR=out is set\nvalidated \d+ documents under out: 0 problem\(s\)\n$/);
      // Without it, diff compares dist/ again, which the synth above did not touch.
      expect(cli(p.root, ['diff']).status).toBe(1);
      // From a subfolder, the relative folder is the subfolder's: said as such, never "dist/, not dist/".
      const inside = cli(join(p.root, 'environments'), ['synth'], { CDK8S_OUTDIR: 'dist' });
      expect(inside.status, inside.stderr).toBe(0);
      expect(inside.stdout).toContain(
        'note: written to dist/, not ../dist/: CDK8S_OUTDIR=dist is set, read from environments/ (the current folder); validate and diff look there too while it is',
      );
      expect(tree(p.out)).toEqual(before);
    },
    SLOW,
  );
});

describe('validate on a hand-edited dist/', () => {
  it(
    'reports YAML that is not a Kubernetes object as a problem of its file, with every other problem, never a TypeError',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      writeFileSync(join(p.out, 'prod', '50-application', 'values.yaml'), 'replicaCount: 3\nimage:\n  tag: "1.2"\n');
      writeFileSync(join(p.out, 'prod', '20-config', 'list.yaml'), '- a\n- b\n');
      writeFileSync(join(p.out, 'dev', '20-config', 'notes.yaml'), 'just a sentence\n');
      writeFileSync(join(p.out, 'dev', '20-config', 'half.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: my-config\n');
      const before = snapshot(p.out);
      const r = cli(p.root, ['validate']);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      const allowed = 'only Kubernetes objects (apiVersion, kind and metadata) belong in a folder of manifests; move other files out of it';
      expect(r.stderr.split('\n').filter((l) => l.includes('not a Kubernetes object'))).toEqual([
        `dist/dev/20-config/half.yaml: document 1: not a Kubernetes object (metadata: "my-config"; keys apiVersion, kind, metadata): ${allowed}`,
        `dist/dev/20-config/notes.yaml: document 1: "just a sentence" is not a Kubernetes object: ${allowed}`,
        `dist/prod/20-config/list.yaml: document 1: a list, not a Kubernetes object: ${allowed}`,
        `dist/prod/50-application/values.yaml: document 1: not a Kubernetes object (apiVersion: nothing, kind: nothing, metadata: nothing; keys replicaCount, image): ${allowed}`,
      ]);
      expect(snapshot(p.out)).toEqual(before);
    },
    SLOW,
  );

  it(
    'a manifest the user cannot read is a problem of that file, for a user who is not root',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      const file = join(p.out, 'dev', '20-config', 'configmap-trading-api-config.yaml');
      chmodSync(file, 0o000);
      const r = asNonRoot(p.root, ['validate']);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.stderr).toContain(
        'dist/dev/20-config/configmap-trading-api-config.yaml: cannot be read (permission denied): validate reads every manifest under dist; make it readable',
      );
    },
    SLOW,
  );

  it(
    'a folder the user cannot list is one problem of that folder, not a crash and not its files reported missing',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      chmodSync(join(p.out, 'dev', '20-config'), 0o000);
      const r = asNonRoot(p.root, ['validate']);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      const lines = r.stderr.split('\n').filter((l) => l.includes('dist/dev/20-config'));
      expect(lines).toEqual(['dist/dev/20-config/: cannot be read (permission denied): validate reads every manifest under dist; make it readable']);
    },
    SLOW,
  );

  it(
    'diff names every folder and file of dist/ it cannot read, at once, before synthesizing anything',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      chmodSync(join(p.out, 'dev', '20-config'), 0o000);
      chmodSync(join(p.out, 'prod', '10-namespace', 'kustomization.yaml'), 0o000);
      const r = asNonRoot(p.root, ['diff']);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.stderr.split('\n').filter((l) => l.trim())).toEqual([
        'cannot compare dist/:',
        '  dist/dev/20-config/: cannot be read (permission denied): diff compares every file under dist/ with a fresh synth; make it readable',
        '  dist/prod/10-namespace/kustomization.yaml: cannot be read (permission denied): diff compares every file under dist/ with a fresh synth; make it readable',
      ]);
    },
    SLOW,
  );

  it(
    'a credential pasted into a hand-edited manifest is reported at its field and never repeated',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      const file = join(p.out, 'staging', '50-application', 'rollout-trading-api.yaml');
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('name: trading-api-secrets');
      writeFileSync(file, text.replace('name: trading-api-secrets', 'name: ghp_abcdefghijklmnopqrstuvwxyz0123456789'));
      // In what kustomize adds to every object, too.
      const kustomization = join(p.out, 'prod', 'kustomization.yaml');
      writeFileSync(kustomization, `${readFileSync(kustomization, 'utf8')}commonAnnotations: { link: "https://u:Sup3rS3cret@x.example.com" }\n`);
      const r = cli(p.root, ['validate']);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.stderr).toMatch(/^dist\/staging.*Rollout\/trading-api.*secretKeyRef\.name: looks like a credential/m);
      expect(r.stderr).toMatch(/^dist\/prod\/kustomization\.yaml: commonAnnotations\.link: looks like a credential/m);
      expect(r.stdout + r.stderr).not.toMatch(/abcdefghij|Sup3rS3cret/);
    },
    SLOW,
  );

  it(
    'a symbolic link to nothing is a problem of that file in validate and diff; the rest of its folder is read',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      symlinkSync('/nonexistent/extra.yaml', join(p.out, 'prod', '50-application', 'extra.yaml'));
      const cause = 'cannot be read (a symbolic link to /nonexistent/extra.yaml, which does not exist)';
      const validate = cli(p.root, ['validate']);
      expect(validate.status).toBe(1);
      expect(validate.stderr.split('\n').filter((l) => l.startsWith('dist/'))).toEqual([
        `dist/prod/50-application/extra.yaml: ${cause}: validate reads every manifest under dist; make it readable`,
      ]);
      const diff = cli(p.root, ['diff']);
      expect(diff.status).toBe(1);
      expect(diff.stderr.trimEnd().split('\n')).toEqual([
        'cannot compare dist/:',
        `  dist/prod/50-application/extra.yaml: ${cause}: diff compares every file under dist/ with a fresh synth; make it readable`,
      ]);
    },
    SLOW,
  );

  it(
    'checks kustomization.yaml resources against the files, both ways',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      rmSync(join(p.out, 'prod', '50-application', 'service-trading-api-preview.yaml'));
      const config = readFileSync(join(p.out, 'staging', '20-config', 'configmap-trading-api-config.yaml'), 'utf8');
      writeFileSync(join(p.out, 'staging', '20-config', 'configmap-team-info.yaml'), config.replace('name: trading-api-config', 'name: team-info'));
      rmSync(join(p.out, 'dev', '30-database'), { recursive: true });
      const before = snapshot(p.out);
      const r = cli(p.root, ['validate']);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toContain(
        'dist/prod/50-application/kustomization.yaml: resources[12]: "service-trading-api-preview.yaml" does not exist: kustomize, Argo CD ' +
          'and Flux cannot build dist/prod/50-application/ without it; restore it (a synth writes it again) or remove the entry',
      );
      expect(lines).toContain(
        'dist/dev/kustomization.yaml: resources[2]: "30-database" does not exist: kustomize, Argo CD and Flux cannot build dist/dev/ ' +
          'without it; restore it (a synth writes it again) or remove the entry',
      );
      expect(lines).toContain(
        'dist/staging/20-config/configmap-team-info.yaml: not listed in dist/staging/20-config/kustomization.yaml: kustomize, Argo CD and ' +
          'Flux never apply it; add "configmap-team-info.yaml" to its resources, or move the file out of dist/staging/20-config/',
      );
      expect(snapshot(p.out)).toEqual(before);
    },
    SLOW,
  );

  it(
    'a kustomization.yaml that is gone, malformed or lists a path twice or from outside is one problem at its cause, not one per file',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      rmSync(join(p.out, 'prod', '30-database', 'kustomization.yaml'));
      writeFileSync(
        join(p.out, 'dev', '20-config', 'kustomization.yaml'),
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: 5\n',
      );
      const staging = join(p.out, 'staging', '10-namespace', 'kustomization.yaml');
      const listed = readFileSync(staging, 'utf8');
      writeFileSync(staging, `${listed}  - limitrange-container-defaults.yaml\n  - ../../../environments/staging.yaml\n`);
      const r = cli(p.root, ['validate']);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      const lines = r.stderr
        .trimEnd()
        .split('\n')
        .filter((l) => /^dist\/(prod|dev|staging)\//.test(l));
      const count = listed.split('\n').filter((l) => l.startsWith('  - ')).length;
      expect(lines).toEqual([
        'dist/dev/20-config/kustomization.yaml: resources: 5 is not a list of paths: kustomize cannot build dist/dev/20-config/',
        'dist/prod/kustomization.yaml: resources[2]: "30-database" is a folder without a kustomization.yaml: kustomize, Argo CD and Flux ' +
          'cannot build dist/prod/; restore it (a synth writes it again) or remove the entry',
        `dist/staging/10-namespace/kustomization.yaml: resources[${count}]: "limitrange-container-defaults.yaml" is listed twice: kustomize ` +
          'refuses an object it already has; remove one entry',
        `dist/staging/10-namespace/kustomization.yaml: resources[${count + 1}]: "../../../environments/staging.yaml" is a file outside ` +
          'dist/staging/10-namespace/: kustomize loads files only from its own folder (a base elsewhere is a folder with its own ' +
          'kustomization.yaml); move it in or list its folder',
      ]);
    },
    SLOW,
  );

  it(
    'a kustomization.yaml the user cannot read is one problem, for a user who is not root',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      chmodSync(join(p.out, 'prod', '30-database', 'kustomization.yaml'), 0o000);
      const r = asNonRoot(p.root, ['validate']);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.stderr.split('\n').filter((l) => l.includes('dist/prod/30-database'))).toEqual([
        'dist/prod/30-database/kustomization.yaml: cannot be read (permission denied): validate reads every kustomization under dist; make it readable',
      ]);
    },
    SLOW,
  );

  it(
    'a folder of manifests without kustomize is applied whole: nothing to list there',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      const loose = mkdtempSync(join(tmpdir(), 'cdk8s-trading-loose-'));
      for (const f of readdirSync(join(p.out, 'prod', '10-namespace')).filter((x) => x !== 'kustomization.yaml'))
        writeFileSync(join(loose, f), readFileSync(join(p.out, 'prod', '10-namespace', f)));
      const r = cli(tmpdir(), ['validate', loose]);
      expect(r.stderr).not.toContain('not listed');
      expect(r.stderr).not.toMatch(NO_STACK);
    },
    SLOW,
  );

  it(
    'null where the schema allows it (a selector: null) is judged, not a crash of the policy rules',
    () => {
      const p = scratchProject();
      synthesizeProject({ root: p.root, outdir: p.out });
      const pdb = join(p.out, 'prod', '50-application', 'poddisruptionbudget-trading-api-blue.yaml');
      const text = readFileSync(pdb, 'utf8');
      writeFileSync(pdb, text.replace(/\n {2}selector:\n(?: {4}.*\n)+/, '\n  selector: null\n'));
      expect(readFileSync(pdb, 'utf8')).toContain('selector: null');
      const r = cli(p.root, ['validate']);
      expect(r.stderr).not.toMatch(NO_STACK);
      expect(r.stderr).toContain('dist/prod/50-application/poddisruptionbudget-trading-api-blue.yaml: policy pdb-selects-pods');
      expect(r.status).toBe(1);
    },
    SLOW,
  );
});
