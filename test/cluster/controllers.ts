/**
 * The release controllers, run out of the cluster against the local API server, as their projects run them
 * for development: the Argo Rollouts controller (its Gateway API traffic-router plugin loaded from the
 * `argo-rollouts-config` ConfigMap with a file:// location) and the CloudNativePG operator (its webhooks
 * served on loopback with a CA of the test's, the webhook configurations pointed at them).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, KubeObject } from '../../src/cli/cluster/api-client';
import { freePort, waitFor } from './control-plane';

/** A program the test started, with its log. */
export class Program {
  private readonly child: ChildProcess;
  readonly log: string;

  constructor(path: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }) {
    this.log = join(options.cwd, 'program.log');
    const fd = openSync(this.log, 'a');
    this.child = spawn(path, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    process.once('exit', () => this.child.kill('SIGKILL'));
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  tail(lines = 20): string {
    return existsSync(this.log) ? readFileSync(this.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

async function applyOrThrow(client: ApiClient, o: KubeObject): Promise<void> {
  const r = await client.apply(o, { fieldManager: 'cluster-test' });
  if (r.status >= 300) throw new Error(`applying ${o.kind}/${o.metadata.name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
}

/** The namespace the Argo Rollouts controller reads its configuration from (POD_NAMESPACE). */
export const ROLLOUTS_NAMESPACE = 'argo-rollouts';
/** The plugin name the library's Rollouts name in `trafficRouting.plugins`. */
export const GATEWAY_PLUGIN = 'argoproj-labs/gatewayAPI';

/**
 * Starts the Argo Rollouts controller, watching every namespace, with the Gateway API plugin configured as
 * the project documents it (a `trafficRouterPlugins` entry of `argo-rollouts-config`).
 */
export async function startArgoRollouts(client: ApiClient, kubeconfig: string, paths: Readonly<Record<string, string>>): Promise<Program> {
  await applyOrThrow(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ROLLOUTS_NAMESPACE } });
  await applyOrThrow(client, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argo-rollouts-config', namespace: ROLLOUTS_NAMESPACE },
    data: { trafficRouterPlugins: `- name: "${GATEWAY_PLUGIN}"\n  location: "file://${paths['gatewayapi-plugin']}"\n` },
  } as KubeObject);
  // The plugin folder is relative to the working directory (plugin-bin/); a folder of this run's.
  const cwd = mkdtempSync(join(tmpdir(), 'cdk8s-trading-rollouts-'));
  mkdirSync(cwd, { recursive: true });
  const [metrics, healthz] = await Promise.all([freePort(), freePort()]);
  const program = new Program(
    paths['rollouts-controller'],
    [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', `--metricsPort=${metrics}`, `--healthzPort=${healthz}`, '--loglevel=info'],
    { cwd, env: { POD_NAMESPACE: ROLLOUTS_NAMESPACE, KUBECONFIG: kubeconfig } },
  );
  await waitFor('the Argo Rollouts controller to load its plugin and start', 60_000, async () => {
    if (program.exited) throw Object.assign(new Error(`rollouts-controller exited:\n${program.tail()}`), { fatal: true });
    const log = existsSync(program.log) ? readFileSync(program.log, 'utf8') : '';
    return /Copied plugin from/.test(log) && /Started (Rollout|rollout)|Starting Workers|Started workers/i.test(log) ? true : undefined;
  });
  return program;
}
