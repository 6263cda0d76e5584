import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor' with { 'resolution-mode': 'import' };
import { DatabaseConnection, IDatabase } from '../core/database';
import { SyncWave, syncWaveAnnotation } from '../core/sync-wave';
import { defaultPartOf, selectorLabels, standardLabels, StandardLabelsOptions } from '../core/labels';
import { dnsEgressRule, NetworkPeer, policyPorts } from '../core/network-peer';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';
import { checkCidr, checkDnsLabel, checkImage, checkInteger, checkRequestLimit } from '../core/rules';
import { checkQuantity } from '../core/quantity';
import { requireUniqueObjectNames } from '../core/unique-names';
import { Problem, ProblemCollector, show, throwIfProblems } from '../core/validation';
import { k8sResources, ResourceRequirements } from '../core/resources';
import type { BarmanObjectStore, CnpgCluster, CnpgPooler, CnpgScheduledBackup } from './cnpg-types';
import { PostgresEngine } from './postgres-engine';
import { kubeObject } from '../core/kube-object';

/** Persistent storage of each instance. */
export interface PostgresStorageOptions {
  /** Volume size. @default '10Gi' */
  readonly size?: string;
  /** StorageClass. @default - the cluster's default StorageClass */
  readonly storageClass?: string;
}

/** Props of a PostgresCluster. */
export interface PostgresClusterProps {
  /** Name of the Cluster or StatefulSet, and the base of every other name. @default - the construct id */
  readonly name?: string;
  /** How PostgreSQL runs. @default PostgresEngine.cloudNativePg() */
  readonly engine?: PostgresEngine;
  /** PostgreSQL instances (one primary, the rest replicas). The StatefulSet engine runs exactly one. @default - 3 with CloudNativePG, 1 with a StatefulSet */
  readonly instances?: number;
  /** Refuse fewer than three instances (production); a deliberate exception sets this to false. @default false */
  readonly requireHighAvailability?: boolean;
  /** PostgreSQL image with a pinned tag. @default - 'ghcr.io/cloudnative-pg/postgresql:17.5' with CloudNativePG, 'docker.io/library/postgres:17.5' with a StatefulSet */
  readonly image?: string;
  /** Application database created at bootstrap. @default 'app' */
  readonly database?: string;
  /** Owner of that database (the application user). @default 'app' */
  readonly owner?: string;
  /** Storage of each instance. @default - 10Gi of the default StorageClass */
  readonly storage?: PostgresStorageOptions;
  /** `postgresql.conf` parameters (CloudNativePG only). @default - the operator's defaults */
  readonly parameters?: Record<string, string>;
  /** Requests and limits of each instance. @default - 500m/1Gi requested, 2 CPU/1Gi limit (memory limit = request: no overcommit for a database) */
  readonly resources?: ResourceRequirements;
  /** Emit PodMonitors for the instances (and the pooler). @default true */
  readonly monitoring?: boolean;
  /** Namespace Prometheus runs in, admitted to the metrics ports. @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /** Where the Kubernetes API (and object storage) is, for the instances' egress policy. @default '0.0.0.0/0' */
  readonly controlPlaneCidr?: string;
  /** `app.kubernetes.io/part-of` of every object. @default - the `cdk8s-trading:partOf` context, else the chart's namespace, else the chart's id */
  readonly partOf?: string;
  /** `app.kubernetes.io/instance` of every object. @default - the name */
  readonly instance?: string;
}

const CNPG_PLUGIN = 'barman-cloud.cloudnative-pg.io';
const DEFAULT_RESOURCES: ResourceRequirements = {
  requests: { cpu: '500m', memory: '1Gi' },
  limits: { cpu: '2', memory: '1Gi' },
};

/**
 * PostgreSQL for a trading backend: a CloudNativePG Cluster with Barman Cloud backups, a PgBouncer
 * Pooler and PodMonitors (staging, production), or a single-instance StatefulSet (dev clusters
 * without the operator). Connect a backend with `backend.connectTo(db)`.
 */
export class PostgresCluster extends Construct implements IDatabase {
  /** Name of the Cluster or StatefulSet. */
  public readonly name: string;
  /** Which engine runs it. */
  public readonly engine: PostgresEngine;
  /** Connection settings for clients (through the pooler when there is one). */
  public readonly connection: DatabaseConnection;
  /** Connection settings that bypass the pooler, for migrations (session-level locks). */
  public readonly directConnection: DatabaseConnection;
  /** The CNPG Cluster or the StatefulSet (the `'Resource'` child). */
  public readonly resource: ApiObject;
  /** The Pooler, when there is one. */
  public readonly pooler?: ApiObject;
  /** The Barman Cloud ObjectStore, with backups. */
  public readonly objectStore?: ApiObject;
  /** The ScheduledBackup, with backups. */
  public readonly scheduledBackup?: ApiObject;
  /** The NetworkPolicy of the instances. */
  public readonly networkPolicy: ApiObject;
  /** The NetworkPolicy of the pooler, when there is one. */
  public readonly poolerNetworkPolicy?: ApiObject;

  private readonly instanceIngress: k8s.NetworkPolicyIngressRule[] = [];
  private readonly poolerIngress: k8s.NetworkPolicyIngressRule[] = [];
  private clients = 0;

  constructor(scope: Construct, id: string, props: PostgresClusterProps = {}) {
    super(scope, id);
    this.engine = props.engine ?? PostgresEngine.cloudNativePg();
    throwIfProblems(`PostgresCluster ${this.node.path}`, validatePostgresClusterProps(id, { ...props, engine: this.engine }));
    requireUniqueObjectNames(this);
    this.name = props.name ?? id;
    const namespace = Chart.of(this).namespace;
    const labelOptions: StandardLabelsOptions = {
      name: this.name,
      instance: props.instance ?? this.name,
      component: 'database',
      partOf: props.partOf ?? defaultPartOf(this),
    };
    const labels = standardLabels(labelOptions);
    const meta = (name: string, extra: Record<string, string> = {}): { name: string; labels: Record<string, string>; annotations: Record<string, string> } => ({
      name,
      labels: { ...labels, ...extra },
      annotations: syncWaveAnnotation(SyncWave.DATABASE),
    });
    const monitoring = props.monitoring ?? true;
    const monitoringPeer = NetworkPeer.namespace(props.monitoringNamespace ?? 'monitoring');
    const controlPlane = NetworkPeer.cidr(props.controlPlaneCidr ?? '0.0.0.0/0');
    const database = props.database ?? 'app';
    const resources = props.resources ?? DEFAULT_RESOURCES;
    const storageSize = props.storage?.size ?? '10Gi';

    if (this.engine.kind === 'cloudnative-pg') {
      const o = this.engine.cloudNativePgOptions ?? {};
      const instancesPeer = NetworkPeer.pods({ 'cnpg.io/cluster': this.name }, namespace);
      const cluster: CnpgCluster = {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: meta(this.name),
        spec: {
          instances: props.instances ?? 3,
          imageName: props.image ?? 'ghcr.io/cloudnative-pg/postgresql:17.5',
          primaryUpdateStrategy: 'unsupervised',
          primaryUpdateMethod: 'switchover',
          enablePDB: true,
          inheritedMetadata: { labels },
          affinity: { enablePodAntiAffinity: true, podAntiAffinityType: 'required', topologyKey: 'kubernetes.io/hostname' },
          storage: { size: storageSize, ...(props.storage?.storageClass ? { storageClass: props.storage.storageClass } : {}) },
          bootstrap: { initdb: { database, owner: props.owner ?? 'app', dataChecksums: true } },
          ...(props.parameters ? { postgresql: { parameters: { ...props.parameters } } } : {}),
          resources: { requests: { ...resources.requests }, limits: { ...resources.limits } },
          ...(o.backup
            ? { plugins: [{ name: CNPG_PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: `${this.name}-backups` } }] }
            : {}),
        },
      };
      this.resource = new ApiObject(this, 'Resource', cluster);

      if (o.backup) {
        const b = o.backup;
        const store: BarmanObjectStore = {
          apiVersion: 'barmancloud.cnpg.io/v1',
          kind: 'ObjectStore',
          metadata: meta(`${this.name}-backups`),
          spec: {
            retentionPolicy: b.retention ?? '30d',
            configuration: {
              destinationPath: b.destinationPath,
              ...(b.endpointUrl ? { endpointURL: b.endpointUrl } : {}),
              s3Credentials: {
                accessKeyId: { name: b.credentialsSecret, key: b.accessKeyIdKey ?? 'ACCESS_KEY_ID' },
                secretAccessKey: { name: b.credentialsSecret, key: b.secretAccessKeyKey ?? 'ACCESS_SECRET_KEY' },
              },
              wal: { compression: b.walCompression ?? 'gzip', maxParallel: 2 },
              data: { compression: 'gzip', jobs: 2 },
            },
          },
        };
        this.objectStore = new ApiObject(this, 'ObjectStore', store);
        const backup: CnpgScheduledBackup = {
          apiVersion: 'postgresql.cnpg.io/v1',
          kind: 'ScheduledBackup',
          metadata: meta(`${this.name}-scheduled`),
          spec: {
            schedule: b.schedule ?? '0 0 2 * * *',
            cluster: { name: this.name },
            method: 'plugin',
            pluginConfiguration: { name: CNPG_PLUGIN },
            backupOwnerReference: 'self',
            immediate: true,
            target: 'prefer-standby',
          },
        };
        this.scheduledBackup = new ApiObject(this, 'ScheduledBackup', backup);
      }

      const rw = `${this.name}-rw`;
      const poolerName = o.pooler ? o.pooler.name ?? `${this.name}-pooler` : undefined;
      if (o.pooler && poolerName) {
        const p = o.pooler;
        const pooler: CnpgPooler = {
          apiVersion: 'postgresql.cnpg.io/v1',
          kind: 'Pooler',
          metadata: meta(poolerName),
          spec: {
            cluster: { name: this.name },
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
              metadata: { labels },
              spec: {
                containers: [{
                  name: 'pgbouncer',
                  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
                }],
              },
            },
          },
        };
        this.pooler = new ApiObject(this, 'Pooler', pooler);
      }

      // Instances: replication and status among themselves, the operator, the pooler, Prometheus.
      this.instanceIngress.push(
        { from: [instancesPeer.toPolicyPeer()], ports: policyPorts([{ port: 5432 }, { port: 8000 }]) },
        { from: [NetworkPeer.namespace(o.operatorNamespace ?? 'cnpg-system').toPolicyPeer()], ports: policyPorts([{ port: 8000 }, { port: 5432 }]) },
      );
      if (monitoring) this.instanceIngress.push({ from: [monitoringPeer.toPolicyPeer()], ports: policyPorts([{ port: 9187 }]) });
      this.networkPolicy = kubeObject(this, 'NetworkPolicy', k8s.KubeNetworkPolicy.GVK, {
        metadata: meta(this.name),
        spec: {
          podSelector: { matchLabels: { 'cnpg.io/cluster': this.name } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: this.instanceIngress,
          egress: [
            dnsEgressRule(),
            { to: [instancesPeer.toPolicyPeer()], ports: policyPorts([{ port: 5432 }, { port: 8000 }]) },
            // The instance manager watches the Kubernetes API; the Barman sidecar writes to object storage.
            { to: [controlPlane.toPolicyPeer()], ports: policyPorts([{ port: 443 }, { port: 6443 }]) },
          ],
        },
      }, k8s.toJson_KubeNetworkPolicyProps);

      if (poolerName) {
        const poolerPeer = NetworkPeer.pods({ 'cnpg.io/poolerName': poolerName }, namespace);
        this.instanceIngress.push({ from: [poolerPeer.toPolicyPeer()], ports: policyPorts([{ port: 5432 }]) });
        if (monitoring) this.poolerIngress.push({ from: [monitoringPeer.toPolicyPeer()], ports: policyPorts([{ port: 9127 }]) });
        this.poolerNetworkPolicy = kubeObject(this, 'PoolerNetworkPolicy', k8s.KubeNetworkPolicy.GVK, {
          metadata: meta(poolerName),
          spec: {
            podSelector: { matchLabels: { 'cnpg.io/poolerName': poolerName } },
            policyTypes: ['Ingress', 'Egress'],
            ingress: this.poolerIngress,
            egress: [
              dnsEgressRule(),
              { to: [instancesPeer.toPolicyPeer()], ports: policyPorts([{ port: 5432 }]) },
              { to: [controlPlane.toPolicyPeer()], ports: policyPorts([{ port: 443 }, { port: 6443 }]) },
            ],
          },
        }, k8s.toJson_KubeNetworkPolicyProps);
      }

      if (monitoring) {
        this.podMonitor(`${this.name}`, { 'cnpg.io/cluster': this.name }, labels, 'Monitor');
        if (poolerName) this.podMonitor(poolerName, { 'cnpg.io/poolerName': poolerName }, labels, 'PoolerMonitor');
      }

      // CNPG writes `<cluster>-app` with username, password, dbname, host, port and uri for the owner.
      const secret = { secretName: `${this.name}-app`, usernameKey: 'username', passwordKey: 'password' };
      this.directConnection = { host: rw, port: 5432, database, sslMode: 'require', clientPeer: instancesPeer, ...secret };
      this.connection = poolerName
        ? { ...this.directConnection, host: poolerName, clientPeer: NetworkPeer.pods({ 'cnpg.io/poolerName': poolerName }, namespace) }
        : this.directConnection;
    } else {
      const o = this.engine.statefulSetOptions;
      if (!o) throw new Error('unreachable: a StatefulSet engine without options');
      const uid = o.runAsUser ?? 999;
      const selector = selectorLabels(labelOptions);
      const peer = NetworkPeer.pods(selector, namespace);
      const usernameKey = o.usernameKey ?? 'username';
      const passwordKey = o.passwordKey ?? 'password';
      const headless = `${this.name}-headless`;
      const pgIsReady = ['pg_isready', '--host', '127.0.0.1', '--port', '5432'];
      this.resource = kubeObject(this, 'Resource', k8s.KubeStatefulSet.GVK, {
        metadata: meta(this.name),
        spec: {
          serviceName: headless,
          replicas: 1,
          selector: { matchLabels: selector },
          podManagementPolicy: 'OrderedReady',
          updateStrategy: { type: 'RollingUpdate' },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          template: {
            metadata: { labels },
            spec: {
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: restrictedPodSecurityContext(uid),
              terminationGracePeriodSeconds: 60,
              containers: [{
                name: 'postgres',
                image: props.image ?? 'docker.io/library/postgres:17.5',
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }],
                env: [
                  { name: 'POSTGRES_USER', valueFrom: { secretKeyRef: { name: o.credentialsSecret, key: usernameKey } } },
                  { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: o.credentialsSecret, key: passwordKey } } },
                  { name: 'POSTGRES_DB', value: database },
                  // A subdirectory: the volume's root holds lost+found, which initdb refuses.
                  { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                ],
                readinessProbe: { exec: { command: pgIsReady }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
                livenessProbe: { exec: { command: pgIsReady }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
                startupProbe: { exec: { command: pgIsReady }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 60 },
                resources: k8sResources(resources),
                securityContext: restrictedContainerSecurityContext(uid),
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/postgresql/data' },
                  { name: 'run', mountPath: '/var/run/postgresql' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              }],
              volumes: [
                { name: 'run', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
                { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
              ],
            },
          },
          volumeClaimTemplates: [{
            metadata: { name: 'data', labels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(props.storage?.storageClass ? { storageClassName: props.storage.storageClass } : {}),
              resources: { requests: { storage: k8s.Quantity.fromString(storageSize) } },
            },
          }],
        },
      }, k8s.toJson_KubeStatefulSetProps);
      const servicePorts: k8s.ServicePort[] = [{ name: 'postgres', port: 5432, targetPort: k8s.IntOrString.fromString('postgres'), protocol: 'TCP' }];
      kubeObject(this, 'HeadlessService', k8s.KubeService.GVK, {
        metadata: meta(headless),
        spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector, ports: servicePorts },
      }, k8s.toJson_KubeServiceProps);
      kubeObject(this, 'Service', k8s.KubeService.GVK, { metadata: meta(this.name), spec: { type: 'ClusterIP', selector, ports: servicePorts } }, k8s.toJson_KubeServiceProps);
      kubeObject(this, 'DisruptionBudget', k8s.KubePodDisruptionBudget.GVK, {
        metadata: meta(this.name),
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
      }, k8s.toJson_KubePodDisruptionBudgetProps);
      this.networkPolicy = kubeObject(this, 'NetworkPolicy', k8s.KubeNetworkPolicy.GVK, {
        metadata: meta(this.name),
        spec: { podSelector: { matchLabels: selector }, policyTypes: ['Ingress', 'Egress'], ingress: this.instanceIngress, egress: [dnsEgressRule()] },
      }, k8s.toJson_KubeNetworkPolicyProps);
      this.directConnection = {
        host: this.name, port: 5432, database, secretName: o.credentialsSecret, usernameKey, passwordKey, sslMode: 'disable', clientPeer: peer,
      };
      this.connection = this.directConnection;
    }

    this.node.addValidation({
      validate: () => (this.clients > 0
        ? []
        : [`PostgresCluster ${this.node.path}: no workload connects to it: call connectTo(db) on the backends that use it, or remove it`]),
    });
  }

  /** Admits `peer` to PostgreSQL: to the pooler and, for migrations that bypass it, to the instances. */
  public allowClientsFrom(peer: NetworkPeer): void {
    this.clients++;
    const rule = { from: [peer.toPolicyPeer()], ports: policyPorts([{ port: 5432 }]) };
    this.instanceIngress.push(rule);
    if (this.poolerNetworkPolicy) this.poolerIngress.push(rule);
  }

  private podMonitor(name: string, selector: Record<string, string>, labels: Record<string, string>, id: string): void {
    const monitor: IPodMonitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name, labels, annotations: syncWaveAnnotation(SyncWave.DATABASE) },
      spec: { selector: { matchLabels: selector }, podMetricsEndpoints: [{ port: 'metrics' }] },
    };
    new ApiObject(this, id, monitor);
  }
}

/** Every problem with PostgresCluster props. */
export function validatePostgresClusterProps(id: string, props: PostgresClusterProps & { engine: PostgresEngine }): Problem[] {
  const c = new ProblemCollector();
  const name = props.name ?? id;
  c.check('name', checkDnsLabel(name, 40));
  const cnpg = props.engine.kind === 'cloudnative-pg';
  if (props.instances !== undefined) {
    c.check('instances', checkInteger(props.instances, 1, 9));
    if (!cnpg && props.instances !== 1) {
      c.check('instances', `${show(props.instances)} is not possible with the StatefulSet engine, which runs one instance without replication; use PostgresEngine.cloudNativePg() for more`);
    }
  }
  const instances = props.instances ?? (cnpg ? 3 : 1);
  if (props.requireHighAvailability && typeof instances === 'number' && instances < 3) {
    c.check('instances', `${show(instances)} is below 3, the minimum for high availability; to run fewer on purpose, say so (requireHighAvailability: false in props, allowFewerInstances: true in an environment file)`);
  }
  if (props.image !== undefined) c.check('image', checkImage(props.image, false));
  if (props.database !== undefined) c.check('database', checkPgIdentifier(props.database));
  if (props.owner !== undefined) c.check('owner', checkPgIdentifier(props.owner));
  if (props.storage?.size !== undefined) c.check('storage.size', checkQuantity(props.storage.size, 'storage'));
  if (props.storage?.storageClass !== undefined) c.check('storage.storageClass', checkDnsLabel(props.storage.storageClass, 253));
  if (props.parameters !== undefined && !cnpg) c.check('parameters', 'applies only to the CloudNativePG engine');
  if (props.resources) {
    c.nest('resources', checkRequestLimit('cpu', props.resources.requests?.cpu, props.resources.limits?.cpu));
    c.nest('resources', checkRequestLimit('memory', props.resources.requests?.memory, props.resources.limits?.memory));
  }
  if (props.monitoringNamespace !== undefined) c.check('monitoringNamespace', checkDnsLabel(props.monitoringNamespace));
  if (props.controlPlaneCidr !== undefined) c.check('controlPlaneCidr', checkCidr(props.controlPlaneCidr));
  const pooler = props.engine.cloudNativePgOptions?.pooler;
  if (pooler) {
    const poolerName = pooler.name ?? `${name}-pooler`;
    if (poolerName === name) {
      c.check('engine.pooler.name', `${show(poolerName)} is the Cluster's name too: CNPG needs the Pooler's name (its Service) to differ from every Cluster name`);
    }
    if ([`${name}-rw`, `${name}-ro`, `${name}-r`].includes(poolerName)) {
      c.check('engine.pooler.name', `${show(poolerName)} is one of the Services CNPG creates for the Cluster; choose another`);
    }
  }
  return [...c.problems];
}

/** A PostgreSQL identifier as CNPG's initdb takes it (lower case, no quoting needed). */
export function checkPgIdentifier(value: unknown): string | undefined {
  return typeof value === 'string' && /^[a-z_][a-z0-9_]{0,62}$/.test(value)
    ? undefined
    : `${show(value)} is not a PostgreSQL identifier: use lower-case letters, digits and "_", starting with a letter or "_"`;
}
