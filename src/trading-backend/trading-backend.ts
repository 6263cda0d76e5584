import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor' with { 'resolution-mode': 'import' };
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule' with { 'resolution-mode': 'import' };
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute' with { 'resolution-mode': 'import' };
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret' with { 'resolution-mode': 'import' };
import { DatabaseConnection, IDatabase, SyncWave } from '../core/database';
import { selectorLabels, standardLabels, StandardLabelsOptions, workloadPodSelector } from '../core/labels';
import { dnsEgressRule, NetworkPeer, NetworkPort, policyPorts } from '../core/network-peer';
import { compareStrings, sortedRecord } from '../core/order';
import { SecretRef, SecretStore } from '../core/secrets';
import { requireUniqueObjectNames } from '../core/unique-names';
import { throwIfProblems } from '../core/validation';
import { backendAlertGroups } from './alerts';
import { Exposure } from './exposure';
import { Migration } from './migration';
import { backendPodTemplate, BackendPodInput, ResourceRequirements, taskPodTemplate } from './pod';
import { Scaling } from './scaling';
import { validateTradingBackendProps } from './validate';
import { kubeObject } from '../core/kube-object';

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
  /** Emit a PrometheusRule with the seeds' alerts. @default true */
  readonly alerts?: boolean;
  /** Metrics path. @default '/metrics' */
  readonly path?: string;
  /** Scrape interval. @default '30s' */
  readonly interval?: string;
  /** Namespace Prometheus runs in; admitted to the metrics port. @default 'monitoring' */
  readonly namespace?: string;
}

/** Rollout timing (seed 000 and 002: zero-downtime rolling updates). */
export interface RolloutOptions {
  /** Seconds a new pod must be ready before it counts as available. @default 10 */
  readonly minReadySeconds?: number;
  /** Seconds the preStop hook waits so load balancers stop sending before SIGTERM. @default 10 */
  readonly drainSeconds?: number;
  /** Grace period; must be longer than the drain so the server can finish in-flight requests. @default 45 */
  readonly terminationGracePeriodSeconds?: number;
}

/** Props of a TradingBackend. */
export interface TradingBackendProps {
  /** `metadata.name` of the Deployment, Service and the rest (an RFC 1123 label of at most 50 characters). @default - the construct id */
  readonly name?: string;
  /** Container image with a tag or digest (`ghcr.io/acme/trading-api:1.4.2`). */
  readonly image: string;
  /** Accept an untagged or `latest` image. Meant for dev only. @default false */
  readonly allowLatestTag?: boolean;
  /** `app.kubernetes.io/part-of` of every object. @default 'trading' */
  readonly partOf?: string;
  /** `app.kubernetes.io/instance` of every object. @default - the name */
  readonly instance?: string;
  /** HTTP port of the API (seeds: 8080). @default 8080 */
  readonly port?: number;
  /** Port of the Prometheus metrics endpoint (seeds: 9090). @default 9090 */
  readonly metricsPort?: number;
  /** Probe paths. @default - readiness and liveness on `/health` */
  readonly healthCheck?: HealthCheckOptions;
  /** Replica count or autoscaling. @default Scaling.fixed(2) */
  readonly scaling?: Scaling;
  /** CPU and memory requests and limits. @default - seed 003's staging row: 500m/512Mi requested, 2000m/2Gi limit */
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
  /** Monitoring. @default - a ServiceMonitor and the seeds' alerts, Prometheus in `monitoring` */
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

/** Options of `TradingBackend.connectTo`. */
export interface DatabaseEnvOptions {
  /** Variable that receives the connection URL. @default 'DATABASE_URL' */
  readonly urlVariable?: string;
}

/** Seed 003's staging/production requests and limits. */
export const DEFAULT_RESOURCES: ResourceRequirements = {
  requests: { cpu: '500m', memory: '512Mi' },
  limits: { cpu: '2000m', memory: '2Gi' },
};

/**
 * An API service of a trading backend: Deployment, Service, ServiceAccount, ConfigMap, secret
 * references, HPA, PodDisruptionBudget, NetworkPolicy, Ingress or HTTPRoute, ServiceMonitor,
 * PrometheusRule and migrations, secure and zero-downtime by default.
 */
export class TradingBackend extends Construct {
  /** `metadata.name` of the workload and its Service. */
  public readonly name: string;
  /** HTTP port the Service exposes. */
  public readonly port: number;
  /** Labels the pods are selected by. */
  public readonly selector: Readonly<Record<string, string>>;
  /** The Deployment (also reachable as the `'Resource'` child). */
  public readonly deployment: ApiObject;
  /** The ClusterIP Service. */
  public readonly service: ApiObject;
  /** The ServiceAccount. */
  public readonly serviceAccount: ApiObject;
  /** The ConfigMap, when `config` is given. */
  public readonly configMap?: ApiObject;
  /** The ExternalSecret, when any external secret reference is used. */
  public readonly externalSecret?: ApiObject;
  /** The HPA, when autoscaling. */
  public readonly autoscaler?: ApiObject;
  /** The PodDisruptionBudget. */
  public readonly disruptionBudget: ApiObject;
  /** The NetworkPolicy, unless disabled. */
  public readonly networkPolicy?: ApiObject;
  /** The HTTPRoute or Ingress, when exposed. */
  public readonly route?: ApiObject;
  /** The ServiceMonitor, when enabled. */
  public readonly serviceMonitor?: ApiObject;
  /** The PrometheusRule, when enabled. */
  public readonly alertRules?: ApiObject;
  /** The migration Job, when migrations run as a Job. */
  public readonly migrationJob?: ApiObject;

  private readonly env: k8s.EnvVar[] = [];
  /** The migration Job's env: the API's, except that database connections bypass any pooler. */
  private readonly migrationEnv: k8s.EnvVar[] = [];
  private readonly configKeys: readonly string[];
  private readonly ingressRules: k8s.NetworkPolicyIngressRule[] = [];
  private readonly egressRules: k8s.NetworkPolicyEgressRule[] = [];
  private readonly labelOptions: StandardLabelsOptions;

  constructor(scope: Construct, id: string, props: TradingBackendProps) {
    super(scope, id);
    throwIfProblems(`TradingBackend ${this.node.path}`, validateTradingBackendProps(id, props));
    requireUniqueObjectNames(this);
    this.node.addValidation({ validate: () => this.duplicateEnvProblems() });

    const name = props.name ?? id;
    this.name = name;
    this.port = props.port ?? 8080;
    const metricsPort = props.metricsPort ?? 9090;
    const scaling = props.scaling ?? Scaling.fixed(2);
    const migration = props.migration ?? Migration.none();
    const exposure = props.exposure ?? Exposure.none();
    const monitoring = props.monitoring ?? {};
    const rollout = props.rollout ?? {};
    const namespace = Chart.of(this).namespace;

    this.labelOptions = { name, instance: props.instance ?? name, component: 'api', partOf: props.partOf ?? 'trading' };
    const labels = standardLabels(this.labelOptions);
    this.selector = selectorLabels(this.labelOptions);
    // Plain name + labels: assignable to both the k8s ObjectMeta and the CRD models' metadata.
    const meta = (objectName: string, extra: Partial<StandardLabelsOptions> = {}): { name: string; labels: Record<string, string> } => ({
      name: objectName,
      labels: standardLabels({ ...this.labelOptions, ...extra }),
    });

    this.serviceAccount = kubeObject(this, 'ServiceAccount', k8s.KubeServiceAccount.GVK, {
      metadata: meta(name),
      automountServiceAccountToken: false,
    }, k8s.toJson_KubeServiceAccountProps);

    const config = props.config ?? {};
    const configMapName = Object.keys(config).length > 0 ? `${name}-config` : undefined;
    if (configMapName) {
      this.configMap = kubeObject(this, 'ConfigMap', k8s.KubeConfigMap.GVK, { metadata: meta(configMapName), data: sortedRecord(config) }, k8s.toJson_KubeConfigMapProps);
    }

    const externalSecretName = `${name}-secrets`;
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
    if (externalRefs.length > 0 && props.secretStore) {
      const manifest: IExternalSecret = {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: meta(externalSecretName),
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
      this.externalSecret = new ApiObject(this, 'ExternalSecret', manifest);
    }

    this.migrationEnv.push(...this.env);
    this.configKeys = Object.keys(config);

    const podInput: BackendPodInput = {
      name,
      image: props.image,
      podLabels: labels,
      selector: this.selector,
      serviceAccountName: name,
      port: this.port,
      metricsPort,
      readinessPath: props.healthCheck?.readinessPath ?? '/health',
      livenessPath: props.healthCheck?.livenessPath ?? props.healthCheck?.readinessPath ?? '/health',
      startupTimeoutSeconds: migration.mode === 'on-start' ? migration.startupTimeoutSeconds : undefined,
      resources: props.resources ?? DEFAULT_RESOURCES,
      configMapName,
      configData: config,
      env: this.env,
      drainSeconds: rollout.drainSeconds ?? 10,
      terminationGracePeriodSeconds: rollout.terminationGracePeriodSeconds ?? 45,
      runAsUser: props.runAsUser ?? 10001,
      spread: scaling.maxReplicas > 1,
      command: props.command,
      args: props.args,
    };

    this.deployment = kubeObject(this, 'Resource', k8s.KubeDeployment.GVK, {
      metadata: meta(name),
      spec: {
        ...(scaling.autoscaling ? {} : { replicas: scaling.minReplicas }),
        revisionHistoryLimit: 5,
        minReadySeconds: rollout.minReadySeconds ?? 10,
        progressDeadlineSeconds: 600,
        selector: { matchLabels: { ...this.selector } },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template: backendPodTemplate(podInput),
      },
    }, k8s.toJson_KubeDeploymentProps);

    this.service = kubeObject(this, 'Service', k8s.KubeService.GVK, {
      metadata: meta(name),
      spec: {
        type: 'ClusterIP',
        selector: { ...this.selector },
        ports: [
          { name: 'http', port: this.port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
          { name: 'metrics', port: metricsPort, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' },
        ],
      },
    }, k8s.toJson_KubeServiceProps);

    if (scaling.autoscaling) {
      const a = scaling.autoscaling;
      const utilization = (resource: string, averageUtilization: number): k8s.MetricSpecV2 => ({
        type: 'Resource',
        resource: { name: resource, target: { type: 'Utilization', averageUtilization } },
      });
      this.autoscaler = kubeObject(this, 'Autoscaler', k8s.KubeHorizontalPodAutoscalerV2.GVK, {
        metadata: meta(name),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicas: a.minReplicas,
          maxReplicas: a.maxReplicas,
          metrics: [utilization('cpu', a.cpuUtilization), utilization('memory', a.memoryUtilization)],
          // Scale up at once, scale down slowly: trading load is bursty.
          behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
        },
      }, k8s.toJson_KubeHorizontalPodAutoscalerV2Props);
    }

    // maxUnavailable 1 (never minAvailable = replicas) so a drain can always evict, even with one replica.
    this.disruptionBudget = kubeObject(this, 'DisruptionBudget', k8s.KubePodDisruptionBudget.GVK, {
      metadata: meta(name),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.selector } } },
    }, k8s.toJson_KubePodDisruptionBudgetProps);

    const trafficNamespace = exposure.trafficNamespace;
    if (trafficNamespace) {
      this.allowIngressFrom(NetworkPeer.namespace(trafficNamespace), { port: this.port });
    }
    if (monitoring.serviceMonitor ?? true) {
      this.allowIngressFrom(NetworkPeer.namespace(monitoring.namespace ?? 'monitoring'), { port: metricsPort });
    }
    this.egressRules.push(dnsEgressRule());
    if (props.networkPolicy ?? true) {
      this.networkPolicy = kubeObject(this, 'NetworkPolicy', k8s.KubeNetworkPolicy.GVK, {
        metadata: meta(name),
        spec: {
          // name + instance, not component: the migration Job's pods need the same egress.
          podSelector: { matchLabels: workloadPodSelector(this.labelOptions) },
          policyTypes: ['Ingress', 'Egress'],
          ingress: this.ingressRules,
          egress: this.egressRules,
        },
      }, k8s.toJson_KubeNetworkPolicyProps);
    }

    this.route = this.buildRoute(exposure, meta(name));

    if (monitoring.serviceMonitor ?? true) {
      const serviceMonitor: IServiceMonitor = {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: meta(name),
        spec: {
          selector: { matchLabels: { ...this.selector } },
          endpoints: [{ port: 'metrics', path: monitoring.path ?? '/metrics', interval: monitoring.interval ?? '30s', scheme: 'http' }],
        },
      };
      this.serviceMonitor = new ApiObject(this, 'ServiceMonitor', serviceMonitor);
    }
    if (monitoring.alerts ?? true) {
      const rule: IPrometheusRule = {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: meta(`${name}-alerts`),
        spec: { groups: backendAlertGroups({ service: name, workload: name, container: name, namespace }) },
      };
      this.alertRules = new ApiObject(this, 'Alerts', rule);
    }

    if (migration.mode === 'job' && migration.job) {
      const jobName = `${name}-migrate`;
      this.migrationJob = kubeObject(this, 'Migration', k8s.KubeJob.GVK, {
        metadata: {
          ...meta(jobName, { component: 'migration' }),
          // Argo CD runs the Job before syncing the new Deployment and recreates it on every sync.
          annotations: {
            'argocd.argoproj.io/hook': 'PreSync',
            'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
            'argocd.argoproj.io/sync-wave': '-1',
          },
        },
        spec: {
          backoffLimit: migration.job.backoffLimit,
          activeDeadlineSeconds: migration.job.activeDeadlineSeconds,
          template: taskPodTemplate(
            { ...podInput, env: this.migrationEnv },
            'migrate',
            standardLabels({ ...this.labelOptions, component: 'migration' }),
            migration.job.command,
          ),
        },
      }, k8s.toJson_KubeJobProps);
    }
  }

  /** Admits traffic from `peer` to `port` of the pods (the NetworkPolicy is default-deny otherwise). */
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
      this.migrationJob.metadata.addAnnotation('argocd.argoproj.io/hook', 'Sync');
      this.migrationJob.metadata.addAnnotation('argocd.argoproj.io/sync-wave', String(SyncWave.MIGRATION));
      this.deployment.metadata.addAnnotation('argocd.argoproj.io/sync-wave', String(SyncWave.APPLICATION));
    }
  }

  /** A peer that selects this backend's pods (API and migration), for other workloads' policies. */
  public get peer(): NetworkPeer {
    return NetworkPeer.pods(workloadPodSelector(this.labelOptions), Chart.of(this).namespace);
  }

  private duplicateEnvProblems(): string[] {
    const seen = new Set<string>(this.configKeys);
    const problems: string[] = [];
    for (const e of this.env) {
      if (seen.has(e.name)) {
        problems.push(`TradingBackend ${this.node.path}: env: ${JSON.stringify(e.name)} is set twice (config, secretEnv, addSecretEnv or connectTo): each variable must have one source`);
      }
      seen.add(e.name);
    }
    return problems;
  }

  private buildRoute(exposure: Exposure, metadata: { name: string; labels: Record<string, string> }): ApiObject | undefined {
    const gateway = exposure.gatewayOptions;
    if (gateway) {
      const route: IHTTPRoute = {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: metadata.name, labels: metadata.labels },
        spec: {
          parentRefs: [
            {
              group: 'gateway.networking.k8s.io',
              kind: 'Gateway',
              name: gateway.gatewayName,
              namespace: gateway.gatewayNamespace,
              ...(gateway.listenerName ? { sectionName: gateway.listenerName } : {}),
            },
          ],
          hostnames: [...gateway.hosts],
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: '/' } }],
              backendRefs: [{ group: '', kind: 'Service', name: this.name, port: this.port }],
            },
          ],
        },
      };
      return new ApiObject(this, 'HttpRoute', route);
    }
    const ingress = exposure.ingressOptions;
    if (ingress) {
      return kubeObject(this, 'Ingress', k8s.KubeIngress.GVK, {
        metadata: { ...metadata, annotations: { 'cert-manager.io/cluster-issuer': ingress.clusterIssuer } },
        spec: {
          ingressClassName: ingress.className,
          tls: [{ hosts: [...ingress.hosts], secretName: ingress.tlsSecretName ?? `${this.name}-tls` }],
          rules: ingress.hosts.map((host) => ({
            host,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: this.name, port: { name: 'http' } } },
                },
              ],
            },
          })),
        },
      }, k8s.toJson_KubeIngressProps);
    }
    return undefined;
  }
}
