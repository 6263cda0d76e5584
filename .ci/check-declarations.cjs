// The published package's declarations, as far as lib/index.d.ts and lib/toolkit.d.ts reach, may import only the peer
// dependencies, the package's own dependencies and Node: a dev dependency's types there break
// consumers that type-check libraries.
const fs = require('node:fs');
const path = require('node:path');

const root = process.argv[2] ?? 'lib';
const pkg = require(path.join(__dirname, '..', 'package.json'));
const reachable = new Set([...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.dependencies ?? {})]);
const allowed = { test: (spec) => spec.startsWith('node:') || reachable.has(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]) };
const specifiers = /^\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;
const bad = [];
const seen = new Set();
const visit = (file) => {
  if (seen.has(file)) return;
  seen.add(file);
  for (const m of fs.readFileSync(file, 'utf8').matchAll(specifiers)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith('.')) {
      const base = path.resolve(path.dirname(file), spec);
      const next = [`${base}.d.ts`, path.join(base, 'index.d.ts')].find((f) => fs.existsSync(f));
      if (next) visit(next);
      else bad.push(`${file}: ${spec} (not found)`);
    } else if (!allowed.test(spec)) {
      bad.push(`${path.relative(process.cwd(), file)}: ${spec}`);
    }
  }
};
// Both entry points: `cdk8s-trading` and `cdk8s-trading/toolkit`.
visit(path.resolve(root, 'index.d.ts'));
visit(path.resolve(root, 'toolkit.d.ts'));
if (bad.length > 0) {
  console.error(`the public declarations import non-peer modules:\n${bad.join('\n')}`);
  process.exit(1);
}
console.log(`${root}/index.d.ts and toolkit.d.ts reach ${seen.size} declaration files; they import only peer dependencies, dependencies and Node`);
