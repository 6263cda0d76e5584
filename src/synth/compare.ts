/**
 * Compares two output trees object by object, for `npm run diff`: which objects were added,
 * removed or changed, and which fields changed.
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

/** Every field where two values differ, with both values. */
export function fieldChanges(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (before === after) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(before) || !isObject(after) || Array.isArray(before) !== Array.isArray(after)) return [{ path: path || '.', before, after }];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.flatMap((k) => fieldChanges(before[k], after[k], Array.isArray(before) ? `${path}[${k}]` : path ? `${path}.${k}` : k));
}

/** Paths (`a.b[0].c`) where two values differ. */
export function changedFields(before: unknown, after: unknown): string[] {
  return fieldChanges(before, after).map((c) => c.path);
}

/** A value as a diff line shows it: JSON, shortened; `(none)` when absent. */
function brief(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
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

/** The differences of one top-level folder. */
export interface FolderDiff {
  readonly folder: string;
  readonly added: string[];
  readonly removed: string[];
  readonly changed: Array<{ readonly item: string; readonly fields: string[] }>;
}

/** Objects of a folder by `Kind/name`, with the file each is in; other files by path. */
function objectsOf(dir: string): { objects: Map<string, { file: string; object: unknown }>; others: Map<string, string> } {
  const objects = new Map<string, { file: string; object: unknown }>();
  const others = new Map<string, string>();
  for (const file of filesUnder(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    if (!/\.ya?ml$/.test(file)) {
      others.set(file, text);
      continue;
    }
    parseAllDocuments(text).forEach((doc, i) => {
      const o = doc.toJS() as Partial<ComparedObject> | null;
      const id = o && typeof o.kind === 'string' && typeof o.metadata?.name === 'string' ? `${o.kind}/${o.metadata.name}` : `${file}#${i + 1}`;
      objects.set(id, { file, object: o });
    });
  }
  return { objects, others };
}

/** Differences between the committed tree and a fresh one, per top-level folder. Empty when identical. */
export function compareTrees(committedRoot: string, freshRoot: string): FolderDiff[] {
  const folders = [...new Set([...readdirSafe(committedRoot), ...readdirSafe(freshRoot)])].sort(compareStrings);
  const diffs: FolderDiff[] = [];
  for (const folder of folders) {
    const before = objectsOf(join(committedRoot, folder));
    const after = objectsOf(join(freshRoot, folder));
    const added: string[] = [];
    const removed: string[] = [];
    const changed: Array<{ item: string; fields: string[] }> = [];
    for (const [id, a] of after.objects) {
      const b = before.objects.get(id);
      if (!b) added.push(id);
      else {
        const fields = fieldChanges(b.object, a.object).map((c) => `${c.path}: ${brief(c.before)} → ${brief(c.after)}`);
        if (b.file !== a.file) fields.unshift(`file ${b.file} → ${a.file}`);
        if (fields.length > 0) changed.push({ item: id, fields });
      }
    }
    for (const id of before.objects.keys()) if (!after.objects.has(id)) removed.push(id);
    for (const [file, text] of after.others) {
      if (!before.others.has(file)) added.push(file);
      else if (before.others.get(file) !== text) changed.push({ item: file, fields: ['content'] });
    }
    for (const file of before.others.keys()) if (!after.others.has(file)) removed.push(file);
    // Same objects, different bytes (formatting, key order): still drift, since dist/ must equal a fresh synth.
    const rawDrift = filesUnder(join(freshRoot, folder)).filter(
      (f) =>
        /\.ya?ml$/.test(f) &&
        existsSync(join(committedRoot, folder, f)) &&
        readFileSync(join(committedRoot, folder, f), 'utf8') !== readFileSync(join(freshRoot, folder, f), 'utf8') &&
        !changed.some((c) => before.objects.get(c.item)?.file === f || after.objects.get(c.item)?.file === f),
    );
    for (const f of rawDrift) changed.push({ item: f, fields: ['formatting'] });
    if (added.length || removed.length || changed.length) {
      diffs.push({ folder, added: added.sort(compareStrings), removed: removed.sort(compareStrings), changed });
    }
  }
  return diffs;
}

function readdirSafe(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((e) => !e.startsWith('.') && statSync(join(dir, e)).isDirectory()) : [];
}
