/**
 * The namespace quota counts every pod the release runs (issue 21): workloads at their peak, Job pods (migration,
 * smoke check), init containers (a pod is charged max(largest init, sum of containers)) and sidecars, with the
 * LimitRange's defaults for containers that set nothing. One rule for both doors: an environment file's plan, and a
 * TradingNamespace over the constructs of its chart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { BlueGreenEngine } from '../src/blue-green/blue-green-engine';
import { BlueGreenService } from '../src/blue-green/blue-green-service';
import { CanaryEngine } from '../src/canary/canary-engine';
import { CanaryRollout } from '../src/canary/canary-rollout';
import { buildEnvironment, environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { podCharge, PodDemand } from '../src/core/pod-demand';
import { Exposure } from '../src/api-service/exposure';
import { Migration } from '../src/api-service/migration';
import { Scaling } from '../src/api-service/scaling';
import { TradingNamespace } from '../src/namespace/trading-namespace';
import { PostgresCluster } from '../src/postgres/postgres-cluster';
import { PostgresEngine } from '../src/postgres/postgres-engine';
import { RedisCache } from '../src/redis/redis-cache';
import { RedisCredentials } from '../src/redis/redis-credentials';
import { loadEnvironments } from '../src/synth/project';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { parseMap } from './support/yaml';

const IMAGE = 'ghcr.io/acme/api:1.0.0';
const LIMITS = { defaultRequest: { cpu: '100m', memory: '128Mi' }, defaultLimit: { cpu: '500m', memory: '512Mi' } };
const MI = 2 ** 20;
const BACKUP = { destinationPath: 's3://backups/db', credentialsSecret: 'db-backup-s3' };

/** The demands of each pod-running construct built by `build`, by who. */
function demandsOf(build: (chart: Chart) => void): Map<string, PodDemand> {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'trading' });
  build(chart);
  const found = chart.node.findAll().flatMap((c) => ('podDemands' in c && typeof c.podDemands === 'function' ? (c.podDemands() as PodDemand[]) : []));
  return new Map(found.map((d) => [d.who, d]));
}

describe('what a pod is charged', () => {
  it('sums the containers, and takes an init container when it is larger (Kubernetes: max(max(init), sum(containers)))', () => {
    const pod = {
      containers: [
        { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
        { requests: { cpu: '50m', memory: '32Mi' } },
      ],
      initContainers: [{ requests: { cpu: '1', memory: '16Mi' }, limits: { cpu: '2', memory: '16Mi' } }],
    };
    // The second container's missing limits are the LimitRange's defaults (500m, 512Mi).
    expect(podCharge(pod, LIMITS)).toEqual({ requestsCpu: 1, requestsMemory: 96 * MI, limitsCpu: 2, limitsMemory: 640 * MI });
    expect(podCharge({ containers: pod.containers }, LIMITS)?.requestsCpu).toBeCloseTo(0.15);
  });

  it("gives a container without resources the LimitRange's defaults, and one with only a limit that limit as its request", () => {
    expect(podCharge({ containers: [{}] }, LIMITS)).toEqual({ requestsCpu: 0.1, requestsMemory: 128 * MI, limitsCpu: 0.5, limitsMemory: 512 * MI });
    expect(podCharge({ containers: [{ limits: { cpu: '300m', memory: '256Mi' } }] }, LIMITS)).toEqual({
      requestsCpu: 0.3,
      requestsMemory: 256 * MI,
      limitsCpu: 0.3,
      limitsMemory: 256 * MI,
    });
  });
});

describe('what each construct reports it runs', () => {
  it('counts the migration Job of a service, a pod of its container', () => {
    const d = demandsOf((c) => new TradingBackend(c, 'api', { image: IMAGE, migration: Migration.job({ command: ['/app/migrate'] }) }));
    expect(d.get('api migration')).toMatchObject({ pods: 1, containers: [{ requests: { cpu: '500m', memory: '512Mi' } }] });
    expect(d.get('api')?.pods).toBe(3); // Scaling.fixed(2) plus the rolling update's surge pod
    expect(demandsOf((c) => new TradingBackend(c, 'api', { image: IMAGE })).has('api migration')).toBe(false);
  });

  it('counts the suspended rollback Job as a pod of its container: resumed, it must be admitted like the migration', () => {
    const down = { command: ['/app/migrate'], rollbackCommand: ['/app/migrate', 'down'] };
    const d = demandsOf((c) => new TradingBackend(c, 'api', { image: IMAGE, migration: Migration.job(down) }));
    expect(d.get('api migration rollback')).toMatchObject({ pods: 1, containers: [{ requests: { cpu: '500m', memory: '512Mi' } }] });
    const plain = demandsOf((c) => new TradingBackend(c, 'api', { image: IMAGE, migration: Migration.job({ command: ['/app/migrate'] }) }));
    expect(plain.has('api migration rollback')).toBe(false);
  });

  it("counts the backup-wait init container of a migration that waits for its database's backup", () => {
    const d = demandsOf((c) => {
      const db = new PostgresCluster(c, 'db', { engine: PostgresEngine.cloudNativePg({ backup: BACKUP }) });
      new TradingBackend(c, 'api', { image: IMAGE, migration: Migration.job({ command: ['/app/migrate'] }) }).connectTo(db);
    });
    expect(d.get('api migration')?.initContainers).toEqual([{ requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } }]);
  });

  it("counts the smoke check's Job of every engine that runs one", () => {
    const gateway = Exposure.gateway({ gatewayName: 'public', gatewayNamespace: 'gw', hosts: ['api.example.com'] });
    const canary = demandsOf((c) => new CanaryRollout(c, 'api', { engine: CanaryEngine.argoRollouts({ image: IMAGE }), exposure: gateway }));
    expect(canary.get('api smoke-test')).toMatchObject({ pods: 1, containers: [{ requests: { cpu: '10m', memory: '16Mi' } }] });
    expect(canary.get('api')?.pods).toBe(4); // 2 replicas, stable and canary at full size
    const blueGreen = demandsOf(
      (c) =>
        new BlueGreenService(c, 'api', {
          engine: BlueGreenEngine.serviceSwitch({ activeColor: 'blue', blueImage: IMAGE, greenImage: IMAGE, smokeTest: { enabled: false } }),
        }),
    );
    expect(blueGreen.has('api smoke-test')).toBe(false);
    expect(blueGreen.get('api')?.pods).toBe(6);
  });

  it("counts the Barman Cloud plugin's sidecar of a backed-up CloudNativePG instance (no resources: the LimitRange's), and the pooler", () => {
    const d = demandsOf(
      (c) =>
        new PostgresCluster(c, 'db', {
          engine: PostgresEngine.cloudNativePg({ backup: BACKUP, pooler: { instances: 2 } }),
          resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '4', memory: '2Gi' } },
        }),
    );
    expect(d.get('db')?.containers).toEqual([{ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '4', memory: '2Gi' } }, {}]);
    expect(podCharge(d.get('db') as PodDemand, LIMITS)?.requestsCpu).toBeCloseTo(1.1);
    expect(d.get('db pooler')?.pods).toBe(2);
    expect(demandsOf((c) => new PostgresCluster(c, 'db', { engine: PostgresEngine.cloudNativePg() })).get('db')?.containers).toHaveLength(1);
  });

  it("counts the Redis exporter sidecar and Sentinel's container", () => {
    const credentials = RedisCredentials.fromSecret('cache-credentials');
    const d = demandsOf((c) => new RedisCache(c, 'cache', { credentials }));
    expect(d.get('cache')?.containers).toHaveLength(2);
    expect(demandsOf((c) => new RedisCache(c, 'cache', { credentials, monitoring: false })).get('cache')?.containers).toHaveLength(1);
  });
});

describe('the TypeScript door: a TradingNamespace judges the constructs of its chart', () => {
  const build = (pods: number): (() => void) => {
    return () => {
      const app = Testing.app();
      const chart = new Chart(app, 'prod', { namespace: 'trading' });
      new TradingNamespace(chart, 'ns', {
        name: 'trading',
        quota: { requestsCpu: '32', requestsMemory: '64Gi', limitsCpu: '64', limitsMemory: '128Gi', pods },
        containerLimits: { ...LIMITS, max: { cpu: '4', memory: '8Gi' } },
      });
      new TradingBackend(chart, 'api', {
        image: IMAGE,
        scaling: Scaling.autoscale({ maxReplicas: 10 }),
        migration: Migration.job({ command: ['/app/migrate'] }),
      });
      app.synth();
    };
  };

  it('fails synthesis when the quota cannot admit the peak, Jobs counted, and names the field', () => {
    // 10 replicas + 1 surge pod + the migration Job's pod.
    expect(build(11)).toThrow(
      'TradingNamespace prod/ns: quota.pods: 11 is below the 12 the services, databases and caches need at full scale, with every colour, canary, surge, Job, init and sidecar container counted (api 11, api migration 1): set quota.pods to at least 12, or lower the replicas or requests',
    );
    expect(build(12)).not.toThrow();
  });
});

describe('the environment-file door', () => {
  const FILE = 'environments/prod.yaml';
  const prod = readFileSync(join(__dirname, '..', 'environments', 'prod.yaml'), 'utf8');

  it("counts the migration and smoke Jobs and the backup sidecars against the file's quota, at its field", () => {
    const doc = parseMap(prod);
    // prod at full scale: 42 colour pods, 3 instances, 2 poolers, 3 cache pods, the migration and smoke Jobs, the
    // frontend's 6 + 1 surge pods, its release-wait Job and the suspended migration rollback Job: 61 pods.
    doc.quota = { pods: 60 };
    expect(environmentProblems('prod', FILE, JSON.stringify(doc))).toEqual([
      `${FILE}: quota.pods: 60 is below the 61 the services, databases and caches need at full scale, with every colour, canary, surge, Job, init and sidecar container counted (trading-api 42, trading-web 7, trading-db 3, ...): set quota.pods to at least 61, or lower the replicas or requests`,
    ]);
    doc.quota = { pods: 61 };
    expect(environmentProblems('prod', FILE, JSON.stringify(doc))).toEqual([]);
    // The instances' Barman sidecars take the LimitRange's default request: 3 × (1 + 1) CPU.
    doc.containerLimits = { defaultRequest: { cpu: '1', memory: '128Mi' }, defaultLimit: { cpu: '2', memory: '512Mi' } };
    doc.quota = { requestsCpu: '24' };
    expect(environmentProblems('prod', FILE, JSON.stringify(doc)).join('\n')).toContain('trading-db 6000m');
  });
});

describe('the reference environments', () => {
  it.each(['staging', 'prod'])('%s: the pods the file door counts are the ones its built constructs report', (name) => {
    const file = `environments/${name}.yaml`;
    const doc = parseMap(readFileSync(join(__dirname, '..', file), 'utf8'));
    doc.quota = { pods: 1 };
    const needed = Number(/set quota\.pods to at least (\d+)/.exec(environmentProblems(name, file, JSON.stringify(doc)).join('\n'))?.[1]);
    const environment = loadEnvironments(join(__dirname, '..')).find((e) => e.name === name);
    if (!environment) throw new Error(name);
    const chart = buildEnvironment(environment);
    const reported = chart.node
      .findAll()
      .flatMap((c) => ('podDemands' in c && typeof c.podDemands === 'function' ? (c.podDemands() as PodDemand[]) : []))
      .reduce((n, d) => n + d.pods, 0);
    expect(reported).toBe(needed);
    expect(needed).toBeGreaterThan(0);
  });

  it.each(['dev', 'staging', 'prod'])('%s fits its quota with every pod counted', (name) => {
    const file = `environments/${name}.yaml`;
    expect(parseEnvironment(name, file, readFileSync(join(__dirname, '..', file), 'utf8')).problems).toEqual([]);
  });
});
