/**
 * A local Kubernetes control plane on loopback: etcd, kube-apiserver (RBAC, the default admission plugins
 * of a real cluster with PodSecurity, LimitRanger and ResourceQuota among them, service-account keys),
 * kube-controller-manager, kube-scheduler and kwok, whose fake Nodes stay Ready and whose pods run, get
 * ready and complete without a kubelet or a container runtime. The test plays the storage provisioner.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { request } from 'node:https';
import { ApiClient, KubeObject } from '../../src/cli/cluster/api-client';
import { KubectlProxy, startKubectlProxy } from '../../src/cli/cluster/kubectl-proxy';
import { Programs } from './components';

/** Zones of the fake Nodes: topology spread and anti-affinity have real domains to spread over. */
export const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;
/** Fake Nodes per zone. */
const NODES_PER_ZONE = 2;

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePromise(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value, or throws after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      // A component that exited will not come back: no point waiting out the timeout.
      if ((e as { fatal?: boolean }).fatal) throw e;
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(250);
  }
}

/** A running control plane. */
export class ControlPlane {
  private readonly processes: Array<{ name: string; child: ChildProcess }> = [];
  private provisioner?: NodeJS.Timeout;
  private proxyHandle?: KubectlProxy;
  /** The kubeconfig of a cluster admin. */
  readonly kubeconfig: string;
  /** The API server's address. */
  apiServer = '';
  /** A client of the API server (through kubectl proxy). */
  client!: ApiClient;

  constructor(
    readonly dir: string,
    private readonly programs: Programs,
  ) {
    this.kubeconfig = join(dir, 'kubeconfig');
  }

  private start(name: string, args: readonly string[]): ChildProcess {
    const log = openSync(join(this.dir, `${name}.log`), 'a');
    const child = spawn(this.programs.paths[name], args, { stdio: ['ignore', log, log], cwd: this.dir });
    closeSync(log);
    child.on('error', (e) => writeFileSync(join(this.dir, `${name}.exited`), `${e.message}\n`));
    child.on('exit', (code, signal) => {
      if (!this.stopping) writeFileSync(join(this.dir, `${name}.exited`), `${code ?? signal}\n`);
    });
    // However this process ends, no component outlives it.
    process.once('exit', () => child.kill('SIGKILL'));
    this.processes.push({ name, child });
    return child;
  }

  private stopping = false;

  /** The last lines of a component's log, for a failure message. */
  logTail(name: string, lines = 15): string {
    const file = join(this.dir, `${name}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
  }

  private exited(): string | undefined {
    for (const { name } of this.processes) {
      const marker = join(this.dir, `${name}.exited`);
      if (existsSync(marker)) return `${name} exited (${readFileSync(marker, 'utf8').trim()}):\n${this.logTail(name)}`;
    }
    return undefined;
  }

  /** Starts every component and waits until Nodes are Ready and the default ServiceAccount exists. */
  async up(): Promise<void> {
    const pki = join(this.dir, 'pki');
    mkdirSync(pki, { recursive: true });
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    writeFileSync(join(pki, 'sa.pub'), publicKey);
    writeFileSync(join(pki, 'sa.key'), privateKey);
    const token = randomBytes(24).toString('hex');
    writeFileSync(join(pki, 'tokens.csv'), `${token},admin,admin,"system:masters"\n`);

    const [etcdClient, etcdPeer, apiPort] = await Promise.all([freePort(), freePort(), freePort()]);
    this.start('etcd', [
      `--data-dir=${join(this.dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
      '--quota-backend-bytes=4294967296',
      '--log-level=warn',
    ]);
    this.start('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${pki}`,
      '--authorization-mode=Node,RBAC',
      `--token-auth-file=${join(pki, 'tokens.csv')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      // Kubernetes 1.28's default plugins (LimitRanger, ResourceQuota, PodSecurity, ServiceAccount, the
      // webhooks, ...) are all on; this names them so that a later default cannot silently drop one.
      '--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,PodSecurity,Priority,DefaultTolerationSeconds,' +
        'DefaultStorageClass,StorageObjectInUseProtection,PersistentVolumeClaimResize,RuntimeClass,DefaultIngressClass,' +
        'MutatingAdmissionWebhook,ValidatingAdmissionPolicy,ValidatingAdmissionWebhook,ResourceQuota',
      '--allow-privileged=true',
      '--v=1',
    ]);
    this.apiServer = `https://127.0.0.1:${apiPort}`;
    const ca = join(pki, 'apiserver.crt');
    await waitFor('the API server to be ready', 90_000, async () => {
      const failed = this.exited();
      if (failed) throw Object.assign(new Error(failed), { fatal: true });
      return (await this.readyz(token)) ? true : undefined;
    }).catch((e: Error) => {
      throw new Error(`${e.message}\n--- kube-apiserver log ---\n${this.logTail('kube-apiserver')}\n--- etcd log ---\n${this.logTail('etcd')}`);
    });
    writeFileSync(
      this.kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: local',
        '  cluster:',
        `    server: ${this.apiServer}`,
        `    certificate-authority: ${ca}`,
        'users:',
        '- name: admin',
        '  user:',
        `    token: ${token}`,
        'contexts:',
        '- name: local',
        '  context: {cluster: local, user: admin}',
        'current-context: local',
        '',
      ].join('\n'),
    );
    this.start('kube-controller-manager', [
      `--kubeconfig=${this.kubeconfig}`,
      `--authentication-kubeconfig=${this.kubeconfig}`,
      `--authorization-kubeconfig=${this.kubeconfig}`,
      '--leader-elect=false',
      '--secure-port=0',
      `--service-account-private-key-file=${join(pki, 'sa.key')}`,
      `--root-ca-file=${ca}`,
      '--use-service-account-credentials=false',
      // A fake Node never reports volumes attached; the attach/detach controller is for kubelets.
      '--controllers=*,-attachdetach,-persistentvolume-expander',
      '--concurrent-deployment-syncs=10',
      '--concurrent-replicaset-syncs=10',
      '--concurrent-statefulset-syncs=10',
      '--v=1',
    ]);
    this.start('kube-scheduler', [
      `--kubeconfig=${this.kubeconfig}`,
      `--authentication-kubeconfig=${this.kubeconfig}`,
      `--authorization-kubeconfig=${this.kubeconfig}`,
      '--leader-elect=false',
      '--secure-port=0',
      '--v=1',
    ]);
    this.start('kwok', [
      `--kubeconfig=${this.kubeconfig}`,
      '--manage-all-nodes=true',
      '--cidr=10.244.0.0/16',
      '--node-ip=10.0.0.1',
      '--v=INFO',
      // Heartbeats by Lease, as kubelets do: without them the node lifecycle controller marks every Node
      // NotReady after its grace period, and with it every pod (which kwok never makes Ready again).
      '--node-lease-duration-seconds=40',
    ]);
    this.proxyHandle = await startKubectlProxy({ kubeconfig: this.kubeconfig });
    this.client = new ApiClient(this.proxyHandle.url);
    await this.createNodes();
    await this.createStorageClass();
    this.provisioner = setInterval(() => void this.provisionVolumes().catch(() => undefined), 500);
    await waitFor('the default ServiceAccount', 60_000, async () => {
      const failed = this.exited();
      if (failed) throw Object.assign(new Error(failed), { fatal: true });
      return this.client.get('v1', 'ServiceAccount', 'default', 'default');
    });
    await waitFor('every Node to be Ready', 60_000, async () => {
      const nodes = await this.client.list<{ status?: { conditions?: Array<{ type: string; status: string }> } }>('v1', 'Node');
      const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === ZONES.length * NODES_PER_ZONE ? true : undefined;
    });
  }

  private readyz(token: string): Promise<boolean> {
    return new Promise((resolvePromise) => {
      const req = request(`${this.apiServer}/readyz`, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (res) => {
        res.resume();
        resolvePromise(res.statusCode === 200);
      });
      req.on('error', () => resolvePromise(false));
      req.end();
    });
  }

  private async createNodes(): Promise<void> {
    for (const zone of ZONES) {
      for (let i = 0; i < NODES_PER_ZONE; i++) {
        const name = `kwok-${zone}-${i}`;
        const node: KubeObject = {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {
            name,
            annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
            labels: {
              'kubernetes.io/hostname': name,
              'kubernetes.io/os': 'linux',
              'kubernetes.io/arch': 'amd64',
              'topology.kubernetes.io/zone': zone,
              'topology.kubernetes.io/region': 'local',
              type: 'kwok',
            },
          },
          // Large workers (64 cores, 256 GiB, 250 pods): the suite runs each environment several times at once
          // (install, upgrades, variants), prod with a staged colour at its raised HPA minimum; capacity must never
          // decide a test (the placement tests decide by taints and zones, the quota and LimitRange by namespace).
          status: {
            allocatable: { cpu: '64', memory: '256Gi', pods: '250', 'ephemeral-storage': '500Gi' },
            capacity: { cpu: '64', memory: '256Gi', pods: '250', 'ephemeral-storage': '500Gi' },
          },
        };
        const r = await this.client.send('POST', '/api/v1/nodes', node);
        if (r.status !== 201 && r.status !== 409) throw new Error(`creating Node ${name}: HTTP ${r.status}`);
      }
    }
  }

  private async createStorageClass(): Promise<void> {
    const r = await this.client.apply(
      {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'cdk8s-trading.test/local',
        volumeBindingMode: 'Immediate',
        reclaimPolicy: 'Delete',
      },
      { fieldManager: 'cluster-test' },
    );
    if (r.status >= 300) throw new Error(`creating the StorageClass: HTTP ${r.status}`);
  }

  /** The storage provisioner's part: a volume of the requested size for every pending claim. */
  private async provisionVolumes(): Promise<void> {
    interface Claim {
      metadata: { name: string; namespace: string; uid: string };
      spec: { accessModes?: string[]; storageClassName?: string; resources?: { requests?: { storage?: string } }; volumeMode?: string };
      status?: { phase?: string };
    }
    for (const pvc of await this.client.list<Claim>('v1', 'PersistentVolumeClaim')) {
      if (pvc.status?.phase !== 'Pending') continue;
      const name = `pv-${pvc.metadata.uid}`;
      await this.client.send('POST', '/api/v1/persistentvolumes', {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': 'cdk8s-trading.test/local' } },
        spec: {
          capacity: { storage: pvc.spec.resources?.requests?.storage ?? '1Gi' },
          accessModes: pvc.spec.accessModes ?? ['ReadWriteOnce'],
          storageClassName: pvc.spec.storageClassName ?? '',
          volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
          persistentVolumeReclaimPolicy: 'Delete',
          claimRef: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            namespace: pvc.metadata.namespace,
            name: pvc.metadata.name,
            uid: pvc.metadata.uid,
          },
          hostPath: { path: `/var/lib/fake-volumes/${name}` },
        },
      });
    }
  }

  /** Stops every component (the reverse of the start order). */
  async down(): Promise<void> {
    this.stopping = true;
    if (this.provisioner) clearInterval(this.provisioner);
    this.proxyHandle?.stop();
    for (const { child } of [...this.processes].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}
