// Every example of the README and of docs/ is executed or checked, by what its fence says it is (the convention
// is documented in docs/contributing.md, "Examples in the docs"):
//   ```ts                                a program: bundled against the library's sources and run; a .synth() must write YAML
//   ```ts file=environments/extend.ts    an extension: the reference environments are synthesized with it
//   ```ts file=<name>.spec.ts            a team's vitest spec: run by the consumer test (test/consumer/run.mjs) from the tarball
//   ```yaml file=environments/<env>.yaml a whole environment file: checked and rendered as it is
//   ```yaml file=environments/gitops.yaml the delivery file: checked and rendered with the reference environments
//   ```yaml fragment[=environments/<env>.yaml]  merged into that reference file (default prod.yaml), then checked and rendered
//   ```yaml output                       an excerpt of dist/: its first line names the file, whose fields it must match
//   ```yaml third-party                  values for another tool (Helm charts, adapters): must parse
// A yaml fence without one of these fails the test, so no example escapes by accident.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { initFiles } from '../src/cli/templates';
import { parseEnvironment } from '../src/config/environment';
import { parseGitOps } from '../src/config/gitops-config';
import { ConfigurationError } from '../src/core/problems';
import { loadProject, renderEnvironment, renderGitOps } from '../src/synth/project';
import type { JsonValue } from '../src/synth/emit-yaml';
import { parseMap, type JsonMap } from './support/yaml';

const ROOT = join(__dirname, '..');

/** README.md and every page under docs/, as paths relative to the repository. */
function docFiles(): string[] {
  const pages = readdirSync(join(ROOT, 'docs'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f.split('\\').join('/')}`)
    .sort();
  return ['README.md', ...pages];
}

interface Fence {
  /** `docs/x.md:12`: where the fence opens. */
  readonly where: string;
  readonly doc: string;
  readonly lang: string;
  /** `file=x` → x; a bare word → ''. */
  readonly attrs: ReadonlyMap<string, string>;
  readonly code: string;
}

/** The fenced code blocks of a Markdown text, indented ones (inside a list) included, dedented. */
export function fencesOf(doc: string, text: string): Fence[] {
  const lines = text.split('\n');
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j].trim() !== '```') body.push(lines[j++].slice(indent));
    const attrs = new Map<string, string>();
    for (const word of open[3].split(/\s+/).filter(Boolean)) {
      const eq = word.indexOf('=');
      attrs.set(eq < 0 ? word : word.slice(0, eq), eq < 0 ? '' : word.slice(eq + 1));
    }
    out.push({ where: `${doc}:${i + 1}`, doc, lang: open[2], attrs, code: `${body.join('\n')}\n` });
    i = j;
  }
  return out;
}

const FENCES = docFiles().flatMap((doc) => fencesOf(doc, readFileSync(join(ROOT, doc), 'utf8')));
const isTs = (f: Fence): boolean => f.lang === 'ts' || f.lang === 'typescript';
const isYaml = (f: Fence): boolean => f.lang === 'yaml' || f.lang === 'yml';
const EXTENSION = 'environments/extend.ts';
const isSpec = (f: Fence): boolean => (f.attrs.get('file') ?? '').endsWith('.spec.ts');
/** TypeScript run in a child process: programs and extensions (specs run in the consumer test). */
const RUN = FENCES.filter((f) => isTs(f) && !isSpec(f));
const YAML_ROLES = ['file', 'fragment', 'output', 'third-party'];

/** Every problem the reference environment file `file` reports once replaced by `text`: parsing, building, the policy rules. */
function environmentProblems(file: string, text: string): string[] {
  const name = file.replace(/^environments\//, '').replace(/\.yaml$/, '');
  const parsed = parseEnvironment(name, file, text);
  if (!parsed.environment) return [...parsed.problems];
  try {
    renderEnvironment(parsed.environment);
    return [];
  } catch (e) {
    if (e instanceof ConfigurationError) return [...e.problems];
    throw e;
  }
}

/** `fragment` merged into `base`: mappings key by key, anything else (lists included) replaced, as a reader would paste it. */
export function mergeFragment(base: JsonValue, fragment: JsonValue): JsonValue {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return fragment;
  if (typeof fragment !== 'object' || fragment === null || Array.isArray(fragment)) return fragment;
  const out: JsonMap = { ...base };
  for (const [k, v] of Object.entries(fragment)) out[k] = k in out ? mergeFragment(out[k], v) : v;
  return out;
}

const ELLIPSIS = /…|\.\.\./;

/** How an output excerpt differs from the object it quotes: its mappings must be a subset (lists and elided values are skipped). */
export function excerptDiffers(excerpt: JsonValue, actual: JsonValue, path = ''): string[] {
  if (Array.isArray(excerpt)) {
    // A list may be cut short: each element shown must be one of the file's (a mapping: a subset of one).
    if (!Array.isArray(actual)) return [`${path || '.'}: not a list in the file`];
    return excerpt
      .filter((e) => !(typeof e === 'string' && ELLIPSIS.test(e)))
      .filter((e) => !actual.some((a) => excerptDiffers(e, a).length === 0))
      .map((e) => `${path}: ${JSON.stringify(e).slice(0, 80)} is not an element of the file's list`);
  }
  if (typeof excerpt === 'object' && excerpt !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return [`${path || '.'}: not a mapping in the file`];
    return Object.entries(excerpt).flatMap(([k, v]) => {
      if (ELLIPSIS.test(k) || (typeof v === 'string' && ELLIPSIS.test(v))) return [];
      if (!(k in actual)) return [`${path}${path ? '.' : ''}${k}: not in the file`];
      return excerptDiffers(v, actual[k], `${path}${path ? '.' : ''}${k}`);
    });
  }
  return String(excerpt) === String(actual) ? [] : [`${path}: ${JSON.stringify(excerpt)} in the docs, ${JSON.stringify(actual)} in the file`];
}

/** Every list in a document. */
function listsIn(value: JsonValue): JsonValue[][] {
  if (typeof value !== 'object' || value === null) return [];
  const children = Array.isArray(value) ? value : Object.values(value);
  return [...(Array.isArray(value) ? [value] : []), ...children.flatMap(listsIn)];
}

/** Values of `kind`, `name` and `alert` keys anywhere in an excerpt: each must be in the quoted file. */
function namesIn(value: JsonValue): string[] {
  if (Array.isArray(value)) return value.flatMap(namesIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    ['kind', 'name', 'alert'].includes(k) && typeof v === 'string' && !ELLIPSIS.test(v) ? [v] : namesIn(v),
  );
}

/** What is wrong with a yaml fence, by its role. */
function yamlProblems(f: Fence): string[] {
  const roles = YAML_ROLES.filter((r) => f.attrs.has(r));
  if (roles.length !== 1)
    return [`a yaml example says what it is with exactly one of ${YAML_ROLES.join(', ')} (docs/contributing.md); found ${roles.length}`];
  const file = f.attrs.get('file');
  if (file === 'environments/gitops.yaml') {
    try {
      const config = parseGitOps(file, f.code);
      const environments = loadProject(ROOT).environments;
      renderGitOps(config, environments, new Map(environments.map((e) => [e.name, ['10-namespace', '50-application']])));
      return [];
    } catch (e) {
      if (e instanceof ConfigurationError) return [...e.problems];
      throw e;
    }
  }
  if (file !== undefined) {
    if (!/^environments\/[a-z0-9-]+\.yaml$/.test(file)) return [`file=${file}: only environments/<name>.yaml files are checked`];
    return environmentProblems(file, f.code);
  }
  if (f.attrs.has('fragment')) {
    const baseFile = f.attrs.get('fragment') || 'environments/prod.yaml';
    const merged = mergeFragment(parseMap(readFileSync(join(ROOT, baseFile), 'utf8')), parseMap(f.code));
    return environmentProblems(baseFile, JSON.stringify(merged));
  }
  const value = parse(f.code) as JsonValue;
  if (f.attrs.has('third-party')) return [];
  // output: "# dist/<env>/<stage>/<file>.yaml (what is shown)" on the first line.
  const quoted = /^# (dist\/\S+\.yaml)/.exec(f.code)?.[1];
  if (!quoted) return ['an output example starts with "# dist/<path>.yaml", the file it quotes'];
  if (!existsSync(join(ROOT, quoted))) return [`${quoted}: no such file in the committed dist/`];
  const text = readFileSync(join(ROOT, quoted), 'utf8');
  return [
    ...namesIn(value)
      .filter((n) => !text.includes(n))
      .map((n) => `${JSON.stringify(n)} is not in ${quoted}`),
    // A list on its own (one rule of a file, say) is a part of some list of the file.
    ...(Array.isArray(value) && !listsIn(parse(text) as JsonValue).some((l) => excerptDiffers(value, l).length === 0)
      ? [`${quoted}: no list of the file holds these elements`]
      : Array.isArray(value)
        ? []
        : excerptDiffers(value, parse(text) as JsonValue).map((d) => `${quoted}: ${d}`)),
  ];
}

describe('the examples of the README and docs/', () => {
  const work = mkdtempSync(join(tmpdir(), 'cdk8s-trading-docs-'));
  /** Per TypeScript example run: the error it threw (undefined when it ran through). */
  let errors: Array<string | undefined> = [];

  // Every example is bundled against the library's sources (one esbuild call) and run in its own folder,
  // all in one Node process: starting Node and loading cdk8s once instead of once per example. Each folder
  // holds what `init` writes, so a program may load environment files the way a team's would.
  beforeAll(() => {
    const sources = join(ROOT, '.build', `docs-${process.pid}-${Math.random().toString(36).slice(2)}`);
    mkdirSync(sources, { recursive: true });
    const entryPoints = RUN.map((f, i) => {
      const dir = join(work, `example-${i + 1}`);
      for (const [path, content] of Object.entries(initFiles())) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
      const entry = join(sources, `example-${i + 1}.ts`);
      if (f.attrs.get('file') === EXTENSION) {
        // The extension, as the CLI runs it: every reference environment synthesized with it.
        writeFileSync(join(sources, `extension-${i + 1}.ts`), f.code);
        writeFileSync(
          entry,
          `import extend from './extension-${i + 1}';\n` +
            `import { synthesizeProject } from ${JSON.stringify(join(ROOT, 'src', 'synth', 'project'))};\n` +
            `synthesizeProject({ root: ${JSON.stringify(ROOT)}, outdir: 'dist', extend });\n`,
        );
      } else writeFileSync(entry, f.code);
      return entry;
    });
    try {
      buildSync({
        entryPoints,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        outdir: work,
        outExtension: { '.js': '.cjs' },
        logLevel: 'silent',
        alias: { 'cdk8s-trading/toolkit': join(ROOT, 'src', 'toolkit.ts'), 'cdk8s-trading': join(ROOT, 'src', 'index.ts') },
        nodePaths: [join(ROOT, 'node_modules')],
        external: ['cdk8s', 'cdk8s-plus-28', 'constructs'],
      });
    } catch (e) {
      // Name the fence of each compile error, not the scratch file.
      const failures = (e as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors ?? [];
      const where = (file = ''): string => RUN[Number(/(?:example|extension)-(\d+)\.ts$/.exec(file)?.[1] ?? 0) - 1]?.where ?? file;
      throw new Error(
        failures.map((x) => `${where(x.location?.file)} (line ${x.location?.line ?? '?'} of the example): ${x.text}`).join('\n') || String(e),
      );
    } finally {
      rmSync(sources, { recursive: true, force: true });
    }
    const runner = `
      const errors = [];
      for (let i = 1; i <= ${RUN.length}; i++) {
        const dir = require('node:path').join(${JSON.stringify(work)}, 'example-' + i);
        process.chdir(dir);
        try { require(dir + '.cjs'); errors.push(null); } catch (e) { errors.push(String(e && e.stack || e)); }
      }
      process.stdout.write(JSON.stringify(errors));`;
    const r = spawnSync(process.execPath, ['-e', runner], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    });
    expect(r.status, r.stderr).toBe(0);
    errors = (JSON.parse(r.stdout) as Array<string | null>).map((e) => e ?? undefined);
  }, 120_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('are there: programs, an extension, environment files, fragments and output excerpts', () => {
    expect(RUN.length).toBeGreaterThanOrEqual(15);
    expect(RUN.filter((f) => f.attrs.get('file') === EXTENSION)).toHaveLength(1);
    const yaml = FENCES.filter(isYaml);
    for (const role of YAML_ROLES) expect(yaml.filter((f) => f.attrs.has(role)).length, role).toBeGreaterThan(0);
  });

  it.each(RUN.map((f, i) => [f.where, i]))('%s runs against the library', (_, i) => {
    const f = RUN[i];
    expect(errors[i], f.where).toBeUndefined();
    if (!/\.synth\(\)/.test(f.code) && f.attrs.get('file') !== EXTENSION) return;
    const dir = join(work, `example-${i + 1}`);
    const written = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((p) => p.endsWith('.yaml') && !p.startsWith('environments'));
    expect(written.length, `${f.where} wrote no YAML`).toBeGreaterThan(0);
    expect(readFileSync(join(dir, written[0]), 'utf8')).toContain('apiVersion');
  });

  it.each(FENCES.filter(isYaml).map((f) => [f.where, f]))('%s is what it says it is', (_, f) => {
    expect(yamlProblems(f)).toEqual([]);
  });

  it.each(FENCES.filter((f) => f.lang === 'json').map((f) => [f.where, f]))('%s parses as JSON', (_, f) => {
    expect(() => JSON.parse(f.code) as unknown).not.toThrow();
  });

  it("runs, in CI, the files the docs show for a team's own project, from the packed tarball", () => {
    // Those the consumer test takes verbatim from the page that shows them (test/consumer/run.mjs, docFile).
    const consumer = readFileSync(join(ROOT, 'test', 'consumer', 'run.mjs'), 'utf8');
    const shown = FENCES.filter((f) => (isTs(f) || f.lang === 'json') && f.attrs.has('file'));
    expect(shown.map((f) => f.attrs.get('file')).sort()).toEqual(['api.spec.ts', 'app.ts', EXTENSION, 'tsconfig.json']);
    for (const f of shown) expect(consumer, f.where).toContain(`docFile('${f.doc.replace(/^docs\//, '')}', '${f.attrs.get('file')}')`);
  });

  it('catches a broken example of each kind', () => {
    const fence = (lang: string, info: string, code: string): Fence => ({
      where: 'x',
      doc: 'x',
      lang,
      attrs: fencesOf('x', `\`\`\`${lang} ${info}\n${code}\`\`\`\n`)[0].attrs,
      code,
    });
    // The README's old full example: DATABASE_URL set in secretEnv and by database: at once.
    const prod = readFileSync(join(ROOT, 'environments', 'prod.yaml'), 'utf8');
    const twice = prod.replace(/^( {6}JWT_SECRET: .*)$/m, '$1\n      DATABASE_URL: { remoteKey: trading/prod/api, property: database-url }');
    expect(twice).not.toBe(prod);
    expect(yamlProblems(fence('yaml', 'file=environments/prod.yaml', twice)).join('\n')).toContain('DATABASE_URL');
    // A waiver pasted on its own accepts nothing.
    const waiver =
      'waivers:\n  - { rule: network-policy-coverage, object: Deployment/trading-api, reason: a service mesh enforces traffic policy }\n';
    expect(yamlProblems(fence('yaml', 'fragment', waiver)).join('\n')).toContain('accepts nothing');
    expect(yamlProblems(fence('yaml', '', 'a: 1\n'))[0]).toContain('says what it is');
    expect(
      yamlProblems(
        fence(
          'yaml',
          'output',
          '# dist/prod/60-smoke-test/job-trading-api-smoke-test.yaml\nkind: Job\nmetadata:\n  annotations: { argocd.argoproj.io/hook: PostSync }\n',
        ),
      ),
    ).toEqual([
      'dist/prod/60-smoke-test/job-trading-api-smoke-test.yaml: metadata.annotations.argocd.argoproj.io/hook: "PostSync" in the docs, "Sync" in the file',
    ]);
  });
});

/** GitHub's anchor of a heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

function anchorsOf(text: string): Set<string> {
  const withoutCode = text.replace(/^\s*```[\s\S]*?^\s*```/gm, '');
  return new Set([...withoutCode.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1])));
}

describe('the README and docs/ as a whole', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('keep the README short and start it with the two commands', () => {
    const lines = readme.split('\n').length;
    expect(lines).toBeGreaterThanOrEqual(150);
    expect(lines).toBeLessThanOrEqual(250);
    const first = fencesOf('README.md', readme)[0];
    expect(first.lang).toBe('sh');
    expect(first.code).toContain('npm ci && npm run synth');
    expect(first.code).toContain('npm ci && npm test');
  });

  it('link every page of docs/ from the README', () => {
    const linked = new Set([...readme.matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]));
    for (const page of docFiles().slice(1)) expect(linked, page).toContain(page);
  });

  it('have a page per construct and per topic, and the how-to guides', () => {
    const pages = docFiles();
    for (const p of [
      'trading-backend',
      'postgres-cluster',
      'redis-cache',
      'blue-green-service',
      'canary-rollout',
      'trading-namespace',
      'gitops-app',
      'environments',
      'gitops-delivery',
      'guard-rails',
      'alerts-and-dashboards',
      'bad-input',
      'performance',
      'testing',
      'contributing',
      'runbooks',
      'how-to/add-a-service',
      'how-to/bump-an-image',
      'how-to/release-and-roll-back',
      'how-to/rotate-a-secret',
      'how-to/restore-a-database',
      'how-to/add-your-own-objects',
      'how-to/test-your-charts',
      'how-to/upgrade-the-package',
    ])
      expect(pages, p).toContain(`docs/${p}.md`);
  });

  it.each(docFiles().map((d) => [d]))('%s: every relative link reaches a file, and an anchor a heading of it', (doc) => {
    const text = readFileSync(join(ROOT, doc), 'utf8').replace(/^\s*```[\s\S]*?^\s*```/gm, '');
    const broken: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split('#');
      const file = path ? join(dirname(join(ROOT, doc)), path) : join(ROOT, doc);
      if (!existsSync(file)) broken.push(`${target}: no file ${relative(ROOT, file)}`);
      else if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor))
        broken.push(`${target}: no such heading`);
    }
    expect(broken).toEqual([]);
  });

  it('document the fence convention they are checked by', () => {
    const contributing = readFileSync(join(ROOT, 'docs', 'contributing.md'), 'utf8');
    for (const info of [
      '```ts',
      `\`\`\`ts file=${EXTENSION}`,
      '```yaml file=environments/',
      '```yaml fragment',
      '```yaml output',
      '```yaml third-party',
    ])
      expect(contributing, info).toContain(info);
  });
});
