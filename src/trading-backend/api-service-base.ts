import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor' with { 'resolution-mode': 'import' };
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule' with { 'resolution-mode': 'import' };
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute' with { 'resolution-mode': 'import' };
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret' with { 'resolution-mode': 'import' };
import { DatabaseConnection, IDatabase } from '../core/database';
import { HOOK_ANNOTATION, HOOK_DELETE_POLICY_ANNOTATION, SYNC_WAVE_ANNOTATION, SyncWave, syncWaveAnnotation } from '../core/sync-wave';
import { kubeObject } from '../core/kube-object';
import { defaultPartOf, selectorLabels, standardLabels, StandardLabelsOptions, workloadPodSelector } from '../core/labels';
import { dnsEgressRule, NetworkPeer, NetworkPort, policyPorts } from '../core/network-peer';
import { compareStrings, sortedRecord } from '../core/order';
import { SecretRef, SecretStore } from '../core/secrets';
import { requireUniqueObjectNames } from '../core/unique-names';
import { throwIfProblems } from '../core/validation';
import { backendAlertGroups, WorkloadKind } from './alerts';
import { Exposure } from './exposure';
import { Migration } from './migration';
import { BackendPodInput, taskPodTemplate } from './pod';
import { ResourceRequirements } from '../core/resources';
import { Scaling } from './scaling';
import { validateApiServiceProps } from './validate';

/** Probe paths. */
export interface HealthCheckOptions {
  /** HTTP path of the readiness (and startup) probe. @default '/health' */
  readonly readinessPath?: string;
  /** HTTP path of the liveness probe. @default - the readiness path, probed less often and more tolerantly */
  readonly livenessPath?: string;
}

/** Prometheus scraping and alerting. */
export interface MonitoringOptions {
  /** Emit a ServiceMonitor for the metrics port. @default true */
  readonly serviceMonitor?: boolean;
  /** Emit a PrometheusRule with the error-rate, latency, saturation, restart and availability alerts. @default true */
  readonly alerts?: boolean;
  /** Metrics path. @default '/metrics' */
  readonly path?: string;
  /** Scrape interval. @default '30s' */
  readonly interval?: string;
  /** Namespace Prometheus runs in; admitted to the metrics port. @default 'monitoring' */
  readonly namespace?: string;
}

/** Rollout timing of zero-downtime rolling updates. */
export interface RolloutOptions {
  /** Seconds a new pod must be ready before it counts as available. @default 10 */
  readonly minReadySeconds?: number;
  /** Seconds the preStop hook waits so load balancers stop sending before SIGTERM. @default 10 */
  readonly drainSeconds?: number;
  /** Grace period; must be longer than the drain so the server can finish in-flight requests. @default 45 */
  readonly terminationGracePeriodSeconds?: number;
}

/** Options of `connectTo`. */
export interface DatabaseEnvOptions {
  /** Variable that receives the connection URL. @default 'DATABASE_URL' */
  readonly urlVariable?: string;
}

/** What every API service (TradingBackend, BlueGreenService, CanaryRollout) is built from. */
export interface ApiServiceProps {
  /** `metadata.name` of the workload, its Service and the rest (an RFC 1123 label of at most 40 characters). @default - the construct id */
  readonly name?: string;
  /** Container image with a tag or digest (`ghcr.io/acme/trading-api:1.4.2`). */
  readonly image: string;
  /** Accept an untagged or `latest` image. Meant for dev only. @default false */
  readonly allowLatestTag?: boolean;
  /** `app.kubernetes.io/part-of` of every object. @default - the `cdk8s-trading:partOf` context, else the chart's namespace, else the chart's id */
  readonly partOf?: string;
  /** `app.kubernetes.io/instance` of every object. @default - the name */
  readonly instance?: string;
  /** HTTP port of the API. @default 8080 */
  readonly port?: number;
  /** Port of the Prometheus metrics endpoint. @default 9090 */
  readonly metricsPort?: number;
  /** Probe paths. @default - readiness and liveness on `/health` */
  readonly healthCheck?: HealthCheckOptions;
  /** Replica count or autoscaling (per colour, for blue-green). @default Scaling.fixed(2) */
  readonly scaling?: Scaling;
  /** CPU and memory requests and limits. @default - 500m/512Mi requested, 2000m/2Gi limit */
  readonly resources?: ResourceRequirements;
  /** Non-secret settings, stored in a ConfigMap and loaded as environment variables. @default - no ConfigMap */
  readonly config?: Record<string, string>;
  /** Secret environment variables, each a reference; values never pass through the library. @default - none */
  readonly secretEnv?: Record<string, SecretRef>;
  /** Store that `SecretRef.fromExternalStore` entries are read from. @default - none; required when any external reference is used */
  readonly secretStore?: SecretStore;
  /** Route from outside the cluster. @default Exposure.none() */
  readonly exposure?: Exposure;
  /** Database migrations. @default Migration.none() */
  readonly migration?: Migration;
  /** Monitoring. @default - a ServiceMonitor and the alerts, Prometheus in `monitoring` */
  readonly monitoring?: MonitoringOptions;
  /** Rollout timing. @default - minReadySeconds 10, a 10 s drain, 45 s grace period */
  readonly rollout?: RolloutOptions;
  /** Emit a NetworkPolicy for the pods. @default true */
  readonly networkPolicy?: boolean;
  /** Non-zero UID (and GID) the container runs as. @default 10001 */
  readonly runAsUser?: number;
  /** Overrides the image's entrypoint. @default - the image's ENTRYPOINT */
  readonly command?: string[];
  /** Arguments to the entrypoint. @default - the image's CMD */
  readonly args?: string[];
}

/** Requests and limits of an API container unless given: 500m/512Mi requested, 2000m/2Gi limit. */
export const DEFAULT_RESOURCES: ResourceRequirements = {
  requests: { cpu: '500m', memory: '512Mi' },
  limits: { cpu: '2000m', memory: '2Gi' },
};

/** A backend Service a route sends traffic to. */
export interface RouteBackend {
  /** Service name. */
  readonly service: string;
  /** Share of the traffic (Gateway API `weight`). @default - unweighted */
  readonly weight?: number;
}

/** Plain name + labels (+ annotations): assignable to both the k8s ObjectMeta and the CRD models' metadata. */
export interface PlainMetadata {
  name: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * The part every API service shares, whatever runs its pods: ServiceAccount, ConfigMap, secret
 * references, NetworkPolicy, ServiceMonitor, migration Job, and the wiring methods. Subclasses add
 * the workloads (a Deployment, two colours, a Rollout) with the protected builders, so the pod
 * definition, security profile and policies exist once.
 */
export abstract class ApiServiceBase extends Construct {
  /** `metadata.name` of the primary workload and its Service. */
  public readonly name: string;
  /** HTTP port the Services expose. */
  public readonly port: number;
  /** Port of the metrics endpoint. */
  public readonly metricsPort: number;
  /** Labels every pod of the service carries and is selected by (a subclass may narrow per workload). */
  public readonly selector: Readonly<Record<string, string>>;
  /** The ServiceAccount. */
  public readonly serviceAccount: ApiObject;
  /** The ConfigMap, when `config` is given. */
  public readonly configMap?: ApiObject;
  /** The ExternalSecret, when any external secret reference is used. */
  public readonly externalSecret?: ApiObject;
  /** The NetworkPolicy, unless disabled. */
  public readonly networkPolicy?: ApiObject;
  /** The ServiceMonitor, when enabled. */
  public readonly serviceMonitor?: ApiObject;
  /** The migration Job, when migrations run as a Job. */
  public readonly migrationJob?: ApiObject;

  /** The validated props. */
  protected readonly props: ApiServiceProps;
  /** Replicas or autoscaling. */
  protected readonly scaling: Scaling;
  /** Route settings. */
  protected readonly exposure: Exposure;
  /** Labels of this installation. */
  protected readonly labelOptions: StandardLabelsOptions;
  /** Workloads that must run after migrations (annotated when a database is connected). */
  protected readonly applicationWorkloads: ApiObject[] = [];

  private readonly env: k8s.EnvVar[] = [];
  /** The migration Job's env: the API's, except that database connections bypass any pooler. */
  private readonly migrationEnv: k8s.EnvVar[] = [];
  private readonly configKeys: readonly string[];
  private readonly configMapName: string | undefined;
  private readonly ingressRules: k8s.NetworkPolicyIngressRule[] = [];
  private readonly egressRules: k8s.NetworkPolicyEgressRule[] = [];

  protected constructor(scope: Construct, id: string, props: ApiServiceProps, kindName: string) {
    super(scope, id);
    throwIfProblems(`${kindName} ${this.node.path}`, validateApiServiceProps(id, props));
    requireUniqueObjectNames(this);
    this.node.addValidation({ validate: () => this.duplicateEnvProblems(kindName) });
    this.props = props;

    const name = props.name ?? id;
    this.name = name;
    this.port = props.port ?? 8080;
    this.metricsPort = props.metricsPort ?? 9090;
    this.scaling = props.scaling ?? Scaling.fixed(2);
    this.exposure = props.exposure ?? Exposure.none();
    const migration = props.migration ?? Migration.none();
    const monitoring = props.monitoring ?? {};

    this.labelOptions = { name, instance: props.instance ?? name, component: 'api', partOf: props.partOf ?? defaultPartOf(this) };
    this.selector = selectorLabels(this.labelOptions);

    this.serviceAccount = kubeObject(this, 'ServiceAccount', k8s.KubeServiceAccount.GVK, {
      metadata: this.meta(name),
      automountServiceAccountToken: false,
    }, k8s.toJson_KubeServiceAccountProps);

    const config = props.config ?? {};
    this.configKeys = Object.keys(config);
    this.configMapName = this.configKeys.length > 0 ? `${name}-config` : undefined;
    if (this.configMapName) {
      this.configMap = kubeObject(this, 'ConfigMap', k8s.KubeConfigMap.GVK, { metadata: this.meta(this.configMapName), data: sortedRecord(config) }, k8s.toJson_KubeConfigMapProps);
    }

    this.externalSecret = this.secretEnvironment(props);
    this.migrationEnv.push(...this.env);

    const trafficNamespace = this.exposure.trafficNamespace;
    if (trafficNamespace) {
      this.allowIngressFrom(NetworkPeer.namespace(trafficNamespace), { port: this.port });
    }
    if (monitoring.serviceMonitor ?? true) {
      this.allowIngressFrom(NetworkPeer.namespace(monitoring.namespace ?? 'monitoring'), { port: this.metricsPort });
    }
    this.egressRules.push(dnsEgressRule());
    if (props.networkPolicy ?? true) {
      this.networkPolicy = kubeObject(this, 'NetworkPolicy', k8s.KubeNetworkPolicy.GVK, {
        metadata: this.meta(name),
        spec: {
          // name + instance, not component: the migration Job's pods (and every colour) need the same rules.
          podSelector: { matchLabels: workloadPodSelector(this.labelOptions) },
          policyTypes: ['Ingress', 'Egress'],
          ingress: this.ingressRules,
          egress: this.egressRules,
        },
      }, k8s.toJson_KubeNetworkPolicyProps);
    }

    if (monitoring.serviceMonitor ?? true) {
      const serviceMonitor: IServiceMonitor = {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: this.meta(name),
        spec: {
          selector: { matchLabels: { ...this.selector } },
          endpoints: [{ port: 'metrics', path: monitoring.path ?? '/metrics', interval: monitoring.interval ?? '30s', scheme: 'http' }],
        },
      };
      this.serviceMonitor = new ApiObject(this, 'ServiceMonitor', serviceMonitor);
    }

    if (migration.mode === 'job' && migration.job) {
      this.migrationJob = kubeObject(this, 'Migration', k8s.KubeJob.GVK, {
        metadata: {
          ...this.meta(`${name}-migrate`, { component: 'migration' }),
          // Argo CD runs the Job before syncing the new pods and recreates it on every sync.
          annotations: {
            [HOOK_ANNOTATION]: 'PreSync',
            [HOOK_DELETE_POLICY_ANNOTATION]: 'BeforeHookCreation',
            ...syncWaveAnnotation(-1),
          },
        },
        spec: {
          backoffLimit: migration.job.backoffLimit,
          activeDeadlineSeconds: migration.job.activeDeadlineSeconds,
          template: taskPodTemplate(
            { ...this.podInput(this.selector), env: this.migrationEnv },
            'migrate',
            standardLabels({ ...this.labelOptions, component: 'migration' }),
            migration.job.command,
          ),
        },
      }, k8s.toJson_KubeJobProps);
    }
  }

  /** Admits traffic from `peer` to `ports` of the pods (the NetworkPolicy is default-deny otherwise). */
  public allowIngressFrom(peer: NetworkPeer, ...ports: NetworkPort[]): void {
    this.ingressRules.push({ from: [peer.toPolicyPeer()], ports: policyPorts(ports) });
  }

  /** Lets the pods open connections to `peer` on `ports`. */
  public allowEgressTo(peer: NetworkPeer, ...ports: NetworkPort[]): void {
    this.egressRules.push({ to: [peer.toPolicyPeer()], ports: policyPorts(ports) });
  }

  /** Adds an environment variable whose value comes from a Secret key, to the API and its migration Job. */
  public addSecretEnv(name: string, secretName: string, key: string): void {
    const entry = { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
    this.env.push(entry);
    this.migrationEnv.push(entry);
  }

  /**
   * Connects the API (and its migration Job) to a database in one call: libpq variables (`PGHOST`,
   * `PGPORT`, `PGDATABASE`, and `PGUSER`/`PGPASSWORD` from the database's Secret by reference) plus a
   * `DATABASE_URL` composed from them, egress to the database, and the database's admission of these
   * pods. The migration Job connects past any pooler and runs after the database in the sync order.
   */
  public connectTo(database: IDatabase, options: DatabaseEnvOptions = {}): void {
    const urlVariable = options.urlVariable ?? 'DATABASE_URL';
    const here = Chart.of(this).namespace;
    const there = Chart.of(database).namespace;
    const host = (h: string): string => (there !== undefined && there !== here ? `${h}.${there}.svc` : h);
    const envFor = (c: DatabaseConnection): k8s.EnvVar[] => [
      { name: 'PGHOST', value: host(c.host) },
      { name: 'PGPORT', value: String(c.port) },
      { name: 'PGDATABASE', value: c.database },
      { name: 'PGUSER', valueFrom: { secretKeyRef: { name: c.secretName, key: c.usernameKey } } },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: c.secretName, key: c.passwordKey } } },
      // $(VAR) expands variables defined earlier in the list; the password never leaves the Secret.
      { name: urlVariable, value: `postgresql://$(PGUSER):$(PGPASSWORD)@${host(c.host)}:${c.port}/${c.database}?sslmode=${c.sslMode}` },
    ];
    this.env.push(...envFor(database.connection));
    this.migrationEnv.push(...envFor(database.directConnection));
    const peers = [database.connection.clientPeer, database.directConnection.clientPeer];
    for (const peer of peers.filter((p, i) => peers.indexOf(p) === i)) {
      this.allowEgressTo(peer, { port: database.connection.port });
    }
    database.allowClientsFrom(this.peer);
    if (this.migrationJob) {
      // A PreSync hook would run before the database exists; a Sync hook between the database and
      // the application waves runs after it.
      this.migrationJob.metadata.addAnnotation(HOOK_ANNOTATION, 'Sync');
      this.migrationJob.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(SyncWave.MIGRATION));
      for (const workload of this.applicationWorkloads) {
        workload.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(SyncWave.APPLICATION));
      }
    }
  }

  /** A peer that selects this service's pods (API and migration), for other workloads' policies. */
  public get peer(): NetworkPeer {
    return NetworkPeer.pods(workloadPodSelector(this.labelOptions), Chart.of(this).namespace);
  }

  /** Metadata with the standard labels (and `extra` label options). */
  protected meta(objectName: string, extra: Partial<StandardLabelsOptions> = {}, extraLabels: Record<string, string> = {}): PlainMetadata {
    return { name: objectName, labels: { ...standardLabels({ ...this.labelOptions, ...extra }), ...extraLabels } };
  }

  /** The pod definition of this service, for pods selected by `selector` (with `extraLabels`) running `image`. */
  protected podInput(selector: Record<string, string>, extraLabels: Record<string, string> = {}, image = this.props.image): BackendPodInput {
    const migration = this.props.migration ?? Migration.none();
    const rollout = this.props.rollout ?? {};
    return {
      name: this.name,
      image,
      podLabels: { ...standardLabels(this.labelOptions), ...extraLabels },
      selector,
      serviceAccountName: this.name,
      port: this.port,
      metricsPort: this.metricsPort,
      readinessPath: this.props.healthCheck?.readinessPath ?? '/health',
      livenessPath: this.props.healthCheck?.livenessPath ?? this.props.healthCheck?.readinessPath ?? '/health',
      startupTimeoutSeconds: migration.mode === 'on-start' ? migration.startupTimeoutSeconds : undefined,
      resources: this.props.resources ?? DEFAULT_RESOURCES,
      configMapName: this.configMapName,
      configData: this.props.config ?? {},
      env: this.env,
      drainSeconds: rollout.drainSeconds ?? 10,
      terminationGracePeriodSeconds: rollout.terminationGracePeriodSeconds ?? 45,
      runAsUser: this.props.runAsUser ?? 10001,
      spread: this.scaling.maxReplicas > 1,
      command: this.props.command,
      args: this.props.args,
    };
  }

  /** A ClusterIP Service with the http and metrics ports, selecting `selector`. */
  protected createService(id: string, name: string, selector: Record<string, string>): ApiObject {
    return kubeObject(this, id, k8s.KubeService.GVK, {
      metadata: this.meta(name),
      spec: {
        type: 'ClusterIP',
        selector: { ...selector },
        ports: [
          { name: 'http', port: this.port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
          { name: 'metrics', port: this.metricsPort, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' },
        ],
      },
    }, k8s.toJson_KubeServiceProps);
  }

  /** An `autoscaling/v2` HPA on CPU and memory for `target`, when autoscaling. */
  protected createAutoscaler(id: string, name: string, target: k8s.CrossVersionObjectReferenceV2): ApiObject | undefined {
    const a = this.scaling.autoscaling;
    if (!a) return undefined;
    const utilization = (resource: string, averageUtilization: number): k8s.MetricSpecV2 => ({
      type: 'Resource',
      resource: { name: resource, target: { type: 'Utilization', averageUtilization } },
    });
    return kubeObject(this, id, k8s.KubeHorizontalPodAutoscalerV2.GVK, {
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
  protected createDisruptionBudget(id: string, name: string, selector: Record<string, string>): ApiObject {
    return kubeObject(this, id, k8s.KubePodDisruptionBudget.GVK, {
      metadata: this.meta(name),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...selector } } },
    }, k8s.toJson_KubePodDisruptionBudgetProps);
  }

  /** The zero-downtime rolling-update Deployment spec: surge 1, unavailable 0, minReadySeconds. */
  protected deploymentSpec(selector: Record<string, string>, template: k8s.PodTemplateSpec, replicas: number | undefined): k8s.DeploymentSpec {
    return {
      ...(replicas === undefined ? {} : { replicas }),
      revisionHistoryLimit: 5,
      minReadySeconds: this.props.rollout?.minReadySeconds ?? 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { ...selector } },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
      },
      template,
    };
  }

  /** An HTTPRoute (Gateway exposure) for `hosts` to `backends`, or `undefined` without Gateway exposure. */
  protected createHttpRoute(id: string, name: string, hosts: readonly string[], backends: readonly RouteBackend[]): ApiObject | undefined {
    const gateway = this.exposure.gatewayOptions;
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
            group: '', kind: 'Service', name: b.service, port: this.port, ...(b.weight === undefined ? {} : { weight: b.weight }),
          })),
        }],
      },
    };
    return new ApiObject(this, id, route);
  }

  /** An Ingress (Ingress exposure) for `hosts` to `service`, with TLS from cert-manager; `undefined` without Ingress exposure. */
  protected createIngress(id: string, name: string, hosts: readonly string[], service: string, annotations: Record<string, string> = {}, tls = true): ApiObject | undefined {
    const ingress = this.exposure.ingressOptions;
    if (!ingress) return undefined;
    return kubeObject(this, id, k8s.KubeIngress.GVK, {
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

  /** The alerts for the workloads named `workloads` of `kind`, unless disabled. */
  protected createAlerts(kind: WorkloadKind, workloads: readonly string[]): ApiObject | undefined {
    if (!(this.props.monitoring?.alerts ?? true)) return undefined;
    const rule: IPrometheusRule = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: this.meta(`${this.name}-alerts`),
      spec: {
        groups: backendAlertGroups({ service: this.name, workloadKind: kind, workloads, container: this.name, namespace: Chart.of(this).namespace }),
      },
    };
    return new ApiObject(this, 'Alerts', rule);
  }

  private secretEnvironment(props: ApiServiceProps): ApiObject | undefined {
    const externalSecretName = `${this.name}-secrets`;
    const externalRefs: Array<[string, SecretRef]> = [];
    for (const [envName, ref] of Object.entries(props.secretEnv ?? {}).sort(([a], [b]) => compareStrings(a, b))) {
      if (ref.isExternal) externalRefs.push([envName, ref]);
      this.env.push({
        name: envName,
        valueFrom: {
          secretKeyRef: ref.isExternal
            ? { name: externalSecretName, key: envName }
            : { name: ref.secretName as string, key: ref.key as string },
        },
      });
    }
    if (externalRefs.length === 0 || !props.secretStore) return undefined;
    const manifest: IExternalSecret = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: this.meta(externalSecretName),
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { name: props.secretStore.name, kind: props.secretStore.kind },
        target: { name: externalSecretName, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        data: externalRefs.map(([envName, ref]) => ({
          secretKey: envName,
          remoteRef: { key: ref.remoteKey as string, ...(ref.property ? { property: ref.property } : {}) },
        })),
      },
    };
    return new ApiObject(this, 'ExternalSecret', manifest);
  }

  private duplicateEnvProblems(kindName: string): string[] {
    const seen = new Set<string>(this.configKeys);
    const problems: string[] = [];
    for (const e of this.env) {
      if (seen.has(e.name)) {
        problems.push(`${kindName} ${this.node.path}: env: ${JSON.stringify(e.name)} is set twice (config, secretEnv, addSecretEnv or connectTo): each variable must have one source`);
      }
      seen.add(e.name);
    }
    return problems;
  }
}
