#!/usr/bin/env node
'use strict';
// The API reference, docs/api/*.md, written by @microsoft/api-documenter from the doc models that
// scripts/api.cjs has @microsoft/api-extractor write (.build/api/model/): the same model as the reviewed
// reports in api/. `npm run api:docs` runs both. The pages (~1,200 files, ~5 MB) are not committed, only
// docs/api/README.md: api/*.api.md is what a pull request reviews; CI generates the pages so they keep building.
//   - The toolkit's model is one more package to the documenter, `cdk8s-trading-toolkit` (api-extractor names
//     both models after package.json, and the documenter takes only package names), shown as
//     `cdk8s-trading/toolkit` in the pages' text.
//   - The JSDoc says `@default` (as jsii and aws-cdk do); TSDoc's tag, which the documenter shows as
//     "Default Value", is `@defaultValue`.
const { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const root = join(__dirname, '..');
const models = join(root, '.build', 'api', 'model');
const input = join(root, '.build', 'api', 'documenter');
const pages = join(root, '.build', 'api', 'markdown');
const out = join(root, 'docs', 'api');
const KEEP = 'README.md';

/** The model with `@default` read as `@defaultValue` in every doc comment. */
function withDefaultValues(node) {
  if (Array.isArray(node)) return node.map(withDefaultValues);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === 'docComment' && typeof v === 'string' ? v.replace(/@default\b(?!Value)/g, '@defaultValue') : withDefaultValues(v),
    ]),
  );
}

rmSync(input, { recursive: true, force: true });
mkdirSync(input, { recursive: true });
for (const [file, name] of [
  ['cdk8s-trading.api.json', 'cdk8s-trading'],
  ['cdk8s-trading-toolkit.api.json', 'cdk8s-trading-toolkit'],
]) {
  const model = withDefaultValues(JSON.parse(readFileSync(join(models, file), 'utf8')));
  model.name = name;
  model.canonicalReference = `${name}!`;
  writeFileSync(join(input, file), JSON.stringify(model, null, 2));
}

rmSync(pages, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, 'node_modules', '@microsoft', 'api-documenter', 'bin', 'api-documenter'), 'markdown', '-i', input, '-o', pages],
  {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
for (const file of readdirSync(pages)) {
  const text = readFileSync(join(pages, file), 'utf8');
  const shown = text.replace(/cdk8s-trading-toolkit(?=[\] ])/g, 'cdk8s-trading/toolkit');
  if (shown !== text) writeFileSync(join(pages, file), shown);
}
mkdirSync(out, { recursive: true });
for (const file of readdirSync(out)) if (file !== KEEP) rmSync(join(out, file), { recursive: true, force: true });
cpSync(pages, out, { recursive: true });
console.log(`api:docs: ${readdirSync(pages).length} pages of the API reference in docs/api/ (start at docs/api/index.md)`);
