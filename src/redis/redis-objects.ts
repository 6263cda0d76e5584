import { container, PodDemand } from '../core/pod-demand';
/**
 * The objects every Redis engine emits, built from one description of the pods, so the security
 * profile, probes, Services and policies exist once: a StatefulSet under the restricted profile with a
 * real volume, a ConfigMap with the configuration templates and start scripts, headless and client
 * Services, a PDB, a NetworkPolicy and the exporter's ServiceMonitor.
 */
import { placementPodSpec } from '../core/placement';
import { createHash } from 'node:crypto';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor' with {
  'resolution-mode': 'import',
};
import { kubeObject } from '../core/kube-object';
import { dnsEgressRule, NetworkPeer, policyPorts } from '../core/network-peer';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';
import { k8sResources, ResourceRequirements } from '../core/resources';
import { monitoringObjects } from '../monitoring/objects';
import { RedisAlertOptions, redisAlertGroups, redisAlertSpecs } from '../monitoring/redis-alerts';
import { redisDashboard, redisDashboardPanels } from '../monitoring/redis-dashboard';
import type { RedisSignalTarget } from '../monitoring/redis-signals';
import { RedisBuild, RedisParts } from './engine-options';

/** The Redis port. */
export const REDIS_PORT = 6379;
/** The Sentinel port. */
export const SENTINEL_PORT = 26379;
/** The exporter's metrics port. */
export const EXPORTER_PORT = 9121;
/**
 * The pods of a cache: `pods` pods, each with the Redis container, Sentinel's beside it with the Sentinel engine,
 * and the redis_exporter sidecar when monitored: what the namespace's quota must admit.
 */
export function cachePodDemands(name: string, pods: number, resources: ResourceRequirements, sentinel: boolean, exporter: boolean): PodDemand[] {
  const containers = [resources, ...(sentinel ? [SENTINEL_RESOURCES] : []), ...(exporter ? [EXPORTER_RESOURCES] : [])];
  return [{ who: name, pods, containers: containers.map(container) }];
}

/** Requests and limits of the redis_exporter sidecar. */
export const EXPORTER_RESOURCES: ResourceRequirements = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
/** Requests and limits of the Sentinel container. */
export const SENTINEL_RESOURCES: ResourceRequirements = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } };

/** Where the ConfigMap is mounted (templates and scripts, read-only). */
const CONFIG_DIR = '/config';
/** Where the rendered configuration lives: a memory-backed emptyDir, since it holds the password. */
const RUNTIME_DIR = '/etc/redis';

/** What an engine adds to the shared objects. */
export interface RedisPodPlan {
  /** ConfigMap entries: `redis.conf` and the start scripts (and `sentinel.conf`). */
  readonly configData: Record<string, string>;
  /** Containers besides the exporter, in order. */
  readonly containers: k8s.Container[];
  /** Named ports of the pods, for the Services (`redis`, `sentinel`). */
  readonly ports: ReadonlyArray<{ readonly name: string; readonly port: number }>;
  /** Ports the pods talk to each other on (replication, Sentinel gossip); none for a single pod. */
  readonly peerPorts: readonly number[];
  /** Required anti-affinity and topology spread over nodes (more than one pod). */
  readonly spread: boolean;
  /** Names of the Sentinel Service, with Sentinel. */
  readonly sentinelServiceName?: string;
  /** Seconds a stopping pod gets, its preStop hooks included. */
  readonly terminationGracePeriodSeconds: number;
  /** Pods replicate from a primary (Sentinel): the replication alerts and panels apply. */
  readonly replication: boolean;
  /** The engine, as the dashboard's description names it. */
  readonly engineName: string;
}

/** A container running one of the ConfigMap's start scripts with the password in its environment. */
export function redisContainer(
  b: RedisBuild,
  o: {
    name: string;
    script: string;
    port: { name: string; port: number };
    resources: ResourceRequirements;
    readiness: string[];
    liveness: string[];
    mounts: k8s.VolumeMount[];
    /** A ConfigMap script run before the container is stopped. */
    preStopScript?: string;
  },
): k8s.Container {
  const password = { secretKeyRef: { name: b.credentials.secretName, key: b.credentials.passwordKey } };
  return {
    name: o.name,
    image: b.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', `${CONFIG_DIR}/${o.script}`],
    ports: [{ name: o.port.name, containerPort: o.port.port, protocol: 'TCP' }],
    env: [
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      // The start script writes it into the memory-backed config; redis-cli (probes) reads REDISCLI_AUTH.
      { name: 'REDIS_PASSWORD', valueFrom: password },
      { name: 'REDISCLI_AUTH', valueFrom: password },
    ],
    readinessProbe: { exec: { command: o.readiness }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
    livenessProbe: { exec: { command: o.liveness }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
    // Loading a large append-only file takes a while; liveness starts only after it.
    startupProbe: { exec: { command: o.liveness }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 60 },
    // An exec hook runs in the container, with its user, read-only root and environment (REDISCLI_AUTH).
    ...(o.preStopScript ? { lifecycle: { preStop: { exec: { command: ['sh', `${CONFIG_DIR}/${o.preStopScript}`] } } } } : {}),
    resources: k8sResources(o.resources),
    securityContext: restrictedContainerSecurityContext(b.runAsUser),
    volumeMounts: [
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'runtime', mountPath: RUNTIME_DIR },
      { name: 'tmp', mountPath: '/tmp' },
      ...o.mounts,
    ],
  };
}

/** The Redis server every engine runs: `start-redis.sh`, the client port, the data volume (and the engine's preStop script). */
export function redisServerContainer(b: RedisBuild, preStopScript?: string): k8s.Container {
  return redisContainer(b, {
    preStopScript,
    name: 'redis',
    script: 'start-redis.sh',
    port: { name: 'redis', port: REDIS_PORT },
    resources: b.resources,
    readiness: pingProbe(REDIS_PORT, false),
    liveness: pingProbe(REDIS_PORT, true),
    mounts: [{ name: 'data', mountPath: '/data' }],
  });
}

/**
 * `redis-cli ping` against `port`, authenticated through REDISCLI_AUTH (never an argument). Readiness
 * wants PONG; liveness also accepts LOADING (an append-only file being read) and MASTERDOWN (a replica
 * waiting for its primary), which a restart would not cure.
 */
export function pingProbe(port: number, tolerant: boolean): string[] {
  const ping = `redis-cli -h 127.0.0.1 -p ${port} ping`;
  const accepted = tolerant ? '*PONG*|*LOADING*|*MASTERDOWN*' : 'PONG';
  return ['sh', '-c', `r="$(${ping} 2>&1)"; case "$r" in ${accepted}) exit 0;; esac; echo "$r"; exit 1`];
}

/** The redis_exporter sidecar, scraping the local Redis with the password from the Secret. */
function exporterContainer(b: RedisBuild, image: string): k8s.Container {
  return {
    name: 'exporter',
    image,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'metrics', containerPort: EXPORTER_PORT, protocol: 'TCP' }],
    env: [
      { name: 'REDIS_ADDR', value: `redis://127.0.0.1:${REDIS_PORT}` },
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: b.credentials.secretName, key: b.credentials.passwordKey } } },
    ],
    readinessProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 10, timeoutSeconds: 3 },
    livenessProbe: {
      httpGet: { path: '/health', port: k8s.IntOrString.fromString('metrics') },
      periodSeconds: 20,
      timeoutSeconds: 5,
      failureThreshold: 6,
    },
    resources: k8sResources(EXPORTER_RESOURCES),
    securityContext: restrictedContainerSecurityContext(b.runAsUser),
  };
}

function checksum(data: Record<string, string>): string {
  return createHash('sha256')
    .update(
      JSON.stringify(
        Object.keys(data)
          .sort()
          .map((k) => [k, data[k]]),
      ),
    )
    .digest('hex');
}

/** The shared objects of a Redis engine. */
export function buildRedisObjects(b: RedisBuild, plan: RedisPodPlan): RedisParts {
  const headless = `${b.name}-headless`;
  const peer = NetworkPeer.pods(b.selector, b.namespace);
  const configMapName = `${b.name}-config`;
  const configMap = kubeObject(
    b.scope,
    'ConfigMap',
    k8s.KubeConfigMap.GVK,
    {
      metadata: b.meta(configMapName),
      data: Object.fromEntries(
        Object.keys(plan.configData)
          .sort()
          .map((k) => [k, plan.configData[k]]),
      ),
    },
    k8s.toJson_KubeConfigMapProps,
  );
  const containers = [...plan.containers, ...(b.exporter ? [exporterContainer(b, b.exporter.image)] : [])];
  const spread: Partial<k8s.PodSpec> = plan.spread
    ? {
        // One pod per node, so losing a node costs one copy; spread over zones where the nodes allow.
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...b.selector } } },
            ],
          },
        },
        topologySpreadConstraints: [
          // Tainted nodes are no domains (see the API's spread): otherwise they hold the minimum at zero.
          {
            maxSkew: 1,
            topologyKey: 'topology.kubernetes.io/zone',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { ...b.selector } },
            nodeTaintsPolicy: 'Honor',
          },
          {
            maxSkew: 1,
            topologyKey: 'kubernetes.io/hostname',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchLabels: { ...b.selector } },
            nodeTaintsPolicy: 'Honor',
          },
        ],
      }
    : {};
  const statefulSet = kubeObject(
    b.scope,
    'Resource',
    k8s.KubeStatefulSet.GVK,
    {
      metadata: b.meta(b.name),
      spec: {
        serviceName: headless,
        replicas: b.replicas,
        selector: { matchLabels: b.selector },
        // The first pod starts as the primary; the others start once it is ready and replicate from it.
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels: b.labels, annotations: { 'checksum/config': checksum(plan.configData) } },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(b.runAsUser),
            ...placementPodSpec(b.placement),
            terminationGracePeriodSeconds: plan.terminationGracePeriodSeconds,
            containers,
            volumes: [
              { name: 'config', configMap: { name: configMapName } },
              { name: 'runtime', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
              { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
            ],
            ...spread,
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: b.labels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(b.storage.storageClass ? { storageClassName: b.storage.storageClass } : {}),
              resources: { requests: { storage: k8s.Quantity.fromString(b.storage.size) } },
            },
          },
        ],
      },
    },
    k8s.toJson_KubeStatefulSetProps,
  );

  const servicePort = (p: { name: string; port: number }): k8s.ServicePort => ({
    name: p.name,
    port: p.port,
    targetPort: k8s.IntOrString.fromString(p.name),
    protocol: 'TCP',
  });
  const headlessPorts = [...plan.ports, ...(b.exporter ? [{ name: 'metrics', port: EXPORTER_PORT }] : [])];
  const headlessService = kubeObject(
    b.scope,
    'HeadlessService',
    k8s.KubeService.GVK,
    {
      metadata: b.meta(headless),
      // Pods resolve each other before they are ready (a replica finds its primary while starting).
      spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector: b.selector, ports: headlessPorts.map(servicePort) },
    },
    k8s.toJson_KubeServiceProps,
  );
  const service = kubeObject(
    b.scope,
    'Service',
    k8s.KubeService.GVK,
    {
      metadata: b.meta(b.name),
      spec: { type: 'ClusterIP', selector: b.selector, ports: [servicePort({ name: 'redis', port: REDIS_PORT })] },
    },
    k8s.toJson_KubeServiceProps,
  );
  const sentinelService =
    plan.sentinelServiceName === undefined
      ? undefined
      : kubeObject(
          b.scope,
          'SentinelService',
          k8s.KubeService.GVK,
          {
            metadata: b.meta(plan.sentinelServiceName),
            spec: { type: 'ClusterIP', selector: b.selector, ports: [servicePort({ name: 'sentinel', port: SENTINEL_PORT })] },
          },
          k8s.toJson_KubeServiceProps,
        );
  const disruptionBudget = kubeObject(
    b.scope,
    'DisruptionBudget',
    k8s.KubePodDisruptionBudget.GVK,
    {
      metadata: b.meta(b.name),
      // One pod at a time: a Sentinel quorum survives a drain, and a single pod is never unevictable.
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: b.selector } },
    },
    k8s.toJson_KubePodDisruptionBudgetProps,
  );

  const clientPorts = plan.ports.map((p) => p.port);
  const ingress: k8s.NetworkPolicyIngressRule[] = [];
  const egress: k8s.NetworkPolicyEgressRule[] = [dnsEgressRule(b.scope)];
  if (plan.peerPorts.length > 0) {
    ingress.push({ from: [peer.toPolicyPeer()], ports: policyPorts(plan.peerPorts.map((port) => ({ port }))) });
    egress.push({ to: [peer.toPolicyPeer()], ports: policyPorts(plan.peerPorts.map((port) => ({ port }))) });
  }
  if (b.exporter) ingress.push({ from: [b.exporter.monitoringPeer.toPolicyPeer()], ports: policyPorts([{ port: EXPORTER_PORT }]) });
  const networkPolicy = kubeObject(
    b.scope,
    'NetworkPolicy',
    k8s.KubeNetworkPolicy.GVK,
    {
      metadata: b.meta(b.name),
      spec: { podSelector: { matchLabels: b.selector }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
    },
    k8s.toJson_KubeNetworkPolicyProps,
  );

  let serviceMonitor: ApiObject | undefined;
  if (b.exporter) {
    const monitor: IServiceMonitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: b.meta(b.name),
      // Only the headless Service has the metrics port, so each pod is scraped once.
      spec: { selector: { matchLabels: { ...b.selector } }, endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s', scheme: 'http' }] },
    };
    serviceMonitor = new ApiObject(b.scope, 'ServiceMonitor', monitor);
  }

  // The alerts and the dashboard read the exporter's metrics: without it they would only ever say "absent".
  const signals: RedisSignalTarget = {
    namespace: b.namespace,
    cache: b.name,
    podPattern: `${b.name}-[0-9]+`,
    scrapeService: headless,
    container: 'redis',
  };
  const alertOptions: RedisAlertOptions = { replicas: b.replicas, replication: plan.replication, maxMemoryPolicy: b.maxMemoryPolicy };
  const { alertRules, dashboard } = monitoringObjects(b.scope, {
    name: b.name,
    meta: (n) => b.meta(n),
    settings: b.observability,
    alerts: b.exporter !== undefined && b.alerts,
    dashboard: b.exporter !== undefined && b.dashboard,
    groups: () => redisAlertGroups(signals, redisAlertSpecs(signals, alertOptions), b.observability),
    dashboardModel: () => redisDashboard(signals, plan.engineName, redisDashboardPanels(signals, alertOptions), b.observability.environment),
  });

  return {
    statefulSet,
    configMap,
    headlessService,
    service,
    sentinelService,
    disruptionBudget,
    networkPolicy,
    serviceMonitor,
    alertRules,
    dashboard,
    peer,
    connection: { host: b.name, port: REDIS_PORT, clientPeer: peer, clientPorts, namespace: b.namespace },
    admit: (client) => {
      ingress.push({ from: [client.toPolicyPeer()], ports: policyPorts(clientPorts.map((port) => ({ port }))) });
    },
  };
}

/** The `redis.conf` template: shared directives, then the engine's; the password is added at start. */
export function redisConf(b: RedisBuild, extra: readonly string[] = []): string {
  return [
    '# Rendered into /etc/redis/redis.conf at start, with requirepass (and masterauth) from the Secret.',
    'bind * -::*',
    `port ${REDIS_PORT}`,
    'protected-mode yes',
    'dir /data',
    ...b.redisConf,
    ...extra,
    '',
  ].join('\n');
}

/** Shell that escapes the password for a double-quoted redis.conf string into `$pw`. */
export const PASSWORD_SHELL = `pw=$(printf '%s' "$REDIS_PASSWORD" | sed 's/[\\\\"]/\\\\&/g')`;
