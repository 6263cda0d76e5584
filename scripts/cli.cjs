#!/usr/bin/env node
'use strict';
// This repository's entry to its own CLI (npm run synth / validate / diff): the same code as the
// published bin, compiled from src/ only when a source changed (scripts/dev-build.cjs), run in this
// process (no nested npm, no bundling on every run).
const { join } = require('node:path');
const { ensureBuilt } = require('./dev-build.cjs');

const { run } = require(join(ensureBuilt(), 'cli', 'main.js'));
process.exitCode = run(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
