import { defineConfig } from 'vitest/config';

// `npm run test:cluster`: dist/ on a local Kubernetes control plane built from Go modules (test/cluster/).
// One control plane for the run (started by the global setup); the files run one after another (each in
// namespaces of its own, so their order does not matter), most of their tests concurrently.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.cluster.test.ts'],
    globalSetup: ['test/cluster/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    sequence: { shuffle: false },
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.build/vitest-cluster-report.json' },
  },
});
