/**
 * The environment-file pipeline: read and check every file of `environments/`, build each environment
 * into a chart, render it, and only when everything is valid replace the output folder at once.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildEnvironment } from '../config/build';
import { parseEnvironment, suggestedName } from '../config/environment';
import { buildGitOps, GITOPS_FILE, GITOPS_FOLDER, GitOpsConfig, parseGitOps } from '../config/gitops-config';
import type { Environment } from '../config/environment';
import { compareStrings } from '../core/order';
import { ConfigurationError, formatProblem, show } from '../core/problems';
import { APPLY_STAGES } from '../gitops/sync-waves';
import { filesUnder } from './files';
import { GitOpsApp, treeFiles } from './gitops-app';
import { EnvironmentExtension, ExtensionError, extensionFile } from './extension';
import { OutputFile } from './layout';
import { collectIfLarge } from './collect';
import { CheckedChart, checkChart, RenderedFolder, renderChecked } from './render';
import { checkOutputFolder, writeTree, WriteError, WriteTreeOptions } from './write';

/** The folder of the environment files, under the project root. */
export const ENVIRONMENTS_DIR = 'environments';

/** A project's configuration: its environments and, when `gitops.yaml` exists, the delivery settings. */
export interface ProjectConfig {
  readonly environments: readonly Environment[];
  readonly gitops?: GitOpsConfig;
}

/** Reads and checks every file of `<root>/environments/`; throws one ConfigurationError listing every problem of every file. */
export function loadProject(root: string): ProjectConfig {
  const project = readProject(root);
  if (project.problems.length > 0) throw new ConfigurationError(project.problems);
  return project;
}

/** The project's valid environments (and gitops.yaml) with the problems of the others, every file read. */
export function readProject(root: string, cwd: string = root): ProjectConfig & { readonly problems: readonly string[] } {
  const dir = join(root, ENVIRONMENTS_DIR);
  // Files are named as seen from where the command runs, as the extension and the output folder are.
  const shownDir = relative(cwd, dir) || '.';
  if (!existsSync(dir)) throw new ConfigurationError([`${shownDir}: no such folder; run cdk8s-trading init to create it`]);
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== GITOPS_FILE)
    .sort(compareStrings);
  const problems: string[] = [];
  // A YAML file the loader does not read would be an environment silently missing from dist/.
  for (const fileName of readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f) && !f.endsWith('.yaml'))
    .sort(compareStrings)) {
    const base = fileName.replace(/\.ya?ml$/i, '');
    // The name it is renamed to must be one an environment can have (`Qa.Yaml` becomes qa.yaml, not Qa.yaml).
    const wanted = base.toLowerCase() === GITOPS_FILE.replace(/\.yaml$/, '') ? GITOPS_FILE : `${suggestedName(base)}.yaml`;
    problems.push(
      `${relative(cwd, join(dir, fileName)) || fileName}: not read: environment files (and ${GITOPS_FILE}) end in ".yaml"; rename it to ${wanted}`,
    );
  }
  // Environment files are read from environments/ itself: one in a subfolder would be silently missing from dist/.
  for (const sub of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'node_modules')) {
    for (const fileName of readdirSync(join(dir, sub.name))
      .filter((f) => /\.ya?ml$/i.test(f))
      .sort(compareStrings)) {
      problems.push(
        `${relative(cwd, join(dir, sub.name, fileName))}: not read: environment files are read from ${shownDir}/ itself, not from its ` +
          `subfolders; move it to ${shownDir}/ (its file name names the environment)`,
      );
    }
  }
  const environments: Environment[] = [];
  for (const fileName of names) {
    const file = relative(cwd, join(dir, fileName)) || fileName;
    const result = parseEnvironment(fileName.replace(/\.yaml$/, ''), file, readFileSync(join(dir, fileName), 'utf8'));
    problems.push(...result.problems);
    if (result.environment) environments.push(result.environment);
  }
  let gitops: GitOpsConfig | undefined;
  const gitopsFile = join(dir, GITOPS_FILE);
  if (existsSync(gitopsFile)) {
    try {
      gitops = parseGitOps(relative(cwd, gitopsFile) || GITOPS_FILE, readFileSync(gitopsFile, 'utf8'));
    } catch (e) {
      if (!(e instanceof ConfigurationError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (names.length === 0) problems.push(`${shownDir}: no environment files (*.yaml besides ${GITOPS_FILE})`);
  // Two environments in one namespace would be two GitOps applications owning (and pruning) the same objects.
  const owners = new Map<string, Environment>();
  for (const e of environments) {
    const first = owners.get(e.config.namespace);
    if (first)
      problems.push(
        `${e.file}: namespace: ${show(e.config.namespace)} is also the namespace of ${first.file}: each environment needs a namespace of its own`,
      );
    else owners.set(e.config.namespace, e);
  }
  return { environments, gitops, problems };
}

/** Reads and checks the environment files (not `gitops.yaml`). */
export function loadEnvironments(root: string): Environment[] {
  return [...loadProject(root).environments];
}

/**
 * Builds, checks and renders one environment, without touching the disk. `extend` receives the chart
 * before it is rendered. Problems are reported against the environment's file.
 */
export function renderEnvironment(environment: Environment, extend?: EnvironmentExtension): RenderedFolder {
  // Two steps: only the first holds the construct tree, so it can be collected while the YAML is emitted.
  const checked = checkEnvironment(environment, extend);
  try {
    return renderChecked(checked);
  } catch (e) {
    throw locatedIn(environment, e);
  }
}

/** Builds `environment`, hands it to `extend` and checks it: its objects' JSON. */
function checkEnvironment(environment: Environment, extend: EnvironmentExtension | undefined): CheckedChart {
  // Building reports against the file's fields itself; what the finished tree and the policy rules find
  // is about the environment as a whole.
  const chart = buildEnvironment(environment, new GitOpsApp());
  try {
    extend?.(chart, environment);
    return checkChart(chart);
  } catch (e) {
    // A problem of the whole (a quota the added workloads exceed) that the environment alone does not have is
    // the extension's: said against its file, not the environment's. Checked again only when something failed.
    if (extend && e instanceof ConfigurationError && !(e instanceof ExtensionError) && passesAlone(environment)) {
      throw new ExtensionError(
        e.located.map(
          (p) =>
            `${extensionFile(extend)}: in environment ${environment.name}: ${formatProblem(p)} (${environment.file} alone passes: what the extension adds causes it)`,
        ),
      );
    }
    throw locatedIn(environment, e);
  }
}

/** What would stop the output folder from being replaced, one line each (without the "left as it was" of a refusal). */
function outputFolderProblems(outdir: string): string[] {
  try {
    checkOutputFolder(outdir);
    return [];
  } catch (e) {
    if (!(e instanceof WriteError)) throw e;
    return e.problems.map((p) => p.replace(/; \S+ was left as it was$/, ''));
  }
}

/** Whether the environment, built and checked without its extension, has no problem. */
function passesAlone(environment: Environment): boolean {
  try {
    checkChart(buildEnvironment(environment, new GitOpsApp()));
    return true;
  } catch (e) {
    if (e instanceof ConfigurationError) return false;
    throw e;
  }
}

/**
 * A ConfigurationError with its problems reported against the environment's file; anything else as it is,
 * and so are the extension's problems, which name its file.
 */
function locatedIn(environment: Environment, e: unknown): unknown {
  if (!(e instanceof ConfigurationError) || e instanceof ExtensionError) return e;
  return new ConfigurationError(e.located.map((p) => ({ ...p, where: p.where ? `${environment.file}: ${p.where}` : environment.file })));
}

/** Renders the GitOps folders (`gitops/argocd`, `gitops/flux`) for environments laid out in `stageFolders`. */
export function renderGitOps(
  config: GitOpsConfig,
  environments: readonly Environment[],
  stageFolders: ReadonlyMap<string, readonly string[]>,
): RenderedFolder[] {
  const app = new GitOpsApp();
  buildGitOps(config, environments, stageFolders, app);
  return app.render();
}

/** Options of `synthesizeProject`. */
export interface SynthesizeOptions extends WriteTreeOptions {
  /** Project root: the folder holding `environments/`. */
  readonly root: string;
  /** Output folder (absolute, or relative to the working directory). */
  readonly outdir: string;
  /** Only these environments; the other environments' folders are kept as they are. @default - all */
  readonly only?: readonly string[];
  /** Called with each environment's chart before it is rendered. @default - none */
  readonly extend?: EnvironmentExtension;
  /** The folder the environment files' paths in messages are relative to. @default - the project root */
  readonly cwd?: string;
}

/** What a synth wrote. */
export interface SynthesizeResult {
  /** The folders rendered now, in output order. */
  readonly rendered: readonly RenderedFolder[];
  /** Top-level folders kept from the previous output (`--env`). */
  readonly kept: readonly string[];
}

/**
 * Checks every environment file, renders the selected environments and the GitOps folders, then replaces
 * the output folder atomically. Nothing is written unless everything is valid. With `only`, the other
 * environments' folders are carried over unchanged and `gitops/` is rendered again from the whole result,
 * so it never describes folders that are not there.
 */
export function synthesizeProject(options: SynthesizeOptions): SynthesizeResult {
  const prepared = prepareSynth(options);
  prepared.write();
  return { rendered: prepared.rendered, kept: prepared.kept };
}

/** A synth checked and rendered in memory, not yet written. */
export interface PreparedSynth extends SynthesizeResult {
  /** Replaces the output folder with the rendered folders (and the kept ones). */
  write(): void;
}

/**
 * `synthesizeProject` up to the write: every environment checked and rendered, the output folder checked. The
 * caller may wait (for an extension's callbacks) before it writes.
 */
export function prepareSynth(options: SynthesizeOptions): PreparedSynth {
  const project = readProject(options.root, options.cwd);
  const only = options.only ?? [];
  const all = project.environments;
  const problems: string[] = [...project.problems];
  const names = readdirSync(join(options.root, ENVIRONMENTS_DIR))
    .filter((f) => f.endsWith('.yaml') && f !== GITOPS_FILE)
    .map((f) => f.replace(/\.yaml$/, ''));
  const unknown = only.filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    throw new ConfigurationError(unknown.map((n) => `--env ${n}: no such environment; use one of ${names.sort(compareStrings).join(', ')}`));
  }
  const selected = only.length > 0 ? all.filter((e) => only.includes(e.name)) : all;
  const rendered: RenderedFolder[] = [];
  for (const environment of selected) {
    try {
      rendered.push(renderEnvironment(environment, options.extend));
      // Nothing of the environment but its files is alive now: the moment for a full collection.
      collectIfLarge();
    } catch (e) {
      if (!(e instanceof ConfigurationError)) throw e;
      problems.push(...e.problems);
    }
  }
  // A file where the synth writes a folder (dist/prod) would be kept as the user's and collide with it.
  const folders = [...selected.map((e) => e.name), ...(project.gitops ? [GITOPS_FOLDER] : [])];
  const clashes = folders
    .filter((f) => {
      try {
        return !statSync(join(options.outdir, f)).isDirectory();
      } catch {
        return false;
      }
    })
    .map((f) => {
      const shown = relative(options.cwd ?? process.cwd(), join(options.outdir, f)) || f;
      return `${shown}: a file where the synth writes the folder of ${f === GITOPS_FOLDER ? 'the GitOps objects' : `environment ${f}`}; move it out of ${relative(options.cwd ?? process.cwd(), options.outdir) || '.'}/, or delete it`;
    });
  if (problems.length > 0 || clashes.length > 0) {
    // The output folder's own problems too (a read-only folder), so fixing the files is not met by a second refusal.
    throw new ConfigurationError([...problems, ...clashes, ...outputFolderProblems(options.outdir)]);
  }

  // Before the previous output is read: a folder that cannot be replaced is refused now, in one line.
  checkOutputFolder(options.outdir);
  const keptFiles = previousOutput(options.outdir, only.length > 0 ? new Set([...selected.map((e) => e.name), GITOPS_FOLDER]) : undefined);
  const kept = [...new Set(keptFiles.map((f) => f.path.split('/')[0]).filter((p) => keptFiles.some((f) => f.path.startsWith(`${p}/`))))];
  if (project.gitops) {
    const stageFolders = new Map<string, readonly string[]>();
    for (const r of rendered) stageFolders.set(r.folder, stagesOf(r.files.map((f) => f.path)));
    const delivered = all.filter((e) => stageFolders.has(e.name) || kept.includes(e.name));
    for (const e of delivered) {
      if (!stageFolders.has(e.name))
        stageFolders.set(e.name, stagesOf(keptFiles.filter((f) => f.path.startsWith(`${e.name}/`)).map((f) => f.path.slice(e.name.length + 1))));
    }
    rendered.push(...renderGitOps(project.gitops, delivered, stageFolders));
  }
  const files = [...keptFiles, ...treeFiles(rendered)].sort((a, b) => compareStrings(a.path, b.path));
  return { rendered, kept, write: () => writeTree(options.outdir, files, options) };
}

/** The apply-stage folders among `paths` (relative to an environment folder), in apply order. */
function stagesOf(paths: readonly string[]): string[] {
  return APPLY_STAGES.map((s) => s.folder).filter((f) => paths.some((p) => p.startsWith(`${f}/`)));
}

/**
 * What of the previous output survives a synth: with `replaced` (an `--env` synth), everything but those
 * top-level folders; otherwise only top-level files a person put there (a README), never old folders.
 */
function previousOutput(outdir: string, replaced: ReadonlySet<string> | undefined): OutputFile[] {
  if (!existsSync(outdir)) return [];
  const files = filesUnder(outdir).filter((p) => !p.split('/').some((seg) => seg.startsWith('.')));
  return files
    .filter((p) => (replaced ? !replaced.has(p.split('/')[0]) : !p.includes('/')))
    .filter((p) => statSync(join(outdir, p)).isFile())
    .map((p) => ({ path: p, content: readFileSync(join(outdir, p), 'utf8') }));
}
