/**
 * A small, fast YAML emitter for JSON-shaped data (what Kubernetes manifests are): block mappings and
 * sequences with two-space indentation, keys in the order given, strings plain only when they read
 * back as the same string under both YAML 1.1 (Kubernetes' reader) and YAML 1.2, JSON double quotes
 * otherwise, and literal blocks for multi-line text such as PromQL. The `yaml` package builds a
 * document tree per object and is the larger half of synthesis at scale; this writes strings directly.
 * Tests check that every emitted document parses back to the same object under both YAML versions.
 */

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

// A plain scalar must start with a letter, digit, `/` or `.`, and hold only characters that cannot
// start a comment, a mapping value, a flow collection, an alias, a tag or a directive.
const PLAIN = /^[A-Za-z0-9./_][A-Za-z0-9./_@+=$()\-: ]*$/;
// Scalars YAML 1.1 or 1.2 resolve to something other than a string.
const BOOL_OR_NULL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|<<|=)$/;
// Deliberately broad: YAML 1.1 reads `1.4.2` as a float and `1:30` as sexagesimal, so anything made
// of digits, dots, underscores, colons and exponents is quoted, as are hex, octal, binary, .inf, .nan.
const NUMBER_LIKE = /^(?:[-+]?\.?[0-9][0-9_.:eE+-]*|[-+]?0[xX][0-9a-fA-F_]+|0[oObB][0-7_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const TIMESTAMP_LIKE = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;

function isPlainSafe(s: string): boolean {
  return (
    s.length > 0 &&
    PLAIN.test(s) &&
    !s.endsWith(' ') &&
    !s.endsWith(':') &&
    !s.includes(': ') &&
    !s.includes(' #') &&
    !BOOL_OR_NULL.test(s) &&
    !NUMBER_LIKE.test(s) &&
    !TIMESTAMP_LIKE.test(s)
  );
}

/** A string as a one-line scalar: plain when safe, JSON-quoted (valid YAML) otherwise. */
function scalarString(s: string): string {
  return isPlainSafe(s) ? s : JSON.stringify(s);
}

/** Multi-line text as a literal block, when its lines survive one unchanged. */
function literalBlock(s: string, indent: string): string | undefined {
  if (!s.includes('\n') || /[\r\t\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(s)) return undefined;
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  if (body.endsWith('\n')) return undefined; // several trailing newlines need `|+`; quote instead
  const lines = body.split('\n');
  if (lines[0].startsWith(' ') || lines.some((l) => l.endsWith(' ') || (l.length > 0 && l.trim() === ''))) return undefined;
  const header = s.endsWith('\n') ? '|' : '|-';
  return `${header}\n${lines.map((l) => (l.length === 0 ? '' : `${indent}${l}`)).join('\n')}`;
}

function scalar(value: string | number | boolean | null, indent: string): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot emit the number ${value} as YAML`);
    return String(value);
  }
  return literalBlock(value, indent) ?? scalarString(value);
}

function isCollection(value: JsonValue): value is JsonValue[] | { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null;
}

function isEmpty(value: JsonValue[] | { [key: string]: JsonValue }): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function emitMapping(map: { [key: string]: JsonValue }, indent: string, out: string[]): void {
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) continue;
    const k = scalarString(key);
    if (isCollection(value) && !isEmpty(value)) {
      out.push(`${indent}${k}:\n`);
      if (Array.isArray(value)) emitSequence(value, `${indent}  `, out);
      else emitMapping(value, `${indent}  `, out);
    } else {
      out.push(`${indent}${k}: ${isCollection(value) ? (Array.isArray(value) ? '[]' : '{}') : scalar(value, `${indent}  `)}\n`);
    }
  }
}

function emitSequence(seq: JsonValue[], indent: string, out: string[]): void {
  for (const item of seq) {
    if (isCollection(item) && !isEmpty(item)) {
      // The first entry of an item shares the line with its dash.
      const inner: string[] = [];
      if (Array.isArray(item)) emitSequence(item, `${indent}  `, inner);
      else emitMapping(item, `${indent}  `, inner);
      const first = inner[0].slice(indent.length + 2);
      out.push(`${indent}- ${first}`, ...inner.slice(1));
    } else {
      out.push(`${indent}- ${isCollection(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item, `${indent}  `)}\n`);
    }
  }
}

/** One YAML document for `value` (a mapping, for manifests), ending with a newline. */
export function emitYaml(value: JsonValue): string {
  const out: string[] = [];
  if (isCollection(value) && !isEmpty(value)) {
    if (Array.isArray(value)) emitSequence(value, '', out);
    else emitMapping(value, '', out);
  } else {
    out.push(`${isCollection(value) ? (Array.isArray(value) ? '[]' : '{}') : scalar(value, '  ')}\n`);
  }
  return out.join('');
}
