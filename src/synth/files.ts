/** Reading output trees. */
import { accessSync, constants, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { parse } from 'yaml';
import { compareStrings } from '../core/order';
import { stageOfFolder } from '../gitops/sync-waves';
import { kustomization, KUSTOMIZATION_FILE } from './layout';

/** A folder that could not be listed or a file that could not be read, under a tree. */
export interface Unreadable {
  /** Relative to the tree's root (`''`: the root itself). */
  readonly path: string;
  readonly error: unknown;
  readonly folder: boolean;
}

/**
 * Every file under `dir`, as paths relative to it, in a stable order; none when `dir` does not exist. A folder
 * that cannot be listed (no read or search permission) throws, unless `unreadable` is given: then it is recorded
 * there and the walk goes on with the rest.
 */
export function filesUnder(dir: string, unreadable?: Unreadable[]): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(d).sort(compareStrings);
    } catch (e) {
      if (!unreadable) throw e;
      unreadable.push({ path: relative(dir, d), error: e, folder: true });
      return;
    }
    for (const entry of entries) {
      const p = join(d, entry);
      let folder: boolean;
      try {
        folder = statSync(p).isDirectory();
      } catch (e) {
        if (!unreadable) throw e;
        // A link to nothing is a problem of that entry; the folder's other entries are read as usual.
        const target = danglingLinkTarget(p);
        if (target !== undefined) {
          unreadable.push({ path: relative(dir, p), error: new Error(`a symbolic link to ${target}, which does not exist`), folder: false });
          continue;
        }
        unreadable.push({ path: relative(dir, d), error: e, folder: true });
        return;
      }
      if (folder) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** The target of `path` when it is a symbolic link whose target does not exist. */
function danglingLinkTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() && !existsSync(path) ? readlinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/** What under `dir` cannot be read: folders that cannot be listed and files that cannot be opened for reading. */
export function unreadableUnder(dir: string): Unreadable[] {
  const unreadable: Unreadable[] = [];
  for (const file of filesUnder(dir, unreadable)) {
    try {
      accessSync(join(dir, file), constants.R_OK);
    } catch (e) {
      unreadable.push({ path: file, error: e, folder: false });
    }
  }
  return unreadable;
}

/**
 * The files under `dir` that a synth wrote, as paths relative to it: every kustomization.yaml of the synth's
 * folders and what their `resources` list. The synth's folders are the top-level folders (or, in a folder
 * without one, like `gitops/`, its subfolders) whose kustomization.yaml is one the synth writes (a plain
 * `resources` list in its format), and the folders those list. Anything else (an overlay, a patch, a
 * `.gitkeep`, a file in a folder the synth does not list) is the user's. So is every folder whose
 * kustomization.yaml is in `rewritten` (the coming synth writes it), even when that file or the one above it was
 * edited by hand: what it lists is read as it is, and what the edit added is the caller's to report, once.
 */
export function synthOwnedFiles(dir: string, rewritten: ReadonlySet<string> = new Set()): Set<string> {
  const owned = new Set<string>();
  const visit = (folder: string, listed: boolean, followFolders = true): void => {
    const kustomizationFile = join(dir, folder, KUSTOMIZATION_FILE);
    const resources = existsSync(kustomizationFile) ? resourcesOf(readFileSync(kustomizationFile, 'utf8'), listed) : undefined;
    if (resources === undefined) return;
    owned.add(relative(dir, kustomizationFile));
    for (const entry of resources) {
      const path = join(dir, folder, entry);
      const inside = relative(dir, path);
      if (inside.startsWith('..') || isAbsolute(inside) || !existsSync(path)) continue;
      if (statSync(path).isDirectory()) {
        // The only folders a synth lists are its apply stages (`50-application`), each right inside the folder
        // that lists it: any other is a user's, even in a list as sorted as a synth's.
        if (followFolders && dirname(inside) === folder && stageOfFolder(basename(inside)) !== undefined) visit(inside, true);
      } else owned.add(inside);
    }
  };
  for (const top of existsSync(dir) ? readdirSync(dir).sort(compareStrings) : []) {
    if (!statSync(join(dir, top)).isDirectory()) continue;
    if (existsSync(join(dir, top, KUSTOMIZATION_FILE))) visit(top, false);
    else
      for (const sub of readdirSync(join(dir, top)).sort(compareStrings))
        if (statSync(join(dir, top, sub)).isDirectory()) visit(join(top, sub), false);
  }
  // The folders the coming synth writes are the synth's whatever was done to the kustomization.yaml above them;
  // each is taken alone, since a folder such an edited file lists by hand is not the synth's for that.
  for (const file of [...rewritten].filter((f) => basename(f) === KUSTOMIZATION_FILE).sort(compareStrings)) {
    if (!owned.has(file) && existsSync(join(dir, file))) visit(dirname(file), true, false);
  }
  return owned;
}

/** The entries of a kustomization.yaml's list as a synth writes them (`  - name`, one per line), in their order. */
export function listedEntries(text: string): string[] {
  return [...text.matchAll(/^ {2}- (.*)$/gm)].map((m) => (m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : m[1]));
}

/**
 * The `resources` of a kustomization.yaml. At the top of a tree, only of one the synth wrote (exactly its
 * format); in a folder the synth listed, of any (a user's edit of it is overwritten, the files it lists are the synth's).
 */
function resourcesOf(text: string, listed: boolean): string[] | undefined {
  const entries = listedEntries(text);
  if (kustomization(entries) === text) return entries;
  if (!listed) return undefined;
  try {
    const doc = parse(text) as { resources?: unknown } | null;
    return Array.isArray(doc?.resources) ? doc.resources.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}
