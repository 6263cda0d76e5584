import { ApiObject } from 'cdk8s';
import { throwIfProblems } from '../../core/problems';
import type { WorkloadConfig } from '../../api-service/api-service-props';
import type { ServiceObjects, ServiceWorkload } from '../../api-service/service-objects';
import { resolveSmokeTest } from '../../api-service/smoke-test';
import { FieldPath } from '../../core/field-path';
import { Problem } from '../../core/problems';
import {
  AutoscalingRange,
  BlueGreenEngineKind,
  BlueGreenParts,
  Color,
  COLOR_LABEL,
  COLORS,
  BlueGreenEngineImpl,
  ServiceSwitchOptions,
  validateReleaseMinReplicas,
  validateServiceSwitchOptions,
} from '../engine-options';

/**
 * Plain Kubernetes blue-green: `<name>-blue` and `<name>-green` Deployments, each with its HPA, PDB
 * and ConfigMap; the public Service selects `version: <activeColor>`, the preview Service the other colour.
 */
export class ServiceSwitchEngine implements BlueGreenEngineImpl {
  /** A checked engine. */
  public static of(options: ServiceSwitchOptions): ServiceSwitchEngine {
    throwIfProblems('BlueGreenEngine.serviceSwitch', validateServiceSwitchOptions(options));
    return new ServiceSwitchEngine(options);
  }

  public readonly kind: BlueGreenEngineKind = 'service-switch';

  private constructor(private readonly options: ServiceSwitchOptions) {}

  /** The release colour's image (migrations run the version being released), else the active one's. */
  public get primaryImage(): string {
    return this.options[`${this.options.releaseColor ?? this.options.activeColor}Image`];
  }

  public get allowLatestTag(): boolean {
    return this.options.allowLatestTag ?? false;
  }

  public get runsSmokeTest(): boolean {
    return resolveSmokeTest(this.options.smokeTest) !== undefined;
  }

  /** Both colours at full size (each has its own HPA), each with its Deployment's surge pod while it rolls. */
  public podsAtFullScale(maxReplicas: number): number {
    return 2 * (maxReplicas + 1);
  }

  public scalingProblems(autoscaling: AutoscalingRange | undefined, path: FieldPath = FieldPath.props()): Problem[] {
    return validateReleaseMinReplicas(this.options.releaseMinReplicas, autoscaling, path.child('releaseMinReplicas'));
  }

  /** A ConfigMap per colour (the release colour's first: migrations load it), so a config change rolls one colour. */
  public get workloadConfig(): readonly WorkloadConfig[] {
    const first = this.options.releaseColor ?? this.options.activeColor;
    return [first, first === 'blue' ? 'green' : 'blue'].map((color) => ({
      suffix: color,
      overrides: { ...this.options[`${color as Color}Config`] },
    }));
  }

  /** @internal */
  public _bind(o: ServiceObjects, selector: Readonly<Record<string, string>>, previewName: string): BlueGreenParts {
    const active = this.options.activeColor;
    const idle: Color = active === 'blue' ? 'green' : 'blue';
    const deployments: Partial<Record<Color, ApiObject>> = {};
    const workloads: ServiceWorkload[] = [];
    for (const color of COLORS) {
      const workload = `${o.name}-${color}`;
      const id = color === 'blue' ? 'Blue' : 'Green';
      const colorSelector = { ...selector, [COLOR_LABEL]: color };
      // A release staged on the idle colour keeps it running: its smoke check goes through the preview
      // Service, and the switch must find ready pods behind the public one.
      const scaledDown = color === idle && color !== this.options.releaseColor && (this.options.scaleDownIdle ?? false);
      // Zero replicas also turns the colour's HPA off (the HPA controller skips targets at zero).
      deployments[color] = o.deployment(
        `${id}Deployment`,
        workload,
        colorSelector,
        o.podTemplate(colorSelector, { [COLOR_LABEL]: color }, this.options[`${color}Image`], color),
        scaledDown ? 0 : o.replicas(),
        { [COLOR_LABEL]: color },
      );
      // The release colour gets all the traffic at the switch: its autoscaler's minimum is raised before it, so
      // the colour is at least as large as the live one may be (the HPA controller scales a target below its
      // minimum up without waiting for metrics). It stays raised after the switch: lowered in the same commit,
      // the autoscaler would scale the colour down at once on the idle load it measured before the switch (its
      // scale-down window keeps recommendations, and those were of a colour without traffic).
      const staged = color === this.options.releaseColor;
      const autoscaling = o.autoscaling;
      const minReplicas = staged && autoscaling ? (this.options.releaseMinReplicas ?? autoscaling.maxReplicas) : undefined;
      workloads.push({
        idPrefix: id,
        name: workload,
        kind: 'Deployment',
        selector: colorSelector,
        autoscaled: true,
        ...(minReplicas !== undefined ? { minReplicas } : {}),
      });
    }
    const activeService = o.service('Service', o.name, { ...selector, [COLOR_LABEL]: active });
    const previewService = o.service('PreviewService', previewName, { ...selector, [COLOR_LABEL]: idle });
    // The smoke check follows the release colour: staged on the idle colour, it is tested through the preview
    // Service before the switch; once the switch made it live (activeColor = releaseColor), through the public
    // Service, so the check never passes by testing the colour just taken out of service. The Job names both
    // colours' images, so staging a release changes it (Flux runs it again).
    const release = this.options.releaseColor;
    const smoke = resolveSmokeTest(this.options.smokeTest);
    const smokeTest =
      smoke &&
      o.smokeTestJob(
        smoke,
        release !== undefined && release === active ? o.name : previewName,
        COLORS.map((c) => `${c}=${this.options[`${c}Image`]}`).join(' '),
      );
    return { activeService, previewService, deployments, workloads, activeColor: active, idleColor: idle, smokeTest };
  }
}
