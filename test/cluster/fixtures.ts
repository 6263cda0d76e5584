/**
 * Copies of dist/ for the cluster tests: an environment under other namespace names (so an upgrade or a
 * fault runs beside the installed environments), the dist/ of the previous release from Git, and edits.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { filesUnder } from '../../src/synth/files';

export const ROOT = join(__dirname, '..', '..');
export const DIST = join(ROOT, 'dist');

/** The environment folders of a dist/ tree (every folder but gitops/). */
export function environmentsOf(dist: string): string[] {
  return filesUnder(dist).map((f) => f.split('/')[0]).filter((d, i, all) => d !== 'gitops' && all.indexOf(d) === i && !d.endsWith('.yaml'));
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
  const pattern = new RegExp(`(?<![\\w.-])${namespace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'g');
  for (const f of filesUnder(join(dist, environment))) {
    mkdirSync(join(out, environment, f, '..'), { recursive: true });
    writeFileSync(join(out, environment, f), readFileSync(join(dist, environment, f), 'utf8').replace(pattern, renamed));
  }
  cpSync(join(dist, 'gitops'), join(out, 'gitops'), { recursive: true });
  return { dist: out, namespace: renamed };
}

/** The dist/ of the previous release: before the last commit that changed it, or HEAD's when dist/ has uncommitted changes. */
export function previousDist(): { dist: string; commit: string } {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain', '--', 'dist') !== '';
  const commit = dirty ? git('rev-parse', 'HEAD') : git('rev-parse', `${git('log', '-n', '1', '--format=%H', '--', 'dist')}^`);
  const out = mkdtempSync(join(tmpdir(), 'cdk8s-trading-previous-'));
  execFileSync('sh', ['-c', `git archive ${commit} dist | tar -x -C "${out}"`], { cwd: ROOT });
  return { dist: join(out, 'dist'), commit: commit.slice(0, 7) };
}

/** Edits the first document of a YAML file in place. */
export function editYaml<T>(path: string, edit: (doc: T) => void): void {
  const doc = parseDocument(readFileSync(path, 'utf8'));
  const value = doc.toJS() as T;
  edit(value);
  writeFileSync(path, parseDocument(JSON.stringify(value)).toString());
}
