import type { WorkloadConfig } from '../api-service/api-service-props';
import type { ExposureKind } from '../api-service/exposure';
import type { ServiceObjects } from '../api-service/service-objects';
import type { FieldPath } from '../core/field-path';
import type { Problem } from '../core/problems';
import { ArgoCanaryOptions, CanaryEngineImpl, CanaryEngineKind, CanaryParts, WeightedCanaryOptions } from './engine-options';
import { ArgoCanaryEngine } from './engines/argo-rollouts';
import { WeightedCanaryEngine } from './engines/weighted';

/**
 * How a canary runs: an Argo Rollouts `Rollout` with steps and automatic analysis, or two plain
 * workloads with a fixed traffic weight in the HTTPRoute (or an NGINX canary Ingress).
 *
 * Closed: made only by its static factories. An engine renders itself into the service it is bound to
 * through members that are internal to this package, so one written outside it could not work; the
 * private constructor (and private member) make such an engine a type error instead of a run-time one.
 */
export class CanaryEngine {
  /** An Argo Rollouts `Rollout` with `strategy.canary`. */
  public static argoRollouts(options: ArgoCanaryOptions): CanaryEngine {
    return new CanaryEngine(ArgoCanaryEngine.of(options));
  }

  /** Stable and canary Deployments with a fixed weight; no controller needed. */
  public static weighted(options: WeightedCanaryOptions): CanaryEngine {
    return new CanaryEngine(WeightedCanaryEngine.of(options));
  }

  private constructor(private readonly impl: CanaryEngineImpl) {}

  /** @internal */
  public get kind(): CanaryEngineKind {
    return this.impl.kind;
  }

  /** @internal */
  public get primaryImage(): string {
    return this.impl.primaryImage;
  }

  /** @internal */
  public get allowLatestTag(): boolean {
    return this.impl.allowLatestTag;
  }

  /** @internal */
  public get workloadConfig(): readonly WorkloadConfig[] | undefined {
    return this.impl.workloadConfig;
  }

  /** @internal */
  public get runsSmokeTest(): boolean {
    return this.impl.runsSmokeTest;
  }

  /** @internal */
  public exposureProblems(exposure: ExposureKind, path?: FieldPath, exposurePath?: FieldPath): Problem[] {
    return this.impl.exposureProblems(exposure, path, exposurePath);
  }

  /** @internal */
  public podsAtFullScale(maxReplicas: number, exposure: ExposureKind): number {
    return this.impl.podsAtFullScale(maxReplicas, exposure);
  }

  /** @internal */
  public _bind(objects: ServiceObjects, selector: Readonly<Record<string, string>>, canaryName: string): CanaryParts {
    return this.impl._bind(objects, selector, canaryName);
  }
}
