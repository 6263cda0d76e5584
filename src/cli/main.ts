/**
 * `cdk8s-trading init | synth | validate | diff`: arguments, printing and exit codes. Exit 0 on success,
 * 1 when the configuration, the output or the disk has a problem (every problem printed, one per line),
 * 2 on a usage error.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { useSchemaCompiler } from '../config/schema-validator';
import { ConfigurationError } from '../core/problems';
import { compareTrees } from '../synth/compare';
import { unreadableUnder } from '../synth/files';
import { DiffDetail, diffReport } from '../synth/diff-report';
import { EnvironmentExtension, loadExtension, settleExtension } from '../synth/extension';
import { ENVIRONMENTS_DIR, PreparedSynth, prepareSynth, readProject, SynthesizeResult } from '../synth/project';
import { diskCachedCompiler } from '../synth/schema-cache';
import { validateTree } from '../synth/validate-tree';
import { describeFsError, WriteError } from '../synth/write';
import { ArgSpec, parseArgs, ParsedArgs, UsageError } from './args';
import { ApiClient } from './cluster/api-client';
import { KubectlProxy, KubectlProxyError, KubectlProxyOptions, startKubectlProxy } from './cluster/kubectl-proxy';
import { checkOnServer } from './cluster/server-check';
import { initFiles, PLACEHOLDER_IMAGE } from './templates';

/** Where the CLI prints. */
export interface CliIo {
  /** A line of normal output. */
  readonly out: (line: string) => void;
  /** A line of diagnostics. */
  readonly err: (line: string) => void;
  /** The folder the command runs in. @default process.cwd() */
  readonly cwd?: string;
  /** Environment variables. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly details: string;
  readonly spec: ArgSpec;
  readonly run: (args: ParsedArgs, io: Required<CliIo>) => number | Promise<number>;
}

const ROOT_OPTION = { root: {} } as const;

const COMMANDS: Readonly<Record<string, Command>> = {
  init: {
    summary: 'write environments/ (dev, staging, prod, gitops + JSON schemas) to start from; refresh the schemas',
    usage: 'cdk8s-trading init [--root DIR] [--force | --schemas-only]',
    details:
      'Writes environments/{dev,staging,prod,gitops}.yaml, their JSON schemas and a README into DIR (default: the\n' +
      'current folder), each only where it is missing. Prints per file what it wrote and what it kept.\n' +
      '\n' +
      '  --schemas-only  rewrite only the JSON schemas (schema.json, gitops.schema.json) with those of the installed\n' +
      '                  cdk8s-trading: after an upgrade of the package (validate warns when they differ)\n' +
      '  --force         also rewrite the schemas and README.md that exist\n' +
      '\n' +
      'Environment files (*.yaml) are yours: init never overwrites one, with or without --force (delete it to\n' +
      'start again from the template).',
    spec: { values: ROOT_OPTION, booleans: { force: { alias: 'f' }, 'schemas-only': {} } },
    run: runInit,
  },
  synth: {
    summary: 'every environment into dist/<env>/, the GitOps objects into dist/gitops/',
    usage: 'cdk8s-trading synth [--env NAME]... [--outdir DIR] [--root DIR]',
    details:
      'Checks every environment file, renders every environment (or only those named by --env; the other\n' +
      "environments' folders are kept, dist/gitops/ is rendered again) and replaces the output folder atomically.\n" +
      'Nothing is written unless everything is valid. --outdir defaults to dist/ in the project root (or\n' +
      '$CDK8S_OUTDIR when it is set, as a cdk8s CLI does; validate and diff then default to it too). A dist/ that is\n' +
      'a symbolic link is written through; files in its subfolders that no synth wrote are never deleted: the synth\n' +
      'refuses and lists them.',
    spec: { values: { ...ROOT_OPTION, env: { alias: 'e', repeatable: true }, outdir: { alias: 'o' } } },
    run: runSynth,
  },
  validate: {
    summary: 'strict Kubernetes 1.28 / CRD schemas and the policy rules on dist/ (and the environment files)',
    usage: 'cdk8s-trading validate [DIR] [--root DIR] [--server [--context NAME] [--kubeconfig FILE] [--allow-missing-namespaces]]',
    details:
      'Checks every object under DIR (default: dist/ in the project root, or the current folder outside a\n' +
      'project) against the strict schemas, runs the policy rules per namespace, and, in a project, checks and\n' +
      'renders the environment files too. One line per problem; exit 1 on any.\n' +
      '\n' +
      'With --server, the same objects go to the API server of a kube context instead (through kubectl proxy):\n' +
      'a server-side apply in dry-run mode with strict field validation, stage by stage in apply order, so\n' +
      'admission (PodSecurity, webhooks, CRD rules) and immutable fields are judged by the cluster. Every\n' +
      'rejection, warning and dropped field is a problem; nothing is changed on the cluster. Objects in a\n' +
      'namespace the cluster does not have cannot be checked: that fails too, unless --allow-missing-namespaces.',
    spec: { values: { ...ROOT_OPTION, context: {}, kubeconfig: {} }, booleans: { server: {}, 'allow-missing-namespaces': {} }, positionals: 1 },
    run: runValidate,
  },
  diff: {
    summary: 'what a fresh synth would change in dist/, object by object, with old → new values',
    usage: 'cdk8s-trading diff [DIR] [--env NAME]... [--full | --stat] [--root DIR]',
    details:
      'Synthesizes into a temporary folder and compares it with DIR (default: dist/ in the project root):\n' +
      'objects added, removed and changed, with the changed fields (`path: old → new`). Lists are matched the\n' +
      'way Kubernetes merges them: containers, env, ports and volumes by name (`env[name=LOG_LEVEL]`), a\n' +
      'kustomization\'s resources as a set (`resources: + "deployment-api.yaml"`). A long or multi-line value\n' +
      'shows as a unified diff of its lines. Exit 1 on any difference.\n' +
      '\n' +
      '  --env NAME  only the folder of this environment (repeatable); dist/gitops/ is then not compared\n' +
      '  --full      every changed line of every object (by default long objects and values are shortened)\n' +
      '  --stat      one line per folder and the objects added, removed and changed, without the fields',
    spec: { values: { ...ROOT_OPTION, env: { alias: 'e', repeatable: true } }, booleans: { full: {}, stat: {} }, positionals: 1 },
    run: runDiff,
  },
};

function version(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cdk8s-trading') return pkg.version ?? 'unknown';
    }
  }
  return 'unknown';
}

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'Usage: cdk8s-trading <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Options of every command:',
    '  --root DIR  the project root (default: the nearest folder upwards with environments/)',
    '  --help, -h  help of a command',
    '',
    "Run cdk8s-trading <command> --help for a command's options.",
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`Usage: ${c.usage}`, '', c.details].join('\n');
}

/**
 * Runs the CLI with `argv` (without node and the script); returns the exit code, or a promise of it for the
 * commands that talk to a cluster (`validate --server`).
 */
export function run(argv: readonly string[], io: CliIo): number | Promise<number> {
  const full: Required<CliIo> = { cwd: process.cwd(), env: process.env, ...io };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const c = topic ? COMMANDS[topic] : undefined;
    full.out(c ? commandHelp(c) : help());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    full.out(version());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    full.err(`cdk8s-trading: unknown command ${JSON.stringify(name)}\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    full.out(commandHelp(command));
    return 0;
  }
  try {
    return command.run(parseArgs(rest, command.spec), full);
  } catch (e) {
    if (e instanceof UsageError) {
      full.err(`cdk8s-trading ${name}: ${e.message}\nUsage: ${command.usage}\nRun cdk8s-trading ${name} --help for details.`);
      return 2;
    }
    throw e;
  }
}

/** The nearest folder from `cwd` upwards that holds `environments/`, or `--root`. */
function projectRoot(args: ParsedArgs, io: Required<CliIo>, required: boolean): string | undefined {
  const given = args.values.root?.[0];
  if (given !== undefined) {
    const root = resolve(io.cwd, given);
    if (required && !existsSync(join(root, ENVIRONMENTS_DIR))) {
      throw new UsageError(`--root ${given}: no ${ENVIRONMENTS_DIR}/ folder there; run cdk8s-trading init --root ${given} first`);
    }
    return root;
  }
  for (let dir = resolve(io.cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, ENVIRONMENTS_DIR))) return dir;
    if (dirname(dir) === dir) break;
  }
  if (required) throw new UsageError(`no ${ENVIRONMENTS_DIR}/ folder in ${io.cwd} or above it; run cdk8s-trading init, or give --root DIR`);
  return undefined;
}

function shown(io: Required<CliIo>, path: string): string {
  return relative(io.cwd, path) || '.';
}

/** Caches the configuration schemas' validators under the project (a read-only project just compiles each time). */
function useProjectCache(root: string): void {
  useSchemaCompiler(diskCachedCompiler(join(root, 'node_modules', '.cache', 'cdk8s-trading')));
}

/** What `init` does with an existing file of its templates. */
type InitFileKind = 'schema' | 'environment' | 'other';

/**
 * The JSON schemas are the package's (always the installed version's); the environment files are the team's
 * from the moment they exist; the README is a starting point a team may edit.
 */
function initFileKind(path: string): InitFileKind {
  return path.endsWith('.json') ? 'schema' : /\.ya?ml$/.test(path) ? 'environment' : 'other';
}

function runInit(args: ParsedArgs, io: Required<CliIo>): number {
  const root = resolve(io.cwd, args.values.root?.[0] ?? '.');
  const force = args.booleans.has('force');
  const schemasOnly = args.booleans.has('schemas-only');
  const lines: string[] = [];
  let wroteEnvironment = false;
  for (const [path, content] of Object.entries(initFiles())) {
    const kind = initFileKind(path);
    if (schemasOnly && kind !== 'schema') continue;
    const file = join(root, path);
    const label = shown(io, file);
    const existing = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (existing !== undefined) {
      if (kind === 'environment') {
        lines.push(`kept ${label} (your environment file; init never overwrites one: delete it to start from the template)`);
        continue;
      }
      if (existing === content) {
        lines.push(`unchanged ${label}`);
        continue;
      }
      if (kind === 'other' && !force) {
        lines.push(`kept ${label} (exists; --force overwrites it)`);
        continue;
      }
      if (kind === 'schema' && !force && !schemasOnly) {
        lines.push(`kept ${label} (not the installed package's schema; --schemas-only rewrites the schemas)`);
        continue;
      }
    }
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    } catch (e) {
      for (const line of lines) io.out(line);
      io.err(`init failed: cannot write ${label}: ${describeFsError(e)}`);
      return 1;
    }
    lines.push(existing === undefined ? `wrote ${label}` : `updated ${label} (cdk8s-trading ${version()})`);
    wroteEnvironment ||= existing === undefined && kind === 'environment';
  }
  for (const line of lines) io.out(line);
  if (!wroteEnvironment) return 0;
  io.out('');
  io.out(`Next: set your image in ${ENVIRONMENTS_DIR}/{dev,staging,prod}.yaml (now ${PLACEHOLDER_IMAGE}:0.1.0) and your Git repository`);
  io.out(`in ${ENVIRONMENTS_DIR}/gitops.yaml, then run: cdk8s-trading synth && cdk8s-trading validate`);
  return 0;
}

/**
 * Warnings for the schemas `init` copied into the project that are not the installed package's: an editor
 * would complete and check the environment files against an older (or newer) version of the keys.
 */
function staleSchemas(root: string, io: Required<CliIo>): string[] {
  const warnings: string[] = [];
  for (const [path, content] of Object.entries(initFiles())) {
    const file = join(root, path);
    if (initFileKind(path) !== 'schema' || !existsSync(file)) continue;
    let same: boolean;
    try {
      // Parsed, so a formatter run over the project does not count as a difference.
      same = JSON.stringify(JSON.parse(readFileSync(file, 'utf8'))) === JSON.stringify(JSON.parse(content));
    } catch {
      same = false;
    }
    if (!same) {
      warnings.push(
        `warning: ${shown(io, file)} is not the schema of the installed cdk8s-trading ${version()} (editors check the ` +
          `environment files against it): run cdk8s-trading init --schemas-only`,
      );
    }
  }
  return warnings;
}

function printProblems(io: Required<CliIo>, headline: string, problems: readonly string[]): void {
  io.err(headline);
  for (const p of problems) io.err(`  ${p}`);
}

/**
 * The project's `environments/extend.ts`, compiled and type-checked. When it cannot be loaded, the
 * environment files' own problems are reported with its problems: every problem at once.
 */
function extensionOf(root: string, io: Required<CliIo>): EnvironmentExtension | undefined {
  try {
    return loadExtension(root, { cwd: io.cwd, note: (line) => io.out(`note: ${line}`) });
  } catch (e) {
    if (!(e instanceof ConfigurationError)) throw e;
    let others: readonly string[] = [];
    try {
      others = readProject(root, io.cwd).problems;
    } catch (f) {
      if (!(f instanceof ConfigurationError)) throw f;
      others = f.problems;
    }
    throw new ConfigurationError([...others, ...e.problems]);
  }
}

/**
 * The output folder when none is given: `dist/` in the project root, or `$CDK8S_OUTDIR`. A cdk8s CLI sets it for
 * the app it runs; set in a shell, it moves every command's default (synth, validate, diff) there alike, and each
 * says so, so that a synth and the diff after it never look at different folders.
 */
function defaultOutput(root: string | undefined, io: Required<CliIo>): { dir: string; fromEnv: boolean } | undefined {
  if (io.env.CDK8S_OUTDIR) return { dir: resolve(io.cwd, io.env.CDK8S_OUTDIR), fromEnv: true };
  return root === undefined ? undefined : { dir: join(root, 'dist'), fromEnv: false };
}

/** `dist/`, or `dist/ (→ /elsewhere/out)` when it is a symbolic link, which the synth writes through. */
function outputLabel(io: Required<CliIo>, dir: string): string {
  const label = `${shown(io, dir)}/`;
  try {
    return lstatSync(dir).isSymbolicLink() ? `${label} (→ ${realpathSync(dir)})` : label;
  } catch {
    return label;
  }
}

function runSynth(args: ParsedArgs, io: Required<CliIo>): number | Promise<number> {
  const started = process.hrtime.bigint();
  const root = projectRoot(args, io, true) as string;
  const given = args.values.outdir?.[0];
  const fallback = defaultOutput(root, io) as { dir: string; fromEnv: boolean };
  const fromEnv = given === undefined && fallback.fromEnv;
  const outdir = given !== undefined ? resolve(io.cwd, given) : fallback.dir;
  const label = `${shown(io, outdir)}/`;
  // A cdk8s CLI deletes its output folder before it runs the app (cdk8s synth -o dist included): what was there
  // is gone before this process starts, so a failure must not claim it was left as it was.
  const existed = existsSync(outdir);
  useProjectCache(root);
  const written = (result: SynthesizeResult): number => {
    for (const r of result.rendered) {
      const kinds = Object.entries(r.kinds)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      io.out(`${shown(io, join(outdir, r.folder))}: ${r.files.length} files, ${r.bytes} bytes, ${r.milliseconds.toFixed(0)} ms (${kinds})`);
    }
    if (result.kept.length > 0) io.out(`kept as they were: ${result.kept.map((k) => shown(io, join(outdir, k))).join(', ')}`);
    io.out(
      `synthesized ${result.rendered.length} folder(s) into ${outputLabel(io, outdir)} in ` +
        `${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms`,
    );
    if (fromEnv && outdir !== join(root, 'dist')) {
      // Both folders as seen from where the command runs (from a subfolder, CDK8S_OUTDIR=dist is not the project's dist/).
      const where = io.cwd === root ? '' : `, read from ${relative(root, io.cwd) || '.'}/ (the current folder)`;
      io.out(
        `note: written to ${label}, not ${shown(io, join(root, 'dist'))}/: CDK8S_OUTDIR=${io.env.CDK8S_OUTDIR} is set${where}; ` +
          'validate and diff look there too while it is',
      );
    }
    return 0;
  };
  const failed = (e: unknown): number => {
    const problems = e instanceof ConfigurationError || e instanceof WriteError ? e.problems : undefined;
    if (problems === undefined) throw e;
    if (!existed && fromEnv) {
      printProblems(io, `synth failed; nothing was written to ${label}, which was not there when this synth started.`, problems);
      io.err(
        `note: a cdk8s CLI (cdk8s synth) deletes its output folder before it runs the app; if ${label} held output you keep, ` +
          `restore it (git checkout -- ${shown(io, outdir)}) and synthesize with cdk8s-trading synth (npm run synth), which replaces it only when everything is valid`,
      );
    } else if (e instanceof WriteError && problems.length === 1) {
      io.err(`synth failed: ${problems[0]}`);
    } else {
      printProblems(io, `synth failed; ${label} was left as it was.`, problems);
    }
    return 1;
  };
  let extend: EnvironmentExtension | undefined;
  let prepared: PreparedSynth;
  try {
    // A cdk8s CLI hands over a scratch folder it has just emptied; its parent may not exist yet.
    if (fromEnv) mkdirSync(dirname(outdir), { recursive: true });
    extend = extensionOf(root, io);
    prepared = prepareSynth({ root, outdir, only: args.values.env, extend, cwd: io.cwd });
    if (!extend) {
      prepared.write();
      return written(prepared);
    }
  } catch (e) {
    return failed(e);
  }
  // An extension's callbacks (a Promise's then, setTimeout) run after the synchronous build: they are waited for,
  // and what they add or throw is reported, before anything is written.
  return settleExtension(extend).then((late) => {
    try {
      if (late.length > 0) throw new ConfigurationError(late);
      prepared.write();
      return written(prepared);
    } catch (e) {
      return failed(e);
    }
  });
}

function runValidate(args: ParsedArgs, io: Required<CliIo>): number | Promise<number> {
  const root = projectRoot(args, io, false);
  const given = args.positionals[0];
  const fallback = given === undefined ? defaultOutput(root, io) : undefined;
  const dir = given !== undefined ? resolve(io.cwd, given) : (fallback?.dir ?? resolve(io.cwd));
  if (fallback?.fromEnv) io.out(`note: validating ${shown(io, dir)}/: CDK8S_OUTDIR=${io.env.CDK8S_OUTDIR} is set`);
  if (!args.booleans.has('server') && (args.values.context || args.values.kubeconfig || args.booleans.has('allow-missing-namespaces'))) {
    throw new UsageError('--context, --kubeconfig and --allow-missing-namespaces go with --server');
  }
  if (root && !args.booleans.has('server')) for (const w of staleSchemas(root, io)) io.err(w);
  if (!existsSync(dir)) {
    io.err(`${shown(io, dir)}: no such folder${given === undefined ? '; run cdk8s-trading synth first' : ''}`);
    return 1;
  }
  if (args.booleans.has('server')) {
    const kubeconfig = args.values.kubeconfig?.[0];
    return validateOnServer(
      dir,
      shown(io, dir),
      io,
      {
        ...(kubeconfig !== undefined ? { kubeconfig: resolve(io.cwd, kubeconfig) } : {}),
        ...(args.values.context ? { context: args.values.context[0] } : {}),
      },
      args.booleans.has('allow-missing-namespaces'),
    );
  }
  if (root) useProjectCache(root);
  const { problems, documents, warnings } = validateTree(dir, { root, cwd: io.cwd });
  for (const p of problems) io.err(p);
  for (const w of warnings) io.err(`warning: ${w}`);
  io.out(`validated ${documents} documents under ${shown(io, dir)}: ${problems.length} problem(s)`);
  return problems.length > 0 ? 1 : 0;
}

async function validateOnServer(
  dir: string,
  label: string,
  io: Required<CliIo>,
  options: KubectlProxyOptions,
  allowMissingNamespaces: boolean,
): Promise<number> {
  let proxy: KubectlProxy;
  try {
    proxy = await startKubectlProxy(options);
  } catch (e) {
    if (e instanceof KubectlProxyError) {
      io.err(`validate --server: ${e.message}`);
      return 1;
    }
    throw e;
  }
  try {
    const result = await checkOnServer(new ApiClient(proxy.url), dir, label);
    for (const p of result.problems) io.err(p);
    // A check that skipped objects must not pass as if it had seen them.
    for (const n of result.skipped) {
      if (allowMissingNamespaces) io.out(`note: not checked: ${n}`);
      else io.err(`${label}: not checked: ${n} (apply its Namespace first, or pass --allow-missing-namespaces)`);
    }
    for (const n of result.notes) io.out(`note: ${n}`);
    const failed = result.problems.length + (allowMissingNamespaces ? 0 : result.skipped.length);
    io.out(
      `dry-ran ${result.checked} objects under ${label} on the API server: ${result.accepted} accepted, ${result.problems.length} problem(s)` +
        `${result.skippedObjects > 0 ? `, ${result.skippedObjects} not checked (no namespace)` : ''}`,
    );
    return failed > 0 ? 1 : 0;
  } catch (e) {
    io.err(`validate --server: ${(e as Error).message}`);
    return 1;
  } finally {
    proxy.stop();
  }
}

function runDiff(args: ParsedArgs, io: Required<CliIo>): number | Promise<number> {
  const root = projectRoot(args, io, true) as string;
  const fallback = defaultOutput(root, io) as { dir: string; fromEnv: boolean };
  const dist = args.positionals[0] !== undefined ? resolve(io.cwd, args.positionals[0]) : fallback.dir;
  const label = shown(io, dist);
  if (args.positionals[0] === undefined && fallback.fromEnv) io.out(`note: comparing ${label}/: CDK8S_OUTDIR=${io.env.CDK8S_OUTDIR} is set`);
  if (args.booleans.has('full') && args.booleans.has('stat')) throw new UsageError('--full and --stat exclude each other');
  const detail: DiffDetail = args.booleans.has('full') ? 'full' : args.booleans.has('stat') ? 'stat' : 'default';
  const only = args.values.env;
  const scope = only ? only.map((e) => `${label}/${e}/`).join(', ') : `${label}/`;
  const plural = only !== undefined && only.length > 1;
  // Every file of the committed tree is read; what cannot be is reported before a synth is spent on it.
  const unreadable = unreadableUnder(dist);
  if (unreadable.length > 0) {
    printProblems(
      io,
      `cannot compare ${scope}:`,
      unreadable.map(
        (u) =>
          `${shown(io, join(dist, u.path))}${u.folder ? '/' : ''}: cannot be read (${describeFsError(u.error)}): diff compares every file under ${label}/ with a fresh synth; make it readable`,
      ),
    );
    return 1;
  }
  useProjectCache(root);
  const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-trading-diff-'));
  const fresh = join(scratch, 'out');
  const compare = (): number => {
    // With --env, gitops/ describes only the named environments: comparing it would report the others as removed.
    const diffs = compareTrees(dist, fresh, only ? { folders: only } : {});
    if (diffs.length === 0) {
      io.out(`${scope} ${plural ? 'match' : 'matches'} a fresh synth`);
      return 0;
    }
    const report = diffReport(diffs, label, detail);
    for (const line of report.lines) io.out(line);
    if (report.truncated) io.out('(shortened: --full prints every changed line)');
    io.out(
      `${scope} ${plural ? 'differ' : 'differs'} from a fresh synth: run cdk8s-trading synth${only ? only.map((e) => ` --env ${e}`).join('') : ''} and commit the result`,
    );
    return 1;
  };
  const attempt = (step: () => number): number => {
    try {
      return step();
    } catch (e) {
      if (e instanceof ConfigurationError) {
        printProblems(io, `synth failed, so ${scope} cannot be compared:`, e.problems);
        return 1;
      }
      throw e;
    }
  };
  const clean = (): void => rmSync(scratch, { recursive: true, force: true });
  let extend: EnvironmentExtension | undefined;
  let prepared: PreparedSynth | undefined;
  const code = attempt(() => {
    extend = extensionOf(root, io);
    prepared = prepareSynth({ root, outdir: fresh, only, extend, cwd: io.cwd });
    return 0;
  });
  if (!prepared || !extend) {
    try {
      return prepared ? attempt(() => ((prepared as PreparedSynth).write(), compare())) : code;
    } finally {
      clean();
    }
  }
  // As synth does: an extension's callbacks are waited for, and their problems reported, before the comparison.
  const ready = prepared;
  return settleExtension(extend)
    .then((late) =>
      attempt(() => {
        if (late.length > 0) throw new ConfigurationError(late);
        ready.write();
        return compare();
      }),
    )
    .finally(clean);
}
