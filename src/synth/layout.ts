/**
 * The layout of `dist/`: one file per object in apply-stage folders, each folder with a
 * `kustomization.yaml`. Pure: turns manifests into file paths and contents.
 */
import { compareStrings } from '../core/order';
import { ConfigurationError } from '../core/problems';
import { APPLY_STAGES, applyStageOf } from '../gitops/sync-waves';
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
  /** Path relative to the folder it is written to (`prod/50-application/service-api.yaml`). */
  readonly path: string;
  readonly content: string;
}

/** kustomize's conventional file name (schema validators skip it by its kind). */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/**
 * One file per object, `<stage>/<kind>-<name>.yaml`, in the apply stage's folder (`10-namespace`,
 * `20-config`, `30-database`, `40-migration`, `50-application`), each folder with a `kustomization.yaml`
 * listing its files and one at the top listing the folders. A GitOps diff then touches exactly the
 * files of the objects that changed; `kubectl kustomize dist/<env>` renders the environment; Flux can
 * apply stage by stage.
 */
export function manifestFiles(manifests: readonly Manifest[], folderOf?: (m: Manifest) => string): OutputFile[];
/** @internal With `consume`, each entry of `manifests` is dropped once its file is emitted, so the JSON and the YAML of an object are not both kept. */
export function manifestFiles(manifests: Manifest[], folderOf: ((m: Manifest) => string) | undefined, consume: boolean): OutputFile[];
export function manifestFiles(manifests: readonly Manifest[], folderOf: (m: Manifest) => string = stageFolderOf, consume = false): OutputFile[] {
  const files = new Map<string, OutputFile>();
  const byFolder = new Map<string, string[]>();
  for (let i = 0; i < manifests.length; i++) {
    const m = manifests[i];
    if (consume) (manifests as Manifest[])[i] = undefined as unknown as Manifest;
    const folder = folderOf(m);
    const file = `${m.kind.toLowerCase()}-${m.metadata.name}.yaml`;
    const path = `${folder}/${file}`;
    if (files.has(path)) {
      throw new ConfigurationError([
        `${m.kind}/${m.metadata.name}: two objects of this kind and name would be written to ${path}; give one of them another name`,
      ]);
    }
    files.set(path, { path, content: toYaml(m) });
    // Push, not copy: copying the list per object made a folder of n objects cost n².
    const list = byFolder.get(folder);
    if (list) list.push(file);
    else byFolder.set(folder, [file]);
  }
  const folders = [...byFolder.keys()].sort(compareStrings);
  for (const folder of folders) {
    const path = `${folder}/${KUSTOMIZATION_FILE}`;
    files.set(path, { path, content: kustomization((byFolder.get(folder) ?? []).sort(compareStrings)) });
  }
  files.set(KUSTOMIZATION_FILE, { path: KUSTOMIZATION_FILE, content: kustomization(folders) });
  return [...files.values()].sort((a, b) => compareStrings(a.path, b.path));
}

/** Every object directly in the folder, with a `kustomization.yaml` listing them. */
export function flatFiles(manifests: readonly Manifest[]): OutputFile[];
/** @internal With `consume`, `manifests` is emptied as its files are emitted (see `manifestFiles`). */
export function flatFiles(manifests: Manifest[], consume: boolean): OutputFile[];
export function flatFiles(manifests: readonly Manifest[], consume = false): OutputFile[] {
  return manifestFiles(manifests as Manifest[], () => '.', consume)
    .filter((f) => f.path !== KUSTOMIZATION_FILE)
    .map((f) => ({ path: f.path.replace(/^\.\//, ''), content: f.content }));
}

/** The apply-stage folder of an object (`30-database`). */
export function stageFolderOf(m: Manifest): string {
  return APPLY_STAGES.find((s) => s.stage === applyStageOf(m))?.folder ?? '50-application';
}

/** The stage folders that hold files, in apply order. */
export function stageFolders(files: readonly OutputFile[]): string[] {
  return APPLY_STAGES.map((s) => s.folder).filter((f) => files.some((file) => file.path.startsWith(`${f}/`)));
}

/** A kustomize `kustomization.yaml` listing `resources`. */
export function kustomization(resources: readonly string[]): string {
  return emitYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources] });
}

/** One manifest as YAML: see emit-yaml.ts (plain scalars only where YAML 1.1 and 1.2 agree, no anchors). */
export function toYaml(manifest: Manifest): string {
  return emitYaml(manifest as unknown as JsonValue);
}
