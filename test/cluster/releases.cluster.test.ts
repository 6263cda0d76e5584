/**
 * Releases under the controllers that execute them: the Argo Rollouts controller (built from its Go module)
 * with a Gateway API traffic-router plugin rewriting the HTTPRoute's weights, analysis against a Prometheus
 * stand-in the test scripts, on staging's environment file (its canary with Gateway API routing) copied into
 * namespaces of their own. Waits are shortened only through the environment file's documented options
 * (`steps` pauses, `analysis.interval`, `count`, `initialDelay`, `scaleDownDelaySeconds`).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, KubeObject } from '../../src/cli/cluster/api-client';
import { cli, scratchProject } from '../support/project';
import { ensurePrograms } from './components';
import { waitFor } from './control-plane';
import { Program, startArgoRollouts } from './controllers';
import { applyEnvironment, environmentObjects, GitOpsTool } from './gitops-apply';
import { PrometheusStandIn, Script } from './prometheus';
import { applyRecord, record } from './record';

const client = new ApiClient(inject('apiUrl'));
const project = scratchProject();
const prometheus = new PrometheusStandIn();
let rollouts: Program | undefined;
const started = Date.now();

const GOOD: Script = { successRate: { value: 1 }, latencyP95: { value: 0.12 } };

/** A scenario: staging's file in namespace `rel-<name>`, its canary shortened through documented options. */
interface Scenario {
  readonly name: string;
  readonly script?: Script;
  /** Another Prometheus address than the stand-in's. */
  readonly prometheusAddress?: string;
  /** The `release:` block (indented under the service) instead of the short canary. */
  readonly release?: string;
  /** When the release has played out, given the stable ReplicaSet before it. */
  readonly until: (r: Rollout, before: string | undefined) => boolean;
  /** How the folder is applied (Argo CD's client-side apply, or Flux's server-side apply). @default 'argocd' */
  readonly tool?: GitOpsTool;
}

/**
 * Once Argo Rollouts has narrowed a Service to one ReplicaSet, no apply of the GitOps tool widens it again:
 * not in any sample, and not between samples (Argo's `SwitchService` event from no hash, which it records
 * each time it has to narrow a Service again, happened once per Service, at install). For a Flux scenario,
 * the commit was applied a second time while the release ran.
 */
async function expectServicesNeverWidened(name: string, samples: readonly Sample[]): Promise<void> {
  expect(widened(samples)).toEqual([]);
  const events = await client.list<Event & { count?: number }>('v1', 'Event', `rel-${name}`);
  const fromNothing = events.filter((e) => e.reason === 'SwitchService' && / from '' to /.test(e.message ?? ''));
  const perService = new Map<string, number>();
  for (const e of fromNothing) {
    const service = /service '([^']+)'/.exec(e.message ?? '')?.[1] ?? '?';
    perService.set(service, (perService.get(service) ?? 0) + (e.count ?? 1));
  }
  expect([...perService].filter(([, n]) => n > 1)).toEqual([]);
  if (SCENARIOS.find((s) => s.name === name)?.tool === 'flux') expect(reappliedMidRelease.has(name)).toBe(true);
}

const promoted = (r: Rollout, before: string | undefined): boolean => r.status?.phase === 'Healthy' && r.status.stableRS !== before;
const aborted = (r: Rollout): boolean => r.status?.abort === true && r.status.phase === 'Degraded';
const inconclusive = (r: Rollout): boolean => (r.status?.pauseConditions ?? []).some((c) => c.reason === 'InconclusiveAnalysisRun');

const SHORT_CANARY = `release:
      strategy: canary
      engine: argo-rollouts
      steps:
        - setWeight: 10
        - pause: 3s
        - analysis: true
        - setWeight: 25
        - pause: 3s
        - setWeight: 50
        - pause: 3s
      analysis:
        interval: 3s
        count: 3
        failureLimit: 1
        inconclusiveLimit: 1
        initialDelay: 0s`;

const BLUE_GREEN = `release:
      strategy: blue-green
      engine: argo-rollouts
      autoPromotion: true
      scaleDownDelaySeconds: 10
      analysis:
        interval: 3s
        count: 3
        failureLimit: 1
        inconclusiveLimit: 1
        initialDelay: 0s`;

const SCENARIOS: readonly Scenario[] = [
  { name: 'canary-good', script: GOOD, until: promoted },
  // Flux applies server-side, and again at every interval while a release runs.
  { name: 'canary-flux', script: GOOD, until: promoted, tool: 'flux' },
  { name: 'canary-5xx', script: { successRate: { value: 0.62 }, latencyP95: { value: 0.12 } }, until: aborted },
  { name: 'canary-empty', script: { successRate: { empty: true }, latencyP95: { empty: true } }, until: inconclusive },
  { name: 'canary-nan', script: { successRate: { nan: true }, latencyP95: { nan: true } }, until: inconclusive },
  // Nothing listens on port 9 of loopback: every measurement is an error.
  { name: 'canary-down', prometheusAddress: 'http://127.0.0.1:9', until: (r) => r.status?.abort === true },
  { name: 'blue-green', script: GOOD, until: promoted, release: BLUE_GREEN },
  { name: 'blue-green-flux', script: GOOD, until: promoted, release: BLUE_GREEN, tool: 'flux' },
];
const toolOf = (s: Scenario): GitOpsTool => s.tool ?? 'argocd';

// `rel-<name>`: an environment file's name is at most 22 characters (it names GitOps objects and labels).
const namespaceOf = (s: Scenario): string => `rel-${s.name}`;
const IMAGE = 'ghcr.io/acme-trading/trading-api:1.4.2';
const NEXT_IMAGE = 'ghcr.io/acme-trading/trading-api:1.4.3';

/** staging's environment file for a scenario, with the API at `image`. */
function environmentFile(s: Scenario, image: string, address: string): string {
  const text = readFileSync(join(project.root, 'environments', 'staging.yaml'), 'utf8');
  const release = /    release:\n(      .*\n|\s*#.*\n)*/;
  if (!release.test(text) || !text.includes(IMAGE) || !text.includes('  trading-web:\n')) throw new Error('staging.yaml changed shape');
  return (
    text
      .replace(/^namespace: .*$/m, `namespace: ${namespaceOf(s)}`)
      // The frontend's staged release is exercised by the install tests; here only the API releases.
      .replace(/  # The web frontend[^\n]*\n(  #.*\n)*  trading-web:\n(    .*\n|\s*#.*\n|\s*\n)*/, '')
      .replace(release, `    ${s.release ?? SHORT_CANARY}\n`)
      .replace(IMAGE, image) + `monitoring:\n  prometheusAddress: ${s.prometheusAddress ?? address}\n`
  );
}

function synth(image: (s: Scenario) => string): string {
  for (const s of SCENARIOS)
    writeFileSync(join(project.root, 'environments', `${namespaceOf(s)}.yaml`), environmentFile(s, image(s), prometheus.address));
  const r = cli(project.root, ['synth']);
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  return project.out;
}

interface RolloutStatus {
  phase?: string;
  message?: string;
  abort?: boolean;
  currentStepIndex?: number;
  stableRS?: string;
  currentPodHash?: string;
  pauseConditions?: Array<{ reason: string }>;
  canary?: { weights?: { canary: { weight: number; podTemplateHash?: string }; stable: { weight: number } } };
  blueGreen?: { activeSelector?: string; previewSelector?: string };
}
type Rollout = KubeObject & { spec: { strategy: { canary?: { steps?: unknown[] } } }; status?: RolloutStatus };
type Route = KubeObject & { spec: { rules: Array<{ backendRefs: Array<{ name: string; weight?: number }> }> } };
interface Run {
  metadata: { name: string; labels?: Record<string, string>; creationTimestamp: string };
  spec: { metrics: Array<{ name: string }> };
  status?: {
    phase?: string;
    message?: string;
    metricResults?: Array<{ name: string; phase: string; measurements?: Array<{ phase: string; value?: string }> }>;
  };
}
interface ReplicaSet {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { replicas?: number };
  status?: { readyReplicas?: number; replicas?: number };
}
type Svc = KubeObject & { spec: { selector?: Record<string, string> } };
interface Event {
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string };
}

const rollout = (ns: string): Promise<Rollout | undefined> => client.get<Rollout>('argoproj.io/v1alpha1', 'Rollout', ns, 'trading-api');
const route = (ns: string): Promise<Route | undefined> => client.get<Route>('gateway.networking.k8s.io/v1', 'HTTPRoute', ns, 'trading-api');
const runs = (ns: string): Promise<Run[]> => client.list<Run>('argoproj.io/v1alpha1', 'AnalysisRun', ns);
const replicaSets = (ns: string): Promise<ReplicaSet[]> => client.list<ReplicaSet>('apps/v1', 'ReplicaSet', ns);
const hashOf = (rs: ReplicaSet): string | undefined => rs.metadata.labels?.['rollouts-pod-template-hash'];

/** The canary backend's weight in the route (the stable one is 100 minus it, checked too). */
function canaryWeight(r: Route | undefined): number | undefined {
  const refs = r?.spec.rules[0]?.backendRefs ?? [];
  const canary = refs.find((b) => b.name === 'trading-api-canary')?.weight;
  const stable = refs.find((b) => b.name === 'trading-api')?.weight;
  if (canary === undefined || stable === undefined) return undefined;
  if (canary + stable !== 100) throw new Error(`the route's weights do not add up: canary ${canary}, stable ${stable}`);
  return canary;
}

/** One look at a release in progress. */
interface Sample {
  readonly at: number;
  readonly step?: number;
  readonly phase?: string;
  readonly weight?: number;
  readonly abort?: boolean;
  /** Ready pods per ReplicaSet hash. */
  readonly ready: Record<string, number>;
  /** The ReplicaSet hash each Service of the namespace selects (undefined: all the service's pods). */
  readonly selects: Record<string, string | undefined>;
}

/** Samples a release until `done` holds of the Rollout (or the time runs out). */
async function watch(ns: string, done: (r: Rollout) => boolean, timeoutMs: number): Promise<{ samples: Sample[]; last: Rollout }> {
  const samples: Sample[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // The route first: Argo moves it only after it wrote the step that sets the weight, so a route read before the
    // Rollout never shows a weight ahead of the step read with it.
    const rt = await route(ns);
    const [r, sets, services] = await Promise.all([rollout(ns), replicaSets(ns), client.list<Svc>('v1', 'Service', ns)]);
    if (!r) throw new Error(`${ns}: the Rollout is gone`);
    samples.push({
      at: Date.now(),
      step: r.status?.currentStepIndex,
      phase: r.status?.phase,
      weight: canaryWeight(rt),
      abort: r.status?.abort,
      ready: Object.fromEntries(sets.filter(hashOf).map((s) => [hashOf(s), s.status?.readyReplicas ?? 0])),
      selects: Object.fromEntries(services.map((svc) => [svc.metadata.name, svc.spec.selector?.['rollouts-pod-template-hash']])),
    });
    if (done(r)) return { samples, last: r };
    if (Date.now() > deadline) {
      throw new Error(
        `${ns}: timed out; last status ${JSON.stringify(r.status)}; weights seen ${[...new Set(samples.map((s) => s.weight))].join(', ')}`,
      );
    }
    await new Promise((res) => setTimeout(res, 300));
  }
}

/** Weights in the order first seen, repeats collapsed. */
const weightsSeen = (samples: readonly Sample[]): number[] =>
  samples.map((s) => s.weight).filter((w, i, all): w is number => w !== undefined && w !== all[i - 1]);

/** Pods refused in the namespace (quota, LimitRange, PodSecurity): the ReplicaSet controller's FailedCreate events. */
async function refusedPods(ns: string): Promise<string[]> {
  const events = await client.list<Event>('v1', 'Event', ns);
  return events.filter((e) => e.reason === 'FailedCreate').map((e) => `${e.involvedObject?.kind}/${e.involvedObject?.name}: ${e.message}`);
}

const installed = new Map<string, KubeObject[]>();
/** The Flux scenarios whose release had the commit applied a second time while it ran. */
const reappliedMidRelease = new Set<string>();

/** A release between its start and its end: a canary with some traffic, a blue-green with the preview on the new pods. */
function underWay(r: Rollout | undefined, rt: Route | undefined): boolean {
  const st = r?.status;
  if (!st?.currentPodHash || st.currentPodHash === st.stableRS) return false;
  if (st.blueGreen?.previewSelector !== undefined)
    return st.blueGreen.previewSelector === st.currentPodHash && st.blueGreen.activeSelector !== st.currentPodHash;
  return (canaryWeight(rt) ?? 0) > 0;
}

/** Services that selected one ReplicaSet in one sample and every pod of the service in a later one. */
function widened(samples: readonly Sample[]): string[] {
  const narrowed = new Set<string>();
  const found = new Set<string>();
  for (const s of samples) {
    for (const [name, hash] of Object.entries(s.selects)) {
      if (hash !== undefined) narrowed.add(name);
      else if (narrowed.has(name)) found.add(name);
    }
  }
  return [...found];
}
let firstDist = '';
/** Each scenario's release, watched from before the next release is applied: its samples, or what went wrong. */
const releases = new Map<string, Promise<{ samples: Sample[]; last: Rollout; before?: string } | Error>>();

async function played(name: string): Promise<{ samples: Sample[]; last: Rollout; before?: string }> {
  const r = await releases.get(name);
  if (!r) throw new Error(`${name}: not watched`);
  if (r instanceof Error) throw r;
  return r;
}

beforeAll(async () => {
  await prometheus.start();
  for (const s of SCENARIOS) if (s.script) prometheus.script(namespaceOf(s), s.script);
  rollouts = await startArgoRollouts(client, inject('kubeconfig'), ensurePrograms().paths);
  firstDist = synth(() => IMAGE);
  // Installed at the current image: a Rollout's first revision goes straight to full scale, no steps.
  await Promise.all(
    SCENARIOS.map(async (s) => {
      const report = await applyEnvironment(client, { distRoot: firstDist, environment: namespaceOf(s), tool: toolOf(s), stageTimeoutMs: 120_000 });
      record(inject('recordDir'), `rel-${s.name}`, applyRecord(report));
      if (report.rejected.length > 0 || report.health.problems.length > 0) {
        throw new Error(`${s.name}: install failed: ${JSON.stringify({ rejected: report.rejected, problems: report.health.problems })}`);
      }
      installed.set(s.name, environmentObjects(firstDist, namespaceOf(s)));
      await watch(namespaceOf(s), (r) => r.status?.phase === 'Healthy', 120_000);
    }),
  );
  // The next release: the image one patch newer, applied as the GitOps tool would, watched from before it lands.
  const next = synth(() => NEXT_IMAGE);
  for (const s of SCENARIOS) {
    const ns = namespaceOf(s);
    const before = (await rollout(ns))?.status?.stableRS;
    releases.set(
      s.name,
      watch(ns, (r) => s.until(r, before), 300_000).then(
        (w) => ({ ...w, before }),
        (e: Error) => e,
      ),
    );
  }
  await Promise.all(
    SCENARIOS.map(async (s) => {
      const ns = namespaceOf(s);
      const options = { distRoot: next, environment: ns, tool: toolOf(s), previous: installed.get(s.name), stageTimeoutMs: 5_000 };
      await applyEnvironment(client, options);
      if (toolOf(s) !== 'flux') return;
      // Flux applies the same commit again at its next interval, whatever the release is doing.
      // (A release that ends without ever being under way is left to the assertions on its analysis.)
      let ended = false;
      void releases.get(s.name)?.then(() => (ended = true));
      const seen = await waitFor(`${ns}: the new version taking traffic or previewed`, 120_000, async () =>
        ended ? 'ended' : underWay(await rollout(ns), await route(ns)) ? 'under way' : undefined,
      );
      if (seen === 'ended') return;
      await applyEnvironment(client, { ...options, previous: environmentObjects(next, ns) });
      reappliedMidRelease.add(s.name);
    }),
  );
}, 600_000);

afterAll(async () => {
  await rollouts?.stop();
  await prometheus.stop();
  rmSync(project.root, { recursive: true, force: true });
  console.log(`[cluster] release scenarios: ${((Date.now() - started) / 1000).toFixed(0)} s`);
});

describe.concurrent('releases under the Argo Rollouts controller', () => {
  it.each(['canary-good', 'canary-flux'])(
    '%s: smoke check at weight 0, then weights 10 → 25 → 50 on the HTTPRoute, then the new version is stable',
    async (name) => {
      const ns = `rel-${name}`;
      const { samples, last } = await played(name);
      expect(weightsSeen(samples).filter((w) => w > 0 && w < 100)).toEqual([10, 25, 50]);
      // Before the first setWeight (the smoke check's steps), the canary had no traffic.
      const beforeTraffic = samples.filter((s) => s.step !== undefined && s.step < 3);
      expect(beforeTraffic.length).toBeGreaterThan(0);
      expect(beforeTraffic.every((s) => s.weight === 0)).toBe(true);
      expect(last.status?.stableRS).toBe(last.status?.currentPodHash);
      // Fully promoted: Argo leaves the route as it was at the end (the canary backend at 100) and points both
      // Services at the new pods, so every backend of the route serves the new version. The controller moves the
      // Services at the start of a reconcile, from the stableRS the previous one wrote (rolloutCanary calls
      // reconcileStableAndCanaryService before syncRolloutStatusCanary, argo-rollouts v1.9.1 rollout/canary.go),
      // so they follow status.stableRS one reconcile later: wait for that, then require both on the new pods.
      const selectors = async (): Promise<Record<string, string | undefined>> => {
        const out: Record<string, string | undefined> = {};
        for (const svc of ['trading-api', 'trading-api-canary']) {
          const got = await client.get<KubeObject & { spec: { selector: Record<string, string> } }>('v1', 'Service', ns, svc);
          out[svc] = got?.spec.selector['rollouts-pod-template-hash'];
        }
        return out;
      };
      const expected = { 'trading-api': last.status?.stableRS, 'trading-api-canary': last.status?.stableRS };
      const settled = await waitFor('both Services on the new pods', 30_000, async () => {
        const now = await selectors();
        return now['trading-api'] === expected['trading-api'] && now['trading-api-canary'] === expected['trading-api-canary'] ? now : undefined;
      }).catch(async () => selectors());
      expect(settled).toEqual(expected);
      // The smoke check ran as a Job metric and passed while the canary had no traffic.
      const all = await runs(ns);
      const smoke = all.find((r) => r.spec.metrics.some((m) => m.name === 'smoke-test'));
      expect(smoke?.status?.phase).toBe('Successful');
      const metrics = all.find((r) => r.metadata.labels?.['rollout-type'] === 'Step' && r.spec.metrics.some((m) => m.name === 'success-rate'));
      expect(metrics?.status?.phase).toBe('Successful');
      expect(prometheus.queriesOf(ns).length).toBeGreaterThan(0);
      // The new pods' own series: the query selects them by the hash label Argo puts on them.
      expect(prometheus.queriesOf(ns).some((q) => q.query.includes(`rollouts_pod_template_hash="${last.status?.currentPodHash}"`))).toBe(true);
      // Quota and LimitRange admitted every pod of every step (the stable set stays at full size under traffic routing).
      expect(await refusedPods(ns)).toEqual([]);
      const peak = Math.max(...samples.map((s) => Object.values(s.ready).reduce((a, b) => a + b, 0)));
      expect(peak).toBeGreaterThan(2);
      await expectServicesNeverWidened(name, samples);
    },
  );

  it('canary, a 5xx ratio over the threshold: the analysis fails, the Rollout aborts and traffic returns to stable', async () => {
    const ns = 'rel-canary-5xx';
    const { samples, last, before } = await played('canary-5xx');
    await waitFor('the route back on stable', 60_000, async () => (canaryWeight(await route(ns)) === 0 ? true : undefined));
    expect(last.status?.stableRS).toBe(before);
    // Traffic reached the canary at 10 % only, never beyond.
    expect(Math.max(...samples.map((s) => s.weight ?? 0))).toBe(10);
    const failed = (await runs(ns)).filter((r) => r.status?.phase === 'Failed');
    expect(failed.length).toBeGreaterThan(0);
    // The subscription the release channel gets for this: Argo's on-rollout-aborted trigger fires on status.abort.
    const annotations = (last.metadata as { annotations?: Record<string, string> }).annotations ?? {};
    expect(annotations['notifications.argoproj.io/subscribe.on-rollout-aborted.slack']).toBe('trading-releases');
    expect(annotations['notifications.argoproj.io/subscribe.on-analysis-run-failed.slack']).toBe('trading-releases');
  });

  it.each(['canary-empty', 'canary-nan'])('%s: no data is inconclusive, never success: the Rollout pauses at weight 10', async (name) => {
    const ns = `rel-${name}`;
    const { last, before } = await played(name);
    expect(last.status?.stableRS).toBe(before);
    expect(canaryWeight(await route(ns))).toBeLessThanOrEqual(10);
    const inconclusive = (await runs(ns)).filter((r) => r.status?.phase === 'Inconclusive');
    expect(inconclusive.length).toBeGreaterThan(0);
    expect((await runs(ns)).some((r) => r.status?.phase === 'Successful' && r.spec.metrics.some((m) => m.name === 'success-rate'))).toBe(false);
  });

  it('canary, Prometheus unreachable: the measurements error, the analysis errors and the Rollout aborts', async () => {
    const ns = 'rel-canary-down';
    const { last, before } = await played('canary-down');
    await waitFor('the route back on stable', 60_000, async () => (canaryWeight(await route(ns)) === 0 ? true : undefined));
    expect(last.status?.stableRS).toBe(before);
    expect((await runs(ns)).some((r) => r.status?.phase === 'Error')).toBe(true);
  });

  it.each(['blue-green', 'blue-green-flux'])(
    '%s: preview at full size, smoke and metrics before promotion, the active Service switched, the old set scaled down after the delay',
    async (name) => {
      const ns = `rel-${name}`;
      const { samples, last, before } = await played(name);
      const next = last.status?.stableRS as string;
      // Before the switch, the preview ReplicaSet was at full size beside the active one.
      expect(samples.some((s) => (s.ready[next] ?? 0) >= 2 && (s.ready[before as string] ?? 0) >= 2)).toBe(true);
      const active = await client.get<KubeObject & { spec: { selector: Record<string, string> } }>('v1', 'Service', ns, 'trading-api');
      expect(active?.spec.selector['rollouts-pod-template-hash']).toBe(next);
      const all = await runs(ns);
      const shown = all.map((r) => `${r.metadata.name} ${r.metadata.labels?.['rollout-type']} ${r.status?.phase}`).join('; ');
      expect(
        all.some((r) => r.metadata.labels?.['rollout-type'] === 'PrePromotion' && r.status?.phase === 'Successful'),
        shown,
      ).toBe(true);
      expect(
        all.some((r) => r.metadata.labels?.['rollout-type'] === 'PostPromotion' && r.status?.phase === 'Successful'),
        shown,
      ).toBe(true);
      await waitFor('the old ReplicaSet scaled down after scaleDownDelaySeconds', 90_000, async () => {
        const old = (await replicaSets(ns)).find((s) => hashOf(s) === before);
        return old && (old.spec.replicas ?? 0) === 0 ? true : undefined;
      });
      expect(await refusedPods(ns)).toEqual([]);
      await expectServicesNeverWidened(name, samples);
    },
  );
});
