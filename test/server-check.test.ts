/**
 * `validate --server`'s parts without a cluster: the apply order of a tree, and the dry runs against a
 * fake API server that records the requests and answers as kube-apiserver does (Status bodies, Warning
 * headers). The cluster tests run the same code against a real API server.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../src/cli/cluster/api-client';
import { checkOnServer } from '../src/cli/cluster/server-check';
import { applyOrder } from '../src/synth/apply-order';

const tree = mkdtempSync(join(tmpdir(), 'cdk8s-trading-order-'));
function write(path: string, text: string): void {
  mkdirSync(join(tree, path, '..'), { recursive: true });
  writeFileSync(join(tree, path), text);
}
const object = (kind: string, name: string, namespace?: string, apiVersion = 'v1'): string =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}`;

beforeAll(() => {
  write('prod/kustomization.yaml', 'resources:\n  - 10-namespace\n  - 50-application\n');
  write('prod/10-namespace/kustomization.yaml', 'resources:\n  - namespace-shop.yaml\n');
  write('prod/10-namespace/namespace-shop.yaml', object('Namespace', 'shop'));
  write(
    'prod/50-application/kustomization.yaml',
    'resources:\n  - service-api.yaml\n  - deployment-api.yaml\n  - rollout-api.yaml\n  - job-migrate.yaml\n',
  );
  write('prod/50-application/job-migrate.yaml', `${object('Job', 'migrate', 'shop', 'batch/v1')}  annotations:\n    argocd.argoproj.io/hook: Sync\n`);
  write(
    'prod/50-application/deployment-api.yaml',
    `${object('Deployment', 'api', 'shop', 'apps/v1')}spec:\n  minReadySeconds: 10\n  newerField: true\n  paused: false\n  empty: []\n`,
  );
  write('prod/50-application/service-api.yaml', object('Service', 'api', 'shop'));
  write('prod/50-application/rollout-api.yaml', object('Rollout', 'api', 'shop', 'argoproj.io/v1alpha1'));
  write('dev/service-other.yaml', object('Service', 'other', 'elsewhere'));
});
afterAll(() => rmSync(tree, { recursive: true, force: true }));

describe('applyOrder', () => {
  it('follows the kustomization files: environments in name order, stages and files as listed', () => {
    const order = applyOrder(tree);
    expect(order.problems).toEqual([]);
    expect(order.stages.map((s) => [s.folder, s.files.map((f) => f.path)])).toEqual([
      ['dev', ['dev/service-other.yaml']],
      ['prod/10-namespace', ['prod/10-namespace/namespace-shop.yaml']],
      [
        'prod/50-application',
        [
          'prod/50-application/service-api.yaml',
          'prod/50-application/deployment-api.yaml',
          'prod/50-application/rollout-api.yaml',
          'prod/50-application/job-migrate.yaml',
        ],
      ],
    ]);
  });

  it('names a listed file that is missing and a document that is not an object', () => {
    const broken = mkdtempSync(join(tmpdir(), 'cdk8s-trading-order-'));
    writeFileSync(join(broken, 'kustomization.yaml'), 'resources:\n  - gone.yaml\n  - values.yaml\n');
    writeFileSync(join(broken, 'values.yaml'), 'replicas: 3\n');
    expect(applyOrder(broken).problems).toEqual([
      'kustomization.yaml: lists gone.yaml, which does not exist',
      'values.yaml: document 1 is not a Kubernetes object (it needs apiVersion, kind and metadata.name)',
    ]);
    rmSync(broken, { recursive: true, force: true });
  });
});

describe('checkOnServer against a fake API server', () => {
  let server: Server;
  let url = '';
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString('utf8');
      });
      req.on('end', () => answer(req, text, res));
    });
    // Answers as kube-apiserver does: the stored object (here the applied one, less a field it does not know).
    const answer = (req: IncomingMessage, text: string, res: ServerResponse): void => {
      requests.push(`${req.method} ${req.url}`);
      const sent = text ? (JSON.parse(text) as { spec?: Record<string, unknown> }) : {};
      // Go's omitempty leaves zero values out: not a dropped field.
      if (sent.spec) for (const k of ['newerField', 'paused', 'empty']) delete sent.spec[k];
      const json = (status: number, body: unknown, headers: Record<string, string | string[]> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const path = (req.url ?? '').split('?')[0];
      if (path === '/api/v1') {
        return json(200, {
          resources: [
            { name: 'namespaces', kind: 'Namespace', namespaced: false },
            { name: 'services', kind: 'Service', namespaced: true },
          ],
        });
      }
      if (path === '/apis/apps/v1') return json(200, { resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true }] });
      if (path === '/apis/batch/v1') return json(200, { resources: [{ name: 'jobs', kind: 'Job', namespaced: true }] });
      if (req.method === 'POST') return json(201, sent);
      if (path === '/apis/argoproj.io/v1alpha1') return json(404, { kind: 'Status', message: 'not found' });
      if (req.method === 'GET' && path === '/api/v1/namespaces/shop') return json(200, { kind: 'Namespace' });
      if (req.method === 'GET' && path.startsWith('/api/v1/namespaces/')) return json(404, { kind: 'Status' });
      if (req.method === 'PATCH' && path.endsWith('/deployments/api')) {
        return json(200, sent, { warning: ['299 - "would violate PodSecurity \\"restricted:v1.28\\": runAsNonRoot != true"', '299 - "second"'] });
      }
      if (req.method === 'PATCH' && path.endsWith('/services/api')) {
        return json(422, { kind: 'Status', message: 'Service "api" is invalid: spec.ports[1]: Duplicate value' });
      }
      return json(200, sent);
    };
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => server.close());

  it("reports every rejection, warning and dropped field per file and object, in the tree's order, and what it could not check", async () => {
    const result = await checkOnServer(new ApiClient(url), tree, 'dist');
    expect(result.problems).toEqual([
      'dist/prod/50-application/service-api.yaml: Service/api: rejected: Service "api" is invalid: spec.ports[1]: Duplicate value',
      'dist/prod/50-application/deployment-api.yaml: Deployment/api: dropped: the API server does not keep spec.newerField',
      'dist/prod/50-application/deployment-api.yaml: Deployment/api: warning: would violate PodSecurity "restricted:v1.28": runAsNonRoot != true',
      'dist/prod/50-application/deployment-api.yaml: Deployment/api: warning: second',
      'dist/prod/50-application/rollout-api.yaml: Rollout/api: rejected: the API server does not serve Rollout in argoproj.io/v1alpha1 (is its CRD installed?)',
    ]);
    expect(result.skipped).toEqual(['1 object(s) in namespace elsewhere: the cluster has no such namespace']);
    expect(result).toMatchObject({ checked: 5, accepted: 3, skippedObjects: 1 });
    // An Argo CD hook is created afresh on every sync: checked as a new object under a name nothing has.
    expect(requests).toContainEqual(expect.stringMatching(/^POST \/apis\/batch\/v1\/namespaces\/shop\/jobs\?/));
    expect(requests.some((r) => r.includes('/jobs/migrate'))).toBe(false);
    const patch = requests.find((r) => r.startsWith('PATCH /apis/apps/v1/namespaces/shop/deployments/api?'));
    expect(new URLSearchParams(patch?.split('?')[1])).toEqual(
      new URLSearchParams({ fieldManager: 'cdk8s-trading', fieldValidation: 'Strict', force: 'true', dryRun: 'All' }),
    );
  });
});
