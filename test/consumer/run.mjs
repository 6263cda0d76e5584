#!/usr/bin/env node
// The package as another team gets it: `npm pack`, the tarball installed into an empty project with
// only the peers (plus TypeScript and vitest for the code-first part), then what the README's
// "Install and use in your own repository" section says to run. Fails if the bin, a declaration or a
// runtime dependency is missing from the package. Run by .ci/run after the tests (it needs the npm
// registry, or npm's cache).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The README's "Install and use in your own repository" section: its commands, verbatim; and the files the
// how-to guides show (extend.ts, a GitOpsApp program, its tsconfig.json, a vitest spec), verbatim: fences
// marked file=<path> (docs/contributing.md).
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('## Install and use in your own repository');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const readmeCommands = (/```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '').split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
/** The body of the fence marked file=<path> in a page of docs/. */
const docFile = (page, path) => {
  const text = readFileSync(join(ROOT, 'docs', page), 'utf8');
  const at = text.indexOf(` file=${path}\n`);
  return at < 0 ? undefined : text.slice(at + ` file=${path}\n`.length, text.indexOf('\n```', at) + 1);
};
const readmeExtension = docFile('how-to/add-your-own-objects.md', 'environments/extend.ts');
const docsFiles = {
  'tsconfig.json': docFile('how-to/add-your-own-objects.md', 'tsconfig.json'),
  'app.ts': docFile('how-to/add-your-own-objects.md', 'app.ts'),
  'api.spec.ts': docFile('how-to/test-your-charts.md', 'api.spec.ts'),
};
const work = mkdtempSync(join(tmpdir(), 'cdk8s-trading-consumer-'));
const project = join(work, 'project');
const version = (pkg) => JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
let failures = 0;
let passed = 0;

function sh(cmd, args, cwd, expectStatus = 0) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' } });
  const ok = r.status === expectStatus;
  const shown = `${cmd === process.execPath ? 'node' : cmd.split('/').pop()} ${args.join(' ')}`;
  if (ok) {
    passed++;
    console.log(`ok    ${shown} (exit ${r.status})`);
  } else {
    failures++;
    console.log(`FAIL  ${shown}: exit ${r.status}, expected ${expectStatus}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

function check(name, condition, detail = '') {
  if (condition) {
    passed++;
    console.log(`ok    ${name}`);
  } else {
    failures++;
    console.log(`FAIL  ${name}${detail ? `: ${detail}` : ''}`);
  }
}

function tree(dir, prefix = '') {
  const out = {};
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, tree(dir, rel));
    else out[rel] = readFileSync(join(dir, rel), 'utf8');
  }
  return out;
}

try {
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop();
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'team-deploy', version: '1.0.0', private: true }, null, 2)}\n`);
  sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', '-D', join(work, tarball),
    `cdk8s@${version('cdk8s')}`, `cdk8s-plus-28@${version('cdk8s-plus-28')}`, `constructs@${version('constructs')}`,
    `typescript@${version('typescript')}`, `vitest@${version('vitest')}`, `@types/node@${version('@types/node')}`], project);

  // The YAML-first path, through the bin: the README's commands, from the project root and a subfolder.
  const bin = join(project, 'node_modules', '.bin', 'cdk8s-trading');
  check('the README lists npm i, init, synth, validate and diff', readmeCommands.length === 5 && readmeCommands[0].includes('npm i -D cdk8s-trading cdk8s cdk8s-plus-28 constructs'),
    JSON.stringify(readmeCommands));
  const help = sh(bin, ['--help'], project);
  check('--help lists init, synth, validate and diff', ['init', 'synth', 'validate', 'diff'].every((c) => help.stdout.includes(`  ${c} `)));
  sh(bin, ['synth', '--no-such-flag'], project, 2);
  for (const command of readmeCommands.slice(1)) {
    const [npx, name, ...args] = command.split(/\s+/);
    check(`README command "${command}" runs the bin`, npx === 'npx' && name === 'cdk8s-trading');
    sh(bin, args, project);
  }
  check('synth wrote dist/<env> and dist/gitops', ['dev', 'gitops', 'prod', 'staging'].every((d) => readdirSync(join(project, 'dist')).includes(d)));
  mkdirSync(join(project, 'docs'));
  sh(bin, ['validate'], join(project, 'docs'));
  const cliDist = tree(join(project, 'dist'));

  // The how-to's extension next to the environment files.
  check('docs/how-to/add-your-own-objects.md has an environments/extend.ts example', readmeExtension !== undefined);
  writeFileSync(join(project, 'environments', 'extend.ts'), readmeExtension ?? '');
  // esbuild is an optional peer: not installed with the package, asked for in one line when an extension needs it.
  check('npm i of the package installs no esbuild (nor its install script)', !existsSync(join(project, 'node_modules', 'esbuild')));
  const noEsbuild = sh(bin, ['synth'], project, 1);
  check('synth says an extension needs esbuild and how to install it', noEsbuild.stderr.includes('compiling it needs esbuild, which is not installed: run npm install --save-dev esbuild'),
    noEsbuild.stderr);
  sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', '-D', `esbuild@${version('esbuild')}`], project);
  sh(bin, ['synth'], project);
  const cliDistWithExtension = tree(join(project, 'dist'));
  check('extend.ts added its ConfigMap to every environment', ['dev', 'staging', 'prod'].every((e) => readdirSync(join(project, 'dist', e, '20-config')).includes('configmap-team-info.yaml')));
  sh(bin, ['validate'], project);
  // Against the published declarations: a type error and a throw are synth failures at their line of extend.ts.
  const extensionWith = (text) => {
    writeFileSync(join(project, 'environments', 'extend.ts'), text);
    const r = sh(bin, ['synth'], project, 1);
    const at = (needle) => {
      const before = text.slice(0, text.indexOf(needle)).split('\n');
      return `environments/extend.ts:${before.length}:${before.at(-1).length + 1}`;
    };
    return { lines: r.stderr.trimEnd().split('\n'), at };
  };
  const typed = extensionWith(`${readmeExtension ?? ''}\nexport const replicas: number = 'three';\n`);
  const typeError = `  ${typed.at('replicas: number')}: Type 'string' is not assignable to type 'number'. (TS2322)`;
  check('a type error in extend.ts fails the synth at its line', typed.lines[1] === typeError, typed.lines.join('\n'));
  const throwing = "  if (environment.name === 'prod') throw new Error('no team for prod');\n  new ApiObject";
  const thrown = extensionWith((readmeExtension ?? '').replace('  new ApiObject', throwing));
  const throwLine = `  ${thrown.at('new Error')}: in environment prod: no team for prod`;
  check('a throw in extend.ts fails the synth at its line, naming the environment', thrown.lines[1] === throwLine, thrown.lines.join('\n'));
  check('dist/ is left as it was after the failed synths', JSON.stringify(tree(join(project, 'dist'))) === JSON.stringify(cliDistWithExtension));
  rmSync(join(project, 'environments', 'extend.ts'));
  sh(bin, ['synth'], project);

  // The code-first path: a GitOpsApp in TypeScript, type-checked strictly against the published declarations
  // (with the `cdk8s-trading/toolkit` subpath), and the engines closed to a team's own (test/api/closed-engines.ts).
  for (const [f, text] of Object.entries(docsFiles)) {
    check(`the docs show ${f}`, text !== undefined);
    writeFileSync(join(project, f), text ?? '');
  }
  cpSync(join(ROOT, 'test', 'api', 'closed-engines.ts'), join(project, 'closed-engines.ts'));
  writeFileSync(
    join(project, 'tsconfig.closed-engines.json'),
    JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true }, files: ['closed-engines.ts'] }),
  );
  sh(join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.closed-engines.json'], project);
  sh(join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], project);
  sh(process.execPath, ['build/app.js'], project);
  const codeDist = tree(join(project, 'dist-code'));
  const envFiles = (t) => Object.fromEntries(Object.entries(t).filter(([p]) => !p.startsWith('gitops/')));
  check('GitOpsApp writes what the CLI writes for the same constructs', JSON.stringify(envFiles(codeDist)) === JSON.stringify(envFiles(cliDist)),
    `${Object.keys(codeDist).length} files vs ${Object.keys(cliDist).length}`);

  // A vitest snapshot with cdk8s Testing, as a team's own tests would do.
  // The first run records the snapshot (-u, since CI=true forbids writing new ones); the second compares with it.
  sh(join(project, 'node_modules', '.bin', 'vitest'), ['run', '-u', '--reporter=dot', 'api.spec.ts'], project);
  check('the snapshot was written', existsSync(join(project, '__snapshots__', 'api.spec.ts.snap')));
  sh(join(project, 'node_modules', '.bin', 'vitest'), ['run', '--reporter=dot', 'api.spec.ts'], project);
  // The spec can fail: the same spec with a container made privileged by a JSON patch (the policy gate's case)
  // must fail at app.synth().
  const spec = readFileSync(join(project, 'api.spec.ts'), 'utf8');
  const broken = spec.replace("new PolicyGate(chart, 'PolicyGate');",
    "new PolicyGate(chart, 'PolicyGate');\n  chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Deployment')"
    + "\n    .forEach((d) => d.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/privileged', true)));")
    .replace("import { Chart, Testing } from 'cdk8s';", "import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';");
  check('the broken spec differs from the spec', broken !== spec && broken.includes('privileged'));
  writeFileSync(join(project, 'broken.spec.ts'), broken);
  const failed = sh(join(project, 'node_modules', '.bin', 'vitest'), ['run', '-u', '--reporter=dot', 'broken.spec.ts'], project, 1);
  check('the spec fails when the policy gate is bypassed', /pod-security-restricted/.test(`${failed.stdout}${failed.stderr}`));
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`consumer: ${passed} passed, ${failures} failed`);
process.exitCode = failures > 0 ? 1 : 0;
