// The compiled library the CLI runs (scripts/dev-build.cjs), for tests that start it in a child process.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const devBuild = require('../../scripts/dev-build.cjs') as { ensureBuilt: () => string };

/** Compiles src/ into .build/lib when stale; returns that folder. */
export function ensureBuilt(): string {
  return devBuild.ensureBuilt();
}
