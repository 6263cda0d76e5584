// The lower bound: the same objects built as plain JavaScript and serialized with the `yaml` package
// into the same files. Usage: node yaml-floor.cjs <objects.json> <outdir>
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { stringify } = require('yaml');

const [input, outdir] = process.argv.slice(2);
const files = JSON.parse(readFileSync(input, 'utf8'));
for (const { path, object } of files) {
  const target = join(outdir, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, stringify(object, { lineWidth: 0 }));
}
