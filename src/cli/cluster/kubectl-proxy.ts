/**
 * `kubectl proxy` on a free loopback port: the API server of a kube context, reachable by plain HTTP with
 * kubectl's own handling of the context's credentials.
 */
import { ChildProcess, spawn } from 'node:child_process';

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
  /** Its address, e.g. `http://127.0.0.1:38123`. */
  readonly url: string;
  /** Stops it. */
  readonly stop: () => void;
}

/** A problem starting the proxy: kubectl missing, no such context, a kubeconfig it cannot read. */
export class KubectlProxyError extends Error {}

/** Starts `kubectl proxy --port=0` and resolves once it listens. */
export function startKubectlProxy(options: KubectlProxyOptions = {}): Promise<KubectlProxy> {
  const args = ['proxy', '--port=0', '--address=127.0.0.1'];
  if (options.kubeconfig) args.push(`--kubeconfig=${options.kubeconfig}`);
  if (options.context) args.push(`--context=${options.context}`);
  const program = options.kubectl ?? 'kubectl';
  return new Promise((resolvePromise, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      reject(new KubectlProxyError(`cannot run ${program}: ${(e as Error).message}`));
      return;
    }
    let output = '';
    let settled = false;
    const finish = (error: Error | undefined, url?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        child.kill();
        reject(error);
      } else {
        resolvePromise({ url: url as string, stop: () => child.kill() });
      }
    };
    const timer = setTimeout(() => finish(new KubectlProxyError(`${program} proxy did not start within ${options.timeoutMs ?? 15000} ms: ${output.trim()}`)),
      options.timeoutMs ?? 15000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const m = /Starting to serve on (127\.0\.0\.1:\d+)/.exec(output);
      if (m) finish(undefined, `http://${m[1]}`);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('error', (e) => finish(new KubectlProxyError(`cannot run ${program}: ${e.message}`)));
    child.on('exit', (code) => finish(new KubectlProxyError(`${program} proxy exited (${code}): ${output.trim().split('\n').slice(-3).join(' ')}`)));
  });
}
