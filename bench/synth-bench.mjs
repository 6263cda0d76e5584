// npm run bench: synthesis time and memory for the reference app and generated apps, side by side
// with lower bounds measured in the same run. Prints figures; asserts nothing (targets are reported).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = (process.env.BENCH_SIZES ?? '1,10,50,100,500').split(',').map(Number);
// File creation on a VM disk is slow and noisy (3–10 s for 15 000 files here) and both sides pay it;
// a RAM filesystem makes the figures measure synthesis. Set BENCH_DIR to measure a real disk.
const base = process.env.BENCH_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const work = mkdtempSync(join(base, 'cdk8s-trading-bench-'));

function run(args, cwd) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', join(ROOT, 'bench', 'rss.cjs'), ...args], { cwd, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stderr}`);
  const rss = Number(/bench-max-rss-kib (\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024;
  return { ms, rss };
}

/** Median wall time and peak RSS of RUNS runs after one warm-up. */
function measure(args, cwd) {
  run(args, cwd);
  const runs = Array.from({ length: RUNS }, () => run(args, cwd));
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], min: ms[0], rss: Math.max(...runs.map((r) => r.rss)) };
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

/** The objects a synth wrote, as {path, object}, for the yaml lower bound. */
function objectsOf(dist) {
  return filesUnder(dist).filter((f) => f.endsWith('.yaml')).map((f) => ({ path: relative(dist, f), object: parse(readFileSync(f, 'utf8')) }));
}

const service = (i, tier) => `  api-${String(i).padStart(3, '0')}:
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
    writeFileSync(join(root, 'environments', `${tier}.yaml`), `tier: ${tier}
namespace: bench-${tier}
quota: { requestsCpu: "${pods}", requestsMemory: ${pods}Gi, limitsCpu: "${pods * 4}", limitsMemory: ${pods * 4}Gi, pods: ${pods} }
services:
${Array.from({ length: n }, (_, i) => service(i, tier)).join('')}`);
  }
  return root;
}

// The CLI as `npm run synth` starts it (compiled once, before the first run).
const cli = join(ROOT, 'scripts', 'cli.cjs');
spawnSync(process.execPath, [cli, '--version'], { stdio: 'ignore' });
const floorScript = join(ROOT, 'bench', 'yaml-floor.cjs');
const rows = [];

// The small case: the reference app against the cost of loading cdk8s-plus-28 at all.
const requireFloor = measure(['-e', "require('cdk8s-plus-28')"], ROOT);
const reference = join(work, 'reference');
cpSync(join(ROOT, 'environments'), join(reference, 'environments'), { recursive: true });
const ref = measure([cli, 'synth', '--outdir', join(reference, 'dist')], reference);
rows.push({ name: 'reference app', services: '1 (+db)', objects: objectsOf(join(reference, 'dist')).length, ...ref, floor: requireFloor.median, floorName: "require('cdk8s-plus-28')" });

const timeBySize = new Map();
for (const n of SIZES) {
  const root = generatedProject(n);
  const dist = join(root, 'dist');
  const m = measure([cli, 'synth', '--outdir', dist], root);
  const objects = objectsOf(dist);
  const input = join(root, 'objects.json');
  writeFileSync(input, JSON.stringify(objects));
  const floor = measure([floorScript, input, join(root, 'floor')], root);
  timeBySize.set(n, m.median);
  rows.push({ name: `generated ×3 envs`, services: String(n), objects: objects.length, ...m, floor: floor.median, floorName: 'plain objects + yaml', floorRss: floor.rss });
}

const pad = (s, n) => String(s).padEnd(n);
const num = (v, d = 0) => v.toFixed(d).padStart(8);
console.log(`node ${process.version}, ${RUNS} runs after a warm-up, median wall time of the whole process, output in ${base}\n`);
console.log(`${pad('case', 20)}${pad('services', 10)}${pad('objects', 9)}${'median ms'.padStart(10)}${'min ms'.padStart(9)}${'peak MiB'.padStart(10)}   lower bound${' '.repeat(16)}${'bound ms'.padStart(9)}${'ratio'.padStart(8)}`);
for (const r of rows) {
  console.log(`${pad(r.name, 20)}${pad(r.services, 10)}${pad(r.objects, 9)}${num(r.median, 0).padStart(10)}${num(r.min, 0).padStart(9)}${num(r.rss, 0).padStart(10)}   ${pad(r.floorName, 27)}${num(r.floor, 0).padStart(9)}${num(r.median / r.floor, 2).padStart(8)}`);
}
console.log(`\n${pad("require('cdk8s-plus-28') alone", 32)} ${requireFloor.median.toFixed(0)} ms (peak ${requireFloor.rss.toFixed(0)} MiB)`);

const big = rows.find((r) => r.services === '500');
const targets = [
  ['reference synth ≤ 2.5× require floor', ref.median / requireFloor.median, 2.5],
  ...(big ? [
    ['500 services ≤ 1.0× yaml lower bound', big.median / big.floor, 1.0],
    ['500 services peak memory ≤ 256 MiB', big.rss, 256],
  ] : []),
  ...(timeBySize.has(500) && timeBySize.has(50) ? [['t(500) / t(50) ≤ 12', timeBySize.get(500) / timeBySize.get(50), 12]] : []),
];
console.log('\ntargets:');
for (const [name, value, limit] of targets) console.log(`  ${value <= limit ? 'met    ' : 'MISSED '} ${pad(name, 40)} ${value.toFixed(2)}`);
rmSync(work, { recursive: true, force: true });
