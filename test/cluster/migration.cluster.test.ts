/**
 * The migration waits for its backup: the `wait-for-backup` init container of staging's migration Job, its
 * shell script run for real (sh and curl on this machine) against the local API server, with what the pod
 * would have: a token the API server issues for the Job's ServiceAccount (its projected token), the CA of
 * the namespace's `kube-root-ca.crt`, and the Role and RoleBinding from dist/. No container runs under
 * kwok, so the script runs here; the only change to it is where the projected volume is mounted, and curl
 * reaching `kubernetes.default.svc` at the local API server's port. The test plays CloudNativePG's part
 * by writing the Backup's status.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, KubeObject } from '../../src/cli/cluster/api-client';
import { waitFor } from './control-plane';
import { DIST, renamedCopy } from './fixtures';
import { FIELD_MANAGER } from '../../src/cli/cluster/server-check';
import { environmentObjects } from './gitops-apply';

const client = new ApiClient(inject('apiUrl'));
const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-trading-migration-'));
const copy = renamedCopy(DIST, 'staging', 'mig');
const ns = copy.namespace;

interface Container {
  name: string;
  command: string[];
  env?: Array<{ name: string; value?: string }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
type Job = KubeObject & { spec: { template: { spec: { serviceAccountName: string; initContainers: Container[] } } } };

const job = parseAllDocuments(readFileSync(join(copy.dist, 'staging', '40-migration', 'job-trading-api-migrate.yaml'), 'utf8'))[0].toJS() as Job;
const wait = job.spec.template.spec.initContainers.find((c) => c.name === 'wait-for-backup') as Container;
const mount = wait.volumeMounts?.find((m) => m.name === 'backup-wait-token')?.mountPath as string;
const backupName = wait.env?.find((e) => e.name === 'BACKUP')?.value as string;
const serviceAccount = job.spec.template.spec.serviceAccountName;
const backup = parseAllDocuments(
  readFileSync(join(copy.dist, 'staging', '40-migration', `backup-${backupName}.yaml`), 'utf8'),
)[0].toJS() as KubeObject;

/** The script run as the pod would run it, with `BACKUP` set to `name`. */
class WaitScript {
  private readonly child: ChildProcess;
  output = '';
  code: number | null | undefined;
  readonly done: Promise<number | null>;

  constructor(volume: string, bin: string, name: string) {
    const [shell, flag, script] = wait.command;
    this.child = spawn(shell, [flag, script.split(mount).join(volume)], {
      env: { PATH: `${bin}:${process.env.PATH}`, NAMESPACE: ns, BACKUP: name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.done = new Promise((resolve) => this.child.on('exit', (code) => resolve((this.code = code))));
  }

  stop(): void {
    if (this.code === undefined) this.child.kill('SIGKILL');
  }
}

let volume = '';
let bin = '';
const scripts: WaitScript[] = [];

async function setPhase(name: string, phase: string, extra: Record<string, unknown> = {}): Promise<void> {
  const path = await client.pathOf('postgresql.cnpg.io/v1', 'Backup', ns, name);
  const r = await client.send('PATCH', `${path}/status`, { status: { phase, ...extra } }, 'application/merge-patch+json');
  if (r.status >= 300) throw new Error(`status of Backup ${name}: HTTP ${r.status}`);
}

async function createBackup(name: string): Promise<void> {
  const r = await client.apply({ ...backup, metadata: { ...backup.metadata, name } }, { fieldManager: 'cluster-test' });
  if (r.status >= 300) throw new Error(`Backup ${name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
}

/** The script's exit code, or a failure with what it printed and what the Backup looked like. */
async function exitCode(s: WaitScript, name: string, ms = 45_000): Promise<number | null> {
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms));
  const code = await Promise.race([s.done, timer]);
  if (code !== 'timeout') return code;
  const b = await client.get('postgresql.cnpg.io/v1', 'Backup', ns, name);
  throw new Error(`the script did not finish in ${ms} ms; it printed: ${JSON.stringify(s.output)}; the Backup: ${JSON.stringify(b)}`);
}

/** Waits a few of the script's polls and checks it is still waiting. */
async function stillWaiting(s: WaitScript, ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  expect(s.code, s.output).toBeUndefined();
}

beforeAll(async () => {
  // The namespace, the Job's ServiceAccount and its RBAC, from dist/ (the Backup is the test's to create).
  const kinds = ['Namespace', 'ServiceAccount', 'Role', 'RoleBinding'];
  for (const o of environmentObjects(copy.dist, 'staging').filter((x) => kinds.includes(x.kind))) {
    const r = await client.apply(o, { fieldManager: FIELD_MANAGER });
    if (r.status >= 300) throw new Error(`${o.kind}/${o.metadata.name}: HTTP ${r.status}`);
  }
  // The projected volume: the token the API server issues for the Job's ServiceAccount, and the cluster's CA.
  const tokenPath = `${await client.pathOf('v1', 'ServiceAccount', ns, serviceAccount)}/token`;
  const token = await client.send('POST', tokenPath, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  });
  if (token.status >= 300) throw new Error(`TokenRequest: HTTP ${token.status}`);
  const ca = await waitFor('kube-root-ca.crt', 30_000, () => client.get<{ data: Record<string, string> }>('v1', 'ConfigMap', ns, 'kube-root-ca.crt'));
  volume = join(scratch, 'volume');
  mkdirSync(volume);
  writeFileSync(join(volume, 'token'), (token.body as { status: { token: string } }).status.token);
  writeFileSync(join(volume, 'ca.crt'), ca.data['ca.crt']);
  // curl as the pod's: kubernetes.default.svc is the local API server (its serving certificate names it).
  const server = /server: (\S+)/.exec(readFileSync(inject('kubeconfig'), 'utf8'))?.[1] as string;
  bin = join(scratch, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'curl'), `#!/bin/sh\nexec /usr/bin/curl --connect-to kubernetes.default.svc:443:127.0.0.1:${new URL(server).port} "$@"\n`);
  chmodSync(join(bin, 'curl'), 0o755);
}, 300_000);

afterAll(() => {
  for (const s of scripts) s.stop();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(copy.dist, { recursive: true, force: true });
});

function run(name: string): WaitScript {
  const s = new WaitScript(volume, bin, name);
  scripts.push(s);
  return s;
}

describe('the migration waits for its backup (the init container on the API server, CloudNativePG played by the test)', () => {
  it('waits while the Backup is missing and while it runs, migrates once it completed', async () => {
    const s = run(backupName);
    await stillWaiting(s, 3_000);
    expect(s.output).not.toMatch(/cannot read/);
    await createBackup(backupName);
    await setPhase(backupName, 'started');
    await stillWaiting(s, 12_000);
    await setPhase(backupName, 'completed');
    expect(await exitCode(s, backupName), s.output).toBe(0);
    expect(s.output).toContain(`backup ${backupName} completed; migrating`);
  }, 120_000);

  it('refuses to migrate when the Backup failed, naming its status', async () => {
    const name = `${backupName}-failed`;
    // The Role names one Backup; this case reads another, so the test grants it the same way for this name.
    await grant(name);
    await createBackup(name);
    await setPhase(name, 'failed', { error: 'no space left on the object store' });
    const s = run(name);
    expect(await exitCode(s, name), s.output).toBe(1);
    expect(s.output).toMatch(/failed, not migrating: .*no space left on the object store/);
  }, 120_000);

  it('keeps waiting through a phase that is retried (walArchivingFailing), and migrates when it completes', async () => {
    const name = `${backupName}-retried`;
    await grant(name);
    await createBackup(name);
    await setPhase(name, 'walArchivingFailing');
    const s = run(name);
    await stillWaiting(s, 12_000);
    expect(s.output).toBe('');
    await setPhase(name, 'completed');
    expect(await exitCode(s, name), s.output).toBe(0);
  }, 120_000);

  it("the Job's Role allows get on its own Backup and nothing more: any other is a 403 the script reports at once", async () => {
    await createBackup(`${backupName}-other`);
    await setPhase(`${backupName}-other`, 'completed');
    const s = run(`${backupName}-other`);
    expect(await exitCode(s, `${backupName}-other`), s.output).toBe(1);
    expect(s.output).toMatch(/cannot read backup .*HTTP 403.*ServiceAccount, Role and RoleBinding/);
    // What the ServiceAccount may do, asked of the API server's authorizer.
    expect(await can('get', backupName)).toBe(true);
    expect(await can('list')).toBe(false);
    expect(await can('watch', backupName)).toBe(false);
    expect(await can('update', backupName)).toBe(false);
    expect(await can('delete', backupName)).toBe(false);
    expect(await can('create')).toBe(false);
  }, 120_000);
});

/** A Role and RoleBinding like dist/'s, for another Backup name (cases that need their own Backup object). */
async function grant(name: string): Promise<void> {
  const role = parseAllDocuments(
    readFileSync(join(copy.dist, 'staging', '20-config', 'role-trading-api-migrate.yaml'), 'utf8'),
  )[0].toJS() as KubeObject & {
    rules: Array<{ resourceNames: string[] }>;
  };
  role.rules[0].resourceNames = [...role.rules[0].resourceNames, name];
  const r = await client.apply(role, { fieldManager: FIELD_MANAGER });
  if (r.status >= 300) throw new Error(`Role: HTTP ${r.status}`);
  // The authorizer reads Roles from an informer cache (kube-apiserver's RBAC authorizer), which may lag the write:
  // the script's first request follows at once, so wait until the authorizer itself allows it.
  await waitFor(`the authorizer to allow get on ${name}`, 10_000, async () => ((await can('get', name)) ? true : undefined));
}

/** What the migration Job's ServiceAccount may do with Backups, asked of the API server's authorizer. */
async function can(verb: string, name?: string): Promise<boolean> {
  const r = await client.send('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: `system:serviceaccount:${ns}:${serviceAccount}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
      resourceAttributes: { namespace: ns, group: 'postgresql.cnpg.io', resource: 'backups', verb, name },
    },
  });
  return (r.body as { status: { allowed: boolean } }).status.allowed;
}
