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
import { record } from './record';

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

const VARIANTS: readonly Variant[] = [
  {
    // The idle colour scaled down while a release is staged on it.
    name: 'prod-idle', base: 'prod',
    release: `strategy: blue-green
      engine: service-switch
      activeColor: blue
      blueImage: ghcr.io/acme-trading/trading-api:1.4.2
      greenImage: ghcr.io/acme-trading/trading-api:1.5.0
      releaseColor: green
      scaleDownIdle: true
      previewHost: preview.api.trading.example.com`,
  },
  {
    // The same after the switch: the old colour at zero, the preview Service without endpoints (nothing is
    // sent there: the smoke check follows the release onto the public Service).
    name: 'prod-idle-switched', base: 'prod',
    release: `strategy: blue-green
      engine: service-switch
      activeColor: green
      blueImage: ghcr.io/acme-trading/trading-api:1.4.2
      greenImage: ghcr.io/acme-trading/trading-api:1.5.0
      releaseColor: green
      scaleDownIdle: true
      previewHost: preview.api.trading.example.com`,
  },
  {
    name: 'staging-weighted', base: 'staging',
    release: `strategy: canary
      engine: weighted
      stableImage: ghcr.io/acme-trading/trading-api:1.4.2
      canaryImage: ghcr.io/acme-trading/trading-api:1.5.0
      canaryWeight: 10`,
    edit: (text) => text.replace(/^    image: .*\n/m, ''),
  },
  {
    // With NodeLocal DNSCache's address as the cluster DNS, too.
    name: 'staging-ingress', base: 'staging',
    release: 'strategy: rolling',
    edit: (text) => `${text.replace(/    exposure:\n(      .*\n)+/, '    exposure:\n      ingress:\n        hosts: [api.staging.trading.example.com]\n')}dns: { cidr: 169.254.20.10/32 }\n`,
  },
  {
    name: 'prod-argo-blue-green', base: 'prod',
    release: `strategy: blue-green
      engine: argo-rollouts`,
    edit: (text) => text.replace('  trading-api:\n', '  trading-api:\n    image: ghcr.io/acme-trading/trading-api:1.4.2\n'),
  },
];

for (const v of VARIANTS) {
  let text = readFileSync(join(project.root, 'environments', `${v.base}.yaml`), 'utf8')
    .replace(/^namespace: .*$/m, `namespace: variant-${v.name}`);
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
    record(inject('recordDir'), `variant-${environment}`, {
      applied: report.applied, rejected: report.rejected.length, warnings: report.warnings.length,
      healthy: report.health.healthy.length, unhealthy: report.health.problems.length,
    });
    expect(report.rejected).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.health.problems).toEqual([]);
  });
});
