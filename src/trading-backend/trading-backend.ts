import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { kubeObject } from '../core/kube-object';
import { ApiServiceBase, ApiServiceProps } from './api-service-base';
import { backendPodTemplate } from './pod';

/** Props of a TradingBackend. */
export interface TradingBackendProps extends ApiServiceProps {}

/**
 * An API service of a trading backend: Deployment, Service, ServiceAccount, ConfigMap, secret
 * references, HPA, PodDisruptionBudget, NetworkPolicy, Ingress or HTTPRoute, ServiceMonitor,
 * PrometheusRule and migrations, secure and zero-downtime by default.
 */
export class TradingBackend extends ApiServiceBase {
  /** The Deployment (also reachable as the `'Resource'` child). */
  public readonly deployment: ApiObject;
  /** The ClusterIP Service. */
  public readonly service: ApiObject;
  /** The HPA, when autoscaling. */
  public readonly autoscaler?: ApiObject;
  /** The PodDisruptionBudget. */
  public readonly disruptionBudget: ApiObject;
  /** The HTTPRoute or Ingress, when exposed. */
  public readonly route?: ApiObject;
  /** The PrometheusRule, when enabled. */
  public readonly alertRules?: ApiObject;

  constructor(scope: Construct, id: string, props: TradingBackendProps) {
    super(scope, id, props, 'TradingBackend');
    const selector = { ...this.selector };
    const template = backendPodTemplate(this.podInput(selector));
    this.deployment = kubeObject(this, 'Resource', k8s.KubeDeployment.GVK, {
      metadata: this.meta(this.name),
      spec: this.deploymentSpec(selector, template, this.scaling.autoscaling ? undefined : this.scaling.minReplicas),
    }, k8s.toJson_KubeDeploymentProps);
    this.applicationWorkloads.push(this.deployment);
    this.service = this.createService('Service', this.name, selector);
    this.autoscaler = this.createAutoscaler('Autoscaler', this.name, { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name });
    this.disruptionBudget = this.createDisruptionBudget('DisruptionBudget', this.name, selector);
    this.route = this.createHttpRoute('HttpRoute', this.name, this.exposure.hosts, [{ service: this.name }])
      ?? this.createIngress('Ingress', this.name, this.exposure.hosts, this.name);
    this.alertRules = this.createAlerts('Deployment', [this.name]);
  }
}
