import { Duration } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CanaryEngine } from '../src/canary/canary-engine';
import { CanaryStep } from '../src/canary/engine-options';
import { CanaryRollout, CanaryRolloutProps } from '../src/canary/canary-rollout';
import { ConfigurationError } from '../src/core/problems';
import { Notifications } from '../src/gitops/notifications';
import { Exposure } from '../src/api-service/exposure';
import { Scaling } from '../src/api-service/scaling';
import { decide, NO_DATA } from './support/analysis';
import { modelProblems } from './support/models';
import { podSpecOf, restrictedViolations } from '../src/policy/pod-security-standards';
import { all, asManifest, errorOf, one, Obj, render } from './support/render';

const GATEWAY = Exposure.gateway({ gatewayName: 'public', gatewayNamespace: 'gateway-system', hosts: ['api.example.com'] });
const INGRESS = Exposure.ingress({ hosts: ['api.example.com'] });
const V1 = 'ghcr.io/acme/trading-api:1.4.2';
const V2 = 'ghcr.io/acme/trading-api:1.5.0';

const canary = (props: Partial<CanaryRolloutProps> & Pick<CanaryRolloutProps, 'engine'>): Obj[] =>
  render((s) => new CanaryRollout(s, 'trading-api', { scaling: Scaling.autoscale(), ...props }));
const sorted = (objects: Obj[]): string =>
  [...objects]
    .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`))
    .map((o) => stringify(o))
    .join('---\n');

describe('CanaryRollout, Argo Rollouts with the Gateway API plugin', () => {
  const objects = canary({ engine: CanaryEngine.argoRollouts({ image: V2 }), exposure: GATEWAY });
  const rollout = one(objects, 'Rollout');
  const strategy = rollout.spec.strategy.canary;

  it('matches the reviewed snapshot', () => {
    expect(sorted(objects)).toMatchSnapshot();
  });

  const measured = (templateName: string) => ({
    templates: [{ templateName }],
    args: [
      { name: 'service-name', value: 'trading-api' },
      { name: 'namespace', value: 'trading-test' },
      { name: 'pod-template-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
    ],
  });

  it("smoke-tests one canary pod with no traffic, then follows seed 001's steps: 10 %, 5 minutes, analysis, 25 %, 50 %, then full", () => {
    expect(strategy.steps).toEqual([
      { setCanaryScale: { replicas: 1 } },
      {
        analysis: {
          templates: [{ templateName: 'trading-api-smoke-test' }],
          args: [
            { name: 'service-name', value: 'trading-api-canary' },
            { name: 'namespace', value: 'trading-test' },
          ],
        },
      },
      { setCanaryScale: { matchTrafficWeight: true } },
      { setWeight: 10 },
      { pause: { duration: '5m' } },
      { analysis: measured('trading-api-analysis') },
      { setWeight: 25 },
      { pause: { duration: '5m' } },
      { setWeight: 50 },
      { pause: { duration: '5m' } },
    ]);
  });

  it('analyses in the background from the step after the first setWeight to the end, with no count', () => {
    expect(strategy.analysis).toEqual({ ...measured('trading-api-background-analysis'), startingStep: 4 });
    expect(strategy.steps[3]).toEqual({ setWeight: 10 });
    const background = one(objects, 'AnalysisTemplate', 'trading-api-background-analysis').spec.metrics;
    // Open-ended, so it meets every quiet minute of the canary: more inconclusive measurements tolerated than a step's 1.
    expect(background.map((m) => [m.name, m.count, m.initialDelay, m.interval, m.failureLimit, m.inconclusiveLimit])).toEqual([
      ['success-rate', undefined, '2m30s', '1m', 1, 3],
      ['latency-p95', undefined, '2m30s', '1m', 1, 3],
    ]);
  });

  it('splits traffic through the plugin on an HTTPRoute that starts with all traffic on stable', () => {
    expect(strategy.canaryService).toBe('trading-api-canary');
    expect(strategy.stableService).toBe('trading-api');
    expect(strategy.trafficRouting).toEqual({ plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'trading-api', namespace: 'trading-test' } } });
    expect(one(objects, 'HTTPRoute').spec.rules[0].backendRefs.map((b) => [b.name, b.weight])).toEqual([
      ['trading-api', 100],
      ['trading-api-canary', 0],
    ]);
  });

  it("tells Flux to create the route and leave it alone, so a reconcile mid-canary keeps the plugin's weights", () => {
    expect(one(objects, 'HTTPRoute').metadata.annotations).toEqual({ 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' });
  });

  it('tells Flux to create the stable and canary Services and leave them alone, so a reconcile keeps the ReplicaSet Argo narrows each to', () => {
    for (const name of ['trading-api', 'trading-api-canary']) {
      expect(one(objects, 'Service', name).metadata.annotations?.['kustomize.toolkit.fluxcd.io/ssa'], name).toBe('IfNotPresent');
    }
  });

  it('measures success rate >= 99 % and p95 < 1 s, aborting after one failed measurement', () => {
    const metrics = one(objects, 'AnalysisTemplate', 'trading-api-analysis').spec.metrics;
    expect(metrics.map((m) => m.name)).toEqual(['success-rate', 'latency-p95']);
    expect([decide(metrics[0], [0.995]), decide(metrics[0], [0.9])]).toEqual(['Successful', 'Failed']);
    expect([decide(metrics[1], [0.4]), decide(metrics[1], [1.5])]).toEqual(['Successful', 'Failed']);
    for (const m of metrics) for (const result of NO_DATA) expect(decide(m, result), m.name).toBe('Inconclusive');
    expect(metrics[0].successCondition).toContain('result[0] >= 0.99');
    expect(metrics[1].successCondition).toContain('result[0] < 1');
    expect(metrics[1].provider.prometheus.query).toContain('histogram_quantile(0.95');
    for (const m of metrics) expect(m.failureLimit).toBe(1);
  });

  it('autoscales the Rollout; PDB, NetworkPolicy and monitoring select its pods', () => {
    const pods = rollout.spec.template.metadata.labels;
    expect(one(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'trading-api',
    });
    for (const selector of [
      one(objects, 'PodDisruptionBudget').spec.selector.matchLabels,
      one(objects, 'NetworkPolicy', 'trading-api').spec.podSelector.matchLabels,
    ]) {
      for (const [k, v] of Object.entries(selector)) expect(pods[k]).toBe(v);
    }
    expect(restrictedViolations(podSpecOf(asManifest(rollout)))).toEqual([]);
  });

  it('spreads by the revision label Argo Rollouts puts on its pods, rollouts-pod-template-hash', () => {
    const spread = rollout.spec.template.spec.topologySpreadConstraints ?? [];
    expect(spread.map((s) => s.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    for (const s of spread) expect(s.matchLabelKeys).toEqual(['rollouts-pod-template-hash']);
  });

  it('is valid against the Kubernetes and Argo Rollouts models', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });
});

describe('CanaryRollout: notifications', () => {
  const slack = Notifications.slack({ channel: '#trading-releases' });

  it('subscribe the Rollout to rollout aborted, analysis failed and rollout completed', () => {
    const rollout = one(canary({ engine: CanaryEngine.argoRollouts({ image: V2 }), exposure: GATEWAY, notifications: slack }), 'Rollout');
    expect(rollout.metadata.annotations).toEqual({
      'notifications.argoproj.io/subscribe.on-rollout-aborted.slack': 'trading-releases',
      'notifications.argoproj.io/subscribe.on-analysis-run-failed.slack': 'trading-releases',
      'notifications.argoproj.io/subscribe.on-rollout-completed.slack': 'trading-releases',
      // Reloader rolls the Rollout in place when a Secret it reads changes (secretRotation, on unless turned off).
      'reloader.stakater.com/rollout-strategy': 'restart',
      'secret.reloader.stakater.com/auto': 'true',
    });
    expect(one(canary({ engine: CanaryEngine.argoRollouts({ image: V2 }), exposure: GATEWAY }), 'Rollout').metadata.annotations).toEqual({
      'reloader.stakater.com/rollout-strategy': 'restart',
      'secret.reloader.stakater.com/auto': 'true',
    });
  });

  it('leave rollout completed out with onSuccess: false, failures still subscribed', () => {
    const quiet = Notifications.slack({ channel: 'trading-releases', onSuccess: false });
    const rollout = one(canary({ engine: CanaryEngine.argoRollouts({ image: V2 }), exposure: GATEWAY, notifications: quiet }), 'Rollout');
    expect(rollout.metadata.annotations).toEqual({
      'notifications.argoproj.io/subscribe.on-rollout-aborted.slack': 'trading-releases',
      'notifications.argoproj.io/subscribe.on-analysis-run-failed.slack': 'trading-releases',
      // Reloader rolls the Rollout in place when a Secret it reads changes (secretRotation, on unless turned off).
      'reloader.stakater.com/rollout-strategy': 'restart',
      'secret.reloader.stakater.com/auto': 'true',
    });
  });

  it('are rejected on the weighted engine, which has no Rollout to carry them', () => {
    expect(
      errorOf(() =>
        canary({ engine: CanaryEngine.weighted({ stableImage: V1, canaryImage: V2, canaryWeight: 10 }), exposure: GATEWAY, notifications: slack }),
      ).message,
    ).toBe(
      "CanaryRollout test/trading-api: notifications: applies only to the Argo Rollouts engine, whose Rollout carries the subscriptions: deliver the notifications of this engine's releases through ArgoCdDelivery or FluxDelivery",
    );
  });
});

describe('CanaryRollout, Argo Rollouts with NGINX and with replicas', () => {
  it('with an Ingress exposure, names it as the stableIngress', () => {
    const objects = canary({ engine: CanaryEngine.argoRollouts({ image: V2 }), exposure: INGRESS });
    expect(one(objects, 'Rollout').spec.strategy.canary.trafficRouting).toEqual({ nginx: { stableIngress: 'trading-api' } });
    expect(one(objects, 'Ingress').spec.rules[0].http.paths[0].backend.service.name).toBe('trading-api');
  });

  it('without routing, splits by replicas: no stableService, the public Service selects every pod', () => {
    const objects = canary({ engine: CanaryEngine.argoRollouts({ image: V2, steps: [CanaryStep.setWeight(20), CanaryStep.pauseUntilPromoted()] }) });
    const strategy = one(objects, 'Rollout').spec.strategy.canary;
    expect(strategy.trafficRouting).toBeUndefined();
    expect(strategy.stableService).toBeUndefined();
    // Without routing, a canary pod takes traffic as soon as it is ready: the smoke check runs right after the first weight.
    expect(strategy.steps).toEqual([
      { setWeight: 20 },
      {
        analysis: {
          templates: [{ templateName: 'trading-api-smoke-test' }],
          args: [
            { name: 'service-name', value: 'trading-api-canary' },
            { name: 'namespace', value: 'trading-test' },
          ],
        },
      },
      { pause: {} },
    ]);
    expect(strategy.analysis.startingStep).toBe(1);
    expect(one(objects, 'Service', 'trading-api').spec.selector).toEqual(one(objects, 'Rollout').spec.selector.matchLabels);
    // Argo narrows only the canary Service here; the public one stays Git's, applied by Flux like any other.
    expect(one(objects, 'Service', 'trading-api-canary').metadata.annotations?.['kustomize.toolkit.fluxcd.io/ssa']).toBe('IfNotPresent');
    expect(one(objects, 'Service', 'trading-api').metadata.annotations?.['kustomize.toolkit.fluxcd.io/ssa']).toBeUndefined();
  });
});

describe('CanaryRollout, Argo Rollouts: a Rollout paused too long', () => {
  const pausedFor = (steps?: CanaryStep[]): string | undefined =>
    one(canary({ engine: CanaryEngine.argoRollouts({ image: V2, steps }) }), 'PrometheusRule')
      .spec.groups.flatMap((g) => g.rules)
      .find((r) => r.alert === 'ApiRolloutPausedTooLong')?.for;

  it('is reported after 30 minutes, or 15 minutes past the longest timed pause step', () => {
    expect(pausedFor()).toBe('30m');
    expect(pausedFor([CanaryStep.setWeight(20), CanaryStep.pauseUntilPromoted()])).toBe('30m');
    expect(
      pausedFor([CanaryStep.setWeight(20), CanaryStep.pause(Duration.hours(1)), CanaryStep.setWeight(50), CanaryStep.pause(Duration.seconds(90))]),
    ).toBe('75m');
  });
});

describe('CanaryRollout without a controller (fixed weight)', () => {
  const engine = CanaryEngine.weighted({ stableImage: V1, canaryImage: V2, canaryWeight: 10 });

  it('routes by HTTPRoute backendRef weights to stable and canary workloads', () => {
    const objects = canary({ engine, exposure: GATEWAY });
    expect(sorted(objects)).toMatchSnapshot();
    expect(one(objects, 'HTTPRoute').spec.rules[0].backendRefs.map((b) => [b.name, b.weight])).toEqual([
      ['trading-api', 90],
      ['trading-api-canary', 10],
    ]);
    // The weights are Git's here: Flux keeps applying them.
    expect(one(objects, 'HTTPRoute').metadata.annotations).toBeUndefined();
    expect(one(objects, 'Deployment', 'trading-api').spec.template.spec.containers[0].image).toBe(V1);
    const canaryDeployment = one(objects, 'Deployment', 'trading-api-canary');
    expect(canaryDeployment.spec.template.spec.containers[0].image).toBe(V2);
    expect(canaryDeployment.spec.replicas).toBe(1);
    expect(one(objects, 'Service', 'trading-api').spec.selector.track).toBe('stable');
    expect(one(objects, 'Service', 'trading-api-canary').spec.selector.track).toBe('canary');
    expect(all(objects, 'Rollout')).toEqual([]);
  });

  it('smoke-tests the canary Service with a PostSync Job; smokeTest can set the paths or turn it off', () => {
    const objects = canary({ engine, exposure: GATEWAY });
    const job = one(objects, 'Job', 'trading-api-smoke-test');
    expect(job.metadata.annotations?.['argocd.argoproj.io/hook']).toBe('PostSync');
    expect(job.spec.template.spec.containers[0].command.filter((a) => a.startsWith('http'))).toEqual([
      'http://trading-api-canary.trading-test.svc:8080/health',
    ]);
    const custom = canary({
      engine: CanaryEngine.weighted({
        stableImage: V1,
        canaryImage: V2,
        canaryWeight: 10,
        smokeTest: { paths: ['/ready', '/health/db'], timeout: Duration.seconds(2) },
      }),
      exposure: GATEWAY,
    });
    const command = one(custom, 'Job', 'trading-api-smoke-test').spec.template.spec.containers[0].command;
    expect(command.filter((a) => a.startsWith('http'))).toEqual(
      ['/ready', '/health/db'].map((p) => `http://trading-api-canary.trading-test.svc:8080${p}`),
    );
    expect(command[command.indexOf('--max-time') + 1]).toBe('2');
    const off = canary({
      engine: CanaryEngine.weighted({ stableImage: V1, canaryImage: V2, canaryWeight: 10, smokeTest: { enabled: false } }),
      exposure: GATEWAY,
    });
    expect(all(off, 'Job')).toEqual([]);
    expect(all(off, 'NetworkPolicy').map((p) => p.metadata.name)).toEqual(['trading-api']);
  });

  it('routes by an NGINX canary Ingress for clusters still on ingress-nginx', async () => {
    const objects = canary({ engine, exposure: INGRESS });
    const canaryIngress = one(objects, 'Ingress', 'trading-api-canary');
    expect(canaryIngress.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '10',
    });
    expect(canaryIngress.spec.rules[0].host).toBe('api.example.com');
    expect(canaryIngress.spec.rules[0].http.paths[0].backend.service.name).toBe('trading-api-canary');
    expect(one(objects, 'Ingress', 'trading-api').metadata.annotations?.['cert-manager.io/cluster-issuer']).toBeDefined();
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });
});

describe('CanaryRollout: bad input', () => {
  const stepsError = (...steps: CanaryStep[]): string => errorOf(() => CanaryEngine.argoRollouts({ image: V2, steps })).message;

  it('rejects weights outside 0-100 and weights that do not increase', () => {
    expect(
      stepsError(CanaryStep.setWeight(10), CanaryStep.pause(Duration.minutes(1)), CanaryStep.setWeight(120), CanaryStep.pause(Duration.minutes(1))),
    ).toBe('CanaryEngine.argoRollouts: steps[2].setWeight: 120 is out of range: use a whole number from 0 to 100');
    expect(
      stepsError(CanaryStep.setWeight(50), CanaryStep.pause(Duration.minutes(1)), CanaryStep.setWeight(25), CanaryStep.pause(Duration.minutes(1))),
    ).toBe('CanaryEngine.argoRollouts: steps[2].setWeight: 25 is not above the previous weight (50): weights must increase');
  });

  it('rejects a final weight below 100 with no pause after it', () => {
    expect(stepsError(CanaryStep.setWeight(10), CanaryStep.pause(Duration.minutes(5)), CanaryStep.setWeight(50))).toBe(
      'CanaryEngine.argoRollouts: steps[2].setWeight: the last weight (50 %) has no pause or analysis after it, so traffic would jump to 100 % unobserved: add a pause after it, or end with setWeight 100',
    );
    expect(() =>
      CanaryEngine.argoRollouts({ image: V2, steps: [CanaryStep.setWeight(10), CanaryStep.pause(Duration.minutes(5)), CanaryStep.setWeight(100)] }),
    ).not.toThrow();
  });

  it('rejects malformed pause durations and steps with two actions', () => {
    expect(stepsError(CanaryStep.setWeight(10), CanaryStep.fromData({ pause: '5 minutes' }))).toBe(
      'CanaryEngine.argoRollouts: steps[1].pause: "5 minutes" is not a pause: use a duration like "30s", "5m" or "1h", or "indefinitely" to wait for a manual promotion',
    );
    expect(stepsError(CanaryStep.setWeight(10), CanaryStep.pause(Duration.millis(1500)))).toBe(
      'CanaryEngine.argoRollouts: steps[1].pause: "1500ms" is not a pause: use a duration like "30s", "5m" or "1h", or "indefinitely" to wait for a manual promotion',
    );
    expect(stepsError(CanaryStep.fromData({ setWeight: 10, pause: '1m' }))).toContain(
      'steps[0]: {"setWeight":10,"pause":"1m"} must be exactly one of setWeight, pause or analysis',
    );
  });

  it('rejects an analysis initial delay beyond 1 h or not in whole seconds, and a background inconclusive limit that is not a whole number', () => {
    expect(
      errorOf(() => CanaryEngine.argoRollouts({ image: V2, analysis: { initialDelay: Duration.hours(2), backgroundInconclusiveLimit: 1.5 } }))
        .message,
    ).toBe(
      [
        '2 configuration problems:',
        '  - CanaryEngine.argoRollouts: analysis.initialDelay: 2h is out of range: use 0s to 1h',
        '  - CanaryEngine.argoRollouts: analysis.backgroundInconclusiveLimit: 1.5 is out of range: use a whole number from 0 to 100',
      ].join('\n'),
    );
    expect(errorOf(() => CanaryEngine.argoRollouts({ image: V2, analysis: { initialDelay: Duration.millis(1500) } })).message).toBe(
      'CanaryEngine.argoRollouts: analysis.initialDelay: 1500 ms is not a whole number of seconds: use 0s to 1h',
    );
  });

  it('derives the default initial delay from the rate window and the scrape interval, and measures at once with 0', () => {
    const delays = (props: Partial<CanaryRolloutProps>, analysis = {}): string[] =>
      all(canary({ engine: CanaryEngine.argoRollouts({ image: V2, analysis }), exposure: GATEWAY, ...props }), 'AnalysisTemplate').flatMap((t) =>
        t.spec.metrics.filter((m) => m.provider.prometheus).map((m) => m.initialDelay),
      );
    expect(delays({})).toEqual(Array(4).fill('2m30s'));
    expect(delays({ monitoring: { interval: Duration.minutes(1) } })).toEqual(Array(4).fill('3m'));
    expect(delays({}, { initialDelay: Duration.seconds(0) })).toEqual(Array(4).fill(undefined));
  });

  it('rejects analysis thresholds out of range', () => {
    expect(errorOf(() => CanaryEngine.argoRollouts({ image: V2, analysis: { successRate: 0, maxLatencyP95Seconds: -1 } })).message).toBe(
      [
        '2 configuration problems:',
        '  - CanaryEngine.argoRollouts: analysis.successRate: 0 is out of range: use a share above 0 and at most 1, like 0.99 for 99 %',
        '  - CanaryEngine.argoRollouts: analysis.maxLatencyP95Seconds: -1 is out of range: use seconds above 0 and at most 60, like 1',
      ].join('\n'),
    );
  });

  it('rejects traffic routing that names no route or ingress, and weights outside 0-100', () => {
    const e = errorOf(() => canary({ engine: CanaryEngine.argoRollouts({ image: V2, trafficRouting: 'gateway-api' }), exposure: INGRESS }));
    expect((e as ConfigurationError).problems).toEqual([
      'CanaryRollout test/trading-api: trafficRouting: "gateway-api" names no HTTPRoute: it needs a Gateway exposure',
    ]);
    expect(errorOf(() => canary({ engine: CanaryEngine.argoRollouts({ image: V2, trafficRouting: 'nginx' }) })).message).toContain(
      '"nginx" names no Ingress',
    );
    expect(errorOf(() => canary({ engine: CanaryEngine.weighted({ stableImage: V1, canaryImage: V2, canaryWeight: 10 }) })).message).toContain(
      'exposure: a weighted canary splits traffic in an HTTPRoute or an NGINX canary Ingress',
    );
    expect(errorOf(() => CanaryEngine.weighted({ stableImage: V1, canaryImage: V2, canaryWeight: 101 })).message).toBe(
      'CanaryEngine.weighted: canaryWeight: 101 is out of range: use a whole number from 0 to 100',
    );
  });
});
