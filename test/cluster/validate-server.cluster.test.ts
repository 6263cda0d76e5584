/**
 * `cdk8s-trading validate --server`, run as a user runs it (the CLI in its own process, kubectl proxy to
 * the kube context of a kubeconfig): the committed dist/ passes the API server's dry run; a copy with a
 * PodSecurity violation and a duplicate port fails with one line per file.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../../src/cli/cluster/api-client';
import { applyOrder } from '../../src/synth/apply-order';
import { cli } from '../support/project';
import { DIST, editYaml, nextRelease, renamedCopy, ROOT } from './fixtures';
import { applyEnvironment } from './gitops-apply';

const client = new ApiClient(inject('apiUrl'));
const kubeconfig = inject('kubeconfig');
const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-trading-server-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(async () => {
  // The namespaces exist on a cluster that runs these environments (and the GitOps tools).
  const objects = applyOrder(DIST).stages.flatMap((s) => s.files.flatMap((f) => f.objects));
  for (const ns of new Set(objects.flatMap((o) => (o.kind === 'Namespace' ? [] : o.metadata.namespace ? [o.metadata.namespace] : [])))) {
    const own = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === ns);
    await client.apply(own ?? { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { fieldManager: 'gitops' });
  }
});

describe('cdk8s-trading validate --server', () => {
  it('passes the committed dist/ with every object accepted and no warning', () => {
    const r = cli(ROOT, ['validate', '--server', '--kubeconfig', kubeconfig]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const total = applyOrder(DIST).stages.reduce((n, s) => n + s.files.reduce((m, f) => m + f.objects.length, 0), 0);
    expect(r.stdout).toContain(`dry-ran ${total} objects under dist on the API server: ${total} accepted, 0 problem(s)`);
  });

  it('names the file and object of every rejection and warning, and exits 1', () => {
    const copy = join(scratch, 'dist');
    cpSync(DIST, copy, { recursive: true });
    interface Doc {
      spec: { template: { spec: { containers: Array<{ securityContext: Record<string, unknown> }> } }; ports: unknown[] };
    }
    editYaml<Doc>(join(copy, 'prod', '50-application', 'deployment-trading-api-blue.yaml'), (d) => {
      d.spec.template.spec.containers[0].securityContext.runAsNonRoot = false;
    });
    editYaml<Doc>(join(copy, 'staging', '50-application', 'service-trading-api.yaml'), (d) => {
      d.spec.ports.push(d.spec.ports[0]);
    });
    const r = cli(scratch, ['validate', '--server', 'dist', '--kubeconfig', kubeconfig]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^dist\/prod\/50-application\/deployment-trading-api-blue\.yaml: Deployment\/trading-api-blue: warning: would violate PodSecurity "restricted:v1\.28": runAsNonRoot != true/,
        ),
        expect.stringMatching(
          /^dist\/staging\/50-application\/service-trading-api\.yaml: Service\/trading-api: rejected: .*\.spec\.ports: duplicate entries for key \[port=8080,protocol="TCP"\]$/,
        ),
      ]),
    );
    expect(lines).toHaveLength(2);
    expect(r.stdout).toMatch(/: \d+ accepted, 2 problem\(s\)$/m);
  });

  it('passes the next release of an environment the cluster already runs: hooks are checked as GitOps recreates them', async () => {
    // The committed release installed (its migration and smoke-check Jobs stay behind, finished), then the
    // next one (images a patch newer) checked: the Jobs' templates change, which GitOps handles by creating
    // them afresh; applied in place, the API server would refuse them (immutable).
    const next = nextRelease();
    try {
      const before = renamedCopy(DIST, 'prod', 'vs', join(scratch, 'before'));
      const installed = await applyEnvironment(client, { distRoot: before.dist, environment: 'prod', tool: 'argocd' });
      expect(installed.rejected).toEqual([]);
      const after = renamedCopy(next.dist, 'prod', 'vs', join(scratch, 'after'));
      expect(after.namespace).toBe(before.namespace);
      const r = cli(scratch, ['validate', '--server', join('after', 'prod'), '--kubeconfig', kubeconfig]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/: (\d+) accepted, 0 problem\(s\)$/m);
    } finally {
      rmSync(next.root, { recursive: true, force: true });
    }
  });

  it('fails when objects could not be checked because their namespace is missing, unless told to allow it', () => {
    const copy = renamedCopy(DIST, 'dev', 'absent', join(scratch, 'absent'));
    const r = cli(scratch, ['validate', '--server', join('absent', 'dev'), '--kubeconfig', kubeconfig]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(
      new RegExp(
        `^absent/dev: not checked: \\d+ object\\(s\\) in namespace ${copy.namespace}: the cluster has no such namespace ` +
          '\\(apply its Namespace first, or pass --allow-missing-namespaces\\)$',
      ),
    );
    expect(r.stdout).toMatch(/: \d+ accepted, 0 problem\(s\), \d+ not checked \(no namespace\)$/m);
    const allowed = cli(scratch, ['validate', '--server', join('absent', 'dev'), '--kubeconfig', kubeconfig, '--allow-missing-namespaces']);
    expect(allowed.stderr).toBe('');
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain(`note: not checked: `);
  });

  it('reports a context kubectl does not know as one line, exit 1', () => {
    const r = cli(ROOT, ['validate', '--server', '--kubeconfig', kubeconfig, '--context', 'no-such-context']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^validate --server: kubectl proxy exited .*no-such-context/);
  });
});
