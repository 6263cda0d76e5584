import { JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigurationError } from '../src/core/problems';
import { PostgresCluster, PostgresClusterProps } from '../src/postgres/postgres-cluster';
import { PostgresEngine } from '../src/postgres/postgres-engine';
import { Migration } from '../src/api-service/migration';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { modelProblems } from './support/models';
import { podSpecOf, restrictedViolations } from '../src/policy/pod-security-standards';
import { EnvVar, PodTemplateSpec } from './support/kinds';
import { all, asManifest, errorOf, KindView, one, Obj, render, View } from './support/render';

const BACKUP = { destinationPath: 's3://backups/prod/db', credentialsSecret: 'db-backup-s3' };

function withApi(scope: Construct, props: PostgresClusterProps): { db: PostgresCluster; api: TradingBackend } {
  const db = new PostgresCluster(scope, 'trading-db', props);
  const api = new TradingBackend(scope, 'trading-api', {
    image: 'ghcr.io/acme/api:1.0.0',
    migration: Migration.job({ command: ['/app/server', 'migrate'] }),
  });
  api.connectTo(db);
  return { db, api };
}

/** The env vars of a container of a workload (Deployment, Job, StatefulSet), by name. */
const envOf = (o: { readonly spec: { readonly template: View<PodTemplateSpec> } }, container = 0): Record<string, View<EnvVar>> =>
  Object.fromEntries(o.spec.template.spec.containers[container].env.map((e) => [e.name, e]));

describe('PostgresCluster on CloudNativePG, with backups and a pooler', () => {
  const objects = render((s) =>
    withApi(s, {
      engine: PostgresEngine.cloudNativePg({ backup: BACKUP, pooler: {} }),
      database: 'trading',
      owner: 'trading',
      storage: { size: '100Gi', storageClass: 'gp3' },
      parameters: { max_connections: '200' },
    }),
  );
  const dbObjects = objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'database');
  const cluster = one(objects, 'Cluster');

  it('matches the reviewed snapshot', () => {
    expect(dbObjects.map((o) => stringify(o)).join('---\n')).toMatchSnapshot();
  });

  it('runs 3 instances spread over nodes, with storage, initdb and parameters', () => {
    expect(cluster.apiVersion).toBe('postgresql.cnpg.io/v1');
    expect(cluster.spec.instances).toBe(3);
    expect(cluster.spec.affinity).toEqual({ enablePodAntiAffinity: true, podAntiAffinityType: 'required', topologyKey: 'kubernetes.io/hostname' });
    expect(cluster.spec.storage).toEqual({ size: '100Gi', storageClass: 'gp3' });
    expect(cluster.spec.bootstrap.initdb).toMatchObject({ database: 'trading', owner: 'trading' });
    expect(cluster.spec.postgresql.parameters).toEqual({ max_connections: '200' });
    expect(cluster.spec.imageName).toMatch(/^ghcr\.io\/cloudnative-pg\/postgresql:\d+\.\d+-\d{12}-(minimal|standard)-(bookworm|trixie)@sha256:/);
    expect(cluster.spec.resources.limits.memory).toBe(cluster.spec.resources.requests.memory);
  });

  it('archives WAL through the Barman Cloud plugin, never the deprecated in-tree barmanObjectStore', () => {
    expect(cluster.spec.backup).toBeUndefined();
    expect(cluster.spec.plugins).toEqual([
      { name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'trading-db-backups' } },
    ]);
    const store = one(objects, 'ObjectStore');
    expect(store.apiVersion).toBe('barmancloud.cnpg.io/v1');
    expect(store.spec.retentionPolicy).toBe('30d');
    expect(store.spec.configuration.destinationPath).toBe('s3://backups/prod/db');
    expect(store.spec.configuration.s3Credentials).toEqual({
      accessKeyId: { name: 'db-backup-s3', key: 'ACCESS_KEY_ID' },
      secretAccessKey: { name: 'db-backup-s3', key: 'ACCESS_SECRET_KEY' },
    });
    expect(store.spec.configuration.wal.compression).toBe('gzip');
    const backup = one(objects, 'ScheduledBackup');
    expect(backup.spec).toMatchObject({
      method: 'plugin',
      pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
      cluster: { name: 'trading-db' },
    });
    expect(backup.spec.schedule.split(' ')).toHaveLength(6);
  });

  it('pools connections with a PgBouncer Pooler whose name differs from the Cluster', () => {
    const pooler = one(objects, 'Pooler');
    expect(pooler.metadata.name).toBe('trading-db-pooler');
    expect(pooler.spec).toMatchObject({ cluster: { name: 'trading-db' }, type: 'rw', instances: 2, pgbouncer: { poolMode: 'transaction' } });
    expect(pooler.spec.pgbouncer.parameters.max_client_conn).toBe('1000');
  });

  it("monitors with PodMonitors, not the deprecated enablePodMonitor; the instances' selects no PgBouncer pod", () => {
    expect(cluster.spec.monitoring).toBeUndefined();
    // CloudNativePG labels PgBouncer pods cnpg.io/cluster too (podRole: pooler): the instances are podRole: instance,
    // as the operator's own PodMonitor selects them, so pooler series are not scraped twice.
    expect(
      all(objects, 'PodMonitor')
        .filter((m) => m.metadata.name.startsWith('trading-db'))
        .map((m) => [m.metadata.name, m.spec.selector.matchLabels]),
    ).toEqual([
      ['trading-db', { 'cnpg.io/cluster': 'trading-db', 'cnpg.io/podRole': 'instance' }],
      ['trading-db-pooler', { 'cnpg.io/poolerName': 'trading-db-pooler' }],
    ]);
  });

  it('gives the API its connection from the CNPG app Secret, through the pooler; the migration Job bypasses it', () => {
    const api = envOf(one(objects, 'Deployment'));
    expect(api.PGHOST.value).toBe('trading-db-pooler');
    expect(api.PGUSER.valueFrom.secretKeyRef).toEqual({ name: 'trading-db-app', key: 'username' });
    expect(api.PGPASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'trading-db-app', key: 'password' });
    expect(api.DATABASE_URL.value).toBe('postgresql://$(PGUSER):$(PGPASSWORD)@trading-db-pooler:5432/trading?sslmode=require');
    const job = envOf(one(objects, 'Job'));
    expect(job.PGHOST.value).toBe('trading-db-rw');
    expect(job.DATABASE_URL.value).toContain('@trading-db-rw:5432/');
    expect(all(objects, 'Secret')).toEqual([]);
  });

  it('admits the API to the pooler and the instances, and lets the API egress to both', () => {
    const apiPods = { 'app.kubernetes.io/name': 'trading-api', 'app.kubernetes.io/instance': 'trading-api' };
    const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string>): boolean =>
      a !== undefined && Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);
    const admits = (policy: KindView<'NetworkPolicy'>): boolean =>
      policy.spec.ingress.some((r) => r.from.some((f) => sameLabels(f.podSelector?.matchLabels, apiPods)) && r.ports.some((p) => p.port === 5432));
    expect(admits(one(objects, 'NetworkPolicy', 'trading-db-pooler'))).toBe(true);
    expect(admits(one(objects, 'NetworkPolicy', 'trading-db'))).toBe(true);
    const egress = one(objects, 'NetworkPolicy', 'trading-api').spec.egress.flatMap((r) => r.to.map((t) => t.podSelector?.matchLabels));
    expect(egress).toContainEqual({ 'cnpg.io/poolerName': 'trading-db-pooler' });
    expect(egress).toContainEqual({ 'cnpg.io/cluster': 'trading-db', 'cnpg.io/podRole': 'instance' });
  });

  it('lets the instances (not the PgBouncer pods) replicate and talk to the operator, the API server and Prometheus', () => {
    const np = one(objects, 'NetworkPolicy', 'trading-db');
    expect(np.spec.podSelector.matchLabels).toEqual({ 'cnpg.io/cluster': 'trading-db', 'cnpg.io/podRole': 'instance' });
    const from = np.spec.ingress.map((r) => [
      r.from[0].podSelector?.matchLabels ?? r.from[0].namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'],
      r.ports.map((p) => p.port),
    ]);
    expect(from).toContainEqual(['cnpg-system', [8000, 5432]]);
    expect(from).toContainEqual(['monitoring', [9187]]);
    expect(from).toContainEqual([{ 'cnpg.io/cluster': 'trading-db', 'cnpg.io/podRole': 'instance' }, [5432, 8000]]);
    expect(np.spec.egress.map((r) => r.ports.map((p) => p.port))).toContainEqual([443, 6443]);
  });

  it('orders the database before the migration and the migration before the API (Argo CD waves)', () => {
    const wave = (o: Obj): number => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    const job = one(objects, 'Job');
    expect(job.metadata.annotations?.['argocd.argoproj.io/hook']).toBe('Sync');
    for (const o of dbObjects) expect(wave(o), `${o.kind}/${o.metadata.name}`).toBeLessThan(wave(job));
    expect(wave(job)).toBeLessThan(wave(one(objects, 'Deployment')));
  });

  it('is valid against the CRD schemas and the Kubernetes models', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });
});

describe('PostgresCluster on CloudNativePG, minimal', () => {
  it('without a pooler, clients connect to <cluster>-rw; without backups, no plugin', () => {
    const objects = render((s) => withApi(s, { engine: PostgresEngine.cloudNativePg(), instances: 2 }));
    expect(envOf(one(objects, 'Deployment')).PGHOST.value).toBe('trading-db-rw');
    expect(one(objects, 'Cluster').spec.plugins).toBeUndefined();
    expect(all(objects, 'Pooler', 'ObjectStore', 'ScheduledBackup')).toEqual([]);
  });

  it('qualifies the host with the namespace when the database lives in another chart', () => {
    const objects = render((s) => {
      const { Chart } = require('cdk8s') as typeof import('cdk8s');
      const dataChart = new Chart(s.node.scope as Construct, 'data', { namespace: 'trading-data', disableResourceNameHashes: true });
      const db = new PostgresCluster(dataChart, 'shared-db', { engine: PostgresEngine.cloudNativePg(), instances: 1 });
      new TradingBackend(s, 'api', { image: 'ghcr.io/acme/api:1.0.0' }).connectTo(db);
    });
    expect(envOf(one(objects, 'Deployment')).PGHOST.value).toBe('shared-db-rw.trading-data.svc');
    const egress = one(objects, 'NetworkPolicy', 'api').spec.egress[1].to[0];
    expect(egress.namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'trading-data' });
  });
});

describe('PostgresCluster as a StatefulSet (dev without the operator)', () => {
  const objects = render((s) => withApi(s, { engine: PostgresEngine.statefulSet({ credentialsSecret: 'db-credentials' }), database: 'trading' }));
  const sts = one(objects, 'StatefulSet');
  const pg = sts.spec.template.spec.containers[0];

  it('matches the reviewed snapshot', () => {
    expect(
      objects
        .filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'database')
        .map((o) => stringify(o))
        .join('---\n'),
    ).toMatchSnapshot();
  });

  it('has a headless and a ClusterIP Service', () => {
    expect(sts.spec.serviceName).toBe('trading-db-headless');
    expect(one(objects, 'Service', 'trading-db-headless').spec.clusterIP).toBe('None');
    expect(one(objects, 'Service', 'trading-db').spec.type).toBe('ClusterIP');
  });

  it('claims a real storage size (not the cdk8s `storage: null` of patched quantities), also after a patch', () => {
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    const patched = render((s) => {
      const { db } = withApi(s, { engine: PostgresEngine.statefulSet({ credentialsSecret: 'c' }), storage: { size: '5Gi' } });
      db.resource.addJsonPatch(JsonPatch.replace('/spec/volumeClaimTemplates/0/spec/resources/requests/storage', '20Gi'));
    });
    expect(one(patched, 'StatefulSet').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
  });

  it('probes with pg_isready, runs restricted as the postgres UID with PGDATA in a subdirectory', () => {
    for (const probe of [pg.readinessProbe, pg.livenessProbe, pg.startupProbe]) expect(probe.exec.command[0]).toBe('pg_isready');
    expect(restrictedViolations(podSpecOf(asManifest(sts)))).toEqual([]);
    expect(sts.spec.template.spec.securityContext).toMatchObject({ runAsUser: 999, fsGroup: 999 });
    const env = envOf(sts);
    expect(env.PGDATA.value).toBe('/var/lib/postgresql/data/pgdata');
    expect(env.POSTGRES_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'db-credentials', key: 'password' });
  });

  it('gives the API its credentials from the referenced Secret, without TLS', () => {
    const api = envOf(one(objects, 'Deployment'));
    expect(api.PGHOST.value).toBe('trading-db');
    expect(api.PGUSER.valueFrom.secretKeyRef).toEqual({ name: 'db-credentials', key: 'username' });
    expect(api.DATABASE_URL.value).toBe('postgresql://$(PGUSER):$(PGPASSWORD)@trading-db:5432/trading?sslmode=disable');
  });

  it('is valid against the Kubernetes models', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });
});

describe('PostgresCluster: bad input', () => {
  const dbError = (props: PostgresClusterProps): string[] => {
    const e = errorOf(() => render((s) => withApi(s, props)));
    expect(e).toBeInstanceOf(ConfigurationError);
    return [...(e as ConfigurationError).problems];
  };

  it('rejects fewer than one instance', () => {
    expect(dbError({ instances: 0 })).toEqual(['PostgresCluster test/trading-db: instances: 0 is out of range: use a whole number from 1 to 9']);
  });

  it('rejects fewer than three instances when high availability is required, unless allowed', () => {
    expect(dbError({ instances: 2, requireHighAvailability: true })).toEqual([
      'PostgresCluster test/trading-db: instances: 2 is below 3, the minimum for high availability; to run fewer on purpose, say so (requireHighAvailability: false in props, allowFewerInstances: true in an environment file)',
    ]);
    expect(() => render((s) => withApi(s, { instances: 2, requireHighAvailability: false }))).not.toThrow();
  });

  it('rejects a storage size that is not a quantity', () => {
    expect(dbError({ storage: { size: '10GB' } })).toEqual([
      'PostgresCluster test/trading-db: storage.size: "10GB" is not a Kubernetes quantity; use a value like "10Gi"',
    ]);
  });

  it('rejects a cron that is not six fields, and a malformed retention', () => {
    expect(errorOf(() => PostgresEngine.cloudNativePg({ backup: { ...BACKUP, schedule: '0 2 * * *', retention: '30 days' } })).message).toBe(
      [
        '2 configuration problems:',
        '  - PostgresEngine.cloudNativePg: backup.retention: "30 days" is not a retention: use a number of days, weeks or months like "30d", "4w" or "6m"',
        '  - PostgresEngine.cloudNativePg: backup.schedule: "0 2 * * *" is not a six-field cron (seconds first): use a value like "0 0 2 * * *" for daily at 02:00',
      ].join('\n'),
    );
  });

  it('rejects a pooler named like the cluster', () => {
    expect(dbError({ engine: PostgresEngine.cloudNativePg({ pooler: { name: 'trading-db' } }) })).toEqual([
      'PostgresCluster test/trading-db: engine.pooler.name: "trading-db" is the Cluster\'s name too: CNPG needs the Pooler\'s name (its Service) to differ from every Cluster name',
    ]);
  });

  it('rejects backups without credentials', () => {
    const backup = { destinationPath: 's3://b/p' } as unknown as typeof BACKUP;
    expect(errorOf(() => PostgresEngine.cloudNativePg({ backup })).message).toBe(
      'PostgresEngine.cloudNativePg: backup.credentialsSecret: is required: backups need a Secret with the object store credentials',
    );
  });

  it('rejects more than one instance on the StatefulSet engine, and a missing credentials Secret', () => {
    expect(dbError({ engine: PostgresEngine.statefulSet({ credentialsSecret: 'c' }), instances: 2 })[0]).toContain(
      'instances: 2 is not possible with the StatefulSet engine',
    );
    expect(errorOf(() => PostgresEngine.statefulSet({} as never)).message).toContain('credentialsSecret: is required');
  });

  it('rejects a database nobody connects to', () => {
    const e = errorOf(() => render((s) => new PostgresCluster(s, 'orphan-db', {})));
    expect(e.message).toContain('PostgresCluster test/orphan-db: no workload connects to it');
  });

  it('rejects connecting twice, in one message (not one per variable)', () => {
    const e = errorOf(() =>
      render((s) => {
        const { db, api } = withApi(s, {});
        api.connectTo(db);
      }),
    );
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as ConfigurationError).problems).toEqual([
      'TradingBackend test/trading-api: connectTo: test/trading-db is connected twice: connect each database or cache once',
    ]);
  });
});
