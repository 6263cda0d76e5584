/**
 * Every environment of the committed dist/ installed on a real API server as Argo CD would sync it and
 * then restarted (surge pods and both colours must pass quota, LimitRange and PodSecurity too), and
 * dist/gitops/ with the Argo CD and Flux CRDs.
 */
import { describe, expect, inject, it } from 'vitest';
import { ApiClient, KubeObject } from '../../src/cli/cluster/api-client';
import { applyOrder } from '../../src/synth/apply-order';
import { waitFor } from './control-plane';
import { DIST, environmentsOf, namespaceOf } from './fixtures';
import { applyEnvironment, environmentObjects } from './gitops-apply';
import { namespaceHealth } from './health';
import { applyRecord, record } from './record';

const client = new ApiClient(inject('apiUrl'));
const environments = environmentsOf(DIST);

describe.concurrent('dist/ installed on Kubernetes', () => {
  it('has the three environments', () => {
    expect([...environments].sort()).toEqual(['dev', 'prod', 'staging']);
  });

  it.each(environments)(
    '%s: every object accepted without a warning, every workload healthy; then restarted within quota and LimitRange',
    async (environment) => {
      const report = await applyEnvironment(client, { distRoot: DIST, environment, tool: 'argocd' });
      record(inject('recordDir'), `install-${environment}`, applyRecord(report));
      expect(report.rejected).toEqual([]);
      expect(report.warnings).toEqual([]);
      expect(report.health.problems).toEqual([]);
      expect(report.applied).toBe(environmentObjects(DIST, environment).length);
      expect(report.health.healthy.length).toBeGreaterThan(0);
      // A service released after another: the wait before it ran to completion, and the frontend came up after it.
      if (environment !== 'dev') {
        expect(report.health.healthy).toEqual(expect.arrayContaining(['Job/trading-web-release-wait', 'Deployment/trading-web']));
      }
      // prod stages a release on green: the real HPA controller scales green to its raised minimum (the service's
      // maximum) before any switch, without metrics, while blue stays at the service's minimum.
      if (environment === 'prod') {
        const namespace = namespaceOf(DIST, environment);
        const replicas = async (color: string): Promise<number | undefined> =>
          (await client.get<{ spec: { replicas?: number } }>('apps/v1', 'Deployment', namespace, `trading-api-${color}`))?.spec.replicas;
        const scaled = await waitFor('green at its raised HPA minimum', 120_000, async () =>
          (await replicas('green')) === 20 ? true : undefined,
        ).catch(() => false);
        expect([scaled, await replicas('green'), await replicas('blue')]).toEqual([true, 20, 3]);
      }

      // What `kubectl rollout restart` does to every Deployment and StatefulSet: a new pod template, so the
      // controllers replace every pod, surge pods included, under the namespace's quota and LimitRange.
      const namespace = namespaceOf(DIST, environment);
      const objects = environmentObjects(DIST, environment);
      const restartedAt = new Date().toISOString();
      for (const w of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
        const r = await client.send(
          'PATCH',
          `${await client.pathOf(w.apiVersion, w.kind, namespace, w.metadata.name)}?fieldManager=restart`,
          { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } },
          'application/strategic-merge-patch+json',
        );
        expect(r.status, `${w.kind}/${w.metadata.name}`).toBe(200);
      }
      // prod's staged colour runs 20 pods, replaced one at a time (maxSurge 1, maxUnavailable 0, minReadySeconds 10).
      const health = await waitFor('the restarted workloads', 360_000, async () => {
        const h = await namespaceHealth(client, namespace, objects);
        return h.problems.length === 0 ? h : undefined;
      }).catch(async () => namespaceHealth(client, namespace, objects));
      expect(health.problems).toEqual([]);
    },
  );
});

describe('dist/gitops on Kubernetes', () => {
  it('dist/gitops: the Argo CD and Flux objects are accepted where the tools are installed', async () => {
    const order = applyOrder(`${DIST}/gitops`);
    expect(order.problems).toEqual([]);
    const objects: KubeObject[] = order.stages.flatMap((s) => s.files.flatMap((f) => f.objects));
    for (const ns of new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n))) {
      // The namespaces the tools' own installation creates.
      await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { fieldManager: 'cluster-test' });
    }
    const rejected: string[] = [];
    const warnings: string[] = [];
    for (const o of objects) {
      const r = await client.apply(o, { fieldManager: 'gitops' });
      if (r.status >= 300) rejected.push(`${o.kind}/${o.metadata.name}: ${JSON.stringify(r.body)}`);
      warnings.push(...r.warnings.map((w) => `${o.kind}/${o.metadata.name}: ${w}`));
    }
    record(inject('recordDir'), 'install-gitops', {
      applied: objects.length - rejected.length,
      rejected: rejected.length,
      warnings: warnings.length,
    });
    expect(rejected).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
