// Preloaded into benchmarked processes: reports the peak resident set size on exit.
process.on('exit', () => {
  process.stderr.write(`\nbench-max-rss-kib ${process.resourceUsage().maxRSS}\n`);
});
