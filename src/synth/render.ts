/**
 * Rendering a chart into the files of its folder: the construct tree validated once (policy gate
 * included), sync waves applied, objects serialized directly (not through `chart.toJson()`, which
 * validates again and orders dependencies that one-file-per-object output does not need).
 */
import { ApiObject, Chart } from 'cdk8s';
import { compareStrings } from '../core/order';
import { ConfigurationError } from '../core/problems';
import { ChartLayout, chartOutput } from '../gitops/chart-output';
import { applySyncWaves } from '../gitops/sync-waves';
import { PolicyOptions } from '../policy/policies';
import { PolicyGate, policyProblems } from '../policy/policy-gate';
import { flatFiles, Manifest, manifestFiles, OutputFile, stageFolderOf } from './layout';

/** What one chart produced. */
export interface RenderedFolder {
  /** Folder under the output folder. */
  readonly folder: string;
  /** Its files, paths relative to `folder`. */
  readonly files: readonly OutputFile[];
  /** Objects by kind. */
  readonly kinds: Readonly<Record<string, number>>;
  /** Total size of the files. */
  readonly bytes: number;
  /** Milliseconds to validate, check and render it. */
  readonly milliseconds: number;
}

/** A chart validated and checked: its objects' JSON, without the construct tree. */
export interface CheckedChart {
  /** Folder under the output folder. */
  readonly folder: string;
  /** Whether its objects go to apply-stage folders (otherwise directly into `folder`). */
  readonly staged: boolean;
  /** The objects' JSON; `renderChecked` empties the list as it emits their files. */
  readonly manifests: Manifest[];
  /** When the check started (process.hrtime.bigint()). */
  readonly started: bigint;
}

/**
 * Validates `chart`'s construct tree and renders it to the files of its folder. Every problem (a
 * construct's validation, a policy finding) is one line of the ConfigurationError thrown. When the
 * chart has no PolicyGate, the rules run with `defaultPolicy`.
 */
export function renderChart(chart: Chart, defaultPolicy: PolicyOptions = {}): RenderedFolder {
  return renderChecked(checkChart(chart, defaultPolicy));
}

/**
 * The first half of `renderChart`: validation (policy gate included), sync waves and the objects' JSON.
 * A caller that keeps nothing else of the chart lets its construct tree be collected while
 * `renderChecked` emits the YAML.
 */
export function checkChart(chart: Chart, defaultPolicy: PolicyOptions = {}): CheckedChart {
  const started = process.hrtime.bigint();
  const options = chartOutput(chart);
  const staged = options.layout !== ChartLayout.FLAT;
  // Waves order a staged folder's objects within one sync; flat folders (delivery objects) apply as one.
  if (staged) applySyncWaves(chart);
  const gate = PolicyGate.of(chart);
  const constructs = chart.node.findAll();
  // The gate's own validation would render the chart a second time; it checks the rendering below instead.
  const problems = constructs.filter((c) => c !== gate).flatMap((c) => c.node.validate());
  if (problems.length > 0) throw new ConfigurationError(problems);
  const manifests = constructs.filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson() as Manifest);
  const policy = gate ? gate.check(manifests) : policyProblems(manifests, defaultPolicy);
  if (policy.length > 0) throw new ConfigurationError(policy);
  return { folder: options.folder ?? chart.node.id, staged, manifests, started };
}

/**
 * The second half of `renderChart`: the files of a checked chart. It takes the chart's manifests: each
 * is dropped from the list once its file is emitted, so an object's JSON and its YAML are not both kept.
 */
export function renderChecked(checked: CheckedChart): RenderedFolder {
  const { manifests } = checked;
  const kinds: Record<string, number> = {};
  for (const m of manifests) kinds[m.kind] = (kinds[m.kind] ?? 0) + 1;
  const files = checked.staged ? manifestFiles(manifests, stageFolderOf, true) : flatFiles(manifests, true);
  return {
    folder: checked.folder,
    files,
    kinds: Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => compareStrings(a, b))),
    bytes: files.reduce((n, f) => n + Buffer.byteLength(f.content), 0),
    milliseconds: Number(process.hrtime.bigint() - checked.started) / 1e6,
  };
}
