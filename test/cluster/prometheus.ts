/**
 * A Prometheus stand-in owned by the test: an HTTP server on loopback answering the instant-query API
 * (`/api/v1/query`, GET and POST form) that Argo Rollouts' Prometheus provider calls. What it answers is
 * scripted per namespace (the analysis queries select `namespace="<ns>"`), so scenarios running at once do
 * not see each other's data; every query is recorded.
 */
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** What one query gets. */
export type Answer =
  /** One series with this value (success ratio, seconds). */
  | { readonly value: number }
  /** One series whose value is NaN (a ratio of two zero rates). */
  | { readonly nan: true }
  /** An empty vector (no series: nothing scraped yet, or a label that does not exist). */
  | { readonly empty: true }
  /** An HTTP error from Prometheus itself. */
  | { readonly httpStatus: number };

/** Answers by metric: the success ratio (queries of the request counter) and the latency quantile. */
export interface Script {
  readonly successRate: Answer;
  readonly latencyP95: Answer;
}

/** A query Prometheus received. */
export interface ReceivedQuery {
  readonly method: string;
  readonly namespace: string | undefined;
  readonly query: string;
  readonly at: number;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

/** The stand-in. */
export class PrometheusStandIn {
  private readonly scripts = new Map<string, Script>();
  readonly queries: ReceivedQuery[] = [];
  private server?: Server;
  /** `http://127.0.0.1:<port>`, once started. */
  address = '';

  /** Sets what queries about `namespace` are answered. */
  script(namespace: string, script: Script): void {
    this.scripts.set(namespace, script);
  }

  /** The queries received about `namespace`. */
  queriesOf(namespace: string): ReceivedQuery[] {
    return this.queries.filter((q) => q.namespace === namespace);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (url.pathname !== '/api/v1/query') {
          res.writeHead(404).end();
          return;
        }
        const form = req.method === 'POST' ? new URLSearchParams(await body(req)) : url.searchParams;
        const query = form.get('query') ?? '';
        const namespace = /namespace="([^"]+)"/.exec(query)?.[1];
        this.queries.push({ method: req.method ?? 'GET', namespace, query, at: Date.now() });
        const script = namespace ? this.scripts.get(namespace) : undefined;
        // A query about a namespace no scenario scripted gets no series: unknown never reads as good.
        const answer: Answer = !script ? { empty: true } : /histogram_quantile/.test(query) ? script.latencyP95 : script.successRate;
        if ('httpStatus' in answer) {
          res.writeHead(answer.httpStatus, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'error', errorType: 'internal', error: 'scripted failure' }));
          return;
        }
        const now = Date.now() / 1000;
        const result = 'empty' in answer ? [] : [{ metric: {}, value: [now, 'nan' in answer ? 'NaN' : String(answer.value)] }];
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
      })().catch(() => res.writeHead(500).end());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.address = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
