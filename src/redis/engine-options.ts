import { FieldPath } from '../core/field-path';
import type { PodPlacement } from '../core/placement';
import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { CacheConnection } from '../core/cache';
import { checkDurationRange } from '../core/duration';
import type { NetworkPeer } from '../core/network-peer';
import type { ResourceRequirements } from '../core/resources';
import type { ObservabilitySettings } from '../monitoring/settings';
import { checkInteger } from '../core/value-rules';
import { Problem, ProblemCollector, show } from '../core/problems';

/** Options of the Sentinel engine. */
export interface SentinelEngineOptions {
  /** Name Sentinel monitors the primary under (clients ask for it). @default 'mymaster' */
  readonly masterName?: string;
  /** Sentinels that must agree the primary is down before a failover. @default - a majority of the pods (2 of 3) */
  readonly quorum?: number;
  /** How long the primary may fail to answer before it counts as down. @default Duration.seconds(5) */
  readonly downAfter?: Duration;
  /** How long a failover may take before another Sentinel retries it. @default Duration.minutes(1) */
  readonly failoverTimeout?: Duration;
}

/** The kinds of engine. */
export type RedisEngineKind = 'standalone' | 'sentinel';

/** What an engine builds a RedisCache with: its names, labels and settings. */
export interface RedisBuild {
  /** The RedisCache, which every object is built into. */
  readonly scope: Construct;
  /** Name of the StatefulSet and the client Service. */
  readonly name: string;
  /** Namespace of the chart. */
  readonly namespace?: string;
  /** Labels of every object. */
  readonly labels: Record<string, string>;
  /** Labels the pods are selected by. */
  readonly selector: Record<string, string>;
  /** Metadata with the labels and the database sync wave. */
  meta(name: string): { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  /** Pods. */
  readonly replicas: number;
  /** Redis image. */
  readonly image: string;
  /** `redis.conf` directives every engine shares (memory, persistence), one per line. */
  readonly redisConf: readonly string[];
  /** The Secret and key of the password. */
  readonly credentials: { readonly secretName: string; readonly passwordKey: string };
  /** Requests and limits of the Redis container. */
  readonly resources: ResourceRequirements;
  /** The data volume of each pod. */
  readonly storage: { readonly size: string; readonly storageClass?: string };
  /** UID/GID of the pods. */
  readonly runAsUser: number;
  /** Registry credentials, priority, node selection and tolerations of the pods. */
  readonly placement: PodPlacement;
  /** The exporter sidecar and who scrapes it; none when monitoring is off. */
  readonly exporter?: { readonly image: string; readonly monitoringPeer: NetworkPeer };
  /** Whether to emit the PrometheusRule (only with the exporter, whose metrics it reads). */
  readonly alerts: boolean;
  /** Whether to emit the Grafana dashboard ConfigMap (only with the exporter). */
  readonly dashboard: boolean;
  /** Environment label, runbooks, severity and dashboard folder. */
  readonly observability: ObservabilitySettings;
  /** `maxmemory-policy`, which decides how loud memory near the maximum is. */
  readonly maxMemoryPolicy: string;
}

/** What an engine built. */
export interface RedisParts {
  /** The StatefulSet. */
  readonly statefulSet: ApiObject;
  /** The ConfigMap with the configuration templates and start scripts. */
  readonly configMap: ApiObject;
  /** The headless Service (stable pod names, metrics). */
  readonly headlessService: ApiObject;
  /** The client Service on 6379. */
  readonly service: ApiObject;
  /** The Sentinel Service on 26379, with Sentinel. */
  readonly sentinelService?: ApiObject;
  /** The PodDisruptionBudget. */
  readonly disruptionBudget: ApiObject;
  /** The NetworkPolicy of the pods. */
  readonly networkPolicy: ApiObject;
  /** The ServiceMonitor, when monitoring is on. */
  readonly serviceMonitor?: ApiObject;
  /** The PrometheusRule, when alerts are on. */
  readonly alertRules?: ApiObject;
  /** The Grafana dashboard ConfigMap, when the dashboard is on. */
  readonly dashboard?: ApiObject;
  /** Connection settings for clients (the password Secret is the construct's to add). */
  readonly connection: Omit<CacheConnection, 'secretName' | 'passwordKey' | 'tls' | 'database'>;
  /** The pods. */
  readonly peer: NetworkPeer;
  /** Admits a client to the client ports. */
  admit(peer: NetworkPeer): void;
}

/** What a Redis engine does (internal: the public, closed `RedisEngine` wraps one). */
export interface RedisEngineImpl {
  /** Which engine. */
  readonly kind: RedisEngineKind;
  /** Pods unless the props say. */
  readonly defaultReplicas: number;
  /**
   * Problems of the cache's props that depend on the engine: the props are at `path`, the engine's own
   * options at `enginePath`.
   */
  propsProblems(props: { readonly replicas?: number }, path?: FieldPath, enginePath?: FieldPath): Problem[];
  /**
   * Builds the engine's objects.
   * @internal
   */
  _bind(build: RedisBuild): RedisParts;
}

/** Problems with Sentinel engine options. */
export function validateSentinelOptions(o: SentinelEngineOptions, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  if (o.masterName !== undefined && (typeof o.masterName !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(o.masterName))) {
    c.check(path.child('masterName'), `${show(o.masterName)} is not a master name: use up to 64 letters, digits, ".", "_" and "-"`);
  }
  if (o.quorum !== undefined) c.check(path.child('quorum'), checkInteger(o.quorum, 1, 9));
  if (o.downAfter !== undefined) c.check(path.seconds('downAfter'), checkDurationRange(o.downAfter, 1, 600, path.spelling));
  if (o.failoverTimeout !== undefined) c.check(path.seconds('failoverTimeout'), checkDurationRange(o.failoverTimeout, 10, 3600, path.spelling));
  return [...c.problems];
}
