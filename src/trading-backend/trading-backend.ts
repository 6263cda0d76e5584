import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ApiServiceBase } from '../api-service/api-service-base';
import { ApiServiceProps } from '../api-service/api-service-props';

/** Props of a TradingBackend. */
export interface TradingBackendProps extends ApiServiceProps {}

/**
 * An API service of a trading backend: Deployment, Service, ServiceAccount, ConfigMap, secret
 * references, HPA, PodDisruptionBudget, NetworkPolicy, Ingress or HTTPRoute, PodMonitor,
 * PrometheusRule, Grafana dashboard and migrations, secure and zero-downtime by default.
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
  /** The Grafana dashboard ConfigMap, when enabled. */
  public readonly dashboard?: ApiObject;

  constructor(scope: Construct, id: string, props: TradingBackendProps) {
    super(scope, id, props, 'TradingBackend');
    const selector = { ...this.selector };
    const o = this.objects;
    this.deployment = o.deployment('Resource', this.name, selector, o.podTemplate(selector));
    this.service = o.service('Service', this.name, selector);
    const wrapped = o.wrapWorkloads([{ idPrefix: '', name: this.name, kind: 'Deployment', selector, autoscaled: true }]);
    this.autoscaler = wrapped.autoscalers[0];
    this.disruptionBudget = wrapped.disruptionBudgets[0];
    this.route = o.route('', this.name, this.exposure.hosts, [{ service: this.name }]);
    this.alertRules = wrapped.alertRules;
    this.dashboard = wrapped.dashboard;
  }
}
