/**
 * Copies of dist/ for the cluster tests: an environment under other namespace names (so an upgrade or a
 * fault runs beside the installed environments), the dist/ of the previous release from Git, and edits.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { filesUnder } from '../../src/synth/files';
import { cli, scratchProject } from '../support/project';

export const ROOT = join(__dirname, '..', '..');
export const DIST = join(ROOT, 'dist');

/** The environment folders of a dist/ tree (every folder but gitops/). */
export function environmentsOf(dist: string): string[] {
  return filesUnder(dist)
    .map((f) => f.split('/')[0])
    .filter((d, i, all) => d !== 'gitops' && all.indexOf(d) === i && !d.endsWith('.yaml'));
}

/** The namespace of an environment folder (the name of its Namespace object). */
export function namespaceOf(dist: string, environment: string): string {
  const file = filesUnder(join(dist, environment)).find((f) => /(^|\/)namespace-[^/]+\.yaml$/.test(f));
  if (!file) throw new Error(`${environment}: no Namespace object`);
  return (parseDocument(readFileSync(join(dist, environment, file), 'utf8')).toJS() as { metadata: { name: string } }).metadata.name;
}

/**
 * A copy of `dist/<environment>` (and dist/gitops) in a scratch folder, with the environment's namespace
 * renamed to `<prefix>-<namespace>` in every file: a consistent rename of the namespace and of everything
 * that names it (selectors of namespaces, DNS names, labels), so the copy behaves as the original.
 */
export function renamedCopy(dist: string, environment: string, prefix: string, into?: string): { dist: string; namespace: string } {
  const out = into ?? mkdtempSync(join(tmpdir(), 'cdk8s-trading-copy-'));
  const namespace = namespaceOf(dist, environment);
  const renamed = `${prefix}-${namespace}`;
  // Not part of a longer name (`trading-prod-x`, `x-trading-prod`), but in a DNS name (`db.trading-prod.svc`).
  const pattern = new RegExp(`(?<![\\w-])${namespace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'g');
  for (const f of filesUnder(join(dist, environment))) {
    mkdirSync(join(out, environment, f, '..'), { recursive: true });
    writeFileSync(join(out, environment, f), readFileSync(join(dist, environment, f), 'utf8').replace(pattern, renamed));
  }
  cpSync(join(dist, 'gitops'), join(out, 'gitops'), { recursive: true });
  return { dist: out, namespace: renamed };
}

/** The dist/ of the previous release: before the last commit that changed it, or HEAD's when dist/ has uncommitted changes. */
export function previousDist(): { dist: string; commit: string; folder: string } {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain', '--', 'dist') !== '';
  const last = git('log', '-n', '1', '--format=%H', '--', 'dist');
  let commit: string;
  try {
    commit = dirty ? git('rev-parse', 'HEAD') : git('rev-parse', '--verify', '--quiet', `${last}^`);
  } catch {
    throw new Error(
      `the upgrade test needs the commit before ${last.slice(0, 7)} (the last that changed dist/): a shallow clone lacks it; fetch more history`,
    );
  }
  const folder = mkdtempSync(join(tmpdir(), 'cdk8s-trading-previous-'));
  const archive = join(folder, 'dist.tar');
  execFileSync('git', ['archive', '--output', archive, commit, 'dist'], { cwd: ROOT });
  execFileSync('tar', ['-x', '-f', archive, '-C', folder]);
  return { dist: join(folder, 'dist'), commit: commit.slice(0, 7), folder };
}

/** Edits the first document of a YAML file in place. */
export function editYaml<T>(path: string, edit: (doc: T) => void): void {
  const doc = parseDocument(readFileSync(path, 'utf8'));
  const value = doc.toJS() as T;
  edit(value);
  writeFileSync(path, parseDocument(JSON.stringify(value)).toString());
}

/** The next release: every `name:X.Y.Z` image in this repository's environment files one patch newer, synthesized by the CLI. */
export function nextRelease(): { dist: string; root: string } {
  const project = scratchProject();
  const folder = join(project.root, 'environments');
  for (const f of readdirSync(folder).filter((n) => n.endsWith('.yaml'))) {
    const text = readFileSync(join(folder, f), 'utf8');
    writeFileSync(
      join(folder, f),
      text.replace(
        /(Image|image): (\S+):(\d+)\.(\d+)\.(\d+)$/gm,
        (_m, key: string, name: string, a: string, b: string, c: string) => `${key}: ${name}:${a}.${b}.${Number(c) + 1}`,
      ),
    );
  }
  const r = cli(project.root, ['synth']);
  if (r.status !== 0) throw new Error(`synth of the next release failed: ${r.stderr}`);
  return { dist: project.out, root: project.root };
}
