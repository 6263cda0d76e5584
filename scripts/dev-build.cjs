'use strict';
// Compiles src/ into .build/lib with esbuild (one file per module, ~0.1 s) when a source file changed
// since the last compile: what this repository's own commands and the CLI tests run.
const { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const root = join(__dirname, '..');
const src = join(root, 'src');
const out = join(root, '.build', 'lib');
const stampFile = join(out, '.stamp');

function sources(dir, acc = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) sources(p, acc);
    else if (/\.(ts|json)$/.test(entry.name)) acc.push(p);
  }
  return acc;
}

/** Compiles when stale; returns the folder of the compiled library. */
function ensureBuilt() {
  const files = sources(src).sort();
  // Names and modification times: an added, removed or edited file changes the stamp.
  const stamp = files.map((f) => `${relative(src, f)}:${statSync(f).mtimeMs}`).join('\n');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return out;
  // Compiled aside and swapped in, so a process reading the old copy meanwhile never sees half of one.
  const next = `${out}.${process.pid}.tmp`;
  const old = `${out}.${process.pid}.old`;
  rmSync(next, { recursive: true, force: true });
  require('esbuild').buildSync({
    entryPoints: files.filter((f) => f.endsWith('.ts')), outdir: next, outbase: src,
    platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning',
  });
  for (const f of files.filter((x) => x.endsWith('.json'))) {
    const to = join(next, relative(src, f));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(f, to);
  }
  writeFileSync(join(next, '.stamp'), stamp);
  if (existsSync(out)) renameSync(out, old);
  renameSync(next, out);
  rmSync(old, { recursive: true, force: true });
  return out;
}

module.exports = { ensureBuilt };
