import { Obj } from './render';

/** Paths (`Kind/name: a.b[0].c`) where two renders differ; objects added or removed show as `Kind/name`. */
export function changedPaths(before: Obj[], after: Obj[]): string[] {
  const key = (o: Obj): string => `${o.kind}/${o.metadata.name}`;
  const a = new Map(before.map((o) => [key(o), o]));
  const b = new Map(after.map((o) => [key(o), o]));
  const out: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    if (!a.has(k) || !b.has(k)) out.push(k);
    else walk(a.get(k), b.get(k), '', (p) => out.push(`${k}: ${p}`));
  }
  return out.sort();
}

function walk(x: unknown, y: unknown, path: string, report: (p: string) => void): void {
  if (x === y) return;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null || Array.isArray(x) !== Array.isArray(y)) {
    report(path || '.');
    return;
  }
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  for (const k of keys) {
    const sub = Array.isArray(x) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], sub, report);
  }
}
