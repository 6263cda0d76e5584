import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { ConfigurationError } from '../src/core/problems';
import { DatabaseCredentials } from '../src/postgres/external-postgres';
import { PostgresCluster } from '../src/postgres/postgres-cluster';
import { PostgresEngine } from '../src/postgres/postgres-engine';
import { renderEnvironment } from '../src/synth/project';
import { Migration } from '../src/api-service/migration';
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
    expect(pooler.spec.template.spec.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { 'cnpg.io/poolerName': 'trading-db-pooler' } },
        nodeTaintsPolicy: 'Honor',
      },
    ]);
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
    expect(env.find((e) => e.name === 'READ_DATABASE_URL')?.value).toBe(
      'postgresql://$(PGUSER):$(PGPASSWORD)@trading-db-ro:5432/app?sslmode=require',
    );
    expect(env.find((e) => e.name === 'DATABASE_URL')?.value).toContain('@trading-db-rw:5432/');
  });

  it('is refused by a database without replicas, in both doors', () => {
    const e = errorOf(() =>
      render((s) => {
        const db = new PostgresCluster(s, 'db', { engine: PostgresEngine.statefulSet({ credentialsSecret: 'db-credentials' }) });
        new TradingBackend(s, 'api', { image: IMAGE }).connectTo(db, { readUrlVariable: 'READ_DATABASE_URL' });
      }),
    );
    expect((e as ConfigurationError).problems).toEqual([
      'TradingBackend test/api: readUrlVariable: this database has no read-only replicas: connect without readUrlVariable, or run it with CloudNativePG',
    ]);
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
    expect(
      environmentProblems('dev', 'environments/dev.yaml', file.replace('database: db, readReplicas', 'readReplicas').replace(/databases:\n.*\n/, '')),
    ).toEqual(['environments/dev.yaml: services.api.readReplicas: needs a database: set database: <name>']);
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
    expect(cluster.spec.externalClusters).toEqual([
      {
        name: 'origin',
        plugin: { name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'trading-db-backups', serverName: 'trading-db' } },
      },
    ]);
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
    expect(
      errorOf(() =>
        PostgresEngine.cloudNativePg({ backup: BACKUP, archiveServerName: 'old', recovery: { serverName: 'old', targetTime: 'yesterday' } }),
      ).message,
    ).toBe(
      [
        '2 configuration problems:',
        '  - PostgresEngine.cloudNativePg: recovery.targetTime: "yesterday" is not an instant: use RFC 3339 with a zone, like "2026-11-23T09:30:00Z"',
        '  - PostgresEngine.cloudNativePg: archiveServerName: "old" is the server name of the archive being restored: the restored cluster would write into it; choose another',
      ].join('\n'),
    );
    expect(errorOf(() => PostgresEngine.cloudNativePg({ recovery: { serverName: 'old' } })).message).toBe(
      'PostgresEngine.cloudNativePg: recovery.objectStore: is required when the cluster has no backup object store to restore from',
    );
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
    expect(
      environmentProblems('staging', 'environments/staging.yaml', file.replace('targetTime: "2026-11-23T09:30:00Z"', 'targetTime: tomorrow')),
    ).toEqual([
      'environments/staging.yaml: databases.trading-db.recovery.targetTime: "tomorrow" is not an instant: use RFC 3339 with a zone, like "2026-11-23T09:30:00Z"',
    ]);
  });
});

describe('the reference deployment', () => {
  it('backs up staging as well as production', () => {
    for (const env of ['staging', 'prod']) {
      const { environment } = parseEnvironment(
        env,
        `environments/${env}.yaml`,
        readFileSync(join(__dirname, '..', 'environments', `${env}.yaml`), 'utf8'),
      );
      const files = renderEnvironment(environment!).files.map((f) => f.path);
      expect(files).toContain('30-database/scheduledbackup-trading-db-scheduled.yaml');
      expect(files).toContain('30-database/objectstore-trading-db-backups.yaml');
    }
  });
});

describe('a backup before each release migrates', () => {
  const build = (image: string, extra: { backupFirst?: boolean; config?: Record<string, string> } = {}) =>
    render((s) => {
      const db = new PostgresCluster(s, 'trading-db', { engine: PostgresEngine.cloudNativePg({ backup: BACKUP }) });
      new TradingBackend(s, 'api', {
        image,
        config: extra.config,
        migration: Migration.job({ command: ['/app/server', 'migrate'], backupFirst: extra.backupFirst }),
      }).connectTo(db);
    });
  const objects = build(IMAGE);

  it('takes an on-demand plugin backup named after the release, in the migration wave', () => {
    const backup = one(objects, 'Backup', 'api-pre-migrate-1-4-2');
    expect(backup.spec).toEqual({
      cluster: { name: 'trading-db' },
      method: 'plugin',
      pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
      target: 'prefer-standby',
    });
    expect(backup.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '0' });
    expect(one(objects, 'Job', 'api-migrate').metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('0');
  });

  it('holds the migration in an init container until that backup completed, and fails it when the backup failed', () => {
    const job = one(objects, 'Job', 'api-migrate');
    const spec = job.spec!.template.spec!;
    expect(spec.initContainers?.map((c) => c.name)).toEqual(['wait-for-backup']);
    const wait = spec.initContainers![0];
    expect(wait.env).toContainEqual({ name: 'BACKUP', value: 'api-pre-migrate-1-4-2' });
    expect(wait.command?.[2]).toContain('/apis/postgresql.cnpg.io/v1/namespaces/$NAMESPACE/backups/$BACKUP');
    expect(wait.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(wait.resources?.limits).toBeDefined();
    // The migration container itself gets no token; only the waiting container mounts one.
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.containers[0].volumeMounts?.map((m) => m.name)).not.toContain('backup-wait-token');
    // The backup's time comes on top of the migration's own deadline (10 min + 30 min).
    expect(job.spec!.activeDeadlineSeconds).toBe(2400);
  });

  it('lets the Job read that one backup and nothing else, and reach the API server', () => {
    expect(one(objects, 'Job', 'api-migrate').spec!.template.spec!.serviceAccountName).toBe('api-migrate');
    expect(one(objects, 'Role', 'api-migrate').rules).toEqual([
      { apiGroups: ['postgresql.cnpg.io'], resources: ['backups'], resourceNames: ['api-pre-migrate-1-4-2'], verbs: ['get'] },
    ]);
    expect(one(objects, 'RoleBinding', 'api-migrate').subjects).toEqual([{ kind: 'ServiceAccount', name: 'api-migrate' }]);
    const policy = one(objects, 'NetworkPolicy', 'api-migrate');
    expect(policy.spec?.podSelector.matchLabels?.['app.kubernetes.io/component']).toBe('migration');
    expect(policy.spec?.egress?.[0].ports?.map((p) => p.port)).toEqual([443, 6443]);
  });

  it('keeps the backup name while the release does, and takes a new one for a new release', () => {
    const names = (o: ReturnType<typeof build>) => o.filter((x) => x.kind === 'Backup').map((x) => x.metadata.name);
    expect(names(build(IMAGE, { config: { LOG_LEVEL: 'debug' } }))).toEqual(['api-pre-migrate-1-4-2']);
    expect(names(build('ghcr.io/acme/api:1.5.0'))).toEqual(['api-pre-migrate-1-5-0']);
    expect(names(build(`ghcr.io/acme/api@sha256:${'ab12'.repeat(16)}`))).toEqual(['api-pre-migrate-ab12ab12ab12']);
    const long = names(build(`ghcr.io/acme/api:2026.11.24-build.${'9'.repeat(60)}`))[0];
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^api-pre-migrate-2026-11-24-build-9+-[0-9a-f]{8}$/);
  });

  it('refuses an explicit backupFirst: true where no backup can be taken, in the TypeScript door', () => {
    const connecting = (db: (s: import('constructs').Construct) => import('../src/core/connection').IConnectable): string =>
      errorOf(() =>
        render((s) => {
          new TradingBackend(s, 'api', { image: IMAGE, migration: Migration.job({ command: ['migrate'], backupFirst: true }) }).connectTo(db(s));
        }),
      ).message;
    expect(
      connecting((s) => new PostgresCluster(s, 'trading-db', { engine: PostgresEngine.statefulSet({ credentialsSecret: 'db-credentials' }) })),
    ).toBe(
      'TradingBackend test/api: migration.backupFirst: true, but the database test/trading-db runs as a StatefulSet, which takes no backups: ' +
        'no backup can precede the migration; set backupFirst to false, or give the database backups',
    );
    expect(
      connecting((s) =>
        PostgresCluster.fromExternal(s, 'ledger', {
          host: 'ledger.example.com',
          database: 'ledger',
          cidr: '10.0.0.0/24',
          credentials: DatabaseCredentials.fromSecret('ledger'),
        }),
      ),
    ).toContain('but the database test/ledger is outside the cluster, where its backups are taken by whoever runs it');
  });

  it('is skipped with backupFirst: false, without backups, and for engines without on-demand backups', () => {
    const none = (o: ReturnType<typeof build>) => {
      expect(o.filter((x) => ['Backup', 'Role', 'RoleBinding'].includes(x.kind))).toEqual([]);
      expect(one(o, 'Job', 'api-migrate').spec!.template.spec!.initContainers).toBeUndefined();
      expect(one(o, 'Job', 'api-migrate').spec!.activeDeadlineSeconds).toBe(600);
    };
    none(build(IMAGE, { backupFirst: false }));
    none(
      render((s) => {
        const db = new PostgresCluster(s, 'trading-db', { engine: PostgresEngine.cloudNativePg() });
        new TradingBackend(s, 'api', { image: IMAGE, migration: Migration.job({ command: ['migrate'] }) }).connectTo(db);
      }),
    );
    none(
      render((s) => {
        const db = new PostgresCluster(s, 'trading-db', { engine: PostgresEngine.statefulSet({ credentialsSecret: 'db-credentials' }) });
        new TradingBackend(s, 'api', { image: IMAGE, migration: Migration.job({ command: ['migrate'] }) }).connectTo(db);
      }),
    );
  });

  it('is valid against the CRD and Kubernetes schemas', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });

  describe('the waiting script, run against a fake API server', () => {
    const script = one(objects, 'Job', 'api-migrate').spec!.template.spec!.initContainers![0].command![2];
    const bin = mkdtempSync(join(tmpdir(), 'backup-wait-'));
    // curl answers with the backup as the API server would, indented for curl unless the URL asks for pretty=false
    // (test/cluster/migration.cluster.test.ts runs the script against a real one); date advances ten minutes per
    // call; sleep returns at once.
    writeFileSync(
      join(bin, 'curl'),
      '#!/bin/sh\nfor a; do url=$a; done\ncase "$url" in *pretty=false*) b=$FAKE_BODY ;; *) b=$(printf \'%s\' "$FAKE_BODY" | sed \'s/":/": /g\') ;; esac\n' +
        'printf \'%s\\n%s\' "$b" "$FAKE_CODE"\n',
      { mode: 0o755 },
    );
    writeFileSync(join(bin, 'sleep'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    writeFileSync(join(bin, 'date'), `#!/bin/sh\nn=$(cat "${bin}/now" 2>/dev/null || echo 1000000)\necho $((n + 600)) > "${bin}/now"\necho $n\n`, {
      mode: 0o755,
    });
    const run = (body: string, code = '200') => {
      rmSync(join(bin, 'now'), { force: true });
      return spawnSync('sh', ['-c', script], {
        encoding: 'utf8',
        env: { PATH: `${bin}:${process.env.PATH}`, NAMESPACE: 'shop', BACKUP: 'api-pre-migrate-1-4-2', FAKE_BODY: body, FAKE_CODE: code },
      });
    };
    afterAll(() => rmSync(bin, { recursive: true, force: true }));

    it('lets the migration start once the backup completed', () => {
      const r = run('{"kind":"Backup","status":{"phase":"completed","backupId":"20261124T010000"}}');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('backup api-pre-migrate-1-4-2 completed');
    });

    it('fails when the backup failed, saying why', () => {
      const r = run('{"kind":"Backup","status":{"phase":"failed","error":"no space left"}}');
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('backup api-pre-migrate-1-4-2 failed, not migrating: "phase":"failed","error":"no space left"');
    });

    it('gives up after the timeout while the backup is still running, or missing, saying where it stood', () => {
      const cases: Array<[string, string, string]> = [
        ['{"kind":"Backup","status":{"phase":"running"}}', '200', '(backup api-pre-migrate-1-4-2: "phase":"running")'],
        ['{"kind":"Status","reason":"NotFound"}', '404', '(backup api-pre-migrate-1-4-2 does not exist yet)'],
        ['', '', '(no answer from the Kubernetes API yet)'],
      ];
      for (const [body, code, where] of cases) {
        const r = run(body, code);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(`did not complete within 1800s, not migrating ${where}`);
      }
    });

    it('waits out phases the operator retries (WAL archiving failing) instead of failing at once', () => {
      const r = run('{"kind":"Backup","status":{"phase":"walArchivingFailing"}}');
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        'did not complete within 1800s, not migrating (backup api-pre-migrate-1-4-2 is not progressing: "phase":"walArchivingFailing")',
      );
    });

    it('fails at once when the Job may not read the backup', () => {
      for (const code of ['401', '403']) {
        const r = run('{"kind":"Status","reason":"Forbidden"}', code);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(`cannot read backup api-pre-migrate-1-4-2 (HTTP ${code}): check the ServiceAccount, Role and RoleBinding`);
      }
    });
  });
});

describe('backupFirst in an environment file', () => {
  const file = (migration: string) => `tier: staging
namespace: shop-staging
databases:
  trading-db:
    backup: { destinationPath: "s3://acme/staging/trading-db", credentialsSecret: s3 }
services:
  api: { image: ${IMAGE}, database: trading-db, migration: ${migration} }
`;

  it('is on by default for a job migration and can be turned off', () => {
    const paths = (migration: string) =>
      renderEnvironment(parseEnvironment('staging', 'environments/staging.yaml', file(migration)).environment!).files.map((f) => f.path);
    expect(paths('{ mode: job, command: [migrate] }')).toContain('40-migration/backup-api-pre-migrate-1-4-2.yaml');
    expect(paths('{ mode: job, command: [migrate], backupFirst: false }').some((p) => p.includes('backup-api'))).toBe(false);
  });

  it('refuses backupFirst: true for a database that takes no backups, naming the field', () => {
    const noBackups = file('{ mode: job, command: [migrate], backupFirst: true }').replace(/    backup: .*\n/, '    database: trading\n');
    expect(environmentProblems('staging', 'environments/staging.yaml', noBackups)).toEqual([
      'environments/staging.yaml: services.api.migration.backupFirst: true, but the database trading-db has no backup configured (backup): ' +
        'no backup can precede the migration; set backupFirst to false, or give the database backups',
    ]);
  });

  it('names the field of a bad value', () => {
    expect(environmentProblems('staging', 'environments/staging.yaml', file('{ mode: on-start, backupFirst: true }'))).toEqual([
      'environments/staging.yaml: services.api.migration.backupFirst: does not apply to mode "on-start"; it takes startupTimeoutSeconds',
    ]);
    expect(environmentProblems('staging', 'environments/staging.yaml', file('{ mode: job, command: [migrate], backupTimeoutSeconds: 5 }'))).toEqual([
      'environments/staging.yaml: services.api.migration.backupTimeoutSeconds: 5 is out of range: use 60 to 86400 seconds (24h)',
    ]);
  });
});
