import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * The CLI's end-to-end suites: each test starts a process (`npm run test:cli`, vitest.cli.config.mts), kept out of
 * `npm test` so that it stays the fast suite. CI runs them right after it.
 */
export const CLI_SUITES = ['test/output-folder.test.ts', 'test/extension.test.ts', 'test/diff.test.ts'];

/** What the fast suite and the CLI suites share. */
export const SUITE_OPTIONS = {
  globalSetup: ['test/support/global-setup.ts'],
  pool: 'forks',
  // vitest's default is one worker fewer than the cores (one, on a 2-core machine); the files spend much
  // of their time waiting for the CLI processes they start, so use every core.
  maxWorkers: availableParallelism(),
  // A worker keeps its loaded modules from one test file to the next: cdk8s, cdk8s-plus-28 and the
  // library are loaded once per worker instead of once per file (~40 % of the suite's CPU time). No test
  // changes process-wide state that another file depends on (no mocks, no chdir).
  isolate: false,
  // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
  reporters: ['default', 'json'],
} as const;

export default defineConfig({
  test: {
    ...SUITE_OPTIONS,
    include: ['test/**/*.test.ts'],
    // The cluster tests need Go and a control plane: `npm run test:cluster` (vitest.cluster.config.mts).
    exclude: ['test/cluster/**', '**/node_modules/**', ...CLI_SUITES],
    testTimeout: 30_000,
    outputFile: { json: '.build/vitest-report.json' },
  },
});
