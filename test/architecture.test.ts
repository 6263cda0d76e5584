import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '..', 'src');
const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(SRC, f));
const IMPORT = /^\s*(?:import|export)\b[^;]*?\bfrom\s+['"](\.[^'"]+)['"]/gm;

/** Every relative import of every file in src/, type-only imports included (they tie the files together too). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = [...readFileSync(file, 'utf8').matchAll(IMPORT)]
      .map((m) => resolve(dirname(file), m[1]))
      .map((base) => [`${base}.ts`, join(base, 'index.ts'), base].find((candidate) => files.includes(candidate)))
      .filter((t): t is string => t !== undefined);
    graph.set(file, targets);
  }
  return graph;
}

/** The import cycles, each as the list of files around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)).map((f) => relative(SRC, f)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('the structure of src/', () => {
  it('has no import cycle', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(40);
    expect([...graph.values()].flat().length).toBeGreaterThan(100);
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const a = join(SRC, 'a.ts');
    const b = join(SRC, 'b.ts');
    expect(
      cycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts']]);
  });

  it('has no switch on an engine kind and no unreachable branch', () => {
    const offending = files.filter((f) =>
      /unreachable|\.kind === '(cloudnative-pg|statefulset|service-switch|argo-rollouts|weighted)'/.test(readFileSync(f, 'utf8')),
    );
    expect(offending.map((f) => relative(SRC, f))).toEqual([]);
  });

  it('keeps I/O at the edge: only synth/ and cli/ touch the file system or the process', () => {
    const io = /from ['"]node:(fs|child_process)['"]|process\.(exit|argv|cwd|chdir)\b/;
    const outside = files.filter((f) => !/\/(synth|cli)\//.test(f) && io.test(readFileSync(f, 'utf8')));
    expect(outside.map((f) => relative(SRC, f))).toEqual([]);
  });

  it('keeps lines within 150 columns (prettier formats the code; only one string, template or regular expression may run past)', () => {
    expect(longLines([join(__dirname, '..', 'src'), __dirname, join(__dirname, '..', 'scripts'), join(__dirname, '..', 'bench')])).toEqual([]);
    // The check itself: a long comment is caught, a long message is not.
    expect(overLimit(`// ${'x'.repeat(160)}`)).toBe(true);
    expect(overLimit(`c.check(path, '${'x'.repeat(160)}');`)).toBe(false);
  });
});

const MAX_COLUMNS = 150;
/** String, template and anchored regular-expression literals: a formatter cannot break them. */
const LITERAL = /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`|\/\^(?:[^/\\]|\\.)*\//g;

/** Whether a line runs past the limit for anything but one literal. */
function overLimit(line: string): boolean {
  if (line.length <= MAX_COLUMNS) return false;
  const longest = Math.max(0, ...(line.match(LITERAL) ?? []).map((l) => l.length));
  return line.length - longest > MAX_COLUMNS;
}

/** `file:line` of every line over the limit in the code under `roots` (generated files aside). */
function longLines(roots: readonly string[]): string[] {
  const generated = /config\/(gitops-)?types\.ts$|__snapshots__|node_modules|\.build/;
  return roots
    .flatMap((root) => (readdirSync(root, { recursive: true }) as string[]).map((f) => join(root, f)))
    .filter((f) => /\.(ts|mts|cjs|mjs)$/.test(f) && !generated.test(f))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (overLimit(line) ? [`${relative(join(__dirname, '..'), f)}:${i + 1}`] : [])),
    );
}
