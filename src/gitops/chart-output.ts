/**
 * Where a chart's objects go in the output folder and how they are laid out there. Recorded on the
 * chart, read by the renderer; plain metadata, no I/O.
 */
import { IConstruct } from 'constructs';

/** How a chart's objects are laid out in its folder. */
export enum ChartLayout {
  /** One sub-folder per apply stage (`10-namespace` … `50-application`), as GitOps tools apply them. */
  STAGES = 'stages',
  /** Every object directly in the chart's folder (delivery objects: apply the folder once). */
  FLAT = 'flat',
}

/** Where and how a chart is written. */
export interface ChartOutputOptions {
  /** Folder under the output folder, `/`-separated. @default - the chart's id */
  readonly folder?: string;
  /** Layout inside the folder. @default ChartLayout.STAGES */
  readonly layout?: ChartLayout;
}

const outputOptions = new WeakMap<IConstruct, ChartOutputOptions>();

/** Sets where and how `chart` is written by `GitOpsApp` and the CLI. */
export function setChartOutput(chart: IConstruct, options: ChartOutputOptions): void {
  outputOptions.set(chart, options);
}

/** Where and how `chart` is written (the defaults when nothing was set). */
export function chartOutput(chart: IConstruct): ChartOutputOptions {
  return outputOptions.get(chart) ?? {};
}
