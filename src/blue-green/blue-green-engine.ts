import type { WorkloadConfig } from '../api-service/api-service-props';
import type { ServiceObjects } from '../api-service/service-objects';
import type { FieldPath } from '../core/field-path';
import type { Problem } from '../core/problems';
import {
  ArgoBlueGreenOptions,
  AutoscalingRange,
  BlueGreenEngineImpl,
  BlueGreenEngineKind,
  BlueGreenParts,
  ServiceSwitchOptions,
} from './engine-options';
import { ArgoBlueGreenEngine } from './engines/argo-rollouts';
import { ServiceSwitchEngine } from './engines/service-switch';

/**
 * How a blue-green release runs: two Deployments and a Service whose selector is switched in Git
 * (no controller needed), or an Argo Rollouts `Rollout` with `strategy.blueGreen` and analysis.
 *
 * Closed: made only by its static factories. An engine renders itself into the service it is bound to
 * through members that are internal to this package, so one written outside it could not work; the
 * private constructor (and private member) make such an engine a type error instead of a run-time one.
 */
export class BlueGreenEngine {
  /** Two workloads, `<name>-blue` and `<name>-green`; the active Service selects `version: <activeColor>`. */
  public static serviceSwitch(options: ServiceSwitchOptions): BlueGreenEngine {
    return new BlueGreenEngine(ServiceSwitchEngine.of(options));
  }

  /** An Argo Rollouts `Rollout` (argoproj.io/v1alpha1) with `strategy.blueGreen`. */
  public static argoRollouts(options: ArgoBlueGreenOptions): BlueGreenEngine {
    return new BlueGreenEngine(ArgoBlueGreenEngine.of(options));
  }

  private constructor(private readonly impl: BlueGreenEngineImpl) {}

  /** @internal */
  public get kind(): BlueGreenEngineKind {
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
  public podsAtFullScale(maxReplicas: number): number {
    return this.impl.podsAtFullScale(maxReplicas);
  }

  /** @internal */
  public scalingProblems(autoscaling: AutoscalingRange | undefined, path?: FieldPath): Problem[] {
    return this.impl.scalingProblems(autoscaling, path);
  }

  /** @internal */
  public _bind(objects: ServiceObjects, selector: Readonly<Record<string, string>>, previewName: string): BlueGreenParts {
    return this.impl._bind(objects, selector, previewName);
  }
}
