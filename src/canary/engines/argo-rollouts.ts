import { ApiObject, Duration } from 'cdk8s';
import type { ICanaryStep } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/CanaryStep' with { 'resolution-mode': 'import' };
import type { IRolloutTrafficRouting } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/RolloutTrafficRouting' with {
  'resolution-mode': 'import',
};
import { parseDurationText, wholeSeconds } from '../../core/duration';
import { FieldPath } from '../../core/field-path';
import { Problem, throwIfProblems } from '../../core/problems';
import { resolveAnalysis } from '../../rollouts/analysis';
import { analysisTemplate, metricsAnalysis } from '../../rollouts/analysis-template';
import { rolloutManagedService, rolloutObject } from '../../rollouts/rollout';
import type { ExposureKind } from '../../api-service/exposure';
import type { ServiceObjects } from '../../api-service/service-objects';
import { resolveSmokeTest } from '../../api-service/smoke-test';
import {
  ArgoCanaryOptions,
  CanaryEngineKind,
  CanaryParts,
  CanaryStepData,
  CanaryTrafficMode,
  DEFAULT_CANARY_STEPS,
  GATEWAY_API_PLUGIN,
  CanaryEngineImpl,
  validateArgoCanaryOptions,
  validateCanaryRolloutProps,
} from '../engine-options';

/**
 * Argo Rollouts canary: a `Rollout` with `strategy.canary` and the steps, an AnalysisTemplate on the
 * success rate and p95 latency, traffic split by the Gateway API plugin (an HTTPRoute that starts at
 * 100/0), NGINX (`stableIngress`) or replica counts.
 */
export class ArgoCanaryEngine implements CanaryEngineImpl {
  /** A checked engine. */
  public static of(options: ArgoCanaryOptions): ArgoCanaryEngine {
    throwIfProblems('CanaryEngine.argoRollouts', validateArgoCanaryOptions(options));
    return new ArgoCanaryEngine(options);
  }

  public readonly kind: CanaryEngineKind = 'argo-rollouts';

  private constructor(private readonly options: ArgoCanaryOptions) {}

  public get primaryImage(): string {
    return this.options.image;
  }

  public get allowLatestTag(): boolean {
    return this.options.allowLatestTag ?? false;
  }

  public get runsSmokeTest(): boolean {
    return resolveSmokeTest(this.options.smokeTest) !== undefined;
  }

  public exposureProblems(exposure: ExposureKind, path?: FieldPath, exposurePath?: FieldPath): Problem[] {
    return validateCanaryRolloutProps('argo-rollouts', this.options.trafficRouting, exposure, path, exposurePath, this.options.dynamicStableScale);
  }

  /**
   * What Argo Rollouts (v1.9, `replicasetutil.CalculateReplicaCountsForTrafficRoutedCanary`) runs at the peak of a
   * release of `maxReplicas` (R) pods:
   * - without traffic routing, the canary replaces pods within `maxSurge` (25 %): R + ⌈R/4⌉;
   * - with traffic routing, the stable ReplicaSet stays at R while the canary grows to the step's weight, and to R
   *   before the promotion: 2R;
   * - with `dynamicStableScale`, the canary is ⌈w·R/100⌉ for the desired weight w and stable is the larger of
   *   ⌈(100 − w)·R/100⌉ and its share of the traffic actually routed. The controller scales the canary up for the next
   *   weight first and moves traffic only once the canary is at its count (`AtDesiredReplicaCountsForCanary`), so
   *   stable still holds the previous weight's share: the peak is the largest ⌈next·R/100⌉ + ⌈(100 − previous)·R/100⌉
   *   over consecutive weights 0, the steps' `setWeight`s, 100 (the promotion). An abort walks the same weights back
   *   (`GetDesiredCanaryWeight`), so it does not exceed it. The smoke check's one canary pod at weight 0 (R + 1) stays
   *   below the move to 100, which always runs R canary pods beside a stable share of at least one pod.
   */
  public podsAtFullScale(maxReplicas: number, exposure: ExposureKind): number {
    const r = maxReplicas;
    if (this.mode(exposure) === 'replicas') return r + Math.ceil(r / 4);
    if (!this.options.dynamicStableScale) return 2 * r;
    const share = (weight: number): number => Math.ceil((weight * r) / 100);
    const weights = [
      0,
      ...(this.options.steps ?? DEFAULT_CANARY_STEPS).flatMap((s) => (s.data.setWeight === undefined ? [] : [s.data.setWeight])),
      100,
    ];
    const transitions = weights.slice(1).map((next, i) => share(next) + share(100 - weights[i]));
    return Math.max(...transitions);
  }

  private mode(exposure: ExposureKind): CanaryTrafficMode {
    return this.options.trafficRouting ?? (exposure === 'gateway' ? 'gateway-api' : exposure === 'ingress' ? 'nginx' : 'replicas');
  }

  /** @internal */
  public _bind(o: ServiceObjects, selector: Readonly<Record<string, string>>, canaryName: string): CanaryParts {
    const exposure = o.exposure;
    const mode = this.mode(exposure.kind);
    const namespace = o.namespace ?? 'default';
    // Replica-based canaries are reached through a Service over all pods; Argo would narrow a stableService to the stable pods.
    const stableService = o.service('Service', o.name, { ...selector });
    const canaryService = rolloutManagedService(o.service('CanaryService', canaryName, { ...selector }));
    if (mode !== 'replicas') rolloutManagedService(stableService);
    const analysisName = `${o.name}-analysis`;
    const backgroundName = `${o.name}-background-analysis`;
    const analysis = resolveAnalysis(this.options.analysis ?? {}, 1, o.scrapeInterval, o.prometheusAddress, o.httpMetrics);
    // Analysis measures the service's series (its PodMonitor's `service` label) of the canary's pods alone.
    const measured = (templateName: string) => metricsAnalysis(templateName, o.name, namespace);
    const stepData = (this.options.steps ?? DEFAULT_CANARY_STEPS).map((s) => s.data);
    const template = stepData.some((s) => s.analysis)
      ? new ApiObject(o.scope, 'AnalysisTemplate', analysisTemplate(analysisName, o.meta(analysisName), analysis))
      : undefined;
    const smoke = resolveSmokeTest(this.options.smokeTest);
    const smokeTest = smoke && o.smokeTestTemplate(smoke);
    const smokeStep: ICanaryStep | undefined = smokeTest && {
      analysis: {
        templates: [{ templateName: smokeTest.name }],
        args: [
          { name: 'service-name', value: canaryName },
          { name: 'namespace', value: namespace },
        ],
      },
    };
    const steps = withSmokeTest(
      stepData.map((s) => toRolloutStep(s, measured(analysisName))),
      smokeStep,
      mode,
    );
    const background =
      (this.options.backgroundAnalysis ?? true)
        ? new ApiObject(o.scope, 'BackgroundAnalysisTemplate', analysisTemplate(backgroundName, o.meta(backgroundName), analysis, 'background'))
        : undefined;
    const trafficRouting: IRolloutTrafficRouting | undefined =
      mode === 'gateway-api'
        ? { plugins: { [GATEWAY_API_PLUGIN]: { httpRoute: o.name, namespace } } }
        : mode === 'nginx'
          ? { nginx: { stableIngress: o.name } }
          : undefined;
    const rollout = rolloutObject(
      o.scope,
      'Resource',
      o.meta(o.name),
      {
        ...o.workloadSpecBase({ ...selector }),
        progressDeadlineAbort: true,
        strategy: {
          canary: {
            canaryService: canaryName,
            ...(trafficRouting ? { stableService: o.name, trafficRouting } : {}),
            // Validated to come with traffic routing only; no scaleDownDelaySeconds is emitted, which Argo rejects beside it.
            ...(trafficRouting && this.options.dynamicStableScale ? { dynamicStableScale: true } : {}),
            maxSurge: '25%',
            maxUnavailable: 0,
            steps,
            ...(background ? { analysis: { ...measured(backgroundName), ...startingStep(steps) } } : {}),
          },
        },
      },
      o.podTemplate({ ...selector }),
    );
    o.addApplicationWorkload(rollout);
    // The plugin moves the weights; start with all traffic on stable.
    const route =
      mode === 'gateway-api'
        ? o.httpRoute('HttpRoute', o.name, exposure.hosts, [
            { service: o.name, weight: 100 },
            { service: canaryName, weight: 0 },
          ])
        : o.route('', o.name, exposure.hosts, [{ service: o.name }]);
    return {
      stableService,
      canaryService,
      route,
      trafficRouting: mode,
      rollout,
      workloads: [{ idPrefix: '', name: o.name, kind: 'Rollout', selector, autoscaled: true }],
      longestPauseSeconds: longestPauseSeconds(stepData),
      analysisTemplate: template,
      backgroundAnalysisTemplate: background,
      smokeTest: smokeTest?.template,
    };
  }
}

/** The longest timed pause of `steps`, in seconds (0 without one; `indefinitely` waits for a human and is not timed). */
function longestPauseSeconds(steps: readonly CanaryStepData[]): number {
  return Math.max(
    0,
    ...steps
      .map((s) => (s.pause === undefined ? undefined : parseDurationText(s.pause)))
      .filter((d): d is Duration => d !== undefined)
      .map((d) => wholeSeconds(d)),
  );
}

function toRolloutStep(step: CanaryStepData, analysis: NonNullable<ICanaryStep['analysis']>): ICanaryStep {
  if (step.setWeight !== undefined) return { setWeight: step.setWeight };
  if (step.pause !== undefined) return { pause: step.pause === 'indefinitely' ? {} : { duration: step.pause } };
  return { analysis };
}

/**
 * The steps with the smoke check first. With traffic routing, one canary pod is started with no
 * traffic (`setCanaryScale`), smoke-tested through the canary Service (which the controller narrows to
 * the canary's pods), then the canary follows the weights again (`matchTrafficWeight`): nothing reaches
 * the new version before it answered. Replica-based canaries take traffic as soon as a canary pod is
 * ready and cannot hold one at zero weight, so the check runs right after the first `setWeight`.
 */
function withSmokeTest(steps: ICanaryStep[], smokeStep: ICanaryStep | undefined, mode: CanaryTrafficMode): ICanaryStep[] {
  if (!smokeStep) return steps;
  if (mode !== 'replicas') return [{ setCanaryScale: { replicas: 1 } }, smokeStep, { setCanaryScale: { matchTrafficWeight: true } }, ...steps];
  const first = steps.findIndex((s) => s.setWeight !== undefined);
  return [...steps.slice(0, first + 1), smokeStep, ...steps.slice(first + 1)];
}

/**
 * Where background analysis starts: the step after the first `setWeight`, once the canary takes
 * traffic (before it, there is nothing to measure); from the start when no step sets a weight.
 */
function startingStep(steps: readonly ICanaryStep[]): { startingStep?: number } {
  const first = steps.findIndex((s) => s.setWeight !== undefined);
  if (first < 0) return {};
  return { startingStep: Math.min(first + 1, steps.length - 1) };
}
