// Preloaded into benchmarked processes: reports, on exit, the peak resident set size, which script the
// process ran and how many child processes it started (the bench checks that `npm run synth` is one npm
// and one CLI process, with no nested npm).
const childProcess = require('node:child_process');

let children = 0;
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  const original = childProcess[name];
  childProcess[name] = function counted(...args) {
    children++;
    return original.apply(this, args);
  };
}
process.on('exit', () => {
  process.stderr.write(`\nbench-max-rss-kib ${process.resourceUsage().maxRSS}\n`);
  process.stderr.write(`bench-process ${JSON.stringify({ script: process.argv[1] ?? '', children })}\n`);
});
