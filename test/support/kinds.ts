/**
 * The kinds the tests read, each with its model type: core kinds from `kubernetes-models`, CRDs from
 * the `@kubernetes-models/*` packages, CloudNativePG and Barman from src/postgres/cnpg-types.ts.
 * This is the one place that names the model packages; `View` (./view) and `one`/`all`/`viewAs`
 * (./render) build on it. Reading a kind that is not listed here is a compile error: add it below
 * (type and apiVersion) first.
 */
// The model packages are ES modules; their types are imported as such (the tests compile as CommonJS).
import type { IContainer } from 'kubernetes-models/v1/Container' with { 'resolution-mode': 'import' };
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap' with { 'resolution-mode': 'import' };
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar' with { 'resolution-mode': 'import' };
import type { ILimitRange } from 'kubernetes-models/v1/LimitRange' with { 'resolution-mode': 'import' };
import type { INamespace } from 'kubernetes-models/v1/Namespace' with { 'resolution-mode': 'import' };
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec' with { 'resolution-mode': 'import' };
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec' with { 'resolution-mode': 'import' };
import type { IResourceQuota } from 'kubernetes-models/v1/ResourceQuota' with { 'resolution-mode': 'import' };
import type { ISecret } from 'kubernetes-models/v1/Secret' with { 'resolution-mode': 'import' };
import type { IService } from 'kubernetes-models/v1/Service' with { 'resolution-mode': 'import' };
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount' with { 'resolution-mode': 'import' };
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet' with { 'resolution-mode': 'import' };
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment' with { 'resolution-mode': 'import' };
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet' with { 'resolution-mode': 'import' };
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob' with { 'resolution-mode': 'import' };
import type { IJob } from 'kubernetes-models/batch/v1/Job' with { 'resolution-mode': 'import' };
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler' with { 'resolution-mode': 'import' };
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget' with { 'resolution-mode': 'import' };
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress' with { 'resolution-mode': 'import' };
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy' with { 'resolution-mode': 'import' };
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role' with { 'resolution-mode': 'import' };
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding' with { 'resolution-mode': 'import' };
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute' with { 'resolution-mode': 'import' };
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor' with { 'resolution-mode': 'import' };
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule' with {
  'resolution-mode': 'import',
};
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor' with {
  'resolution-mode': 'import',
};
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret' with { 'resolution-mode': 'import' };
import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate' with { 'resolution-mode': 'import' };
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout' with { 'resolution-mode': 'import' };
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application' with { 'resolution-mode': 'import' };
import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject' with { 'resolution-mode': 'import' };
import type { IKustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization' with { 'resolution-mode': 'import' };
import type { IGitRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository' with { 'resolution-mode': 'import' };
import type { IProvider } from '@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3/Provider' with { 'resolution-mode': 'import' };
import type { IAlert } from '@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3/Alert' with { 'resolution-mode': 'import' };
import type { BarmanObjectStore, CnpgBackup, CnpgCluster, CnpgPooler, CnpgScheduledBackup } from '../../src/postgres/cnpg-types';

/**
 * The configuration of the Argo Rollouts Gateway API traffic plugin, which the Rollout model leaves
 * opaque (`trafficRouting.plugins` is `{}` there).
 */
export interface GatewayApiPluginConfig {
  httpRoute: string;
  namespace?: string;
}

/** A Rollout, with the Gateway API plugin's configuration typed (GATEWAY_API_PLUGIN in src/canary/engine-options.ts). */
export type Rollout = IRollout & {
  spec?: { strategy?: { canary?: { trafficRouting?: { plugins?: { 'argoproj-labs/gatewayAPI'?: GatewayApiPluginConfig } } } } };
};

/**
 * A CloudNativePG Cluster as this library emits it (CnpgCluster), plus the CRD fields it must never
 * emit, so that tests can assert their absence: the deprecated in-tree `backup.barmanObjectStore`
 * (replaced by the Barman Cloud plugin) and `monitoring.enablePodMonitor` (replaced by PodMonitors).
 */
export type Cluster = CnpgCluster & {
  spec: { backup?: { barmanObjectStore?: object }; monitoring?: { enablePodMonitor?: boolean } };
};

/** A CEL health check of a Flux Kustomization (kustomize-controller v1.5+; the model predates it). */
export interface HealthCheckExpression {
  readonly apiVersion: string;
  readonly kind?: string;
  readonly current: string;
  readonly failed?: string;
  readonly inProgress?: string;
}

/** Flux's Kustomization with `spec.healthCheckExprs`, which the model package does not know yet. */
export type Kustomization = IKustomization & { spec: { healthCheckExprs?: HealthCheckExpression[] } };

/** Kind → model type, for every kind the tests read. */
export interface Kinds {
  // core (kubernetes-models)
  Namespace: INamespace;
  ResourceQuota: IResourceQuota;
  LimitRange: ILimitRange;
  ConfigMap: IConfigMap;
  Secret: ISecret;
  ServiceAccount: IServiceAccount;
  Service: IService;
  Deployment: IDeployment;
  StatefulSet: IStatefulSet;
  DaemonSet: IDaemonSet;
  Job: IJob;
  CronJob: ICronJob;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  PodDisruptionBudget: IPodDisruptionBudget;
  NetworkPolicy: INetworkPolicy;
  Ingress: IIngress;
  Role: IRole;
  RoleBinding: IRoleBinding;
  // CRDs (@kubernetes-models/*)
  HTTPRoute: IHTTPRoute;
  ServiceMonitor: IServiceMonitor;
  PodMonitor: IPodMonitor;
  PrometheusRule: IPrometheusRule;
  ExternalSecret: IExternalSecret;
  Rollout: Rollout;
  AnalysisTemplate: IAnalysisTemplate;
  Application: IApplication;
  AppProject: IAppProject;
  GitRepository: IGitRepository;
  /** Flux's Kustomization (kustomize.toolkit.fluxcd.io), not a kustomize `kustomization.yaml`. */
  Kustomization: Kustomization;
  Provider: IProvider;
  Alert: IAlert;
  // CloudNativePG and the Barman Cloud plugin (src/postgres/cnpg-types.ts)
  Cluster: Cluster;
  Pooler: CnpgPooler;
  ScheduledBackup: CnpgScheduledBackup;
  Backup: CnpgBackup;
  ObjectStore: BarmanObjectStore;
}

/** A kind the tests can read through a typed view. */
export type Kind = keyof Kinds;

/**
 * The apiVersion of each kind, checked when an object is read as that kind, so a view never claims
 * a model the object does not have (and a model upgrade that moves a kind to another version fails
 * to compile here).
 */
export const API_VERSIONS: { readonly [K in Kind]: Kinds[K]['apiVersion'] } = {
  Namespace: 'v1',
  ResourceQuota: 'v1',
  LimitRange: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  ServiceAccount: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodDisruptionBudget: 'policy/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  Ingress: 'networking.k8s.io/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  HTTPRoute: 'gateway.networking.k8s.io/v1',
  ServiceMonitor: 'monitoring.coreos.com/v1',
  PodMonitor: 'monitoring.coreos.com/v1',
  PrometheusRule: 'monitoring.coreos.com/v1',
  ExternalSecret: 'external-secrets.io/v1',
  Rollout: 'argoproj.io/v1alpha1',
  AnalysisTemplate: 'argoproj.io/v1alpha1',
  Application: 'argoproj.io/v1alpha1',
  AppProject: 'argoproj.io/v1alpha1',
  GitRepository: 'source.toolkit.fluxcd.io/v1',
  Kustomization: 'kustomize.toolkit.fluxcd.io/v1',
  Provider: 'notification.toolkit.fluxcd.io/v1beta3',
  Alert: 'notification.toolkit.fluxcd.io/v1beta3',
  Cluster: 'postgresql.cnpg.io/v1',
  Pooler: 'postgresql.cnpg.io/v1',
  ScheduledBackup: 'postgresql.cnpg.io/v1',
  Backup: 'postgresql.cnpg.io/v1',
  ObjectStore: 'barmancloud.cnpg.io/v1',
};

/** Object metadata, as every kind has it. */
export type ObjectMeta = NonNullable<INamespace['metadata']>;
/** A pod template (Deployment, StatefulSet, Job, Rollout). */
export type PodTemplateSpec = IPodTemplateSpec;
/** A pod spec. */
export type PodSpec = IPodSpec;
/** A container. */
export type Container = IContainer;
/** A container's environment variable. */
export type EnvVar = IEnvVar;
