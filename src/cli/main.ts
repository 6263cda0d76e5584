/**
 * `cdk8s-trading init | synth | validate | diff`: arguments, printing and exit codes. Exit 0 on success,
 * 1 when the configuration, the output or the disk has a problem (every problem printed, one per line),
 * 2 on a usage error.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { useSchemaCompiler } from '../config/schema-validator';
import { ConfigurationError } from '../core/problems';
import { compareTrees, FolderDiff } from '../synth/compare';
import { loadExtension } from '../synth/extension';
import { ENVIRONMENTS_DIR, synthesizeProject } from '../synth/project';
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
    summary: 'write environments/ (dev, staging, prod, gitops + JSON schemas) to start from',
    usage: 'cdk8s-trading init [--root DIR] [--force]',
    details:
      'Writes environments/{dev,staging,prod,gitops}.yaml, their JSON schemas and a README into DIR (default: the\n' +
      'current folder). Existing files are kept unless --force is given.',
    spec: { values: ROOT_OPTION, booleans: { force: { alias: 'f' } } },
    run: runInit,
  },
  synth: {
    summary: 'every environment into dist/<env>/, the GitOps objects into dist/gitops/',
    usage: 'cdk8s-trading synth [--env NAME]... [--outdir DIR] [--root DIR]',
    details:
      'Checks every environment file, renders every environment (or only those named by --env; the other\n' +
      "environments' folders are kept, dist/gitops/ is rendered again) and replaces the output folder atomically.\n" +
      'Nothing is written unless everything is valid. --outdir defaults to dist/ in the project root (or\n' +
      '$CDK8S_OUTDIR when a cdk8s CLI runs it).',
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
    usage: 'cdk8s-trading diff [DIR] [--root DIR]',
    details:
      'Synthesizes into a temporary folder and compares it with DIR (default: dist/ in the project root):\n' +
      'objects added, removed and changed, with the changed fields. Exit 1 on any difference.',
    spec: { values: ROOT_OPTION, positionals: 1 },
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

function runInit(args: ParsedArgs, io: Required<CliIo>): number {
  const root = resolve(io.cwd, args.values.root?.[0] ?? '.');
  const force = args.booleans.has('force');
  const written: string[] = [];
  const kept: string[] = [];
  for (const [path, content] of Object.entries(initFiles())) {
    const file = join(root, path);
    if (existsSync(file) && !force) {
      kept.push(path);
      continue;
    }
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    } catch (e) {
      io.err(`init failed: cannot write ${shown(io, file)}: ${describeFsError(e)}`);
      return 1;
    }
    written.push(path);
  }
  for (const path of written) io.out(`wrote ${shown(io, join(root, path))}`);
  for (const path of kept) io.out(`kept ${shown(io, join(root, path))} (exists; --force overwrites it)`);
  io.out('');
  io.out(`Next: set your image in ${ENVIRONMENTS_DIR}/{dev,staging,prod}.yaml (now ${PLACEHOLDER_IMAGE}:0.1.0) and your Git repository`);
  io.out(`in ${ENVIRONMENTS_DIR}/gitops.yaml, then run: cdk8s-trading synth && cdk8s-trading validate`);
  return 0;
}

function printProblems(io: Required<CliIo>, headline: string, problems: readonly string[]): void {
  io.err(headline);
  for (const p of problems) io.err(`  ${p}`);
}

function runSynth(args: ParsedArgs, io: Required<CliIo>): number {
  const started = process.hrtime.bigint();
  const root = projectRoot(args, io, true) as string;
  const given = args.values.outdir?.[0];
  const outdir = given !== undefined ? resolve(io.cwd, given) : io.env.CDK8S_OUTDIR ? resolve(io.cwd, io.env.CDK8S_OUTDIR) : join(root, 'dist');
  const label = `${shown(io, outdir)}/`;
  useProjectCache(root);
  try {
    // A cdk8s CLI hands over a scratch folder it has just emptied; its parent may not exist yet.
    if (given === undefined && io.env.CDK8S_OUTDIR) mkdirSync(dirname(outdir), { recursive: true });
    const result = synthesizeProject({ root, outdir, only: args.values.env, extend: loadExtension(root) });
    for (const r of result.rendered) {
      const kinds = Object.entries(r.kinds)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      io.out(`${shown(io, join(outdir, r.folder))}: ${r.files.length} files, ${r.bytes} bytes, ${r.milliseconds.toFixed(0)} ms (${kinds})`);
    }
    if (result.kept.length > 0) io.out(`kept as they were: ${result.kept.map((k) => shown(io, join(outdir, k))).join(', ')}`);
    io.out(`synthesized ${result.rendered.length} folder(s) into ${label} in ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigurationError) {
      printProblems(io, `synth failed; ${label} was left as it was.`, e.problems);
      return 1;
    }
    if (e instanceof WriteError) {
      io.err(`synth failed: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function runValidate(args: ParsedArgs, io: Required<CliIo>): number | Promise<number> {
  const root = projectRoot(args, io, false);
  const given = args.positionals[0];
  const dir = given !== undefined ? resolve(io.cwd, given) : root ? join(root, 'dist') : resolve(io.cwd);
  if (!args.booleans.has('server') && (args.values.context || args.values.kubeconfig || args.booleans.has('allow-missing-namespaces'))) {
    throw new UsageError('--context, --kubeconfig and --allow-missing-namespaces go with --server');
  }
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

/** Diff lines of a comparison. */
export function describeDrift(diffs: readonly FolderDiff[], label: string): string[] {
  const lines: string[] = [];
  for (const d of diffs) {
    lines.push(`${label}/${d.folder}: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`);
    for (const a of d.added) lines.push(`  + ${a}`);
    for (const r of d.removed) lines.push(`  - ${r}`);
    for (const c of d.changed) {
      lines.push(`  ~ ${c.item}`);
      for (const f of c.fields.slice(0, 12)) lines.push(`      ${f}`);
      if (c.fields.length > 12) lines.push(`      … ${c.fields.length - 12} more`);
    }
  }
  return lines;
}

function runDiff(args: ParsedArgs, io: Required<CliIo>): number {
  const root = projectRoot(args, io, true) as string;
  const dist = args.positionals[0] !== undefined ? resolve(io.cwd, args.positionals[0]) : join(root, 'dist');
  const label = shown(io, dist);
  useProjectCache(root);
  const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-trading-diff-'));
  try {
    const fresh = join(scratch, 'out');
    synthesizeProject({ root, outdir: fresh, extend: loadExtension(root) });
    const diffs = compareTrees(dist, fresh);
    if (diffs.length === 0) {
      io.out(`${label}/ matches a fresh synth`);
      return 0;
    }
    for (const line of describeDrift(diffs, label)) io.out(line);
    io.out(`${label}/ differs from a fresh synth: run cdk8s-trading synth and commit the result`);
    return 1;
  } catch (e) {
    if (e instanceof ConfigurationError) {
      printProblems(io, `synth failed, so ${label}/ cannot be compared:`, e.problems);
      return 1;
    }
    throw e;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
