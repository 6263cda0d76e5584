/**
 * A small client of the Kubernetes API for `validate --server` and the cluster tests: server-side apply
 * (optionally as a dry run), create, get, list and delete, with the API server's warnings kept per request.
 * It talks plain HTTP to a `kubectl proxy` on a Unix socket of the user's own, which takes care of the kube
 * context's authentication (certificates, tokens, exec plugins) exactly as kubectl does.
 */
import { request } from 'node:http';
import type { TreeObject } from '../../synth/apply-order';

/** An object as the API server reads it (what a manifest file of the tree holds). */
export type KubeObject = TreeObject;

/** What the API server answered to one request. */
export interface ApiResponse {
  /** The HTTP status code. */
  readonly status: number;
  /** The body, parsed when it is JSON. */
  readonly body: unknown;
  /** Each `Warning` header's text (the API server's deprecation, PodSecurity and field warnings). */
  readonly warnings: readonly string[];
}

/** A REST resource the API server serves. */
export interface ApiResource {
  /** The path of its collection without the namespace part, e.g. `/apis/apps/v1` + `deployments`. */
  readonly groupVersionPath: string;
  /** The plural name in the path. */
  readonly name: string;
  /** Whether objects of it live in a namespace. */
  readonly namespaced: boolean;
}

/** A kind the API server does not serve (no CRD, or the CRD not established yet). */
export class UnknownKindError extends Error {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`the API server does not serve ${kind} in ${apiVersion} (is its CRD installed?)`);
  }
}

/** Options of a server-side apply. */
export interface ApplyOptions {
  /** The field manager recorded for the applied fields. */
  readonly fieldManager: string;
  /** Validate and admit without persisting (`dryRun=All`). @default false */
  readonly dryRun?: boolean;
  /** Take over fields another manager owns (`force=true`), as GitOps controllers do. @default true */
  readonly force?: boolean;
}

/** The texts of a `Warning` header: `299 - "text"`, possibly several. */
function warningTexts(value: string): string[] {
  // One header may carry several warnings, comma-separated (RFC 7234 §5.5).
  const found = [...value.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
  return found.length > 0 ? found : [value];
}

/** The message of an API error body (a `Status` object), or the raw text. */
export function statusMessage(response: ApiResponse): string {
  const body = response.body;
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  return typeof body === 'string' && body.length > 0 ? body.trim() : `HTTP ${response.status}`;
}

/** A client of one API server reached through a plain-HTTP proxy on loopback. */
export class ApiClient {
  private readonly groupVersions = new Map<string, Promise<Map<string, ApiResource> | undefined>>();

  /**
   * @param baseUrl the proxy's address: `unix:/path/to/socket` (what `startKubectlProxy` starts: only this user
   * can reach it) or `http://127.0.0.1:38123`
   * @param timeoutMs how long one request may take
   */
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 60_000,
  ) {}

  /** Sends one request; never throws for an HTTP error status (the caller reads `status`). */
  send(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiResponse> {
    const socketPath = this.baseUrl.startsWith('unix:') ? this.baseUrl.slice('unix:'.length) : undefined;
    const url = new URL(path, socketPath ? 'http://localhost' : this.baseUrl);
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return new Promise((resolvePromise, reject) => {
      const req = request(
        url,
        {
          method,
          ...(socketPath ? { socketPath } : {}),
          headers: {
            accept: 'application/json',
            ...(payload ? { 'content-type': contentType, 'content-length': String(payload.length) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text.length > 0 ? JSON.parse(text) : undefined;
            } catch {
              // not JSON (a proxy error page): kept as text
            }
            const warnings: string[] = [];
            for (let i = 0; i < res.rawHeaders.length; i += 2) {
              if (res.rawHeaders[i].toLowerCase() === 'warning') warnings.push(...warningTexts(res.rawHeaders[i + 1]));
            }
            resolvePromise({ status: res.statusCode ?? 0, body: parsed, warnings });
          });
        },
      );
      req.on('error', reject);
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(new Error(`${method} ${path}: no answer from the API server within ${this.timeoutMs / 1000} s`)),
      );
      if (payload) req.write(payload);
      req.end();
    });
  }

  private loadGroupVersion(apiVersion: string): Promise<Map<string, ApiResource> | undefined> {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return this.send('GET', path).then((r) => {
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw new Error(`GET ${path}: ${statusMessage(r)}`);
      const list = r.body as { resources?: Array<{ name: string; kind: string; namespaced: boolean }> };
      const byKind = new Map<string, ApiResource>();
      for (const res of list.resources ?? []) {
        if (res.name.includes('/')) continue; // subresources
        byKind.set(res.kind, { groupVersionPath: path, name: res.name, namespaced: res.namespaced });
      }
      return byKind;
    });
  }

  /** The resource that serves `kind` in `apiVersion`; looked up again once when a CRD may just have arrived. */
  async resource(apiVersion: string, kind: string): Promise<ApiResource> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let known = this.groupVersions.get(apiVersion);
      if (!known || attempt > 0) {
        known = this.loadGroupVersion(apiVersion);
        this.groupVersions.set(apiVersion, known);
        // A failed look-up is not remembered: the next call asks again.
        known.catch(() => this.groupVersions.delete(apiVersion));
      }
      const found = (await known)?.get(kind);
      if (found) return found;
    }
    throw new UnknownKindError(apiVersion, kind);
  }

  /**
   * The path of one object (or of its collection when `name` is omitted). A namespaced kind without a
   * namespace is read across namespaces for a collection, in `default` for one object.
   */
  async pathOf(apiVersion: string, kind: string, namespace: string | undefined, name?: string): Promise<string> {
    const res = await this.resource(apiVersion, kind);
    const ns = res.namespaced && (namespace !== undefined || name !== undefined) ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
    return `${res.groupVersionPath}${ns}/${res.name}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  }

  /** Server-side apply of one object, with strict field validation. */
  async apply(object: KubeObject, options: ApplyOptions): Promise<ApiResponse> {
    const path = await this.pathOf(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
    const query = new URLSearchParams({ fieldManager: options.fieldManager, fieldValidation: 'Strict' });
    if (options.force ?? true) query.set('force', 'true');
    if (options.dryRun) query.set('dryRun', 'All');
    return this.send('PATCH', `${path}?${query}`, object, 'application/apply-patch+yaml');
  }

  /** Creates one object (as a dry run: validated and admitted, not kept), with strict field validation. */
  async create(object: KubeObject, options: Omit<ApplyOptions, 'force'>): Promise<ApiResponse> {
    const path = await this.pathOf(object.apiVersion, object.kind, object.metadata.namespace ?? 'default');
    const query = new URLSearchParams({ fieldManager: options.fieldManager, fieldValidation: 'Strict' });
    if (options.dryRun) query.set('dryRun', 'All');
    return this.send('POST', `${path}?${query}`, object);
  }

  /** One object, or undefined when it does not exist. */
  async get<T = KubeObject>(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<T | undefined> {
    const r = await this.send('GET', await this.pathOf(apiVersion, kind, namespace, name));
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new Error(`GET ${kind} ${name}: ${statusMessage(r)}`);
    return r.body as T;
  }

  /** The objects of a kind in a namespace (or cluster-wide). */
  async list<T = KubeObject>(apiVersion: string, kind: string, namespace?: string): Promise<T[]> {
    const path = await this.pathOf(apiVersion, kind, namespace);
    const r = await this.send('GET', path);
    if (r.status !== 200) throw new Error(`GET ${path}: ${statusMessage(r)}`);
    return (r.body as { items: T[] }).items;
  }

  /** Deletes one object (foreground: its dependents go first); a missing object is not an error. */
  async delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<ApiResponse> {
    const path = await this.pathOf(apiVersion, kind, namespace, name);
    return this.send('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
  }
}
