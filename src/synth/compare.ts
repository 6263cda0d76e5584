/**
 * Compares two output trees object by object, for `cdk8s-trading diff`: which objects were added, removed or
 * changed, and how. Lists are compared the way Kubernetes merges them where that is known: by their merge
 * key (`name` for containers, env, ports, volumes; `mountPath` for volume mounts), and a kustomization's
 * `resources` as a set, so adding one object is one added entry, not every later position shifted by one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compareStrings } from '../core/order';
import { filesUnder } from './files';

/** A rendered object, for comparison. */
export interface ComparedObject {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly [key: string]: unknown;
}

/** One field that differs: its path (`a.b[0].c`) and both values (`undefined` where absent). */
export interface FieldChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** Every field where two values differ, with both values; lists by position. */
export function fieldChanges(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (before === after) return [];
  if (!isObject(before) || !isObject(after) || Array.isArray(before) !== Array.isArray(after)) return [{ path: path || '.', before, after }];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.flatMap((k) => fieldChanges(before[k], after[k], Array.isArray(before) ? `${path}[${k}]` : path ? `${path}.${k}` : k));
}

/** Paths (`a.b[0].c`) where two values differ. */
export function changedFields(before: unknown, after: unknown): string[] {
  return fieldChanges(before, after).map((c) => c.path);
}

/** `Kind/name: field` for every field that differs between two renders; added or removed objects as `Kind/name`. */
export function changedPaths(before: readonly ComparedObject[], after: readonly ComparedObject[]): string[] {
  const key = (o: ComparedObject): string => `${o.kind}/${o.metadata.name}`;
  const a = new Map(before.map((o) => [key(o), o]));
  const b = new Map(after.map((o) => [key(o), o]));
  const out: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    if (!a.has(k) || !b.has(k)) out.push(k);
    else out.push(...changedFields(a.get(k), b.get(k)).map((p) => `${k}: ${p}`));
  }
  return out.sort(compareStrings);
}

/** How one object (or file) differs. */
export type Change =
  /** A value set, changed or removed (`undefined` where absent); a whole subtree when it was added or removed. */
  | { readonly kind: 'value'; readonly path: string; readonly before: unknown; readonly after: unknown }
  /** Entries of a list whose order does not matter, added and removed. */
  | { readonly kind: 'members'; readonly path: string; readonly added: readonly unknown[]; readonly removed: readonly unknown[] }
  /** The same keyed entries in another order (env order matters to `$(VAR)` references). */
  | { readonly kind: 'order'; readonly path: string; readonly before: readonly string[]; readonly after: readonly string[] }
  /** The object moved to another file. */
  | { readonly kind: 'file'; readonly before: string; readonly after: string }
  /** Same objects, other bytes (key order, quoting, comments). */
  | { readonly kind: 'formatting'; readonly file: string }
  /** The committed file is not valid YAML (a hand edit, a conflict marker): its objects cannot be compared. */
  | { readonly kind: 'unparsable'; readonly file: string; readonly error: string };

/** The list entries' keys tried, in order: the first every entry has, with distinct values, keys the list. */
const MERGE_KEYS = ['name', 'mountPath', 'devicePath', 'containerPort', 'port', 'secretKey', 'alert', 'record'] as const;

/** Lists whose Kubernetes merge key is not the first of MERGE_KEYS their entries have (a mount's `name` is its volume's). */
const MERGE_KEY_OF: Readonly<Record<string, string>> = { volumeMounts: 'mountPath', volumeDevices: 'devicePath' };

/** The merge key of a list of objects (the list at `path`), when one identifies every entry of both versions. */
function mergeKey(before: readonly unknown[], after: readonly unknown[], path: string): string | undefined {
  const both = [before, after];
  const field = /([^.\]]+)$/.exec(path)?.[1] ?? '';
  return [...(MERGE_KEY_OF[field] ? [MERGE_KEY_OF[field]] : []), ...MERGE_KEYS].find((k) =>
    both.every((list) => {
      const values = list.map((e) => (isObject(e) && !Array.isArray(e) ? e[k] : undefined));
      return values.every((v) => typeof v === 'string' || typeof v === 'number') && new Set(values).size === values.length;
    }),
  );
}

/**
 * How `after` differs from `before`. `sets` names the paths of lists whose order does not matter (compared as
 * sets of entries). Lists of objects with a merge key are matched by it (`containers[name=api]`); other lists
 * of the same length by position; other lists of different lengths are one change of the whole list.
 */
export function objectChanges(before: unknown, after: unknown, sets: ReadonlySet<string> = new Set(), path = ''): Change[] {
  if (before === after || (before !== undefined && after !== undefined && JSON.stringify(before) === JSON.stringify(after))) return [];
  const here = path || '.';
  if (Array.isArray(before) && Array.isArray(after)) {
    if (sets.has(path)) {
      const json = (list: readonly unknown[]): Map<string, unknown> => new Map(list.map((e) => [JSON.stringify(e), e]));
      const [a, b] = [json(before), json(after)];
      const added = [...b].filter(([k]) => !a.has(k)).map(([, v]) => v);
      const removed = [...a].filter(([k]) => !b.has(k)).map(([, v]) => v);
      // Only reordered: no change a reviewer needs (the raw bytes check still reports the file).
      return added.length + removed.length > 0 ? [{ kind: 'members', path: here, added, removed }] : [];
    }
    const key = before.length > 0 || after.length > 0 ? mergeKey(before, after, path) : undefined;
    if (key !== undefined) return keyedChanges(before as Array<Record<string, unknown>>, after as Array<Record<string, unknown>>, key, sets, path);
    if (before.length !== after.length) return [{ kind: 'value', path: here, before, after }];
    return before.flatMap((b, i) => objectChanges(b, after[i], sets, `${path}[${i}]`));
  }
  if (isObject(before) && isObject(after) && !Array.isArray(before) && !Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => objectChanges(before[k], after[k], sets, path ? `${path}.${k}` : k));
  }
  return [{ kind: 'value', path: here, before, after }];
}

function keyedChanges(
  before: ReadonlyArray<Record<string, unknown>>,
  after: ReadonlyArray<Record<string, unknown>>,
  key: string,
  sets: ReadonlySet<string>,
  path: string,
): Change[] {
  const id = (e: Record<string, unknown>): string => String(e[key]);
  const a = new Map(before.map((e) => [id(e), e]));
  const b = new Map(after.map((e) => [id(e), e]));
  const at = (k: string): string => `${path}[${key}=${k}]`;
  const out: Change[] = [];
  for (const [k, e] of a)
    out.push(...(b.has(k) ? objectChanges(e, b.get(k), sets, at(k)) : [{ kind: 'value' as const, path: at(k), before: e, after: undefined }]));
  for (const [k, e] of b) if (!a.has(k)) out.push({ kind: 'value', path: at(k), before: undefined, after: e });
  const common = (m: Map<string, unknown>, other: Map<string, unknown>): string[] => [...m.keys()].filter((k) => other.has(k));
  const [orderBefore, orderAfter] = [common(a, b), common(b, a)];
  if (orderBefore.join('\0') !== orderAfter.join('\0')) out.push({ kind: 'order', path: path || '.', before: orderBefore, after: orderAfter });
  return out;
}

/** The lists of an object whose order does not matter: a kustomization's `resources` and `components`. */
function setPaths(object: unknown): ReadonlySet<string> {
  const kustomization = isObject(object) && object.kind === 'Kustomization' && String(object.apiVersion).startsWith('kustomize.config.k8s.io/');
  return new Set(kustomization ? ['resources', 'components'] : []);
}

/** One changed object or file: `Kind/name` (or its file when it has no name) and how it changed. */
export interface ChangedItem {
  readonly item: string;
  readonly changes: readonly Change[];
}

/** The differences of one top-level folder. */
export interface FolderDiff {
  readonly folder: string;
  readonly added: string[];
  readonly removed: string[];
  readonly changed: ChangedItem[];
}

/** Objects of a folder by `Kind/name` (or file, `file#n` when it holds several), with their file; other files by path. */
function objectsOf(dir: string): {
  objects: Map<string, { file: string; object: unknown }>;
  others: Map<string, string>;
  unparsable: Map<string, string>;
} {
  const objects = new Map<string, { file: string; object: unknown }>();
  const others = new Map<string, string>();
  const unparsable = new Map<string, string>();
  for (const file of filesUnder(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    if (!/\.ya?ml$/.test(file)) {
      others.set(file, text);
      continue;
    }
    const docs = parseAllDocuments(text);
    const error = docs.flatMap((d) => d.errors)[0];
    if (error) {
      const at = error.linePos ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}: ` : '';
      unparsable.set(file, `${at}${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
      continue;
    }
    docs.forEach((doc, i) => {
      const o = doc.toJS() as Partial<ComparedObject> | null;
      const named = o && typeof o.kind === 'string' && typeof o.metadata?.name === 'string';
      objects.set(named ? `${o.kind}/${o.metadata?.name}` : docs.length > 1 ? `${file}#${i + 1}` : file, { file, object: o });
    });
  }
  return { objects, others, unparsable };
}

/** Which top-level folders to compare. */
export interface CompareOptions {
  /** Only these top-level folders. @default every folder of either tree */
  readonly folders?: readonly string[];
}

/** Differences between the committed tree and a fresh one, per top-level folder. Empty when identical. */
export function compareTrees(committedRoot: string, freshRoot: string, options: CompareOptions = {}): FolderDiff[] {
  const all = [...new Set([...readdirSafe(committedRoot), ...readdirSafe(freshRoot)])].sort(compareStrings);
  const folders = options.folders ? all.filter((f) => options.folders?.includes(f)) : all;
  const diffs: FolderDiff[] = [];
  for (const folder of folders) {
    const before = objectsOf(join(committedRoot, folder));
    const after = objectsOf(join(freshRoot, folder));
    const added: string[] = [];
    const removed: string[] = [];
    const changed: ChangedItem[] = [];
    // A committed file that does not parse is one change, not its objects added and the file removed.
    for (const [file, error] of before.unparsable) changed.push({ item: file, changes: [{ kind: 'unparsable', file, error }] });
    for (const [id, a] of after.objects) {
      const b = before.objects.get(id);
      if (!b && before.unparsable.has(a.file)) continue;
      if (!b) added.push(id);
      else {
        const changes = objectChanges(b.object, a.object, setPaths(a.object));
        if (b.file !== a.file) changes.unshift({ kind: 'file', before: b.file, after: a.file });
        if (changes.length > 0) changed.push({ item: id, changes });
      }
    }
    for (const id of before.objects.keys()) if (!after.objects.has(id)) removed.push(id);
    for (const [file, text] of after.others) {
      const old = before.others.get(file);
      if (old === undefined) added.push(file);
      else if (old !== text) changed.push({ item: file, changes: [{ kind: 'value', path: 'content', before: old, after: text }] });
    }
    for (const file of before.others.keys()) if (!after.others.has(file)) removed.push(file);
    // Same objects, different bytes (formatting, key order, a set reordered): still drift, since dist/ must equal a fresh synth.
    const rawDrift = filesUnder(join(freshRoot, folder)).filter(
      (f) =>
        /\.ya?ml$/.test(f) &&
        existsSync(join(committedRoot, folder, f)) &&
        readFileSync(join(committedRoot, folder, f), 'utf8') !== readFileSync(join(freshRoot, folder, f), 'utf8') &&
        !before.unparsable.has(f) &&
        !changed.some((c) => before.objects.get(c.item)?.file === f || after.objects.get(c.item)?.file === f),
    );
    for (const f of rawDrift) changed.push({ item: f, changes: [{ kind: 'formatting', file: f }] });
    if (added.length || removed.length || changed.length) {
      diffs.push({ folder, added: added.sort(compareStrings), removed: removed.sort(compareStrings), changed });
    }
  }
  return diffs;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function readdirSafe(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((e) => !e.startsWith('.') && statSync(join(dir, e)).isDirectory()) : [];
}
