// The compiled library the CLI runs (scripts/dev-build.cjs), for tests that start it in a child process.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const devBuild = require('../../scripts/dev-build.cjs') as { ensureBuilt: () => string; ensureCli: () => string };

/** Compiles src/ into .build/dev when stale; returns the folder of the library compiled one file per module. */
export function ensureBuilt(): string {
  return devBuild.ensureBuilt();
}

/** Compiles src/ into .build/dev when stale; returns the CLI bundle (its `library()` is the public API). */
export function ensureCli(): string {
  return devBuild.ensureCli();
}
