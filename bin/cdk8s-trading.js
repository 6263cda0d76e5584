#!/usr/bin/env node
'use strict';
// The cdk8s-trading command: init | synth | validate | diff (see `cdk8s-trading --help`).
const { run } = require('../lib/cli/main');

Promise.resolve(run(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
})).then((code) => { process.exitCode = code; });
