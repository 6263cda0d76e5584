import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadEnvironments, renderEnvironment } from '../src/synth/project';
import { modelProblems } from './support/models';
import { podSpecOf, restrictedViolations } from '../src/policy/pod-security-standards';
import { all, KindView, Obj, viewAs, one } from './support/render';
import { kustomizeFile } from './support/yaml';

const ROOT = join(__dirname, '..');

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix))
    .sort()
    .flatMap((e) =>
      statSync(join(dir, prefix, e)).isDirectory() ? filesUnder(dir, prefix ? `${prefix}/${e}` : e) : [prefix ? `${prefix}/${e}` : e],
    );
}
const environments = loadEnvironments(ROOT);
const rendered = new Map(environments.map((e) => [e.name, renderEnvironment(e)]));
const objectsOf = (env: string): Obj[] =>
  (rendered.get(env)?.files ?? [])
    .filter((f) => f.path.endsWith('.yaml') && !f.path.endsWith('kustomization.yaml'))
    .map((f) => parse(f.content) as Obj);
const workloadKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Rollout']);
/** The API's long-running workloads: one Deployment, two colours, or a Rollout. */
const apiWorkloads = (objects: Obj[]): Array<KindView<'Deployment' | 'Rollout'>> =>
  all(objects, 'Deployment', 'Rollout').filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] === 'trading-api');

const MATRIX = {
  dev: { replicas: 1, hpa: undefined, requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '1Gi' } },
  staging: { replicas: 2, hpa: undefined, requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2000m', memory: '2Gi' } },
  prod: { replicas: undefined, hpa: [3, 20], requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2000m', memory: '2Gi' } },
} as const;

it('has exactly the dev, staging and prod environments', () => {
  expect(environments.map((e) => e.name)).toEqual(['dev', 'prod', 'staging']);
});

describe.each(['dev', 'staging', 'prod'] as const)('environment %s', (env) => {
  const objects = objectsOf(env);
  const workloads = apiWorkloads(objects);
  const namespace = `trading-${env}`;

  it('matches the reviewed snapshot', () => {
    const files = rendered.get(env)?.files ?? [];
    expect(Object.fromEntries(files.map((f) => [f.path, f.content]))).toMatchSnapshot();
  });

  it("follows seed 003's Appendix A matrix for the API (every colour or Rollout)", () => {
    const m = MATRIX[env];
    expect(workloads.length).toBeGreaterThan(0);
    for (const w of workloads) {
      expect(w.spec.replicas, w.metadata.name).toBe(m.replicas);
      expect(w.spec.template.spec.containers[0].resources, w.metadata.name).toEqual({ requests: m.requests, limits: m.limits });
    }
    const hpas = all(objects, 'HorizontalPodAutoscaler').filter((h) => h.metadata.labels?.['app.kubernetes.io/name'] === 'trading-api');
    expect(hpas.length).toBe(m.hpa ? workloads.length : 0);
    // prod stages its release on green: that colour's minimum is raised to the maximum before the switch.
    for (const hpa of hpas) {
      const staged = hpa.metadata.name === 'trading-api-green' && env === 'prod';
      expect([hpa.spec.minReplicas, hpa.spec.maxReplicas], hpa.metadata.name).toEqual(staged && m.hpa ? [m.hpa[1], m.hpa[1]] : m.hpa);
    }
  });

  it('has its own restricted Namespace with a ResourceQuota and a LimitRange', () => {
    const ns = objects.find((o) => o.kind === 'Namespace') as Obj;
    expect(ns.metadata.name).toBe(namespace);
    expect(ns.metadata.namespace).toBeUndefined();
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(objects.filter((o) => o.kind === 'ResourceQuota')).toHaveLength(1);
    expect(objects.filter((o) => o.kind === 'LimitRange')).toHaveLength(1);
    const deny = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny-all') as Obj;
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace).toBe(namespace);
  });

  it('meets the restricted profile in every workload', () => {
    const workloads = objects.filter((o) => workloadKinds.has(o.kind));
    expect(workloads.length).toBeGreaterThan(0);
    for (const w of workloads) expect(restrictedViolations(podSpecOf(w)), `${w.kind}/${w.metadata.name}`).toEqual([]);
  });

  it('gives every long-running workload probes, requests and limits, a PDB, spread (when it can have 2+ pods) and a NetworkPolicy', () => {
    const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean =>
      selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);
    for (const w of all(objects, 'Deployment', 'Rollout')) {
      const id = `${w.kind}/${w.metadata.name}`;
      const labels = w.spec.template.metadata.labels;
      for (const c of w.spec.template.spec.containers) {
        expect(c.readinessProbe, id).toBeDefined();
        expect(c.livenessProbe, id).toBeDefined();
        expect(Object.keys(c.resources.requests).sort(), id).toEqual(['cpu', 'memory']);
        expect(Object.keys(c.resources.limits).sort(), id).toEqual(['cpu', 'memory']);
      }
      expect(
        all(objects, 'PodDisruptionBudget').some((o) => selects(o.spec.selector.matchLabels, labels)),
        id,
      ).toBe(true);
      expect(
        all(objects, 'NetworkPolicy').some((o) => o.metadata.name !== 'default-deny-all' && selects(o.spec.podSelector.matchLabels, labels)),
        id,
      ).toBe(true);
      const canScaleOut = (w.spec.replicas ?? 2) > 1;
      expect(Boolean(w.spec.template.spec.topologySpreadConstraints), id).toBe(canScaleOut);
    }
  });

  it('contains no Secret with data, and no secret value anywhere', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const text = (rendered.get(env)?.files ?? []).map((f) => f.content).join('\n');
    // Credentials in URLs only as $(VAR) references to Secret-backed variables.
    expect(text).not.toMatch(/BEGIN (RSA |EC )?PRIVATE KEY|postgres(ql)?:\/\/[^$\s][^\s]*:[^\s]*@/i);
    expect(text).not.toMatch(/^\s*(password|POSTGRES_PASSWORD|PGPASSWORD):\s*\S/im);
  });

  it('labels everything and uses stable, valid names without hash suffixes', () => {
    for (const o of objects) {
      const id = `${o.kind}/${o.metadata.name}`;
      for (const label of ['name', 'instance', 'component', 'part-of', 'managed-by']) {
        expect(o.metadata.labels?.[`app.kubernetes.io/${label}`], `${id} ${label}`).toBeTruthy();
      }
      expect(o.metadata.name, id).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(o.metadata.name.length, id).toBeLessThanOrEqual(63);
      expect(o.metadata.name, id).not.toMatch(/-c8[0-9a-f]{6}$/);
    }
  });

  it('is valid against the Kubernetes and CRD models', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });

  it('matches the committed dist/ exactly (run `npm run synth` after changing anything)', () => {
    const dir = join(ROOT, 'dist', env);
    expect(existsSync(dir), `${dir} is missing`).toBe(true);
    const committed = Object.fromEntries(filesUnder(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    const fresh = Object.fromEntries((rendered.get(env)?.files ?? []).map((f) => [f.path, f.content]));
    expect(committed).toEqual(fresh);
  });

  it('is laid out in apply stages, each folder a kustomization', () => {
    const files = (rendered.get(env)?.files ?? []).map((f) => f.path);
    const top = kustomizeFile((rendered.get(env)?.files ?? []).find((f) => f.path === 'kustomization.yaml')?.content ?? '');
    expect(top.kind).toBe('Kustomization');
    for (const folder of top.resources) {
      const k = kustomizeFile((rendered.get(env)?.files ?? []).find((f) => f.path === `${folder}/kustomization.yaml`)?.content ?? '');
      expect(k.resources.map((r) => `${folder}/${r}`)).toEqual(
        files.filter((f) => f.startsWith(`${folder}/`) && f.endsWith('.yaml') && !f.endsWith('/kustomization.yaml')),
      );
    }
    expect(objectsOf(env).find((o) => o.kind === 'Namespace')).toBeDefined();
    expect(files.find((f) => f.startsWith('10-namespace/namespace-'))).toBeDefined();
  });
});

describe('the reference app', () => {
  it('runs migrations the way each environment expects: on start in dev, as a Job after the database in staging and prod', () => {
    const devApi = apiWorkloads(objectsOf('dev'))[0];
    expect(devApi.spec.template.spec.containers[0].startupProbe).toBeDefined();
    expect(objectsOf('dev').some((o) => o.kind === 'Job')).toBe(false);
    for (const env of ['staging', 'prod']) {
      const objects = objectsOf(env);
      const wave = (o: Obj): number => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
      const job = objects.find((o) => o.kind === 'Job' && o.metadata.name === 'trading-api-migrate') as Obj;
      const cluster = objects.find((o) => o.kind === 'Cluster') as Obj;
      // The database exists in the cluster before a Sync-phase hook runs; a PreSync hook would not wait for it.
      expect(job.metadata.annotations?.['argocd.argoproj.io/hook']).toBe('Sync');
      expect(wave(cluster)).toBeLessThan(wave(job));
      for (const api of apiWorkloads(objects)) expect(wave(job)).toBeLessThan(wave(api));
    }
  });

  it('runs PostgreSQL per seed 003: a StatefulSet in dev, CloudNativePG in staging (2) and prod (3, pooler, daily backups)', () => {
    const dev = objectsOf('dev');
    expect(
      dev.filter((o) => o.kind === 'StatefulSet' && o.metadata.labels?.['app.kubernetes.io/component'] === 'database').map((o) => o.metadata.name),
    ).toEqual(['trading-db']);
    expect(dev.some((o) => o.kind === 'Cluster')).toBe(false);
    const staging = all(objectsOf('staging'), 'Cluster')[0];
    expect(staging.spec.instances).toBe(2);
    const prod = objectsOf('prod');
    expect(all(prod, 'Cluster')[0].spec.instances).toBe(3);
    expect(
      prod
        .filter((o) => ['Pooler', 'ObjectStore', 'ScheduledBackup', 'PodMonitor'].includes(o.kind) && o.metadata.name.startsWith('trading-db'))
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort(),
    ).toEqual([
      'ObjectStore/trading-db-backups',
      'PodMonitor/trading-db',
      'PodMonitor/trading-db-pooler',
      'Pooler/trading-db-pooler',
      'ScheduledBackup/trading-db-scheduled',
    ]);
    expect(all(prod, 'ScheduledBackup')[0].spec.schedule).toBe('0 0 2 * * *');
  });

  it('connects the API to its database in every environment through a Secret reference and matching policies', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const objects = objectsOf(env);
      const api = apiWorkloads(objects)[0];
      const envVars = api.spec.template.spec.containers[0].env;
      const byName = Object.fromEntries(envVars.map((e) => [e.name, e]));
      expect(byName.PGPASSWORD.valueFrom.secretKeyRef, env).toBeDefined();
      expect(byName.DATABASE_URL.value, env).toMatch(/^postgresql:\/\/\$\(PGUSER\):\$\(PGPASSWORD\)@/);
      const dbPolicy = viewAs(
        'NetworkPolicy',
        objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === (env === 'prod' ? 'trading-db-pooler' : 'trading-db')),
      );
      const admitted = dbPolicy.spec.ingress.flatMap((r) => r.from).map((f) => f.podSelector?.matchLabels?.['app.kubernetes.io/name']);
      expect(admitted, env).toContain('trading-api');
    }
  });

  it('runs Redis per seed 003: one pod in dev and staging, Sentinel with 3 pods in prod; the API connects by reference only', () => {
    const expected = { dev: [1, ['redis', 'exporter']], staging: [1, ['redis', 'exporter']], prod: [3, ['redis', 'sentinel', 'exporter']] } as const;
    for (const [env, [replicas, containers]] of Object.entries(expected)) {
      const objects = objectsOf(env);
      const sts = one(objects, 'StatefulSet', 'trading-cache');
      expect(sts.spec.replicas, env).toBe(replicas);
      expect(
        sts.spec.template.spec.containers.map((c) => c.name),
        env,
      ).toEqual(containers);
      const byName = Object.fromEntries(apiWorkloads(objects)[0].spec.template.spec.containers[0].env.map((e) => [e.name, e]));
      expect(byName.REDIS_PASSWORD.valueFrom.secretKeyRef.name, env).toBe('trading-cache-credentials');
      if (env === 'prod') {
        expect(byName.REDIS_SENTINEL_MASTER.value).toBe('mymaster');
        expect(byName.REDIS_SENTINEL_ADDRESSES.value.split(',')).toHaveLength(3);
        expect(byName.REDIS_URL).toBeUndefined();
      } else {
        expect(byName.REDIS_URL.value, env).toBe('redis://:$(REDIS_PASSWORD)@trading-cache:6379/0');
      }
      const admitted = one(objects, 'NetworkPolicy', 'trading-cache')
        .spec.ingress.flatMap((r) => r.from)
        .map((f) => f.podSelector?.matchLabels?.['app.kubernetes.io/name']);
      expect(admitted, env).toContain('trading-api');
      // No hand-written Redis egress left: the connection adds it.
      const apiEgress = one(objects, 'NetworkPolicy', 'trading-api').spec.egress;
      expect(
        apiEgress.filter((r) => r.to[0].ipBlock && r.ports.some((p) => p.port === 6379)),
        env,
      ).toEqual([]);
    }
  });

  it('accepts latest only in dev, and pulls it on every pod start there', () => {
    const dev = apiWorkloads(objectsOf('dev'))[0].spec.template.spec.containers[0];
    expect(dev.image).toMatch(/:latest$/);
    expect(dev.imagePullPolicy).toBe('Always');
    for (const env of ['staging', 'prod']) {
      for (const w of apiWorkloads(objectsOf(env))) {
        expect(w.spec.template.spec.containers[0].image).toMatch(/:\d+\.\d+\.\d+$/);
        expect(w.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
      }
    }
  });

  it('releases dev by rolling update, staging by canary with analysis, prod blue-green', () => {
    expect(apiWorkloads(objectsOf('dev')).map((w) => `${w.kind}/${w.metadata.name}`)).toEqual(['Deployment/trading-api']);
    const staging = objectsOf('staging');
    const canary = apiWorkloads(staging)[0];
    expect(canary.kind).toBe('Rollout');
    expect(viewAs('Rollout', canary).spec.strategy.canary.steps.some((s) => s.analysis)).toBe(true);
    expect(viewAs('Rollout', canary).spec.strategy.canary.trafficRouting.plugins['argoproj-labs/gatewayAPI'].httpRoute).toBe('trading-api');
    expect(staging.some((o) => o.kind === 'AnalysisTemplate')).toBe(true);
    const prod = objectsOf('prod');
    expect(apiWorkloads(prod).map((w) => w.metadata.name)).toEqual(['trading-api-blue', 'trading-api-green']);
    const selector = (name: string): string =>
      viewAs(
        'Service',
        prod.find((o) => o.kind === 'Service' && o.metadata.name === name),
      ).spec.selector.version;
    expect([selector('trading-api'), selector('trading-api-preview')]).toEqual(['blue', 'green']);
  });

  it('renders byte-identically twice', () => {
    for (const e of environments) expect(renderEnvironment(e).files).toEqual(rendered.get(e.name)?.files);
  });
});
