/**
 * prod's Service-switch blue-green, driven the way a release is: the release staged on the idle colour (the
 * preview Service gets the new colour's endpoints, the smoke Job runs against it and completes), then a second
 * commit flips `activeColor` and the GitOps tool applies it while the test watches the public Service's
 * endpoints: never a moment without a ready endpoint, every endpoint on the new colour after, the old colour
 * still ready for a rollback (or, with `scaleDownIdle`, scaled down only once the new colour serves).
 * prod's file runs with `releaseMinReplicas: 3` (a documented option) so the staged colour is not 20 pods.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, KubeObject } from '../../src/cli/cluster/api-client';
import { cli, scratchProject } from '../support/project';
import { applyEnvironment, environmentObjects } from './gitops-apply';
import { applyRecord, record } from './record';

const client = new ApiClient(inject('apiUrl'));
const project = scratchProject();
afterAll(() => rmSync(project.root, { recursive: true, force: true }));

interface Endpoints {
  subsets?: Array<{ addresses?: Array<{ ip: string; targetRef?: { name: string } }> }>;
}
interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { podIP?: string; conditions?: Array<{ type: string; status: string }> };
}
type Deployment = KubeObject & { spec: { replicas?: number }; status?: { readyReplicas?: number } };

/** prod's file in namespace `switch-<name>`: the release staged on green; `switched` makes green live. */
function environmentFile(name: string, switched: boolean, scaleDownIdle: boolean): string {
  const text = readFileSync(join(project.root, 'environments', 'prod.yaml'), 'utf8');
  for (const s of ['      activeColor: blue\n', '      releaseColor: green\n'])
    if (!text.includes(s)) throw new Error(`prod.yaml has no "${s.trim()}"`);
  return text
    .replace(/^namespace: .*$/m, `namespace: switch-${name}`)
    .replace(
      '      releaseColor: green\n',
      `      releaseColor: green\n      releaseMinReplicas: 3\n${scaleDownIdle ? '      scaleDownIdle: true\n' : ''}`,
    )
    .replace('      activeColor: blue\n', `      activeColor: ${switched ? 'green' : 'blue'}\n`);
}

function synth(cases: ReadonlyArray<{ name: string; switched: boolean; scaleDownIdle: boolean }>): string {
  for (const c of cases)
    writeFileSync(join(project.root, 'environments', `switch-${c.name}.yaml`), environmentFile(c.name, c.switched, c.scaleDownIdle));
  const r = cli(project.root, ['synth']);
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  return project.out;
}

/** The ready pods behind a Service, by colour (the `version` label). */
async function endpointsByColour(ns: string, service: string): Promise<Record<string, number>> {
  const [ep, pods] = await Promise.all([client.get<Endpoints>('v1', 'Endpoints', ns, service), client.list<Pod>('v1', 'Pod', ns)]);
  const colour = new Map(pods.map((p) => [p.metadata.name, p.metadata.labels?.version ?? '?']));
  const out: Record<string, number> = {};
  for (const a of (ep?.subsets ?? []).flatMap((s) => s.addresses ?? [])) {
    const c = colour.get(a.targetRef?.name ?? '') ?? '?';
    out[c] = (out[c] ?? 0) + 1;
  }
  return out;
}

const CASES = [
  { name: 'keep', scaleDownIdle: false },
  { name: 'idle', scaleDownIdle: true },
] as const;

describe.concurrent("prod's Service switch on Kubernetes", () => {
  const staged = synth(CASES.map((c) => ({ ...c, switched: false })));
  const stagedObjects = Object.fromEntries(CASES.map((c) => [c.name, environmentObjects(staged, `switch-${c.name}`)]));
  // The switched files are written into a second project, so both dist/ trees exist at once.
  const switchedProject = scratchProject();
  afterAll(() => rmSync(switchedProject.root, { recursive: true, force: true }));
  for (const c of CASES) {
    writeFileSync(join(switchedProject.root, 'environments', `switch-${c.name}.yaml`), environmentFile(c.name, true, c.scaleDownIdle));
  }
  const switchedSynth = cli(switchedProject.root, ['synth']);

  it.each(CASES)('$name: staged on green, smoke-checked through the preview, then flipped with no moment without endpoints', async (c) => {
    const ns = `switch-${c.name}`;
    expect(switchedSynth.status, switchedSynth.stderr).toBe(0);
    const first = await applyEnvironment(client, { distRoot: staged, environment: ns, tool: 'argocd', stageTimeoutMs: 180_000 });
    record(inject('recordDir'), `switch-${c.name}-staged`, applyRecord(first));
    expect(first.rejected).toEqual([]);
    expect(first.health.problems).toEqual([]);
    // Staged: the public Service on blue only, the preview on green only, the smoke Job aimed at the preview and complete.
    expect(Object.keys(await endpointsByColour(ns, 'trading-api'))).toEqual(['blue']);
    expect(Object.keys(await endpointsByColour(ns, 'trading-api-preview'))).toEqual(['green']);
    const smoke = await client.get<KubeObject & { spec: unknown; status?: { succeeded?: number } }>('batch/v1', 'Job', ns, 'trading-api-smoke-test');
    expect(JSON.stringify(smoke?.spec)).toContain('//trading-api-preview');
    expect(smoke?.status?.succeeded).toBe(1);

    // The flip, applied while the public Service's endpoints are watched.
    const seen: Array<Record<string, number>> = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        seen.push(await endpointsByColour(ns, 'trading-api'));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const second = await applyEnvironment(client, {
      distRoot: switchedProject.out,
      environment: ns,
      tool: 'argocd',
      previous: stagedObjects[c.name],
      stageTimeoutMs: 180_000,
    });
    // A little longer: a scale-down of the old colour comes after the apply.
    await new Promise((r) => setTimeout(r, 5_000));
    watching = false;
    await watcher;
    record(inject('recordDir'), `switch-${c.name}-flipped`, applyRecord(second));
    expect(second.rejected).toEqual([]);
    expect(second.health.problems).toEqual([]);
    const empty = seen.filter((s) => Object.values(s).reduce((a, b) => a + b, 0) === 0);
    expect(empty.length, `${seen.length} looks at the endpoints`).toBe(0);
    expect(seen.some((s) => s.green && !s.blue)).toBe(true);
    expect(Object.keys(await endpointsByColour(ns, 'trading-api'))).toEqual(['green']);
    const blue = await client.get<Deployment>('apps/v1', 'Deployment', ns, 'trading-api-blue');
    if (c.scaleDownIdle) {
      expect(blue?.spec.replicas).toBe(0);
    } else {
      // The old colour stays ready: the rollback is the flip back.
      expect(blue?.status?.readyReplicas ?? 0).toBeGreaterThan(0);
    }
  });
});
