/**
 * The harness catches what a cluster refuses: each fault is injected into a copy of dist/dev (in a
 * namespace of its own) and must fail with the object and the API server's or controller's own words.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../../src/cli/cluster/api-client';
import { DIST, editYaml, renamedCopy } from './fixtures';
import { ManifestView } from '../../src/policy/manifest-view';
import { checkPolicies } from '../../src/policy/policies';
import { applyEnvironment, ApplyReport, environmentObjects } from './gitops-apply';

const client = new ApiClient(inject('apiUrl'));
const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

interface Container {
  resources: { limits: Record<string, string> };
  securityContext: Record<string, unknown>;
}
/** The parts of the manifests the faults edit. */
interface Doc {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: { spec: { containers: Container[] } };
    ports: Array<Record<string, unknown>>;
    volumeClaimTemplates: Array<{ spec: { resources: { requests: Record<string, string> } } }>;
  };
}

/** A copy of dist/dev in namespace `fault-<name>-trading-dev` with `edit` applied to one file. */
function faulty(name: string, fileMatch: RegExp, edit: (doc: Doc) => void): string {
  const copy = renamedCopy(DIST, 'dev', `fault-${name}`);
  scratch.push(copy.dist);
  const folder = join(copy.dist, 'dev', '50-application');
  const stageFiles = ['10-namespace', '20-config', '30-database', '50-application'].flatMap((s) =>
    readdirSync(join(copy.dist, 'dev', s)).map((f) => join(copy.dist, 'dev', s, f)),
  );
  const file = stageFiles.find((f) => fileMatch.test(f));
  if (!file) throw new Error(`no file matches ${fileMatch} under ${folder}`);
  editYaml<Doc>(file, edit);
  return copy.dist;
}

const apply = (dist: string): Promise<ApplyReport> =>
  applyEnvironment(client, { distRoot: dist, environment: 'dev', tool: 'argocd', stageTimeoutMs: 20_000 });
const app = (doc: Doc): Container => doc.spec.template.spec.containers[0];

describe.concurrent('faults injected into dist/ are caught', () => {
  it('a Deployment whose selector does not match its template: rejected by the API server', async () => {
    const report = await apply(
      faulty('selector', /deployment-trading-api\.yaml$/, (d) => {
        d.spec.selector.matchLabels['app.kubernetes.io/name'] = 'something-else';
      }),
    );
    expect(report.rejected).toEqual([
      expect.objectContaining({
        file: 'dev/50-application/deployment-trading-api.yaml',
        object: 'Deployment/trading-api',
        message: expect.stringContaining('`selector` does not match template `labels`'),
      }),
    ]);
  });

  it('a container above the LimitRange max: every pod rejected, named with the LimitRanger message; the policy rule agrees', async () => {
    const dist = faulty('limits', /deployment-trading-api\.yaml$/, (d) => {
      app(d).resources.limits.cpu = '64';
    });
    const report = await apply(dist);
    expect(report.rejected).toEqual([]);
    expect(report.health.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Deployment\/trading-api: 0\/1 available.*maximum cpu usage per Container is \d+, but limit is 64/),
      ]),
    );
    // The offline rule (synth, validate) says what the API server did.
    const findings = checkPolicies(environmentObjects(dist, 'dev') as unknown as ManifestView[]).filter((f) => f.rule === 'limit-range-admits');
    expect(findings.map((f) => `${f.object}: ${f.message}`)).toEqual([
      'Deployment/trading-api: container "trading-api": cpu limit "64" is above the max "2" of LimitRange container-defaults: the API server rejects every pod',
    ]);
  });

  it('a pod that PodSecurity restricted rejects: a warning at apply, then no pod', async () => {
    const report = await apply(
      faulty('podsecurity', /deployment-trading-api\.yaml$/, (d) => {
        app(d).securityContext.allowPrivilegeEscalation = true;
      }),
    );
    expect(report.warnings).toEqual([
      expect.objectContaining({
        object: 'Deployment/trading-api',
        message: expect.stringContaining('would violate PodSecurity "restricted:v1.28": allowPrivilegeEscalation != false'),
      }),
    ]);
    expect(report.health.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^Deployment\/trading-api: .*violates PodSecurity/)]));
  });

  it('a Service with a duplicate port: rejected by the API server', async () => {
    const report = await apply(
      faulty('port', /service-trading-api\.yaml$/, (d) => {
        d.spec.ports.push({ ...d.spec.ports[0], name: 'again' });
      }),
    );
    expect(report.rejected).toEqual([
      expect.objectContaining({
        object: 'Service/trading-api',
        message: expect.stringMatching(/\.spec\.ports: duplicate entries for key \[port=8080,protocol="TCP"\]/),
      }),
    ]);
  });

  it('a StatefulSet whose immutable field changes between releases: the upgrade is rejected', async () => {
    const first = renamedCopy(DIST, 'dev', 'fault-immutable');
    scratch.push(first.dist);
    expect((await apply(first.dist)).rejected).toEqual([]);
    const second = renamedCopy(DIST, 'dev', 'fault-immutable');
    scratch.push(second.dist);
    const file = readdirSync(join(second.dist, 'dev', '30-database')).find((f) => f.startsWith('statefulset-'));
    editYaml<Doc>(join(second.dist, 'dev', '30-database', file as string), (d) => {
      d.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '999Gi';
    });
    const report = await apply(second.dist);
    expect(report.rejected).toEqual([
      expect.objectContaining({
        object: expect.stringMatching(/^StatefulSet\//),
        message: expect.stringContaining('updates to statefulset spec for fields other than'),
      }),
    ]);
  });
});
