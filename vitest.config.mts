import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { CLI_SUITES } from './vitest.cli.config.mts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The cluster tests need Go and a control plane: `npm run test:cluster` (vitest.cluster.config.mts); the CLI's
    // end-to-end suites start a process per test: `npm run test:cli` (vitest.cli.config.mts). CI runs both after this.
    exclude: ['test/cluster/**', '**/node_modules/**', ...CLI_SUITES],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // vitest's default is one worker fewer than the cores (one, on a 2-core machine); the files spend much
    // of their time waiting for the CLI processes they start, so use every core.
    maxWorkers: availableParallelism(),
    // A worker keeps its loaded modules from one test file to the next: cdk8s, cdk8s-plus-28 and the
    // library are loaded once per worker instead of once per file (~40 % of the suite's CPU time). No test
    // changes process-wide state that another file depends on (no mocks, no chdir).
    isolate: false,
    testTimeout: 30_000,
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', 'json'],
    outputFile: { json: '.build/vitest-report.json' },
  },
});
