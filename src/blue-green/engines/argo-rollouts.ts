import { ApiObject } from 'cdk8s';
import { wholeSeconds } from '../../core/duration';
import { Problem, throwIfProblems } from '../../core/problems';
import { resolveAnalysis } from '../../rollouts/analysis';
import { analysisTemplate, metricsAnalysis } from '../../rollouts/analysis-template';
import { rolloutManagedService, rolloutObject } from '../../rollouts/rollout';
import type { ServiceObjects } from '../../api-service/service-objects';
import { resolveSmokeTest } from '../../api-service/smoke-test';
import { ArgoBlueGreenOptions, BlueGreenEngineKind, BlueGreenParts, BlueGreenEngineImpl, validateArgoBlueGreenOptions } from '../engine-options';

/**
 * Argo Rollouts blue-green: a `Rollout` with `strategy.blueGreen` between the active and preview
 * Services, a smoke check of the preview before promotion, post-promotion analysis of the success
 * rate, an HPA targeting the Rollout.
 */
export class ArgoBlueGreenEngine implements BlueGreenEngineImpl {
  /** A checked engine. */
  public static of(options: ArgoBlueGreenOptions): ArgoBlueGreenEngine {
    throwIfProblems('BlueGreenEngine.argoRollouts', validateArgoBlueGreenOptions(options));
    return new ArgoBlueGreenEngine(options);
  }

  public readonly kind: BlueGreenEngineKind = 'argo-rollouts';

  private constructor(private readonly options: ArgoBlueGreenOptions) {}

  public get primaryImage(): string {
    return this.options.image;
  }

  public get allowLatestTag(): boolean {
    return this.options.allowLatestTag ?? false;
  }

  public get runsSmokeTest(): boolean {
    return resolveSmokeTest(this.options.smokeTest) !== undefined;
  }

  /**
   * The active and the preview ReplicaSets at full size (no `previewReplicaCount`), the old one kept through
   * `scaleDownDelaySeconds` after the switch; counted as two colours with a surge pod each, as before.
   */
  public podsAtFullScale(maxReplicas: number): number {
    return 2 * (maxReplicas + 1);
  }

  /** Argo Rollouts scales the preview ReplicaSet to the active one's size itself: nothing to judge. */
  public scalingProblems(): Problem[] {
    return [];
  }

  /** @internal */
  public _bind(o: ServiceObjects, selector: Readonly<Record<string, string>>, previewName: string): BlueGreenParts {
    const options = this.options;
    const scope = o.scope;
    const activeService = rolloutManagedService(o.service('Service', o.name, { ...selector }));
    const previewService = rolloutManagedService(o.service('PreviewService', previewName, { ...selector }));
    const namespace = o.namespace ?? 'default';
    const analysisName = `${o.name}-success-rate`;
    const template = options.disableAnalysis
      ? undefined
      : new ApiObject(
          scope,
          'AnalysisTemplate',
          analysisTemplate(
            analysisName,
            o.meta(analysisName),
            resolveAnalysis(options.analysis ?? {}, undefined, o.scrapeInterval, o.prometheusAddress, o.httpMetrics),
          ),
        );
    // The service's series (its PodMonitor's `service` label) of the new ReplicaSet's pods alone.
    const measured = metricsAnalysis(analysisName, o.name, namespace);
    // The preview takes no production traffic, so Prometheus has nothing to judge it by: before the
    // switch, the smoke check asks it directly (a Job run by the controller against the preview Service).
    const smoke = resolveSmokeTest(options.smokeTest);
    const smokeTest = smoke && o.smokeTestTemplate(smoke);
    const prePromotion = smokeTest
      ? {
          templates: [{ templateName: smokeTest.name }],
          args: [
            { name: 'service-name', value: previewName },
            { name: 'namespace', value: namespace },
          ],
        }
      : options.disableAnalysis
        ? undefined
        : measured;
    const rollout = rolloutObject(
      scope,
      'Resource',
      o.meta(o.name),
      {
        ...o.workloadSpecBase({ ...selector }),
        strategy: {
          blueGreen: {
            activeService: o.name,
            previewService: previewName,
            autoPromotionEnabled: options.autoPromotion ?? false,
            scaleDownDelaySeconds: options.scaleDownDelay ? wholeSeconds(options.scaleDownDelay) : 600,
            ...(prePromotion ? { prePromotionAnalysis: prePromotion } : {}),
            // count × interval: 5 × 1 minute by default, a 5-minute watch after the switch.
            ...(options.disableAnalysis ? {} : { postPromotionAnalysis: measured }),
          },
        },
      },
      o.podTemplate({ ...selector }),
    );
    o.addApplicationWorkload(rollout);
    const workloads = [{ idPrefix: '', name: o.name, kind: 'Rollout' as const, selector, autoscaled: true }];
    return { activeService, previewService, rollout, workloads, analysisTemplate: template, smokeTest: smokeTest?.template };
  }
}
