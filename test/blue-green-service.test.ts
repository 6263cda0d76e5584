import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BlueGreenEngine } from '../src/blue-green/blue-green-engine';
import { Color } from '../src/blue-green/engine-options';
import { BlueGreenService, BlueGreenServiceProps } from '../src/blue-green/blue-green-service';
import { ConfigurationError } from '../src/core/problems';
import { Notifications } from '../src/gitops/notifications';
import { PostgresCluster } from '../src/postgres/postgres-cluster';
import { PostgresEngine } from '../src/postgres/postgres-engine';
import { Exposure } from '../src/api-service/exposure';
import { Migration } from '../src/api-service/migration';
import { Scaling } from '../src/api-service/scaling';
import { changedPaths } from '../src/synth/compare';
import { decide, NO_DATA } from './support/analysis';
import { modelProblems } from './support/models';
import { podSpecOf, restrictedViolations } from '../src/policy/pod-security-standards';
import { all, asManifest, errorOf, one, Obj, render } from './support/render';

const GATEWAY = Exposure.gateway({ gatewayName: 'public', gatewayNamespace: 'gateway-system', hosts: ['api.example.com'] });
const V1 = 'ghcr.io/acme/trading-api:1.4.2';
const V2 = 'ghcr.io/acme/trading-api:1.5.0';

function serviceSwitch(activeColor: Color, extra: Partial<BlueGreenServiceProps> = {}, scaleDownIdle = false): Obj[] {
  return render(
    (s) =>
      new BlueGreenService(s, 'trading-api', {
        engine: BlueGreenEngine.serviceSwitch({ activeColor, blueImage: V1, greenImage: V2, releaseColor: 'green', scaleDownIdle }),
        scaling: Scaling.autoscale(),
        exposure: GATEWAY,
        previewHost: 'preview.example.com',
        migration: Migration.job({ command: ['/app/server', 'migrate'] }),
        ...extra,
      }),
  );
}

const sorted = (objects: Obj[]): string =>
  [...objects]
    .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`))
    .map((o) => stringify(o))
    .join('---\n');

describe('BlueGreenService, Service-switch engine', () => {
  const objects = serviceSwitch('blue');

  it("leaves both Services to Flux's apply like any other object: the colour is switched in Git", () => {
    for (const svc of all(objects, 'Service'))
      expect(svc.metadata.annotations?.['kustomize.toolkit.fluxcd.io/ssa'], svc.metadata.name).toBeUndefined();
  });

  it('matches the reviewed snapshot', () => {
    expect(sorted(objects)).toMatchSnapshot();
  });

  it('runs two colours, each with its own image, colour label, HPA and PDB', () => {
    for (const [color, image] of [
      ['blue', V1],
      ['green', V2],
    ] as const) {
      const d = one(objects, 'Deployment', `trading-api-${color}`);
      expect(d.spec.selector.matchLabels.version).toBe(color);
      expect(d.spec.template.metadata.labels.version).toBe(color);
      expect(d.spec.template.spec.containers[0].image).toBe(image);
      expect(d.spec.replicas).toBeUndefined();
      expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
      expect(one(objects, 'HorizontalPodAutoscaler', `trading-api-${color}`).spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: `trading-api-${color}`,
      });
      expect(one(objects, 'PodDisruptionBudget', `trading-api-${color}`).spec.selector.matchLabels.version).toBe(color);
      expect(restrictedViolations(podSpecOf(asManifest(d)))).toEqual([]);
    }
  });

  it('selects the active colour in the public Service and the idle one in the preview Service', () => {
    expect(one(objects, 'Service', 'trading-api').spec.selector.version).toBe('blue');
    expect(one(objects, 'Service', 'trading-api-preview').spec.selector.version).toBe('green');
  });

  it('routes the public host to the active Service and the preview host to the preview Service', () => {
    const route = one(objects, 'HTTPRoute', 'trading-api');
    expect(route.spec.hostnames).toEqual(['api.example.com']);
    expect(route.spec.rules[0].backendRefs.map((b) => b.name)).toEqual(['trading-api']);
    const preview = one(objects, 'HTTPRoute', 'trading-api-preview');
    expect(preview.spec.hostnames).toEqual(['preview.example.com']);
    expect(preview.spec.rules[0].backendRefs.map((b) => b.name)).toEqual(['trading-api-preview']);
  });

  it('shares one pod definition, policy and monitoring across colours, and migrates with the release image', () => {
    const np = one(objects, 'NetworkPolicy', 'trading-api');
    for (const color of ['blue', 'green']) {
      const labels = one(objects, 'Deployment', `trading-api-${color}`).spec.template.metadata.labels;
      for (const [k, v] of Object.entries(np.spec.podSelector.matchLabels)) expect(labels[k]).toBe(v);
    }
    expect(one(objects, 'PodMonitor').spec.selector.matchLabels.version).toBeUndefined();
    expect(one(objects, 'Job', 'trading-api-migrate').spec.template.spec.containers[0].image).toBe(V2);
    const alerts = one(objects, 'PrometheusRule').spec.groups.flatMap((g) => g.rules);
    expect(alerts.find((r) => r.alert === 'ApiReplicasUnavailable')?.expr).toContain('deployment=~"(trading-api-blue|trading-api-green)"');
  });

  it("gives each colour its own ConfigMap and checksum: a release colour's config change rolls that colour alone", () => {
    const build = (greenConfig: Record<string, string>, config: Record<string, string> = { LOG_LEVEL: 'info' }) =>
      render(
        (s) =>
          new BlueGreenService(s, 'trading-api', {
            engine: BlueGreenEngine.serviceSwitch({ activeColor: 'blue', blueImage: V1, greenImage: V2, releaseColor: 'green', greenConfig }),
            config,
            migration: Migration.job({ command: ['/app/server', 'migrate'] }),
          }),
      );
    const before = build({ FEATURE_X: 'off' });
    expect(
      all(before, 'ConfigMap')
        .filter((c) => c.metadata.name.endsWith('-config'))
        .map((c) => [c.metadata.name, c.data]),
    ).toEqual([
      ['trading-api-green-config', { FEATURE_X: 'off', LOG_LEVEL: 'info' }],
      ['trading-api-blue-config', { LOG_LEVEL: 'info' }],
    ]);
    for (const color of ['blue', 'green']) {
      expect(one(before, 'Deployment', `trading-api-${color}`).spec.template.spec.containers[0].envFrom).toEqual([
        { configMapRef: { name: `trading-api-${color}-config` } },
      ]);
    }
    // Migrations run the release's image with the release's configuration.
    expect(one(before, 'Job', 'trading-api-migrate').spec.template.spec.containers[0].envFrom).toEqual([
      { configMapRef: { name: 'trading-api-green-config' } },
    ]);
    // The release colour's change: green's ConfigMap and pod template change, blue (live) does not.
    expect(changedPaths(before, build({ FEATURE_X: 'on' }))).toEqual([
      'ConfigMap/trading-api-green-config: data.FEATURE_X',
      'Deployment/trading-api-green: spec.template.metadata.annotations.checksum/config',
    ]);
    // A change of the shared config is every colour's.
    expect(changedPaths(before, build({ FEATURE_X: 'off' }, { LOG_LEVEL: 'debug' })).filter((p) => p.startsWith('Deployment/'))).toEqual([
      'Deployment/trading-api-blue: spec.template.metadata.annotations.checksum/config',
      'Deployment/trading-api-green: spec.template.metadata.annotations.checksum/config',
    ]);
    expect(
      errorOf(() => BlueGreenEngine.serviceSwitch({ activeColor: 'blue', blueImage: V1, greenImage: V2, greenConfig: { 'bad-name': 'x' } })).message,
    ).toContain('greenConfig.bad-name: "bad-name" is not');
  });

  it('switches with a diff that touches only the Service selectors, and the smoke check follows the release onto the public Service', () => {
    const switched = serviceSwitch('green');
    expect(changedPaths(objects, switched)).toEqual([
      'Job/trading-api-smoke-test: spec.template.spec.containers[0].command[9]',
      'Service/trading-api-preview: spec.selector.version',
      'Service/trading-api: spec.selector.version',
    ]);
    // Staged on green: checked through the preview (green); live on green: through the public Service (green), never the old colour.
    const urls = (o: Obj[]) =>
      one(o, 'Job', 'trading-api-smoke-test').spec.template.spec.containers[0].command?.filter((a) => a.startsWith('http://'));
    expect(urls(objects)).toEqual(['http://trading-api-preview.trading-test.svc:8080/health']);
    expect(urls(switched)).toEqual(['http://trading-api.trading-test.svc:8080/health']);
  });

  it('with scaleDownIdle, the idle colour runs while a release is staged on it; the switch scales the old colour to zero', () => {
    // Staged on green (idle): both colours run, so the smoke check through the preview Service and the
    // switch find ready pods (the cluster tests showed a preview Service with no endpoints before).
    const blue = serviceSwitch('blue', {}, true);
    expect(one(blue, 'Deployment', 'trading-api-green').spec.replicas).toBeUndefined();
    expect(one(blue, 'Deployment', 'trading-api-blue').spec.replicas).toBeUndefined();
    const green = serviceSwitch('green', {}, true);
    expect(one(green, 'Deployment', 'trading-api-blue').spec.replicas).toBe(0);
    const unstaged = render(
      (s) =>
        new BlueGreenService(s, 'trading-api', {
          engine: BlueGreenEngine.serviceSwitch({ activeColor: 'blue', blueImage: V1, greenImage: V2, scaleDownIdle: true }),
        }),
    );
    expect(one(unstaged, 'Deployment', 'trading-api-green').spec.replicas).toBe(0);
    expect(changedPaths(blue, green)).toEqual([
      'Deployment/trading-api-blue: spec.replicas',
      'Job/trading-api-smoke-test: spec.template.spec.containers[0].command[9]',
      'Service/trading-api-preview: spec.selector.version',
      'Service/trading-api: spec.selector.version',
    ]);
  });

  it("rejects notifications: no Rollout carries them (Argo CD and Flux notify of this engine's releases)", () => {
    expect(() => serviceSwitch('blue', { notifications: Notifications.slack({ channel: 'ops' }) })).toThrow(
      /notifications: applies only to the Argo Rollouts engine/,
    );
  });

  it('reuses the database wiring: every colour gets the connection, the Deployments wait for migrations', () => {
    const withDb = render((s) => {
      const db = new PostgresCluster(s, 'trading-db', { engine: PostgresEngine.cloudNativePg() });
      new BlueGreenService(s, 'trading-api', {
        engine: BlueGreenEngine.serviceSwitch({ activeColor: 'blue', blueImage: V1, greenImage: V2 }),
        migration: Migration.job({ command: ['migrate'] }),
      }).connectTo(db);
    });
    for (const color of ['blue', 'green']) {
      const d = one(withDb, 'Deployment', `trading-api-${color}`);
      expect(d.spec.template.spec.containers[0].env.map((e) => e.name)).toContain('DATABASE_URL');
      expect(d.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('1');
    }
  });

  it('is valid against the Kubernetes and CRD models', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });
});

describe('BlueGreenService, Argo Rollouts engine', () => {
  const objects = render(
    (s) =>
      new BlueGreenService(s, 'trading-api', {
        engine: BlueGreenEngine.argoRollouts({ image: V2 }),
        scaling: Scaling.autoscale(),
        exposure: GATEWAY,
        previewHost: 'preview.example.com',
      }),
  );
  const rollout = one(objects, 'Rollout');

  it('matches the reviewed snapshot', () => {
    expect(sorted(objects)).toMatchSnapshot();
  });

  it('uses strategy.blueGreen with active and preview Services, manual promotion and a scale-down delay', () => {
    expect(rollout.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(rollout.spec.strategy.blueGreen).toMatchObject({
      activeService: 'trading-api',
      previewService: 'trading-api-preview',
      autoPromotionEnabled: false,
      scaleDownDelaySeconds: 600,
    });
    expect(one(objects, 'Service', 'trading-api').spec.selector).toEqual(rollout.spec.selector.matchLabels);
    expect(all(objects, 'Deployment')).toEqual([]);
  });

  it('has Flux create the active and preview Services and leave them alone: an active selector without the hash is a first deploy to Argo', () => {
    for (const name of ['trading-api', 'trading-api-preview']) {
      expect(one(objects, 'Service', name).metadata.annotations?.['kustomize.toolkit.fluxcd.io/ssa'], name).toBe('IfNotPresent');
    }
  });

  it('smoke-tests the preview before promotion, with a job metric that passes only when its Job does', () => {
    expect(rollout.spec.strategy.blueGreen.prePromotionAnalysis).toEqual({
      templates: [{ templateName: 'trading-api-smoke-test' }],
      args: [
        { name: 'service-name', value: 'trading-api-preview' },
        { name: 'namespace', value: 'trading-test' },
      ],
    });
    const [metric] = one(objects, 'AnalysisTemplate', 'trading-api-smoke-test').spec.metrics;
    expect([metric.name, metric.count, metric.failureLimit, metric.successCondition]).toEqual(['smoke-test', 1, 0, undefined]);
    const pod = metric.provider.job.spec.template;
    expect(pod.spec.containers[0].command.slice(-1)).toEqual(['http://{{args.service-name}}.{{args.namespace}}.svc:8080/health']);
    expect(restrictedViolations(pod.spec as unknown as Parameters<typeof restrictedViolations>[0])).toEqual([]);
  });

  it("analyses the new ReplicaSet's pods alone for 5 one-minute measurements after the switch, from Prometheus", () => {
    expect(rollout.spec.strategy.blueGreen.postPromotionAnalysis).toEqual({
      templates: [{ templateName: 'trading-api-success-rate' }],
      args: [
        { name: 'service-name', value: 'trading-api' },
        { name: 'namespace', value: 'trading-test' },
        { name: 'pod-template-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
      ],
    });
    const metric = one(objects, 'AnalysisTemplate', 'trading-api-success-rate').spec.metrics[0];
    expect(metric.provider.prometheus.query).toContain('service="{{args.service-name}}", rollouts_pod_template_hash="{{args.pod-template-hash}}"');
    // Post-promotion starts as the new colour takes traffic: its first measurement waits for a full 2m rate window and a scrape.
    expect([metric.initialDelay, metric.count, metric.interval, metric.failureLimit, metric.inconclusiveLimit]).toEqual(['2m30s', 5, '1m', 1, 1]);
    expect(decide(metric, [0.995])).toBe('Successful');
    expect(decide(metric, [0.9])).toBe('Failed');
    for (const result of NO_DATA) expect(decide(metric, result)).toBe('Inconclusive');
  });

  it('subscribes the Rollout to its release events when given notifications', () => {
    const notified = render(
      (s) =>
        new BlueGreenService(s, 'trading-api', {
          engine: BlueGreenEngine.argoRollouts({ image: V2 }),
          notifications: Notifications.slack({ channel: 'C0123ABCD' }),
        }),
    );
    expect(one(notified, 'Rollout').metadata.annotations).toEqual({
      'notifications.argoproj.io/subscribe.on-rollout-aborted.slack': 'C0123ABCD',
      'notifications.argoproj.io/subscribe.on-analysis-run-failed.slack': 'C0123ABCD',
      'notifications.argoproj.io/subscribe.on-rollout-completed.slack': 'C0123ABCD',
      // Reloader rolls the Rollout in place when a Secret it reads changes (secretRotation, on unless turned off).
      'reloader.stakater.com/rollout-strategy': 'restart',
      'secret.reloader.stakater.com/auto': 'true',
    });
  });

  it('autoscales the Rollout and keeps the pod definition', () => {
    expect(one(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'trading-api',
    });
    expect(rollout.spec.replicas).toBeUndefined();
    expect(restrictedViolations(podSpecOf(asManifest(rollout)))).toEqual([]);
    expect(rollout.spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe('/health');
    const alerts = one(objects, 'PrometheusRule').spec.groups.flatMap((g) => g.rules);
    expect(alerts.find((r) => r.alert === 'ApiReplicasUnavailable')?.expr).toContain('rollout_info_replicas_unavailable');
  });

  it('spreads a revision by rollouts-pod-template-hash; the Service-switch colours by pod-template-hash', () => {
    const keys = (template: { spec: { topologySpreadConstraints?: ReadonlyArray<{ matchLabelKeys?: readonly string[] }> } }) =>
      (template.spec.topologySpreadConstraints ?? []).map((t) => t.matchLabelKeys);
    expect(keys(rollout.spec.template)).toEqual([['rollouts-pod-template-hash'], ['rollouts-pod-template-hash']]);
    const colours = all(serviceSwitch('blue'), 'Deployment');
    expect(colours.map((d) => keys(d.spec.template))).toEqual([
      [['pod-template-hash'], ['pod-template-hash']],
      [['pod-template-hash'], ['pod-template-hash']],
    ]);
  });

  it('is valid against the Kubernetes and Argo Rollouts models', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });
});

describe('BlueGreenService: bad input', () => {
  it('rejects the same image on both colours when a release is staged', () => {
    expect(errorOf(() => BlueGreenEngine.serviceSwitch({ activeColor: 'blue', blueImage: V1, greenImage: V1, releaseColor: 'green' })).message).toBe(
      `BlueGreenEngine.serviceSwitch: greenImage: "${V1}" is the image of both colours, but a release is staged on "green": put the new version on the release colour, or remove releaseColor`,
    );
    expect(() => BlueGreenEngine.serviceSwitch({ activeColor: 'blue', blueImage: V1, greenImage: V1 })).not.toThrow();
  });

  it('rejects an unknown colour', () => {
    expect(errorOf(() => BlueGreenEngine.serviceSwitch({ activeColor: 'red' as Color, blueImage: V1, greenImage: V2 })).message).toBe(
      'BlueGreenEngine.serviceSwitch: activeColor: "red" is not a colour: use "blue" or "green"',
    );
  });

  it('rejects a preview host equal to the public host, or without exposure', () => {
    const e = errorOf(() => serviceSwitch('blue', { previewHost: 'api.example.com' })) as ConfigurationError;
    expect(e.problems).toEqual([
      'BlueGreenService test/trading-api: previewHost: "api.example.com" is also the public host: the preview needs its own host, or it would take production traffic',
    ]);
    expect(errorOf(() => serviceSwitch('blue', { exposure: Exposure.none() })).message).toContain('previewHost: needs an exposure');
  });

  it('rejects analysis thresholds out of range', () => {
    expect(errorOf(() => BlueGreenEngine.argoRollouts({ image: V2, analysis: { successRate: 99, count: 3, failureLimit: 3 } })).message).toBe(
      [
        '2 configuration problems:',
        '  - BlueGreenEngine.argoRollouts: analysis.successRate: 99 is out of range: use a share above 0 and at most 1, like 0.99 for 99 %',
        '  - BlueGreenEngine.argoRollouts: analysis.failureLimit: 3 must be below count (3), or the analysis can never fail',
      ].join('\n'),
    );
  });

  it('rejects latest images outside dev', () => {
    expect(errorOf(() => BlueGreenEngine.serviceSwitch({ activeColor: 'blue', blueImage: 'x/api:latest', greenImage: V2 })).message).toContain(
      'blueImage: "x/api:latest" uses the "latest" tag',
    );
  });
});

describe('the release colour scales like the live one before the switch', () => {
  const hpaMin = (objects: Obj[], color: string): number | undefined =>
    one(objects, 'HorizontalPodAutoscaler', `trading-api-${color}`).spec.minReplicas;

  it("raises the release colour's HPA minimum to the service's maximum, through the switch, until the release is finished", () => {
    const staged = serviceSwitch('blue');
    expect([hpaMin(staged, 'green'), hpaMin(staged, 'blue')]).toEqual([20, 3]);
    // The switch keeps it: lowered in the same commit, green would be scaled down on the idle load it measured before.
    const switched = serviceSwitch('green');
    expect([hpaMin(switched, 'green'), hpaMin(switched, 'blue')]).toEqual([20, 3]);
    // Finished (releaseColor removed): the service's own minimum on both.
    const finished = render(
      (s) =>
        new BlueGreenService(s, 'trading-api', {
          engine: BlueGreenEngine.serviceSwitch({ activeColor: 'green', blueImage: V1, greenImage: V2 }),
          scaling: Scaling.autoscale(),
        }),
    );
    expect([hpaMin(finished, 'green'), hpaMin(finished, 'blue')]).toEqual([3, 3]);
  });

  it('takes releaseMinReplicas within the autoscaling range, and rejects it outside it or without autoscaling', () => {
    const render8 = (extra: Partial<BlueGreenServiceProps> = {}, releaseMinReplicas = 8) =>
      render(
        (s) =>
          new BlueGreenService(s, 'trading-api', {
            engine: BlueGreenEngine.serviceSwitch({ activeColor: 'blue', blueImage: V1, greenImage: V2, releaseColor: 'green', releaseMinReplicas }),
            scaling: Scaling.autoscale(),
            ...extra,
          }),
      );
    expect(hpaMin(render8(), 'green')).toBe(8);
    expect(errorOf(() => render8({}, 21)).message).toContain(
      "engine.releaseMinReplicas: 21 is outside the service's autoscaling range 3 to 20: use a count in it",
    );
    expect(errorOf(() => render8({ scaling: Scaling.fixed(3) })).message).toContain(
      'engine.releaseMinReplicas: applies only to an autoscaled service: with fixed replicas both colours run the same count',
    );
    expect(
      errorOf(() => BlueGreenEngine.serviceSwitch({ activeColor: 'blue', blueImage: V1, greenImage: V2, releaseMinReplicas: 0 })).message,
    ).toContain('releaseMinReplicas: 0');
  });
});
