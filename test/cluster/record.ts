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
