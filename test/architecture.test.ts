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
    expect(cycles(new Map([[a, [b]], [b, [a]]]))).toEqual([['a.ts', 'b.ts']]);
  });

  it('has no switch on an engine kind and no unreachable branch', () => {
    const offending = files.filter((f) => /unreachable|\.kind === '(cloudnative-pg|statefulset|service-switch|argo-rollouts|weighted)'/.test(readFileSync(f, 'utf8')));
    expect(offending.map((f) => relative(SRC, f))).toEqual([]);
  });

  it('keeps I/O at the edge: only synth/ and cli/ touch the file system or the process', () => {
    const io = /from ['"]node:(fs|child_process)['"]|process\.(exit|argv|cwd|chdir)\b/;
    const outside = files.filter((f) => !/\/(synth|cli)\//.test(f) && io.test(readFileSync(f, 'utf8')));
    expect(outside.map((f) => relative(SRC, f))).toEqual([]);
  });
});
