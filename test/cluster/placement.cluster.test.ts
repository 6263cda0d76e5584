/**
 * Spread over nodes some of which are tainted (dedicated to other work): the API's `DoNotSchedule` spread over
 * hostnames must still place more pods than there are untainted nodes. Without `nodeTaintsPolicy: Honor`
 * the tainted nodes count as empty domains, the global minimum stays 0, and every pod past one per
 * untainted node stays Pending.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../../src/cli/cluster/api-client';
import { cli, scratchProject } from '../support/project';
import { ZONES } from './control-plane';
import { applyEnvironment } from './gitops-apply';

const client = new ApiClient(inject('apiUrl'));
const project = scratchProject();
const TAINTED_ZONE = ZONES[ZONES.length - 1];
const taint = { key: 'dedicated', value: 'batch', effect: 'NoSchedule' };

async function setTaints(on: boolean): Promise<void> {
  const nodes = await client.list<{ metadata: { name: string; labels: Record<string, string> } }>('v1', 'Node');
  for (const n of nodes.filter((x) => x.metadata.labels['topology.kubernetes.io/zone'] === TAINTED_ZONE)) {
    const r = await client.send(
      'PATCH',
      `/api/v1/nodes/${n.metadata.name}`,
      { spec: { taints: on ? [taint] : null } },
      'application/merge-patch+json',
    );
    expect(r.status).toBe(200);
  }
}

beforeAll(() => setTaints(true));
afterAll(async () => {
  await setTaints(false);
  rmSync(project.root, { recursive: true, force: true });
});

describe('spread over partly tainted nodes', () => {
  it('places six API pods on the four untainted nodes of a six-node cluster', async () => {
    // Staging's service, rolling, at a fixed six replicas, in a namespace of its own.
    const file = join(project.root, 'environments', 'spread.yaml');
    writeFileSync(
      file,
      readFileSync(join(project.root, 'environments', 'staging.yaml'), 'utf8')
        .replace(/^namespace: .*$/m, 'namespace: spread-test')
        .replace(/    release:\n(      .*\n|\s*#.*\n)*/, '    replicas: 6\n    release:\n      strategy: rolling\n'),
    );
    const synth = cli(project.root, ['synth', '--env', 'spread']);
    expect(synth.stderr).toBe('');
    const deployment = readFileSync(join(project.out, 'spread', '50-application', 'deployment-trading-api.yaml'), 'utf8');
    expect(deployment).toContain('whenUnsatisfiable: DoNotSchedule');
    const report = await applyEnvironment(client, { distRoot: project.out, environment: 'spread', tool: 'argocd', stageTimeoutMs: 60_000 });
    expect(report.rejected).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.health.problems).toEqual([]);
    const pods = await client.list<{
      spec: { nodeName?: string };
      metadata: { labels?: Record<string, string>; ownerReferences?: Array<{ kind: string }> };
    }>('v1', 'Pod', 'spread-test');
    // The API's pods (staging also runs the frontend, released after it).
    const api = pods.filter(
      (p) => p.metadata.ownerReferences?.[0]?.kind === 'ReplicaSet' && p.metadata.labels?.['app.kubernetes.io/name'] === 'trading-api',
    );
    expect(api).toHaveLength(6);
    expect(api.every((p) => p.spec.nodeName !== undefined && !p.spec.nodeName.includes(TAINTED_ZONE))).toBe(true);
  });
});
