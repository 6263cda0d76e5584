/**
 * The object builders of an API service: Services, HPAs, PDBs, workload specs, routes and alerts,
 * built into the service's construct with its names, labels and pod definition. The constructs and
 * their release engines build through these, so each object's shape exists once.
 */
import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule' with { 'resolution-mode': 'import' };
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute' with { 'resolution-mode': 'import' };
import { wholeSeconds } from '../core/duration';
import { placementOf } from '../core/placement';
import { kubeObject } from '../core/kube-object';
import { standardLabels, StandardLabelsOptions } from '../core/labels';
import { backendAlertGroups, WorkloadKind } from './alerts';
import { ApiServiceProps, DEFAULT_RESOURCES, PlainMetadata, RouteBackend } from './api-service-props';
import { Exposure } from './exposure';
import { Migration } from './migration';
import { BackendPodInput, backendPodTemplate } from './pod';
import { Scaling } from './scaling';

/** What the builders need to know about their service. */
export interface ServiceObjectsSpec {
  /** `metadata.name` of the primary workload and its Service. */
  readonly name: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly labelOptions: StandardLabelsOptions;
  readonly props: ApiServiceProps;
  readonly scaling: Scaling;
  readonly exposure: Exposure;
  /** The pods' variables; the service adds to it while it is wired, the builders read it at synthesis. */
  readonly env: readonly k8s.EnvVar[];
  /** The ConfigMap loaded as variables, if any, and the variables in it (hashed into the pods). */
  readonly config?: ConfigMapRef;
  /** Per-workload ConfigMaps, by workload suffix (see `IServiceEngine.workloadConfig`); they replace `config`. */
  readonly workloadConfigs?: ReadonlyMap<string, ConfigMapRef>;
}

/** A ConfigMap the pods load as variables. */
export interface ConfigMapRef {
  /** Its name. */
  readonly name: string;
  /** Its data. */
  readonly data: Readonly<Record<string, string>>;
}

/** The builders of one API service, scoped to its construct. */
export class ServiceObjects {
  /** Workloads that run the application (ordered after migrations when a database is connected). */
  public readonly applicationWorkloads: ApiObject[] = [];

  /** `scope`: the service's construct, which every object is built into. */
  constructor(public readonly scope: Construct, private readonly spec: ServiceObjectsSpec) {}

  /** The service's name. */
  public get name(): string {
    return this.spec.name;
  }

  /** Replicas or autoscaling. */
  public get scaling(): Scaling {
    return this.spec.scaling;
  }

  /** Route settings. */
  public get exposure(): Exposure {
    return this.spec.exposure;
  }

  /** The namespace of the service's chart. */
  public get namespace(): string | undefined {
    return Chart.of(this.scope).namespace;
  }

  /** Metadata with the standard labels (and `extra` label options). */
  public meta(objectName: string, extra: Partial<StandardLabelsOptions> = {}, extraLabels: Record<string, string> = {}): PlainMetadata {
    return { name: objectName, labels: { ...standardLabels({ ...this.spec.labelOptions, ...extra }), ...extraLabels } };
  }

  /** The ConfigMap the pods of workload `suffix` load (the shared one without a suffix, or when there are no per-workload ones). */
  public configOf(suffix?: string): ConfigMapRef | undefined {
    const own = this.spec.workloadConfigs;
    if (!own) return this.spec.config;
    if (suffix !== undefined && own.has(suffix)) return own.get(suffix);
    return own.values().next().value;
  }

  /**
   * The pod definition of this service, for pods selected by `selector` (with `extraLabels`) running `image`,
   * loading the ConfigMap of workload `configOf` (see `configOf`).
   */
  public podInput(selector: Record<string, string>, extraLabels: Record<string, string> = {}, image = this.spec.props.image, configOf?: string): BackendPodInput {
    const props = this.spec.props;
    const config = this.configOf(configOf);
    const migration = props.migration ?? Migration.none();
    const rollout = props.rollout ?? {};
    return {
      name: this.spec.name,
      placement: placementOf(this.scope, props.placement),
      image,
      podLabels: { ...standardLabels(this.spec.labelOptions), ...extraLabels },
      selector,
      serviceAccountName: this.spec.name,
      port: this.spec.port,
      metricsPort: this.spec.metricsPort,
      readinessPath: props.healthCheck?.readinessPath ?? '/health',
      livenessPath: props.healthCheck?.livenessPath ?? props.healthCheck?.readinessPath ?? '/health',
      startupTimeoutSeconds: migration.mode === 'on-start' ? migration.startupTimeoutSeconds : undefined,
      resources: props.resources ?? DEFAULT_RESOURCES,
      configMapName: config?.name,
      configData: { ...config?.data },
      env: this.spec.env as k8s.EnvVar[],
      drainSeconds: rollout.drain ? wholeSeconds(rollout.drain) : 10,
      terminationGracePeriodSeconds: rollout.terminationGracePeriod ? wholeSeconds(rollout.terminationGracePeriod) : 45,
      runAsUser: props.runAsUser ?? 10001,
      spread: this.spec.scaling.maxReplicas > 1,
      command: props.command,
      args: props.args,
      restartToken: rollout.restartToken,
    };
  }

  /** The pod template of pods selected by `selector` (with `extraLabels`) running `image`, loading workload `configOf`'s ConfigMap. */
  public podTemplate(selector: Record<string, string>, extraLabels: Record<string, string> = {}, image?: string, configOf?: string): k8s.PodTemplateSpec {
    return backendPodTemplate(this.podInput(selector, extraLabels, image, configOf));
  }

  /** A ClusterIP Service with the http and metrics ports, selecting `selector`. */
  public service(id: string, name: string, selector: Record<string, string>): ApiObject {
    return kubeObject(this.scope, id, k8s.KubeService.GVK, {
      metadata: this.meta(name),
      spec: {
        type: 'ClusterIP',
        selector: { ...selector },
        ports: [
          { name: 'http', port: this.spec.port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
          { name: 'metrics', port: this.spec.metricsPort, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' },
        ],
      },
    }, k8s.toJson_KubeServiceProps);
  }

  /** An `autoscaling/v2` HPA on CPU and memory for `target`, when autoscaling. */
  public autoscaler(id: string, name: string, target: k8s.CrossVersionObjectReferenceV2): ApiObject | undefined {
    const a = this.spec.scaling.autoscaling;
    if (!a) return undefined;
    const utilization = (resource: string, averageUtilization: number): k8s.MetricSpecV2 => ({
      type: 'Resource',
      resource: { name: resource, target: { type: 'Utilization', averageUtilization } },
    });
    return kubeObject(this.scope, id, k8s.KubeHorizontalPodAutoscalerV2.GVK, {
      metadata: this.meta(name),
      spec: {
        scaleTargetRef: target,
        minReplicas: a.minReplicas,
        maxReplicas: a.maxReplicas,
        metrics: [utilization('cpu', a.cpuUtilization), utilization('memory', a.memoryUtilization)],
        // Scale up at once, scale down slowly: trading load is bursty.
        behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
      },
    }, k8s.toJson_KubeHorizontalPodAutoscalerV2Props);
  }

  /** A PDB with `maxUnavailable: 1` (never `minAvailable = replicas`), so a drain can always evict. */
  public disruptionBudget(id: string, name: string, selector: Record<string, string>): ApiObject {
    return kubeObject(this.scope, id, k8s.KubePodDisruptionBudget.GVK, {
      metadata: this.meta(name),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...selector } } },
    }, k8s.toJson_KubePodDisruptionBudgetProps);
  }

  /** Replicas of a workload at its full size: none when an HPA owns the count. */
  public replicas(): number | undefined {
    return this.spec.scaling.autoscaling ? undefined : this.spec.scaling.minReplicas;
  }

  /**
   * What every workload spec of the service starts with (Deployment or Rollout): replicas unless an
   * HPA owns them, five old revisions kept, minReadySeconds, a 10-minute progress deadline, the selector.
   */
  public workloadSpecBase(selector: Record<string, string>, replicas: number | undefined = this.replicas()): {
    replicas?: number; revisionHistoryLimit: number; minReadySeconds: number; progressDeadlineSeconds: number; selector: { matchLabels: Record<string, string> };
  } {
    return {
      ...(replicas === undefined ? {} : { replicas }),
      revisionHistoryLimit: 5,
      minReadySeconds: this.spec.props.rollout?.minReady ? wholeSeconds(this.spec.props.rollout.minReady) : 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { ...selector } },
    };
  }

  /** A zero-downtime rolling-update Deployment (surge 1, unavailable 0) of pods selected by `selector`. */
  public deployment(id: string, name: string, selector: Record<string, string>, template: k8s.PodTemplateSpec,
    replicas: number | undefined = this.replicas(), extraLabels: Record<string, string> = {}): ApiObject {
    const deployment = kubeObject(this.scope, id, k8s.KubeDeployment.GVK, {
      metadata: this.meta(name, {}, extraLabels),
      spec: {
        ...this.workloadSpecBase(selector, replicas),
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template,
      },
    }, k8s.toJson_KubeDeploymentProps);
    this.applicationWorkloads.push(deployment);
    return deployment;
  }

  /** An HTTPRoute (Gateway exposure) for `hosts` to `backends`, or `undefined` without Gateway exposure. */
  public httpRoute(id: string, name: string, hosts: readonly string[], backends: readonly RouteBackend[]): ApiObject | undefined {
    const gateway = this.spec.exposure.gatewayOptions;
    if (!gateway) return undefined;
    const route: IHTTPRoute = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: this.meta(name),
      spec: {
        parentRefs: [{
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: gateway.gatewayName,
          namespace: gateway.gatewayNamespace,
          ...(gateway.listenerName ? { sectionName: gateway.listenerName } : {}),
        }],
        hostnames: [...hosts],
        rules: [{
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: backends.map((b) => ({
            group: '', kind: 'Service', name: b.service, port: this.spec.port, ...(b.weight === undefined ? {} : { weight: b.weight }),
          })),
        }],
      },
    };
    return new ApiObject(this.scope, id, route);
  }

  /** An Ingress (Ingress exposure) for `hosts` to `service`, with TLS from cert-manager; `undefined` without Ingress exposure. */
  public ingress(id: string, name: string, hosts: readonly string[], service: string, annotations: Record<string, string> = {}, tls = true): ApiObject | undefined {
    const ingress = this.spec.exposure.ingressOptions;
    if (!ingress) return undefined;
    return kubeObject(this.scope, id, k8s.KubeIngress.GVK, {
      metadata: {
        ...this.meta(name),
        annotations: { ...(tls ? { 'cert-manager.io/cluster-issuer': ingress.clusterIssuer } : {}), ...annotations },
      },
      spec: {
        ingressClassName: ingress.className,
        ...(tls ? { tls: [{ hosts: [...hosts], secretName: ingress.tlsSecretName ?? `${name}-tls` }] } : {}),
        rules: hosts.map((host) => ({
          host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { name: 'http' } } } }] },
        })),
      },
    }, k8s.toJson_KubeIngressProps);
  }

  /**
   * The route of `hosts` to `backends` (ids `<idPrefix>HttpRoute` / `<idPrefix>Ingress`): an HTTPRoute
   * with the Gateway exposure, an Ingress to the first backend with the Ingress exposure, else none.
   */
  public route(idPrefix: string, name: string, hosts: readonly string[], backends: readonly RouteBackend[]): ApiObject | undefined {
    return this.httpRoute(`${idPrefix}HttpRoute`, name, hosts, backends)
      ?? this.ingress(`${idPrefix}Ingress`, name, hosts, backends[0].service);
  }

  /** The alerts for the workloads named `workloads` of `kind`, unless disabled. */
  public alerts(kind: WorkloadKind, workloads: readonly string[]): ApiObject | undefined {
    if (!(this.spec.props.monitoring?.alerts ?? true)) return undefined;
    const rule: IPrometheusRule = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: this.meta(`${this.spec.name}-alerts`),
      spec: {
        groups: backendAlertGroups({ service: this.spec.name, workloadKind: kind, workloads, container: this.spec.name, namespace: this.namespace }),
      },
    };
    return new ApiObject(this.scope, 'Alerts', rule);
  }
}
