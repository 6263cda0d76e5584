import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { ICanaryStep } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/CanaryStep' with { 'resolution-mode': 'import' };
import type { IRolloutTrafficRouting } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/RolloutTrafficRouting' with { 'resolution-mode': 'import' };
import { kubeObject } from '../core/kube-object';
import { Problem, ProblemCollector, show, throwIfProblems } from '../core/validation';
import { resolveAnalysis } from '../rollouts/analysis';
import { analysisTemplate } from '../rollouts/analysis-template';
import { rolloutObject } from '../rollouts/rollout';
import { ApiServiceBase, ApiServiceProps } from '../trading-backend/api-service-base';
import { Exposure, ExposureKind } from '../trading-backend/exposure';
import { backendPodTemplate } from '../trading-backend/pod';
import { CanaryEngine, CanaryEngineKind, CanaryStepData, CanaryTrafficMode, DEFAULT_CANARY_STEPS } from './canary-engine';

/** Props of a CanaryRollout. The image(s) come from the engine. */
export interface CanaryRolloutProps extends Omit<ApiServiceProps, 'image' | 'allowLatestTag'> {
  /** How the canary runs: Argo Rollouts with steps and analysis, or a fixed weight without a controller. */
  readonly engine: CanaryEngine;
}

/** The label that tells stable and canary pods apart (weighted engine). */
export const TRACK_LABEL = 'track';

/** The Argo Rollouts Gateway API traffic-router plugin. */
export const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

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
  /** The AnalysisTemplate (Argo Rollouts engine). */
  public readonly analysisTemplate?: ApiObject;
  /** The stable and canary Deployments (weighted engine). */
  public readonly deployments: ApiObject[] = [];
  /** The HTTPRoute or Ingress. */
  public readonly route?: ApiObject;
  /** The NGINX canary Ingress (weighted engine with Ingress exposure). */
  public readonly canaryIngress?: ApiObject;

  constructor(scope: Construct, id: string, props: CanaryRolloutProps) {
    const engine = props.engine;
    super(scope, id, {
      ...props,
      image: engine.primaryImage,
      allowLatestTag: engine.argoOptions?.allowLatestTag ?? engine.weightedOptions?.allowLatestTag,
    }, 'CanaryRollout');
    throwIfProblems(`CanaryRollout ${this.node.path}`, validateCanaryRolloutProps(engine.kind, engine.argoOptions?.trafficRouting, this.exposure.kind));
    const canaryName = `${this.name}-canary`;

    const argo = engine.argoOptions;
    if (argo) {
      const mode = argo.trafficRouting ?? defaultTrafficMode(this.exposure);
      this.trafficRouting = mode;
      const namespace = Chart.of(this).namespace ?? 'default';
      // Replica-based canaries are reached through a Service over all pods; Argo would narrow a stableService to the stable pods.
      this.stableService = this.createService('Service', this.name, { ...this.selector });
      this.canaryService = this.createService('CanaryService', canaryName, { ...this.selector });
      const analysisName = `${this.name}-analysis`;
      this.analysisTemplate = new ApiObject(this, 'AnalysisTemplate',
        analysisTemplate(analysisName, this.meta(analysisName), resolveAnalysis(argo.analysis ?? {}, 1)));
      const steps: ICanaryStep[] = (argo.steps ?? DEFAULT_CANARY_STEPS).map((s) => toRolloutStep(s.data, analysisName, canaryName, namespace));
      const trafficRouting: IRolloutTrafficRouting | undefined =
        mode === 'gateway-api' ? { plugins: { [GATEWAY_API_PLUGIN]: { httpRoute: this.name, namespace } } }
          : mode === 'nginx' ? { nginx: { stableIngress: this.name } }
            : undefined;
      this.rollout = rolloutObject(this, 'Resource', this.meta(this.name), {
        ...(this.scaling.autoscaling ? {} : { replicas: this.scaling.minReplicas }),
        revisionHistoryLimit: 5,
        minReadySeconds: props.rollout?.minReadySeconds ?? 10,
        progressDeadlineSeconds: 600,
        progressDeadlineAbort: true,
        selector: { matchLabels: { ...this.selector } },
        strategy: {
          canary: {
            canaryService: canaryName,
            ...(trafficRouting ? { stableService: this.name, trafficRouting } : {}),
            maxSurge: '25%',
            maxUnavailable: 0,
            steps,
          },
        },
      }, backendPodTemplate(this.podInput({ ...this.selector })));
      this.applicationWorkloads.push(this.rollout);
      this.createAutoscaler('Autoscaler', this.name, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: this.name });
      this.createDisruptionBudget('DisruptionBudget', this.name, { ...this.selector });
      this.createAlerts('Rollout', [this.name]);
      // The plugin moves the weights; start with all traffic on stable.
      this.route = mode === 'gateway-api'
        ? this.createHttpRoute('HttpRoute', this.name, this.exposure.hosts, [{ service: this.name, weight: 100 }, { service: canaryName, weight: 0 }])
        : this.createHttpRoute('HttpRoute', this.name, this.exposure.hosts, [{ service: this.name }])
          ?? this.createIngress('Ingress', this.name, this.exposure.hosts, this.name);
    } else {
      const w = engine.weightedOptions;
      if (!w) throw new Error('unreachable: a weighted engine without options');
      const tracks = [
        { track: 'stable', workload: this.name, id: 'Resource', image: w.stableImage, replicas: this.scaling.autoscaling ? undefined : this.scaling.minReplicas },
        { track: 'canary', workload: canaryName, id: 'CanaryDeployment', image: w.canaryImage, replicas: w.canaryReplicas ?? 1 },
      ];
      for (const t of tracks) {
        const selector = { ...this.selector, [TRACK_LABEL]: t.track };
        const deployment = kubeObject(this, t.id, k8s.KubeDeployment.GVK, {
          metadata: this.meta(t.workload, {}, { [TRACK_LABEL]: t.track }),
          spec: this.deploymentSpec(selector, backendPodTemplate(this.podInput(selector, { [TRACK_LABEL]: t.track }, t.image)), t.replicas),
        }, k8s.toJson_KubeDeploymentProps);
        this.deployments.push(deployment);
        this.applicationWorkloads.push(deployment);
        this.createDisruptionBudget(t.track === 'stable' ? 'DisruptionBudget' : 'CanaryDisruptionBudget', t.workload, selector);
      }
      this.createAutoscaler('Autoscaler', this.name, { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name });
      this.stableService = this.createService('Service', this.name, { ...this.selector, [TRACK_LABEL]: 'stable' });
      this.canaryService = this.createService('CanaryService', canaryName, { ...this.selector, [TRACK_LABEL]: 'canary' });
      this.createAlerts('Deployment', [this.name, canaryName]);
      this.route = this.createHttpRoute('HttpRoute', this.name, this.exposure.hosts, [
        { service: this.name, weight: 100 - w.canaryWeight },
        { service: canaryName, weight: w.canaryWeight },
      ]) ?? this.createIngress('Ingress', this.name, this.exposure.hosts, this.name);
      if (this.exposure.ingressOptions) {
        // ingress-nginx sends canary-weight % of the host's traffic to this Ingress's backend.
        this.canaryIngress = this.createIngress('CanaryIngress', canaryName, this.exposure.hosts, canaryName, {
          'nginx.ingress.kubernetes.io/canary': 'true',
          'nginx.ingress.kubernetes.io/canary-weight': String(w.canaryWeight),
        }, false);
      }
    }
  }
}

function defaultTrafficMode(exposure: Exposure): CanaryTrafficMode {
  return exposure.gatewayOptions ? 'gateway-api' : exposure.ingressOptions ? 'nginx' : 'replicas';
}

function toRolloutStep(step: CanaryStepData, analysisName: string, canaryService: string, namespace: string): ICanaryStep {
  if (step.setWeight !== undefined) return { setWeight: step.setWeight };
  if (step.pause !== undefined) return { pause: step.pause === 'indefinitely' ? {} : { duration: step.pause } };
  return {
    analysis: {
      templates: [{ templateName: analysisName }],
      args: [{ name: 'service-name', value: canaryService }, { name: 'namespace', value: namespace }],
    },
  };
}

/** Problems of a canary that depend on the exposure: the traffic routing must name a route or an ingress. */
export function validateCanaryRolloutProps(engine: CanaryEngineKind, trafficRouting: CanaryTrafficMode | undefined, exposure: ExposureKind): Problem[] {
  const c = new ProblemCollector();
  if (trafficRouting === 'gateway-api' && exposure !== 'gateway') {
    c.check('trafficRouting', `${show(trafficRouting)} names no HTTPRoute: it needs a Gateway exposure`);
  }
  if (trafficRouting === 'nginx' && exposure !== 'ingress') {
    c.check('trafficRouting', `${show(trafficRouting)} names no Ingress: it needs an Ingress exposure`);
  }
  if (engine === 'weighted' && exposure === 'none') {
    c.check('exposure', 'a weighted canary splits traffic in an HTTPRoute or an NGINX canary Ingress: it needs a Gateway or Ingress exposure');
  }
  return [...c.problems];
}
