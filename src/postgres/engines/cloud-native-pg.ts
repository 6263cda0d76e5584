import { container, PodDemand } from '../../core/pod-demand';
import { ResourceRequirements } from '../../core/resources';
import { ApiObject } from 'cdk8s';
import { FieldPath } from '../../core/field-path';
import { k8s } from 'cdk8s-plus-28';
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor' with { 'resolution-mode': 'import' };
import { Construct } from 'constructs';
import type { ClientObjectMetadata, ClientOffer } from '../../core/connection';
import { DatabaseConnection } from '../../core/database';
import { kubeObject } from '../../core/kube-object';
import { placementPodSpec } from '../../core/placement';
import { dnsEgressRule, NetworkPeer, policyPorts } from '../../core/network-peer';
import { backupEgressRule } from '../backup-egress';
import { SyncWave, syncWaveAnnotation } from '../../core/sync-wave';
import { Problem, ProblemCollector, show, throwIfProblems } from '../../core/problems';
import { monitoringObjects } from '../../monitoring/objects';
import { cnpgAlertSpecs, postgresAlertGroups } from '../../monitoring/postgres-alerts';
import { cnpgDashboardPanels, postgresDashboard } from '../../monitoring/postgres-dashboard';
import type { PostgresSignalTarget } from '../../monitoring/postgres-signals';
import type { BarmanObjectStore, CnpgBackup, CnpgCluster, CnpgPooler, CnpgScheduledBackup } from '../cnpg-types';
import {
  CloudNativePgOptions,
  PostgresEngineImpl,
  OnDemandBackup,
  PostgresBackupOptions,
  PostgresBuild,
  PostgresEngineKind,
  PostgresParts,
  validateCloudNativePgOptions,
} from '../engine-options';

const CNPG_PLUGIN = 'barman-cloud.cloudnative-pg.io';
/**
 * The PostgreSQL image of a Cluster: CloudNativePG's `standard` image (PGDG packages on Debian trixie, with PGAudit,
 * pgvector, failover slots and all locales), pinned by its build's tag and digest as CloudNativePG's own
 * `ClusterImageCatalog` (postgresql-standard-trixie) pins it. `minimal` and `standard` images carry no Barman Cloud:
 * they are made for the Barman Cloud plugin, whose sidecar brings it; the `system` images and their bare `17.5`-style
 * tags (Debian bullseye) are deprecated.
 */
export const CNPG_DEFAULT_IMAGE =
  'ghcr.io/cloudnative-pg/postgresql:17.11-202608170816-standard-trixie@sha256:91e0de662d53895a45f1396f4ee1a75daeb0c26fc87853afc9c8f43e01fdaa21';
/** PgBouncer's container: 100m/128Mi requested, 500m/256Mi limit. */
export const POOLER_RESOURCES: ResourceRequirements = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } };
/** The name of the archive a recovering cluster restores from, among its externalClusters. */
const RECOVERY_SOURCE = 'origin';

/**
 * PostgreSQL under the CloudNativePG operator: a `Cluster` with required anti-affinity, Barman Cloud
 * backups (an `ObjectStore`, the plugin as WAL archiver, a `ScheduledBackup`), a PgBouncer `Pooler`,
 * PodMonitors and NetworkPolicies for the instances and the pooler.
 */
export class CloudNativePgEngine implements PostgresEngineImpl {
  /** A checked engine. */
  public static of(options: CloudNativePgOptions): CloudNativePgEngine {
    throwIfProblems('PostgresEngine.cloudNativePg', validateCloudNativePgOptions(options));
    return new CloudNativePgEngine(options);
  }

  public readonly kind: PostgresEngineKind = 'cloudnative-pg';
  public readonly defaultInstances = 3;
  /** Replicas behind `<cluster>-ro`; an on-demand backup before a migration when backups are configured. */
  public readonly clientOffer: ClientOffer;

  private constructor(private readonly options: CloudNativePgOptions) {
    this.clientOffer = { readReplicas: true, ...(options.backup ? {} : { noBackupBeforeMigration: 'has no backup configured (backup)' }) };
  }

  /**
   * The instances, each with the Barman Cloud plugin's sidecar when backups are configured (the plugin injects a
   * `plugin-barman-cloud` container into every instance pod; the ObjectStore sets no `instanceSidecarConfiguration`,
   * so the sidecar has no resources and the namespace's LimitRange gives it its defaults), and the PgBouncer pods.
   */
  public podDemands(name: string, instances: number, resources: ResourceRequirements): PodDemand[] {
    const pooler = this.options.pooler;
    return [
      { who: name, pods: instances, containers: [container(resources), ...(this.options.backup ? [{}] : [])] },
      ...(pooler ? [{ who: `${name} pooler`, pods: pooler.instances ?? 2, containers: [container(POOLER_RESOURCES)] }] : []),
    ];
  }

  /**
   * The pooler must not take a name CNPG uses for the Cluster's own Services; and where high availability is
   * required, it runs at least 2 pods (one PgBouncer pod is every client's single point of failure).
   */
  public propsProblems(name: string, props: object, path = FieldPath.props(), enginePath = path.child('engine')): Problem[] {
    const c = new ProblemCollector();
    const pooler = this.options.pooler;
    if (pooler && (props as { requireHighAvailability?: boolean }).requireHighAvailability && pooler.instances === 1) {
      c.check(
        enginePath.child('pooler.instances'),
        "1 is below 2, the minimum for a pooler every client connects through to survive a node's loss; to run one on purpose, say so " +
          '(requireHighAvailability: false in props, allowFewerInstances: true in an environment file)',
      );
    }
    if (pooler) {
      const poolerName = pooler.name ?? `${name}-pooler`;
      if (poolerName === name) {
        c.check(
          enginePath.child('pooler.name'),
          `${show(poolerName)} is the Cluster's name too: CNPG needs the Pooler's name (its Service) to differ from every Cluster name`,
        );
      }
      if ([`${name}-rw`, `${name}-ro`, `${name}-r`].includes(poolerName)) {
        c.check(enginePath.child('pooler.name'), `${show(poolerName)} is one of the Services CNPG creates for the Cluster; choose another`);
      }
    }
    return [...c.problems];
  }

  /** @internal */
  public _bind(b: PostgresBuild): PostgresParts {
    const o = this.options;
    let pooler: ApiObject | undefined;
    let objectStore: ApiObject | undefined;
    let scheduledBackup: ApiObject | undefined;
    let poolerNetworkPolicy: ApiObject | undefined;
    const instanceIngress: k8s.NetworkPolicyIngressRule[] = [];
    const poolerIngress: k8s.NetworkPolicyIngressRule[] = [];
    // CloudNativePG labels its PgBouncer pods `cnpg.io/cluster` too: the instances are the pods whose
    // `cnpg.io/podRole` is `instance` (what the operator's own Services and PodMonitor select).
    const instanceSelector = { 'cnpg.io/cluster': b.name, 'cnpg.io/podRole': 'instance' };
    const instancesPeer = NetworkPeer.pods(instanceSelector, b.namespace);
    const placement = placementPodSpec(b.placement);
    const recovery = o.recovery;
    // A restored cluster archives under a server name of its own, never into the archive it came from.
    const archiveServerName = o.archiveServerName ?? (recovery?.serverName === b.name ? `${b.name}-restored` : b.name);
    const recoveryStore = recovery?.objectStore ? `${b.name}-recovery-source` : `${b.name}-backups`;
    const cluster: CnpgCluster = {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: b.meta(b.name),
      spec: {
        instances: b.props.instances ?? 3,
        imageName: b.props.image ?? CNPG_DEFAULT_IMAGE,
        primaryUpdateStrategy: 'unsupervised',
        primaryUpdateMethod: 'switchover',
        enablePDB: true,
        inheritedMetadata: { labels: b.labels },
        affinity: {
          enablePodAntiAffinity: true,
          podAntiAffinityType: 'required',
          topologyKey: 'kubernetes.io/hostname',
          ...(placement.nodeSelector ? { nodeSelector: placement.nodeSelector } : {}),
          ...(placement.tolerations ? { tolerations: placement.tolerations } : {}),
        },
        ...(placement.imagePullSecrets ? { imagePullSecrets: placement.imagePullSecrets } : {}),
        ...(placement.priorityClassName ? { priorityClassName: placement.priorityClassName } : {}),
        storage: { size: b.storageSize, ...(b.props.storage?.storageClass ? { storageClass: b.props.storage.storageClass } : {}) },
        bootstrap: recovery
          ? {
              recovery: {
                source: RECOVERY_SOURCE,
                database: b.database,
                owner: b.props.owner ?? 'app',
                ...(recovery.targetTime ? { recoveryTarget: { targetTime: recovery.targetTime } } : {}),
              },
            }
          : { initdb: { database: b.database, owner: b.props.owner ?? 'app', dataChecksums: true } },
        ...(recovery
          ? {
              externalClusters: [
                {
                  name: RECOVERY_SOURCE,
                  plugin: { name: CNPG_PLUGIN, parameters: { barmanObjectName: recoveryStore, serverName: recovery.serverName } },
                },
              ],
            }
          : {}),
        ...(b.props.parameters ? { postgresql: { parameters: { ...b.props.parameters } } } : {}),
        resources: { requests: { ...b.resources.requests }, limits: { ...b.resources.limits } },
        ...(o.backup
          ? {
              plugins: [
                {
                  name: CNPG_PLUGIN,
                  isWALArchiver: true,
                  parameters: { barmanObjectName: `${b.name}-backups`, ...(archiveServerName !== b.name ? { serverName: archiveServerName } : {}) },
                },
              ],
            }
          : {}),
      },
    };
    const resource = new ApiObject(b.scope, 'Resource', cluster);

    if (recovery?.objectStore) objectStoreOf(b, 'RecoveryObjectStore', recoveryStore, recovery.objectStore);
    if (o.backup) {
      const bk = o.backup;
      objectStore = objectStoreOf(b, 'ObjectStore', `${b.name}-backups`, bk);
      const scheduled: CnpgScheduledBackup = {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'ScheduledBackup',
        metadata: b.meta(`${b.name}-scheduled`),
        spec: {
          schedule: bk.schedule ?? '0 0 2 * * *',
          cluster: { name: b.name },
          method: 'plugin',
          pluginConfiguration: { name: CNPG_PLUGIN },
          backupOwnerReference: 'self',
          immediate: true,
          target: 'prefer-standby',
        },
      };
      scheduledBackup = new ApiObject(b.scope, 'ScheduledBackup', scheduled);
    }

    const rw = `${b.name}-rw`;
    const poolerName = o.pooler ? (o.pooler.name ?? `${b.name}-pooler`) : undefined;
    if (o.pooler && poolerName) {
      const p = o.pooler;
      const poolerManifest: CnpgPooler = {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Pooler',
        metadata: b.meta(poolerName),
        spec: {
          cluster: { name: b.name },
          instances: p.instances ?? 2,
          type: 'rw',
          pgbouncer: {
            poolMode: p.poolMode ?? 'transaction',
            parameters: {
              default_pool_size: String(p.defaultPoolSize ?? 20),
              max_client_conn: String(p.maxClientConnections ?? 1000),
            },
          },
          template: {
            metadata: { labels: b.labels },
            spec: {
              ...placement,
              containers: [
                {
                  name: 'pgbouncer',
                  resources: { requests: { ...POOLER_RESOURCES.requests }, limits: { ...POOLER_RESOURCES.limits } },
                },
              ],
              // CNPG sets neither spread nor a PDB: one node drain could take every PgBouncer (and the API's database) at once.
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: 'kubernetes.io/hostname',
                  whenUnsatisfiable: 'DoNotSchedule',
                  labelSelector: { matchLabels: { 'cnpg.io/poolerName': poolerName } },
                  // Tainted nodes are no domains (see the API's spread).
                  nodeTaintsPolicy: 'Honor',
                },
              ],
            },
          },
        },
      };
      pooler = new ApiObject(b.scope, 'Pooler', poolerManifest);
      kubeObject(
        b.scope,
        'PoolerDisruptionBudget',
        k8s.KubePodDisruptionBudget.GVK,
        {
          metadata: b.meta(poolerName),
          spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { 'cnpg.io/poolerName': poolerName } } },
        },
        k8s.toJson_KubePodDisruptionBudgetProps,
      );
    }

    // Instances: replication and status among themselves, the operator, the pooler, Prometheus.
    instanceIngress.push(
      { from: [instancesPeer.toPolicyPeer()], ports: policyPorts([{ port: 5432 }, { port: 8000 }]) },
      { from: [NetworkPeer.namespace(o.operatorNamespace ?? 'cnpg-system').toPolicyPeer()], ports: policyPorts([{ port: 8000 }, { port: 5432 }]) },
    );
    if (b.monitoring) instanceIngress.push({ from: [b.monitoringPeer.toPolicyPeer()], ports: policyPorts([{ port: 9187 }]) });
    // The instance manager and the Barman Cloud sidecar (which reads its ObjectStore and credentials) use the Kubernetes API.
    const apiServerRule: k8s.NetworkPolicyEgressRule = { to: [b.controlPlane.toPolicyPeer()], ports: policyPorts([{ port: 443 }, { port: 6443 }]) };
    // The sidecar writes to (and a recovery reads from) object storage: rules of their own, derived from each store's
    // endpoint, so an in-cluster MinIO is reachable and narrowing controlPlaneCidr never cuts backups.
    const backupRules = o.backup ? [backupEgressRule(o.backup, b.namespace)] : [];
    const recoveryRules = recovery?.objectStore ? [backupEgressRule(recovery.objectStore, b.namespace)] : [];
    // The operator's Jobs (initdb, join, full-recovery) carry `cnpg.io/cluster` and `cnpg.io/jobRole`, not
    // `cnpg.io/podRole` (pkg/specs/jobs.go): the instances' policy does not select them, so they get their own.
    const jobSelector = { matchLabels: { 'cnpg.io/cluster': b.name }, matchExpressions: [{ key: 'cnpg.io/jobRole', operator: 'Exists' }] };
    // A joining replica copies the primary with pg_basebackup.
    instanceIngress.push({ from: [{ podSelector: jobSelector }], ports: policyPorts([{ port: 5432 }]) });
    const networkPolicy = kubeObject(
      b.scope,
      'NetworkPolicy',
      k8s.KubeNetworkPolicy.GVK,
      {
        metadata: b.meta(b.name),
        spec: {
          podSelector: { matchLabels: { ...instanceSelector } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: instanceIngress,
          egress: [
            dnsEgressRule(b.scope),
            { to: [instancesPeer.toPolicyPeer()], ports: policyPorts([{ port: 5432 }, { port: 8000 }]) },
            apiServerRule,
            ...backupRules,
          ],
        },
      },
      k8s.toJson_KubeNetworkPolicyProps,
    );
    kubeObject(
      b.scope,
      'JobNetworkPolicy',
      k8s.KubeNetworkPolicy.GVK,
      {
        metadata: b.meta(`${b.name}-jobs`),
        spec: {
          podSelector: jobSelector,
          policyTypes: ['Ingress', 'Egress'],
          ingress: [],
          egress: [
            dnsEgressRule(b.scope),
            { to: [instancesPeer.toPolicyPeer()], ports: policyPorts([{ port: 5432 }]) },
            apiServerRule,
            ...distinct([...backupRules, ...recoveryRules]),
          ],
        },
      },
      k8s.toJson_KubeNetworkPolicyProps,
    );

    if (poolerName) {
      const poolerPeer = NetworkPeer.pods({ 'cnpg.io/poolerName': poolerName }, b.namespace);
      instanceIngress.push({ from: [poolerPeer.toPolicyPeer()], ports: policyPorts([{ port: 5432 }]) });
      if (b.monitoring) poolerIngress.push({ from: [b.monitoringPeer.toPolicyPeer()], ports: policyPorts([{ port: 9127 }]) });
      poolerNetworkPolicy = kubeObject(
        b.scope,
        'PoolerNetworkPolicy',
        k8s.KubeNetworkPolicy.GVK,
        {
          metadata: b.meta(poolerName),
          spec: {
            podSelector: { matchLabels: { 'cnpg.io/poolerName': poolerName } },
            policyTypes: ['Ingress', 'Egress'],
            ingress: poolerIngress,
            egress: [
              dnsEgressRule(b.scope),
              { to: [instancesPeer.toPolicyPeer()], ports: policyPorts([{ port: 5432 }]) },
              { to: [b.controlPlane.toPolicyPeer()], ports: policyPorts([{ port: 443 }, { port: 6443 }]) },
            ],
          },
        },
        k8s.toJson_KubeNetworkPolicyProps,
      );
    }

    if (b.monitoring) {
      podMonitor(b, `${b.name}`, { ...instanceSelector }, 'Monitor');
      if (poolerName) podMonitor(b, poolerName, { 'cnpg.io/poolerName': poolerName }, 'PoolerMonitor');
    }

    const signals: PostgresSignalTarget = {
      namespace: b.namespace,
      cluster: b.name,
      podPattern: `${b.name}-[0-9]+`,
      pvcPattern: `${b.name}-[0-9]+(-wal)?`,
      container: 'postgres',
      poolerPodPattern: poolerName ? `${poolerName}-[a-z0-9]+-[a-z0-9]+` : undefined,
    };
    const cnpg = { instances: b.props.instances ?? 3, backups: o.backup !== undefined };
    const { alertRules, dashboard } = monitoringObjects(b.scope, {
      name: b.name,
      meta: (n) => b.meta(n),
      settings: b.observability,
      alerts: b.alerts,
      dashboard: b.dashboard,
      groups: () => postgresAlertGroups(signals, cnpgAlertSpecs(signals, cnpg), b.observability),
      dashboardModel: () => postgresDashboard(signals, 'CloudNativePG', cnpgDashboardPanels(signals, cnpg), b.observability.environment),
    });

    // CNPG writes `<cluster>-app` with username, password, dbname, host, port and uri for the owner.
    const secret = { secretName: `${b.name}-app`, usernameKey: 'username', passwordKey: 'password' };
    const directConnection: DatabaseConnection = {
      host: rw,
      port: 5432,
      database: b.database,
      sslMode: 'require',
      clientPeer: instancesPeer,
      namespace: b.namespace,
      ...secret,
    };
    // `<cluster>-ro` selects the replicas: reads that tolerate replication lag.
    const readConnection: DatabaseConnection = { ...directConnection, host: `${b.name}-ro` };
    const connection: DatabaseConnection = poolerName
      ? { ...directConnection, host: poolerName, clientPeer: NetworkPeer.pods({ 'cnpg.io/poolerName': poolerName }, b.namespace) }
      : directConnection;
    // An on-demand base backup through the same plugin and archive as the scheduled ones; CNPG keeps
    // no finalizer on a Backup, so deleting the object later leaves the backup in the store.
    const onDemandBackup = o.backup
      ? (scope: Construct, id: string, metadata: ClientObjectMetadata): OnDemandBackup => {
          const manifest: CnpgBackup = {
            apiVersion: 'postgresql.cnpg.io/v1',
            kind: 'Backup',
            metadata,
            spec: { cluster: { name: b.name }, method: 'plugin', pluginConfiguration: { name: CNPG_PLUGIN }, target: 'prefer-standby' },
          };
          return {
            object: new ApiObject(scope, id, manifest),
            group: 'postgresql.cnpg.io',
            version: 'v1',
            resource: 'backups',
            donePhases: ['completed'],
            failedPhases: ['failed', 'walArchivingFailing', 'invalid backup definition'],
          };
        }
      : undefined;
    return {
      resource,
      pooler,
      objectStore,
      scheduledBackup,
      networkPolicy,
      poolerNetworkPolicy,
      alertRules,
      dashboard,
      connection,
      directConnection,
      readConnection,
      peer: instancesPeer,
      onDemandBackup,
      admit: (peer) => {
        const rule = { from: [peer.toPolicyPeer()], ports: policyPorts([{ port: 5432 }]) };
        instanceIngress.push(rule);
        if (poolerNetworkPolicy) poolerIngress.push(rule);
      },
    };
  }
}

/** The rules without repeats (a recovery from the backup store's own endpoint needs no second rule). */
function distinct(rules: k8s.NetworkPolicyEgressRule[]): k8s.NetworkPolicyEgressRule[] {
  return rules.filter((r, i) => rules.findIndex((q) => JSON.stringify(q) === JSON.stringify(r)) === i);
}

function podMonitor(b: PostgresBuild, name: string, selector: Record<string, string>, id: string): void {
  const monitor: IPodMonitor = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name, labels: b.labels, annotations: syncWaveAnnotation(SyncWave.DATABASE) },
    spec: { selector: { matchLabels: selector }, podMetricsEndpoints: [{ port: 'metrics' }] },
  };
  new ApiObject(b.scope, id, monitor);
}

/** A Barman Cloud ObjectStore named `name` for the bucket of `bk`. */
function objectStoreOf(b: PostgresBuild, id: string, name: string, bk: PostgresBackupOptions): ApiObject {
  const store: BarmanObjectStore = {
    apiVersion: 'barmancloud.cnpg.io/v1',
    kind: 'ObjectStore',
    metadata: b.meta(name),
    spec: {
      retentionPolicy: bk.retention ?? '30d',
      configuration: {
        destinationPath: bk.destinationPath,
        ...(bk.endpointUrl ? { endpointURL: bk.endpointUrl } : {}),
        s3Credentials: {
          accessKeyId: { name: bk.credentialsSecret, key: bk.accessKeyIdKey ?? 'ACCESS_KEY_ID' },
          secretAccessKey: { name: bk.credentialsSecret, key: bk.secretAccessKeyKey ?? 'ACCESS_SECRET_KEY' },
        },
        wal: { compression: bk.walCompression ?? 'gzip', maxParallel: 2 },
        data: { compression: 'gzip', jobs: 2 },
      },
    },
  };
  return new ApiObject(b.scope, id, store);
}
