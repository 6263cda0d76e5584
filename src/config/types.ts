/**
 * The shapes of the environment files (`environments/<env>.yaml`). Generated from the JSON Schema by
 * scripts/config-types.cjs: edit the schema and run it.
 */

/** One environment (dev, staging or prod). Values not given come from the tier's defaults. */
export interface EnvironmentConfig {
  /** Picks replicas, resources, quota and whether `latest` images are allowed. */
  tier: 'dev' | 'staging' | 'prod';
  /** Namespace of every object of this environment. */
  namespace: string;
  /** app.kubernetes.io/part-of of every object. Default: the namespace. */
  partOf?: string;
  /**
   * Keep the namespace, the databases (CloudNativePG Cluster or StatefulSet) and the caches' StatefulSets when they
   * leave Git or their Application/Kustomization is deleted: Argo CD Prune=false,Delete=false and Flux prune: disabled.
   * Default: the tier's (false in dev, true in staging and prod).
   */
  pruneProtection?: boolean;
  /**
   * How a rotated password or secret (an ExternalSecret refresh, a CloudNativePG app Secret) reaches the running pods,
   * which read Secrets only at start.
   */
  secretRotation?: {
    /**
     * Annotate every API workload (each colour, the Rollout) and each cache's StatefulSet for Stakater Reloader
     * (secret.reloader.stakater.com/auto; rollout-strategy restart on Rollouts), which rolls them when a Secret they
     * read changes. Reloader must run in the cluster with --reload-strategy=annotations (and --is-Argo-Rollouts=true
     * for Rollouts). Default: the tier's (false in dev, true in staging and prod).
     */
    reloader?: boolean;
  };
  /**
   * Where the pods' DNS queries go (every pod's egress allows it): the DNS pods by namespace and labels, or an address
   * block (NodeLocal DNSCache: 169.254.20.10/32). Default: pods labelled k8s-app: kube-dns in kube-system.
   */
  dns?: {
    namespace?: string;
    podLabels?: Record<string, string>;
    cidr?: string;
  };
  /**
   * Registry credentials, priority, node selection and tolerations of every pod of the environment (services, migration
   * Jobs, databases, caches).
   */
  placement?: {
    /** Secrets with registry credentials, like regcred. */
    imagePullSecrets?: Array<string>;
    /** PriorityClass of the pods. */
    priorityClassName?: string;
    /** Node labels the pods must run on. */
    nodeSelector?: Record<string, string>;
    /** Taints the pods tolerate. */
    tolerations?: Array<{
      key?: string;
      operator?: 'Equal' | 'Exists';
      value?: string;
      effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
      tolerationSeconds?: number;
    }>;
  };
  /** Namespace of Prometheus, admitted to metrics ports. Default: monitoring. */
  monitoringNamespace?: string;
  /** Alerts and dashboards of every service and database: the environment label, runbooks, severity, Grafana folder. */
  monitoring?: MonitoringConfig;
  /** external-secrets.io store that `remoteKey` secret references read from. */
  secretStore?: {
    name: string;
    /** Default: ClusterSecretStore. */
    kind?: 'SecretStore' | 'ClusterSecretStore';
  };
  /** Namespace ResourceQuota; fields not given come from the tier. */
  quota?: {
    requestsCpu?: string;
    requestsMemory?: string;
    limitsCpu?: string;
    limitsMemory?: string;
    pods?: number;
  };
  /**
   * The namespace LimitRange (per container): defaultRequest and defaultLimit for containers that set none, max for
   * any. Each quantity not given is the tier's. Every container the environment runs must fit it (policy
   * limit-range-admits).
   */
  containerLimits?: {
    defaultRequest?: {
      cpu?: string;
      memory?: string;
    };
    defaultLimit?: {
      cpu?: string;
      memory?: string;
    };
    max?: {
      cpu?: string;
      memory?: string;
    };
  };
  /** API services (TradingBackend), keyed by name. */
  services: Record<string, ServiceConfig>;
  /** PostgreSQL clusters (PostgresCluster), keyed by name. Services connect with `database: <name>`. */
  databases?: Record<string, DatabaseConfig>;
  /** Redis caches (RedisCache), keyed by name. Services connect with `cache: <name>`. */
  caches?: Record<string, CacheConfig>;
  /** Deliberate exceptions to policy rules, one object and rule each, with the reason. */
  waivers?: Array<{
    rule:
      | 'pod-security-restricted'
      | 'workload-probes'
      | 'resources-set'
      | 'image-pinned'
      | 'replicated-has-pdb'
      | 'replicated-has-spread'
      | 'network-policy-coverage'
      | 'service-selects-pods'
      | 'hpa-target-exists'
      | 'pdb-selects-pods'
      | 'no-secret-data';
    /** Kind/name, e.g. Deployment/trading-api. */
    object: string;
    /** Why the exception is acceptable (at least a sentence). */
    reason: string;
  }>;
  /**
   * Opt-in release and delivery notifications of this environment: Argo Rollouts subscriptions on every Rollout
   * (rollout aborted, analysis failed, rollout completed), Argo CD Application subscriptions (sync failed, health
   * degraded, deployed), and a Flux Provider and Alerts (failed reconciliations; the last stage ready). The channel by
   * name; the token only by Secret reference.
   */
  notifications?: NotificationsConfig;
}

export interface QuantitiesConfig {
  cpu?: string;
  memory?: string;
}

export interface ServiceConfig {
  /**
   * Image with a tag or digest; `latest` only in dev. Required, except with release engines that name their own images
   * (blue-green service-switch, weighted canary).
   */
  image?: string;
  /** HTTP port. Default: 8080. */
  port?: number;
  /** Prometheus metrics port. Default: 9090. */
  metricsPort?: number;
  healthCheck?: {
    readinessPath?: string;
    /**
     * HTTP path of the liveness probe, one that does not check the database or the cache. Default: a TCP check of the
     * HTTP port.
     */
    livenessPath?: string;
  };
  /** Fixed replicas; excludes autoscaling. */
  replicas?: number;
  /** prod only: accept fewer than 2 API pods (replicas or autoscaling.minReplicas) deliberately. */
  allowFewerReplicas?: boolean;
  /** HPA on CPU and memory (and requests per second when asked); excludes replicas. */
  autoscaling?: {
    minReplicas?: number;
    maxReplicas?: number;
    /** Target average CPU, in percent of the request. Default: 70. */
    cpuUtilization?: number;
    /**
     * Target average memory, in percent of the request (the HPA's Utilization). Default: 80, unless memoryOfLimit is
     * set.
     */
    memoryUtilization?: number;
    /**
     * Target average memory, in percent of the limit (the memory alerts' base), rendered as an AverageValue; excludes
     * memoryUtilization (the tier's is dropped).
     */
    memoryOfLimit?: number;
    /**
     * Target average HTTP requests per second per pod: a Pods metric from the custom metrics API, served by a
     * Prometheus Adapter rule over the service's request counter. Default: not scaled on requests.
     */
    requestsPerSecond?: number;
    /** The per-pod request rate's name in the custom metrics API. Default: http_requests_per_second. */
    requestsPerSecondMetric?: string;
  };
  resources?: {
    requests?: QuantitiesConfig;
    limits?: QuantitiesConfig;
  };
  /** Non-secret environment variables (a ConfigMap). */
  config?: Record<string, string>;
  /** Secret environment variables, by reference only. */
  secretEnv?: Record<string, SecretEnvConfig>;
  exposure?: {
    gateway?: {
      gatewayName: string;
      gatewayNamespace: string;
      listenerName?: string;
      trafficNamespace?: string;
      hosts: Array<string>;
      /**
       * Redirect plain HTTP to HTTPS: an HTTPRoute <name>-https-redirect on the Gateway's plain-HTTP listener,
       * answering 301 to https. Needs listenerName (the HTTPS listener). Default: no redirect.
       */
      httpsRedirect?: {
        /** The Gateway's plain-HTTP listener (sectionName of the redirect route). */
        listenerName: string;
      };
      /** A Strict-Transport-Security header on every response (a ResponseHeaderModifier filter). Default: no header. */
      hsts?: {
        /** max-age: how long browsers keep to HTTPS, up to 2 years. Default: 31536000 (a year). */
        maxAgeSeconds?: number;
        /** Cover every subdomain of the hosts too; only when all of them serve HTTPS. Default: false. */
        includeSubDomains?: boolean;
      };
    };
    ingress?: {
      hosts: Array<string>;
      className?: string;
      clusterIssuer?: string;
      tlsSecretName?: string;
      controllerNamespace?: string;
      /**
       * ingress-nginx rate limits per client IP and per controller replica (limit-* annotations); over them, 503 unless
       * the controller's limit-req-status-code says otherwise. Default: none.
       */
      rateLimit?: {
        /** limit-rps: requests per second from one client IP. */
        requestsPerSecond?: number;
        /**
         * limit-burst-multiplier: the burst over requestsPerSecond, as a multiple of it. Default: ingress-nginx's, 5.
         */
        burstMultiplier?: number;
        /** limit-connections: concurrent connections from one client IP. */
        connections?: number;
      };
    };
  };
  /** How database migrations run: none, on-start (in the binary before it serves) or job (a Job before the rollout). */
  migration?: JobMigrationConfig | OnStartMigrationConfig | NoMigrationConfig;
  monitoring?: {
    /**
     * Scrape the metrics port with a PodMonitor over every pod of the service (each pod once, with service=<name> on
     * every series). Default: true.
     */
    serviceMonitor?: boolean;
    alerts?: boolean;
    path?: string;
    interval?: string;
    /** A Grafana dashboard ConfigMap (<name>-dashboard). Default: true. */
    dashboard?: boolean;
    /** This service's names, over the environment's monitoring.httpMetrics. */
    httpMetrics?: HttpMetricsConfig;
  };
  rollout?: {
    minReadySeconds?: number;
    drainSeconds?: number;
    /**
     * How the preStop hook waits drainSeconds. exec-sleep (default) runs `sleep` from the image, which needs a sleep
     * executable (busybox or coreutils; scratch, distroless static and single-binary images have none). sleep-action is
     * Kubernetes' own lifecycle sleep action: nothing needed in the image, Kubernetes 1.30 or later.
     */
    drainHook?: 'exec-sleep' | 'sleep-action';
    terminationGracePeriodSeconds?: number;
    /**
     * Any value (a date, a build id): changing it rolls the pods. With a `latest` image (dev), a new token is how a
     * newly pushed image reaches the running pods.
     */
    restartToken?: string;
  };
  runAsUser?: number;
  command?: Array<string>;
  args?: Array<string>;
  /** Extra destinations the pods may connect to (DNS is always allowed; everything else is denied). */
  egress?: Array<{
    /** Every pod of this namespace. */
    namespace?: string;
    /** An IP block, e.g. 10.0.0.0/16 or 0.0.0.0/0. */
    cidr?: string;
    ports: Array<number>;
  }>;
  /** Name of a database of this environment to connect to (PGHOST, PGUSER, ..., DATABASE_URL). */
  database?: string;
  /**
   * Name of a cache of this environment to connect to (REDIS_PASSWORD and REDIS_URL, or the REDIS_SENTINEL_*
   * variables).
   */
  cache?: string;
  /** How new versions roll out. Default: rolling (a Deployment with maxSurge 1, maxUnavailable 0). */
  release?: ReleaseConfig;
  /**
   * Emit the service's NetworkPolicy. Default: true. Turning it off breaks the network-policy-coverage rule unless
   * waived.
   */
  networkPolicy?: boolean;
  /**
   * Also give the service READ_DATABASE_URL, through the database's read-only replicas (CloudNativePG). Default: false.
   */
  readReplicas?: boolean;
  /**
   * Release this service only after another service of this file has answered its readiness path for
   * stabilizationSeconds (a frontend after its API): its workloads, routes and smoke check move to the staged Argo CD
   * waves and Flux stages, behind a wait Job. One level: the other service cannot itself release after another.
   */
  releaseAfter?: {
    /** The key (under services) of the service to release after. */
    service: string;
    /**
     * How long that service must answer its readiness path, polled every 5 s through its Service, before this one is
     * released (0 to 300, within Flux's default 10-minute stage timeout; 0: only the order, no wait Job). Default: 60.
     */
    stabilizationSeconds?: number;
    /**
     * Image of the wait Job, with sh, date, sleep and curl, pinned by tag or digest. Default: the smoke check's curl
     * image.
     */
    image?: string;
  };
}

/** The keys each kind takes are its branch's (the tier reads an entry without an engine with its default engine). */
export interface DatabaseConfig {
  /** Default: statefulset in dev, cloudnative-pg in staging and prod. */
  engine?: 'cloudnative-pg' | 'statefulset';
  /** Default: 1 in dev, 2 in staging, 3 in prod. */
  instances?: number;
  /** prod only: accept fewer than 3 instances deliberately. */
  allowFewerInstances?: boolean;
  /** A PrometheusRule for the cluster (<name>-alerts). Default: true. */
  alerts?: boolean;
  /** A Grafana dashboard ConfigMap (<name>-dashboard). Default: true. */
  dashboard?: boolean;
  /**
   * Image pinned by tag or digest. Default: a CloudNativePG standard image (17.11, Debian trixie, by digest) with
   * cloudnative-pg, docker.io/library/postgres:17.5 with statefulset.
   */
  image?: string;
  /** Application database. Default: app. */
  database?: string;
  /** Its owner. Default: app. */
  owner?: string;
  storage?: {
    size?: string;
    storageClass?: string;
  };
  /** postgresql.conf parameters (cloudnative-pg). */
  parameters?: Record<string, string>;
  resources?: {
    requests?: QuantitiesConfig;
    limits?: QuantitiesConfig;
  };
  /** Existing Secret with the superuser name and password (engine statefulset, where it is required). */
  credentialsSecret?: string;
  usernameKey?: string;
  passwordKey?: string;
  /** cloudnative-pg: Barman Cloud backups. Required in prod. */
  backup?: BackupConfig;
  /** cloudnative-pg: PgBouncer. Default: on in prod, off elsewhere; false turns it off. */
  pooler?: boolean | {
    name?: string;
    instances?: number;
    poolMode?: 'session' | 'transaction';
    maxClientConnections?: number;
    defaultPoolSize?: number;
  };
  /**
   * A database outside the cluster (PostgresCluster.fromExternal): nothing is deployed; services get the connection
   * variables and an egress rule. The other keys of the entry do not apply.
   */
  external?: ExternalDatabaseConfig;
  /**
   * Server name the cluster archives under (CloudNativePG with backup). Default: the database's name, or
   * <name>-restored when restoring from an archive of that name.
   */
  archiveServerName?: string;
  /**
   * Point-in-time recovery: bootstrap this cluster from a backup archive instead of an empty database (CloudNativePG).
   */
  recovery?: {
    /** Server name of the archive: the name of the cluster whose backups are restored. */
    serverName: string;
    /**
     * Restore up to this instant (RFC 3339 with a zone, like 2026-11-23T09:30:00Z). Default: the end of the archive.
     */
    targetTime?: string;
    /** Where the archive is. Default: this database's backup object store. */
    objectStore?: BackupConfig;
  };
}

/** The keys each kind takes are its branch's (the tier reads an entry without an engine with its default engine). */
export interface CacheConfig {
  /** Default: standalone in dev and staging, sentinel in prod. */
  engine?: 'standalone' | 'sentinel';
  /** Pods: 1 standalone; with sentinel a primary and replicas, each with a Sentinel. Default: 3 with sentinel. */
  replicas?: number;
  /** prod only: accept fewer than 3 Sentinel pods deliberately. */
  allowFewerReplicas?: boolean;
  /** Redis image with a pinned tag. Default: docker.io/library/redis:7.4.2. */
  image?: string;
  /** Data volume of each pod. Default size: 1Gi in dev, 2Gi in staging, 5Gi in prod. */
  storage?: {
    size?: string;
    storageClass?: string;
  };
  persistence?: {
    /** Append-only file. Default: true. */
    appendOnly?: boolean;
    /** Default: everysec. */
    appendFsync?: 'always' | 'everysec' | 'no';
  };
  resources?: {
    requests?: QuantitiesConfig;
    limits?: QuantitiesConfig;
  };
  /** maxmemory as a quantity, at most the memory limit. Default: 80 % of the memory limit. */
  maxMemory?: string;
  /** Default: allkeys-lru. */
  maxMemoryPolicy?:
    | 'noeviction'
    | 'allkeys-lru'
    | 'allkeys-lfu'
    | 'allkeys-random'
    | 'volatile-lru'
    | 'volatile-lfu'
    | 'volatile-random'
    | 'volatile-ttl';
  /** redis_exporter sidecar and a ServiceMonitor. Default: true. */
  monitoring?: boolean;
  /** A PrometheusRule for the cache (<name>-alerts); needs monitoring. Default: true when monitoring is on. */
  alerts?: boolean;
  /** A Grafana dashboard ConfigMap (<name>-dashboard); needs monitoring. Default: true when monitoring is on. */
  dashboard?: boolean;
  /** An existing Secret with the password (or use remoteKey). */
  credentialsSecret?: string;
  /** Key of the password in credentialsSecret. Default: password. */
  passwordKey?: string;
  /** Entry of the environment's secretStore holding the password (instead of credentialsSecret). */
  remoteKey?: string;
  /** Property of remoteKey with the password. Default: password. */
  passwordProperty?: string;
  /** Name Sentinel monitors the primary under. Default: mymaster. (engine sentinel) */
  masterName?: string;
  /** Sentinels that must agree the primary is down. Default: a majority of the pods. (engine sentinel) */
  quorum?: number;
  /** Seconds the primary may fail to answer before it counts as down. Default: 5. (engine sentinel) */
  downAfterSeconds?: number;
  /** Failover timeout. Default: 60. (engine sentinel) */
  failoverTimeoutSeconds?: number;
  /**
   * A Redis outside the cluster (RedisCache.fromExternal), like ElastiCache: nothing is deployed but an ExternalSecret
   * with remoteKey; services get REDIS_PASSWORD and REDIS_URL and an egress rule. The other keys of the entry do not
   * apply.
   */
  external?: ExternalCacheConfig;
}

export type SecretEnvConfig = {
  secretName: string;
  key: string;
} | {
  remoteKey: string;
  property?: string;
};

export interface AnalysisConfig {
  successRate?: number;
  maxLatencyP95Seconds?: number;
  interval?: string;
  count?: number;
  /** Failed measurements tolerated before the run fails. Default: 1. */
  failureLimit?: number;
  /**
   * Measurements without data (no series, or NaN) tolerated before the run is inconclusive and the rollout pauses; no
   * data never counts as success. failureLimit + inconclusiveLimit must stay below count. Default: 1.
   */
  inconclusiveLimit?: number;
  /**
   * Time each Prometheus metric waits before its first measurement (a Go duration, 0s to 1h), so a new ReplicaSet is
   * not measured before its rate window has samples. Default: the 2m rate window plus the scrape interval (2m30s with
   * the default 30s).
   */
  initialDelay?: string;
  /**
   * canary argo-rollouts: inconclusiveLimit of the background analysis, which has no count and meets every quiet minute
   * of the canary; reaching it pauses the rollout for a human, no data never counts as success. Default: 3.
   */
  backgroundInconclusiveLimit?: number;
  prometheusAddress?: string;
  /**
   * Metrics of your own, measured beside the built-in ones in the same AnalysisTemplate(s) and the same Prometheus.
   * Each fails closed like them: a measurement with no series or a NaN value is inconclusive, never a success. Default:
   * none.
   */
  customMetrics?: Array<{
    /**
     * Name of the metric in the AnalysisTemplate: an RFC 1123 label, unique, not success-rate, latency-p95 or
     * smoke-test.
     */
    name: string;
    /**
     * PromQL query returning an instant vector; its values reach the conditions as the list result (result[0] is the
     * first series). {{args.namespace}}, {{args.service-name}} and {{args.pod-template-hash}} select the new version's
     * pods.
     */
    query: string;
    /**
     * Condition (Argo Rollouts' expr language) a measured value must meet to pass, like "result[0] < 0.05". Default:
     * the negation of failureCondition.
     */
    successCondition?: string;
    /**
     * Condition under which a measured value fails, like "result[0] >= 0.05". Default: the negation of
     * successCondition.
     */
    failureCondition?: string;
    /** Time between measurements (a Go duration, 1s to 1h). Default: the analysis's interval. */
    interval?: string;
    /** Measurements per bounded run. Default: the analysis's count. */
    count?: number;
    /** Failed measurements tolerated before the run fails. Default: the analysis's failureLimit. */
    failureLimit?: number;
  }>;
}

export interface SmokeTestConfig {
  /** Default: true. */
  enabled?: boolean;
  /**
   * Paths that must answer 2xx. Default: the readiness path, plus /health/db with a database and /health/redis with a
   * cache.
   */
  paths?: Array<string>;
  /** Time each request may take (1 to 60). Default: 5. */
  timeoutSeconds?: number;
  /** Image with curl. Default: curlimages/curl:8.20.0. */
  image?: string;
}

/**
 * How new versions roll out: a strategy, and for blue-green and canary an engine. Default: rolling (a Deployment with
 * maxSurge 1, maxUnavailable 0).
 */
export type ReleaseConfig = RollingReleaseConfig | ArgoBlueGreenReleaseConfig | ServiceSwitchReleaseConfig | WeightedCanaryReleaseConfig | ArgoCanaryReleaseConfig;

export interface BackupConfig {
  destinationPath: string;
  /**
   * Endpoint of an S3-compatible store (MinIO, Ceph), like http://minio.minio.svc:9000. Default: the cloud's own (AWS
   * S3 for s3://).
   */
  endpointUrl?: string;
  credentialsSecret?: string;
  accessKeyIdKey?: string;
  secretAccessKeyKey?: string;
  /** Like 30d, 4w, 6m. Default: 30d. */
  retention?: string;
  /** Six-field cron, seconds first. Default: 0 0 2 * * *. */
  schedule?: string;
  walCompression?: 'bzip2' | 'gzip' | 'lz4' | 'snappy' | 'xz' | 'zstd';
  /**
   * Where the instances may reach the store (an egress rule of its own, apart from the API server's). Default: derived
   * from endpointUrl (or an http(s) destinationPath): a Service URL like http://minio.minio.svc:9000 allows that
   * namespace on that port; an external endpoint, and s3:// or gs:// without one, 0.0.0.0/0 on its port (443 by
   * default).
   */
  egress?: {
    /** Namespace of the store's pods. Default: the endpoint's Service namespace. */
    namespace?: string;
    /** Labels of the store's pods in that namespace. Default: every pod of the namespace. */
    podLabels?: Record<string, string>;
    /** An address block instead of pods (a store outside the cluster); namespace and podLabels do not apply with it. */
    cidr?: string;
    /**
     * The store pods' ports (a Service's targetPort, which NetworkPolicies match). Default: the endpoint's port, else
     * 443 for https, 80 for http.
     */
    ports?: Array<number>;
  };
}

export interface ExternalDatabaseConfig {
  /** DNS name or IP address of the server. */
  host: string;
  /** Port. Default: 5432. */
  port?: number;
  /** Database name. */
  database: string;
  /** libpq sslmode. Default: require. */
  sslMode?: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  /** Address block of the server, for the services' egress rule. Default: 0.0.0.0/0 on the port only. */
  cidr?: string;
  /** An existing Secret with the user name and password (or use remoteKey). */
  credentialsSecret?: string;
  /** Key of the user name in credentialsSecret. Default: username. */
  usernameKey?: string;
  /** Key of the password in credentialsSecret. Default: password. */
  passwordKey?: string;
  /** Entry of the environment's secretStore holding the credentials (instead of credentialsSecret). */
  remoteKey?: string;
  /** Property of remoteKey with the user name. Default: username. */
  usernameProperty?: string;
  /** Property of remoteKey with the password. Default: password. */
  passwordProperty?: string;
}

export interface ExternalCacheConfig {
  /** DNS name or IP address of the primary endpoint. */
  host: string;
  /** Port. Default: 6379. */
  port?: number;
  /** Connect with TLS (rediss://). Default: true. */
  tls?: boolean;
  /** Logical database number. Default: 0. */
  database?: number;
  /** Address block of the endpoint, for the services' egress rule. Default: 0.0.0.0/0 on the port only. */
  cidr?: string;
  /** An existing Secret with the password (or use remoteKey). */
  credentialsSecret?: string;
  /** Key of the password in credentialsSecret. Default: password. */
  passwordKey?: string;
  /** Entry of the environment's secretStore holding the password (instead of credentialsSecret). */
  remoteKey?: string;
  /** Property of remoteKey with the password. Default: password. */
  passwordProperty?: string;
}

export interface MonitoringConfig {
  /** Value of every alert's environment label. Default: the file name (prod for prod.yaml). */
  environment?: string;
  /**
   * Start of every runbook_url, ending in / or #; the alert's name in lower case is appended. Default: this library's
   * docs/runbooks.md#.
   */
  runbookBaseUrl?: string;
  /** Every alert with severity warning (nothing pages). Default: true in dev and staging, false in prod. */
  warningOnly?: boolean;
  dashboards?: {
    /** Grafana folder of the dashboards. Default: the environment. */
    folder?: string;
    /**
     * Annotation naming the folder: the Grafana chart's sidecar.dashboards.folderAnnotation. Default: grafana_folder.
     */
    folderAnnotation?: string;
  };
  /**
   * Prometheus that Argo Rollouts queries in every release's analysis (a release's analysis.prometheusAddress wins).
   * Default: http://prometheus-operated.monitoring.svc:9090.
   */
  prometheusAddress?: string;
  httpMetrics?: HttpMetricsConfig;
}

export interface NotificationsConfig {
  slack: {
    /** Slack channel name ("trading-releases", "#" optional) or ID. Never a webhook URL or a token. */
    channel: string;
    /**
     * Secret with the Slack bot token under the key "token", in Flux's namespace (Flux's Provider reads it). Argo CD
     * and Argo Rollouts read theirs from their own notification Secrets.
     */
    secretName: string;
  };
  /**
   * Also announce releases that complete: Argo Rollouts on-rollout-completed on every Rollout, Argo CD on-deployed
   * (synced and healthy, once per commit) and a Flux Alert on the last stage's passed health check. Argo CD and Flux
   * stay silent on success where every release of the environment runs on a Rollout, which announces it. Default: true.
   */
  onSuccess?: boolean;
}

/** A Deployment replaced pod by pod (maxSurge 1, maxUnavailable 0). */
export interface RollingReleaseConfig {
  strategy: 'rolling';
}

/** Two Deployments, one per colour; the public Service selects the active one. */
export interface ServiceSwitchReleaseConfig {
  strategy: 'blue-green';
  engine?: 'service-switch';
  /** The colour the public Service selects. Switch and roll back by changing it. */
  activeColor: 'blue' | 'green';
  blueImage: string;
  greenImage: string;
  /** The colour carrying a staged release. */
  releaseColor?: 'blue' | 'green';
  scaleDownIdle?: boolean;
  /**
   * The HPA minimum of the releaseColor, so the colour is at least as large as the live one before the switch; it stays
   * raised after the switch until releaseColor is removed. With autoscaling only, within its range. Default:
   * autoscaling.maxReplicas.
   */
  releaseMinReplicas?: number;
  /** Public host of the preview (idle) colour. */
  previewHost?: string;
  /**
   * The smoke check before traffic moves (every engine): a curl Job GETting the health paths. argo-rollouts: a job
   * metric in the pre-promotion analysis (blue-green) or at the start of the canary; service-switch and weighted: an
   * Argo CD PostSync hook Job against the preview or canary Service, in the 60-smoke-test stage (Flux).
   */
  smokeTest?: SmokeTestConfig;
  /**
   * Variables of the blue colour only, merged over the service's config into its own ConfigMap <name>-blue-config. A
   * change here rolls blue alone; put what changes with a release on the release colour.
   */
  blueConfig?: Record<string, string>;
  /**
   * Variables of the green colour only, merged over the service's config into its own ConfigMap <name>-green-config. A
   * change here rolls green alone; put what changes with a release on the release colour.
   */
  greenConfig?: Record<string, string>;
}

/** An Argo Rollouts blue-green Rollout of the service's image, promoted after its analysis. */
export interface ArgoBlueGreenReleaseConfig {
  strategy: 'blue-green';
  engine: 'argo-rollouts';
  /** Promote once the pre-promotion analysis passes. Default: false in prod, true elsewhere. */
  autoPromotion?: boolean;
  scaleDownDelaySeconds?: number;
  analysis?: AnalysisConfig;
  /** Public host of the preview (idle) colour. */
  previewHost?: string;
  /**
   * The smoke check before traffic moves (every engine): a curl Job GETting the health paths. argo-rollouts: a job
   * metric in the pre-promotion analysis (blue-green) or at the start of the canary; service-switch and weighted: an
   * Argo CD PostSync hook Job against the preview or canary Service, in the 60-smoke-test stage (Flux).
   */
  smokeTest?: SmokeTestConfig;
}

/** An Argo Rollouts canary Rollout of the service's image, step by step with analysis. */
export interface ArgoCanaryReleaseConfig {
  strategy: 'canary';
  engine?: 'argo-rollouts';
  /**
   * The canary's steps, each one of setWeight, pause or analysis. Default: 10 %, 5m, analysis, 25 %, 5m, 50 %, 5m,
   * full.
   */
  steps?: Array<{
    setWeight?: number;
    pause?: string;
    analysis?: boolean;
  }>;
  /**
   * How the canary's share of the traffic is set: gateway-api (HTTPRoute weights), nginx (a canary Ingress) or replicas
   * (the pod count). Default: from the exposure.
   */
  trafficRouting?: 'gateway-api' | 'nginx' | 'replicas';
  analysis?: AnalysisConfig;
  /**
   * Run the analysis in the background from the step after the first setWeight until the rollout completes. Default:
   * true.
   */
  backgroundAnalysis?: boolean;
  /**
   * Scale the stable ReplicaSet down as traffic moves to the canary (strategy.canary.dynamicStableScale), so the
   * release peaks near 1.5x the replicas with the default steps instead of 2x; an abort then scales stable back up
   * before traffic returns to it. Needs traffic routing (a Gateway or Ingress exposure). Default: false.
   */
  dynamicStableScale?: boolean;
  /**
   * The smoke check before traffic moves (every engine): a curl Job GETting the health paths. argo-rollouts: a job
   * metric in the pre-promotion analysis (blue-green) or at the start of the canary; service-switch and weighted: an
   * Argo CD PostSync hook Job against the preview or canary Service, in the 60-smoke-test stage (Flux).
   */
  smokeTest?: SmokeTestConfig;
}

/** Two Deployments, stable and canary, and a fixed share of the traffic for the canary. */
export interface WeightedCanaryReleaseConfig {
  strategy: 'canary';
  engine: 'weighted';
  stableImage: string;
  canaryImage: string;
  canaryWeight: number;
  canaryReplicas?: number;
  /**
   * The smoke check before traffic moves (every engine): a curl Job GETting the health paths. argo-rollouts: a job
   * metric in the pre-promotion analysis (blue-green) or at the start of the canary; service-switch and weighted: an
   * Argo CD PostSync hook Job against the preview or canary Service, in the 60-smoke-test stage (Flux).
   */
  smokeTest?: SmokeTestConfig;
}

/** No migrations. */
export interface NoMigrationConfig {
  mode: 'none';
}

/** The binary migrates before it serves; the startup probe waits for it. */
export interface OnStartMigrationConfig {
  mode: 'on-start';
  /** Default: 300. */
  startupTimeoutSeconds?: number;
}

/** A Job runs the migration before the new pods roll out. */
export interface JobMigrationConfig {
  mode: 'job';
  command?: Array<string>;
  /** Default: 2. */
  backoffLimit?: number;
  /** Default: 600. */
  activeDeadlineSeconds?: number;
  /**
   * With a CloudNativePG database that has backups, take a backup and migrate only once it completed. Default: true.
   */
  backupFirst?: boolean;
  /** How long the Job waits for that backup. Default: 1800. */
  backupTimeoutSeconds?: number;
  /**
   * Command that undoes the release's migrations, like [/app/server, migrate, down, "1"]: rendered as a suspended Job
   * <service>-migrate-rollback (same image, variables and network rules as the migration) that runs only when an
   * operator resumes it (see the runbook "The migration broke production"). Default: no rollback Job.
   */
  rollbackCommand?: Array<string>;
}

/** A database outside the cluster: only its reference. */
export interface ExternalDatabaseEntryConfig {
  external: ExternalDatabaseConfig;
}

/** PostgreSQL as a single-instance StatefulSet (no operator). */
export interface StatefulSetDatabaseConfig {
  engine?: 'statefulset';
  /** Default: 1 in dev, 2 in staging, 3 in prod. */
  instances?: number;
  /** prod only: accept fewer than 3 instances deliberately. */
  allowFewerInstances?: boolean;
  /** A PrometheusRule for the cluster (<name>-alerts). Default: true. */
  alerts?: boolean;
  /** A Grafana dashboard ConfigMap (<name>-dashboard). Default: true. */
  dashboard?: boolean;
  /** Image pinned by tag or digest. Default: docker.io/library/postgres:17.5. */
  image?: string;
  /** Application database. Default: app. */
  database?: string;
  /** Its owner. Default: app. */
  owner?: string;
  storage?: {
    size?: string;
    storageClass?: string;
  };
  resources?: {
    requests?: QuantitiesConfig;
    limits?: QuantitiesConfig;
  };
  /** Existing Secret with the superuser name and password (engine statefulset, where it is required). */
  credentialsSecret: string;
  usernameKey?: string;
  passwordKey?: string;
  /** A StatefulSet has no pooler; false is accepted. */
  pooler?: false;
}

/** PostgreSQL under the CloudNativePG operator. */
export interface CloudNativePgDatabaseConfig {
  engine?: 'cloudnative-pg';
  /** Default: 1 in dev, 2 in staging, 3 in prod. */
  instances?: number;
  /** prod only: accept fewer than 3 instances deliberately. */
  allowFewerInstances?: boolean;
  /** A PrometheusRule for the cluster (<name>-alerts). Default: true. */
  alerts?: boolean;
  /** A Grafana dashboard ConfigMap (<name>-dashboard). Default: true. */
  dashboard?: boolean;
  /**
   * Image pinned by tag or digest (Cluster imageName): a CloudNativePG minimal or standard image, like
   * ghcr.io/cloudnative-pg/postgresql:17.11-standard-trixie. Default: 17.11 standard on Debian trixie, by digest.
   */
  image?: string;
  /** Application database. Default: app. */
  database?: string;
  /** Its owner. Default: app. */
  owner?: string;
  storage?: {
    size?: string;
    storageClass?: string;
  };
  resources?: {
    requests?: QuantitiesConfig;
    limits?: QuantitiesConfig;
  };
  /** postgresql.conf parameters (cloudnative-pg). */
  parameters?: Record<string, string>;
  /** cloudnative-pg: Barman Cloud backups. Required in prod. */
  backup?: BackupConfig;
  /** cloudnative-pg: PgBouncer. Default: on in prod, off elsewhere; false turns it off. */
  pooler?: boolean | {
    name?: string;
    instances?: number;
    poolMode?: 'session' | 'transaction';
    maxClientConnections?: number;
    defaultPoolSize?: number;
  };
  /**
   * Server name the cluster archives under (CloudNativePG with backup). Default: the database's name, or
   * <name>-restored when restoring from an archive of that name.
   */
  archiveServerName?: string;
  /**
   * Point-in-time recovery: bootstrap this cluster from a backup archive instead of an empty database (CloudNativePG).
   */
  recovery?: {
    /** Server name of the archive: the name of the cluster whose backups are restored. */
    serverName: string;
    /**
     * Restore up to this instant (RFC 3339 with a zone, like 2026-11-23T09:30:00Z). Default: the end of the archive.
     */
    targetTime?: string;
    /** Where the archive is. Default: this database's backup object store. */
    objectStore?: BackupConfig;
  };
}

/** A Redis outside the cluster: only its reference. */
export interface ExternalCacheEntryConfig {
  external: ExternalCacheConfig;
}

/** One Redis pod. */
export interface StandaloneCacheConfig {
  engine?: 'standalone';
  /** Pods: 1 standalone; with sentinel a primary and replicas, each with a Sentinel. Default: 3 with sentinel. */
  replicas?: number;
  /** prod only: accept fewer than 3 Sentinel pods deliberately. */
  allowFewerReplicas?: boolean;
  /** Redis image with a pinned tag. Default: docker.io/library/redis:7.4.2. */
  image?: string;
  /** Data volume of each pod. Default size: 1Gi in dev, 2Gi in staging, 5Gi in prod. */
  storage?: {
    size?: string;
    storageClass?: string;
  };
  persistence?: {
    /** Append-only file. Default: true. */
    appendOnly?: boolean;
    /** Default: everysec. */
    appendFsync?: 'always' | 'everysec' | 'no';
  };
  resources?: {
    requests?: QuantitiesConfig;
    limits?: QuantitiesConfig;
  };
  /** maxmemory as a quantity, at most the memory limit. Default: 80 % of the memory limit. */
  maxMemory?: string;
  /** Default: allkeys-lru. */
  maxMemoryPolicy?:
    | 'noeviction'
    | 'allkeys-lru'
    | 'allkeys-lfu'
    | 'allkeys-random'
    | 'volatile-lru'
    | 'volatile-lfu'
    | 'volatile-random'
    | 'volatile-ttl';
  /** redis_exporter sidecar and a ServiceMonitor. Default: true. */
  monitoring?: boolean;
  /** A PrometheusRule for the cache (<name>-alerts); needs monitoring. Default: true when monitoring is on. */
  alerts?: boolean;
  /** A Grafana dashboard ConfigMap (<name>-dashboard); needs monitoring. Default: true when monitoring is on. */
  dashboard?: boolean;
  /** An existing Secret with the password (or use remoteKey). */
  credentialsSecret?: string;
  /** Key of the password in credentialsSecret. Default: password. */
  passwordKey?: string;
  /** Entry of the environment's secretStore holding the password (instead of credentialsSecret). */
  remoteKey?: string;
  /** Property of remoteKey with the password. Default: password. */
  passwordProperty?: string;
}

/** A primary, replicas and a Sentinel quorum. */
export interface SentinelCacheConfig {
  engine?: 'sentinel';
  /** Pods: 1 standalone; with sentinel a primary and replicas, each with a Sentinel. Default: 3 with sentinel. */
  replicas?: number;
  /** prod only: accept fewer than 3 Sentinel pods deliberately. */
  allowFewerReplicas?: boolean;
  /** Redis image with a pinned tag. Default: docker.io/library/redis:7.4.2. */
  image?: string;
  /** Data volume of each pod. Default size: 1Gi in dev, 2Gi in staging, 5Gi in prod. */
  storage?: {
    size?: string;
    storageClass?: string;
  };
  persistence?: {
    /** Append-only file. Default: true. */
    appendOnly?: boolean;
    /** Default: everysec. */
    appendFsync?: 'always' | 'everysec' | 'no';
  };
  resources?: {
    requests?: QuantitiesConfig;
    limits?: QuantitiesConfig;
  };
  /** maxmemory as a quantity, at most the memory limit. Default: 80 % of the memory limit. */
  maxMemory?: string;
  /** Default: allkeys-lru. */
  maxMemoryPolicy?:
    | 'noeviction'
    | 'allkeys-lru'
    | 'allkeys-lfu'
    | 'allkeys-random'
    | 'volatile-lru'
    | 'volatile-lfu'
    | 'volatile-random'
    | 'volatile-ttl';
  /** redis_exporter sidecar and a ServiceMonitor. Default: true. */
  monitoring?: boolean;
  /** A PrometheusRule for the cache (<name>-alerts); needs monitoring. Default: true when monitoring is on. */
  alerts?: boolean;
  /** A Grafana dashboard ConfigMap (<name>-dashboard); needs monitoring. Default: true when monitoring is on. */
  dashboard?: boolean;
  /** An existing Secret with the password (or use remoteKey). */
  credentialsSecret?: string;
  /** Key of the password in credentialsSecret. Default: password. */
  passwordKey?: string;
  /** Entry of the environment's secretStore holding the password (instead of credentialsSecret). */
  remoteKey?: string;
  /** Property of remoteKey with the password. Default: password. */
  passwordProperty?: string;
  /** Name Sentinel monitors the primary under. Default: mymaster. (engine sentinel) */
  masterName?: string;
  /** Sentinels that must agree the primary is down. Default: a majority of the pods. (engine sentinel) */
  quorum?: number;
  /** Seconds the primary may fail to answer before it counts as down. Default: 5. (engine sentinel) */
  downAfterSeconds?: number;
  /** Failover timeout. Default: 60. (engine sentinel) */
  failoverTimeoutSeconds?: number;
}

/**
 * The names of the HTTP metrics the services export, read by every analysis, alert and dashboard panel: a preset of
 * their client library, or the names (over the preset). Default: prometheus-client (http_requests_total{status},
 * http_request_duration_seconds).
 */
export interface HttpMetricsConfig {
  /**
   * go-promhttp labels the status code; express-prom-bundle counts requests in its histogram (status_code); spring-boot
   * is Micrometer's http_server_requests_seconds.
   */
  preset?: 'prometheus-client' | 'go-promhttp' | 'express-prom-bundle' | 'spring-boot';
  /** Counter of requests (or a histogram's _count). */
  requestsTotal?: string;
  /** Label of requestsTotal holding the status code. */
  statusLabel?: string;
  /** Latency histogram in seconds, without _bucket. */
  durationHistogram?: string;
}
