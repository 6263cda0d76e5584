// The public API of cdk8s-trading: constructs, their props and factories, the GitOps app, the
// environment-file loader, the policy and delivery types. Validators, builders and raw CRD shapes stay
// internal.

// API services
export { TradingBackend, TradingBackendProps } from './trading-backend/trading-backend';
export { ApiServiceBase, IApiService } from './api-service/api-service-base';
export { ApiServiceProps, HealthCheckOptions, IServiceEngine, MonitoringOptions, RolloutOptions } from './api-service/api-service-props';
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
} from './api-service/exposure';
export { JobMigrationOptions, Migration, MigrationMode, OnStartMigrationOptions } from './api-service/migration';
export { AutoscalingOptions, DEFAULT_REQUESTS_PER_SECOND_METRIC, ResolvedAutoscaling, Scaling } from './api-service/scaling';
export { DEFAULT_RELEASE_WAIT_IMAGE, MAX_STABILIZATION_SECONDS, ReleaseAfterOptions, ReleaseCheckpoint } from './api-service/release-after';
export { PrometheusAdapterRule, prometheusAdapterRule } from './monitoring/prometheus-adapter';
export { BlueGreenService, BlueGreenServiceProps } from './blue-green/blue-green-service';
export { BlueGreenEngine } from './blue-green/blue-green-engine';
export {
  ArgoBlueGreenOptions,
  AutoscalingRange,
  BlueGreenEngineKind,
  BlueGreenParts,
  Color,
  IBlueGreenEngine,
  ServiceSwitchOptions,
} from './blue-green/engine-options';
export { CanaryRollout, CanaryRolloutProps } from './canary/canary-rollout';
export { CanaryEngine } from './canary/canary-engine';
export {
  ArgoCanaryOptions,
  CanaryEngineKind,
  CanaryParts,
  CanaryStep,
  CanaryStepData,
  CanaryTrafficMode,
  ICanaryEngine,
  WeightedCanaryOptions,
} from './canary/engine-options';
export { AnalysisOptions, CustomAnalysisMetric } from './rollouts/analysis';
export { DEFAULT_SMOKE_TEST_IMAGE, SmokeTestOptions } from './api-service/smoke-test';

// Data and namespace
export { PostgresCluster, PostgresClusterProps, PostgresStorageOptions } from './postgres/postgres-cluster';
export { PostgresEngine } from './postgres/postgres-engine';
export { CNPG_DEFAULT_IMAGE } from './postgres/engines/cloud-native-pg';
export {
  CloudNativePgOptions,
  IPostgresEngine,
  PostgresBackupOptions,
  PostgresEngineKind,
  PostgresPoolerOptions,
  StatefulSetEngineOptions,
} from './postgres/engine-options';
export { DatabaseCredentials, ExternalPostgresProps } from './postgres/external-postgres';
export { BackupEgress } from './postgres/backup-egress';
export { DatabaseConnection, IDatabase } from './core/database';
export { ClientAsk, ClientOffer, ConnectionBinding, ConnectionRequest, ConnectOptions, IConnectable } from './core/connection';
export { RedisCache, RedisCacheProps, RedisEvictionPolicy, RedisPersistenceOptions, RedisStorageOptions } from './redis/redis-cache';
export { RedisEngine } from './redis/redis-engine';
export { IRedisEngine, RedisEngineKind, SentinelEngineOptions } from './redis/engine-options';
export { RedisCredentials } from './redis/redis-credentials';
export { ExternalRedisProps } from './redis/external-redis';
export { CacheConnection, ICache, SentinelConnection } from './core/cache';
export { ContainerLimits, NamespaceQuota, TradingNamespace, TradingNamespaceProps } from './namespace/trading-namespace';
export { ContainerResources, IPodDemandSource, PodDemand } from './core/pod-demand';

// Wiring and shared value types
export { ClusterDns, DNS_CONTEXT, INetworkPeer, NetworkPeer, NetworkPort } from './core/network-peer';
export { SecretRef, SecretStore, SecretStoreKind } from './core/secrets';
export { ResourceQuantities, ResourceRequirements } from './core/resources';
export { ConfigurationError, Problem } from './core/problems';
export { FieldPath, FieldSpelling } from './core/field-path';
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
export { APPLY_STAGES, ApplyStage, applySyncWaves } from './gitops/sync-waves';
export { SyncWave } from './core/sync-wave';
export { ChartLayout, ChartOutputOptions } from './gitops/chart-output';

// Policy
export { checkPolicies, POLICY_RULES, PolicyFinding, PolicyOptions, PolicyRuleId, PolicyWaiver } from './policy/policies';
export { PolicyGate, PolicyGateProps } from './policy/policy-gate';
export { ManifestView } from './policy/manifest-view';

// Synthesis: GitOpsApp, environment files, validate and diff
export { GitOpsApp, GitOpsAppProps } from './synth/gitops-app';
export { RenderedFolder, renderChart } from './synth/render';
export { OutputFile } from './synth/layout';
export { WriteError, WriteStep, WriteTreeOptions } from './synth/write';
export {
  ENVIRONMENTS_DIR,
  loadProject,
  ProjectConfig,
  renderEnvironment,
  synthesizeProject,
  SynthesizeOptions,
  SynthesizeResult,
} from './synth/project';
export { EnvironmentExtension } from './synth/extension';
export { TreeValidation, validateTree, ValidateTreeOptions } from './synth/validate-tree';
export { buildEnvironment } from './config/build';
export { Environment, EnvironmentPlan, parseEnvironment } from './config/environment';
export { GitOpsConfig, parseGitOps } from './config/gitops-config';
export { DatabaseConfig, EnvironmentConfig, MonitoringConfig, ReleaseConfig, SecretEnvConfig, ServiceConfig } from './config/types';
export { Tier, TIER_DEFAULTS, TierDefaults, DatabaseTierDefaults } from './config/tiers';
