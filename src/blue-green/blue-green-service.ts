import { FieldPath } from '../core/field-path';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkHostname } from '../core/value-rules';
import { Problem, ProblemCollector, show, throwIfProblems } from '../core/problems';
import { Notifications } from '../gitops/notifications';
import { ApiServiceBase, subscribeRollout } from '../api-service/api-service-base';
import { ApiServiceProps } from '../api-service/api-service-props';
import { ExposureKind } from '../api-service/exposure';
import { Color } from './engine-options';
import type { BlueGreenEngine } from './blue-green-engine';

/** Props of a BlueGreenService. The image(s) come from the engine. */
export interface BlueGreenServiceProps extends Omit<ApiServiceProps, 'image' | 'allowLatestTag'> {
  /** How releases switch: Service selector in Git, or Argo Rollouts. */
  readonly engine: BlueGreenEngine;
  /** Public host routed to the preview (idle) colour for smoke tests. @default - none: the preview Service is reachable in-cluster only */
  readonly previewHost?: string;
  /**
   * Where the Rollout's release events go (Argo Rollouts engine only): subscriptions to rollout aborted,
   * analysis failed and rollout completed, as `notifications.argoproj.io/subscribe.<trigger>.<service>` annotations.
   * @default - no subscriptions
   */
  readonly notifications?: Notifications;
}

/**
 * Blue-green releases: deploy the idle colour, smoke-test it through the preview
 * Service, switch the public Service to it, keep the old colour for rollback. With the Service-switch
 * engine, switching and rolling back are one line (`activeColor`); with Argo Rollouts, promotion
 * follows the pre-promotion analysis. The pod definition, security profile, config, secrets,
 * monitoring and database wiring are TradingBackend's.
 */
export class BlueGreenService extends ApiServiceBase {
  /** The colour the public Service selects (Service-switch engine). */
  public readonly activeColor?: Color;
  /** The colour the preview Service selects (Service-switch engine). */
  public readonly idleColor?: Color;
  /** The public Service, selecting the active colour. */
  public readonly activeService: ApiObject;
  /** The preview Service, selecting the idle colour. */
  public readonly previewService: ApiObject;
  /** The Deployments by colour (Service-switch engine). */
  public readonly deployments: Readonly<Partial<Record<Color, ApiObject>>>;
  /** The Rollout (Argo Rollouts engine). */
  public readonly rollout?: ApiObject;
  /** The AnalysisTemplate (Argo Rollouts engine, unless analysis is disabled). */
  public readonly analysisTemplate?: ApiObject;
  /**
   * The smoke check: a PostSync Job `<name>-smoke-test` (Service-switch engine) or the AnalysisTemplate of its `job` metric (Argo Rollouts engine),
   * unless turned off.
   */
  public readonly smokeTest?: ApiObject;
  /** The public route. */
  public readonly route?: ApiObject;
  /** The preview route, when `previewHost` is set. */
  public readonly previewRoute?: ApiObject;

  constructor(scope: Construct, id: string, props: BlueGreenServiceProps) {
    super(scope, id, ApiServiceBase.withEngine(props, props.engine), 'BlueGreenService', props.engine.workloadConfig);
    throwIfProblems(`BlueGreenService ${this.node.path}`, [
      ...validateBlueGreenServiceProps(props.previewHost, this.exposure.kind, this.exposure.hosts),
      ...props.engine.scalingProblems(this.scaling.autoscaling, FieldPath.props().child('engine')),
    ]);
    const previewName = `${this.name}-preview`;
    const parts = props.engine._bind(this.objects, this.selector, previewName);
    this.releasePods = { podsAtFullScale: (max) => props.engine.podsAtFullScale(max), runsSmokeTest: props.engine.runsSmokeTest };
    this.objects.wrapWorkloads(parts.workloads);
    this.activeService = parts.activeService;
    this.previewService = parts.previewService;
    this.deployments = parts.deployments ?? {};
    this.rollout = parts.rollout;
    this.analysisTemplate = parts.analysisTemplate;
    this.activeColor = parts.activeColor;
    this.idleColor = parts.idleColor;
    this.smokeTest = parts.smokeTest;
    subscribeRollout('BlueGreenService', this, this.rollout, props.notifications);
    this.route = this.objects.route('', this.name, this.exposure.hosts, [{ service: this.name }]);
    if (props.previewHost) {
      this.previewRoute = this.objects.route('Preview', previewName, [props.previewHost], [{ service: previewName }]);
    }
  }
}

/** Problems with the preview host, given the service's exposure. */
export function validateBlueGreenServiceProps(
  previewHost: string | undefined,
  exposure: ExposureKind,
  publicHosts: readonly string[],
  path: FieldPath = FieldPath.props(),
): Problem[] {
  const c = new ProblemCollector();
  if (previewHost !== undefined) {
    c.check(path.child('previewHost'), checkHostname(previewHost));
    if (publicHosts.includes(previewHost)) {
      c.check(
        path.child('previewHost'),
        `${show(previewHost)} is also the public host: the preview needs its own host, or it would take production traffic`,
      );
    }
    if (exposure === 'none') {
      c.check(path.child('previewHost'), 'needs an exposure (Exposure.gateway or Exposure.ingress) to route it through');
    }
  }
  return [...c.problems];
}
