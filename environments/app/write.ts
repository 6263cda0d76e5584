/**
 * Serialises manifests into one file per object and swaps each environment's folder in atomically.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { compareStrings } from '../../src';

/** A Kubernetes manifest as cdk8s renders it. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [key: string]: unknown;
}

/** One output file. */
export interface OutputFile {
  /** Path relative to the environment folder. */
  readonly path: string;
  readonly content: string;
}

/**
 * One file per object, named `<kind>-<name>.yaml`: a GitOps diff then touches exactly the files of
 * the objects that changed, and a reviewer sees from the file list what was added or removed.
 */
export function manifestFiles(manifests: readonly Manifest[]): OutputFile[] {
  const files = new Map<string, OutputFile>();
  for (const m of manifests) {
    const path = `${m.kind.toLowerCase()}-${m.metadata.name}.yaml`;
    if (files.has(path)) {
      throw new Error(`two objects would be written to ${path}: ${m.apiVersion} ${m.kind} ${m.metadata.name} clashes with another object`);
    }
    files.set(path, { path, content: toYaml(m) });
  }
  return [...files.values()].sort((a, b) => compareStrings(a.path, b.path));
}

/**
 * YAML 1.1 quoting (so `"yes"`/`"on"` stay strings for Kubernetes' YAML 1.1 reader), no line folding,
 * no anchors: stable, diff-friendly output.
 */
export function toYaml(manifest: Manifest): string {
  return stringify(manifest, { version: '1.1', lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
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
