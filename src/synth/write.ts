/**
 * Writes a whole output tree (`dist/`) atomically and one writer at a time.
 *
 * The new tree is written in full to a sibling folder (`.dist.new`), then swapped in with two renames
 * (`dist` → `.dist.old`, `.dist.new` → `dist`). A kill at any instant leaves either the complete old
 * tree or the complete new one; the only window without `dist/` (between the two renames) is repaired
 * by the next run, which puts `.dist.old` back. A lock file beside the tree (`.dist.lock`, holding the
 * writer's pid) makes a second writer wait; a lock whose process is gone is taken over.
 *
 * Before any of that, everything the swap will need is checked (`checkOutputFolder`): the folders it creates,
 * renames and empties must be writable, and no file a user keeps in a subfolder may be lost. A refusal changes
 * nothing, so a read-only `dist/` never ends in a half-applied swap that every later run trips over.
 * A `dist/` that is a symbolic link is written through: the swap happens beside the folder it points to.
 */
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { filesUnder, listedEntries, synthOwnedFiles } from './files';
import { kustomization, KUSTOMIZATION_FILE } from './layout';
import { compareStrings } from '../core/order';
import type { OutputFile } from './layout';

/** A write step, in order; observers (tests) see each one as it completes. */
export type WriteStep = 'locked' | 'recovered' | 'written' | 'old-moved-aside' | 'new-moved-in' | 'old-removed';

/** Options of `writeTree`. */
export interface WriteTreeOptions {
  /** How long to wait for another writer's lock, in milliseconds. @default 60000 */
  readonly lockTimeoutMs?: number;
  /**
   * Called after each step (for fault-injection tests). @default - nothing
   * @internal
   */
  readonly onStep?: (step: WriteStep) => void;
}

/** A write failed or was refused: one line per problem, each naming the path and the cause. Nothing partial is left behind. */
export class WriteError extends Error {
  /** Every problem, one line each. */
  public readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const lines = typeof problems === 'string' ? [problems] : [...problems];
    super(lines.join('\n'));
    this.name = 'WriteError';
    this.problems = lines;
  }
}

const CAUSES: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a file stands where a folder is needed',
  EISDIR: 'a folder stands where a file is needed',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
};

/** The one-line cause of a file-system error. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return (code && CAUSES[code]) ?? (e instanceof Error ? e.message : String(e));
}

/** The sibling paths the writer uses for `outdir`. */
export function writerPaths(outdir: string): { lock: string; next: string; old: string } {
  const parent = dirname(outdir);
  const name = basename(outdir);
  return { lock: join(parent, `.${name}.lock`), next: join(parent, `.${name}.new`), old: join(parent, `.${name}.old`) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes the lock of `outdir`, waiting for a live holder and taking over a dead one's. */
function lock(outdir: string, shown: string, timeoutMs: number): () => void {
  const { lock: file } = writerPaths(outdir);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new WriteError(`cannot write ${shown}/: cannot create the lock file ${file}: ${describeFsError(e)}`);
      }
    }
    let holder = Number.NaN;
    try {
      holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
    } catch {
      continue; // released meanwhile
    }
    // A lock whose pid is unreadable is one being written right now; one whose process is gone is stale.
    const young = Date.now() - safeMtime(file) < 2000;
    if ((Number.isNaN(holder) && !young) || (!Number.isNaN(holder) && holder !== process.pid && !isAlive(holder))) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new WriteError(
        `cannot write ${shown}/: another synth (pid ${Number.isNaN(holder) ? '?' : holder}) is writing it; wait for it to finish (lock: ${file})`,
      );
    }
    sleep(50);
  }
}

function safeMtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Repairs what an interrupted earlier write left: puts back a tree that was moved aside, drops a
 * half-written one. Every write does this first, under the lock. True when a tree was put back.
 */
export function recoverInterruptedWrite(outdir: string): boolean {
  const { next, old } = writerPaths(outdir);
  let restored = false;
  if (existsSync(old)) {
    if (!existsSync(outdir)) {
      renameSync(old, outdir);
      restored = true;
    } else removeLeftover(old);
  }
  removeLeftover(next);
  return restored;
}

/**
 * Removes a folder the writer made (`.dist.new`, `.dist.old`). An old tree moved aside keeps its modes, so a
 * read-only `dist/` left one behind that cannot be emptied: it is our own copy, so it is made writable first.
 */
function removeLeftover(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
    return;
  } catch {
    makeFoldersWritable(path);
  }
  try {
    rmSync(path, { recursive: true, force: true });
  } catch (e) {
    throw new WriteError(`cannot remove ${path}, left by an interrupted synth: ${describeFsError(e)}; remove it by hand (rm -rf ${path})`);
  }
}

function makeFoldersWritable(dir: string): void {
  try {
    if (!lstatSync(dir).isDirectory()) return;
    chmodSync(dir, (statSync(dir).mode & 0o7777) | 0o700);
    for (const entry of readdirSync(dir)) makeFoldersWritable(join(dir, entry));
  } catch {
    // Not ours to change: the removal that follows says so.
  }
}

/** The access a folder of the tree needs: list it, and create, rename and remove its entries. */
const FOLDER_ACCESS = constants.R_OK | constants.W_OK | constants.X_OK;

function accessProblem(path: string, mode: number): string | undefined {
  try {
    accessSync(path, mode);
    return undefined;
  } catch (e) {
    return describeFsError(e);
  }
}

/**
 * Checks that `outdir` can be replaced, before anything is changed, and returns the folder to write: `outdir`
 * itself, or the folder it links to. Throws a WriteError with one line per problem: a missing parent, a file in
 * the way, a folder that is not writable (for the user running the synth), a file that cannot be read, a
 * symbolic link inside the tree (the swap would replace it with a copy and leave its target stale).
 */
export function checkOutputFolder(outdir: string): string {
  const shown = relative(process.cwd(), outdir) || outdir;
  let target = outdir;
  if (isLink(outdir)) {
    try {
      target = realpathSync(outdir);
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      throw new WriteError(
        `cannot write ${shown}/: it is a symbolic link to ${resolve(dirname(outdir), readlinkSync(outdir))}, which ` +
          `${missing ? 'does not exist' : `cannot be followed (${describeFsError(e)})`}; create that folder or remove the link`,
      );
    }
  }
  const parent = dirname(target);
  if (!existsSync(parent)) throw new WriteError(`cannot write ${shown}/: its parent folder ${parent} does not exist`);
  if (existsSync(target) && !statSync(target).isDirectory()) throw new WriteError(`cannot write ${shown}/: it is a file, not a folder`);
  const problems: string[] = [];
  const parentProblem = accessProblem(parent, constants.W_OK | constants.X_OK);
  if (parentProblem) {
    problems.push(
      `${relative(process.cwd(), parent) || parent}/: not writable (${parentProblem}): the synth writes ${shown}/ in full beside it ` +
        `(${basename(writerPaths(target).next)}) and swaps the two; make the folder writable, or synthesize elsewhere with --outdir`,
    );
  }
  if (existsSync(target)) problems.push(...treeProblems(target, shown));
  if (problems.length > 0) throw refusal(problems, shown);
  return target;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Folders of the tree the swap cannot empty, files it cannot read, links it would break: one line each. */
function treeProblems(root: string, shown: string): string[] {
  const problems: string[] = [];
  const name = (p: string): string => join(shown, relative(root, p));
  const walk = (dir: string): void => {
    const denied = accessProblem(dir, FOLDER_ACCESS);
    if (denied) {
      // One line for the folder; what is inside it has the same cause and the same fix.
      problems.push(
        `${name(dir)}/: not writable (${denied}): a synth replaces ${shown}/ as a whole, so it must list, create and remove ` +
          `what is in every folder of it; make it writable (chmod -R u+rwX ${shown}), or synthesize elsewhere with --outdir`,
      );
      return;
    }
    for (const entry of readdirSync(dir)) {
      const p = join(dir, entry);
      const stat = lstatSync(p);
      if (stat.isSymbolicLink()) {
        problems.push(
          `${name(p)}: a symbolic link (to ${readlinkSync(p)}) inside ${shown}/: a synth writes ${shown}/ anew and would replace it with ` +
            `a copy, leaving its target stale; link ${shown}/ itself instead (the synth writes through that link), or remove this one`,
        );
      } else if (stat.isDirectory()) {
        walk(p);
      } else {
        const unreadable = accessProblem(p, constants.R_OK);
        if (unreadable)
          problems.push(`${name(p)}: cannot be read (${unreadable}): the synth reads ${shown}/ before it replaces it; make it readable`);
      }
    }
  };
  walk(root);
  return problems;
}

/**
 * Files under `outdir` that writing `files` would delete although no synth wrote them (a kustomize overlay, an
 * extra patch a user keeps there): one line each. What a synth wrote is what its kustomization.yaml files list,
 * each named after the one object in it; a file a user listed there by hand is not.
 */
function unownedFilesLost(outdir: string, shown: string, files: readonly OutputFile[]): string[] {
  if (!existsSync(outdir)) return [];
  const kept = new Set(files.map((f) => f.path));
  const owned = synthOwnedFiles(outdir, kept);
  const problems: string[] = [];
  for (const p of filesUnder(outdir).filter((f) => !kept.has(f))) {
    const why = !owned.has(p)
      ? 'no kustomization.yaml it wrote lists it'
      : !namedAsWritten(join(outdir, p))
        ? `listed by hand: a synth names each file after the one object in it, <kind>-<name>.yaml`
        : listedByHand(outdir, p, kept)
          ? `listed in a ${KUSTOMIZATION_FILE} edited by hand: a synth lists one file per line, sorted, and this list is not`
          : undefined;
    if (why) {
      problems.push(
        `${join(shown, p)}: not written by a synth (${why}) and would be deleted, since a synth replaces ${shown}/ as a whole: ` +
          `move it out of ${shown}/, or delete it`,
      );
    }
  }
  // A kustomization.yaml the synth rewrites keeps only its resources: what a user added to it (patches, labels,
  // generators) would be dropped without a word.
  for (const p of [...owned].filter((f) => basename(f) === KUSTOMIZATION_FILE && kept.has(f))) {
    const added = addedKustomizeFields(join(outdir, p));
    if (added.length > 0) {
      problems.push(
        `${join(shown, p)}: edited by hand (${added.join(', ')}): a synth writes it anew with its resources only and would drop ` +
          `${added.length > 1 ? 'them' : 'it'}; keep ${added.length > 1 ? 'them' : 'it'} in a kustomization of your own outside ${shown}/ ` +
          `that lists this folder`,
      );
    }
  }
  return problems;
}

/** The fields of a kustomization.yaml besides those a synth writes (apiVersion, kind, resources). */
function addedKustomizeFields(file: string): string[] {
  try {
    const doc = parseAllDocuments(readFileSync(file, 'utf8'))[0]?.toJS() as unknown;
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return [];
    return Object.keys(doc).filter((k) => !['apiVersion', 'kind', 'resources'].includes(k));
  } catch {
    return [];
  }
}

/**
 * Whether a kustomization.yaml edited by hand lists `file` (relative to `outdir`), or a folder above it, up to a
 * folder the coming synth writes (`kept` holds its kustomization.yaml): a folder a user adds to a list is theirs.
 */
function listedByHand(outdir: string, file: string, kept: ReadonlySet<string>): boolean {
  for (let folder = dirname(file); folder !== '.' && folder !== ''; folder = dirname(folder)) {
    if (editedByHand(join(outdir, folder, KUSTOMIZATION_FILE))) return true;
    if (kept.has(join(folder, KUSTOMIZATION_FILE))) return false;
  }
  return false;
}

/**
 * Whether a kustomization.yaml is not as a synth writes it (its entries one per line, sorted, and nothing else): an
 * entry a user appended (`configmap-team-info.yaml` after the others) makes the files it lists possibly theirs.
 */
function editedByHand(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  return kustomization(listedEntries(text).sort(compareStrings)) !== text;
}

/** Whether a file is as a synth names it: a kustomization.yaml, or `<kind>-<name>.yaml` holding that one object. */
function namedAsWritten(file: string): boolean {
  if (basename(file) === KUSTOMIZATION_FILE) return true;
  let docs: unknown[];
  try {
    docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as unknown);
  } catch {
    return false;
  }
  const one = docs.length === 1 ? (docs[0] as { kind?: unknown; metadata?: { name?: unknown } } | null) : null;
  return (
    typeof one?.kind === 'string' &&
    typeof one.metadata?.name === 'string' &&
    basename(file) === `${one.kind.toLowerCase()}-${one.metadata.name}.yaml`
  );
}

/** A refusal before anything was changed: a single line says so itself; several go under a headline that does. */
function refusal(problems: readonly string[], shown: string): WriteError {
  return new WriteError(problems.length === 1 ? [`${problems[0]}; ${shown}/ was left as it was`] : problems);
}

/**
 * Replaces `outdir` with exactly `files` (paths relative to it), atomically; see the file comment.
 * Throws a WriteError naming the path and cause when the disk refuses; `outdir` is then as it was.
 */
export function writeTree(linkOrFolder: string, files: readonly OutputFile[], options: WriteTreeOptions = {}): void {
  const step = options.onStep ?? ((): void => undefined);
  const shown = relative(process.cwd(), linkOrFolder) || linkOrFolder;
  const outdir = checkOutputFolder(linkOrFolder);
  const release = lock(outdir, shown, options.lockTimeoutMs ?? 60_000);
  const { next, old } = writerPaths(outdir);
  try {
    step('locked');
    const restored = recoverInterruptedWrite(outdir);
    step('recovered');
    // A tree that recovery put back is held to the same checks.
    if (restored) checkOutputFolder(linkOrFolder);
    const unowned = unownedFilesLost(outdir, shown, files);
    if (unowned.length > 0) throw refusal(unowned, shown);
    let current = next;
    try {
      mkdirSync(next);
      for (const f of files) {
        current = join(next, f.path);
        mkdirSync(dirname(current), { recursive: true });
        writeFileSync(current, f.content);
      }
    } catch (e) {
      rmSync(next, { recursive: true, force: true });
      const where = current === next ? next : join(outdir, relative(next, current));
      throw new WriteError(`cannot write ${where}: ${describeFsError(e)}; ${shown}/ was left as it was`);
    }
    step('written');
    try {
      if (existsSync(outdir)) renameSync(outdir, old);
    } catch (e) {
      rmSync(next, { recursive: true, force: true });
      throw new WriteError(`cannot replace ${shown}/: ${describeFsError(e)}; it was left as it was`);
    }
    step('old-moved-aside');
    try {
      renameSync(next, outdir);
    } catch (e) {
      if (existsSync(old) && !existsSync(outdir)) renameSync(old, outdir);
      rmSync(next, { recursive: true, force: true });
      throw new WriteError(`cannot replace ${shown}/: ${describeFsError(e)}; it was left as it was`);
    }
    step('new-moved-in');
    try {
      removeLeftover(old);
    } catch {
      // The new tree is in place; the next write removes what is left of the old one (recoverInterruptedWrite).
    }
    step('old-removed');
  } finally {
    release();
  }
}
