/**
 * The `release` block of a service: one adapter per release kind, each turning the block into the
 * engine it stands for (the engine factories check their arguments) and knowing how that release
 * builds, how many pods it runs at full scale, and where its fields are in the file.
 */
import { Construct } from 'constructs';
import { BlueGreenEngine } from '../../blue-green/blue-green-engine';
import { BlueGreenService, validateBlueGreenServiceProps } from '../../blue-green/blue-green-service';
import { CanaryEngine } from '../../canary/canary-engine';
import { CanaryStep, validateCanaryRolloutProps } from '../../canary/engine';
import { CanaryRollout } from '../../canary/canary-rollout';
import { Problem, ProblemCollector, show } from '../../core/validation';
import { ExposureKind } from '../../trading-backend/exposure';
import { ApiServiceBase } from '../../trading-backend/api-service-base';
import { ApiServiceProps } from '../../trading-backend/api-service-props';
import { TradingBackend } from '../../trading-backend/trading-backend';
import { TIER_DEFAULTS } from '../tiers';
import { analysisOf, seconds, secondsField, smokeTestOf } from './durations';
import { environmentNotifications } from './notifications';
import type { EnvironmentConfig, ReleaseConfig, ServiceConfig } from '../types';

/** The shared props of a service: everything but the image, which the release decides. */
export type BaseServiceProps = Omit<ApiServiceProps, 'image' | 'allowLatestTag'>;

/** How a service releases, once its `release` block has been checked. */
export interface ReleasePlan {
  /** Builds the service's construct in `scope`. */
  build(scope: Construct, id: string, props: BaseServiceProps): ApiServiceBase;
  /** Pods the service runs at full scale with `maxReplicas` per workload, every colour, canary and surge pod counted. */
  podsAtFullScale(maxReplicas: number): number;
  /** Whether a controller moves the HTTPRoute weights during a release (GitOps must leave them alone). */
  readonly controllerMovesRouteWeights: boolean;
  /** The field of the file (relative to the service) that a construct's prop field stands for. */
  fieldOf(propField: string): string;
}

interface ReleaseAdapter {
  /** Fields of `release` this kind takes (besides strategy and engine). */
  readonly fields: ReadonlyArray<keyof ReleaseConfig>;
  /** Whether the service's own `image` is the image (otherwise `release` names the images). */
  readonly usesServiceImage: boolean;
  /** The plan, or problems with fields relative to the service. */
  adapt(env: EnvironmentConfig, svc: ServiceConfig, c: ProblemCollector): ReleasePlan | undefined;
}

const inRelease = (field: string): string => (field ? `release.${field}` : 'release');
/** Argo engines take the service's own image; their other fields are in `release`. */
const argoField = (field: string): string => (field === 'image' ? 'image' : inRelease(secondsField(field)));
const exposureOf = (svc: ServiceConfig): ExposureKind => (svc.exposure?.gateway ? 'gateway' : svc.exposure?.ingress ? 'ingress' : 'none');
const hostsOf = (svc: ServiceConfig): string[] => svc.exposure?.gateway?.hosts ?? svc.exposure?.ingress?.hosts ?? [];
const blueGreenPods = (max: number): number => 2 * (max + 1);

const ADAPTERS = {
  'rolling': {
    fields: [],
    usesServiceImage: true,
    adapt: (env, svc) => ({
      build: (scope, id, props) => new TradingBackend(scope, id, { ...props, image: svc.image ?? '', allowLatestTag: TIER_DEFAULTS[env.tier].allowLatestTag }),
      podsAtFullScale: (max) => max + 1,
      controllerMovesRouteWeights: false,
      fieldOf: (f) => f,
    }),
  },
  'blue-green/service-switch': {
    fields: ['activeColor', 'blueImage', 'greenImage', 'releaseColor', 'scaleDownIdle', 'previewHost', 'smokeTest', 'blueConfig', 'greenConfig'],
    usesServiceImage: false,
    adapt: (env, svc, c) => {
      const r = svc.release as ReleaseConfig;
      for (const f of ['activeColor', 'blueImage', 'greenImage'] as const) if (r[f] === undefined) c.check(inRelease(f), 'is required');
      if (c.problems.length > 0) return undefined;
      c.nest('release', validateBlueGreenServiceProps(r.previewHost, exposureOf(svc), hostsOf(svc)));
      const engine = c.attempt((f) => inRelease(secondsField(f)), () => BlueGreenEngine.serviceSwitch({
        activeColor: r.activeColor ?? 'blue', blueImage: r.blueImage ?? '', greenImage: r.greenImage ?? '',
        releaseColor: r.releaseColor, scaleDownIdle: r.scaleDownIdle, allowLatestTag: TIER_DEFAULTS[env.tier].allowLatestTag,
        smokeTest: smokeTestOf(r.smokeTest),
        blueConfig: r.blueConfig, greenConfig: r.greenConfig,
      }));
      return engine && {
        build: (scope, id, props) => new BlueGreenService(scope, id, { ...props, previewHost: r.previewHost, engine }),
        podsAtFullScale: blueGreenPods,
        controllerMovesRouteWeights: false,
        fieldOf: (f) => (f === 'previewHost' ? inRelease(f) : f),
      };
    },
  },
  'blue-green/argo-rollouts': {
    fields: ['autoPromotion', 'scaleDownDelaySeconds', 'analysis', 'previewHost', 'smokeTest'],
    usesServiceImage: true,
    adapt: (env, svc, c) => {
      const r = svc.release as ReleaseConfig;
      c.nest('release', validateBlueGreenServiceProps(r.previewHost, exposureOf(svc), hostsOf(svc)));
      const analysis = analysisOf(c, 'release.analysis', r.analysis);
      const engine = c.attempt(argoField, () => BlueGreenEngine.argoRollouts({
        image: svc.image ?? '', allowLatestTag: TIER_DEFAULTS[env.tier].allowLatestTag, analysis,
        scaleDownDelay: seconds(r.scaleDownDelaySeconds),
        // Production promotes by hand after the preview checks; lower tiers promote on a passing analysis.
        autoPromotion: r.autoPromotion ?? env.tier !== 'prod',
        smokeTest: smokeTestOf(r.smokeTest),
      }));
      return engine && {
        build: (scope, id, props) => new BlueGreenService(scope, id, { ...props, previewHost: r.previewHost, engine, notifications: environmentNotifications(env) }),
        podsAtFullScale: blueGreenPods,
        controllerMovesRouteWeights: false,
        fieldOf: (f) => (f === 'previewHost' ? inRelease(f) : f),
      };
    },
  },
  'canary/argo-rollouts': {
    fields: ['steps', 'trafficRouting', 'analysis', 'backgroundAnalysis', 'smokeTest'],
    usesServiceImage: true,
    adapt: (env, svc, c) => {
      const r = svc.release as ReleaseConfig;
      const steps = r.steps && c.attempt('release', () => r.steps?.map((step) => CanaryStep.fromData(step)));
      if (r.steps && !steps) return undefined;
      const analysis = analysisOf(c, 'release.analysis', r.analysis);
      const engine = c.attempt(argoField, () => CanaryEngine.argoRollouts({
        image: svc.image ?? '', allowLatestTag: TIER_DEFAULTS[env.tier].allowLatestTag, analysis,
        trafficRouting: r.trafficRouting, steps, backgroundAnalysis: r.backgroundAnalysis, smokeTest: smokeTestOf(r.smokeTest),
      }));
      c.nest('release', validateCanaryRolloutProps('argo-rollouts', r.trafficRouting, exposureOf(svc)));
      const viaGateway = (r.trafficRouting ?? 'gateway-api') === 'gateway-api' && svc.exposure?.gateway !== undefined;
      return engine && {
        build: (scope, id, props) => new CanaryRollout(scope, id, { ...props, engine, notifications: environmentNotifications(env) }),
        podsAtFullScale: (max) => engine.podsAtFullScale(max, exposureOf(svc)),
        controllerMovesRouteWeights: viaGateway,
        fieldOf: (f) => (f === 'trafficRouting' || f === 'backgroundAnalysis' ? inRelease(f) : f),
      };
    },
  },
  'canary/weighted': {
    fields: ['stableImage', 'canaryImage', 'canaryWeight', 'canaryReplicas', 'smokeTest'],
    usesServiceImage: false,
    adapt: (env, svc, c) => {
      const r = svc.release as ReleaseConfig;
      for (const f of ['stableImage', 'canaryImage', 'canaryWeight'] as const) if (r[f] === undefined) c.check(inRelease(f), 'is required');
      if (c.problems.length > 0) return undefined;
      // A weighted canary splits traffic in a route or an Ingress: without an exposure, its engine cannot work.
      c.nest('', validateCanaryRolloutProps('weighted', undefined, exposureOf(svc)).map((p) => ({ ...p, field: p.field === 'exposure' ? 'release.engine' : inRelease(p.field) })));
      const engine = c.attempt((f) => inRelease(secondsField(f)), () => CanaryEngine.weighted({
        stableImage: r.stableImage ?? '', canaryImage: r.canaryImage ?? '', canaryWeight: r.canaryWeight ?? 0,
        canaryReplicas: r.canaryReplicas, allowLatestTag: TIER_DEFAULTS[env.tier].allowLatestTag, smokeTest: smokeTestOf(r.smokeTest),
      }));
      return engine && {
        build: (scope, id, props) => new CanaryRollout(scope, id, { ...props, engine }),
        podsAtFullScale: (max) => engine.podsAtFullScale(max, exposureOf(svc)),
        controllerMovesRouteWeights: false,
        // A weighted canary needs a route or an Ingress to split traffic in: its engine asks for the exposure.
        fieldOf: (f) => (f === 'exposure' ? 'release.engine' : f),
      };
    },
  },
} satisfies Record<string, ReleaseAdapter>;

/** The release kinds: `rolling` and each strategy/engine pair. */
export type ReleaseKind = keyof typeof ADAPTERS;

/** The release kind of a service (engines defaulted per strategy); `undefined` for an impossible pair. */
export function releaseKind(release: ReleaseConfig | undefined): ReleaseKind | undefined {
  if (!release || release.strategy === 'rolling') return release?.engine === undefined ? 'rolling' : undefined;
  const engine = release.engine ?? (release.strategy === 'blue-green' ? 'service-switch' : 'argo-rollouts');
  const kind = `${release.strategy}/${engine}`;
  return kind in ADAPTERS ? (kind as ReleaseKind) : undefined;
}

/**
 * The release of a service: its plan, or problems (fields relative to the service) — an impossible
 * strategy/engine pair, fields of another kind, the image in the wrong place, what the engine rejects.
 */
export function releaseSection(env: EnvironmentConfig, svc: ServiceConfig): { plan?: ReleasePlan; problems: readonly Problem[] } {
  const c = new ProblemCollector();
  const r: ReleaseConfig = svc.release ?? { strategy: 'rolling' };
  const kind = releaseKind(r);
  if (kind === undefined) {
    c.check('release.engine', `${show(r.engine)} is not an engine of strategy ${show(r.strategy)}: use ${r.strategy === 'blue-green' ? '"service-switch" or "argo-rollouts"' : r.strategy === 'canary' ? '"argo-rollouts" or "weighted"' : 'none (rolling has no engine)'}`);
    return { problems: c.problems };
  }
  const adapter: ReleaseAdapter = ADAPTERS[kind];
  for (const field of Object.keys(r) as Array<keyof ReleaseConfig>) {
    if (field !== 'strategy' && field !== 'engine' && !adapter.fields.includes(field)) {
      c.check(inRelease(field), `does not apply to ${kind}${adapter.fields.length ? `; it takes ${adapter.fields.join(', ')}` : ''}`);
    }
  }
  if (!adapter.usesServiceImage && svc.image !== undefined) {
    c.check('image', `is not used with release ${show(r.strategy)}/${show(kind.split('/')[1])}, which names its images in release`);
  }
  if (adapter.usesServiceImage && svc.image === undefined) c.check('image', 'is required');
  if (c.problems.length > 0) return { problems: c.problems };
  const plan = adapter.adapt(env, svc, c);
  return { plan: c.problems.length === 0 ? plan : undefined, problems: c.problems };
}
