/**
 * `kubectl proxy` on a Unix socket in a folder only the user can open: the API server of a kube context,
 * reachable by plain HTTP with kubectl's own handling of the context's credentials, and by nobody else (a
 * TCP port on loopback would lend those credentials to every local process).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Which cluster the proxy reaches. */
export interface KubectlProxyOptions {
  /** The kubeconfig file. @default kubectl's own choice ($KUBECONFIG, then ~/.kube/config) */
  readonly kubeconfig?: string;
  /** The context in the kubeconfig. @default the current context */
  readonly context?: string;
  /** The kubectl program. @default 'kubectl' on the PATH */
  readonly kubectl?: string;
  /** How long to wait for the proxy to listen, in milliseconds. @default 15000 */
  readonly timeoutMs?: number;
}

/** A running proxy. */
export interface KubectlProxy {
  /** Its address for `ApiClient`: `unix:<socket>`. */
  readonly url: string;
  /** Stops it and removes its socket. */
  readonly stop: () => void;
}

/** A problem starting the proxy: kubectl missing, no such context, a kubeconfig it cannot read. */
export class KubectlProxyError extends Error {}

/** Starts `kubectl proxy --unix-socket` and resolves once it listens. */
export function startKubectlProxy(options: KubectlProxyOptions = {}): Promise<KubectlProxy> {
  // mkdtemp makes the folder 0700: the socket in it is the user's alone.
  const folder = mkdtempSync(join(tmpdir(), 'cdk8s-trading-proxy-'));
  const socket = join(folder, 'kube.sock');
  const args = ['proxy', `--unix-socket=${socket}`];
  if (options.kubeconfig) args.push(`--kubeconfig=${options.kubeconfig}`);
  if (options.context) args.push(`--context=${options.context}`);
  const program = options.kubectl ?? 'kubectl';
  const timeoutMs = options.timeoutMs ?? 15_000;
  const cleanUp = (): void => rmSync(folder, { recursive: true, force: true });
  return new Promise((resolvePromise, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      cleanUp();
      reject(new KubectlProxyError(`cannot run ${program}: ${(e as Error).message}`));
      return;
    }
    let output = '';
    let settled = false;
    const stop = (): void => {
      child.kill();
      cleanUp();
    };
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        stop();
        reject(error);
      } else {
        resolvePromise({ url: `unix:${socket}`, stop });
      }
    };
    const timer = setTimeout(
      () => finish(new KubectlProxyError(`${program} proxy did not start within ${timeoutMs} ms: ${output.trim()}`)),
      timeoutMs,
    );
    const read = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes('Starting to serve on')) finish(undefined);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('error', (e) => finish(new KubectlProxyError(`cannot run ${program}: ${e.message}`)));
    child.on('exit', (code) => finish(new KubectlProxyError(`${program} proxy exited (${code}): ${output.trim().split('\n').slice(-3).join(' ')}`)));
  });
}
