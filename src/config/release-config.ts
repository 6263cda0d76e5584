/** The `release` block of a service: which engine, its fields, and their checks. */
import { ServiceSwitchOptions, validateArgoBlueGreenOptions, validateServiceSwitchOptions } from '../blue-green/blue-green-engine';
import { validateBlueGreenServiceProps } from '../blue-green/blue-green-service';
import { CanaryStep, validateArgoCanaryOptions, validateWeightedCanaryOptions, WeightedCanaryOptions } from '../canary/canary-engine';
import { validateCanaryRolloutProps } from '../canary/canary-rollout';
import { Problem, ProblemCollector, show } from '../core/validation';
import { ExposureKind } from '../trading-backend/exposure';
import { TIER_DEFAULTS } from './tiers';
import type { EnvironmentConfig, ReleaseConfig, ServiceConfig } from './types';


/** The release engines, one per strategy/engine pair. */
export type ReleaseKind = 'rolling' | 'blue-green/service-switch' | 'blue-green/argo-rollouts' | 'canary/argo-rollouts' | 'canary/weighted';

/** Fields each release kind takes (besides strategy and engine). */
const RELEASE_FIELDS: Record<ReleaseKind, ReadonlyArray<keyof ReleaseConfig>> = {
  'rolling': [],
  'blue-green/service-switch': ['activeColor', 'blueImage', 'greenImage', 'releaseColor', 'scaleDownIdle', 'previewHost'],
  'blue-green/argo-rollouts': ['autoPromotion', 'scaleDownDelaySeconds', 'analysis', 'previewHost'],
  'canary/argo-rollouts': ['steps', 'trafficRouting', 'analysis'],
  'canary/weighted': ['stableImage', 'canaryImage', 'canaryWeight', 'canaryReplicas'],
};

/** The release kind of a service (engines defaulted per strategy); `undefined` for an impossible pair. */
export function releaseKind(release: ReleaseConfig | undefined): ReleaseKind | undefined {
  if (!release || release.strategy === 'rolling') return release?.engine === undefined ? 'rolling' : undefined;
  const engine = release.engine ?? (release.strategy === 'blue-green' ? 'service-switch' : 'argo-rollouts');
  const kind = `${release.strategy}/${engine}`;
  return kind in RELEASE_FIELDS ? (kind as ReleaseKind) : undefined;
}

/** Whether the service's `image` is used (the other kinds name their images in `release`). */
export function usesServiceImage(kind: ReleaseKind | undefined): boolean {
  return kind !== 'blue-green/service-switch' && kind !== 'canary/weighted';
}


export function releaseProblems(env: EnvironmentConfig, svc: ServiceConfig, kind: ReleaseKind | undefined): Problem[] {
  const c = new ProblemCollector();
  const r = svc.release as ReleaseConfig;
  if (kind === undefined) {
    c.check('engine', `${show(r.engine)} is not an engine of strategy ${show(r.strategy)}: use ${r.strategy === 'blue-green' ? '"service-switch" or "argo-rollouts"' : r.strategy === 'canary' ? '"argo-rollouts" or "weighted"' : 'none (rolling has no engine)'}`);
    return [...c.problems];
  }
  const allowed = RELEASE_FIELDS[kind];
  for (const field of Object.keys(r) as Array<keyof ReleaseConfig>) {
    if (field !== 'strategy' && field !== 'engine' && !allowed.includes(field)) {
      c.check(field, `does not apply to ${kind}${allowed.length ? `; it takes ${allowed.join(', ')}` : ''}`);
    }
  }
  const allowLatestTag = TIER_DEFAULTS[env.tier].allowLatestTag;
  const exposure: ExposureKind = svc.exposure?.gateway ? 'gateway' : svc.exposure?.ingress ? 'ingress' : 'none';
  const hosts = svc.exposure?.gateway?.hosts ?? svc.exposure?.ingress?.hosts ?? [];
  // The Argo engines' image is the service's `image`.
  const imageAtServiceLevel = (problems: Problem[]): Problem[] => problems.filter((p) => p.field !== 'image');
  switch (kind) {
    case 'blue-green/service-switch':
      for (const f of ['activeColor', 'blueImage', 'greenImage'] as const) if (r[f] === undefined) c.check(f, 'is required');
      if (c.problems.length === 0) {
        c.nest('', validateServiceSwitchOptions({ ...r as ServiceSwitchOptions, allowLatestTag }));
      }
      c.nest('', validateBlueGreenServiceProps(r.previewHost, exposure, hosts));
      break;
    case 'blue-green/argo-rollouts':
      c.nest('', imageAtServiceLevel(validateArgoBlueGreenOptions({ ...r, image: svc.image, allowLatestTag })));
      c.nest('', validateBlueGreenServiceProps(r.previewHost, exposure, hosts));
      break;
    case 'canary/argo-rollouts':
      c.nest('', imageAtServiceLevel(validateArgoCanaryOptions({
        image: svc.image, allowLatestTag, trafficRouting: r.trafficRouting, analysis: r.analysis,
        steps: r.steps?.map((step) => CanaryStep.fromData(step)),
      })));
      c.nest('', validateCanaryRolloutProps('argo-rollouts', r.trafficRouting, exposure));
      break;
    case 'canary/weighted':
      for (const f of ['stableImage', 'canaryImage', 'canaryWeight'] as const) if (r[f] === undefined) c.check(f, 'is required');
      if (c.problems.length === 0) c.nest('', validateWeightedCanaryOptions({ ...r as WeightedCanaryOptions, allowLatestTag }));
      c.nest('', validateCanaryRolloutProps('weighted', undefined, exposure).map((p) => ({ ...p, field: p.field === 'exposure' ? 'engine' : p.field })));
      break;
    default:
      break;
  }
  return [...c.problems];
}

