/**
 * `dynamicStableScale` of the Argo Rollouts canary (issue 21): emitted only with traffic routing, and counted as
 * what Argo Rollouts really runs at the peak of a release.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Exposure } from '../src/api-service/exposure';
import { Scaling } from '../src/api-service/scaling';
import { CanaryEngine } from '../src/canary/canary-engine';
import { CanaryRollout } from '../src/canary/canary-rollout';
import { ArgoCanaryOptions, CanaryStep } from '../src/canary/engine-options';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { renderEnvironment } from '../src/synth/project';
import { Duration } from 'cdk8s';
import { errorOf, one, render } from './support/render';
import { at, parseMap } from './support/yaml';

const GATEWAY = Exposure.gateway({ gatewayName: 'public', gatewayNamespace: 'gateway-system', hosts: ['api.example.com'] });
const IMAGE = 'ghcr.io/acme/trading-api:1.5.0';
const engine = (o: Partial<ArgoCanaryOptions> = {}) => CanaryEngine.argoRollouts({ image: IMAGE, ...o });

describe('dynamicStableScale in TypeScript', () => {
  it('is emitted on strategy.canary with traffic routing, and absent by default', () => {
    const strategy = (o: Partial<ArgoCanaryOptions>) =>
      one(
        render((s) => new CanaryRollout(s, 'api', { engine: engine(o), exposure: GATEWAY, scaling: Scaling.autoscale() })),
        'Rollout',
      ).spec.strategy.canary;
    expect(strategy({ dynamicStableScale: true }).dynamicStableScale).toBe(true);
    // Argo Rollouts rejects scaleDownDelaySeconds beside it; none is emitted.
    expect(strategy({ dynamicStableScale: true }).scaleDownDelaySeconds).toBeUndefined();
    expect(strategy({}).dynamicStableScale).toBeUndefined();
  });

  it('counts what Argo Rollouts runs at the peak: the next weight on the canary while stable still holds the previous share', () => {
    // Default steps 10, 25, 50, then 100 at the promotion; R = 20: 2+20, 5+18, 10+15, 20+10.
    expect(engine({ dynamicStableScale: true }).podsAtFullScale(20, 'gateway')).toBe(30);
    // R = 3: ⌈0.3⌉+3, ⌈0.75⌉+⌈2.7⌉, ⌈1.5⌉+⌈2.25⌉, 3+⌈1.5⌉.
    expect(engine({ dynamicStableScale: true }).podsAtFullScale(3, 'gateway')).toBe(5);
    // One jump to 50 % then the promotion: 10+20 and 20+10.
    const steps = [CanaryStep.setWeight(50), CanaryStep.pause(Duration.minutes(5))];
    expect(engine({ dynamicStableScale: true, steps }).podsAtFullScale(20, 'ingress')).toBe(30);
    // A jump from 0 to 100 runs both sets at full size, as without dynamicStableScale.
    const jump = [CanaryStep.setWeight(0), CanaryStep.pause(Duration.minutes(5)), CanaryStep.setWeight(100)];
    expect(engine({ dynamicStableScale: true, steps: jump }).podsAtFullScale(4, 'gateway')).toBe(8);
    // Without it, stable stays at full size while the canary grows to full size; without routing, maxSurge 25 %.
    expect(engine().podsAtFullScale(20, 'gateway')).toBe(40);
    expect(engine().podsAtFullScale(20, 'none')).toBe(25);
  });

  it('is an error without traffic routing, at the field', () => {
    expect(errorOf(() => engine({ dynamicStableScale: true, trafficRouting: 'replicas' })).message).toBe(
      'CanaryEngine.argoRollouts: dynamicStableScale: needs traffic routing ("gateway-api" or "nginx"): with replica counts there is no stable traffic share to scale by; give the service a Gateway or Ingress exposure, or remove dynamicStableScale',
    );
    expect(errorOf(() => render((s) => new CanaryRollout(s, 'api', { engine: engine({ dynamicStableScale: true }) }))).message).toBe(
      'CanaryRollout test/api: dynamicStableScale: needs traffic routing ("gateway-api" or "nginx"): with replica counts there is no stable traffic share to scale by; give the service a Gateway or Ingress exposure, or remove dynamicStableScale',
    );
  });
});

describe('dynamicStableScale in an environment file', () => {
  const FILE = 'environments/staging.yaml';
  const staging = readFileSync(join(__dirname, '..', 'environments', 'staging.yaml'), 'utf8');
  const withDss = (edit: (svc: Record<string, unknown>) => void = () => undefined): string => {
    const doc = parseMap(staging);
    at(doc, 'services', 'trading-api', 'release').dynamicStableScale = true;
    edit(at(doc, 'services', 'trading-api') as Record<string, unknown>);
    return JSON.stringify(doc);
  };

  it('is emitted on the Rollout', () => {
    const environment = parseEnvironment('staging', FILE, withDss()).environment;
    if (!environment) throw new Error('invalid file');
    const rollout = renderEnvironment(environment)
      .files.map((f) => parse(f.content) as { kind: string; spec: { strategy: { canary: { dynamicStableScale?: boolean } } } })
      .find((o) => o?.kind === 'Rollout');
    expect(rollout?.spec.strategy.canary.dynamicStableScale).toBe(true);
  });

  it('is an error without traffic routing, at the field', () => {
    const expected = `${FILE}: services.trading-api.release.dynamicStableScale: needs traffic routing ("gateway-api" or "nginx"): with replica counts there is no stable traffic share to scale by; give the service a Gateway or Ingress exposure, or remove dynamicStableScale`;
    expect(
      environmentProblems(
        'staging',
        FILE,
        withDss((svc) => delete svc.exposure),
      ),
    ).toEqual([expected]);
    expect(
      environmentProblems(
        'staging',
        FILE,
        withDss((svc) => void ((svc.release as Record<string, unknown>).trafficRouting = 'replicas')),
      ),
    ).toEqual([expected]);
  });
});
