import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BlueGreenEngine } from '../src/blue-green/blue-green-engine';
import { BlueGreenService } from '../src/blue-green/blue-green-service';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { PLACEMENT_CONTEXT, PodPlacement } from '../src/core/placement';
import { ConfigurationError } from '../src/core/problems';
import { PostgresCluster } from '../src/postgres/postgres-cluster';
import { PostgresEngine } from '../src/postgres/postgres-engine';
import { RedisCache } from '../src/redis/redis-cache';
import { RedisCredentials } from '../src/redis/redis-credentials';
import { RedisEngine } from '../src/redis/redis-engine';
import { renderEnvironment } from '../src/synth/project';
import { Migration } from '../src/api-service/migration';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { modelProblems } from './support/models';
import { all, errorOf, Obj, one, render, viewAs } from './support/render';

const IMAGE = 'ghcr.io/acme/api:1.4.2';
const PLACEMENT: PodPlacement = {
  imagePullSecrets: ['regcred'],
  priorityClassName: 'trading-critical',
  nodeSelector: { 'node-role.example.com/trading': 'true' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'trading', effect: 'NoSchedule' }],
};
const EXPECTED = {
  imagePullSecrets: [{ name: 'regcred' }],
  priorityClassName: 'trading-critical',
  nodeSelector: { 'node-role.example.com/trading': 'true' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'trading', effect: 'NoSchedule' }],
};

/** Every construct of the library, each given `placement` (or none, for the context to apply). */
function everything(placement: PodPlacement | undefined): (scope: Chart) => void {
  return (s) => {
    const db = new PostgresCluster(s, 'db', { engine: PostgresEngine.cloudNativePg({ pooler: {} }), placement });
    const devDb = new PostgresCluster(s, 'dev-db', { engine: PostgresEngine.statefulSet({ credentialsSecret: 'dev-db' }), placement });
    const cache = new RedisCache(s, 'cache', { engine: RedisEngine.sentinel(), credentials: RedisCredentials.fromSecret('redis-auth'), placement });
    const api = new TradingBackend(s, 'api', { image: IMAGE, migration: Migration.job({ command: ['/app/server', 'migrate'] }), placement });
    api.connectTo(db);
    api.connectTo(cache);
    new TradingBackend(s, 'reports', { image: IMAGE, placement }).connectTo(devDb);
    new BlueGreenService(s, 'orders', {
      engine: BlueGreenEngine.serviceSwitch({ activeColor: 'blue', blueImage: IMAGE, greenImage: IMAGE }),
      placement,
    });
  };
}

function podSpecs(objects: Obj[]): Array<[string, unknown]> {
  return all(objects, 'Deployment', 'StatefulSet', 'Job').map((w) => [`${w.kind}/${w.metadata.name}`, w.spec.template.spec]);
}

describe('pod placement', () => {
  const objects = render((s) => everything(PLACEMENT)(s as Chart));

  it('is applied to every pod template the library creates: API, colours, migration and smoke-test Jobs, StatefulSets', () => {
    const specs = podSpecs(objects);
    expect(specs.map(([id]) => id).sort()).toEqual([
      'Deployment/api',
      'Deployment/orders-blue',
      'Deployment/orders-green',
      'Deployment/reports',
      'Job/api-migrate',
      'Job/orders-smoke-test',
      'StatefulSet/cache',
      'StatefulSet/dev-db',
    ]);
    for (const [id, spec] of specs) expect(spec, id).toMatchObject(EXPECTED);
  });

  it('reaches the CloudNativePG Cluster and the PgBouncer Pooler where their CRDs take it', () => {
    const cluster = one(objects, 'Cluster');
    expect(cluster.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(cluster.spec.priorityClassName).toBe('trading-critical');
    expect(cluster.spec.affinity).toMatchObject({
      nodeSelector: EXPECTED.nodeSelector,
      tolerations: EXPECTED.tolerations,
      enablePodAntiAffinity: true,
    });
    expect(one(objects, 'Pooler').spec.template.spec).toMatchObject(EXPECTED);
  });

  it('comes from the cdk8s-trading:placement context when the props give none', () => {
    const app = new App();
    app.node.setContext(PLACEMENT_CONTEXT, PLACEMENT);
    const chart = new Chart(app, 'prod', { namespace: 'shop-prod', disableResourceNameHashes: true });
    everything(undefined)(chart);
    for (const [id, spec] of podSpecs(chart.toJson() as Obj[])) expect(spec, id).toMatchObject(EXPECTED);
    const none = podSpecs(render((s) => everything(undefined)(s as Chart)));
    for (const [id, spec] of none) expect(Object.keys(spec as object), id).not.toContain('nodeSelector');
  });

  it('is valid against the Kubernetes and CRD schemas', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });

  it('rejects what the API server would, in both doors', () => {
    const bad: PodPlacement = {
      imagePullSecrets: ['Reg_Cred'],
      nodeSelector: { 'bad key!': 'x', zone: 'not a value' },
      tolerations: [
        { operator: 'Exists', value: 'x', key: 'k' },
        { effect: 'NoSchedule' },
        { key: 'k', effect: 'NoSchedule', tolerationSeconds: 30 },
      ],
    };
    const e = errorOf(() => render((s) => new TradingBackend(s, 'api', { image: IMAGE, placement: bad })));
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as ConfigurationError).located.map((p) => p.field)).toEqual([
      'placement.imagePullSecrets[0]',
      'placement.nodeSelector.bad key!',
      'placement.nodeSelector.zone',
      'placement.tolerations[0].value',
      'placement.tolerations[1].key',
      'placement.tolerations[2].tolerationSeconds',
    ]);
    const file = `tier: staging
namespace: shop-staging
placement:
  imagePullSecrets: [Reg_Cred]
  tolerations: [{ effect: NoSchedule }]
services:
  api: { image: ${IMAGE} }
`;
    expect(environmentProblems('staging', 'environments/staging.yaml', file)).toEqual([
      'environments/staging.yaml: placement.imagePullSecrets[0]: "Reg_Cred" is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters',
      'environments/staging.yaml: placement.tolerations[0].key: is required unless operator is "Exists" (which then tolerates every taint)',
    ]);
  });

  it('is one block of an environment file, applied to every workload', () => {
    const file = `tier: prod
namespace: shop-prod
placement:
  imagePullSecrets: [regcred]
  priorityClassName: trading-critical
  nodeSelector: { node-role.example.com/trading: "true" }
  tolerations: [{ key: dedicated, operator: Equal, value: trading, effect: NoSchedule }]
databases:
  db: { backup: { destinationPath: "s3://b/db", credentialsSecret: s3 } }
caches:
  cache: { credentialsSecret: redis-auth }
services:
  api: { image: ${IMAGE}, database: db, cache: cache, migration: { mode: job, command: [/app/server, migrate] } }
`;
    const parsed = parseEnvironment('prod', 'environments/prod.yaml', file);
    expect(parsed.problems).toEqual([]);
    const files = renderEnvironment(parsed.environment!).files.filter((f) => /\/(deployment|statefulset|job|cluster|pooler)-/.test(f.path));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const o = parse(f.content) as Obj;
      const spec =
        o.kind === 'Cluster'
          ? viewAs('Cluster', o).spec
          : o.kind === 'Pooler'
            ? viewAs('Pooler', o).spec.template.spec
            : viewAs(o.kind as 'Deployment', o).spec.template.spec;
      expect(JSON.stringify(spec), f.path).toContain('regcred');
      expect(JSON.stringify(spec), f.path).toContain('trading-critical');
    }
  });
});
