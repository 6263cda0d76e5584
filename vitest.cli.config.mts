import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * The CLI end to end, in processes: every test starts `cdk8s-trading` (a synth into a fresh project, a type-checked
 * extension, a hand-edited or read-only dist/) and waits for it. They are `npm run test:cli`, which `.ci/run` runs
 * after `npm test`, so that `npm test` stays the fast suite.
 */
export const CLI_SUITES = ['test/output-folder.test.ts', 'test/extension.test.ts', 'test/diff.test.ts'];

export default defineConfig({
  test: {
    include: CLI_SUITES,
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: availableParallelism(),
    isolate: false,
    // A first synth of an extension type-checks it: seconds of CPU on a busy 2-core machine.
    testTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.build/vitest-cli-report.json' },
  },
});
