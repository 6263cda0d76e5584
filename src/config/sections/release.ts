/**
 * The `release` block of a service: one adapter per release kind, each judging the block with its
 * engine's own rules at the file's paths, then building the engine, and knowing how that release builds
 * and how many pods it runs at full scale.
 */
import { Construct } from 'constructs';
import { BlueGreenEngine } from '../../blue-green/blue-green-engine';
import { BlueGreenService, validateBlueGreenServiceProps } from '../../blue-green/blue-green-service';
import {
  ArgoBlueGreenOptions,
  ServiceSwitchOptions,
  validateArgoBlueGreenOptions,
  validateServiceSwitchOptions,
} from '../../blue-green/engine-options';
import { CanaryEngine } from '../../canary/canary-engine';
import {
  ArgoCanaryOptions,
  CanaryStep,
  validateArgoCanaryOptions,
  validateCanaryRolloutProps,
  validateWeightedCanaryOptions,
  WeightedCanaryOptions,
} from '../../canary/engine-options';
import { CanaryRollout } from '../../canary/canary-rollout';
import { FieldPath } from '../../core/field-path';
import { Problem, ProblemCollector } from '../../core/problems';
import { ExposureKind } from '../../api-service/exposure';
import { ApiServiceBase } from '../../api-service/api-service-base';
import { ApiServiceProps } from '../../api-service/api-service-props';
import { TradingBackend } from '../../trading-backend/trading-backend';
import { rollingPodsAtFullScale } from '../../api-service/service-demand';
import { serviceAutoscaling, TIER_DEFAULTS, tierAutoscalingDefault } from '../tiers';
import { resolveAutoscaling } from '../../api-service/scaling';
import { checked } from './checked';
import { analysisOf, seconds, smokeTestOf } from './durations';
import { environmentNotifications } from './notifications';
import type {
  ArgoBlueGreenReleaseConfig,
  ArgoCanaryReleaseConfig,
  EnvironmentConfig,
  ReleaseConfig,
  RollingReleaseConfig,
  ServiceConfig,
  ServiceSwitchReleaseConfig,
  WeightedCanaryReleaseConfig,
} from '../types';

/** The shared props of a service: everything but the image, which the release decides. */
export type BaseServiceProps = Omit<ApiServiceProps, 'image' | 'allowLatestTag'>;

/** How a service releases, once its `release` block has been checked. */
export interface ReleasePlan {
  /** Builds the service's construct in `scope`. */
  build(scope: Construct, id: string, props: BaseServiceProps): ApiServiceBase;
  /** Pods the service runs at full scale with `maxReplicas` per workload, every colour, canary and surge pod counted (the engine's count). */
  podsAtFullScale(maxReplicas: number): number;
  /** Whether a release runs the smoke check's Job. */
  readonly runsSmokeTest: boolean;
  /** Whether a controller moves the HTTPRoute weights during a release (GitOps must leave them alone). */
  readonly controllerMovesRouteWeights: boolean;
  /** Whether it releases on an Argo Rollouts Rollout subscribed to the environment's notifications, which announces its completion. */
  readonly onRollout: boolean;
}

/** Where an adapter reads from: the service, its path, and its `release` block (of the adapter's kind) at `at`. */
interface ReleaseInput<R> {
  readonly env: EnvironmentConfig;
  readonly svc: ServiceConfig;
  readonly release: R;
  /** `services.<name>`. */
  readonly path: FieldPath;
  /** `services.<name>.release`. */
  readonly at: FieldPath;
}

/** One release kind: the shape of its block is the schema's (one branch of `release`), so it only builds. */
interface ReleaseAdapter<R> {
  /** Whether the service's own `image` is the image (otherwise `release` names the images). */
  readonly usesServiceImage: boolean;
  /** The plan, or `undefined` with the problems recorded in `c`. */
  adapt(input: ReleaseInput<R>, c: ProblemCollector): ReleasePlan | undefined;
}

const exposureOf = (svc: ServiceConfig): ExposureKind => (svc.exposure?.gateway ? 'gateway' : svc.exposure?.ingress ? 'ingress' : 'none');
const hostsOf = (svc: ServiceConfig): string[] => svc.exposure?.gateway?.hosts ?? svc.exposure?.ingress?.hosts ?? [];
const allowLatestTag = (env: EnvironmentConfig): boolean => TIER_DEFAULTS[env.tier].allowLatestTag;

/** The release kinds: `rolling` and each strategy/engine pair, with the block each reads. */
interface ReleaseKinds {
  rolling: RollingReleaseConfig;
  'blue-green/service-switch': ServiceSwitchReleaseConfig;
  'blue-green/argo-rollouts': ArgoBlueGreenReleaseConfig;
  'canary/argo-rollouts': ArgoCanaryReleaseConfig;
  'canary/weighted': WeightedCanaryReleaseConfig;
}

const ADAPTERS: { readonly [K in keyof ReleaseKinds]: ReleaseAdapter<ReleaseKinds[K]> } = {
  rolling: {
    usesServiceImage: true,
    adapt: ({ env, svc }) => ({
      build: (scope, id, props) => new TradingBackend(scope, id, { ...props, image: svc.image ?? '', allowLatestTag: allowLatestTag(env) }),
      podsAtFullScale: rollingPodsAtFullScale,
      runsSmokeTest: false,
      controllerMovesRouteWeights: false,
      onRollout: false,
    }),
  },
  'blue-green/service-switch': {
    usesServiceImage: false,
    adapt: ({ env, svc, release: r, at }, c) => {
      c.add(validateBlueGreenServiceProps(r.previewHost, exposureOf(svc), hostsOf(svc), at));
      const options: ServiceSwitchOptions = {
        activeColor: r.activeColor,
        blueImage: r.blueImage,
        greenImage: r.greenImage,
        releaseColor: r.releaseColor,
        scaleDownIdle: r.scaleDownIdle,
        releaseMinReplicas: r.releaseMinReplicas,
        allowLatestTag: allowLatestTag(env),
        smokeTest: smokeTestOf(r.smokeTest),
        blueConfig: r.blueConfig,
        greenConfig: r.greenConfig,
      };
      const engine = checked(c, validateServiceSwitchOptions(options, at), () => BlueGreenEngine.serviceSwitch(options));
      const autoscaling = serviceAutoscaling(env.tier, svc);
      const defaulted = (['minReplicas', 'maxReplicas'] as const).filter((f) => tierAutoscalingDefault(env.tier, svc, f) !== undefined);
      const defaults =
        defaulted.length === 0
          ? undefined
          : `${defaulted.join(' and ')} ${defaulted.length > 1 ? 'are' : 'is'} the ${env.tier} tier's default${defaulted.length > 1 ? 's' : ''}, not set in autoscaling`;
      if (engine) c.add(engine.scalingProblems(autoscaling && { ...resolveAutoscaling(autoscaling), defaults }, at));
      return (
        engine && {
          build: (scope, id, props) => new BlueGreenService(scope, id, { ...props, previewHost: r.previewHost, engine }),
          podsAtFullScale: (max) => engine.podsAtFullScale(max),
          runsSmokeTest: engine.runsSmokeTest,
          controllerMovesRouteWeights: false,
          onRollout: false,
        }
      );
    },
  },
  'blue-green/argo-rollouts': {
    usesServiceImage: true,
    adapt: ({ env, svc, release: r, path, at }, c) => {
      c.add(validateBlueGreenServiceProps(r.previewHost, exposureOf(svc), hostsOf(svc), at));
      const options: ArgoBlueGreenOptions = {
        image: svc.image ?? '',
        allowLatestTag: allowLatestTag(env),
        analysis: analysisOf(c, at.child('analysis'), r.analysis),
        scaleDownDelay: seconds(r.scaleDownDelaySeconds),
        autoPromotion: r.autoPromotion ?? TIER_DEFAULTS[env.tier].autoPromotion,
        smokeTest: smokeTestOf(r.smokeTest),
      };
      const engine = checked(c, validateArgoBlueGreenOptions(options, at, path.child('image')), () => BlueGreenEngine.argoRollouts(options));
      return (
        engine && {
          build: (scope, id, props) =>
            new BlueGreenService(scope, id, { ...props, previewHost: r.previewHost, engine, notifications: environmentNotifications(env) }),
          podsAtFullScale: (max) => engine.podsAtFullScale(max),
          runsSmokeTest: engine.runsSmokeTest,
          controllerMovesRouteWeights: false,
          onRollout: true,
        }
      );
    },
  },
  'canary/argo-rollouts': {
    usesServiceImage: true,
    adapt: ({ env, svc, release: r, path, at }, c) => {
      const options: ArgoCanaryOptions = {
        image: svc.image ?? '',
        allowLatestTag: allowLatestTag(env),
        analysis: analysisOf(c, at.child('analysis'), r.analysis),
        trafficRouting: r.trafficRouting,
        steps: r.steps?.map((step) => CanaryStep.fromData(step)),
        backgroundAnalysis: r.backgroundAnalysis,
        smokeTest: smokeTestOf(r.smokeTest),
        dynamicStableScale: r.dynamicStableScale,
      };
      const exposure = exposureOf(svc);
      const problems = validateArgoCanaryOptions(options, at, path.child('image'));
      c.add(problems);
      c.add(validateCanaryRolloutProps('argo-rollouts', r.trafficRouting, exposure, at, undefined, r.dynamicStableScale));
      if (problems.length > 0) return undefined;
      const engine = CanaryEngine.argoRollouts(options);
      const viaGateway = (r.trafficRouting ?? 'gateway-api') === 'gateway-api' && svc.exposure?.gateway !== undefined;
      return {
        build: (scope, id, props) => new CanaryRollout(scope, id, { ...props, engine, notifications: environmentNotifications(env) }),
        podsAtFullScale: (max) => engine.podsAtFullScale(max, exposure),
        runsSmokeTest: engine.runsSmokeTest,
        controllerMovesRouteWeights: viaGateway,
        onRollout: true,
      };
    },
  },
  'canary/weighted': {
    usesServiceImage: false,
    adapt: ({ env, svc, release: r, at }, c) => {
      const options: WeightedCanaryOptions = {
        stableImage: r.stableImage,
        canaryImage: r.canaryImage,
        canaryWeight: r.canaryWeight,
        canaryReplicas: r.canaryReplicas,
        allowLatestTag: allowLatestTag(env),
        smokeTest: smokeTestOf(r.smokeTest),
      };
      // A weighted canary splits traffic in a route or an Ingress: the engine chosen needs an exposure.
      const exposure = exposureOf(svc);
      const problems = validateWeightedCanaryOptions(options, at);
      c.add(problems);
      c.add(validateCanaryRolloutProps('weighted', undefined, exposure, at, at.child('engine')));
      if (problems.length > 0) return undefined;
      const engine = CanaryEngine.weighted(options);
      return {
        build: (scope, id, props) => new CanaryRollout(scope, id, { ...props, engine }),
        podsAtFullScale: (max) => engine.podsAtFullScale(max, exposure),
        runsSmokeTest: engine.runsSmokeTest,
        controllerMovesRouteWeights: false,
        onRollout: false,
      };
    },
  },
};

/** The release kinds: `rolling` and each strategy/engine pair. */
export type ReleaseKind = keyof ReleaseKinds;

/** The release kind of a block the schema has admitted (each strategy's engine defaulted). */
export function releaseKind(release: ReleaseConfig | undefined): ReleaseKind {
  if (!release || release.strategy === 'rolling') return 'rolling';
  if (release.strategy === 'blue-green') return release.engine === 'argo-rollouts' ? 'blue-green/argo-rollouts' : 'blue-green/service-switch';
  return release.engine === 'weighted' ? 'canary/weighted' : 'canary/argo-rollouts';
}

/** Runs the adapter of `kind` over a block of that kind. */
function adaptAs<K extends ReleaseKind>(kind: K, input: ReleaseInput<ReleaseKinds[K]>, c: ProblemCollector): ReleasePlan | undefined {
  const adapter: ReleaseAdapter<ReleaseKinds[K]> = ADAPTERS[kind];
  return adapter.adapt(input, c);
}

/**
 * The release of the service at `path`: its plan, or problems at their paths in the file (the image in the
 * wrong place, what the engine rejects; the block's shape is the schema's to judge). `usesServiceImage`
 * says whether the service's own `image` is what runs.
 */
export function releaseSection(
  env: EnvironmentConfig,
  svc: ServiceConfig,
  path: FieldPath,
): { plan?: ReleasePlan; usesServiceImage: boolean; problems: readonly Problem[] } {
  const c = new ProblemCollector();
  const at = path.child('release');
  const release: ReleaseConfig = svc.release ?? { strategy: 'rolling' };
  const kind = releaseKind(release);
  const usesServiceImage = ADAPTERS[kind].usesServiceImage;
  if (!usesServiceImage && svc.image !== undefined) {
    c.check(path.child('image'), `is not used with release ${kind}, which names its images in release`);
  }
  if (usesServiceImage && svc.image === undefined) c.check(path.child('image'), 'is required');
  if (c.problems.length > 0) return { usesServiceImage, problems: c.problems };
  // The schema has admitted the block as one of its branches, the one `kind` names.
  const plan = adaptAs(kind, { env, svc, release: release as ReleaseKinds[typeof kind], path, at }, c);
  return { plan: c.problems.length === 0 ? plan : undefined, usesServiceImage, problems: c.problems };
}
