#!/usr/bin/env node
'use strict';
// This repository's entry to its own CLI (npm run synth / validate / diff): the same code as the
// published bin, compiled from src/ into one file only when a source changed (scripts/dev-build.cjs),
// run in this process (no nested npm, no bundling on an unchanged tree).
const { requireCli } = require('./dev-build.cjs');

const argv = process.argv.slice(2);
const cli = requireCli({ saveCodeCache: ['synth', 'validate', 'diff'].includes(argv[0]) });
Promise.resolve(
  cli.run(argv, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }),
).then((code) => {
  process.exitCode = code;
});
