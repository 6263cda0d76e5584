import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { FLUX_SSA_ANNOTATION } from '../core/sync-wave';
import { throwIfProblems } from '../core/problems';
import { Notifications } from '../gitops/notifications';
import { ApiServiceBase, subscribeRollout } from '../api-service/api-service-base';
import { ApiServiceProps } from '../api-service/api-service-props';
import { CanaryTrafficMode } from './engine-options';
import type { CanaryEngine } from './canary-engine';

/** Props of a CanaryRollout. The image(s) come from the engine. */
export interface CanaryRolloutProps extends Omit<ApiServiceProps, 'image' | 'allowLatestTag'> {
  /** How the canary runs: Argo Rollouts with steps and analysis, or a fixed weight without a controller. */
  readonly engine: CanaryEngine;
  /**
   * Where the Rollout's release events go (Argo Rollouts engine only): subscriptions to rollout aborted,
   * analysis failed and rollout completed, as `notifications.argoproj.io/subscribe.<trigger>.<service>` annotations.
   * @default - no subscriptions
   */
  readonly notifications?: Notifications;
}

/**
 * Progressive delivery: 10 % of traffic to the new version, watch the metrics, then
 * 25 → 50 → 100 %, rolling back automatically when the analysis fails. With Argo Rollouts, traffic
 * is split by the Gateway API plugin, NGINX or replica counts; without a controller, by fixed
 * HTTPRoute weights or an NGINX canary Ingress. The pod definition is TradingBackend's.
 */
export class CanaryRollout extends ApiServiceBase {
  /** How traffic is split (Argo Rollouts engine). */
  public readonly trafficRouting?: CanaryTrafficMode;
  /** The stable Service. */
  public readonly stableService: ApiObject;
  /** The canary Service. */
  public readonly canaryService: ApiObject;
  /** The Rollout (Argo Rollouts engine). */
  public readonly rollout?: ApiObject;
  /** The AnalysisTemplate of the analysis steps (Argo Rollouts engine, when a step analyses). */
  public readonly analysisTemplate?: ApiObject;
  /** The AnalysisTemplate of the background analysis over every step after the first (Argo Rollouts engine, unless turned off). */
  public readonly backgroundAnalysisTemplate?: ApiObject;
  /** The stable and canary Deployments (weighted engine). */
  public readonly deployments: readonly ApiObject[];
  /** The HTTPRoute or Ingress. */
  public readonly route?: ApiObject;
  /** The NGINX canary Ingress (weighted engine with Ingress exposure). */
  public readonly canaryIngress?: ApiObject;
  /** The smoke check: a PostSync Job `<name>-smoke-test` (weighted engine) or the AnalysisTemplate of its `job` metric (Argo Rollouts engine), unless turned off. */
  public readonly smokeTest?: ApiObject;

  constructor(scope: Construct, id: string, props: CanaryRolloutProps) {
    super(scope, id, ApiServiceBase.withEngine(props, props.engine), 'CanaryRollout');
    throwIfProblems(`CanaryRollout ${this.node.path}`, props.engine.exposureProblems(this.exposure.kind));
    const parts = props.engine._bind(this.objects, this.selector, `${this.name}-canary`);
    this.releasePods = { podsAtFullScale: (max) => props.engine.podsAtFullScale(max, this.exposure.kind), runsSmokeTest: props.engine.runsSmokeTest };
    this.objects.wrapWorkloads(parts.workloads, parts.longestPauseSeconds);
    this.stableService = parts.stableService;
    this.canaryService = parts.canaryService;
    this.route = parts.route;
    this.trafficRouting = parts.trafficRouting;
    this.rollout = parts.rollout;
    this.analysisTemplate = parts.analysisTemplate;
    this.backgroundAnalysisTemplate = parts.backgroundAnalysisTemplate;
    this.deployments = parts.deployments ?? [];
    this.canaryIngress = parts.canaryIngress;
    this.smokeTest = parts.smokeTest;
    subscribeRollout('CanaryRollout', this, this.rollout, props.notifications);
    if (this.rollout && this.trafficRouting === 'gateway-api') {
      // The Argo Rollouts Gateway API plugin moves this route's weights mid-canary. Flux would put them back
      // at its next reconcile (rules is an atomic list, so Flux's Merge policy cannot share it): Flux creates
      // the route and leaves it alone afterwards. Argo CD gets an ignoreDifferences entry instead.
      this.route?.metadata.addAnnotation(FLUX_SSA_ANNOTATION, 'IfNotPresent');
    }
  }
}
