import { checkImage, checkInteger } from '../core/rules';
import { Problem, ProblemCollector, show, throwIfProblems } from '../core/validation';
import { AnalysisOptions, validateAnalysisOptions } from '../rollouts/analysis';

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

  /** Wait `duration` (`30s`, `5m`, `1h`) before the next step. */
  public static pause(duration: string): CanaryStep {
    return new CanaryStep({ pause: duration });
  }

  /** Wait until promoted by hand (`kubectl argo rollouts promote`). */
  public static pauseUntilPromoted(): CanaryStep {
    return new CanaryStep({ pause: 'indefinitely' });
  }

  /** Run the analysis (success rate, p95 latency); a failure aborts and returns traffic to stable. */
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

/** The default steps: 10 % for 5 minutes with analysis, then 25 %, 50 %, and full. */
export const DEFAULT_CANARY_STEPS: readonly CanaryStep[] = [
  CanaryStep.setWeight(10),
  CanaryStep.pause('5m'),
  CanaryStep.analysis(),
  CanaryStep.setWeight(25),
  CanaryStep.pause('5m'),
  CanaryStep.setWeight(50),
  CanaryStep.pause('5m'),
];

/** How the canary's share of traffic is enforced. */
export type CanaryTrafficMode = 'gateway-api' | 'nginx' | 'replicas';

/** Options of the Argo Rollouts canary engine. */
export interface ArgoCanaryOptions {
  /** Image of the Rollout; a new image starts a canary. */
  readonly image: string;
  /** Steps. @default DEFAULT_CANARY_STEPS */
  readonly steps?: CanaryStep[];
  /** How traffic is split: the Gateway API plugin (an HTTPRoute), NGINX (`stableIngress`), or replica counts. @default - from the exposure: gateway → 'gateway-api', ingress → 'nginx', none → 'replicas' */
  readonly trafficRouting?: CanaryTrafficMode;
  /** Analysis thresholds. @default - success rate ≥ 99 %, p95 latency < 1 s, 5 one-minute measurements, 1 failure tolerated */
  readonly analysis?: AnalysisOptions;
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
  /** Accept untagged or `latest` images (dev only). @default false */
  readonly allowLatestTag?: boolean;
}

/** The kinds of canary engine. */
export type CanaryEngineKind = 'argo-rollouts' | 'weighted';

/**
 * How a canary runs: an Argo Rollouts `Rollout` with steps and automatic analysis, or two plain
 * workloads with a fixed traffic weight in the HTTPRoute (or an NGINX canary Ingress).
 */
export class CanaryEngine {
  /** An Argo Rollouts `Rollout` with `strategy.canary`. */
  public static argoRollouts(options: ArgoCanaryOptions): CanaryEngine {
    throwIfProblems('CanaryEngine.argoRollouts', validateArgoCanaryOptions(options));
    return new CanaryEngine('argo-rollouts', options, undefined);
  }

  /** Stable and canary Deployments with a fixed weight; no controller needed. */
  public static weighted(options: WeightedCanaryOptions): CanaryEngine {
    throwIfProblems('CanaryEngine.weighted', validateWeightedCanaryOptions(options));
    return new CanaryEngine('weighted', undefined, options);
  }

  private constructor(
    /** Which engine. */
    public readonly kind: CanaryEngineKind,
    /** Argo Rollouts options, for that engine. */
    public readonly argoOptions: ArgoCanaryOptions | undefined,
    /** Weighted options, for that engine. */
    public readonly weightedOptions: WeightedCanaryOptions | undefined,
  ) {}

  /** The image the shared parts (migrations) run: the Rollout's, or the canary's. */
  public get primaryImage(): string {
    return this.argoOptions?.image ?? this.weightedOptions?.canaryImage ?? '';
  }
}

const PAUSE = /^([1-9][0-9]*)(s|m|h)$/;

/** A pause duration as Argo Rollouts takes it. */
export function checkPauseDuration(value: unknown): string | undefined {
  return value === 'indefinitely' || (typeof value === 'string' && PAUSE.test(value))
    ? undefined
    : `${show(value)} is not a pause: use a duration like "30s", "5m" or "1h", or "indefinitely" to wait for a manual promotion`;
}

/** Problems with canary steps: each step one action, weights 0–100 and increasing, no unobserved jump to 100 %. */
export function validateCanarySteps(steps: readonly CanaryStepData[]): Problem[] {
  const c = new ProblemCollector();
  if (steps.length === 0) c.check('steps', 'must list at least one step');
  let lastWeight = 0;
  let lastWeightIndex = -1;
  steps.forEach((step, i) => {
    const actions = (['setWeight', 'pause', 'analysis'] as const).filter((k) => step[k] !== undefined);
    if (actions.length !== 1) {
      c.check(`steps[${i}]`, `${show(step)} must be exactly one of setWeight, pause or analysis`);
      return;
    }
    if (step.setWeight !== undefined) {
      const range = checkInteger(step.setWeight, 0, 100);
      c.check(`steps[${i}].setWeight`, range);
      if (!range && step.setWeight <= lastWeight && lastWeightIndex >= 0) {
        c.check(`steps[${i}].setWeight`, `${step.setWeight} is not above the previous weight (${lastWeight}): weights must increase`);
      }
      if (!range) {
        lastWeight = step.setWeight;
        lastWeightIndex = i;
      }
    }
    if (step.pause !== undefined) c.check(`steps[${i}].pause`, checkPauseDuration(step.pause));
    if (step.analysis !== undefined && step.analysis !== true) c.check(`steps[${i}].analysis`, `${show(step.analysis)} must be true`);
  });
  const observedAfter = steps.slice(lastWeightIndex + 1).some((s) => s.pause !== undefined || s.analysis === true);
  if (lastWeightIndex >= 0 && lastWeight < 100 && !observedAfter) {
    c.check(`steps[${lastWeightIndex}].setWeight`,
      `the last weight (${lastWeight} %) has no pause or analysis after it, so traffic would jump to 100 % unobserved: add a pause after it, or end with setWeight 100`);
  }
  return [...c.problems];
}

/** Problems with Argo canary options. */
export function validateArgoCanaryOptions(o: Partial<ArgoCanaryOptions>): Problem[] {
  const c = new ProblemCollector();
  c.check('image', checkImage(o.image, o.allowLatestTag ?? false));
  if (o.steps !== undefined) c.nest('', validateCanarySteps(o.steps.map((s) => s.data)));
  if (o.trafficRouting !== undefined && !['gateway-api', 'nginx', 'replicas'].includes(o.trafficRouting)) {
    c.check('trafficRouting', `${show(o.trafficRouting)} is not a traffic routing: use "gateway-api", "nginx" or "replicas"`);
  }
  if (o.analysis) c.nest('analysis', validateAnalysisOptions(o.analysis));
  return [...c.problems];
}

/** Problems with weighted canary options. */
export function validateWeightedCanaryOptions(o: Partial<WeightedCanaryOptions>): Problem[] {
  const c = new ProblemCollector();
  c.check('stableImage', checkImage(o.stableImage, o.allowLatestTag ?? false));
  c.check('canaryImage', checkImage(o.canaryImage, o.allowLatestTag ?? false));
  c.check('canaryWeight', checkInteger(o.canaryWeight, 0, 100));
  if (o.canaryReplicas !== undefined) c.check('canaryReplicas', checkInteger(o.canaryReplicas, 1, 100));
  return [...c.problems];
}
