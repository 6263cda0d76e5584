import { describe, expect, it } from 'vitest';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { NetworkPeer } from '../src/core/network-peer';
import { SecretStore } from '../src/core/secrets';
import { ConfigurationError } from '../src/core/problems';
import { DatabaseCredentials } from '../src/postgres/external-postgres';
import { PostgresCluster } from '../src/postgres/postgres-cluster';
import { PostgresEngine } from '../src/postgres/postgres-engine';
import { renderEnvironment } from '../src/synth/project';
import { Migration } from '../src/api-service/migration';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { modelProblems } from './support/models';
import { errorOf, Obj, one, render } from './support/render';

const IMAGE = 'ghcr.io/acme/api:1.4.2';
const envOf = (objects: Obj[], kind: 'Deployment' | 'Job' = 'Deployment'): Record<string, unknown> =>
  Object.fromEntries(one(objects, kind).spec.template.spec.containers[0].env.map((e) => [e.name, e.value ?? e.valueFrom]));

describe('wiring through interfaces', () => {
  it('an API service is a network peer: allowEgressTo(otherApi) and allowIngressFrom(otherApi) select its pods', () => {
    const objects = render((s) => {
      const api = new TradingBackend(s, 'api', { image: IMAGE });
      const pricing = new TradingBackend(s, 'pricing', { image: IMAGE });
      api.allowEgressTo(pricing, { port: 8080 });
      pricing.allowIngressFrom(api, { port: 8080 });
    });
    const apiPolicy = one(objects, 'NetworkPolicy', 'api');
    expect(apiPolicy.spec.egress).toContainEqual({
      to: [
        {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'pricing', 'app.kubernetes.io/instance': 'pricing' } },
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'trading-test' } },
        },
      ],
      ports: [{ port: 8080, protocol: 'TCP' }],
    });
    expect(one(objects, 'NetworkPolicy', 'pricing').spec.ingress).toContainEqual({
      from: [
        {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' } },
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'trading-test' } },
        },
      ],
      ports: [{ port: 8080, protocol: 'TCP' }],
    });
  });

  it('db.allowFrom(api) admits the service to PostgreSQL without connecting it', () => {
    const objects = render((s) => {
      const db = new PostgresCluster(s, 'db', { engine: PostgresEngine.statefulSet({ credentialsSecret: 'db-credentials' }) });
      db.allowFrom(new TradingBackend(s, 'reporting', { image: IMAGE }));
    });
    expect(one(objects, 'NetworkPolicy', 'db').spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'reporting', 'app.kubernetes.io/instance': 'reporting' } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'trading-test' } },
          },
        ],
        ports: [{ port: 5432, protocol: 'TCP' }],
      },
    ]);
  });
});

describe('PostgresCluster.fromExternal', () => {
  const build = (credentials: () => DatabaseCredentials): Obj[] =>
    render((s) => {
      const db = PostgresCluster.fromExternal(s, 'orders-db', {
        host: 'orders.abc123.eu-west-1.rds.amazonaws.com',
        database: 'orders',
        cidr: '10.20.0.0/16',
        credentials: credentials(),
      });
      new TradingBackend(s, 'api', { image: IMAGE, migration: Migration.job({ command: ['/app/server', 'migrate'] }) }).connectTo(db);
    });

  it('gives the service the libpq variables and a URL, credentials by reference, and egress to the address block only', () => {
    const objects = build(() => DatabaseCredentials.fromSecret('orders-db-credentials'));
    expect(envOf(objects)).toMatchObject({
      PGHOST: 'orders.abc123.eu-west-1.rds.amazonaws.com',
      PGPORT: '5432',
      PGDATABASE: 'orders',
      PGUSER: { secretKeyRef: { name: 'orders-db-credentials', key: 'username' } },
      PGPASSWORD: { secretKeyRef: { name: 'orders-db-credentials', key: 'password' } },
      DATABASE_URL: 'postgresql://$(PGUSER):$(PGPASSWORD)@orders.abc123.eu-west-1.rds.amazonaws.com:5432/orders?sslmode=require',
    });
    expect(envOf(objects, 'Job').PGHOST).toBe('orders.abc123.eu-west-1.rds.amazonaws.com');
    expect(one(objects, 'NetworkPolicy', 'api').spec.egress).toContainEqual({
      to: [{ ipBlock: { cidr: '10.20.0.0/16' } }],
      ports: [{ port: 5432, protocol: 'TCP' }],
    });
    // Nothing of the database in the cluster, and the migration needs no wait for it: it stays a PreSync hook.
    expect(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] !== 'api')).toEqual([]);
    expect(one(objects, 'Job').metadata.annotations?.['argocd.argoproj.io/hook']).toBe('PreSync');
  });

  it('syncs credentials from an external store with an ExternalSecret', async () => {
    const objects = build(() => DatabaseCredentials.fromExternalStore(SecretStore.cluster('vault'), 'prod/orders-db', { usernameProperty: 'user' }));
    const es = one(objects, 'ExternalSecret', 'orders-db-credentials');
    expect(es.spec.secretStoreRef).toEqual({ name: 'vault', kind: 'ClusterSecretStore' });
    expect(es.spec.data).toEqual([
      { secretKey: 'username', remoteRef: { key: 'prod/orders-db', property: 'user' } },
      { secretKey: 'password', remoteRef: { key: 'prod/orders-db', property: 'password' } },
    ]);
    expect(envOf(objects).PGUSER).toEqual({ secretKeyRef: { name: 'orders-db-credentials', key: 'username' } });
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });

  it('rejects a host, port, database or address block that cannot work', () => {
    const e = errorOf(() =>
      render((s) =>
        PostgresCluster.fromExternal(s, 'x', {
          host: 'not a host',
          port: 70000,
          database: '',
          cidr: '10.0.0.0/33',
          credentials: DatabaseCredentials.fromSecret('x'),
        }),
      ),
    );
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as ConfigurationError).located.map((p) => p.field)).toEqual(['host', 'port', 'database', 'cidr']);
    expect(() => DatabaseCredentials.fromSecret('Not_A_Secret')).toThrow('DatabaseCredentials.fromSecret: secretName:');
  });

  it('is one entry of an environment file', () => {
    const file = `tier: staging
namespace: shop-staging
secretStore: { name: vault }
databases:
  orders-db:
    external: { host: orders.abc123.eu-west-1.rds.amazonaws.com, database: orders, cidr: 10.20.0.0/16, remoteKey: staging/orders-db }
services:
  api:
    image: ${IMAGE}
    database: orders-db
`;
    const parsed = parseEnvironment('staging', 'environments/staging.yaml', file);
    expect(parsed.problems).toEqual([]);
    const files = renderEnvironment(parsed.environment!).files;
    expect(files.map((f) => f.path)).toContain('20-config/externalsecret-orders-db-credentials.yaml');
    expect(files.some((f) => f.path.startsWith('30-database/'))).toBe(false);
    const deployment = files.find((f) => f.path === '50-application/deployment-api.yaml')?.content ?? '';
    expect(deployment).toContain('value: orders.abc123.eu-west-1.rds.amazonaws.com');
  });

  it('in an environment file, names the wrong keys of an external entry', () => {
    const file = (external: string, extra = ''): string => `tier: staging
namespace: shop-staging
databases:
  orders-db:${extra}
    external: ${external}
services:
  api: { image: ${IMAGE}, database: orders-db }
`;
    const F = 'environments/staging.yaml';
    expect(environmentProblems('staging', F, file('{ host: db.example.com, database: orders, credentialsSecret: s, remoteKey: k }'))).toEqual([
      `${F}: databases.orders-db.external: needs exactly one of credentialsSecret (an existing Secret) or remoteKey (an entry of the secretStore)`,
      `${F}: databases.orders-db.external.remoteKey: needs the environment's secretStore, which the credentials are read from`,
    ]);
    expect(environmentProblems('staging', F, file('{ host: db.example.com, database: orders, remoteKey: k }'))).toEqual([
      `${F}: databases.orders-db.external.remoteKey: needs the environment's secretStore, which the credentials are read from`,
    ]);
    expect(environmentProblems('staging', F, file('{ host: db.example.com, database: orders, credentialsSecret: s }', '\n    instances: 3'))).toEqual(
      [`${F}: databases.orders-db.instances: does not apply to an external database`],
    );
    expect(environmentProblems('staging', F, file('{ host: "db .example.com", database: orders, credentialsSecret: s, cidr: 10.0.0.0/40 }'))).toEqual(
      [
        expect.stringMatching(/^environments\/staging\.yaml: databases\.orders-db\.external\.host: "db \.example\.com" is not a valid hostname/),
        expect.stringMatching(/^environments\/staging\.yaml: databases\.orders-db\.external\.cidr: "10\.0\.0\.0\/40"/),
      ],
    );
    expect(NetworkPeer.cidr('10.1.0.0/16').networkPeer.toPolicyPeer()).toEqual({ ipBlock: { cidr: '10.1.0.0/16' } });
  });
});
