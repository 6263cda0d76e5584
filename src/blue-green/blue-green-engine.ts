import { IBlueGreenEngine, ArgoBlueGreenOptions, ServiceSwitchOptions } from './engine-options';
import { ArgoBlueGreenEngine } from './engines/argo-rollouts';
import { ServiceSwitchEngine } from './engines/service-switch';

/**
 * How a blue-green release runs: two Deployments and a Service whose selector is switched in Git
 * (no controller needed), or an Argo Rollouts `Rollout` with `strategy.blueGreen` and analysis.
 */
export class BlueGreenEngine {
  /** Two workloads, `<name>-blue` and `<name>-green`; the active Service selects `version: <activeColor>`. */
  public static serviceSwitch(options: ServiceSwitchOptions): IBlueGreenEngine {
    return ServiceSwitchEngine.of(options);
  }

  /** An Argo Rollouts `Rollout` (argoproj.io/v1alpha1) with `strategy.blueGreen`. */
  public static argoRollouts(options: ArgoBlueGreenOptions): IBlueGreenEngine {
    return ArgoBlueGreenEngine.of(options);
  }

  private constructor() {}
}
