/**
 * The objects of an output tree in the order GitOps applies them: folder by folder as the
 * `kustomization.yaml` files list them (environment, then stage), each stage's files in the listed order.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compareStrings } from '../core/order';

/** One object of a manifest file. */
export interface TreeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** A manifest file and its objects. */
export interface TreeFile {
  /** The path relative to the tree's root. */
  readonly path: string;
  readonly objects: readonly TreeObject[];
}

/** A folder applied as one step (an Argo CD wave, a Flux Kustomization). */
export interface TreeStage {
  /** The folder relative to the tree's root ('' for the root). */
  readonly folder: string;
  readonly files: readonly TreeFile[];
}

/** The stages of a tree, and what could not be read. */
export interface ApplyOrder {
  readonly stages: readonly TreeStage[];
  /** One line per file that is not readable as Kubernetes objects, naming it. */
  readonly problems: readonly string[];
}

const KUSTOMIZATION = 'kustomization.yaml';

function isObject(value: unknown): value is TreeObject {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  return typeof v.apiVersion === 'string' && typeof v.kind === 'string' && typeof v.metadata?.name === 'string';
}

/** The stages under `root`, in apply order. */
export function applyOrder(root: string): ApplyOrder {
  const stages: TreeStage[] = [];
  const problems: string[] = [];
  const readFile = (file: string): TreeFile => {
    const path = relative(root, file);
    const objects: TreeObject[] = [];
    parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1' }).forEach((doc, i) => {
      if (doc.errors.length > 0) {
        problems.push(`${path}: document ${i + 1}: ${doc.errors[0].message.split('\n')[0]}`);
        return;
      }
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) return;
      if (isObject(value)) objects.push(value);
      else problems.push(`${path}: document ${i + 1} is not a Kubernetes object (it needs apiVersion, kind and metadata.name)`);
    });
    return { path, objects };
  };
  const walk = (dir: string): void => {
    const kustomization = join(dir, KUSTOMIZATION);
    const files: TreeFile[] = [];
    const subfolders: string[] = [];
    if (existsSync(kustomization)) {
      const k = parseAllDocuments(readFileSync(kustomization, 'utf8'))[0]?.toJS() as { resources?: unknown } | undefined;
      const resources = Array.isArray(k?.resources) ? k.resources.filter((r): r is string => typeof r === 'string') : [];
      for (const entry of resources) {
        const p = join(dir, entry);
        if (!existsSync(p)) problems.push(`${relative(root, kustomization)}: lists ${entry}, which does not exist`);
        else if (statSync(p).isDirectory()) subfolders.push(p);
        else files.push(readFile(p));
      }
    } else {
      for (const entry of readdirSync(dir).sort(compareStrings)) {
        const p = join(dir, entry);
        if (statSync(p).isDirectory()) subfolders.push(p);
        else if (/\.ya?ml$/.test(entry)) files.push(readFile(p));
      }
    }
    if (files.length > 0) stages.push({ folder: relative(root, dir), files });
    for (const s of subfolders) walk(s);
  };
  walk(root);
  return { stages, problems };
}
