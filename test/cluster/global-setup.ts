/**
 * The cluster tests' control plane: built once into the cache, started for the run, stopped after it. The
 * summary line of the run (objects applied, rejected, warnings, workloads healthy, the upgrade) is printed
 * from what the test files recorded.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { ensurePrograms } from './components';
import { ControlPlane } from './control-plane';
import { installCrds } from './install';
import { RunRecord } from './record';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The address of a kubectl proxy to the local API server. */
    apiUrl: string;
    /** A cluster admin's kubeconfig. */
    kubeconfig: string;
    /** Where the test files record what they saw, for the summary. */
    recordDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string): void => console.log(`[cluster] ${line}`);
  const buildStarted = Date.now();
  const programs = ensurePrograms(log);
  const buildSeconds = (Date.now() - buildStarted) / 1000;
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-trading-cluster-'));
  const plane = new ControlPlane(dir, programs);
  const startStarted = Date.now();
  let crds: number;
  try {
    await plane.up();
    crds = await installCrds(plane.client);
  } catch (e) {
    await plane.down();
    throw new Error(`the local control plane did not start (logs in ${dir}): ${(e as Error).message}`);
  }
  const startSeconds = (Date.now() - startStarted) / 1000;
  log(
    `Kubernetes ${programs.versions['k8s.io/kubernetes']} (etcd ${programs.versions['go.etcd.io/etcd/server/v3']}, kwok ${programs.versions['sigs.k8s.io/kwok']}; ` +
      `Argo Rollouts ${programs.versions['github.com/argoproj/argo-rollouts']}, CloudNativePG ${programs.versions['github.com/cloudnative-pg/cloudnative-pg']}): ` +
      `programs ready in ${buildSeconds.toFixed(1)} s (${programs.builds.map((b) => `${b.component} ${b.seconds > 0 ? `built in ${b.seconds.toFixed(0)} s` : `cached, built in ${b.builtSeconds.toFixed(0)} s`}`).join(', ')}), ` +
      `control plane up with ${crds} CRDs in ${startSeconds.toFixed(1)} s; logs in ${dir}`,
  );
  const recordDir = join(dir, 'records');
  mkdirSync(recordDir);
  project.provide('apiUrl', plane.client.baseUrl);
  project.provide('kubeconfig', plane.kubeconfig);
  project.provide('recordDir', recordDir);
  const runStarted = Date.now();
  return async () => {
    await plane.down();
    const records = existsSync(recordDir)
      ? readdirSync(recordDir)
          .sort()
          .map((f) => JSON.parse(readFileSync(join(recordDir, f), 'utf8')) as RunRecord)
      : [];
    const sum = (k: 'applied' | 'rejected' | 'warnings' | 'healthy' | 'unhealthy'): number => records.reduce((n, r) => n + (r[k] ?? 0), 0);
    const upgrades = records.filter((r) => r.upgrade).map((r) => r.upgrade as string);
    log(
      `summary: ${sum('applied')} objects applied, ${sum('rejected')} rejected, ${sum('warnings')} warnings, ` +
        `${sum('healthy')} workloads healthy, ${sum('unhealthy')} unhealthy; upgrade: ${upgrades.join('; ') || 'not run'}; ` +
        `build ${buildSeconds.toFixed(1)} s, start ${startSeconds.toFixed(1)} s, tests ${((Date.now() - runStarted) / 1000).toFixed(1)} s`,
    );
    if (!process.env.CDK8S_TRADING_KEEP_CLUSTER_LOGS) rmSync(dir, { recursive: true, force: true });
  };
}
