/**
 * The text of a comparison (`cdk8s-trading diff`), for a terminal or a pull-request comment: per folder the
 * objects added, removed and changed; per changed object one line per changed field (`path: old → new`), or,
 * for a long or multi-line value, a unified diff of the value itself, so a change deep inside a dashboard or a
 * script shows as the lines that changed rather than two truncated strings that look alike.
 */
import { stringify } from 'yaml';
import { Change, FolderDiff } from './compare';
import { withoutCredentials } from '../core/secrets';
// A hand edit's key can be a credential (`data: {"https://u:p@h": …}`): paths are shown without it.
import { withoutCredentialKeys } from '../core/credential-shape';

/** How much to print. */
export type DiffDetail = 'default' | 'full' | 'stat';

/** The lines of `diff` at most, per object and per value, unless `full`. */
const LIMITS = { linesPerObject: 40, linesPerValue: 16, context: 2 } as const;
/** A value whose JSON is longer than this, or that spans lines, is shown as a diff of its own lines. */
const SHORT = 60;
const WIDTH = 140;

/** The report of `diffs` (`label` is how the compared folder is named, e.g. `dist`). */
export function diffReport(diffs: readonly FolderDiff[], label: string, detail: DiffDetail = 'default'): { lines: string[]; truncated: boolean } {
  const lines: string[] = [];
  let truncated = false;
  const shortened = (): void => {
    truncated = true;
  };
  for (const d of diffs) {
    lines.push(`${label}/${d.folder}: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`);
    if (detail === 'stat') {
      lines.push(...wrap('  + ', d.added), ...wrap('  - ', d.removed));
      lines.push(
        ...wrap(
          '  ~ ',
          d.changed.map((c) => `${c.item} (${c.changes.length} ${c.changes.length === 1 ? 'change' : 'changes'})`),
        ),
      );
      continue;
    }
    for (const a of d.added) lines.push(`  + ${a}`);
    for (const r of d.removed) lines.push(`  - ${r}`);
    for (const c of d.changed) {
      lines.push(`  ~ ${c.item}`);
      const body = c.changes.flatMap((change) => changeLines(change, detail === 'full', shortened));
      const cut = detail === 'full' || body.length <= LIMITS.linesPerObject ? body.length : LIMITS.linesPerObject - 1;
      lines.push(...body.slice(0, cut).map((l) => `      ${l}`));
      if (cut < body.length) {
        truncated = true;
        lines.push(`      … ${body.length - cut} more lines of ${c.item}`);
      }
    }
  }
  return { lines, truncated };
}

/** The lines of one change, without the object's indentation. */
function changeLines(change: Change, full: boolean, shortened: () => void): string[] {
  switch (change.kind) {
    case 'file':
      return [`file ${change.before} → ${change.after}`];
    case 'formatting':
      return ['same objects, other bytes (formatting or order)'];
    case 'unparsable':
      return [`not valid YAML (${change.error}): its objects cannot be compared; a synth writes it anew`];
    case 'order':
      return [`${withoutCredentialKeys(change.path)}: order ${change.before.join(', ')} → ${change.after.join(', ')}`];
    case 'members': {
      // A hand edit may have put a credential into dist/: the report (a CI log, a pull request comment) never repeats it.
      const hide = (v: unknown): string => json(withoutCredentials(v, [...segments(change.path).slice(0, -1), `${segments(change.path).pop()}[0]`]));
      const path = withoutCredentialKeys(change.path);
      return [...wrap(`${path}: + `, change.added.map(hide)), ...wrap(`${path}: - `, change.removed.map(hide))];
    }
    case 'value': {
      const at = segments(change.path);
      const path = withoutCredentialKeys(change.path);
      return valueLines(path, withoutCredentials(change.before, at), withoutCredentials(change.after, at), full, shortened);
    }
  }
}

function valueLines(path: string, before: unknown, after: unknown, full: boolean, shortened: () => void): string[] {
  const [a, b] = [textOf(before), textOf(after)];
  const short = (v: unknown, t: string[]): boolean => v === undefined || (t.length <= 1 && json(v).length <= SHORT);
  if (short(before, a) && short(after, b)) return [`${path}: ${shown(before)} → ${shown(after)}`];
  const head = `${path}:${before === undefined ? ' (none) →' : after === undefined ? ' → (none)' : ''}`;
  if (a.length === 1 && b.length === 1) {
    const lines = oneLine(a[0], b[0], full);
    if (lines[0] !== `  - ${a[0]}` || lines[1] !== `  + ${b[0]}`) shortened();
    return [head, ...lines];
  }
  // Added or removed as a whole: its lines, without a hunk header that says nothing.
  const body = before === undefined ? b.map((l) => `+ ${l}`) : after === undefined ? a.map((l) => `- ${l}`) : unifiedDiff(a, b);
  if (full || body.length <= LIMITS.linesPerValue) return [head, ...body.map((l) => `  ${l}`)];
  shortened();
  return [head, ...body.slice(0, LIMITS.linesPerValue - 1).map((l) => `  ${l}`), `  … ${body.length - LIMITS.linesPerValue + 1} more lines`];
}

/** Two long single lines: each once, around the part that differs (the whole of both with `full`). */
function oneLine(a: string, b: string, full: boolean): string[] {
  if (full) return [`  - ${a}`, `  + ${b}`];
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const context = 30;
  const from = Math.max(0, start - context);
  const cut = (s: string): string => {
    const to = Math.min(s.length, s.length - end + context);
    return `${from > 0 ? '…' : ''}${s.slice(from, to)}${to < s.length ? '…' : ''}`;
  };
  return [`  - ${cut(a)}`, `  + ${cut(b)}`];
}

/** A value as lines: a string as its own lines (JSON inside it pretty-printed), anything else as YAML. */
function textOf(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (/^[[{]/.test(trimmed) && !value.includes('\n')) {
      try {
        return JSON.stringify(JSON.parse(trimmed), null, 2).split('\n');
      } catch {
        // Not JSON after all: the text as it is.
      }
    }
    return value.replace(/\n$/, '').split('\n');
  }
  if (typeof value !== 'object' || value === null) return [JSON.stringify(value)];
  // A value shared by a YAML alias in a hand-edited file is printed in full at each place, never as `*a1`.
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false }).replace(/\n$/, '').split('\n');
}

/** A change's path (`spec.containers[name=api].env[0].value`) as the fields `withoutCredentials` judges. */
function segments(path: string): string[] {
  return path === '.' ? [] : path.split('.');
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function shown(value: unknown): string {
  return value === undefined ? '(none)' : json(value);
}

/** `prefix` then `items` joined by ", ", continued on further lines (aligned under the first item) within the width. */
function wrap(prefix: string, items: readonly string[]): string[] {
  if (items.length === 0) return [];
  const lines: string[] = [];
  let line = prefix;
  const continuation = ' '.repeat(prefix.length);
  for (const [i, item] of items.entries()) {
    const piece = `${item}${i < items.length - 1 ? ',' : ''}`;
    const fresh = line === prefix || line === continuation;
    if (!fresh && line.length + 1 + piece.length > WIDTH) {
      lines.push(line);
      line = continuation;
    }
    line += line === prefix || line === continuation ? piece : ` ${piece}`;
  }
  lines.push(line);
  return lines;
}

/** Lines of `a` and `b` as a unified diff: hunks of changed lines with their context, `@@ -from,n +from,n @@` first. */
export function unifiedDiff(a: readonly string[], b: readonly string[], context: number = LIMITS.context): string[] {
  const ops = lineOps(a, b);
  const changed = ops.map((o, i) => (o.op !== ' ' ? i : -1)).filter((i) => i >= 0);
  const out: string[] = [];
  for (let k = 0; k < changed.length;) {
    const first = Math.max(0, changed[k] - context);
    let last = changed[k];
    while (k < changed.length && changed[k] - last <= 2 * context + 1) last = changed[k++];
    const end = Math.min(ops.length - 1, last + context);
    const hunk = ops.slice(first, end + 1);
    const [aLen, bLen] = [hunk.filter((o) => o.op !== '+').length, hunk.filter((o) => o.op !== '-').length];
    const aFrom = ops.slice(0, first).filter((o) => o.op !== '+').length + (aLen > 0 ? 1 : 0);
    const bFrom = ops.slice(0, first).filter((o) => o.op !== '-').length + (bLen > 0 ? 1 : 0);
    out.push(`@@ -${aFrom},${aLen} +${bFrom},${bLen} @@`, ...hunk.map((o) => `${o.op} ${o.line}`.trimEnd()));
  }
  return out;
}

/** The edit script from `a` to `b` (longest common subsequence of lines, after the common head and tail). */
function lineOps(a: readonly string[], b: readonly string[]): Array<{ op: ' ' | '-' | '+'; line: string }> {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const mid: Array<{ op: ' ' | '-' | '+'; line: string }> = [];
  if (x.length * y.length > 4_000_000) {
    // Too large to align line by line in reasonable time: the old lines, then the new.
    mid.push(...x.map((line) => ({ op: '-' as const, line })), ...y.map((line) => ({ op: '+' as const, line })));
  } else {
    const lcs = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
    let [i, j] = [0, 0];
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) {
        mid.push({ op: ' ', line: x[i] });
        i++;
        j++;
      } else if (i < x.length && (j === y.length || lcs[i + 1][j] >= lcs[i][j + 1])) mid.push({ op: '-', line: x[i++] });
      else mid.push({ op: '+', line: y[j++] });
    }
  }
  const same = (lines: readonly string[]): Array<{ op: ' '; line: string }> => lines.map((line) => ({ op: ' ', line }));
  return [...same(a.slice(0, head)), ...mid, ...same(a.slice(a.length - tail))];
}
