import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { ConfigurationError } from '../src/core/validation';
import { PostgresCluster } from '../src/postgres/postgres-cluster';
import { PostgresEngine } from '../src/postgres/postgres-engine';
import { renderEnvironment } from '../src/synth/project';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { modelProblems } from './support/models';
import { errorOf, one, render } from './support/render';

const IMAGE = 'ghcr.io/acme/api:1.4.2';
const BACKUP = { destinationPath: 's3://acme-backups/prod/trading-db', credentialsSecret: 'trading-db-backup-s3' };

describe('PgBouncer pooler high availability', () => {
  const objects = render((s) => {
    const db = new PostgresCluster(s, 'trading-db', { engine: PostgresEngine.cloudNativePg({ pooler: { instances: 2 } }) });
    new TradingBackend(s, 'api', { image: IMAGE }).connectTo(db);
  });

  it('spreads the PgBouncer pods over nodes and keeps one of them through a drain', () => {
    const pooler = one(objects, 'Pooler', 'trading-db-pooler');
    expect(pooler.spec.template.spec.topologySpreadConstraints).toEqual([{
      maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { 'cnpg.io/poolerName': 'trading-db-pooler' } },
    }]);
    const pdb = one(objects, 'PodDisruptionBudget', 'trading-db-pooler');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector).toEqual({ matchLabels: { 'cnpg.io/poolerName': 'trading-db-pooler' } });
  });

  it('is valid against the CRD and Kubernetes schemas', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });
});

describe('read replicas', () => {
  it('gives READ_DATABASE_URL through <cluster>-ro when asked', () => {
    const objects = render((s) => {
      const db = new PostgresCluster(s, 'trading-db', { engine: PostgresEngine.cloudNativePg() });
      new TradingBackend(s, 'api', { image: IMAGE }).connectTo(db, { readUrlVariable: 'READ_DATABASE_URL' });
    });
    const env: ReadonlyArray<{ readonly name: string; readonly value?: string }> = one(objects, 'Deployment').spec.template.spec.containers[0].env;
    expect(env.find((e) => e.name === 'READ_DATABASE_URL')?.value).toBe('postgresql://$(PGUSER):$(PGPASSWORD)@trading-db-ro:5432/app?sslmode=require');
    expect(env.find((e) => e.name === 'DATABASE_URL')?.value).toContain('@trading-db-rw:5432/');
  });

  it('is refused by a database without replicas, in both doors', () => {
    const e = errorOf(() => render((s) => {
      const db = new PostgresCluster(s, 'db', { engine: PostgresEngine.statefulSet({ credentialsSecret: 'db-credentials' }) });
      new TradingBackend(s, 'api', { image: IMAGE }).connectTo(db, { readUrlVariable: 'READ_DATABASE_URL' });
    }));
    expect((e as ConfigurationError).problems).toEqual(['test/db: readUrlVariable: this database has no read-only replicas: connect without readUrlVariable, or run it with CloudNativePG']);
    const file = `tier: dev
namespace: shop-dev
databases:
  db: { engine: statefulset, credentialsSecret: db-credentials }
services:
  api: { image: ${IMAGE}, database: db, readReplicas: true }
`;
    expect(environmentProblems('dev', 'environments/dev.yaml', file)).toEqual([
      'environments/dev.yaml: services.api.readReplicas: this database has no read-only replicas: connect without readUrlVariable, or run it with CloudNativePG',
    ]);
    expect(environmentProblems('dev', 'environments/dev.yaml', file.replace('database: db, readReplicas', 'readReplicas').replace(/databases:\n.*\n/, ''))).toEqual([
      'environments/dev.yaml: services.api.readReplicas: needs a database: set database: <name>',
    ]);
  });
});

describe('point-in-time recovery', () => {
  const restored = render((s) => {
    const db = new PostgresCluster(s, 'trading-db', {
      engine: PostgresEngine.cloudNativePg({ backup: BACKUP, recovery: { serverName: 'trading-db', targetTime: '2026-11-23T09:30:00Z' } }),
    });
    new TradingBackend(s, 'api', { image: IMAGE }).connectTo(db);
  });

  it('bootstraps from the archive up to the target time instead of an empty initdb', () => {
    const cluster = one(restored, 'Cluster');
    expect(cluster.spec.bootstrap).toEqual({
      recovery: { source: 'origin', database: 'app', owner: 'app', recoveryTarget: { targetTime: '2026-11-23T09:30:00Z' } },
    });
    expect(cluster.spec.externalClusters).toEqual([{
      name: 'origin', plugin: { name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'trading-db-backups', serverName: 'trading-db' } },
    }]);
  });

  it('archives under a fresh server name, never into the archive it restores from', () => {
    const plugin = one(restored, 'Cluster').spec.plugins[0];
    expect(plugin.isWALArchiver).toBe(true);
    expect(plugin.parameters).toEqual({ barmanObjectName: 'trading-db-backups', serverName: 'trading-db-restored' });
  });

  it('reads another object store when told, and is valid against the CRDs', async () => {
    const objects = render((s) => {
      const db = new PostgresCluster(s, 'orders-db', {
        engine: PostgresEngine.cloudNativePg({
          recovery: { serverName: 'trading-db', objectStore: { destinationPath: 's3://old-bucket/prod', credentialsSecret: 'old-s3' } },
        }),
      });
      new TradingBackend(s, 'api', { image: IMAGE }).connectTo(db);
    });
    expect(one(objects, 'ObjectStore', 'orders-db-recovery-source').spec.configuration.destinationPath).toBe('s3://old-bucket/prod');
    expect(one(objects, 'Cluster').spec.externalClusters[0].plugin.parameters.barmanObjectName).toBe('orders-db-recovery-source');
    expect((await Promise.all([...objects, ...restored].map(modelProblems))).flat()).toEqual([]);
  });

  it('rejects a malformed target time, writing into the source archive, and a recovery with no store', () => {
    expect(errorOf(() => PostgresEngine.cloudNativePg({ backup: BACKUP, archiveServerName: 'old', recovery: { serverName: 'old', targetTime: 'yesterday' } })).message).toBe([
      '2 configuration problems:',
      '  - PostgresEngine.cloudNativePg: recovery.targetTime: "yesterday" is not an instant: use RFC 3339 with a zone, like "2026-11-23T09:30:00Z"',
      '  - PostgresEngine.cloudNativePg: archiveServerName: "old" is the server name of the archive being restored: the restored cluster would write into it; choose another',
    ].join('\n'));
    expect(errorOf(() => PostgresEngine.cloudNativePg({ recovery: { serverName: 'old' } })).message)
      .toBe('PostgresEngine.cloudNativePg: recovery.objectStore: is required when the cluster has no backup object store to restore from');
  });

  it('is one block of an environment file', () => {
    const file = `tier: staging
namespace: shop-staging
databases:
  trading-db:
    backup: { destinationPath: "s3://acme/staging/trading-db", credentialsSecret: s3 }
    recovery: { serverName: trading-db, targetTime: "2026-11-23T09:30:00Z" }
services:
  api: { image: ${IMAGE}, database: trading-db }
`;
    const parsed = parseEnvironment('staging', 'environments/staging.yaml', file);
    expect(parsed.problems).toEqual([]);
    const cluster = renderEnvironment(parsed.environment!).files.find((f) => f.path === '30-database/cluster-trading-db.yaml')?.content ?? '';
    expect(cluster).toContain('targetTime: "2026-11-23T09:30:00Z"');
    expect(cluster).toContain('serverName: trading-db-restored');
    expect(environmentProblems('staging', 'environments/staging.yaml', file.replace('targetTime: "2026-11-23T09:30:00Z"', 'targetTime: tomorrow'))).toEqual([
      'environments/staging.yaml: databases.trading-db.recovery.targetTime: "tomorrow" is not an instant: use RFC 3339 with a zone, like "2026-11-23T09:30:00Z"',
    ]);
  });
});

describe('the reference deployment', () => {
  it('backs up staging as well as production', () => {
    for (const env of ['staging', 'prod']) {
      const { environment } = parseEnvironment(env, `environments/${env}.yaml`, readFileSync(join(__dirname, '..', 'environments', `${env}.yaml`), 'utf8'));
      const files = renderEnvironment(environment!).files.map((f) => f.path);
      expect(files).toContain('30-database/scheduledbackup-trading-db-scheduled.yaml');
      expect(files).toContain('30-database/objectstore-trading-db-backups.yaml');
    }
  });
});
