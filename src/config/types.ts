/**
 * The shapes of the environment files (`environments/<env>.yaml`), as `environment.schema.json`
 * describes them. Every service, database and release key mirrors a construct's props.
 */
import type { PodPlacement } from '../core/placement';
import type { PolicyWaiver } from '../policy/policies';
import type { CanaryStepData, CanaryTrafficMode } from '../canary/engine';
import type { Color } from '../blue-green/engine';
import type { RedisEvictionPolicy } from '../redis/redis-cache';
import type { Tier } from './tiers';

/** A secret environment variable in an environment file. */
export type SecretEnvConfig = { secretName: string; key: string } | { remoteKey: string; property?: string };

/** One API service in an environment file. Mirrors TradingBackendProps. */
export interface ServiceConfig {
  image?: string;
  port?: number;
  metricsPort?: number;
  healthCheck?: { readinessPath?: string; livenessPath?: string };
  replicas?: number;
  autoscaling?: { minReplicas?: number; maxReplicas?: number; cpuUtilization?: number; memoryUtilization?: number };
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
  config?: Record<string, string>;
  secretEnv?: Record<string, SecretEnvConfig>;
  exposure?: {
    gateway?: { gatewayName: string; gatewayNamespace: string; listenerName?: string; trafficNamespace?: string; hosts: string[] };
    ingress?: { hosts: string[]; className?: string; clusterIssuer?: string; tlsSecretName?: string; controllerNamespace?: string };
  };
  migration?: { mode: 'none' | 'on-start' | 'job'; startupTimeoutSeconds?: number; command?: string[]; backoffLimit?: number; activeDeadlineSeconds?: number; backupFirst?: boolean; backupTimeoutSeconds?: number };
  monitoring?: { serviceMonitor?: boolean; alerts?: boolean; dashboard?: boolean; path?: string; interval?: string };
  rollout?: { minReadySeconds?: number; drainSeconds?: number; terminationGracePeriodSeconds?: number; restartToken?: string };
  runAsUser?: number;
  command?: string[];
  args?: string[];
  egress?: Array<{ namespace?: string; cidr?: string; ports: number[] }>;
  database?: string;
  readReplicas?: boolean;
  cache?: string;
  release?: ReleaseConfig;
  networkPolicy?: boolean;
}

/** One environment file. */
export interface EnvironmentConfig {
  tier: Tier;
  namespace: string;
  partOf?: string;
  pruneProtection?: boolean;
  dns?: { namespace?: string; podLabels?: Record<string, string>; cidr?: string };
  containerLimits?: { defaultRequest?: { cpu?: string; memory?: string }; defaultLimit?: { cpu?: string; memory?: string }; max?: { cpu?: string; memory?: string } };
  placement?: PodPlacement;
  monitoringNamespace?: string;
  monitoring?: MonitoringConfig;
  secretStore?: { name: string; kind?: 'SecretStore' | 'ClusterSecretStore' };
  quota?: { requestsCpu?: string; requestsMemory?: string; limitsCpu?: string; limitsMemory?: string; pods?: number };
  waivers?: PolicyWaiver[];
  notifications?: NotificationsConfig;
  services: Record<string, ServiceConfig>;
  databases?: Record<string, DatabaseConfig>;
  caches?: Record<string, CacheConfig>;
}

/** Alerts and dashboards of an environment. Mirrors ObservabilityOptions. */
export interface MonitoringConfig {
  environment?: string;
  runbookBaseUrl?: string;
  warningOnly?: boolean;
  dashboards?: { folder?: string; folderAnnotation?: string };
}

/** Where an environment's release and delivery events go. Mirrors `Notifications.slack`. */
export interface NotificationsConfig {
  slack: { channel: string; secretName: string };
}

/** How a service releases; mirrors the BlueGreenEngine / CanaryEngine factories. */
export interface ReleaseConfig {
  strategy: 'rolling' | 'blue-green' | 'canary';
  engine?: 'service-switch' | 'argo-rollouts' | 'weighted';
  activeColor?: Color;
  blueImage?: string;
  greenImage?: string;
  releaseColor?: Color;
  scaleDownIdle?: boolean;
  blueConfig?: Record<string, string>;
  greenConfig?: Record<string, string>;
  previewHost?: string;
  autoPromotion?: boolean;
  scaleDownDelaySeconds?: number;
  analysis?: AnalysisConfig;
  steps?: CanaryStepData[];
  trafficRouting?: CanaryTrafficMode;
  backgroundAnalysis?: boolean;
  smokeTest?: SmokeTestConfig;
  stableImage?: string;
  canaryImage?: string;
  canaryWeight?: number;
  canaryReplicas?: number;
}


/** One PostgreSQL cluster in an environment file. Mirrors PostgresClusterProps. */
export interface DatabaseConfig {
  engine?: 'cloudnative-pg' | 'statefulset';
  instances?: number;
  allowFewerInstances?: boolean;
  alerts?: boolean;
  dashboard?: boolean;
  image?: string;
  database?: string;
  owner?: string;
  storage?: { size?: string; storageClass?: string };
  parameters?: Record<string, string>;
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
  credentialsSecret?: string;
  usernameKey?: string;
  passwordKey?: string;
  backup?: {
    destinationPath: string; endpointUrl?: string; credentialsSecret?: string; accessKeyIdKey?: string; secretAccessKeyKey?: string;
    retention?: string; schedule?: string; walCompression?: 'bzip2' | 'gzip' | 'lz4' | 'snappy' | 'xz' | 'zstd';
  };
  pooler?: boolean | { name?: string; instances?: number; poolMode?: 'session' | 'transaction'; maxClientConnections?: number; defaultPoolSize?: number };
  external?: ExternalDatabaseConfig;
  archiveServerName?: string;
  recovery?: { serverName: string; targetTime?: string; objectStore?: DatabaseConfig['backup'] };
}

/** A database outside the cluster, in an environment file. Mirrors ExternalPostgresProps. */
export interface ExternalDatabaseConfig {
  host: string;
  port?: number;
  database: string;
  sslMode?: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  cidr?: string;
  credentialsSecret?: string;
  usernameKey?: string;
  passwordKey?: string;
  remoteKey?: string;
  usernameProperty?: string;
  passwordProperty?: string;
}

/** The smoke check of a release in an environment file. Mirrors SmokeTestOptions. */
export interface SmokeTestConfig {
  enabled?: boolean;
  paths?: string[];
  timeoutSeconds?: number;
  image?: string;
}

/** The analysis of a release in an environment file. Mirrors AnalysisOptions. */
export interface AnalysisConfig {
  successRate?: number;
  maxLatencyP95Seconds?: number;
  interval?: string;
  count?: number;
  failureLimit?: number;
  inconclusiveLimit?: number;
  initialDelay?: string;
  backgroundInconclusiveLimit?: number;
  prometheusAddress?: string;
}

/** One Redis cache in an environment file. Mirrors RedisCacheProps; the Sentinel engine's options are flat. */
export interface CacheConfig {
  engine?: 'standalone' | 'sentinel';
  replicas?: number;
  allowFewerReplicas?: boolean;
  image?: string;
  storage?: { size?: string; storageClass?: string };
  persistence?: { appendOnly?: boolean; appendFsync?: 'always' | 'everysec' | 'no' };
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
  maxMemory?: string;
  maxMemoryPolicy?: RedisEvictionPolicy;
  monitoring?: boolean;
  credentialsSecret?: string;
  passwordKey?: string;
  remoteKey?: string;
  passwordProperty?: string;
  masterName?: string;
  quorum?: number;
  downAfterSeconds?: number;
  failoverTimeoutSeconds?: number;
  external?: ExternalCacheConfig;
}

/** A Redis outside the cluster, in an environment file. Mirrors ExternalRedisProps. */
export interface ExternalCacheConfig {
  host: string;
  port?: number;
  tls?: boolean;
  database?: number;
  cidr?: string;
  credentialsSecret?: string;
  passwordKey?: string;
  remoteKey?: string;
  passwordProperty?: string;
}
