// npm run bench: how long users wait, each figure beside the yardstick it is judged by, measured in the same
// run. Prints figures and, at the end, every target with its ratio and "met" or "MISSED"; it asserts
// nothing (the exit code is 0 either way).
//
//   1. `npm run synth` as typed, reference app, warm, against (a) the same app written by hand with
//      cdk8s-plus-28 and compiled ahead of time (bench/peer/app.ts), and (b) `node -e "require('cdk8s-plus-28')"`,
//      both started the same way (`npm run …`); runs alternate A B A B and the ratio is the median of the
//      pairs' ratios, so a machine that slows down meanwhile slows both. Also: one npm and one CLI process
//      (no nested npm), and the compiled CLI untouched by warm runs (no bundling when nothing changed).
//   2. `npm run validate` of the reference dist/, warm.
//   3. Generated apps with 1 … 2000 TradingBackends × 3 environments: the CLI process, alternating with the same
//      objects built as plain JavaScript and written to the same files with the `yaml` package; peak memory.
//   4. `npm test` (type-check included), once, wall time.
//   5. `npm ci` of package.json + package-lock.json in an empty folder: EBADENGINE warnings.
//
// Environment: BENCH_RUNS (runs per figure, default 5; pairs for the ratios: 2 × BENCH_RUNS + 1),
// BENCH_SIZES (default 1,10,50,100,500,2000), BENCH_SKIP (comma-separated: test, ci, sizes, npm),
// BENCH_DIR (where generated apps are written; default /dev/shm when it exists: creating 60 000 files on
// this VM's disk takes seconds and varies run to run, and both sides pay it).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { load, CORE_SCHEMA } = require('js-yaml');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PAIRS = 2 * RUNS + 1;
const SIZES = (process.env.BENCH_SIZES ?? '1,10,50,100,500,2000').split(',').map(Number);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const base = process.env.BENCH_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const work = mkdtempSync(join(base, 'cdk8s-trading-bench-'));
const RSS = join(ROOT, 'bench', 'rss.cjs');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// Child npm runs as typed: not silenced by `npm run -s bench` (npm passes its log level down).
const { npm_config_loglevel: _loglevel, ...cleanEnv } = process.env;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (line = '') => process.stdout.write(`${line}\n`);

/** Runs a command to its end; wall milliseconds, peak RSS (MiB, with the preload) and what it printed. */
function run(command, args, { cwd = ROOT, env = {}, preload = false } = {}) {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...cleanEnv, ...env, ...(preload ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${RSS}` } : {}) },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const rss = Math.max(0, ...[...r.stderr.matchAll(/bench-max-rss-kib (\d+)/g)].map((m) => Number(m[1]) / 1024));
  return { ms, rss, stdout: r.stdout, stderr: r.stderr };
}

/** Median wall time and peak RSS of RUNS runs after one warm-up. */
function measure(command, args, options = {}, runs = RUNS) {
  run(command, args, options);
  const results = Array.from({ length: runs }, () => run(command, args, options));
  return { median: median(results.map((r) => r.ms)), min: Math.min(...results.map((r) => r.ms)), rss: Math.max(...results.map((r) => r.rss)) };
}

/**
 * A and B alternately, `pairs` times after a warm-up of each: their medians, A's fastest run and peak
 * memory, and the median of A/B per pair.
 */
function paired(a, b, pairs = PAIRS) {
  run(...a);
  run(...b);
  const results = Array.from({ length: pairs }, () => [run(...a), run(...b)]);
  return {
    a: median(results.map((p) => p[0].ms)),
    b: median(results.map((p) => p[1].ms)),
    ratio: median(results.map(([x, y]) => x.ms / y.ms)),
    aMin: Math.min(...results.map((p) => p[0].ms)),
    aRss: Math.max(...results.map((p) => p[0].rss)),
  };
}

function filesUnder(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** The objects a synth wrote, as {path, object}, for the yaml lower bound (our files are plain YAML). */
function objectsOf(dist) {
  return filesUnder(dist)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ path: relative(dist, f), object: load(readFileSync(f, 'utf8'), { schema: CORE_SCHEMA }) }));
}

const service = (i, tier) => `  api-${String(i).padStart(4, '0')}:
    image: ghcr.io/acme-trading/api-${i}:1.0.${i}
    config: { LOG_LEVEL: info, SERVICE_INDEX: "${i}" }
    secretEnv:
      JWT_SECRET: { secretName: api-${i}-secrets, key: jwt-secret }
    exposure:
      gateway: { gatewayName: public, gatewayNamespace: gateway-system, hosts: [api-${i}.${tier}.example.com] }
    migration: { mode: ${tier === 'dev' ? 'on-start' : 'job'}${tier === 'dev' ? '' : ', command: [/app/server, migrate]'} }
`;

/** A project with `n` TradingBackends in each of dev, staging and prod. */
function generatedProject(n) {
  const root = join(work, `generated-${n}`);
  mkdirSync(join(root, 'environments'), { recursive: true });
  cpSync(join(ROOT, 'environments', 'schema.json'), join(root, 'environments', 'schema.json'));
  for (const tier of ['dev', 'staging', 'prod']) {
    const pods = n * 25;
    writeFileSync(
      join(root, 'environments', `${tier}.yaml`),
      `tier: ${tier}
namespace: bench-${tier}
quota: { requestsCpu: "${pods}", requestsMemory: ${pods}Gi, limitsCpu: "${pods * 4}", limitsMemory: ${pods * 4}Gi, pods: ${pods} }
services:
${Array.from({ length: n }, (_, i) => service(i, tier)).join('')}`,
    );
  }
  return root;
}

const targets = [];
/** A target: `value` against `limit` (lower is better); the ratio printed is value / limit. */
const target = (name, value, limit, shown) => targets.push({ name, value, limit, shown: shown ?? value.toFixed(2) });
const cli = join(ROOT, 'scripts', 'cli.cjs');
const bundle = join(ROOT, '.build', 'dev', 'cli', 'main.js');

log(`node ${process.version}, ${RUNS} runs after a warm-up (ratios: ${PAIRS} alternating pairs), median wall time of the whole process`);

// 1. The reference app as users start it.
if (!SKIP.has('npm')) {
  // The yardstick is compiled ahead of time, like a team's own app would be.
  const esbuild = require('esbuild');
  esbuild.buildSync({
    entryPoints: [join(ROOT, 'bench', 'peer', 'app.ts')],
    outfile: join(ROOT, '.build', 'bench', 'peer.cjs'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  const refOut = join(ROOT, '.build', 'bench', 'reference-dist');
  const peerOut = join(ROOT, '.build', 'bench', 'peer-dist');
  const synth = [NPM, ['run', 'synth', '--', '--outdir', refOut]];
  const peer = [NPM, ['run', 'bench:peer'], { env: { PEER_OUTDIR: peerOut } }];
  const requireOnly = [NPM, ['run', 'bench:require']];
  run(...synth);
  const compiledAt = statSync(bundle).mtimeMs;
  const vsPeer = paired(synth, peer);
  const vsRequire = paired(synth, requireOnly);
  const rebuilt = statSync(bundle).mtimeMs !== compiledAt;
  // One traced run: which node processes `npm run synth` started, and their children.
  const traced = [...run(...synth, { preload: true }).stderr.matchAll(/bench-process (.*)/g)].map((m) => JSON.parse(m[1]));
  const npmProcesses = traced.filter((p) => /npm-cli|[\\/]npm$/.test(p.script)).length;
  const cliProcess = traced.find((p) => p.script === cli);
  const objects = objectsOf(refOut).filter((o) => !o.path.endsWith('kustomization.yaml')).length;
  const validate = measure(NPM, ['run', 'validate']);

  log(`\nreference app (3 environments + GitOps, ${objects} objects), warm, started with npm run:`);
  log(`  npm run synth                 ${vsPeer.a.toFixed(0).padStart(6)} ms`);
  log(
    `  npm run bench:peer            ${vsPeer.b.toFixed(0).padStart(6)} ms   the same app by hand in cdk8s-plus-28, precompiled   synth/peer ${vsPeer.ratio.toFixed(2)}`,
  );
  log(
    `  npm run bench:require         ${vsRequire.b.toFixed(0).padStart(6)} ms   node -e "require('cdk8s-plus-28')"                      synth/require ${vsRequire.ratio.toFixed(2)}`,
  );
  log(
    `  npm run validate              ${validate.median.toFixed(0).padStart(6)} ms   strict schemas, policy rules and the environment files, on dist/`,
  );
  log(
    `  node processes of one npm run synth: ${traced.length} (${npmProcesses} npm, the CLI started ${cliProcess ? cliProcess.children : '?'} children); compiled CLI ${rebuilt ? 'REBUILT' : 'unchanged'} by the warm runs`,
  );
  target('npm run synth ≤ 1.0× the hand-written peer', vsPeer.ratio, 1.0);
  target('npm run synth ≤ 2.0× require(cdk8s-plus-28)', vsRequire.ratio, 2.0);
  target('npm run synth: no nested npm (npm processes ≤ 1)', npmProcesses, 1, String(npmProcesses));
  target('npm run synth: no bundling when nothing changed', rebuilt ? 1 : 0, 0, rebuilt ? 'rebuilt' : 'none');
  target('npm run validate of dist/ ≤ 1 s', validate.median / 1000, 1.0, `${(validate.median / 1000).toFixed(2)} s`);
}

// 3. Generated apps: the CLI process alone, against the yaml lower bound.
if (!SKIP.has('sizes')) {
  const rows = [];
  const floorScript = join(ROOT, 'bench', 'yaml-floor.cjs');
  for (const n of SIZES) {
    // 2000 × 3 writes 60 000 files per run: fewer pairs keep the bench within minutes.
    const pairs = n >= 2000 ? Math.min(RUNS, 3) : RUNS;
    const root = generatedProject(n);
    const dist = join(root, 'dist');
    const synth = [process.execPath, [cli, 'synth', '--outdir', dist], { cwd: root, preload: true }];
    run(...synth);
    const objects = objectsOf(dist);
    const input = join(root, 'objects.json');
    writeFileSync(input, JSON.stringify(objects));
    const m = paired(synth, [process.execPath, [floorScript, input, join(root, 'floor')], { cwd: root, preload: true }], pairs);
    rows.push({ n, objects: objects.length, median: m.a, min: m.aMin, rss: m.aRss, floor: m.b, ratio: m.ratio, runs: pairs });
    rmSync(root, { recursive: true, force: true });
  }
  log(
    `\ngenerated apps (n TradingBackends × 3 environments), the CLI process (node scripts/cli.cjs synth) alternating with the lower bound, output in ${base}:`,
  );
  log(
    `${'services'.padStart(10)}${'objects'.padStart(9)}${'runs'.padStart(6)}${'median ms'.padStart(11)}${'min ms'.padStart(9)}${'µs/object'.padStart(11)}${'peak MiB'.padStart(10)}   ${'plain objects + yaml ms'.padStart(23)}${'ratio'.padStart(8)}`,
  );
  for (const r of rows) {
    log(
      `${String(r.n).padStart(10)}${String(r.objects).padStart(9)}${String(r.runs).padStart(6)}${r.median.toFixed(0).padStart(11)}${r.min.toFixed(0).padStart(9)}${((r.median * 1000) / r.objects).toFixed(0).padStart(11)}${r.rss.toFixed(0).padStart(10)}   ${r.floor.toFixed(0).padStart(23)}${r.ratio.toFixed(2).padStart(8)}`,
    );
  }
  const at = (n) => rows.find((r) => r.n === n);
  if (at(500)) {
    target('500 services × 3 ≤ 1.0× the yaml lower bound', at(500).ratio, 1.0);
    target('500 services × 3 peak memory ≤ 256 MiB', at(500).rss, 256, `${at(500).rss.toFixed(0)} MiB`);
  }
  if (at(500) && at(50)) target('t(500) / t(50) ≤ 12', at(500).median / at(50).median, 12);
  // Linear growth: 4× the services in at most 5× the time (4.0 is exactly linear).
  if (at(2000) && at(500)) target('t(2000) / t(500) ≤ 5 (linear: 4)', at(2000).median / at(500).median, 5);
}

// 4. The test suite, as CI and a developer run it.
if (!SKIP.has('test')) {
  const t = run(NPM, ['test']);
  log(`\nnpm test (type-check + vitest): ${(t.ms / 1000).toFixed(1)} s`);
  target('npm test ≤ 60 s', t.ms / 1000, 60, `${(t.ms / 1000).toFixed(1)} s`);
}

// 5. A clean install: npm ci of this package.json and lock in an empty folder.
if (!SKIP.has('ci')) {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-trading-ci-'));
  for (const f of ['package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(dir, f));
  const r = spawnSync(NPM, ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8', env: cleanEnv });
  const warnings = [...`${r.stdout}${r.stderr}`.matchAll(/EBADENGINE Unsupported engine/g)].length;
  rmSync(dir, { recursive: true, force: true });
  log(`\nnpm ci on node ${process.version}: exit ${r.status}, ${warnings} EBADENGINE warning(s)`);
  target('npm ci: no EBADENGINE warning', r.status === 0 ? warnings : Infinity, 0, String(warnings));
}

log('\ntargets:');
for (const t of targets) {
  const ratio = t.limit === 0 ? (t.value === 0 ? 0 : Infinity) : t.value / t.limit;
  log(`  ${t.value <= t.limit ? 'met   ' : 'MISSED'}  ${t.name.padEnd(52)} ${t.shown.padStart(10)}   ratio to target ${ratio.toFixed(2)}`);
}
rmSync(work, { recursive: true, force: true });
