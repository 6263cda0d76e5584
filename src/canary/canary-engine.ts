import { ArgoCanaryOptions, ICanaryEngine, WeightedCanaryOptions } from './engine-options';
import { ArgoCanaryEngine } from './engines/argo-rollouts';
import { WeightedCanaryEngine } from './engines/weighted';

/**
 * How a canary runs: an Argo Rollouts `Rollout` with steps and automatic analysis, or two plain
 * workloads with a fixed traffic weight in the HTTPRoute (or an NGINX canary Ingress).
 */
export class CanaryEngine {
  /** An Argo Rollouts `Rollout` with `strategy.canary`. */
  public static argoRollouts(options: ArgoCanaryOptions): ICanaryEngine {
    return ArgoCanaryEngine.of(options);
  }

  /** Stable and canary Deployments with a fixed weight; no controller needed. */
  public static weighted(options: WeightedCanaryOptions): ICanaryEngine {
    return WeightedCanaryEngine.of(options);
  }

  private constructor() {}
}
