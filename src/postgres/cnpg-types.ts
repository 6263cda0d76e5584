/**
 * The subset of the CloudNativePG (postgresql.cnpg.io/v1, CNPG 1.30) and Barman Cloud plugin
 * (barmancloud.cnpg.io/v1, 0.14) APIs this library emits. No maintained npm models exist for these
 * CRDs; the tests validate every emitted object strictly against the CRDs' own schemas.
 */

/** A key of a Secret. */
export interface CnpgSecretKeySelector {
  name: string;
  key: string;
}

/** Object metadata as the CRDs take it. */
export interface CnpgMetadata {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Requests and limits. */
export interface CnpgResources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

/** A toleration, as the CRDs take it. */
export interface CnpgToleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** `postgresql.cnpg.io/v1` Cluster. */
export interface CnpgCluster {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'Cluster';
  metadata: CnpgMetadata;
  spec: {
    instances: number;
    imageName?: string;
    primaryUpdateStrategy?: 'unsupervised' | 'supervised';
    primaryUpdateMethod?: 'switchover' | 'restart';
    enablePDB?: boolean;
    inheritedMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    affinity?: {
      enablePodAntiAffinity?: boolean;
      podAntiAffinityType?: 'preferred' | 'required';
      topologyKey?: string;
      nodeSelector?: Record<string, string>;
      tolerations?: CnpgToleration[];
    };
    imagePullSecrets?: Array<{ name?: string }>;
    priorityClassName?: string;
    storage?: { size?: string; storageClass?: string; resizeInUseVolumes?: boolean };
    bootstrap?: {
      initdb?: { database?: string; owner?: string; dataChecksums?: boolean; encoding?: string };
      recovery?: { source: string; database?: string; owner?: string; recoveryTarget?: { targetTime?: string } };
    };
    externalClusters?: Array<{ name: string; plugin?: { name: string; parameters?: Record<string, string> } }>;
    postgresql?: { parameters?: Record<string, string> };
    resources?: CnpgResources;
    plugins?: Array<{ name: string; enabled?: boolean; isWALArchiver?: boolean; parameters?: Record<string, string> }>;
  };
}

/** `postgresql.cnpg.io/v1` Pooler (PgBouncer). */
export interface CnpgPooler {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'Pooler';
  metadata: CnpgMetadata;
  spec: {
    cluster: { name: string };
    instances?: number;
    type?: 'rw' | 'ro' | 'r';
    pgbouncer: { poolMode?: 'session' | 'transaction'; parameters?: Record<string, string> };
    template?: {
      metadata?: { labels?: Record<string, string> };
      spec: {
        containers: Array<{ name: string; resources?: CnpgResources }>;
        imagePullSecrets?: Array<{ name?: string }>;
        priorityClassName?: string;
        nodeSelector?: Record<string, string>;
        tolerations?: CnpgToleration[];
        topologySpreadConstraints?: Array<{
          maxSkew: number;
          topologyKey: string;
          whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
          labelSelector: { matchLabels: Record<string, string> };
          nodeTaintsPolicy?: 'Honor' | 'Ignore';
        }>;
      };
    };
  };
}

/** `postgresql.cnpg.io/v1` ScheduledBackup. */
export interface CnpgScheduledBackup {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'ScheduledBackup';
  metadata: CnpgMetadata;
  spec: {
    schedule: string;
    cluster: { name: string };
    method?: 'barmanObjectStore' | 'volumeSnapshot' | 'plugin';
    pluginConfiguration?: { name: string; parameters?: Record<string, string> };
    backupOwnerReference?: 'none' | 'self' | 'cluster';
    immediate?: boolean;
    target?: 'primary' | 'prefer-standby';
  };
}

/** `postgresql.cnpg.io/v1` Backup (on demand). */
export interface CnpgBackup {
  apiVersion: 'postgresql.cnpg.io/v1';
  kind: 'Backup';
  metadata: CnpgMetadata;
  spec: {
    cluster: { name: string };
    method?: 'barmanObjectStore' | 'volumeSnapshot' | 'plugin';
    pluginConfiguration?: { name: string; parameters?: Record<string, string> };
    target?: 'primary' | 'prefer-standby';
  };
}

/** `barmancloud.cnpg.io/v1` ObjectStore. */
export interface BarmanObjectStore {
  apiVersion: 'barmancloud.cnpg.io/v1';
  kind: 'ObjectStore';
  metadata: CnpgMetadata;
  spec: {
    retentionPolicy?: string;
    configuration: {
      destinationPath: string;
      endpointURL?: string;
      s3Credentials?: { accessKeyId?: CnpgSecretKeySelector; secretAccessKey?: CnpgSecretKeySelector; region?: CnpgSecretKeySelector };
      wal?: { compression?: 'bzip2' | 'gzip' | 'lz4' | 'snappy' | 'xz' | 'zstd'; maxParallel?: number };
      data?: { compression?: 'bzip2' | 'gzip' | 'lz4' | 'snappy'; jobs?: number };
    };
  };
}
