'use strict';
// Compiles src/ with esbuild when a source file (or this script, or node_modules) changed since the last
// compile; what this repository's own commands and the CLI tests run. Two outputs, built together (~0.4 s)
// into .build/dev/:
//   lib/         one file per module, like the published lib/ (tests load single modules from it);
//   cli/main.js  the CLI as one file, its dependencies and cdk8s, cdk8s-plus-28 and constructs inside:
//                one file to read and compile (from a V8 code cache) instead of ~330 modules, which is
//                most of a warm synth's start-up. Whatever requires the peers by name (an extension, a
//                cdk8s-plus-28 subpath) gets the bundled instances: the bundle registers them.
// index.js (and toolkit.js) beside it hand environments/extend.ts the bundle's own copy of the library (extension.ts
// asks for '../index' and '../toolkit'), so the extension's constructs and the CLI's share one set of classes.
const { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire, Module } = require('node:module');
const { dirname, join, relative } = require('node:path');
const { Script } = require('node:vm');

const root = join(__dirname, '..');
const src = join(root, 'src');
const out = join(root, '.build', 'dev');
const stampFile = join(out, '.stamp');
// esbuild has a native binary.
const EXTERNAL = ['esbuild'];
const PEERS = ['cdk8s', 'cdk8s-plus-28', 'constructs'];
// npm rewrites it on every install: a changed dependency compiles the bundle again.
const INSTALLED = join(root, 'node_modules', '.package-lock.json');
// Inside the bundle but evaluated on first use: `yaml` serves only validate and diff, and `ajv` only a
// schema whose generated validator is not cached yet; evaluating both costs a synth ~10 % of its time.
const LAZY = ['yaml', 'ajv', 'ajv/dist/standalone'];

/** Writes, for each LAZY package, a module of getters that evaluates the real one on first access. */
function lazyShims(dir) {
  mkdirSync(dir, { recursive: true });
  const alias = {};
  for (const name of LAZY) {
    const entry = require.resolve(name, { paths: [root] });
    const real = require(entry);
    alias[name] = join(dir, `${name.replace(/\//g, '_')}.js`);
    writeFileSync(
      alias[name],
      [
        'let real;',
        `const load = () => real || (real = require(${JSON.stringify(entry)}));`,
        ...(real.__esModule ? ["Object.defineProperty(exports, '__esModule', { value: true });"] : []),
        `for (const key of ${JSON.stringify(Object.keys(real))}) {`,
        '  Object.defineProperty(exports, key, { enumerable: true, get: () => load()[key] });',
        '}',
        '',
      ].join('\n'),
    );
  }
  return alias;
}

function sources(dir, acc = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) sources(p, acc);
    else if (/\.(ts|json)$/.test(entry.name)) acc.push(p);
  }
  return acc;
}

function stampOf(files) {
  // Names and modification times: an added, removed or edited file changes the stamp; so do this script
  // and an install.
  return [__filename, ...(existsSync(INSTALLED) ? [INSTALLED] : []), ...files].map((f) => `${relative(root, f)}:${statSync(f).mtimeMs}`).join('\n');
}

/** The bundle's entry: the CLI, the library on demand, and the peers registered under their names. */
const ENTRY = `
import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';
export { run } from './src/cli/main';
// A function, so that the public API (and what only validate/diff need) is initialized only when an
// extension asks for it.
export function library(): unknown { return require('./src/index'); }
export function toolkit(): unknown { return require('./src/toolkit'); }
const requireHere = createRequire(__filename);
const peers: Array<[string, unknown]> = [${PEERS.map((p) => `['${p}', require('${p}')]`).join(', ')}];
for (const [name, exports] of peers) {
  try {
    const file = requireHere.resolve(name);
    if (requireHere.cache[file]) continue;
    const m = new Module(file);
    m.filename = file;
    m.exports = exports;
    m.loaded = true;
    m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
    requireHere.cache[file] = m;
  } catch {
    // not installed beside the bundle: nothing else can require it either
  }
}
`;

function compile(files, next) {
  const esbuild = require('esbuild');
  const common = { platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };
  esbuild.buildSync({ ...common, entryPoints: files.filter((f) => f.endsWith('.ts')), outdir: join(next, 'lib'), outbase: src });
  for (const f of files.filter((x) => x.endsWith('.json'))) {
    const to = join(next, 'lib', relative(src, f));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(f, to);
  }
  esbuild.buildSync({
    ...common,
    bundle: true,
    external: EXTERNAL,
    alias: lazyShims(join(next, 'lazy')),
    outfile: join(next, 'cli', 'main.js'),
    stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'cli-entry.ts', loader: 'ts' },
  });
  // cdk8s loads URLs (Include, Helm) with this script beside its code.
  copyFileSync(join(root, 'node_modules', 'cdk8s', 'lib', '_loadurl.mjs'), join(next, 'cli', '_loadurl.mjs'));
  writeFileSync(join(next, 'index.js'), "'use strict';\nmodule.exports = require('./cli/main.js').library();\n");
  writeFileSync(join(next, 'toolkit.js'), "'use strict';\nmodule.exports = require('./cli/main.js').toolkit();\n");
}

/** Compiles when stale; returns the folder of the compiled output (.build/dev). */
function ensureCompiled() {
  const files = sources(src).sort();
  const stamp = stampOf(files);
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return out;
  // Compiled aside and swapped in, so a process reading the old copy meanwhile never sees half of one.
  const next = `${out}.${process.pid}.tmp`;
  const old = `${out}.${process.pid}.old`;
  rmSync(next, { recursive: true, force: true });
  compile(files, next);
  writeFileSync(join(next, '.stamp'), stamp);
  try {
    if (existsSync(out)) renameSync(out, old);
    renameSync(next, out);
  } catch (e) {
    // Another process swapped in its copy of the same sources first: use that one.
    if (!(existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp)) throw e;
    rmSync(next, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  return out;
}

/** The library compiled one file per module (.build/dev/lib), compiled first when stale. */
function ensureBuilt() {
  return join(ensureCompiled(), 'lib');
}

/** The CLI bundle (.build/dev/cli/main.js), compiled first when stale. */
function ensureCli() {
  return join(ensureCompiled(), 'cli', 'main.js');
}

/**
 * The CLI bundle, compiled first when stale, loaded with a V8 code cache beside it: parsing and compiling
 * the ~1.7 MB bundle would be a third of a warm synth. V8 compiles most functions on first call, so the
 * cache is written at the exit of the first run that does real work (`saveCodeCache`: synth, validate or
 * diff, not --help), holding what it compiled; a cache V8 rejects (another Node version) is written again.
 */
function requireCli({ saveCodeCache = false } = {}) {
  const file = ensureCli();
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // none yet
  }
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  const mod = new Module(file);
  mod.filename = file;
  // index.js (the library an extension gets) requires the bundle by path: it must find this instance.
  require.cache[file] = mod;
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  if (saveCodeCache && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // A read-only checkout runs without the cache.
      }
    });
  }
  return mod.exports;
}

module.exports = { ensureBuilt, ensureCli, requireCli };
