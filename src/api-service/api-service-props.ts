/** What an API service (TradingBackend, BlueGreenService, CanaryRollout) is configured with. */
import { Duration } from 'cdk8s';
import { PodPlacement } from '../core/placement';
import { ObservabilityOptions } from '../monitoring/settings';
import { ResourceRequirements } from '../core/resources';
import { SecretRef, SecretStore } from '../core/secrets';
import type { SecretRotationOptions } from '../core/secret-rotation';
import { DrainHook } from './drain-hook';
import { Exposure } from './exposure';
import { Migration } from './migration';
import { Scaling } from './scaling';

/** Probe paths. */
export interface HealthCheckOptions {
  /** HTTP path of the readiness (and startup) probe. @default '/health' */
  readonly readinessPath?: string;
  /**
   * HTTP path of the liveness probe: one that answers while the process is sound, whatever the database or
   * the cache do (a path that checks them restarts every pod during their outage).
   * @default - a TCP check of the HTTP port, probed less often and more tolerantly than readiness
   */
  readonly livenessPath?: string;
}

/** Prometheus scraping, alerting and the Grafana dashboard. */
export interface MonitoringOptions extends ObservabilityOptions {
  /**
   * Scrape the metrics port: a PodMonitor selecting every pod of the service once, whatever Services
   * exist, with `service="<name>"` on every series. (The name is older than the PodMonitor: a
   * ServiceMonitor scraped a canary's pods twice, through the stable and the canary Service.) @default true
   */
  readonly serviceMonitor?: boolean;
  /** Emit a PrometheusRule with the availability, error-rate, latency, saturation, restart, rollout and migration alerts. @default true */
  readonly alerts?: boolean;
  /** Emit a Grafana dashboard ConfigMap (`<name>-dashboard`, label `grafana_dashboard: "1"`). @default true */
  readonly dashboard?: boolean;
  /** Metrics path. @default '/metrics' */
  readonly path?: string;
  /** Scrape interval. @default Duration.seconds(30) */
  readonly interval?: Duration;
  /** Namespace Prometheus runs in; admitted to the metrics port. @default 'monitoring' */
  readonly namespace?: string;
}

/** Rollout timing of zero-downtime rolling updates. */
export interface RolloutOptions {
  /** How long a new pod must be ready before it counts as available (0 s to 1 h). @default Duration.seconds(10) */
  readonly minReady?: Duration;
  /** How long the preStop hook waits so load balancers stop sending before SIGTERM (0 s to 10 m). @default Duration.seconds(10) */
  readonly drain?: Duration;
  /**
   * How the preStop hook waits: `DrainHook.execSleep()` runs `sleep` from the image, which therefore needs a `sleep`
   * executable (busybox or coreutils; `scratch`, distroless `static` and single-binary images have none, and their
   * pods would get SIGTERM with no drain); `DrainHook.sleepAction()` has the kubelet wait, with nothing needed in the
   * image, on Kubernetes 1.30 or later.
   * @default DrainHook.execSleep()
   */
  readonly drainHook?: DrainHook;
  /** Grace period; must be longer than the drain so the server can finish in-flight requests (1 s to 1 h). @default Duration.seconds(45) */
  readonly terminationGracePeriod?: Duration;
  /**
   * Any value (a date, a build id); changing it rolls the pods, through a pod-template annotation
   * (`cdk8s-trading.dev/restart-token`). For images that float (`latest`): they are pulled on every pod start
   * (`imagePullPolicy: Always`), and a new token in Git is what makes a new `latest` reach running pods.
   * @default - no annotation
   */
  readonly restartToken?: string;
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
  /** Probe paths. @default - readiness on `/health`, liveness a TCP check of the HTTP port */
  readonly healthCheck?: HealthCheckOptions;
  /** Replica count or autoscaling (per colour, for blue-green). @default Scaling.fixed(2) */
  readonly scaling?: Scaling;
  /**
   * Refuse fewer than two pods (`Scaling.fixed(1)`, or autoscaling from one): a single pod is down through every node
   * drain and restart. Production environment files set it (a deliberate exception says `allowFewerReplicas: true`),
   * as databases and caches below three need theirs. @default false
   */
  readonly requireHighAvailability?: boolean;
  /** CPU and memory requests and limits. @default - 500m/512Mi requested, 2000m/2Gi limit */
  readonly resources?: ResourceRequirements;
  /** Non-secret settings, stored in a ConfigMap and loaded as environment variables. @default - no ConfigMap */
  readonly config?: Record<string, string>;
  /** Secret environment variables, each a reference; values never pass through the library. @default - none */
  readonly secretEnv?: Record<string, SecretRef>;
  /** Store that `SecretRef.fromExternalStore` entries are read from. @default - none; required when any external reference is used */
  readonly secretStore?: SecretStore;
  /**
   * How a rotated Secret (its own, a database's or a cache's password) reaches the running pods: with `reloader`, every
   * workload (each colour, the Rollout) is annotated for Stakater Reloader, which rolls it when a Secret it references
   * changes. The migration Job reads the Secrets when it starts and is not annotated.
   * @default - the `cdk8s-trading:secretRotation` context, else `{ reloader: true }`
   */
  readonly secretRotation?: SecretRotationOptions;
  /** Route from outside the cluster. @default Exposure.none() */
  readonly exposure?: Exposure;
  /** Database migrations. @default Migration.none() */
  readonly migration?: Migration;
  /** Monitoring. @default - a PodMonitor, the alerts and a dashboard, Prometheus in `monitoring`, settings from the `cdk8s-trading:monitoring` context */
  readonly monitoring?: MonitoringOptions;
  /** Rollout timing. @default - ready for 10 s, a 10 s drain, a 45 s grace period */
  readonly rollout?: RolloutOptions;
  /** Emit a NetworkPolicy for the pods. @default true */
  readonly networkPolicy?: boolean;
  /** Non-zero UID (and GID) the container runs as. @default 10001 */
  readonly runAsUser?: number;
  /** Overrides the image's entrypoint. @default - the image's ENTRYPOINT */
  readonly command?: string[];
  /** Arguments to the entrypoint. @default - the image's CMD */
  readonly args?: string[];
  /**
   * Registry credentials, priority, node selection and tolerations of every pod (API, colours, canary, migration Job). @default - the
   * `cdk8s-trading:placement` context, else none
   */
  readonly placement?: PodPlacement;
}

/** Requests and limits of an API container unless given: 500m/512Mi requested, 2000m/2Gi limit. */
export const DEFAULT_RESOURCES: ResourceRequirements = {
  requests: { cpu: '500m', memory: '512Mi' },
  limits: { cpu: '2000m', memory: '2Gi' },
};

/** A backend Service a route sends traffic to. */
export type { RouteBackend } from './exposure';

/** Plain name + labels (+ annotations): assignable to both the k8s ObjectMeta and the CRD models' metadata. */
export interface PlainMetadata {
  name: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/** What an engine that runs a service's pods tells the service (blue-green and canary engines). */
export interface IServiceEngine {
  /** The image the shared parts (the migration Job) run. */
  readonly primaryImage: string;
  /** Whether untagged or `latest` images are accepted. */
  readonly allowLatestTag: boolean;
  /**
   * For engines whose workloads each load a ConfigMap of their own (the blue-green colours), one entry per
   * workload: its name suffix (`blue` → `<name>-blue-config`) and the variables merged over the shared
   * `config`. A change to one entry then rolls only that workload. The shared parts (the migration Job)
   * load the first entry's ConfigMap.
   * @default - one ConfigMap `<name>-config`, loaded by every workload
   */
  readonly workloadConfig?: readonly WorkloadConfig[];
}

/** The configuration of one workload of an engine: see `IServiceEngine.workloadConfig`. */
export interface WorkloadConfig {
  /** Suffix of the workload's name (`blue`); its ConfigMap is `<name>-<suffix>-config`. */
  readonly suffix: string;
  /** Variables of this workload only, merged over the shared `config`. */
  readonly overrides: Readonly<Record<string, string>>;
}
