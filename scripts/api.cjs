#!/usr/bin/env node
'use strict';
// The public API as reviewed files, like dist/ for manifests: api/cdk8s-trading.api.md (the root export) and
// api/cdk8s-trading-toolkit.api.md (`cdk8s-trading/toolkit`), written by @microsoft/api-extractor from the
// declarations in lib/ (`npm run build` first).
//   node scripts/api.cjs --local   rewrites the reports (npm run api)
//   node scripts/api.cjs           fails, printing the difference, when a report is stale (npm run api:check, CI)
// Both fail when a type reachable from an exported signature is exported by neither entry point
// (ae-forgotten-export): the toolkit's signatures may use the root's types, which a toolkit user imports from
// `cdk8s-trading`. Then the published declarations must keep the engines closed: test/api/closed-engines.ts
// is compiled against lib/ (each @ts-expect-error there fails the check once its line compiles).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');
const { Extractor, ExtractorConfig } = require('@microsoft/api-extractor');

const root = join(__dirname, '..');
const local = process.argv.includes('--local');

function extract(configFile, messageCallback) {
  const config = ExtractorConfig.loadFileAndPrepare(join(root, 'api', configFile));
  const result = Extractor.invoke(config, { localBuild: local, printApiReportDiff: !local, messageCallback });
  return { result, report: join(config.reportTempFolder, config.reportConfigs[0].fileName) };
}

/** Names the report declares as exports. */
function exportsOf(report) {
  const text = readFileSync(report, 'utf8');
  return new Set(
    [...text.matchAll(/^export (?:declare )?(?:abstract )?(?:class|interface|type|function|const|enum|namespace) (\w+)/gm)].map((m) => m[1]),
  );
}

let failed = false;
const main = extract('extractor.json');
failed ||= !main.result.succeeded;
const rootExports = exportsOf(main.report);
const toolkit = extract('extractor-toolkit.json', (message) => {
  const name = /The symbol "(\w+)" needs to be exported/.exec(message.text)?.[1];
  if (message.messageId === 'ae-forgotten-export' && name !== undefined && rootExports.has(name)) {
    message.logLevel = 'none';
    message.handled = true;
  }
});
failed ||= !toolkit.result.succeeded;

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'test', 'api', 'tsconfig.json')], {
  cwd: root,
  encoding: 'utf8',
});
if (tsc.status !== 0) {
  failed = true;
  console.error(`test/api/closed-engines.ts against lib/:\n${tsc.stdout}${tsc.stderr}`);
} else {
  console.log('test/api/closed-engines.ts: the published declarations keep the engines closed');
}

if (failed) {
  console.error(local ? 'api: failed (see above)' : 'api: the API reports are stale or the API has a problem: run `npm run api` and commit api/');
  process.exit(1);
}
console.log(local ? 'api: reports written to api/' : 'api: api/ matches the declarations');
