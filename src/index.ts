// The public API of cdk8s-trading, for a construct user: constructs, their props and factories, the GitOps app,
// the environment-file format as types (what `environments/extend.ts` receives), policy and delivery types.
// What the CLI is built of (load, render, write, validate a project) is `cdk8s-trading/toolkit` (src/toolkit.ts).
// Validators, builders, engine protocols and raw CRD shapes stay internal. api/cdk8s-trading.api.md is the
// reviewed report of this list (`npm run api`).

// API services
export { TradingBackend, TradingBackendProps } from './trading-backend/trading-backend';
export { ApiServiceBase, IApiService } from './api-service/api-service-base';
export { ApiServiceProps, HealthCheckOptions, MonitoringOptions, RolloutOptions, WorkloadConfig } from './api-service/api-service-props';
export { DrainHook, DrainHookName } from './api-service/drain-hook';
export {
  DEFAULT_HSTS_MAX_AGE,
  Exposure,
  ExposureKind,
  GatewayExposureOptions,
  HstsOptions,
  HttpsRedirectOptions,
  IngressExposureOptions,
  IngressRateLimitOptions,
  IngressSettings,
} from './api-service/exposure';
export { JobMigrationOptions, JobMigrationSettings, Migration, MigrationMode, OnStartMigrationOptions } from './api-service/migration';
export { AutoscalingOptions, DEFAULT_REQUESTS_PER_SECOND_METRIC, ResolvedAutoscaling, Scaling } from './api-service/scaling';
export { DEFAULT_RELEASE_WAIT_IMAGE, MAX_STABILIZATION_SECONDS, ReleaseAfterOptions, ReleaseCheckpoint } from './api-service/release-after';
export { PrometheusAdapterRule, prometheusAdapterRule } from './monitoring/prometheus-adapter';
export { BlueGreenService, BlueGreenServiceProps } from './blue-green/blue-green-service';
export { BlueGreenEngine } from './blue-green/blue-green-engine';
export { ArgoBlueGreenOptions, Color, ServiceSwitchOptions } from './blue-green/engine-options';
export { CanaryRollout, CanaryRolloutProps } from './canary/canary-rollout';
export { CanaryEngine } from './canary/canary-engine';
export { ArgoCanaryOptions, CanaryStep, CanaryStepData, CanaryTrafficMode, WeightedCanaryOptions } from './canary/engine-options';
export { AnalysisOptions, CustomAnalysisMetric } from './rollouts/analysis';
export { DEFAULT_SMOKE_TEST_IMAGE, SmokeTestOptions } from './api-service/smoke-test';

// Data and namespace
export { PostgresCluster, PostgresClusterProps, PostgresStorageOptions } from './postgres/postgres-cluster';
export { PostgresEngine } from './postgres/postgres-engine';
export { CNPG_DEFAULT_IMAGE } from './postgres/engines/cloud-native-pg';
export {
  CloudNativePgOptions,
  PostgresBackupOptions,
  PostgresPoolerOptions,
  PostgresRecoveryOptions,
  StatefulSetEngineOptions,
} from './postgres/engine-options';
export { DatabaseCredentials, ExternalPostgresProps } from './postgres/external-postgres';
export { BackupEgress } from './postgres/backup-egress';
export { DataStoreBase } from './core/data-store';
export { DatabaseConnection, IDatabase } from './core/database';
export {
  ClientAsk,
  ClientObjectMetadata,
  ClientOffer,
  ConnectionBinding,
  ConnectionRequest,
  ConnectOptions,
  IConnectable,
  MigrationBackup,
} from './core/connection';
export { RedisCache, RedisCacheProps, RedisEvictionPolicy, RedisPersistenceOptions, RedisStorageOptions } from './redis/redis-cache';
export { RedisEngine } from './redis/redis-engine';
export { SentinelEngineOptions } from './redis/engine-options';
export { RedisCredentials } from './redis/redis-credentials';
export { ExternalRedisProps } from './redis/external-redis';
export { CacheConnection, ICache, SentinelConnection } from './core/cache';
export { ContainerLimits, NamespaceQuota, TradingNamespace, TradingNamespaceProps } from './namespace/trading-namespace';
export { ContainerResources, IPodDemandSource, PodDemand } from './core/pod-demand';

// Wiring and shared value types
export { ClusterDns, DNS_CONTEXT, INetworkPeer, NetworkPeer, NetworkPort } from './core/network-peer';
export { SecretRef, SecretStore, SecretStoreKind } from './core/secrets';
export { ResourceQuantities, ResourceRequirements } from './core/resources';
export { ConfigurationError, LocatedProblem, Problem } from './core/problems';
export { PART_OF_CONTEXT } from './core/labels';
export { PLACEMENT_CONTEXT, PodPlacement, Toleration } from './core/placement';
export { PRUNE_PROTECTION_ANNOTATIONS, PRUNE_PROTECTION_CONTEXT } from './core/prune-protection';
export {
  RELOADER_ROLLOUT_STRATEGY_ANNOTATION,
  RELOADER_SECRET_ANNOTATION,
  SECRET_ROTATION_CONTEXT,
  SecretRotationOptions,
} from './core/secret-rotation';

// Monitoring: where alerts and dashboards point
export { DEFAULT_PROMETHEUS_ADDRESS, DEFAULT_RUNBOOK_BASE_URL, MONITORING_CONTEXT, ObservabilityOptions } from './monitoring/settings';
export { DEFAULT_HTTP_METRICS, HTTP_METRICS_PRESETS, HttpMetrics, HttpMetricsOptions, HttpMetricsPreset } from './monitoring/http-metrics';

// GitOps delivery
export { ArgoCdDelivery, ArgoCdDeliveryProps, DeliveredEnvironment, IgnoredDifference } from './gitops/argo-cd-delivery';
export { FluxDelivery, FluxDeliveryProps, FluxNotificationObjects } from './gitops/flux-delivery';
export { Notifications, SlackNotificationOptions } from './gitops/notifications';
export { ApplyStage, applySyncWaves } from './gitops/sync-waves';
export { SyncWave } from './core/sync-wave';
export { ChartLayout, ChartOutputOptions } from './gitops/chart-output';

// Policy
export { POLICY_RULES, PolicyFinding, PolicyOptions, PolicyRuleId, PolicyWaiver } from './policy/policies';
export { PolicyGate, PolicyGateProps } from './policy/policy-gate';

// The app, and environment files as an extension (`environments/extend.ts`) receives them
export { GitOpsApp, GitOpsAppProps } from './synth/gitops-app';
export { RenderedFolder } from './synth/render';
export { OutputFile } from './synth/layout';
export { WriteTreeOptions } from './synth/write';
export { EnvironmentExtension } from './synth/extension';
export { Environment } from './config/environment';
export * from './config/types';
export { Tier } from './config/tiers';
