/**
 * The CloudNativePG instances reach their object store through an egress rule of its own, derived from the store's
 * endpoint (an in-cluster Service → its namespace and port; an external endpoint or plain s3:// → an address block on
 * 443), overridable with `backup.egress`, apart from the API server's rule; the operator's Jobs (initdb, join,
 * full-recovery) get a policy of their own. Bad values are named by field in both doors.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { BackupEgress } from '../src/postgres/backup-egress';
import { PostgresBackupOptions, PostgresRecoveryOptions } from '../src/postgres/engine-options';
import { PostgresCluster } from '../src/postgres/postgres-cluster';
import { PostgresEngine } from '../src/postgres/postgres-engine';
import { renderEnvironment } from '../src/synth/project';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { modelProblems } from './support/models';
import { errorOf, KindView, one, Obj, render } from './support/render';

const BACKUP = { destinationPath: 's3://acme-backups/prod/trading-db', credentialsSecret: 'trading-db-backup-s3' };
const MINIO = { ...BACKUP, endpointUrl: 'http://minio.minio.svc:9000' };
const ns = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

function cluster(backup?: PostgresBackupOptions, extra: { controlPlaneCidr?: string; recovery?: PostgresRecoveryOptions } = {}): Obj[] {
  return render((s) => {
    const db = new PostgresCluster(s, 'trading-db', {
      engine: PostgresEngine.cloudNativePg({ ...(backup ? { backup } : {}), ...(extra.recovery ? { recovery: extra.recovery } : {}) }),
      controlPlaneCidr: extra.controlPlaneCidr,
    });
    new TradingBackend(s, 'api', { image: 'ghcr.io/acme/api:1.4.2' }).connectTo(db);
  });
}

type Egress = KindView<'NetworkPolicy'>['spec']['egress'];
/** The egress rules as [peer, ports] pairs, in order. */
const rules = (egress: Egress): Array<[unknown, number[]]> =>
  egress.map((r) => [r.to.length === 1 ? r.to[0] : r.to, r.ports.map((p) => Number(p.port))]);
const instanceEgress = (objects: Obj[]) => rules(one(objects, 'NetworkPolicy', 'trading-db').spec.egress);
/** The rules other than DNS, replication and the API server: the object store's. */
const storeRules = (objects: Obj[], policy = 'trading-db') =>
  rules(one(objects, 'NetworkPolicy', policy).spec.egress).filter(
    ([peer, ports]) => !ports.includes(53) && !ports.includes(6443) && !JSON.stringify(peer).includes('cnpg.io/podRole'),
  );

describe('backup egress, derived from the object store endpoint', () => {
  it('allows an in-cluster MinIO by its namespace and port, apart from the API server rule', () => {
    const objects = cluster(MINIO);
    expect(storeRules(objects)).toEqual([[ns('minio'), [9000]]]);
    expect(instanceEgress(objects)).toContainEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }, [443, 6443]]);
  });

  it('reads <svc>.<ns>.svc.cluster.local, the scheme default port, and a bare Service name of its own namespace', () => {
    expect(storeRules(cluster({ ...BACKUP, endpointUrl: 'https://minio.storage.svc.cluster.local' }))).toEqual([[ns('storage'), [443]]]);
    expect(storeRules(cluster({ ...BACKUP, endpointUrl: 'http://minio.storage.svc' }))).toEqual([[ns('storage'), [80]]]);
    expect(storeRules(cluster({ ...BACKUP, endpointUrl: 'http://minio:9000' }))).toEqual([[ns('trading-test'), [9000]]]);
  });

  it('allows an external endpoint, an IP address and plain s3:// on a rule of their own (0.0.0.0/0 on 443 for AWS)', () => {
    expect(storeRules(cluster(BACKUP))).toEqual([[{ ipBlock: { cidr: '0.0.0.0/0' } }, [443]]]);
    expect(storeRules(cluster({ ...BACKUP, endpointUrl: 'https://s3.eu-central-1.wasabisys.com' }))).toEqual([
      [{ ipBlock: { cidr: '0.0.0.0/0' } }, [443]],
    ]);
    expect(storeRules(cluster({ ...BACKUP, endpointUrl: 'http://ceph.example.com:7480' }))).toEqual([[{ ipBlock: { cidr: '0.0.0.0/0' } }, [7480]]]);
    expect(storeRules(cluster({ ...BACKUP, endpointUrl: 'http://10.20.0.5:9000' }))).toEqual([[{ ipBlock: { cidr: '10.20.0.5/32' } }, [9000]]]);
  });

  it('keeps S3 reachable when the API server CIDR is narrowed', () => {
    const egress = instanceEgress(cluster(BACKUP, { controlPlaneCidr: '10.0.0.1/32' }));
    expect(egress).toContainEqual([{ ipBlock: { cidr: '10.0.0.1/32' } }, [443, 6443]]);
    expect(egress).toContainEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }, [443]]);
  });

  it('takes the pods, the address block and the ports the user names', () => {
    const egress = (e: BackupEgress, endpointUrl = MINIO.endpointUrl) => storeRules(cluster({ ...BACKUP, endpointUrl, egress: e }));
    expect(egress({ podLabels: { 'app.kubernetes.io/name': 'minio' } })).toEqual([
      [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'minio' } }, ...ns('minio') }, [9000]],
    ]);
    expect(egress({ namespace: 'object-store', ports: [9000, 9443] })).toEqual([[ns('object-store'), [9000, 9443]]]);
    expect(egress({ cidr: '52.95.0.0/16' }, 'https://s3.amazonaws.com')).toEqual([[{ ipBlock: { cidr: '52.95.0.0/16' } }, [443]]]);
  });

  it('adds no store rule without backups', () => {
    expect(storeRules(cluster())).toEqual([]);
  });

  it('gives the operator Jobs (initdb, join, full-recovery) DNS, the API server, the primary and both stores', () => {
    const objects = cluster(MINIO, { recovery: { serverName: 'old-db', objectStore: { ...BACKUP, destinationPath: 's3://old/prod' } } });
    const jobs = one(objects, 'NetworkPolicy', 'trading-db-jobs');
    expect(jobs.spec.podSelector).toEqual({
      matchLabels: { 'cnpg.io/cluster': 'trading-db' },
      matchExpressions: [{ key: 'cnpg.io/jobRole', operator: 'Exists' }],
    });
    expect(jobs.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(jobs.spec.ingress ?? []).toEqual([]);
    const egress = rules(jobs.spec.egress);
    expect(egress.map(([, ports]) => ports)).toContainEqual([53, 53]);
    expect(egress).toContainEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }, [443, 6443]]);
    expect(egress).toContainEqual([
      { podSelector: { matchLabels: { 'cnpg.io/cluster': 'trading-db', 'cnpg.io/podRole': 'instance' } }, ...ns('trading-test') },
      [5432],
    ]);
    expect(storeRules(objects, 'trading-db-jobs')).toEqual([
      [ns('minio'), [9000]],
      [{ ipBlock: { cidr: '0.0.0.0/0' } }, [443]],
    ]);
    // The instances archive to their own store only; the primary admits a joining replica's pg_basebackup.
    expect(storeRules(objects)).toEqual([[ns('minio'), [9000]]]);
    const ingress = one(objects, 'NetworkPolicy', 'trading-db').spec.ingress.map((r) => [r.from[0], r.ports.map((p) => Number(p.port))]);
    expect(ingress).toContainEqual([{ podSelector: jobs.spec.podSelector }, [5432]]);
  });

  it('is valid against the Kubernetes schemas', async () => {
    const objects = cluster({ ...MINIO, egress: { podLabels: { app: 'minio' } } }, { recovery: { serverName: 'old-db' } });
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });

  it('names the field of a bad value in props', () => {
    expect(
      errorOf(() =>
        PostgresEngine.cloudNativePg({
          backup: { ...BACKUP, endpointUrl: 'http://:9000', egress: { cidr: '10.0.0.0', namespace: 'Minio', podLabels: {}, ports: [0, 9000] } },
        }),
      ).message,
    ).toBe(
      [
        '6 configuration problems:',
        '  - PostgresEngine.cloudNativePg: backup.endpointUrl: "http://:9000" is not a URL: use a value like "https://minio.example.com" or "http://minio.minio.svc:9000"',
        '  - PostgresEngine.cloudNativePg: backup.egress.cidr: "10.0.0.0" is not a CIDR block: use a value like "10.0.0.0/16" or "0.0.0.0/0"',
        '  - PostgresEngine.cloudNativePg: backup.egress.cidr: names an address block: namespace and podLabels do not apply with it',
        '  - PostgresEngine.cloudNativePg: backup.egress.namespace: "Minio" is not a valid name: use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
        "  - PostgresEngine.cloudNativePg: backup.egress.podLabels: is empty: leave it out to allow every pod of the namespace, or name the object store's pods' labels",
        '  - PostgresEngine.cloudNativePg: backup.egress.ports[0]: 0 is not a valid port: use a whole number from 1 to 65535',
      ].join('\n'),
    );
    expect(
      errorOf(() => PostgresEngine.cloudNativePg({ recovery: { serverName: 'old', objectStore: { ...BACKUP, egress: { ports: [] } } } })).message,
    ).toBe("PostgresEngine.cloudNativePg: recovery.objectStore.egress.ports: [] names no port: list the object store's ports, like [9000]");
  });

  const FILE = 'environments/staging.yaml';
  const file = (backup: string) => `tier: staging
namespace: shop-staging
databases:
  trading-db:
    backup: ${backup}
services:
  api: { image: ghcr.io/acme/api:1.4.2, database: trading-db }
`;

  it('is derived and overridden in an environment file', () => {
    const policy = (backup: string): Array<[unknown, number[]]> => {
      const parsed = parseEnvironment('staging', FILE, file(backup));
      expect(parsed.problems).toEqual([]);
      const text = renderEnvironment(parsed.environment!).files.find((f) => f.path === '30-database/networkpolicy-trading-db.yaml')?.content;
      return rules((parse(text ?? '') as KindView<'NetworkPolicy'>).spec.egress);
    };
    const minio = policy('{ destinationPath: s3://acme/staging, credentialsSecret: s3, endpointUrl: "http://minio.minio.svc:9000" }');
    expect(minio).toContainEqual([ns('minio'), [9000]]);
    const labelled = policy(
      '{ destinationPath: s3://acme/staging, credentialsSecret: s3, endpointUrl: "http://minio.minio.svc", egress: { podLabels: { app: minio }, ports: [9000] } }',
    );
    expect(labelled).toContainEqual([{ ...ns('minio'), podSelector: { matchLabels: { app: 'minio' } } }, [9000]]);
    expect(policy('{ destinationPath: s3://acme/staging, credentialsSecret: s3 }')).toContainEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }, [443]]);
  });

  it('names the field of a bad value in an environment file', () => {
    expect(
      environmentProblems(
        'staging',
        FILE,
        file(
          '{ destinationPath: s3://acme/staging, credentialsSecret: s3, endpointUrl: "http://", egress: { cidr: 10.0.0.0/8, namespace: minio, ports: [70000] } }',
        ),
      ),
    ).toEqual([
      `${FILE}: databases.trading-db.backup.endpointUrl: "http://" is not a URL: use a value like "https://minio.example.com" or "http://minio.minio.svc:9000"`,
      `${FILE}: databases.trading-db.backup.egress.cidr: names an address block: namespace and podLabels do not apply with it`,
      `${FILE}: databases.trading-db.backup.egress.ports[0]: 70000 is not a valid port: use a whole number from 1 to 65535`,
    ]);
  });
});
