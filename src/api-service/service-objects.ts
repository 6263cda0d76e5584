/**
 * The object builders of an API service: Services, HPAs, PDBs, workload specs, routes and alerts,
 * built into the service's construct with its names, labels and pod definition. The constructs and
 * their release engines build through these, so each object's shape exists once.
 */
import { ApiObject, Chart, Duration, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate' with { 'resolution-mode': 'import' };
import { wholeSeconds } from '../core/duration';
import { reloadOnSecretChange, reloadsOnSecretChange } from '../core/secret-rotation';
import { parseQuantity } from '../core/quantity';
import { placementOf } from '../core/placement';
import { kubeObject } from '../core/kube-object';
import { selectorLabels, standardLabels, StandardLabelsOptions } from '../core/labels';
import { dnsEgressRule, NetworkPeer, policyPorts } from '../core/network-peer';
import { HOOK_ANNOTATION, HOOK_DELETE_POLICY_ANNOTATION, SyncWave, syncWaveAnnotation } from '../core/sync-wave';
import { apiAlertGroups } from '../monitoring/api-alerts';
import { apiDashboard } from '../monitoring/api-dashboard';
import { ApiSignalTarget, WorkloadKind } from '../monitoring/api-signals';
import { monitoringObjects } from '../monitoring/objects';
import { HttpMetrics } from '../monitoring/http-metrics';
import { DEFAULT_SCRAPE_INTERVAL, observabilityOf } from '../monitoring/settings';
import { ApiServiceProps, DEFAULT_RESOURCES, PlainMetadata, RouteBackend } from './api-service-props';
import { Exposure, RouteRequest } from './exposure';
import { Migration } from './migration';
import { DrainHook } from './drain-hook';
import { BackendPodInput, backendPodTemplate, podTemplateJson } from './pod';
import { DEFAULT_REQUESTS_PER_SECOND_METRIC, ResolvedAutoscaling, Scaling } from './scaling';
import { ResolvedSmokeTest, smokeTestJobSpec } from './smoke-test';

/** Annotation of a smoke-check pod naming what it tests (the Service and the image of the release). */
export const SMOKE_TEST_TARGET_ANNOTATION = 'cdk8s-trading/smoke-test-target';

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
  /** The health paths a smoke check GETs by default; the service adds to it as it is connected, the builders read it at synthesis. */
  readonly healthPaths: readonly string[];
  /** Admits `peer` to the pods' HTTP port (the service's NetworkPolicy). */
  readonly admitToHttp: (peer: NetworkPeer) => void;
}

/** A ConfigMap the pods load as variables. */
export interface ConfigMapRef {
  /** Its name. */
  readonly name: string;
  /** Its data. */
  readonly data: Readonly<Record<string, string>>;
}

/** A workload an engine runs for the service, which the service wraps (`ServiceObjects.wrapWorkloads`). */
export interface ServiceWorkload {
  /** Prefix of the construct ids of its autoscaler and disruption budget (`''`, `'Blue'`, `'Canary'`). */
  readonly idPrefix: string;
  /** Its name. */
  readonly name: string;
  /** Its kind. */
  readonly kind: WorkloadKind;
  /** Its pods' labels. */
  readonly selector: Readonly<Record<string, string>>;
  /** Whether the service's autoscaler scales it (a canary track keeps its own count). */
  readonly autoscaled: boolean;
  /** Its autoscaler's minimum, when not the service's (a blue-green colour carrying a staged release). */
  readonly minReplicas?: number;
}

/** What `wrapWorkloads` put around the workloads. */
export interface WrappedWorkloads {
  /** The HPAs, when the service autoscales. */
  readonly autoscalers: readonly ApiObject[];
  /** The PodDisruptionBudgets. */
  readonly disruptionBudgets: readonly ApiObject[];
  /** The PrometheusRule, when alerts are on. */
  readonly alertRules?: ApiObject;
  /** The Grafana dashboard ConfigMap, when the dashboard is on. */
  readonly dashboard?: ApiObject;
}

/** The builders of one API service, scoped to its construct. */
export class ServiceObjects {
  /** Workloads that run the application (ordered after migrations when a database is connected). */
  public readonly applicationWorkloads: ApiObject[] = [];
  /** Names of the HPAs built so far (the dashboard plots their replicas). */
  private readonly autoscalerNames: string[] = [];

  /** `scope`: the service's construct, which every object is built into. */
  constructor(
    public readonly scope: Construct,
    private readonly spec: ServiceObjectsSpec,
  ) {}

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

  /** How often Prometheus scrapes the service's pods (`monitoring.interval`). */
  public get scrapeInterval(): Duration {
    return this.spec.props.monitoring?.interval ?? DEFAULT_SCRAPE_INTERVAL;
  }

  /** The Prometheus its releases' analyses query unless an analysis names its own: the service's, else the environment's. */
  public get prometheusAddress(): string {
    return observabilityOf(this.scope, this.spec.props.monitoring).prometheusAddress;
  }

  /** The names of the HTTP metrics the service exports: the service's, else the environment's. */
  public get httpMetrics(): HttpMetrics {
    return observabilityOf(this.scope, this.spec.props.monitoring).httpMetrics;
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
  public podInput(
    selector: Record<string, string>,
    extraLabels: Record<string, string> = {},
    image = this.spec.props.image,
    configOf?: string,
  ): BackendPodInput {
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
      livenessPath: props.healthCheck?.livenessPath,
      startupTimeoutSeconds: migration.startupTimeoutSeconds,
      resources: props.resources ?? DEFAULT_RESOURCES,
      configMapName: config?.name,
      configData: { ...config?.data },
      env: this.spec.env as k8s.EnvVar[],
      drainSeconds: rollout.drain ? wholeSeconds(rollout.drain) : 10,
      drainHook: rollout.drainHook ?? DrainHook.execSleep(),
      terminationGracePeriodSeconds: rollout.terminationGracePeriod ? wholeSeconds(rollout.terminationGracePeriod) : 45,
      runAsUser: props.runAsUser ?? 10001,
      spread: this.spec.scaling.maxReplicas > 1,
      command: props.command,
      args: props.args,
      restartToken: rollout.restartToken,
    };
  }

  /** The pod template of pods selected by `selector` (with `extraLabels`) running `image`, loading workload `configOf`'s ConfigMap. */
  public podTemplate(
    selector: Record<string, string>,
    extraLabels: Record<string, string> = {},
    image?: string,
    configOf?: string,
  ): k8s.PodTemplateSpec {
    return backendPodTemplate(this.podInput(selector, extraLabels, image, configOf));
  }

  /** A ClusterIP Service with the http and metrics ports, selecting `selector`. */
  public service(id: string, name: string, selector: Record<string, string>): ApiObject {
    return kubeObject(
      this.scope,
      id,
      k8s.KubeService.GVK,
      {
        metadata: this.meta(name),
        spec: {
          type: 'ClusterIP',
          selector: { ...selector },
          ports: [
            { name: 'http', port: this.spec.port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
            { name: 'metrics', port: this.spec.metricsPort, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' },
          ],
        },
      },
      k8s.toJson_KubeServiceProps,
    );
  }

  /** An `autoscaling/v2` HPA on CPU, memory (of the request, or of the limit) and requests per second if asked, for `target`, when autoscaling. */
  private autoscaler(id: string, name: string, target: k8s.CrossVersionObjectReferenceV2, minReplicas?: number): ApiObject | undefined {
    const a = this.spec.scaling.autoscaling;
    if (!a) return undefined;
    this.autoscalerNames.push(name);
    const utilization = (resource: string, averageUtilization: number): k8s.MetricSpecV2 => ({
      type: 'Resource',
      resource: { name: resource, target: { type: 'Utilization', averageUtilization } },
    });
    const memory =
      a.memoryOfLimit === undefined
        ? utilization('memory', a.memoryUtilization ?? 80)
        : memoryOfLimitMetric(a.memoryOfLimit, (this.spec.props.resources ?? DEFAULT_RESOURCES).limits.memory);
    const requestRate: k8s.MetricSpecV2[] =
      a.requestsPerSecond === undefined
        ? []
        : [
            {
              type: 'Pods',
              pods: {
                metric: { name: a.requestsPerSecondMetric ?? DEFAULT_REQUESTS_PER_SECOND_METRIC },
                target: { type: 'AverageValue', averageValue: k8s.Quantity.fromString(String(a.requestsPerSecond)) },
              },
            },
          ];
    return kubeObject(
      this.scope,
      id,
      k8s.KubeHorizontalPodAutoscalerV2.GVK,
      {
        metadata: this.meta(name),
        spec: {
          scaleTargetRef: target,
          minReplicas: minReplicas ?? a.minReplicas,
          maxReplicas: a.maxReplicas,
          metrics: [utilization('cpu', a.cpuUtilization), memory, ...requestRate],
          // Scale up at once, scale down slowly: trading load is bursty.
          behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
        },
      },
      k8s.toJson_KubeHorizontalPodAutoscalerV2Props,
    );
  }

  /** A PDB with `maxUnavailable: 1` (never `minAvailable = replicas`), so a drain can always evict. */
  private disruptionBudget(id: string, name: string, selector: Record<string, string>): ApiObject {
    return kubeObject(
      this.scope,
      id,
      k8s.KubePodDisruptionBudget.GVK,
      {
        metadata: this.meta(name),
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...selector } } },
      },
      k8s.toJson_KubePodDisruptionBudgetProps,
    );
  }

  /** The service's autoscaling, when an HPA owns the count. */
  public get autoscaling(): ResolvedAutoscaling | undefined {
    return this.spec.scaling.autoscaling;
  }

  /** Replicas of a workload at its full size: none when an HPA owns the count. */
  public replicas(): number | undefined {
    return this.spec.scaling.autoscaling ? undefined : this.spec.scaling.minReplicas;
  }

  /**
   * What every workload spec of the service starts with (Deployment or Rollout): replicas unless an
   * HPA owns them, five old revisions kept, minReadySeconds, a 10-minute progress deadline, the selector.
   */
  public workloadSpecBase(
    selector: Record<string, string>,
    replicas: number | undefined = this.replicas(),
  ): {
    replicas?: number;
    revisionHistoryLimit: number;
    minReadySeconds: number;
    progressDeadlineSeconds: number;
    selector: { matchLabels: Record<string, string> };
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
  public deployment(
    id: string,
    name: string,
    selector: Record<string, string>,
    template: k8s.PodTemplateSpec,
    replicas: number | undefined = this.replicas(),
    extraLabels: Record<string, string> = {},
  ): ApiObject {
    const deployment = kubeObject(
      this.scope,
      id,
      k8s.KubeDeployment.GVK,
      {
        metadata: this.meta(name, {}, extraLabels),
        spec: {
          ...this.workloadSpecBase(selector, replicas),
          strategy: {
            type: 'RollingUpdate',
            rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
          },
          template,
        },
      },
      (p) => {
        // The generated conversion knows the Kubernetes 1.28 API only: the template is converted with what it drops put back.
        const json = k8s.toJson_KubeDeploymentProps(p);
        return json && { ...json, spec: { ...json.spec, template: podTemplateJson(template) } };
      },
    );
    this.addApplicationWorkload(deployment);
    return deployment;
  }

  /**
   * Records `workload` (a Deployment or Rollout the service or its engine built) as running the application: ordered after
   * migrations when a database is connected, and rolled by Reloader when a Secret it references changes (`secretRotation`).
   */
  public addApplicationWorkload(workload: ApiObject): void {
    this.applicationWorkloads.push(workload);
    if (reloadsOnSecretChange(this.scope, this.spec.props.secretRotation)) reloadOnSecretChange(workload);
  }

  /** An HTTPRoute (Gateway exposure) for `hosts` to `backends`, or `undefined` without Gateway exposure. */
  public httpRoute(id: string, name: string, hosts: readonly string[], backends: readonly RouteBackend[]): ApiObject | undefined {
    return this.spec.exposure._httpRoute(this.routeRequest(id, name, hosts), backends);
  }

  /** An Ingress (Ingress exposure) for `hosts` to `service`, with TLS from cert-manager; `undefined` without Ingress exposure. */
  public ingress(
    id: string,
    name: string,
    hosts: readonly string[],
    service: string,
    annotations: Record<string, string> = {},
    tls = true,
  ): ApiObject | undefined {
    return this.spec.exposure._ingress(this.routeRequest(id, name, hosts), service, annotations, tls);
  }

  private routeRequest(id: string, name: string, hosts: readonly string[]): RouteRequest {
    return { scope: this.scope, id, metadata: this.meta(name), hosts, port: this.spec.port };
  }

  /**
   * The route of `hosts` to `backends` (ids `<idPrefix>HttpRoute` / `<idPrefix>Ingress`): an HTTPRoute
   * with the Gateway exposure, an Ingress to the first backend with the Ingress exposure, else none.
   */
  public route(idPrefix: string, name: string, hosts: readonly string[], backends: readonly RouteBackend[]): ApiObject | undefined {
    return this.httpRoute(`${idPrefix}HttpRoute`, name, hosts, backends) ?? this.ingress(`${idPrefix}Ingress`, name, hosts, backends[0].service);
  }

  /** Labels of smoke-check pods: their own `name` (`<name>-smoke-test`), so the service's NetworkPolicy does not select them. */
  public smokeTestLabels(): Record<string, string> {
    return standardLabels({ ...this.spec.labelOptions, name: `${this.spec.name}-smoke-test`, component: 'smoke-test' });
  }

  /**
   * The NetworkPolicy of the smoke-check pods (egress to DNS and to the service's pods' HTTP port, no
   * ingress), and the service's admission of them; built once, by the first smoke check.
   */
  public smokeTestNetworkPolicy(): ApiObject {
    const existing = this.scope.node.tryFindChild('SmokeTestNetworkPolicy');
    if (existing instanceof ApiObject) return existing;
    const labels = this.smokeTestLabels();
    const selector = selectorLabels({ ...this.spec.labelOptions, name: labels['app.kubernetes.io/name'], component: 'smoke-test' });
    this.spec.admitToHttp(NetworkPeer.pods(selector));
    return kubeObject(
      this.scope,
      'SmokeTestNetworkPolicy',
      k8s.KubeNetworkPolicy.GVK,
      {
        metadata: this.meta(`${this.spec.name}-smoke-test`, { name: labels['app.kubernetes.io/name'], component: 'smoke-test' }),
        spec: {
          podSelector: { matchLabels: selector },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [],
          egress: [
            dnsEgressRule(this.scope),
            { to: [{ podSelector: { matchLabels: selectorLabels(this.spec.labelOptions) } }], ports: policyPorts([{ port: this.spec.port }]) },
          ],
        },
      },
      k8s.toJson_KubeNetworkPolicyProps,
    );
  }

  /** The URLs a smoke check GETs through `service` (a name, or an Argo Rollouts `{{args.…}}` placeholder). */
  private smokeUrls(smoke: ResolvedSmokeTest, service: string, namespace: string | undefined): string[] {
    const host = namespace === undefined ? service : `${service}.${namespace}.svc`;
    return (smoke.paths ?? this.spec.healthPaths).map((path) => `http://${host}:${this.spec.port}${path}`);
  }

  /**
   * A smoke-check Job `<name>-smoke-test` against `service`, run by Argo CD after every sync (a
   * `PostSync` hook, recreated each time) and by Flux in its own stage after the application. The pods
   * carry `target` as an annotation, so a new release changes the Job and Flux (which applies the
   * stage with `force`) runs it again.
   */
  public smokeTestJob(smoke: ResolvedSmokeTest, service: string, target: string): ApiObject {
    this.smokeTestNetworkPolicy();
    const name = `${this.spec.name}-smoke-test`;
    return new ApiObject(this.scope, 'SmokeTest', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        ...this.meta(name, { name, component: 'smoke-test' }),
        annotations: {
          [HOOK_ANNOTATION]: 'PostSync',
          [HOOK_DELETE_POLICY_ANNOTATION]: 'BeforeHookCreation',
          ...syncWaveAnnotation(SyncWave.SMOKE_TEST),
        },
      },
      spec: Lazy.any({
        produce: () =>
          k8s.toJson_JobSpec(
            smokeTestJobSpec({
              smoke,
              urls: this.smokeUrls(smoke, service, this.namespace),
              labels: this.smokeTestLabels(),
              annotations: { [SMOKE_TEST_TARGET_ANNOTATION]: target },
              placement: placementOf(this.scope, this.spec.props.placement),
            }),
          ),
      }),
    });
  }

  /**
   * An AnalysisTemplate `<name>-smoke-test` with one `job` metric: Argo Rollouts runs the smoke-check
   * Job against the Service named by the `service-name` argument, and the metric passes only when the
   * Job succeeds.
   */
  public smokeTestTemplate(smoke: ResolvedSmokeTest): { readonly name: string; readonly template: ApiObject } {
    this.smokeTestNetworkPolicy();
    const name = `${this.spec.name}-smoke-test`;
    const labels = this.smokeTestLabels();
    const template: IAnalysisTemplate = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: this.meta(name),
      spec: {
        args: [{ name: 'service-name' }, { name: 'namespace' }],
        metrics: [
          {
            name: 'smoke-test',
            count: 1,
            failureLimit: 0,
            provider: {
              job: {
                metadata: { labels },
                spec: Lazy.any({
                  produce: () =>
                    k8s.toJson_JobSpec(
                      smokeTestJobSpec({
                        smoke,
                        urls: this.smokeUrls(smoke, '{{args.service-name}}', '{{args.namespace}}'),
                        labels,
                        annotations: {},
                        placement: placementOf(this.scope, this.spec.props.placement),
                      }),
                    ),
                }) as unknown as NonNullable<NonNullable<NonNullable<IAnalysisTemplate['spec']>['metrics']>[number]['provider']['job']>['spec'],
              },
            },
          },
        ],
      },
    };
    return { name, template: new ApiObject(this.scope, 'SmokeTestTemplate', template) };
  }

  /**
   * The PrometheusRule `<name>-alerts` and the dashboard ConfigMap `<name>-dashboard` for the workloads
   * named `workloads` of `kind`, each unless disabled; call it after the workloads and HPAs are built.
   * `longestPauseSeconds` is a Rollout's longest timed pause step (a longer pause is alerted on).
   */
  /**
   * What every service puts around the workloads its engine runs: an autoscaler on each the service scales,
   * a disruption budget on each, and the service's monitoring (PodMonitor, alerts, dashboard) of all of them.
   * `longestPauseSeconds`: the longest timed pause of a release, after which a paused Rollout alerts.
   */
  public wrapWorkloads(workloads: readonly ServiceWorkload[], longestPauseSeconds = 0): WrappedWorkloads {
    const autoscalers: ApiObject[] = [];
    const disruptionBudgets: ApiObject[] = [];
    for (const w of workloads) {
      const apiVersion = w.kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1';
      const autoscaler = w.autoscaled
        ? this.autoscaler(`${w.idPrefix}Autoscaler`, w.name, { apiVersion, kind: w.kind, name: w.name }, w.minReplicas)
        : undefined;
      if (autoscaler) autoscalers.push(autoscaler);
      disruptionBudgets.push(this.disruptionBudget(`${w.idPrefix}DisruptionBudget`, w.name, { ...w.selector }));
    }
    const kind = workloads[0]?.kind ?? 'Deployment';
    const monitoring = this.monitoring(
      kind,
      workloads.map((w) => w.name),
      longestPauseSeconds,
    );
    return { autoscalers, disruptionBudgets, ...monitoring };
  }

  private monitoring(kind: WorkloadKind, workloads: readonly string[], longestPauseSeconds = 0): { alertRules?: ApiObject; dashboard?: ApiObject } {
    const monitoring = this.spec.props.monitoring ?? {};
    const settings = observabilityOf(this.scope, monitoring);
    const migration = this.spec.props.migration ?? Migration.none();
    const target: ApiSignalTarget = {
      namespace: this.namespace,
      service: this.spec.name,
      workloadKind: kind,
      workloads,
      container: this.spec.name,
      autoscalers: [...this.autoscalerNames],
      migrationJob: migration.job ? `${this.spec.name}-migrate` : undefined,
      longestPauseSeconds,
      http: settings.httpMetrics,
    };
    return monitoringObjects(this.scope, {
      name: this.spec.name,
      meta: (n) => this.meta(n),
      settings,
      alerts: monitoring.alerts ?? true,
      dashboard: monitoring.dashboard ?? true,
      groups: () => apiAlertGroups(target, settings),
      dashboardModel: () => apiDashboard(target, settings.environment),
    });
  }
}

const MIB = 1024 * 1024;

/**
 * A memory target of `percent` of the memory `limit`, as an `AverageValue` in whole MiB (rounded down): the HPA's
 * `Utilization` is a share of the request, and the alerts judge the limit.
 */
function memoryOfLimitMetric(percent: number, limit: string): k8s.MetricSpecV2 {
  const bytes = parseQuantity(limit) ?? 0;
  const averageValue = k8s.Quantity.fromString(`${Math.max(1, Math.floor((bytes * percent) / 100 / MIB))}Mi`);
  return { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue } } };
}
