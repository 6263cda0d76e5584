import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { kubeObject } from '../core/kube-object';
import { checkHostname } from '../core/rules';
import { Problem, ProblemCollector, show, throwIfProblems } from '../core/validation';
import { resolveAnalysis } from '../rollouts/analysis';
import { analysisTemplate } from '../rollouts/analysis-template';
import { rolloutObject } from '../rollouts/rollout';
import { ApiServiceBase, ApiServiceProps } from '../trading-backend/api-service-base';
import { ExposureKind } from '../trading-backend/exposure';
import { backendPodTemplate } from '../trading-backend/pod';
import { BlueGreenEngine, Color, COLORS } from './blue-green-engine';

/** Props of a BlueGreenService. The image(s) come from the engine. */
export interface BlueGreenServiceProps extends Omit<ApiServiceProps, 'image' | 'allowLatestTag'> {
  /** How releases switch: Service selector in Git, or Argo Rollouts. */
  readonly engine: BlueGreenEngine;
  /** Public host routed to the preview (idle) colour for smoke tests. @default - none: the preview Service is reachable in-cluster only */
  readonly previewHost?: string;
}

/** The label that tells the colours apart; the Services switch traffic on it. */
export const COLOR_LABEL = 'version';

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
  public readonly deployments: Readonly<Partial<Record<Color, ApiObject>>> = {};
  /** The Rollout (Argo Rollouts engine). */
  public readonly rollout?: ApiObject;
  /** The AnalysisTemplate (Argo Rollouts engine, unless analysis is disabled). */
  public readonly analysisTemplate?: ApiObject;
  /** The public route. */
  public readonly route?: ApiObject;
  /** The preview route, when `previewHost` is set. */
  public readonly previewRoute?: ApiObject;

  constructor(scope: Construct, id: string, props: BlueGreenServiceProps) {
    const engine = props.engine;
    super(scope, id, {
      ...props,
      image: engine.primaryImage,
      allowLatestTag: engine.serviceSwitchOptions?.allowLatestTag ?? engine.argoOptions?.allowLatestTag,
    }, 'BlueGreenService');
    throwIfProblems(`BlueGreenService ${this.node.path}`, validateBlueGreenServiceProps(props.previewHost, this.exposure.kind, this.exposure.hosts));
    const previewName = `${this.name}-preview`;

    const switchOptions = engine.serviceSwitchOptions;
    if (switchOptions) {
      const active = switchOptions.activeColor;
      const idle: Color = active === 'blue' ? 'green' : 'blue';
      this.activeColor = active;
      this.idleColor = idle;
      const deployments: Partial<Record<Color, ApiObject>> = {};
      for (const color of COLORS) {
        const workload = `${this.name}-${color}`;
        const id = color === 'blue' ? 'Blue' : 'Green';
        const selector = { ...this.selector, [COLOR_LABEL]: color };
        const template = backendPodTemplate(this.podInput(selector, { [COLOR_LABEL]: color }, switchOptions[`${color}Image`]));
        const scaledDown = color === idle && (switchOptions.scaleDownIdle ?? false);
        // Zero replicas also turns the colour's HPA off (the HPA controller skips targets at zero).
        const replicas = scaledDown ? 0 : this.scaling.autoscaling ? undefined : this.scaling.minReplicas;
        deployments[color] = kubeObject(this, `${id}Deployment`, k8s.KubeDeployment.GVK, {
          metadata: this.meta(workload, {}, { [COLOR_LABEL]: color }),
          spec: this.deploymentSpec(selector, template, replicas),
        }, k8s.toJson_KubeDeploymentProps);
        this.applicationWorkloads.push(deployments[color] as ApiObject);
        this.createAutoscaler(`${id}Autoscaler`, workload, { apiVersion: 'apps/v1', kind: 'Deployment', name: workload });
        this.createDisruptionBudget(`${id}DisruptionBudget`, workload, selector);
      }
      this.deployments = deployments;
      this.activeService = this.createService('Service', this.name, { ...this.selector, [COLOR_LABEL]: active });
      this.previewService = this.createService('PreviewService', previewName, { ...this.selector, [COLOR_LABEL]: idle });
      this.createAlerts('Deployment', COLORS.map((c) => `${this.name}-${c}`));
    } else {
      const o = engine.argoOptions;
      if (!o) throw new Error('unreachable: an Argo Rollouts engine without options');
      this.activeService = this.createService('Service', this.name, { ...this.selector });
      this.previewService = this.createService('PreviewService', previewName, { ...this.selector });
      const namespace = Chart.of(this).namespace ?? 'default';
      const analysisName = `${this.name}-success-rate`;
      if (!o.disableAnalysis) {
        const a = resolveAnalysis(o.analysis ?? {}, undefined);
        this.analysisTemplate = new ApiObject(this, 'AnalysisTemplate', analysisTemplate(analysisName, this.meta(analysisName), a));
      }
      const analysisFor = (service: string) => ({
        templates: [{ templateName: analysisName }],
        args: [{ name: 'service-name', value: service }, { name: 'namespace', value: namespace }],
      });
      this.rollout = rolloutObject(this, 'Resource', this.meta(this.name), {
        ...(this.scaling.autoscaling ? {} : { replicas: this.scaling.minReplicas }),
        revisionHistoryLimit: 5,
        minReadySeconds: props.rollout?.minReadySeconds ?? 10,
        progressDeadlineSeconds: 600,
        selector: { matchLabels: { ...this.selector } },
        strategy: {
          blueGreen: {
            activeService: this.name,
            previewService: previewName,
            autoPromotionEnabled: o.autoPromotion ?? false,
            scaleDownDelaySeconds: o.scaleDownDelaySeconds ?? 600,
            ...(o.disableAnalysis ? {} : {
              prePromotionAnalysis: analysisFor(previewName),
              postPromotionAnalysis: analysisFor(this.name),
            }),
          },
        },
      }, backendPodTemplate(this.podInput({ ...this.selector })));
      this.applicationWorkloads.push(this.rollout);
      this.createAutoscaler('Autoscaler', this.name, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: this.name });
      this.createDisruptionBudget('DisruptionBudget', this.name, { ...this.selector });
      this.createAlerts('Rollout', [this.name]);
    }

    this.route = this.createHttpRoute('HttpRoute', this.name, this.exposure.hosts, [{ service: this.name }])
      ?? this.createIngress('Ingress', this.name, this.exposure.hosts, this.name);
    if (props.previewHost) {
      this.previewRoute = this.createHttpRoute('PreviewHttpRoute', previewName, [props.previewHost], [{ service: previewName }])
        ?? this.createIngress('PreviewIngress', previewName, [props.previewHost], previewName);
    }
  }
}

/** Problems with the preview host, given the service's exposure. */
export function validateBlueGreenServiceProps(previewHost: string | undefined, exposure: ExposureKind, publicHosts: readonly string[]): Problem[] {
  const c = new ProblemCollector();
  if (previewHost !== undefined) {
    c.check('previewHost', checkHostname(previewHost));
    if (publicHosts.includes(previewHost)) {
      c.check('previewHost', `${show(previewHost)} is also the public host: the preview needs its own host, or it would take production traffic`);
    }
    if (exposure === 'none') {
      c.check('previewHost', 'needs an exposure (Exposure.gateway or Exposure.ingress) to route it through');
    }
  }
  return [...c.problems];
}
