import { FieldPath } from '../core/field-path';
import { checkImage, checkInteger } from '../core/value-rules';
import { Problem, ProblemCollector, show, throwIfProblems } from '../core/problems';
import { checkIsDuration } from '../core/duration';
import { ApiObject, Duration } from 'cdk8s';
import { AnalysisOptions, validateAnalysisOptions } from '../rollouts/analysis';
import type { IServiceEngine } from '../api-service/api-service-props';
import type { ExposureKind } from '../api-service/exposure';
import type { ServiceObjects, ServiceWorkload } from '../api-service/service-objects';
import { SmokeTestOptions, validateSmokeTestOptions } from '../api-service/smoke-test';

/** One step of an Argo Rollouts canary, as data (what environment files hold). */
export interface CanaryStepData {
  /** Send this percentage of traffic to the canary. */
  readonly setWeight?: number;
  /** Wait this long (`30s`, `5m`, `1h`); `indefinitely` waits for a manual promotion. */
  readonly pause?: string;
  /** Run the analysis now; a failure aborts the rollout. */
  readonly analysis?: boolean;
}

/** A canary step. */
export class CanaryStep {
  /** Send `percent` of the traffic to the canary. */
  public static setWeight(percent: number): CanaryStep {
    return new CanaryStep({ setWeight: percent });
  }

  /** Wait `duration` (whole seconds) before the next step. */
  public static pause(duration: Duration): CanaryStep {
    // Argo Rollouts pauses in whole seconds, written with one unit (`90s`, not `1m30s`); anything else is left
    // for the validator to reject, as written. A JavaScript caller's string (`'30s'`) is named, not a TypeError.
    const notDuration = checkIsDuration(duration);
    if (notDuration !== undefined) throwIfProblems('CanaryStep.pause', [{ field: 'duration', message: notDuration }]);
    const ms = duration.toMilliseconds();
    const text =
      ms % 3_600_000 === 0 && ms > 0
        ? `${ms / 3_600_000}h`
        : ms % 60_000 === 0 && ms > 0
          ? `${ms / 60_000}m`
          : ms % 1000 === 0
            ? `${ms / 1000}s`
            : `${ms}ms`;
    return new CanaryStep({ pause: text });
  }

  /** Wait until promoted by hand (`kubectl argo rollouts promote`). */
  public static pauseUntilPromoted(): CanaryStep {
    return new CanaryStep({ pause: 'indefinitely' });
  }

  /** Run the analysis (success rate, p95 latency) for `count` measurements; a failure aborts and returns traffic to stable. */
  public static analysis(): CanaryStep {
    return new CanaryStep({ analysis: true });
  }

  /** A step from its data form (environment files). */
  public static fromData(data: CanaryStepData): CanaryStep {
    return new CanaryStep({ ...data });
  }

  private constructor(
    /** The step as data. */
    public readonly data: CanaryStepData,
  ) {}
}

/** The default steps: 10 % for 5 minutes with analysis, then 25 %, 50 %, and full (the background analysis guards them all). */
export const DEFAULT_CANARY_STEPS: readonly CanaryStep[] = [
  CanaryStep.setWeight(10),
  CanaryStep.pause(Duration.minutes(5)),
  CanaryStep.analysis(),
  CanaryStep.setWeight(25),
  CanaryStep.pause(Duration.minutes(5)),
  CanaryStep.setWeight(50),
  CanaryStep.pause(Duration.minutes(5)),
];

/** How the canary's share of traffic is enforced. */
export type CanaryTrafficMode = 'gateway-api' | 'nginx' | 'replicas';

/** Options of the Argo Rollouts canary engine. */
export interface ArgoCanaryOptions {
  /** Image of the Rollout; a new image starts a canary. */
  readonly image: string;
  /** Steps. @default DEFAULT_CANARY_STEPS */
  readonly steps?: CanaryStep[];
  /**
   * How traffic is split: the Gateway API plugin (an HTTPRoute), NGINX (`stableIngress`), or replica counts. @default - from the exposure: gateway →
   * 'gateway-api', ingress → 'nginx', none → 'replicas'
   */
  readonly trafficRouting?: CanaryTrafficMode;
  /**
   * Analysis thresholds. @default - success rate ≥ 99 %, p95 latency < 1 s, one-minute measurements (5 per analysis step), 1 failure and 1
   * measurement without data tolerated
   */
  readonly analysis?: AnalysisOptions;
  /**
   * Run the analysis in the background (`strategy.canary.analysis`) from the step after the first
   * `setWeight` until the rollout completes, so every step after the first is guarded, not only those
   * followed by an analysis step. @default true
   */
  readonly backgroundAnalysis?: boolean;
  /**
   * The smoke check of the release (GETs of the health paths with a timeout) before traffic moves:
   * the first steps scale the canary to one pod with no traffic (`setCanaryScale`), run a `job` metric against the canary Service, then let the
   * canary follow the weights; with `trafficRouting: 'replicas'`, which cannot hold a canary pod at zero traffic, the `job` metric runs right after
   * the first `setWeight`. @default - on, GETting the readiness path and the health path of each connected database and cache
   */
  readonly smokeTest?: SmokeTestOptions;
  /**
   * Scale the stable ReplicaSet down as traffic moves to the canary (`strategy.canary.dynamicStableScale`), instead
   * of keeping it at full size until the promotion: the release then runs about 1.5 × the replicas at its peak with
   * the default steps, not 2 ×. The price: an abort has to scale stable back up before traffic can return to it
   * (the canary shrinks as traffic shifts back). Needs traffic routing (`gateway-api` or `nginx`). @default false
   */
  readonly dynamicStableScale?: boolean;
  /** Accept an untagged or `latest` image (dev only). @default false */
  readonly allowLatestTag?: boolean;
}

/** Options of the controller-less weighted canary. */
export interface WeightedCanaryOptions {
  /** Image of the stable workload. */
  readonly stableImage: string;
  /** Image of the canary workload. */
  readonly canaryImage: string;
  /** Percentage of traffic the canary receives (0 to 100). */
  readonly canaryWeight: number;
  /** Replicas of the canary workload. @default 1 */
  readonly canaryReplicas?: number;
  /**
   * The smoke check of the release (GETs of the health paths with a timeout) before traffic moves:
   * a Job `<name>-smoke-test` against the canary Service, run as an Argo CD PostSync hook and as Flux's `smoke-test` stage (after the sync: the
   * canary already has its weight). @default - on, GETting the readiness path and the health path of each connected database and cache
   */
  readonly smokeTest?: SmokeTestOptions;
  /** Accept untagged or `latest` images (dev only). @default false */
  readonly allowLatestTag?: boolean;
}

const PAUSE = /^([1-9][0-9]*)(s|m|h)$/;

/** A pause duration as Argo Rollouts takes it. */
export function checkPauseDuration(value: unknown): string | undefined {
  return value === 'indefinitely' || (typeof value === 'string' && PAUSE.test(value))
    ? undefined
    : `${show(value)} is not a pause: use a duration like "30s", "5m" or "1h", or "indefinitely" to wait for a manual promotion`;
}

/** Problems with canary steps: each step one action, weights 0–100 and increasing, no unobserved jump to 100 %. */
export function validateCanarySteps(steps: readonly CanaryStepData[], path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  if (steps.length === 0) c.check(path.child('steps'), 'must list at least one step');
  let lastWeight = 0;
  let lastWeightIndex = -1;
  steps.forEach((step, i) => {
    const actions = (['setWeight', 'pause', 'analysis'] as const).filter((k) => step[k] !== undefined);
    if (actions.length !== 1) {
      c.check(path.child(`steps[${i}]`), `${show(step)} must be exactly one of setWeight, pause or analysis`);
      return;
    }
    if (step.setWeight !== undefined) {
      const range = checkInteger(step.setWeight, 0, 100);
      c.check(path.child(`steps[${i}].setWeight`), range);
      if (!range && step.setWeight <= lastWeight && lastWeightIndex >= 0) {
        c.check(path.child(`steps[${i}].setWeight`), `${step.setWeight} is not above the previous weight (${lastWeight}): weights must increase`);
      }
      if (!range) {
        lastWeight = step.setWeight;
        lastWeightIndex = i;
      }
    }
    if (step.pause !== undefined) c.check(path.child(`steps[${i}].pause`), checkPauseDuration(step.pause));
    if (step.analysis !== undefined && step.analysis !== true) c.check(path.child(`steps[${i}].analysis`), `${show(step.analysis)} must be true`);
  });
  const observedAfter = steps.slice(lastWeightIndex + 1).some((s) => s.pause !== undefined || s.analysis === true);
  if (lastWeightIndex >= 0 && lastWeight < 100 && !observedAfter) {
    c.check(
      path.child(`steps[${lastWeightIndex}].setWeight`),
      `the last weight (${lastWeight} %) has no pause or analysis after it, so traffic would jump to 100 % unobserved: add a pause after it, or end with setWeight 100`,
    );
  }
  return [...c.problems];
}

/** Problems with Argo canary options. */
export function validateArgoCanaryOptions(
  o: Partial<ArgoCanaryOptions>,
  path: FieldPath = FieldPath.props(),
  imagePath: FieldPath = path.child('image'),
): Problem[] {
  const c = new ProblemCollector();
  c.check(imagePath, checkImage(o.image, o.allowLatestTag ?? false));
  if (o.steps !== undefined)
    c.add(
      validateCanarySteps(
        o.steps.map((s) => s.data),
        path,
      ),
    );
  if (o.trafficRouting !== undefined && !['gateway-api', 'nginx', 'replicas'].includes(o.trafficRouting)) {
    c.check(path.child('trafficRouting'), `${show(o.trafficRouting)} is not a traffic routing: use "gateway-api", "nginx" or "replicas"`);
  }
  if (o.analysis) c.add(validateAnalysisOptions(o.analysis, path.child('analysis')));
  if (o.smokeTest) c.add(validateSmokeTestOptions(o.smokeTest, o.allowLatestTag ?? false, path.child('smokeTest')));
  if (o.dynamicStableScale !== undefined && typeof o.dynamicStableScale !== 'boolean') {
    c.check(path.child('dynamicStableScale'), `${show(o.dynamicStableScale)} must be true or false`);
  } else if (o.dynamicStableScale && o.trafficRouting === 'replicas') {
    c.check(path.child('dynamicStableScale'), DYNAMIC_STABLE_SCALE_NEEDS_ROUTING);
  }
  return [...c.problems];
}

/** Argo Rollouts rejects dynamicStableScale without traffic routing (validation.InvalidCanaryDynamicStableScale). */
const DYNAMIC_STABLE_SCALE_NEEDS_ROUTING =
  'needs traffic routing ("gateway-api" or "nginx"): with replica counts there is no stable traffic share to scale by; give the service a Gateway or Ingress exposure, or remove dynamicStableScale';

/** Problems with weighted canary options. */
export function validateWeightedCanaryOptions(o: Partial<WeightedCanaryOptions>, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  c.check(path.child('stableImage'), checkImage(o.stableImage, o.allowLatestTag ?? false));
  c.check(path.child('canaryImage'), checkImage(o.canaryImage, o.allowLatestTag ?? false));
  c.check(path.child('canaryWeight'), checkInteger(o.canaryWeight, 0, 100));
  if (o.canaryReplicas !== undefined) c.check(path.child('canaryReplicas'), checkInteger(o.canaryReplicas, 1, 100));
  if (o.smokeTest) c.add(validateSmokeTestOptions(o.smokeTest, o.allowLatestTag ?? false, path.child('smokeTest')));
  return [...c.problems];
}

/** The kinds of canary engine. */
export type CanaryEngineKind = 'argo-rollouts' | 'weighted';

/** The label that tells stable and canary pods apart (weighted engine). */
export const TRACK_LABEL = 'track';

/** The Argo Rollouts Gateway API traffic-router plugin. */
export const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

/** What an engine builds of a CanaryRollout. */
export interface CanaryParts {
  /** The stable Service. */
  readonly stableService: ApiObject;
  /** The canary Service. */
  readonly canaryService: ApiObject;
  /** The HTTPRoute or Ingress, when exposed. */
  readonly route?: ApiObject;
  /** How traffic is split (Argo Rollouts engine). */
  readonly trafficRouting?: CanaryTrafficMode;
  /** The Rollout (Argo Rollouts engine). */
  readonly rollout?: ApiObject;
  /** The AnalysisTemplate of the analysis steps (Argo Rollouts engine, when a step analyses). */
  readonly analysisTemplate?: ApiObject;
  /** The AnalysisTemplate of the background analysis (Argo Rollouts engine, unless turned off). */
  readonly backgroundAnalysisTemplate?: ApiObject;
  /** The stable and canary Deployments (weighted engine). */
  readonly deployments?: readonly ApiObject[];
  /** The NGINX canary Ingress (weighted engine with an Ingress exposure). */
  readonly canaryIngress?: ApiObject;
  /** The smoke check: a PostSync Job (weighted engine) or the AnalysisTemplate of its `job` metric (Argo Rollouts engine). */
  readonly smokeTest?: ApiObject;
  /** The workloads it runs, which the service wraps with autoscalers, disruption budgets and monitoring. */
  readonly workloads: readonly ServiceWorkload[];
  /** The longest timed pause of its steps, in seconds (Argo Rollouts engine): a Rollout paused longer alerts. @default 0 */
  readonly longestPauseSeconds?: number;
}

/**
 * What a canary engine does (internal: the public, closed `CanaryEngine` wraps one). An engine builds its
 * own objects into the service it is bound to.
 */
export interface CanaryEngineImpl extends IServiceEngine {
  /** Which engine. */
  readonly kind: CanaryEngineKind;
  /**
   * Problems of this engine with the service's exposure (a traffic routing that names no route, ...): the
   * engine's options are at `path`, the service's exposure at `exposurePath`.
   */
  exposureProblems(exposure: ExposureKind, path?: FieldPath, exposurePath?: FieldPath): Problem[];
  /**
   * The most pods the engine runs during a release when the service runs `maxReplicas`, every canary and surge
   * pod counted: what the namespace's quota must admit.
   */
  podsAtFullScale(maxReplicas: number, exposure: ExposureKind): number;
  /** Whether a release runs the smoke check's Job (one pod, counted in the quota). */
  readonly runsSmokeTest: boolean;
  /**
   * Builds the workloads, Services, routes, autoscaler, budgets and alerts through `objects`, for pods
   * selected by `selector`, with the canary Service named `canaryName`.
   * @internal
   */
  _bind(objects: ServiceObjects, selector: Readonly<Record<string, string>>, canaryName: string): CanaryParts;
}

/**
 * Problems of a canary that depend on the exposure: the traffic routing must name a route or an ingress, and
 * `dynamicStableScale` needs traffic routing (none without an exposure).
 */
export function validateCanaryRolloutProps(
  engine: CanaryEngineKind,
  trafficRouting: CanaryTrafficMode | undefined,
  exposure: ExposureKind,
  path: FieldPath = FieldPath.props(),
  exposurePath: FieldPath = FieldPath.props().child('exposure'),
  dynamicStableScale = false,
): Problem[] {
  const c = new ProblemCollector();
  if (dynamicStableScale === true && trafficRouting === undefined && exposure === 'none') {
    c.check(path.child('dynamicStableScale'), DYNAMIC_STABLE_SCALE_NEEDS_ROUTING);
  }
  if (trafficRouting === 'gateway-api' && exposure !== 'gateway') {
    c.check(path.child('trafficRouting'), `${show(trafficRouting)} names no HTTPRoute: it needs a Gateway exposure`);
  }
  if (trafficRouting === 'nginx' && exposure !== 'ingress') {
    c.check(path.child('trafficRouting'), `${show(trafficRouting)} names no Ingress: it needs an Ingress exposure`);
  }
  if (engine === 'weighted' && exposure === 'none') {
    c.check(exposurePath, 'a weighted canary splits traffic in an HTTPRoute or an NGINX canary Ingress: it needs a Gateway or Ingress exposure');
  }
  return [...c.problems];
}
