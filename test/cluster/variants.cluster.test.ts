/**
 * The library's other paths on Kubernetes: variants of this repository's environments (other release
 * engines, exposures and options) synthesized by the CLI into namespaces of their own, installed like dist/
 * and held to the same bar: no rejection, no warning, every workload healthy.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../../src/cli/cluster/api-client';
import { cli, scratchProject } from '../support/project';
import { applyEnvironment } from './gitops-apply';
import { applyRecord, record } from './record';

const client = new ApiClient(inject('apiUrl'));
const project = scratchProject();
afterAll(() => rmSync(project.root, { recursive: true, force: true }));

/** A variant: a copy of `base`'s environment file in namespace `variant-<name>`, its `release:` replaced. */
interface Variant {
  readonly name: string;
  readonly base: 'dev' | 'staging' | 'prod';
  readonly release?: string;
  readonly edit?: (text: string) => string;
}

/** prod's file with its Service-switch release running the idle colour at zero replicas; `switched`: green made live. */
function scaleDownIdle(text: string, switched = false): string {
  const staged = '      activeColor: blue\n';
  if (!text.includes(staged) || !text.includes('      releaseColor: green\n')) throw new Error('the base has no release staged on green');
  return text
    .replace('      releaseColor: green\n', '      releaseColor: green\n      scaleDownIdle: true\n')
    .replace(staged, switched ? '      activeColor: green\n' : staged);
}

const VARIANTS: readonly Variant[] = [
  {
    // prod's release (green staged, blue active) with the idle colour scaled down.
    name: 'prod-idle',
    base: 'prod',
    edit: (text) => scaleDownIdle(text),
  },
  {
    // The same after the switch: the old colour at zero, the preview Service without endpoints (nothing is
    // sent there: the smoke check follows the release onto the public Service).
    name: 'prod-idle-switched',
    base: 'prod',
    edit: (text) => scaleDownIdle(text, true),
  },
  {
    name: 'staging-weighted',
    base: 'staging',
    release: `strategy: canary
      engine: weighted
      stableImage: ghcr.io/acme-trading/trading-api:1.4.2
      canaryImage: ghcr.io/acme-trading/trading-api:1.5.0
      canaryWeight: 10`,
    edit: (text) => text.replace(/^    image: .*\n/m, ''),
  },
  {
    // With NodeLocal DNSCache's address as the cluster DNS, and ingress-nginx rate limits, too.
    name: 'staging-ingress',
    base: 'staging',
    release: 'strategy: rolling',
    edit: (text) =>
      `${text.replace(
        /    exposure:\n(      .*\n)+/,
        '    exposure:\n      ingress:\n        hosts: [api.staging.trading.example.com]\n        rateLimit: { requestsPerSecond: 50, connections: 20 }\n',
      )}dns: { cidr: 169.254.20.10/32 }\n`,
  },
  {
    name: 'prod-argo-blue-green',
    base: 'prod',
    release: `strategy: blue-green
      engine: argo-rollouts`,
    edit: (text) => text.replace('  trading-api:\n', '  trading-api:\n    image: ghcr.io/acme-trading/trading-api:1.4.2\n'),
  },
];

for (const v of VARIANTS) {
  let text = readFileSync(join(project.root, 'environments', `${v.base}.yaml`), 'utf8').replace(/^namespace: .*$/m, `namespace: variant-${v.name}`);
  if (v.release) text = text.replace(/    release:\n(      .*\n|\s*#.*\n)*/, `    release:\n      ${v.release}\n`);
  if (v.edit) text = v.edit(text);
  writeFileSync(join(project.root, 'environments', `${v.name}.yaml`), text);
}
const synth = cli(project.root, ['synth']);

describe.concurrent('variants of the environments on Kubernetes', () => {
  it('synthesize', () => {
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
  });
  it.each(VARIANTS.map((v) => v.name))('%s: every object accepted without a warning, every workload healthy', async (environment) => {
    expect(synth.status).toBe(0);
    const report = await applyEnvironment(client, { distRoot: project.out, environment, tool: 'argocd', stageTimeoutMs: 60_000 });
    record(inject('recordDir'), `variant-${environment}`, applyRecord(report));
    expect(report.rejected).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.health.problems).toEqual([]);
  });
});
