import { App, Chart, Duration } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { PART_OF_CONTEXT } from '../src/core/labels';
import { TradingNamespace } from '../src/namespace/trading-namespace';
import { stringify } from 'yaml';
import { NetworkPeer } from '../src/core/network-peer';
import { SecretRef } from '../src/core/secrets';
import { Exposure, IngressExposureOptions } from '../src/api-service/exposure';
import { Migration } from '../src/api-service/migration';
import { Scaling } from '../src/api-service/scaling';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { productionLikeBackend } from './support/fixtures';
import { modelProblems } from './support/models';
import { podSpecOf, restrictedViolations } from '../src/policy/pod-security-standards';
import { all, errorOf, one, render } from './support/render';

const SELECTOR = {
  'app.kubernetes.io/name': 'trading-api',
  'app.kubernetes.io/instance': 'trading-api',
  'app.kubernetes.io/component': 'api',
};

describe('TradingBackend: production-like', () => {
  const objects = render((scope) => productionLikeBackend(scope));
  const deployment = one(objects, 'Deployment', 'trading-api');
  const container = deployment.spec.template.spec.containers[0];

  it('matches the reviewed snapshot', () => {
    const sorted = [...objects].sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
    expect(sorted.map((o) => stringify(o)).join('---\n')).toMatchSnapshot();
  });

  it('emits exactly the expected objects, with stable names', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/trading-api-config',
      'ConfigMap/trading-api-dashboard',
      'Deployment/trading-api',
      'ExternalSecret/trading-api-secrets',
      'HTTPRoute/trading-api',
      'HorizontalPodAutoscaler/trading-api',
      'Job/trading-api-migrate',
      'NetworkPolicy/trading-api',
      'PodDisruptionBudget/trading-api',
      'PodMonitor/trading-api',
      'PrometheusRule/trading-api-alerts',
      'Service/trading-api',
      'ServiceAccount/trading-api',
    ]);
    for (const o of objects) expect(o.metadata.namespace).toBe('trading-test');
  });

  it('rolls out with zero downtime (seed 000): surge 1, unavailable 0, drain shorter than the grace period', () => {
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(deployment.spec.minReadySeconds).toBeGreaterThan(0);
    const drain = Number(container.lifecycle.preStop.exec.command[1]);
    expect(container.lifecycle.preStop.exec.command[0]).toBe('sleep');
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(drain);
  });

  it('probes readiness on /health; liveness checks the http port alone, so a database outage restarts no pod', () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http', scheme: 'HTTP' });
    expect(container.readinessProbe.initialDelaySeconds).toBe(5);
    expect(container.readinessProbe.periodSeconds).toBe(5);
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(container.livenessProbe.httpGet).toBeUndefined();
    expect(container.livenessProbe.periodSeconds).toBe(10);
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    // Job migrations: no startupProbe on the API.
    expect(container.startupProbe).toBeUndefined();
  });

  it('autoscales with an HPA on CPU 70 % and memory 80 %, and leaves replicas to it', () => {
    const hpa = one(objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'trading-api' });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 20]);
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    expect(deployment.spec.replicas).toBeUndefined();
  });

  it('has a PDB that never blocks every eviction, and spreads over zones and nodes', () => {
    const pdb = one(objects, 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: SELECTOR } });
    const spread = deployment.spec.template.spec.topologySpreadConstraints;
    expect(spread.map((s) => s.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    for (const s of spread) expect(s.labelSelector.matchLabels).toEqual(SELECTOR);
    // A Deployment's ReplicaSets label their pods pod-template-hash: the spread counts one revision.
    for (const s of spread) expect(s.matchLabelKeys).toEqual(['pod-template-hash']);
    // Tainted nodes are no domains (placement.cluster.test.ts: without it, pods past one per untainted node stay Pending).
    for (const s of spread) expect(s.nodeTaintsPolicy).toBe('Honor');
  });

  it('runs under the restricted profile with a read-only root and a writable /tmp', () => {
    for (const o of objects) {
      const pod = podSpecOf(o);
      if (pod) expect(restrictedViolations(pod), `${o.kind}/${o.metadata.name}`).toEqual([]);
    }
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(deployment.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(one(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  it('sets requests and limits (default: the staging/prod row of seed 003)', () => {
    expect(container.resources).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2000m', memory: '2Gi' } });
  });

  it('takes settings from a ConfigMap and secrets only by reference', () => {
    expect(one(objects, 'ConfigMap', 'trading-api-config').data).toEqual({ ENV: 'production', LOG_LEVEL: 'info' });
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'trading-api-config' } }]);
    expect(container.env).toEqual([
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'trading-api-secrets', key: 'DATABASE_URL' } } },
      { name: 'JWT_SECRET', valueFrom: { secretKeyRef: { name: 'trading-secrets', key: 'jwt-secret' } } },
    ]);
    const es = one(objects, 'ExternalSecret');
    expect(es.spec.secretStoreRef).toEqual({ name: 'vault', kind: 'ClusterSecretStore' });
    expect(es.spec.data).toEqual([{ secretKey: 'DATABASE_URL', remoteRef: { key: 'trading/prod/api', property: 'database-url' } }]);
    expect(all(objects, 'Secret')).toEqual([]);
  });

  it('rolls the pods when the config changes (checksum annotation)', () => {
    const other = render((scope) => productionLikeBackend(scope, { config: { LOG_LEVEL: 'debug', ENV: 'production' } }));
    const checksum = (objs: typeof objects) => one(objs, 'Deployment').spec.template.metadata.annotations['checksum/config'];
    expect(checksum(other)).not.toBe(checksum(objects));
    expect(checksum(objects)).toMatch(/^[a-f0-9]{64}$/);
  });

  it('routes the public host through the named Gateway', () => {
    const route = one(objects, 'HTTPRoute');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateway-system' }]);
    expect(route.spec.hostnames).toEqual(['api.example.com']);
    expect(route.spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'trading-api', port: 8080 }]);
  });

  it('admits only the gateway (http) and Prometheus (metrics), and egress to DNS', () => {
    const np = one(objects, 'NetworkPolicy');
    // API and migration pods alike.
    expect(np.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'trading-api', 'app.kubernetes.io/instance': 'trading-api' });
    const job = one(objects, 'Job').spec.template.metadata.labels;
    for (const [k, v] of Object.entries(np.spec.podSelector.matchLabels)) expect(job[k]).toBe(v);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway-system' } } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 9090, protocol: 'TCP' }] },
    ]);
    expect(np.spec.egress).toHaveLength(1);
    expect(np.spec.egress[0].ports).toEqual([
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ]);
  });

  it("scrapes the metrics port and alerts on the seeds' thresholds", () => {
    expect(all(objects, 'ServiceMonitor')).toEqual([]);
    const pm = one(objects, 'PodMonitor');
    expect(pm.spec.podMetricsEndpoints).toEqual([
      {
        port: 'metrics',
        path: '/metrics',
        interval: '30s',
        scheme: 'http',
        // Every series says which service it is, whatever Service (if any) fronts the pod.
        relabelings: [{ action: 'replace', targetLabel: 'service', replacement: 'trading-api' }],
      },
    ]);
    expect(pm.spec.podTargetLabels).toEqual(['version', 'track', 'rollouts-pod-template-hash']);
    expect(pm.spec.selector.matchLabels).toEqual(SELECTOR);
    expect(one(objects, 'Service').spec.ports.map((p) => p.name)).toEqual(['http', 'metrics']);
    const rules = one(objects, 'PrometheusRule').spec.groups.flatMap((g) => g.rules);
    const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
    expect(Object.keys(byName).sort()).toEqual([
      'ApiContainerRestarts',
      'ApiCriticalErrorRate',
      'ApiCriticalMemory',
      'ApiDeploymentNotProgressing',
      'ApiDown',
      'ApiHighCpu',
      'ApiHighErrorRate',
      'ApiHighLatencyP95',
      'ApiHighMemory',
      'ApiMigrationFailed',
      'ApiReplicasUnavailable',
    ]);
    expect(byName.ApiHighErrorRate.expr).toMatch(/> 0\.01$/);
    expect(byName.ApiHighErrorRate).toMatchObject({ for: '5m', labels: { severity: 'warning', service: 'trading-api' } });
    expect(byName.ApiCriticalErrorRate.expr).toMatch(/> 0\.05$/);
    expect(byName.ApiCriticalErrorRate).toMatchObject({ for: '5m', labels: { severity: 'critical' } });
    expect(byName.ApiHighLatencyP95.expr).toContain('histogram_quantile(0.95');
    expect(byName.ApiHighCpu.expr).toMatch(/> 0\.8$/);
    expect(byName.ApiHighMemory.expr).toMatch(/> 0\.8$/);
    expect(byName.ApiCriticalMemory.expr).toMatch(/> 0\.9$/);
    expect(byName.ApiCriticalMemory.labels.severity).toBe('critical');
    expect(byName.ApiDown.expr).toContain('absent(up{namespace="trading-test", service="trading-api"})');
    expect(byName.ApiMigrationFailed.expr).toContain('job_name="trading-api-migrate"');
    expect(byName.ApiHighErrorRate.expr).toContain('namespace="trading-test"');
  });

  it('runs migrations as an Argo CD PreSync Job with the same image, env and security', () => {
    const job = one(objects, 'Job');
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'PreSync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      'argocd.argoproj.io/sync-wave': '-1',
    });
    expect(job.spec.backoffLimit).toBe(2);
    expect(job.spec.activeDeadlineSeconds).toBe(600);
    const task = job.spec.template.spec.containers[0];
    expect(task.image).toBe(container.image);
    expect(task.command).toEqual(['/app/server', 'migrate']);
    expect(task.env).toEqual(container.env);
    expect(task.resources).toEqual(container.resources);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.metadata.labels?.['app.kubernetes.io/component']).toBe('migration');
  });

  it('labels everything with the five recommended labels', () => {
    for (const o of objects) {
      // The dashboard also carries the Grafana sidecar's label.
      const extra = o.metadata.name === 'trading-api-dashboard' ? ['grafana_dashboard'] : [];
      expect(Object.keys(o.metadata.labels ?? {}).sort(), `${o.kind}/${o.metadata.name}`).toEqual([
        'app.kubernetes.io/component',
        'app.kubernetes.io/instance',
        'app.kubernetes.io/managed-by',
        'app.kubernetes.io/name',
        'app.kubernetes.io/part-of',
        ...extra,
      ]);
    }
  });

  it('is valid against the Kubernetes and CRD models', async () => {
    const problems = (await Promise.all(objects.map(modelProblems))).flat();
    expect(problems).toEqual([]);
  });
});

describe('TradingBackend: variants', () => {
  it('with fixed replicas sets spec.replicas and emits no HPA; one replica means no spreading', () => {
    const two = render((s) => new TradingBackend(s, 'api', { image: 'ghcr.io/acme/api:1.0.0', scaling: Scaling.fixed(2) }));
    expect(one(two, 'Deployment').spec.replicas).toBe(2);
    expect(all(two, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(one(two, 'Deployment').spec.template.spec.topologySpreadConstraints).toHaveLength(2);
    const single = render((s) => new TradingBackend(s, 'api', { image: 'ghcr.io/acme/api:1.0.0', scaling: Scaling.fixed(1) }));
    expect(one(single, 'Deployment').spec.template.spec.topologySpreadConstraints).toBeUndefined();
    expect(one(single, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  it('probes liveness over HTTP on a path of its own when given one', () => {
    const objects = render((s) => new TradingBackend(s, 'api', { image: 'ghcr.io/acme/api:1.0.0', healthCheck: { livenessPath: '/health/live' } }));
    const c = one(objects, 'Deployment').spec.template.spec.containers[0];
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http', scheme: 'HTTP' });
    expect(c.livenessProbe.tcpSocket).toBeUndefined();
    expect(c.readinessProbe.httpGet?.path).toBe('/health');
  });

  it('with on-start migrations adds a generous startupProbe and no Job (seed 000)', () => {
    const objects = render(
      (s) =>
        new TradingBackend(s, 'api', {
          image: 'ghcr.io/acme/api:1.0.0',
          migration: Migration.onStart({ startupTimeout: Duration.minutes(10) }),
        }),
    );
    const c = one(objects, 'Deployment').spec.template.spec.containers[0];
    expect(c.startupProbe).toMatchObject({ httpGet: { path: '/health', port: 'http' }, periodSeconds: 5, failureThreshold: 120 });
    expect(c.livenessProbe.initialDelaySeconds).toBe(0);
    expect(all(objects, 'Job')).toEqual([]);
  });

  it('with an Ingress sets the class, the cert-manager issuer and TLS for every host', () => {
    const objects = render(
      (s) =>
        new TradingBackend(s, 'api', {
          image: 'ghcr.io/acme/api:1.0.0',
          exposure: Exposure.ingress({ hosts: ['api.example.com', 'www.example.com'], clusterIssuer: 'letsencrypt' }),
        }),
    );
    const ing = one(objects, 'Ingress');
    expect(ing.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt' });
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.spec.tls).toEqual([{ hosts: ['api.example.com', 'www.example.com'], secretName: 'api-tls' }]);
    expect(ing.spec.rules.map((r) => r.host)).toEqual(['api.example.com', 'www.example.com']);
    expect(ing.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'api', port: { name: 'http' } } });
    expect(one(objects, 'NetworkPolicy').spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({
      'kubernetes.io/metadata.name': 'ingress-nginx',
    });
    expect(all(objects, 'HTTPRoute')).toEqual([]);
  });

  it("with an Ingress and a TLS Secret of the user's own, leaves cert-manager out of it (it would take the Secret over)", () => {
    const ingress = (options: Partial<IngressExposureOptions>) =>
      one(
        render(
          (s) =>
            new TradingBackend(s, 'api', {
              image: 'ghcr.io/acme/api:1.0.0',
              exposure: Exposure.ingress({ hosts: ['api.example.com'], ...options }),
            }),
        ),
        'Ingress',
      );
    const own = ingress({ tlsSecretName: 'api-certificate' });
    expect(own.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBeUndefined();
    expect(own.spec.tls).toEqual([{ hosts: ['api.example.com'], secretName: 'api-certificate' }]);
    // With an issuer too, cert-manager writes into the named Secret; with neither, into <name>-tls.
    expect(ingress({ tlsSecretName: 'api-certificate', clusterIssuer: 'corp-ca' }).metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'corp-ca',
    });
    expect(ingress({}).metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' });
  });

  it('without exposure emits no route and admits only Prometheus', () => {
    const objects = render((s) => new TradingBackend(s, 'api', { image: 'ghcr.io/acme/api:1.0.0' }));
    expect(all(objects, 'HTTPRoute', 'Ingress')).toEqual([]);
    expect(one(objects, 'NetworkPolicy').spec.ingress).toHaveLength(1);
  });

  it('wiring methods add env vars and policy rules that synthesis picks up', () => {
    const objects = render((s) => {
      const api = new TradingBackend(s, 'api', { image: 'ghcr.io/acme/api:1.0.0', migration: Migration.job({ command: ['migrate'] }) });
      api.addSecretEnv('DATABASE_URL', 'db-app', 'uri');
      api.allowEgressTo(NetworkPeer.pods({ app: 'db' }), { port: 5432 });
      const worker = new TradingBackend(s, 'worker', { image: 'ghcr.io/acme/worker:1.0.0' });
      api.allowIngressFrom(worker, { port: 8080 });
    });
    const api = one(objects, 'Deployment', 'api');
    expect(api.spec.template.spec.containers[0].env).toEqual([{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db-app', key: 'uri' } } }]);
    expect(one(objects, 'Job').spec.template.spec.containers[0].env).toEqual(api.spec.template.spec.containers[0].env);
    const np = one(objects, 'NetworkPolicy', 'api');
    expect(np.spec.egress[1]).toEqual({ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432, protocol: 'TCP' }] });
    expect(np.spec.ingress[1].from[0].podSelector.matchLabels['app.kubernetes.io/name']).toBe('worker');
    expect(np.spec.ingress[1].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'trading-test' });
  });

  it('uses a pinned image, the latest tag only when allowed', () => {
    const objects = render((s) => new TradingBackend(s, 'api', { image: 'ghcr.io/acme/api:latest', allowLatestTag: true }));
    expect(one(objects, 'Deployment').spec.template.spec.containers[0].image).toBe('ghcr.io/acme/api:latest');
  });

  it('pulls a floating image (latest, or no tag) on every pod start; a pinned tag or digest only when missing', () => {
    const policy = (image: string): unknown => {
      const objects = render(
        (s) => new TradingBackend(s, 'api', { image, allowLatestTag: true, migration: Migration.job({ command: ['migrate'] }) }),
      );
      const pulls = [one(objects, 'Deployment'), one(objects, 'Job')].map((w) => w.spec.template.spec.containers[0].imagePullPolicy);
      expect(new Set(pulls).size).toBe(1);
      return pulls[0];
    };
    expect(policy('ghcr.io/acme/api:latest')).toBe('Always');
    expect(policy('ghcr.io/acme/api')).toBe('Always');
    expect(policy('localhost:5000/api')).toBe('Always');
    expect(policy('ghcr.io/acme/api:1.4.2')).toBe('IfNotPresent');
    expect(policy('localhost:5000/api:1.4.2')).toBe('IfNotPresent');
    expect(policy(`ghcr.io/acme/api:latest@sha256:${'a'.repeat(64)}`)).toBe('IfNotPresent');
  });

  it('rolls the pods when rollout.restartToken changes, and only the pod template changes', () => {
    const build = (restartToken?: string) =>
      render(
        (s) =>
          new TradingBackend(s, 'api', {
            image: 'ghcr.io/acme/api:latest',
            allowLatestTag: true,
            config: { A: '1' },
            rollout: { restartToken },
          }),
      );
    const none = one(build(), 'Deployment').spec.template.metadata.annotations;
    expect(Object.keys(none)).toEqual(['checksum/config']);
    const first = build('2026-05-01T10.00Z');
    expect(one(first, 'Deployment').spec.template.metadata.annotations['cdk8s-trading.dev/restart-token']).toBe('2026-05-01T10.00Z');
    const second = build('build-4711');
    expect(one(second, 'Deployment').spec.template.metadata.annotations['cdk8s-trading.dev/restart-token']).toBe('build-4711');
    const changed = first
      .map((o, i) => (JSON.stringify(o) === JSON.stringify(second[i]) ? undefined : `${o.kind}/${o.metadata.name}`))
      .filter(Boolean);
    expect(changed).toEqual(['Deployment/api']);
    expect(
      errorOf(() => render((s) => new TradingBackend(s, 'api', { image: 'ghcr.io/acme/api:1.0.0', rollout: { restartToken: 'new build\n' } })))
        .message,
    ).toBe(
      'TradingBackend test/api: rollout.restartToken: "new build\\n" is not a restart token: use up to 63 letters, digits, ".", "_", ":", "+" or "-", starting with a letter or digit, like a date ("2026-05-01T10.00Z") or a build id',
    );
  });

  it('can opt out of monitoring and the NetworkPolicy', () => {
    const objects = render(
      (s) =>
        new TradingBackend(s, 'api', {
          image: 'ghcr.io/acme/api:1.0.0',
          monitoring: { serviceMonitor: false, alerts: false, dashboard: false },
          networkPolicy: false,
        }),
    );
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
  });

  it('exposes its objects for escape hatches', () => {
    const objects = render((s) => {
      const api = new TradingBackend(s, 'api', { image: 'ghcr.io/acme/api:1.0.0', secretEnv: { TOKEN: SecretRef.fromSecret('tok', 'value') } });
      expect(api.node.defaultChild).toBe(api.deployment);
      api.deployment.metadata.addAnnotation('example.com/owner', 'desk-7');
    });
    expect(one(objects, 'Deployment').metadata.annotations).toEqual({ 'example.com/owner': 'desk-7', 'secret.reloader.stakater.com/auto': 'true' });
  });
});

describe('app.kubernetes.io/part-of, decided in one place', () => {
  const partOf = (setup: (app: App) => Chart, props: { partOf?: string } = {}): Array<string | undefined> => {
    const app = new App();
    const chart = setup(app);
    new TradingBackend(chart, 'api', { image: 'ghcr.io/acme/api:1.4.2', ...props });
    new TradingNamespace(chart, 'ns', { name: 'shop-prod' });
    return [
      ...new Set(chart.toJson().map((o: { metadata: { labels?: Record<string, string> } }) => o.metadata.labels?.['app.kubernetes.io/part-of'])),
    ];
  };

  it("is the chart's namespace, else the chart's id, unless the context or the props say otherwise", () => {
    expect(partOf((app) => new Chart(app, 'prod', { namespace: 'shop-prod' }))).toEqual(['shop-prod']);
    expect(partOf((app) => new Chart(app, 'prod'))).toEqual(['prod']);
    expect(
      partOf((app) => {
        app.node.setContext(PART_OF_CONTEXT, 'shop');
        return new Chart(app, 'prod', { namespace: 'shop-prod' });
      }),
    ).toEqual(['shop']);
    expect(partOf((app) => new Chart(app, 'prod'), { partOf: 'payments' })).toEqual(['payments', 'prod']);
  });
});
