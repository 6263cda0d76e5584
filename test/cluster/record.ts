import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What one test recorded for the run's summary line (good runs only: fault injections are not counted). */
export interface RunRecord {
  readonly applied?: number;
  readonly rejected?: number;
  readonly warnings?: number;
  readonly healthy?: number;
  readonly unhealthy?: number;
  /** The upgrade's result in a few words. */
  readonly upgrade?: string;
}

/** Writes a record under `dir`. */
export function record(dir: string, name: string, r: RunRecord): void {
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(r));
}

/** The record of an environment applied: what was applied, refused, warned about, and the workloads' health. */
export function applyRecord(report: {
  readonly applied: number;
  readonly rejected: readonly unknown[];
  readonly warnings: readonly unknown[];
  readonly health: { readonly healthy: readonly unknown[]; readonly problems: readonly unknown[] };
}): RunRecord {
  return {
    applied: report.applied,
    rejected: report.rejected.length,
    warnings: report.warnings.length,
    healthy: report.health.healthy.length,
    unhealthy: report.health.problems.length,
  };
}
