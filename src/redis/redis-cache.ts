import { cachePodDemands } from './redis-objects';
import type { IPodDemandSource, PodDemand } from '../core/pod-demand';
import { FieldPath } from '../core/field-path';
import { PodPlacement, placementOf, validatePlacement } from '../core/placement';
import { protectFromPrune, pruneProtectionOf } from '../core/prune-protection';
import { reloadOnSecretChange, reloadsOnSecretChange, SecretRotationOptions, validateSecretRotation } from '../core/secret-rotation';
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DataStoreBase } from '../core/data-store';
import { externalSecretObject } from '../core/external-secret';
import { CacheConnection, ICache, redisClientBinding } from '../core/cache';
import { ConnectionBinding, ConnectionRequest } from '../core/connection';
import { defaultPartOf, selectorLabels, standardLabels } from '../core/labels';
import { NetworkPeer } from '../core/network-peer';
import { checkQuantity, parseQuantity } from '../core/quantity';
import { ResourceRequirements } from '../core/resources';
import { checkDnsLabel, checkImage, checkInteger, ResourceField, validateResources } from '../core/value-rules';
import { SyncWave, syncWaveAnnotation } from '../core/sync-wave';
import { requireUniqueObjectNames } from '../core/unique-names';
import { Problem, ProblemCollector, show, throwIfProblems } from '../core/problems';
import { RedisParts } from './engine-options';
import { ExternalRedis, ExternalRedisProps } from './external-redis';
import { RedisCredentials } from './redis-credentials';
import { RedisEngine } from './redis-engine';
import { ObservabilityOptions, observabilityOf, validateObservabilityOptions } from '../monitoring/settings';

/** What Redis evicts when it reaches `maxmemory`. */
export type RedisEvictionPolicy =
  'noeviction' | 'allkeys-lru' | 'allkeys-lfu' | 'allkeys-random' | 'volatile-lru' | 'volatile-lfu' | 'volatile-random' | 'volatile-ttl';

const EVICTION_POLICIES: readonly RedisEvictionPolicy[] = [
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
];

/** The data volume of each pod. */
export interface RedisStorageOptions {
  /** Volume size (room for the append-only file and its rewrite). @default '2Gi' */
  readonly size?: string;
  /** StorageClass. @default - the cluster's default StorageClass */
  readonly storageClass?: string;
}

/** How Redis persists to its volume. */
export interface RedisPersistenceOptions {
  /** Write every change to the append-only file (`appendonly`), so a restart keeps the data. @default true */
  readonly appendOnly?: boolean;
  /** How often the append-only file is fsynced (`appendfsync`). @default 'everysec' */
  readonly appendFsync?: 'always' | 'everysec' | 'no';
}

/** Props of a RedisCache. */
export interface RedisCacheProps {
  /** Name of the StatefulSet and the client Service, and the base of every other name. @default - the construct id */
  readonly name?: string;
  /** How Redis runs. @default RedisEngine.standalone() */
  readonly engine?: RedisEngine;
  /** Pods (a primary and replicas, each with a Sentinel); the standalone engine runs exactly one. @default - 1 standalone, 3 with Sentinel */
  readonly replicas?: number;
  /** Refuse fewer than three pods (production); a deliberate exception sets this to false. @default false */
  readonly requireHighAvailability?: boolean;
  /** Redis image with a pinned tag. @default 'docker.io/library/redis:7.4.2' */
  readonly image?: string;
  /** Where the password comes from (an existing Secret, or an external store through an ExternalSecret). */
  readonly credentials: RedisCredentials;
  /** The data volume of each pod. @default - 2Gi of the default StorageClass */
  readonly storage?: RedisStorageOptions;
  /** Persistence to the volume. @default - append-only file on, fsync every second */
  readonly persistence?: RedisPersistenceOptions;
  /**
   * Requests and limits of the Redis container. @default - 100m/512Mi requested, 1 CPU/512Mi limit (memory limit = request: no overcommit for a
   * store)
   */
  readonly resources?: ResourceRequirements;
  /** `maxmemory` as a quantity; must not exceed the memory limit. @default - 80 % of the memory limit (room for fork copy-on-write and buffers) */
  readonly maxMemory?: string;
  /** `maxmemory-policy`: what is evicted at `maxmemory`. @default 'allkeys-lru' (a cache) */
  readonly maxMemoryPolicy?: RedisEvictionPolicy;
  /** Run the redis_exporter sidecar and emit a ServiceMonitor. @default true */
  readonly monitoring?: boolean;
  /**
   * Emit a PrometheusRule (`<name>-alerts`): no primary, Redis or its exporter down, memory near `maxmemory`,
   * evictions, rejected connections; with Sentinel also more than one primary, a replica's broken link and
   * missing replicas. They read the exporter's metrics, so they need `monitoring`.
   * @default - true when monitoring is on
   */
  readonly alerts?: boolean;
  /** Emit a Grafana dashboard ConfigMap (`<name>-dashboard`, label `grafana_dashboard: "1"`); needs `monitoring`. @default - true when monitoring is on */
  readonly dashboard?: boolean;
  /**
   * Environment label, runbook URLs, severity and dashboard folder of the alerts and dashboard. @default - the `cdk8s-trading:monitoring` context,
   * else the defaults of `ObservabilityOptions`
   */
  readonly observability?: ObservabilityOptions;
  /** redis_exporter image with a pinned tag. @default 'docker.io/oliver006/redis_exporter:v1.67.0' */
  readonly exporterImage?: string;
  /** Namespace Prometheus runs in, admitted to the exporter port. @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /** UID/GID of the pods (the official image's `redis` user is 999). @default 999 */
  readonly runAsUser?: number;
  /** Registry credentials, priority, node selection and tolerations of the pods. @default - the `cdk8s-trading:placement` context, else none */
  readonly placement?: PodPlacement;
  /**
   * Keep the StatefulSet (its volumes hold the append-only file) when it leaves Git or its Argo CD Application
   * or Flux Kustomization is deleted: removing a cache is then a deliberate `kubectl delete`.
   * @default - the `cdk8s-trading:pruneProtection` context, else true
   */
  readonly pruneProtection?: boolean;
  /**
   * Roll the pods when the password Secret changes (Stakater Reloader, `secret.reloader.stakater.com/auto`): Redis and
   * Sentinel read it only at start. See docs/how-to/rotate-a-secret.md for the order of a rotation with replicas.
   * @default - the `cdk8s-trading:secretRotation` context, else `{ reloader: true }`
   */
  readonly secretRotation?: SecretRotationOptions;
  /** `app.kubernetes.io/part-of` of every object. @default - the `cdk8s-trading:partOf` context, else the chart's namespace, else the chart's id */
  readonly partOf?: string;
  /** `app.kubernetes.io/instance` of every object. @default - the name */
  readonly instance?: string;
}

/** Requests and limits of the Redis container unless the props say. */
export const DEFAULT_REDIS_RESOURCES: ResourceRequirements = {
  requests: { cpu: '100m', memory: '512Mi' },
  limits: { cpu: '1', memory: '512Mi' },
};
const DEFAULT_IMAGE = 'docker.io/library/redis:7.4.2';
const DEFAULT_EXPORTER_IMAGE = 'docker.io/oliver006/redis_exporter:v1.67.0';
/** Share of the memory limit `maxmemory` gets by default; the rest covers fork copy-on-write, buffers and fragmentation. */
const MAXMEMORY_SHARE = 0.8;

/**
 * Redis for a trading backend: one pod in dev and staging, a primary with
 * replicas and a Sentinel quorum in production. The official image under the restricted profile, the
 * append-only file on a volume, `maxmemory` from the memory limit, authenticated probes, a PDB, headless
 * and client Services, a NetworkPolicy that admits only connected workloads, and a redis_exporter
 * sidecar with a ServiceMonitor. The password comes only by reference. `RedisCache.fromExternal()` for a
 * Redis outside the cluster. Connect a backend with `backend.connectTo(cache)`.
 */
export class RedisCache extends DataStoreBase implements ICache, IPodDemandSource {
  /**
   * A Redis that already exists outside the cluster (ElastiCache, Memorystore): `connectTo` gives
   * clients `REDIS_PASSWORD` (by reference) and `REDIS_URL`, and an egress rule to its address block;
   * nothing is created in the cluster but an ExternalSecret when the password comes from a store.
   */
  public static fromExternal(scope: Construct, id: string, props: ExternalRedisProps): ICache {
    return new ExternalRedis(scope, id, props);
  }

  /** Name of the StatefulSet and the client Service. */
  public readonly name: string;
  /** Which engine runs it. */
  public readonly engine: RedisEngine;
  /** Connection settings for clients. */
  public readonly connection: CacheConnection;
  /** `maxmemory` in bytes, as written to redis.conf (rounded down to whole MiB). */
  public readonly maxMemoryBytes: number;
  /** The StatefulSet (the `'Resource'` child). */
  public readonly statefulSet: ApiObject;
  /** The ConfigMap with the configuration templates and start scripts. */
  public readonly configMap: ApiObject;
  /** The headless Service. */
  public readonly headlessService: ApiObject;
  /** The client Service on 6379. */
  public readonly service: ApiObject;
  /** The Sentinel Service on 26379, with Sentinel. */
  public readonly sentinelService?: ApiObject;
  /** The PodDisruptionBudget. */
  public readonly disruptionBudget: ApiObject;
  /** The NetworkPolicy of the pods. */
  public readonly networkPolicy: ApiObject;
  /** The ServiceMonitor, when monitoring is on. */
  public readonly serviceMonitor?: ApiObject;
  /** The PrometheusRule, when alerts are on. */
  public readonly alertRules?: ApiObject;
  /** The Grafana dashboard ConfigMap, when the dashboard is on. */
  public readonly dashboard?: ApiObject;
  /** The ExternalSecret that syncs the password, with `RedisCredentials.fromExternalStore`. */
  public readonly externalSecret?: ApiObject;

  private readonly parts: RedisParts;
  private readonly demands: PodDemand[];
  constructor(scope: Construct, id: string, props: RedisCacheProps) {
    super(scope, id, 'RedisCache', 'connectTo(cache)');
    this.engine = props.engine ?? RedisEngine.standalone();
    throwIfProblems(`RedisCache ${this.node.path}`, validateRedisCacheProps(id, { ...props, engine: this.engine }));
    requireUniqueObjectNames(this);
    this.name = props.name ?? id;
    const labelOptions = { name: this.name, instance: props.instance ?? this.name, component: 'cache', partOf: props.partOf ?? defaultPartOf(this) };
    const labels = standardLabels(labelOptions);
    const meta = (
      name: string,
      wave: number = SyncWave.DATABASE,
    ): { name: string; labels: Record<string, string>; annotations: Record<string, string> } => ({
      name,
      labels: { ...labels },
      annotations: syncWaveAnnotation(wave),
    });
    const resources = props.resources ?? DEFAULT_REDIS_RESOURCES;
    this.maxMemoryBytes = maxMemoryBytes(props.maxMemory, resources.limits.memory);
    const persistence = props.persistence ?? {};
    const credentials = props.credentials;
    const secretName = credentials.secretName ?? `${this.name}-credentials`;
    if (credentials.external) {
      const e = credentials.external;
      this.externalSecret = externalSecretObject(this, 'ExternalSecret', meta(secretName, SyncWave.CONFIG), e.store, [
        { secretKey: 'password', remoteKey: e.remoteKey, property: e.passwordProperty },
      ]);
    }
    const monitoring = props.monitoring ?? true;
    this.parts = this.engine._bind({
      scope: this,
      name: this.name,
      namespace: Chart.of(this).namespace,
      labels,
      selector: selectorLabels(labelOptions),
      meta: (name) => meta(name),
      replicas: props.replicas ?? this.engine.defaultReplicas,
      image: props.image ?? DEFAULT_IMAGE,
      redisConf: [
        `maxmemory ${Math.floor(this.maxMemoryBytes / 2 ** 20)}mb`,
        `maxmemory-policy ${props.maxMemoryPolicy ?? 'allkeys-lru'}`,
        `appendonly ${(persistence.appendOnly ?? true) ? 'yes' : 'no'}`,
        `appendfsync ${persistence.appendFsync ?? 'everysec'}`,
      ],
      credentials: { secretName, passwordKey: credentials.passwordKey },
      resources,
      storage: { size: props.storage?.size ?? '2Gi', storageClass: props.storage?.storageClass },
      runAsUser: props.runAsUser ?? 999,
      placement: placementOf(this, props.placement),
      exporter: monitoring
        ? { image: props.exporterImage ?? DEFAULT_EXPORTER_IMAGE, monitoringPeer: NetworkPeer.namespace(props.monitoringNamespace ?? 'monitoring') }
        : undefined,
      alerts: props.alerts ?? monitoring,
      dashboard: props.dashboard ?? monitoring,
      observability: observabilityOf(this, props.observability),
      maxMemoryPolicy: props.maxMemoryPolicy ?? 'allkeys-lru',
    });
    this.demands = cachePodDemands(this.name, props.replicas ?? this.engine.defaultReplicas, resources, this.engine.kind === 'sentinel', monitoring);
    this.statefulSet = this.parts.statefulSet;
    if (pruneProtectionOf(this, props.pruneProtection)) protectFromPrune(this.statefulSet);
    if (reloadsOnSecretChange(this, props.secretRotation)) reloadOnSecretChange(this.statefulSet);
    this.configMap = this.parts.configMap;
    this.headlessService = this.parts.headlessService;
    this.service = this.parts.service;
    this.sentinelService = this.parts.sentinelService;
    this.disruptionBudget = this.parts.disruptionBudget;
    this.networkPolicy = this.parts.networkPolicy;
    this.serviceMonitor = this.parts.serviceMonitor;
    this.alertRules = this.parts.alertRules;
    this.dashboard = this.parts.dashboard;
    this.connection = { ...this.parts.connection, database: 0, tls: false, secretName, passwordKey: credentials.passwordKey };
  }

  /** The Redis pods it runs (Sentinel and exporter containers in each), for the namespace's quota. */
  public podDemands(): readonly PodDemand[] {
    return this.demands;
  }

  /** The Redis pods. */
  public get networkPeer(): NetworkPeer {
    return this.parts.peer;
  }

  /** Admits `peer` to Redis (and to Sentinel, with Sentinel). */
  protected admit(peer: NetworkPeer): void {
    this.parts.admit(peer);
  }

  /** Binds a client (see `connectTo`): `REDIS_PASSWORD` and `REDIS_URL`, or the Sentinel variables; egress; admission. */
  public bindClient(request: ConnectionRequest): ConnectionBinding {
    return redisClientBinding(this, request);
  }
}

/** `maxmemory` in bytes: the given quantity, or 80 % of the memory limit. */
function maxMemoryBytes(maxMemory: string | undefined, limit: string): number {
  return maxMemory !== undefined ? (parseQuantity(maxMemory) ?? 0) : (parseQuantity(limit) ?? 0) * MAXMEMORY_SHARE;
}

/** Every problem with RedisCache props. */
export function validateRedisCacheProps(
  id: string,
  props: RedisCacheProps & { engine: RedisEngine },
  path: FieldPath = FieldPath.props(),
  enginePath: FieldPath = path.child('engine'),
  /** Who set a request or limit the user did not write (an environment file's tier). */
  resourceDefaults?: (field: ResourceField) => string | undefined,
): Problem[] {
  const c = new ProblemCollector();
  c.check(path.name(), checkDnsLabel(props.name ?? id, 40));
  if (props.replicas !== undefined) c.check(path.child('replicas'), checkInteger(props.replicas, 1, 9));
  const replicas = props.replicas ?? props.engine.defaultReplicas;
  if (props.requireHighAvailability && typeof replicas === 'number' && replicas < 3) {
    c.check(
      path.child('replicas'),
      props.engine.defaultReplicas === 1
        ? 'the standalone engine runs one pod, below the 3 high availability needs: use RedisEngine.sentinel(), or say so (requireHighAvailability: false in props, allowFewerReplicas: true in an environment file)'
        : `${show(replicas)} is below 3, the minimum for high availability; to run fewer on purpose, say so (requireHighAvailability: false in props, allowFewerReplicas: true in an environment file)`,
    );
  }
  if (!(props.credentials instanceof RedisCredentials)) {
    c.check(
      path.child('credentials'),
      'is required: RedisCredentials.fromSecret(name, { passwordKey }) or RedisCredentials.fromExternalStore(store, remoteKey)',
    );
  }
  if (props.image !== undefined) c.check(path.child('image'), checkImage(props.image, false));
  if (props.exporterImage !== undefined) c.check(path.child('exporterImage'), checkImage(props.exporterImage, false));
  if (props.storage?.size !== undefined) c.check(path.child('storage.size'), checkQuantity(props.storage.size, 'storage'));
  if (props.storage?.storageClass !== undefined) c.check(path.child('storage.storageClass'), checkDnsLabel(props.storage.storageClass, 253));
  const limit = props.resources?.limits?.memory ?? DEFAULT_REDIS_RESOURCES.limits.memory;
  if (props.resources) {
    c.add(validateResources(props.resources, path.child('resources'), resourceDefaults));
  }
  if (props.maxMemory !== undefined && c.check(path.child('maxMemory'), checkQuantity(props.maxMemory, 'memory')) === undefined) {
    const max = parseQuantity(props.maxMemory) ?? 0;
    const lim = typeof limit === 'string' ? parseQuantity(limit) : undefined;
    if (max < 2 ** 20)
      c.check(path.child('maxMemory'), `${show(props.maxMemory)} is below 1Mi: Redis could hold almost nothing; use a value like "400Mi"`);
    else if (lim !== undefined && lim < max) {
      // A limit nobody wrote (the library's, or an environment tier's) is named as a default, at the field written.
      const defaultedBy = props.resources?.limits?.memory === undefined ? 'the' : resourceDefaults?.('limits.memory')?.concat("'s");
      c.check(
        defaultedBy === undefined ? path.child('resources.limits.memory') : path.child('maxMemory'),
        defaultedBy === undefined
          ? `${show(limit)} is below maxMemory ${show(props.maxMemory)}: the container would be OOM-killed before Redis evicts anything; raise the limit or lower maxMemory (default: 80 % of the limit)`
          : `${show(props.maxMemory)} is above ${defaultedBy} default memory limit ${show(limit)} (resources.limits.memory is not set): the container would be OOM-killed before Redis evicts anything; lower maxMemory or set resources.limits.memory to at least it`,
      );
    }
  }
  if (props.maxMemoryPolicy !== undefined && !EVICTION_POLICIES.includes(props.maxMemoryPolicy)) {
    c.check(path.child('maxMemoryPolicy'), `${show(props.maxMemoryPolicy)} is not an eviction policy; use one of ${EVICTION_POLICIES.join(', ')}`);
  }
  const appendFsync = props.persistence?.appendFsync;
  if (appendFsync !== undefined && !['always', 'everysec', 'no'].includes(appendFsync)) {
    c.check(path.child('persistence.appendFsync'), `${show(appendFsync)} is not an fsync policy; use one of always, everysec, no`);
  }
  if (props.monitoring === false) {
    for (const [key, what] of [
      ['alerts', 'the alerts read'],
      ['dashboard', 'the dashboard plots'],
    ] as const) {
      if (props[key] === true) {
        c.check(
          path.child(key),
          `is true but monitoring is false: ${what} the redis_exporter's metrics, which only the monitoring sidecar exports; turn monitoring on, or leave ${key} out`,
        );
      }
    }
  }
  if (props.observability !== undefined) c.add(validateObservabilityOptions(props.observability, path.child('observability')));
  if (props.monitoringNamespace !== undefined) c.check(path.child('monitoringNamespace'), checkDnsLabel(props.monitoringNamespace));
  if (props.runAsUser !== undefined) c.check(path.child('runAsUser'), checkInteger(props.runAsUser, 1, 2147483647));
  if (props.placement !== undefined) c.add(validatePlacement(props.placement, path.child('placement')));
  if (props.partOf !== undefined) c.check(path.child('partOf'), checkDnsLabel(props.partOf));
  if (props.instance !== undefined) c.check(path.child('instance'), checkDnsLabel(props.instance));
  if (props.secretRotation !== undefined) c.add(validateSecretRotation(props.secretRotation, path.child('secretRotation')));
  if (c.problems.every((p) => p.field !== String(path.child('replicas'))))
    c.add(props.engine.propsProblems({ replicas: props.replicas }, path, enginePath));
  return [...c.problems];
}
