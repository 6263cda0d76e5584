import { resolve } from 'node:path';
import { App, AppProps, Chart } from 'cdk8s';
import { compareStrings } from '../core/order';
import { ConfigurationError, show } from '../core/problems';
import { PolicyOptions } from '../policy/policies';
import { OutputFile } from './layout';
import { ChartLayout, chartOutput, ChartOutputOptions, setChartOutput } from '../gitops/chart-output';
import { RenderedFolder, renderChart } from './render';
import { writeTree, WriteTreeOptions } from './write';

/** Props of GitOpsApp. */
export interface GitOpsAppProps extends AppProps {
  /**
   * Policy rules for charts without a PolicyGate of their own.
   * @default - every rule, no waivers, `latest` images rejected
   */
  readonly policy?: PolicyOptions;
}

/**
 * A cdk8s `App` whose `synth()` writes what a GitOps repository wants, like `cdk8s-trading synth`:
 *
 * - one folder per chart (`dist/<chart id>/`), with one sub-folder per apply stage (`10-namespace`,
 *   `20-config`, `30-database`, `40-migration`, `50-application`) and a `kustomization.yaml` in every
 *   folder, so `kubectl kustomize dist/prod` renders it and Flux can apply stage by stage;
 * - one file per object, `<kind>-<name>.yaml`, in deterministic YAML (sorted keys, no timestamps, YAML 1.1
 *   quoting);
 * - every object given the Argo CD sync wave of its stage;
 * - the policy rules enforced on every chart (`PolicyGate`, waivers with a reason);
 * - the whole output folder replaced atomically, one writer at a time: a failed or killed synth leaves
 *   the previous output as it was.
 *
 * @example
 * const app = new GitOpsApp({ outdir: 'dist' });
 * const prod = new Chart(app, 'prod', { namespace: 'trading-prod', disableResourceNameHashes: true });
 * new TradingBackend(prod, 'api', { image: 'ghcr.io/acme/api:1.4.2' });
 * app.synth(); // dist/prod/50-application/deployment-api.yaml, ...
 */
export class GitOpsApp extends App {
  /** Sets where and how `chart` is written (for example `{ folder: 'gitops/argocd', layout: ChartLayout.FLAT }`). */
  public static configureChart(chart: Chart, options: ChartOutputOptions): void {
    setChartOutput(chart, options);
  }

  private readonly policy: PolicyOptions;

  constructor(props: GitOpsAppProps = {}) {
    super(props);
    this.policy = props.policy ?? {};
  }

  /** Validates and renders every chart without writing; every problem of every chart at once. */
  public render(): RenderedFolder[] {
    const problems: string[] = [];
    const folders: RenderedFolder[] = [];
    const charts = this.node.children.filter((c): c is Chart => c instanceof Chart);
    // Each environment folder becomes one GitOps application; two owning one namespace would fight over it.
    const owners = new Map<string, string>();
    for (const chart of charts.filter((c) => c.namespace !== undefined && chartOutput(c).layout !== ChartLayout.FLAT)) {
      const first = owners.get(chart.namespace as string);
      if (first)
        problems.push(
          `chart ${chart.node.id}: namespace ${show(chart.namespace)} is also the namespace of chart ${first}: each environment needs a namespace of its own`,
        );
      else owners.set(chart.namespace as string, chart.node.id);
    }
    for (const chart of charts) {
      try {
        folders.push(renderChart(chart, this.policy));
      } catch (e) {
        if (!(e instanceof ConfigurationError)) throw e;
        problems.push(...e.problems.map((p) => `chart ${chart.node.id}: ${p}`));
      }
    }
    if (problems.length > 0) throw new ConfigurationError(problems);
    return folders.sort((a, b) => compareStrings(a.folder, b.folder));
  }

  /** Renders every chart and replaces `outdir` with the result; throws (and writes nothing) on any problem. */
  public synth(options: WriteTreeOptions = {}): void {
    writeTree(resolve(this.outdir), treeFiles(this.render()), options);
  }
}

/** The files of rendered folders, paths relative to the output folder. */
export function treeFiles(folders: readonly RenderedFolder[]): OutputFile[] {
  const seen = new Map<string, string>();
  for (const f of folders) {
    const clash = [...seen.keys()].find((other) => other === f.folder || other.startsWith(`${f.folder}/`) || f.folder.startsWith(`${other}/`));
    if (clash !== undefined) throw new ConfigurationError([`charts write to overlapping folders: ${show(clash)} and ${show(f.folder)}`]);
    seen.set(f.folder, f.folder);
  }
  return folders.flatMap((f) => f.files.map((file) => ({ path: `${f.folder}/${file.path}`, content: file.content })));
}
