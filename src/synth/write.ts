/**
 * Writes a whole output tree (`dist/`) atomically and one writer at a time.
 *
 * The new tree is written in full to a sibling folder (`.dist.new`), then swapped in with two renames
 * (`dist` → `.dist.old`, `.dist.new` → `dist`). A kill at any instant leaves either the complete old
 * tree or the complete new one; the only window without `dist/` (between the two renames) is repaired
 * by the next run, which puts `.dist.old` back. A lock file beside the tree (`.dist.lock`, holding the
 * writer's pid) makes a second writer wait; a lock whose process is gone is taken over.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
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

/** A write failed: names the path and the cause in one line. Nothing partial is left behind. */
export class WriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteError';
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
function lock(outdir: string, timeoutMs: number): () => void {
  const { lock: file } = writerPaths(outdir);
  const shown = relative(process.cwd(), outdir) || outdir;
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
 * half-written one. Every write does this first, under the lock.
 */
export function recoverInterruptedWrite(outdir: string): void {
  const { next, old } = writerPaths(outdir);
  if (existsSync(old)) {
    if (!existsSync(outdir)) renameSync(old, outdir);
    else rmSync(old, { recursive: true, force: true });
  }
  rmSync(next, { recursive: true, force: true });
}

/**
 * Replaces `outdir` with exactly `files` (paths relative to it), atomically; see the file comment.
 * Throws a WriteError naming the path and cause when the disk refuses; `outdir` is then as it was.
 */
export function writeTree(outdir: string, files: readonly OutputFile[], options: WriteTreeOptions = {}): void {
  const step = options.onStep ?? ((): void => undefined);
  const shown = relative(process.cwd(), outdir) || outdir;
  const parent = dirname(outdir);
  if (!existsSync(parent)) throw new WriteError(`cannot write ${shown}/: its parent folder ${parent} does not exist`);
  if (existsSync(outdir) && !statSync(outdir).isDirectory()) throw new WriteError(`cannot write ${shown}/: it is a file, not a folder`);
  const release = lock(outdir, options.lockTimeoutMs ?? 60_000);
  const { next, old } = writerPaths(outdir);
  try {
    step('locked');
    recoverInterruptedWrite(outdir);
    step('recovered');
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
    rmSync(old, { recursive: true, force: true });
    step('old-removed');
  } finally {
    release();
  }
}
