/**
 * Serialises manifests into one file per object and swaps each environment's folder in atomically.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { APPLY_STAGES, applyStageOf, compareStrings } from '../../src';
import { emitYaml, JsonValue } from './emit-yaml';

/** A Kubernetes manifest as cdk8s renders it. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

/** One output file. */
export interface OutputFile {
  /** Path relative to the environment folder. */
  readonly path: string;
  readonly content: string;
}

/** kustomize's extensionless file name: kustomize and Flux read it, schema validators of `*.yaml` skip it. */
export const KUSTOMIZATION_FILE = 'Kustomization';

/**
 * One file per object, `<stage>/<kind>-<name>.yaml`, in the apply stage's folder (`10-namespace`,
 * `20-config`, `30-database`, `40-migration`, `50-application`), each folder with a `Kustomization`
 * listing its files and one at the top listing the folders. A GitOps diff then touches exactly the
 * files of the objects that changed; `kubectl kustomize dist/<env>` renders the environment; Flux can
 * apply stage by stage.
 */
export function manifestFiles(manifests: readonly Manifest[], folderOf: (m: Manifest) => string = stageFolderOf): OutputFile[] {
  const files = new Map<string, OutputFile>();
  const byFolder = new Map<string, string[]>();
  for (const m of manifests) {
    const folder = folderOf(m);
    const file = `${m.kind.toLowerCase()}-${m.metadata.name}.yaml`;
    const path = `${folder}/${file}`;
    if (files.has(path)) {
      throw new Error(`two objects would be written to ${path}: ${m.apiVersion} ${m.kind} ${m.metadata.name} clashes with another object`);
    }
    files.set(path, { path, content: toYaml(m) });
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), file]);
  }
  const folders = [...byFolder.keys()].sort(compareStrings);
  for (const folder of folders) {
    const path = `${folder}/${KUSTOMIZATION_FILE}`;
    files.set(path, { path, content: kustomization((byFolder.get(folder) ?? []).sort(compareStrings)) });
  }
  files.set(KUSTOMIZATION_FILE, { path: KUSTOMIZATION_FILE, content: kustomization(folders) });
  return [...files.values()].sort((a, b) => compareStrings(a.path, b.path));
}

/** The apply-stage folder of an object (`30-database`). */
export function stageFolderOf(m: Manifest): string {
  return APPLY_STAGES.find((s) => s.stage === applyStageOf(m))?.folder ?? '50-application';
}

/** The stage folders that hold files, in apply order. */
export function stageFolders(files: readonly OutputFile[]): string[] {
  return APPLY_STAGES.map((s) => s.folder).filter((f) => files.some((file) => file.path.startsWith(`${f}/`)));
}

/** A kustomize `Kustomization` listing `resources`. */
export function kustomization(resources: readonly string[]): string {
  return emitYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources] });
}

/** One manifest as YAML: see emit-yaml.ts (plain scalars only where YAML 1.1 and 1.2 agree, no anchors). */
export function toYaml(manifest: Manifest): string {
  return emitYaml(manifest as unknown as JsonValue);
}

/**
 * Writes every environment into `<outdir>/<env>/`. Each folder is written in full to a temporary
 * sibling and renamed over the old one only when complete, so a failure or a kill leaves the previous
 * output as it was. Folders of environments that no longer exist are removed.
 */
export function writeEnvironments(outdir: string, outputs: ReadonlyMap<string, readonly OutputFile[]>, removeOthers: boolean): void {
  mkdirSync(outdir, { recursive: true });
  recoverInterruptedSwaps(outdir);
  const tag = `${process.pid}`;
  for (const [env, files] of outputs) {
    const tmp = join(outdir, `.tmp-${env}-${tag}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const f of files) {
      mkdirSync(dirname(join(tmp, f.path)), { recursive: true });
      writeFileSync(join(tmp, f.path), f.content);
    }
  }
  for (const env of outputs.keys()) {
    const target = join(outdir, env);
    const old = join(outdir, `.old-${env}-${tag}`);
    if (existsSync(target)) renameSync(target, old);
    renameSync(join(outdir, `.tmp-${env}-${tag}`), target);
    rmSync(old, { recursive: true, force: true });
  }
  if (removeOthers) {
    for (const entry of readdirSync(outdir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && !outputs.has(entry.name)) {
        rmSync(join(outdir, entry.name), { recursive: true, force: true });
      }
    }
  }
}

/** Puts back a folder whose swap was interrupted between its two renames, and drops stale temporaries. */
function recoverInterruptedSwaps(outdir: string): void {
  for (const entry of readdirSync(outdir)) {
    const old = /^\.old-(.+)-\d+$/.exec(entry);
    if (old && !existsSync(join(outdir, old[1]))) {
      renameSync(join(outdir, entry), join(outdir, old[1]));
    } else if (old || /^\.tmp-.+-\d+$/.test(entry)) {
      rmSync(join(outdir, entry), { recursive: true, force: true });
    }
  }
}
