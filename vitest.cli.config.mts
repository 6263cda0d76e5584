import { defineConfig } from 'vitest/config';
import { CLI_SUITES, SUITE_OPTIONS } from './vitest.config.mts';

/**
 * The CLI end to end, in processes: every test starts `cdk8s-trading` (a synth into a fresh project, a type-checked
 * extension, a hand-edited or read-only dist/) and waits for it. They are `npm run test:cli`, which `.ci/run` runs
 * after `npm test`, so that `npm test` stays the fast suite.
 */
export default defineConfig({
  test: {
    ...SUITE_OPTIONS,
    include: CLI_SUITES,
    // A first synth of an extension type-checks it: seconds of CPU on a busy 2-core machine.
    testTimeout: 120_000,
    outputFile: { json: '.build/vitest-cli-report.json' },
  },
});
