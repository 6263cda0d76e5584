import { ApiObject } from 'cdk8s';
import { FieldPath } from '../../core/field-path';
import { Problem, throwIfProblems } from '../../core/problems';
import type { ExposureKind } from '../../api-service/exposure';
import type { ServiceObjects, ServiceWorkload } from '../../api-service/service-objects';
import { resolveSmokeTest } from '../../api-service/smoke-test';
import {
  CanaryEngineKind,
  CanaryParts,
  CanaryEngineImpl,
  TRACK_LABEL,
  validateCanaryRolloutProps,
  validateWeightedCanaryOptions,
  WeightedCanaryOptions,
} from '../engine-options';

/**
 * A canary without a controller: stable and canary Deployments (`track` label), the HTTPRoute's
 * backend weights (or an NGINX canary Ingress with `canary-weight`) send the canary its share.
 */
export class WeightedCanaryEngine implements CanaryEngineImpl {
  /** A checked engine. */
  public static of(options: WeightedCanaryOptions): WeightedCanaryEngine {
    throwIfProblems('CanaryEngine.weighted', validateWeightedCanaryOptions(options));
    return new WeightedCanaryEngine(options);
  }

  public readonly kind: CanaryEngineKind = 'weighted';

  private constructor(private readonly options: WeightedCanaryOptions) {}

  /** The canary's image: migrations run the version being released. */
  public get primaryImage(): string {
    return this.options.canaryImage;
  }

  public get allowLatestTag(): boolean {
    return this.options.allowLatestTag ?? false;
  }

  public get runsSmokeTest(): boolean {
    return resolveSmokeTest(this.options.smokeTest) !== undefined;
  }

  public exposureProblems(exposure: ExposureKind, path?: FieldPath, exposurePath?: FieldPath): Problem[] {
    return validateCanaryRolloutProps('weighted', undefined, exposure, path, exposurePath);
  }

  /** The stable Deployment and the canary's, each with a surge pod while it rolls. */
  public podsAtFullScale(maxReplicas: number): number {
    return maxReplicas + 1 + (this.options.canaryReplicas ?? 1) + 1;
  }

  /** @internal */
  public _bind(o: ServiceObjects, selector: Readonly<Record<string, string>>, canaryName: string): CanaryParts {
    const w = this.options;
    const exposure = o.exposure;
    const tracks = [
      { track: 'stable', workload: o.name, id: 'Resource', image: w.stableImage, replicas: o.replicas() },
      { track: 'canary', workload: canaryName, id: 'CanaryDeployment', image: w.canaryImage, replicas: w.canaryReplicas ?? 1 },
    ];
    const deployments: ApiObject[] = [];
    const workloads: ServiceWorkload[] = [];
    for (const t of tracks) {
      const trackSelector = { ...selector, [TRACK_LABEL]: t.track };
      deployments.push(
        o.deployment(t.id, t.workload, trackSelector, o.podTemplate(trackSelector, { [TRACK_LABEL]: t.track }, t.image), t.replicas, {
          [TRACK_LABEL]: t.track,
        }),
      );
      // The service's autoscaler scales the stable track; the canary keeps its own count.
      workloads.push({
        idPrefix: t.track === 'stable' ? '' : 'Canary',
        name: t.workload,
        kind: 'Deployment',
        selector: trackSelector,
        autoscaled: t.track === 'stable',
      });
    }
    const stableService = o.service('Service', o.name, { ...selector, [TRACK_LABEL]: 'stable' });
    const canaryService = o.service('CanaryService', canaryName, { ...selector, [TRACK_LABEL]: 'canary' });
    const route =
      o.httpRoute('HttpRoute', o.name, exposure.hosts, [
        { service: o.name, weight: 100 - w.canaryWeight },
        { service: canaryName, weight: w.canaryWeight },
      ]) ?? o.ingress('Ingress', o.name, exposure.hosts, o.name);
    // ingress-nginx sends canary-weight % of the host's traffic to this Ingress's backend (with the Ingress exposure).
    const canaryIngress = o.ingress(
      'CanaryIngress',
      canaryName,
      exposure.hosts,
      canaryName,
      {
        'nginx.ingress.kubernetes.io/canary': 'true',
        'nginx.ingress.kubernetes.io/canary-weight': String(w.canaryWeight),
      },
      false,
    );
    const smoke = resolveSmokeTest(w.smokeTest);
    const smokeTest = smoke && o.smokeTestJob(smoke, canaryName, `${canaryName} ${w.canaryImage}`);
    return { stableService, canaryService, route, deployments, workloads, canaryIngress, smokeTest };
  }
}
