/**
 * The synth pipeline: read and validate every environment file, build each environment, render
 * it, and only then write anything.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { ApiObject, Chart } from 'cdk8s';
import { join, relative } from 'node:path';
import { checkPolicies, ConfigurationError, compareStrings, ManifestView, TIER_DEFAULTS, unusedWaivers } from '../../src';
import { buildEnvironment } from './build';
import { Environment, parseEnvironment } from './config';
import { buildGitOps, GITOPS_FILE, parseGitOps } from './gitops';
import { Manifest, manifestFiles, OutputFile, stageFolders, writeEnvironments } from './write';

/** The dist/ folder of the GitOps objects (environment folders are named after environments/*.yaml other than gitops.yaml). */
export const GITOPS_FOLDER = 'gitops';

/** Options of `synthesize`. */
export interface SynthOptions {
  /** Project root; environment files are read from `<root>/environments/*.yaml`. */
  readonly root: string;
  /** Output folder. */
  readonly outdir: string;
  /** Only these environments (all when empty). Folders of the others are kept. */
  readonly only?: readonly string[];
}

/** What one environment produced. */
export interface EnvironmentResult {
  readonly name: string;
  readonly files: readonly OutputFile[];
  readonly kinds: Readonly<Record<string, number>>;
  readonly bytes: number;
  /** Milliseconds to build, check and render it. */
  readonly milliseconds: number;
}

/** Reads and validates every environment file; throws a ConfigurationError listing every problem. */
export function loadEnvironments(root: string): Environment[] {
  const dir = join(root, 'environments');
  const names = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== GITOPS_FILE).sort(compareStrings);
  const problems: string[] = [];
  const environments: Environment[] = [];
  for (const fileName of names) {
    const file = relative(root, join(dir, fileName)) || fileName;
    const result = parseEnvironment(fileName.replace(/\.yaml$/, ''), file, readFileSync(join(dir, fileName), 'utf8'));
    problems.push(...result.problems);
    if (result.environment) environments.push(result.environment);
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  if (environments.length === 0) throw new ConfigurationError([`${relative(root, dir) || dir}: no environment files (*.yaml)`]);
  return environments;
}

/**
 * Validates a chart's construct tree (duplicate names, unconnected databases, ...; every problem as one
 * line) and renders its objects. Unlike `chart.toJson()` it validates once and skips cdk8s's dependency
 * ordering, which one-file-per-object output does not need.
 */
export function renderChart(chart: Chart): Manifest[] {
  const constructs = chart.node.findAll();
  const problems = constructs.flatMap((c) => c.node.validate());
  if (problems.length > 0) throw new ConfigurationError(problems);
  return constructs.filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson() as Manifest);
}

/** Policy problems of an environment's manifests: unwaived findings and waivers that accept nothing. */
export function policyProblems(environment: Environment, manifests: readonly Manifest[]): string[] {
  const waivers = environment.config.waivers ?? [];
  const findings = checkPolicies(manifests as unknown as ManifestView[], { allowLatestTag: TIER_DEFAULTS[environment.config.tier].allowLatestTag, waivers });
  return [
    ...findings.filter((f) => !f.waiver).map((f) => `${environment.file}: policy ${f.rule}: ${f.object}: ${f.message}`),
    ...unusedWaivers(findings, waivers).map((w) => `${environment.file}: waivers: ${w.rule} for ${w.object} accepts nothing; remove it`),
  ];
}

/** Renders one environment to its files, without touching the disk. */
export function renderEnvironment(environment: Environment): EnvironmentResult {
  const started = process.hrtime.bigint();
  let manifests: Manifest[];
  try {
    manifests = renderChart(buildEnvironment(environment));
  } catch (e) {
    const problems = e instanceof ConfigurationError ? e.problems : [(e as Error).message];
    throw new ConfigurationError(problems.map((p) => `${environment.file}: ${p}`));
  }
  const policy = policyProblems(environment, manifests);
  if (policy.length > 0) throw new ConfigurationError(policy);
  return summarize(environment.name, manifests, manifestFiles(manifests), started);
}

function summarize(name: string, manifests: readonly Manifest[], files: OutputFile[], started: bigint): EnvironmentResult {
  const kinds: Record<string, number> = {};
  for (const m of manifests) kinds[m.kind] = (kinds[m.kind] ?? 0) + 1;
  const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
  return { name, files, kinds, bytes: files.reduce((n, f) => n + Buffer.byteLength(f.content), 0), milliseconds };
}

/** Renders the GitOps objects of `gitops.yaml` (if the file exists) for the rendered environments. */
export function renderGitOps(root: string, environments: readonly Environment[], results: readonly EnvironmentResult[]): EnvironmentResult | undefined {
  const file = join(root, 'environments', GITOPS_FILE);
  if (!existsSync(file)) return undefined;
  const started = process.hrtime.bigint();
  const config = parseGitOps(relative(root, file), readFileSync(file, 'utf8'));
  const folders = new Map(results.map((r) => [r.name, stageFolders(r.files)]));
  const charts = buildGitOps(config, environments, folders);
  const manifests = charts.flatMap((chart) => renderChart(chart).map((m) => ({ chart: chart.node.id, m })));
  const byChart = new Map(manifests.map(({ chart, m }) => [m, chart]));
  const files = manifestFiles(manifests.map(({ m }) => m), (m) => byChart.get(m) ?? 'gitops')
    // Top level: one folder per tool; apply one of them, not both.
    .filter((f) => f.path !== 'Kustomization');
  return summarize(GITOPS_FOLDER, manifests.map(({ m }) => m), files, started);
}

/** Validates, renders and writes the environments; nothing is written unless every one succeeds. */
export function synthesize(options: SynthOptions): EnvironmentResult[] {
  // gitops.yaml is the GitOps configuration, never an environment, so no environment folder is `gitops`.
  const all = loadEnvironments(options.root);
  const only = options.only ?? [];
  const unknown = only.filter((name) => !all.some((e) => e.name === name));
  if (unknown.length > 0) {
    throw new ConfigurationError(unknown.map((n) => `--env ${n}: no such environment; use one of ${all.map((e) => e.name).join(', ')}`));
  }
  const selected = only.length > 0 ? all.filter((e) => only.includes(e.name)) : all;
  const problems: string[] = [];
  const results: EnvironmentResult[] = [];
  for (const environment of selected) {
    try {
      results.push(renderEnvironment(environment));
    } catch (e) {
      if (!(e instanceof ConfigurationError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  // The GitOps objects list every environment, so only a full synth rewrites them.
  const gitops = only.length === 0 ? renderGitOps(options.root, all, results) : undefined;
  const outputs = gitops ? [...results, gitops] : results;
  writeEnvironments(options.outdir, new Map(outputs.map((r) => [r.name, r.files])), only.length === 0);
  return outputs;
}
