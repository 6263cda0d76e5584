/**
 * Rendering a chart into the files of its folder: the construct tree validated once (policy gate
 * included), sync waves applied, objects serialized directly (not through `chart.toJson()`, which
 * validates again and orders dependencies that one-file-per-object output does not need).
 */
import { ApiObject, Chart } from 'cdk8s';
import { compareStrings } from '../core/order';
import { ConfigurationError } from '../core/validation';
import { ChartLayout, chartOutput } from '../gitops/chart-output';
import { applySyncWaves } from '../gitops/sync-waves';
import { PolicyOptions } from '../policy/policies';
import { PolicyGate, policyProblems } from '../policy/policy-gate';
import { flatFiles, Manifest, manifestFiles, OutputFile } from './layout';

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

/**
 * Validates `chart`'s construct tree and renders it to the files of its folder. Every problem (a
 * construct's validation, a policy finding) is one line of the ConfigurationError thrown. When the
 * chart has no PolicyGate, the rules run with `defaultPolicy`.
 */
export function renderChart(chart: Chart, defaultPolicy: PolicyOptions = {}): RenderedFolder {
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
  const files = staged ? manifestFiles(manifests) : flatFiles(manifests);
  const kinds: Record<string, number> = {};
  for (const m of manifests) kinds[m.kind] = (kinds[m.kind] ?? 0) + 1;
  return {
    folder: options.folder ?? chart.node.id,
    files,
    kinds: Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => compareStrings(a, b))),
    bytes: files.reduce((n, f) => n + Buffer.byteLength(f.content), 0),
    milliseconds: Number(process.hrtime.bigint() - started) / 1e6,
  };
}
