/**
 * prod's databases under the CloudNativePG operator (built from its Go module, run out of the cluster): its
 * mutating and validating webhooks served on loopback (the envtest pattern: a CA of the test's, the
 * operator's own webhook configurations pointed at https://127.0.0.1:<port>), so the `Cluster`, `Pooler`,
 * `Backup` and `ScheduledBackup` objects of dist/ pass the operator's defaulting and validation; then the
 * objects the operator creates from them (Services, Secrets, the PodDisruptionBudget, the first instance's
 * volume, the bootstrap Job and its pod) are held to the namespace's PodSecurity, quota and LimitRange.
 * No PostgreSQL runs under kwok: the bootstrap never finishes, so the Cluster does not become healthy, the
 * instances' own pods and the pooler's Deployment (which waits for the Cluster's credentials) are not made,
 * and what a running database does (backups, failover) is not shown here.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, KubeObject, statusMessage } from '../../src/cli/cluster/api-client';
import { FIELD_MANAGER } from '../../src/cli/cluster/server-check';
import { ensurePrograms } from './components';
import { freePort, waitFor } from './control-plane';
import { Program } from './controllers';
import { CRD_SOURCES, moduleDir } from './crds';
import { DIST, renamedCopy } from './fixtures';
import { cli, scratchProject } from '../support/project';
import { environmentObjects } from './gitops-apply';

const client = new ApiClient(inject('apiUrl'));
const copy = renamedCopy(DIST, 'prod', 'cnpg');
const ns = copy.namespace;
const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-trading-cnpg-'));
/**
 * staging's file without its database backup, in a namespace of its own: a Cluster that names the Barman Cloud
 * plugin (CNPG-i, a separate program not built here) is not reconciled until the plugin answers, so the objects
 * the operator makes are seen on a Cluster without it.
 */
const variant = scratchProject();
const CHILDREN = 'cnpg-children';
{
  const file = join(variant.root, 'environments', `${CHILDREN}.yaml`);
  const text = readFileSync(join(variant.root, 'environments', 'staging.yaml'), 'utf8');
  const backup = /    backup:\n(      .*\n)+/;
  if (!backup.test(text)) throw new Error('staging.yaml has no database backup');
  writeFileSync(file, text.replace(/^namespace: .*$/m, `namespace: ${CHILDREN}`).replace(backup, ''));
  const r = cli(variant.root, ['synth', '--env', CHILDREN]);
  if (r.status !== 0) throw new Error(`synth of ${CHILDREN}: ${r.stderr}`);
}
const childObjects = environmentObjects(variant.out, CHILDREN).filter((o) => !['Deployment', 'Job', 'HorizontalPodAutoscaler'].includes(o.kind));
const OPERATOR_NAMESPACE = 'cnpg-system';
const WEBHOOKS = {
  MutatingWebhookConfiguration: 'cdk8s-trading-test-cnpg-mutating',
  ValidatingWebhookConfiguration: 'cdk8s-trading-test-cnpg-validating',
};
let operator: Program | undefined;

/** prod's objects but the application's workloads (the databases, the cache, the pre-migration Backup and what they need). */
const objects = environmentObjects(copy.dist, 'prod').filter((o) => !['Deployment', 'Job', 'HorizontalPodAutoscaler'].includes(o.kind));

interface Event {
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string };
}

/** Go's name of this machine's architecture. */
function goArch(): string {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' };
  return arch[process.arch] ?? process.arch;
}

/** A CA and a serving certificate for 127.0.0.1, named as the operator reads them from WEBHOOK_CERT_DIR. */
function certificates(dir: string): string {
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=cdk8s-trading test webhook CA',
  );
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'apiserver.key', '-out', 'apiserver.csr', '-subj', '/CN=127.0.0.1');
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > san.ext'], { cwd: dir });
  run(
    'x509',
    '-req',
    '-in',
    'apiserver.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'apiserver.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  return readFileSync(join(dir, 'ca.crt')).toString('base64');
}

/** The operator's webhook configurations, from its module, pointed at loopback and limited to the test's namespace. */
function webhookConfigurations(port: number, caBundle: string): KubeObject[] {
  const source = CRD_SOURCES.find((s) => s.module === 'github.com/cloudnative-pg/cloudnative-pg');
  if (!source) throw new Error('no CloudNativePG version in crds.ts');
  const text = readFileSync(join(moduleDir(source.module, source.version), 'config', 'webhook', 'manifests.yaml'), 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject & { webhooks: Array<Record<string, unknown> & { clientConfig: { service: { path: string } } }> })
    .filter((o) => o?.kind in WEBHOOKS)
    .map((o) => ({
      ...o,
      metadata: { name: WEBHOOKS[o.kind as keyof typeof WEBHOOKS] },
      webhooks: o.webhooks.map((w) => ({
        ...w,
        clientConfig: { url: `https://127.0.0.1:${port}${w.clientConfig.service.path}`, caBundle },
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [ns, CHILDREN] }] },
      })),
    }));
}

const rejected: string[] = [];

beforeAll(async () => {
  const caBundle = certificates(scratch);
  const [port, metrics] = await Promise.all([freePort(), freePort()]);
  await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: OPERATOR_NAMESPACE } }, { fieldManager: 'cluster-test' });
  for (const w of webhookConfigurations(port, caBundle)) {
    const r = await client.apply(w, { fieldManager: 'cluster-test' });
    if (r.status >= 300) throw new Error(`${w.kind}: ${statusMessage(r)}`);
  }
  // The operator hands its own binary to each instance (as the bootstrap controller) and looks for it, per
  // architecture, at operator/manager_<arch> under its working directory, where its image keeps it.
  mkdirSync(join(scratch, 'operator'));
  symlinkSync(ensurePrograms().paths.manager, join(scratch, 'operator', `manager_${goArch()}`));
  operator = new Program(
    ensurePrograms().paths.manager,
    ['controller', '--leader-elect=false', `--webhook-port=${port}`, `--metrics-bind-address=127.0.0.1:${metrics}`],
    { cwd: scratch, env: { WEBHOOK_CERT_DIR: scratch, OPERATOR_NAMESPACE, WATCH_NAMESPACE: `${ns},${CHILDREN}`, KUBECONFIG: inject('kubeconfig') } },
  );
  await waitFor('the CloudNativePG webhook server', 120_000, async () => {
    if (operator?.exited) throw Object.assign(new Error(`the operator exited:\n${operator.tail()}`), { fatal: true });
    // "Serving", not "Starting": controller-runtime v0.24.1 logs the latter before it loads the certificates and
    // listens (pkg/webhook/server.go), so an apply right after it could be refused with "connection refused".
    return /Serving webhook server/.test(readFileSync(operator?.log ?? '', 'utf8')) ? true : undefined;
  });
  // The Namespace first (as both GitOps tools order kinds), then everything else in dist/'s order.
  for (const o of [...objects, ...childObjects].sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'))) {
    const r = await client.apply(o, { fieldManager: FIELD_MANAGER });
    if (r.status >= 300) rejected.push(`${o.kind}/${o.metadata.name}: ${statusMessage(r)}`);
  }
}, 300_000);

afterAll(async () => {
  await operator?.stop();
  for (const [kind, name] of Object.entries(WEBHOOKS)) await client.delete('admissionregistration.k8s.io/v1', kind, undefined, name);
  rmSync(scratch, { recursive: true, force: true });
  rmSync(copy.dist, { recursive: true, force: true });
  rmSync(variant.root, { recursive: true, force: true });
});

type Cluster = KubeObject & { spec: { instances: number; postgresql?: { parameters?: Record<string, string> } } };

describe("prod's databases under the CloudNativePG operator", () => {
  it("every Cluster, Pooler, Backup and ScheduledBackup passes the operator's webhooks", async () => {
    expect(objects.some((o) => o.kind === 'Pooler')).toBe(true);
    expect(rejected).toEqual([]);
    // The mutating webhook ran: the stored Cluster has the operator's defaults beside ours.
    const ours = objects.find((o) => o.kind === 'Cluster') as Cluster;
    const stored = (await client.get<Cluster>('postgresql.cnpg.io/v1', 'Cluster', ns, ours.metadata.name)) as Cluster;
    const added = Object.keys(stored.spec.postgresql?.parameters ?? {}).filter((k) => !(k in (ours.spec.postgresql?.parameters ?? {})));
    expect(added.length).toBeGreaterThan(0);
    // And the validating one answers: a Cluster it must refuse (fewer than one instance) is refused by it.
    const bad = await client.apply({ ...ours, spec: { ...ours.spec, instances: 0 } } as KubeObject, { fieldManager: FIELD_MANAGER, dryRun: true });
    expect(bad.status).toBeGreaterThanOrEqual(400);
  });

  it("the operator's objects are admitted in the namespace (staging without backup): Services, Secrets, PDB, volumes and the bootstrap Job's pod", async () => {
    const ns = CHILDREN;
    const cluster = childObjects.find((o) => o.kind === 'Cluster') as Cluster;
    const name = cluster.metadata.name;
    const names = async (apiVersion: string, kind: string): Promise<string[]> =>
      (await client.list(apiVersion, kind, ns)).map((o) => o.metadata.name);
    // The first instance's bootstrap: its volume, and the initdb Job whose pod the namespace must admit.
    const initdb = `${name}-1-initdb`;
    await waitFor("the operator's objects", 120_000, async () => {
      if (operator?.exited) throw Object.assign(new Error(`the operator exited:\n${operator.tail()}`), { fatal: true });
      const [services, jobs, claims, budgets, pods] = await Promise.all([
        names('v1', 'Service'),
        names('batch/v1', 'Job'),
        names('v1', 'PersistentVolumeClaim'),
        names('policy/v1', 'PodDisruptionBudget'),
        client.list<KubeObject & { metadata: { labels?: Record<string, string> } }>('v1', 'Pod', ns),
      ]);
      return ['rw', 'ro', 'r'].every((s) => services.includes(`${name}-${s}`)) &&
        jobs.includes(initdb) &&
        claims.includes(`${name}-1`) &&
        budgets.includes(`${name}-primary`) &&
        pods.some((p) => p.metadata.labels?.['job-name'] === initdb)
        ? true
        : undefined;
    }).catch(async (e: Error) => {
      const refused = (await client.list<Event>('v1', 'Event', ns)).filter((ev) => ev.reason === 'FailedCreate').map((ev) => ev.message);
      throw new Error(`${e.message}\nrefused: ${refused.join('; ') || 'nothing'}\n--- operator log ---\n${operator?.tail(30)}`);
    });
    // The credentials the operator generates for the application (its owner) are there for the services' env.
    expect(await names('v1', 'Secret')).toContain(`${name}-app`);
    // No PostgreSQL runs under kwok: the bootstrap pod never finishes, and the Cluster stays in its setup phase.
    const stored = await client.get<KubeObject & { status?: { phase?: string; phaseReason?: string } }>('postgresql.cnpg.io/v1', 'Cluster', ns, name);
    console.log(`[cluster] CloudNativePG: Cluster ${ns}/${name}: ${stored?.status?.phase ?? 'no phase'} (${stored?.status?.phaseReason ?? ''})`);
    const events = await client.list<Event>('v1', 'Event', ns);
    const refused = events.filter((e) => e.reason === 'FailedCreate' || /forbidden|exceeded quota|violates PodSecurity/.test(e.message ?? ''));
    expect(refused.map((e) => `${e.involvedObject?.kind}/${e.involvedObject?.name}: ${e.message}`)).toEqual([]);
  });
});
