/**
 * The Kubernetes objects of the monitoring family: a PrometheusRule of rule groups, and a Grafana
 * dashboard as a ConfigMap the Grafana sidecar (kiwigrid k8s-sidecar) loads: label
 * `grafana_dashboard: "1"`, the folder in an annotation, the JSON under `<name>.json`.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule' with {
  'resolution-mode': 'import',
};
import { kubeObject } from '../core/kube-object';
import type { GrafanaDashboard } from './dashboard';
import type { AlertRuleGroup } from './alert-rules';
import type { ObservabilitySettings } from './settings';

/** Name and labels (and annotations) of an object. */
export interface MonitoringMetadata {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** The label the Grafana sidecar selects dashboard ConfigMaps by (the chart's `sidecar.dashboards.label`). */
export const DASHBOARD_LABEL = 'grafana_dashboard';

/** A PrometheusRule with `groups`. */
export function prometheusRuleObject(scope: Construct, id: string, metadata: MonitoringMetadata, groups: readonly AlertRuleGroup[]): ApiObject {
  const rule: IPrometheusRule = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: metadata.name, labels: { ...metadata.labels }, ...(metadata.annotations ? { annotations: { ...metadata.annotations } } : {}) },
    spec: { groups: groups.map((g) => ({ name: g.name, rules: g.rules.map((r) => ({ ...r })) })) },
  };
  return new ApiObject(scope, id, rule);
}

/**
 * The ConfigMap `<metadata.name>` holding `dashboard` as `<file>.json`, labelled for the Grafana sidecar
 * and annotated with its folder.
 */
export function dashboardConfigMap(
  scope: Construct,
  id: string,
  metadata: MonitoringMetadata,
  file: string,
  dashboard: GrafanaDashboard,
  settings: ObservabilitySettings,
): ApiObject {
  return kubeObject(
    scope,
    id,
    k8s.KubeConfigMap.GVK,
    {
      metadata: {
        name: metadata.name,
        labels: { ...metadata.labels, [DASHBOARD_LABEL]: '1' },
        annotations: { ...metadata.annotations, [settings.dashboardFolderAnnotation]: settings.dashboardFolder },
      },
      data: { [`${file}.json`]: `${JSON.stringify(dashboard, null, 2)}\n` },
    },
    k8s.toJson_KubeConfigMapProps,
  );
}

/** What `monitoringObjects` builds from. */
export interface MonitoringObjectsSpec {
  /** The subject's name: the base of `<name>-alerts`, `<name>-dashboard` and the dashboard's file. */
  readonly name: string;
  /** Metadata of an object named `name`. */
  readonly meta: (name: string) => MonitoringMetadata;
  readonly settings: ObservabilitySettings;
  /** Whether to emit the PrometheusRule. */
  readonly alerts: boolean;
  /** Whether to emit the dashboard ConfigMap. */
  readonly dashboard: boolean;
  /** The rule groups (built only when alerts are on). */
  readonly groups: () => readonly AlertRuleGroup[];
  /** The dashboard (built only when the dashboard is on). */
  readonly dashboardModel: () => GrafanaDashboard;
}

/**
 * The PrometheusRule `<name>-alerts` (id `Alerts`) and the dashboard ConfigMap `<name>-dashboard` (id
 * `Dashboard`) of one subject, each unless turned off: the one builder every construct uses.
 */
export function monitoringObjects(scope: Construct, spec: MonitoringObjectsSpec): { alertRules?: ApiObject; dashboard?: ApiObject } {
  return {
    alertRules: spec.alerts ? prometheusRuleObject(scope, 'Alerts', spec.meta(`${spec.name}-alerts`), spec.groups()) : undefined,
    dashboard: spec.dashboard
      ? dashboardConfigMap(scope, 'Dashboard', spec.meta(`${spec.name}-dashboard`), spec.name, spec.dashboardModel(), spec.settings)
      : undefined,
  };
}
