import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Exposure } from '../src/api-service/exposure';
import { environmentProblems } from '../src/config/build';
import { applySyncWaves } from '../src/gitops/sync-waves';
import { loadEnvironments, loadProject, renderEnvironment, renderGitOps } from '../src/synth/project';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { at, parseMap } from './support/yaml';
import { all, errorOf, Obj, one } from './support/render';

// Seed 002's staged release: the backend first, 60 s of stable health, then the frontend.
const API = 'ghcr.io/acme/trading-api:1.4.2';
const WEB = 'ghcr.io/acme/trading-web:2.8.0';
const WAVE = 'argocd.argoproj.io/sync-wave';
const HOOK = 'argocd.argoproj.io/hook';

interface Built {
  readonly api: TradingBackend;
  readonly web: TradingBackend;
}

function build(scope: Construct, apiImage = API, stage: (b: Built) => void = (b) => b.web.releaseAfter(b.api)): Built {
  const api = new TradingBackend(scope, 'trading-api', { image: apiImage });
  const web = new TradingBackend(scope, 'trading-web', {
    image: WEB,
    port: 3000,
    exposure: Exposure.gateway({ gatewayName: 'public', gatewayNamespace: 'gateway-system', hosts: ['trading.example.com'] }),
  });
  const built = { api, web };
  stage(built);
  return built;
}

/** The chart with the waves GitOpsApp gives it. */
function staged(apiImage = API, stage?: (b: Built) => void): Obj[] {
  const chart = new Chart(new App(), 'test', { namespace: 'trading-test', disableResourceNameHashes: true });
  build(chart, apiImage, stage);
  applySyncWaves(chart);
  return chart.toJson() as Obj[];
}

const waveOf = (o: { metadata: { annotations?: Record<string, string> } }): string | undefined => o.metadata.annotations?.[WAVE];

describe('a service that releases after another', () => {
  it('moves its workloads, Service and route after a wait hook, and leaves the first service where it was', () => {
    const objects = staged();
    expect(waveOf(one(objects, 'Deployment', 'trading-web'))).toBe('4');
    expect(waveOf(one(objects, 'Service', 'trading-web'))).toBe('4');
    expect(waveOf(one(objects, 'HTTPRoute', 'trading-web'))).toBe('4');
    expect(waveOf(one(objects, 'Deployment', 'trading-api'))).toBe('1');
    const wait = one(objects, 'Job', 'trading-web-release-wait');
    expect(wait.metadata.annotations?.[HOOK]).toBe('Sync');
    expect(waveOf(wait)).toBe('3');
    const container = wait.spec.template.spec.containers[0];
    expect(container.env).toEqual([
      { name: 'WAIT_URL', value: 'http://trading-api.trading-test.svc:8080/health' },
      { name: 'WAIT_SECONDS', value: '60' },
    ]);
    expect(wait.spec.backoffLimit).toBe(0);
    expect(wait.spec.activeDeadlineSeconds).toBeGreaterThan(60);
  });

  it('lets the wait reach the first service, and nothing else', () => {
    const objects = staged();
    const waitPolicy = one(objects, 'NetworkPolicy', 'trading-web-release-wait');
    const waitLabels = one(objects, 'Job', 'trading-web-release-wait').spec.template.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(waitPolicy.spec.podSelector.matchLabels ?? {})) expect(waitLabels[k]).toBe(v);
    const toApi = (waitPolicy.spec.egress ?? []).find((r) => r.ports?.some((p) => p.port === 8080));
    expect(toApi?.to?.[0]?.podSelector?.matchLabels?.['app.kubernetes.io/name']).toBe('trading-api');
    const apiPolicy = one(objects, 'NetworkPolicy', 'trading-api');
    const admitted = (apiPolicy.spec.ingress ?? []).some((r) =>
      r.from?.some((p) => p.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'trading-web-release-wait'),
    );
    expect(admitted).toBe(true);
  });

  it('waits again for each release of the first service, not for the second one alone', () => {
    const revision = (objects: Obj[]): string | undefined =>
      one(objects, 'Job', 'trading-web-release-wait').spec.template.metadata?.annotations?.['cdk8s-trading/release-wait-revision'];
    const before = revision(staged());
    expect(before).toMatch(/^[0-9a-f]{16}$/);
    expect(revision(staged('ghcr.io/acme/trading-api:1.5.0'))).not.toBe(before);
    expect(revision(staged())).toBe(before);
  });

  it('with a stabilization of 0 keeps the order without a wait', () => {
    const objects = staged(API, (b) => b.web.releaseAfter(b.api, { stabilization: Duration.seconds(0) }));
    expect(all(objects, 'Job')).toEqual([]);
    expect(waveOf(one(objects, 'Deployment', 'trading-web'))).toBe('4');
  });

  it('counts its wait Job against the quota, in both doors', () => {
    const demands = (stage: (b: Built) => void): string[] => {
      const chart = new Chart(new App(), 'test', { namespace: 'trading-test' });
      const { web } = build(chart, API, stage);
      return web.podDemands().map((d) => `${d.who} ${d.pods}`);
    };
    expect(demands((b) => b.web.releaseAfter(b.api))).toContain('trading-web release-wait 1');
    expect(demands((b) => b.web.releaseAfter(b.api, { stabilization: Duration.seconds(0) }))).not.toContain('trading-web release-wait 1');
    const doc = parseMap(prod);
    doc.quota = { pods: 1 };
    const needed = (): number =>
      Number(/set quota\.pods to at least (\d+)/.exec(environmentProblems('prod', FILE, JSON.stringify(doc)).join('\n'))?.[1]);
    const withWait = needed();
    at(doc, 'services', 'trading-web').releaseAfter = { service: 'trading-api', stabilizationSeconds: 0 };
    expect(needed()).toBe(withWait - 1);
  });

  it('rejects what cannot be ordered, naming the prop', () => {
    const fails = (stage: (b: Built) => void): string => errorOf(() => staged(API, stage)).message;
    expect(fails((b) => b.web.releaseAfter(b.web))).toContain('releaseAfter: names this service itself');
    expect(
      fails((b) => {
        b.web.releaseAfter(b.api);
        b.web.releaseAfter(b.api);
      }),
    ).toContain('releaseAfter: is called twice');
    expect(fails((b) => b.web.releaseAfter(b.api, { stabilization: Duration.hours(2) }))).toContain('releaseAfter.stabilization:');
    expect(fails((b) => b.web.releaseAfter(b.api, { image: 'curlimages/curl' }))).toContain('releaseAfter.image:');
    const other = new Chart(new App(), 'other');
    const elsewhere = new TradingBackend(other, 'elsewhere', { image: API });
    expect(fails((b) => b.web.releaseAfter(elsewhere))).toContain('is in another chart');
  });

  it('rejects a chain on the finished tree, whichever call came first', () => {
    const app = new App();
    const chart = new Chart(app, 'test', { namespace: 'trading-test' });
    const { api, web } = build(chart, API, () => undefined);
    const admin = new TradingBackend(chart, 'admin', { image: API });
    admin.releaseAfter(web);
    web.releaseAfter(api);
    expect(errorOf(() => app.synth()).message).toContain('releaseAfter: trading-web itself releases after trading-api');
  });
});

const FILE = 'environments/prod.yaml';
const prod = readFileSync(join(__dirname, '..', 'environments', 'prod.yaml'), 'utf8');

describe('releaseAfter in an environment file', () => {
  it('names the field of each problem', () => {
    const doc = parseMap(prod);
    at(doc, 'services', 'trading-web').releaseAfter = { service: 'trading-ap', stabilizationSeconds: 7200, image: 'curl:latest' };
    const problems = environmentProblems('prod', FILE, JSON.stringify(doc));
    expect(problems).toEqual([
      `${FILE}: services.trading-web.releaseAfter.stabilizationSeconds: 7200 is out of range: use 0 to 300 seconds (5m)`,
      `${FILE}: services.trading-web.releaseAfter.image: "curl:latest" uses the "latest" tag: pin a version or a digest; "latest" is allowed only in dev`,
      `${FILE}: services.trading-web.releaseAfter.service: "trading-ap" is not a service of this environment; use one of trading-api`,
    ]);
  });

  it('rejects itself and a chain', () => {
    const doc = parseMap(prod);
    at(doc, 'services', 'trading-web').releaseAfter = { service: 'trading-web' };
    expect(environmentProblems('prod', FILE, JSON.stringify(doc))).toEqual([
      `${FILE}: services.trading-web.releaseAfter.service: "trading-web" is this service: name the service to release after (one of trading-api)`,
    ]);
    const chain = parseMap(prod);
    at(chain, 'services', 'trading-api').releaseAfter = { service: 'trading-web' };
    expect(environmentProblems('prod', FILE, JSON.stringify(chain))).toEqual([
      `${FILE}: services.trading-api.releaseAfter.service: "trading-web" itself releases after "trading-api": release both after the same service, or merge the stages`,
      `${FILE}: services.trading-web.releaseAfter.service: "trading-api" itself releases after "trading-web": release both after the same service, or merge the stages`,
    ]);
  });
});

describe('the reference deployment: the frontend releases after the API', () => {
  const root = join(__dirname, '..');
  it.each(['staging', 'prod'])('%s: a wait stage between the API and the frontend, in Argo CD waves and Flux stages', (name) => {
    const environment = loadEnvironments(root).find((e) => e.name === name);
    if (!environment) throw new Error(name);
    const files = renderEnvironment(environment).files;
    const folderOf = (path: string): string => path.split('/')[0];
    const objects = files.map((f) => ({ path: f.path, o: parse(f.content) as Obj }));
    const find = (kind: string, objectName: string) => objects.find((x) => x.o.kind === kind && x.o.metadata.name === objectName);
    expect(folderOf(find('Deployment', 'trading-web')?.path ?? '')).toBe('80-staged-application');
    expect(folderOf(find('Job', 'trading-web-release-wait')?.path ?? '')).toBe('70-release-wait');
    const api = find('Rollout', 'trading-api') ?? find('Deployment', 'trading-api-blue');
    expect(folderOf(api?.path ?? '')).toBe('50-application');
    const wait = find('Job', 'trading-web-release-wait')?.o as unknown as { spec: { template: { spec: { containers: Array<{ env: unknown }> } } } };
    expect(wait.spec.template.spec.containers[0].env).toContainEqual({ name: 'WAIT_SECONDS', value: '60' });

    const project = loadProject(root);
    const stageFolders = new Map(project.environments.map((e) => [e.name, [...new Set(renderEnvironment(e).files.map((f) => folderOf(f.path)))]]));
    const flux = renderGitOps(project.gitops ?? (undefined as never), project.environments, stageFolders)
      .flatMap((folder) => folder.files)
      .map((f) => parse(f.content) as Obj & { spec: { dependsOn?: Array<{ name: string }>; force?: boolean } })
      .filter((o) => o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io'));
    const stage = (s: string) => flux.find((k) => k.metadata.name === `trading-${name}-${s}`);
    expect(stage('release-wait')?.spec.force).toBe(true);
    expect(stage('staged-application')?.spec.dependsOn).toEqual([{ name: `trading-${name}-release-wait` }]);
    expect(stage('release-wait')?.spec.dependsOn?.[0]?.name).toMatch(new RegExp(`^trading-${name}-(smoke-test|application)$`));
  });
});

describe('releaseMinReplicas in an environment file', () => {
  it("is the release colour's HPA minimum, judged against the service's autoscaling at its field", () => {
    const doc = parseMap(prod);
    (at(doc, 'services', 'trading-api').release as Record<string, unknown>).releaseMinReplicas = 30;
    expect(environmentProblems('prod', FILE, JSON.stringify(doc))).toEqual([
      `${FILE}: services.trading-api.release.releaseMinReplicas: 30 is outside the service's autoscaling range 3 to 20 (minReplicas and maxReplicas are the prod tier's defaults, not set in autoscaling): use a count in it`,
    ]);
  });
});
