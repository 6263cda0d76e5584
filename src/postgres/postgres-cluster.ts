import type { IPodDemandSource, PodDemand } from '../core/pod-demand';
import { FieldPath } from '../core/field-path';
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DataStoreBase } from '../core/data-store';
import { ClientOffer, ConnectionBinding, ConnectionRequest } from '../core/connection';
import { DatabaseConnection, IDatabase, postgresClientBinding } from '../core/database';
import { defaultPartOf, standardLabels, StandardLabelsOptions } from '../core/labels';
import { PodPlacement, placementOf, validatePlacement } from '../core/placement';
import { protectFromPrune, pruneProtectionOf } from '../core/prune-protection';
import { NetworkPeer } from '../core/network-peer';
import { checkCidr, checkDnsLabel, checkImage, checkInteger, ResourceField, validateResources } from '../core/value-rules';
import { checkQuantity } from '../core/quantity';
import { ResourceRequirements } from '../core/resources';
import { SyncWave, syncWaveAnnotation } from '../core/sync-wave';
import { requireUniqueObjectNames } from '../core/unique-names';
import { Problem, ProblemCollector, show, throwIfProblems } from '../core/problems';
import { ObservabilityOptions, observabilityOf, validateObservabilityOptions } from '../monitoring/settings';
import { PostgresParts } from './engine-options';
import { ExternalPostgres, ExternalPostgresProps } from './external-postgres';
import { PostgresEngine } from './postgres-engine';

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
  /**
   * PostgreSQL instances (one primary, the rest replicas). The StatefulSet engine runs exactly one. @default - 3 with CloudNativePG, 1 with a
   * StatefulSet
   */
  readonly instances?: number;
  /** Refuse fewer than three instances (production); a deliberate exception sets this to false. @default false */
  readonly requireHighAvailability?: boolean;
  /**
   * PostgreSQL image, pinned by a tag or a digest (`Cluster.spec.imageName` with CloudNativePG). With CloudNativePG use one
   * of its `minimal` or `standard` images (`ghcr.io/cloudnative-pg/postgresql:17.11-standard-trixie`), made for the Barman
   * Cloud plugin, whose sidecar brings Barman Cloud. Moving a cluster to another Debian release changes its locale data.
   * @default - `CNPG_DEFAULT_IMAGE` (17.11, standard, trixie, by digest) with CloudNativePG, 'docker.io/library/postgres:17.5' with a StatefulSet
   */
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
  /**
   * Emit a PrometheusRule: instance down, storage almost full and restarts with either engine; with
   * CloudNativePG also HA lost, replication lag, connections near max_connections, backups and WAL
   * archiving, PgBouncer waits.
   * @default true
   */
  readonly alerts?: boolean;
  /** Emit a Grafana dashboard ConfigMap (`<name>-dashboard`, label `grafana_dashboard: "1"`). @default true */
  readonly dashboard?: boolean;
  /**
   * Environment label, runbook URLs, severity and dashboard folder of the alerts and dashboard. @default - the `cdk8s-trading:monitoring` context,
   * else the defaults of `ObservabilityOptions`
   */
  readonly observability?: ObservabilityOptions;
  /** Namespace Prometheus runs in, admitted to the metrics ports. @default 'monitoring' */
  readonly monitoringNamespace?: string;
  /**
   * Where the Kubernetes API server is, for the egress of the instances, the operator's Jobs and the pods that wait for
   * backups (443/6443). Object storage has a rule of its own (`backup.egress`). @default '0.0.0.0/0'
   */
  readonly controlPlaneCidr?: string;
  /** `app.kubernetes.io/part-of` of every object. @default - the `cdk8s-trading:partOf` context, else the chart's namespace, else the chart's id */
  readonly partOf?: string;
  /** `app.kubernetes.io/instance` of every object. @default - the name */
  readonly instance?: string;
  /** Registry credentials, priority, node selection and tolerations of the instances (and the pooler). @default - the `cdk8s-trading:placement` context, else none */
  readonly placement?: PodPlacement;
  /**
   * Keep the Cluster (or StatefulSet) and so its volumes when it leaves Git or its Argo CD Application or Flux
   * Kustomization is deleted: removing a database is then a deliberate `kubectl delete`.
   * @default - the `cdk8s-trading:pruneProtection` context, else true
   */
  readonly pruneProtection?: boolean;
}

const DEFAULT_RESOURCES: ResourceRequirements = {
  requests: { cpu: '500m', memory: '1Gi' },
  limits: { cpu: '2', memory: '1Gi' },
};

/**
 * PostgreSQL for a trading backend: a CloudNativePG Cluster with Barman Cloud backups, a PgBouncer
 * Pooler and PodMonitors (staging, production), or a single-instance StatefulSet (dev clusters
 * without the operator); `PostgresCluster.fromExternal()` for a database outside the cluster. Connect a
 * backend with `backend.connectTo(db)`.
 */
export class PostgresCluster extends DataStoreBase implements IDatabase, IPodDemandSource {
  /**
   * A PostgreSQL database that already exists outside the cluster (RDS, Cloud SQL, a shared server):
   * `connectTo` gives clients the same variables, with the credentials from a Secret by reference,
   * and an egress rule to its address block; nothing is created in the cluster.
   */
  public static fromExternal(scope: Construct, id: string, props: ExternalPostgresProps): IDatabase {
    return new ExternalPostgres(scope, id, props);
  }

  /** Name of the Cluster or StatefulSet. */
  public readonly name: string;
  /** Which engine runs it. */
  public readonly engine: PostgresEngine;
  /** Connection settings for clients (through the pooler when there is one). */
  public readonly connection: DatabaseConnection;
  /** Connection settings that bypass the pooler, for migrations (session-level locks). */
  public readonly directConnection: DatabaseConnection;
  /** Connection settings of the read-only replicas (`<cluster>-ro`; CloudNativePG). */
  public readonly readConnection?: DatabaseConnection;
  public readonly clientOffer: ClientOffer;
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
  /** The PrometheusRule, when alerts are on. */
  public readonly alertRules?: ApiObject;
  /** The Grafana dashboard ConfigMap, when the dashboard is on. */
  public readonly dashboard?: ApiObject;

  private readonly parts: PostgresParts;
  /** Where the Kubernetes API server is (egress of the instances and of pods that wait for backups). */
  private readonly controlPlane: NetworkPeer;
  private readonly demands: () => PodDemand[];
  constructor(scope: Construct, id: string, props: PostgresClusterProps = {}) {
    super(scope, id, 'PostgresCluster', 'connectTo(db)');
    this.engine = props.engine ?? PostgresEngine.cloudNativePg();
    throwIfProblems(`PostgresCluster ${this.node.path}`, validatePostgresClusterProps(id, { ...props, engine: this.engine }));
    requireUniqueObjectNames(this);
    this.name = props.name ?? id;
    const labelOptions: StandardLabelsOptions = {
      name: this.name,
      instance: props.instance ?? this.name,
      component: 'database',
      partOf: props.partOf ?? defaultPartOf(this),
    };
    const labels = standardLabels(labelOptions);
    this.controlPlane = NetworkPeer.cidr(props.controlPlaneCidr ?? '0.0.0.0/0');
    this.parts = this.engine._bind({
      scope: this,
      name: this.name,
      namespace: Chart.of(this).namespace,
      labels,
      labelOptions,
      meta: (name) => ({ name, labels: { ...labels }, annotations: syncWaveAnnotation(SyncWave.DATABASE) }),
      props,
      database: props.database ?? 'app',
      resources: props.resources ?? DEFAULT_RESOURCES,
      storageSize: props.storage?.size ?? '10Gi',
      monitoring: props.monitoring ?? true,
      monitoringPeer: NetworkPeer.namespace(props.monitoringNamespace ?? 'monitoring'),
      alerts: props.alerts ?? true,
      dashboard: props.dashboard ?? true,
      observability: observabilityOf(this, props.observability),
      controlPlane: this.controlPlane,
      placement: placementOf(this, props.placement),
    });
    const instances = props.instances ?? this.engine.defaultInstances;
    this.demands = () => this.engine.podDemands(this.name, instances, props.resources ?? DEFAULT_RESOURCES);
    this.resource = this.parts.resource;
    if (pruneProtectionOf(this, props.pruneProtection)) protectFromPrune(this.resource);
    this.pooler = this.parts.pooler;
    this.objectStore = this.parts.objectStore;
    this.scheduledBackup = this.parts.scheduledBackup;
    this.networkPolicy = this.parts.networkPolicy;
    this.poolerNetworkPolicy = this.parts.poolerNetworkPolicy;
    this.alertRules = this.parts.alertRules;
    this.dashboard = this.parts.dashboard;
    this.connection = this.parts.connection;
    this.directConnection = this.parts.directConnection;
    this.readConnection = this.parts.readConnection;
    this.clientOffer = this.engine.clientOffer;
  }

  /** The instances' pods. */
  public get networkPeer(): NetworkPeer {
    return this.parts.peer;
  }

  /** The instance, sidecar and pooler pods it runs, for the namespace's quota (as its engine counts them). */
  public podDemands(): readonly PodDemand[] {
    return this.demands();
  }

  /** Admits `peer` to PostgreSQL: to the pooler and, for migrations that bypass it, to the instances. */
  protected admit(peer: NetworkPeer): void {
    this.parts.admit(peer);
  }

  /**
   * Binds a client (see `connectTo`): libpq variables and a URL, egress, admission; migrations wait for
   * the database and, with backups configured, can wait for an on-demand backup of it.
   */
  public bindClient(request: ConnectionRequest): ConnectionBinding {
    const binding = postgresClientBinding(this, request, true);
    const onDemandBackup = this.parts.onDemandBackup;
    if (!onDemandBackup) return binding;
    return {
      ...binding,
      backupBeforeMigration: (scope, id, metadata) => ({ ...onDemandBackup(scope, id, metadata), name: metadata.name, apiServer: this.controlPlane }),
    };
  }
}

/** Every problem with PostgresCluster props. */
export function validatePostgresClusterProps(
  id: string,
  props: PostgresClusterProps & { engine: PostgresEngine },
  path: FieldPath = FieldPath.props(),
  enginePath: FieldPath = path.child('engine'),
  /** Who set a request or limit the user did not write (an environment file's tier). */
  resourceDefaults?: (field: ResourceField) => string | undefined,
): Problem[] {
  const c = new ProblemCollector();
  const name = props.name ?? id;
  c.check(path.name(), checkDnsLabel(name, 40));
  if (props.instances !== undefined) c.check(path.child('instances'), checkInteger(props.instances, 1, 9));
  const instances = props.instances ?? props.engine.defaultInstances;
  if (props.requireHighAvailability && typeof instances === 'number' && instances < 3) {
    c.check(
      path.child('instances'),
      props.instances === undefined
        ? `${show(instances)} is the engine's own count (instances is not set), below 3, the minimum for high availability: use an engine that replicates (CloudNativePG), or say so (requireHighAvailability: false in props, allowFewerInstances: true in an environment file)`
        : `${show(instances)} is below 3, the minimum for high availability; to run fewer on purpose, say so (requireHighAvailability: false in props, allowFewerInstances: true in an environment file)`,
    );
  }
  if (props.image !== undefined) c.check(path.child('image'), checkImage(props.image, false));
  if (props.database !== undefined) c.check(path.child('database'), checkPgIdentifier(props.database));
  if (props.owner !== undefined) c.check(path.child('owner'), checkPgIdentifier(props.owner));
  if (props.storage?.size !== undefined) c.check(path.child('storage.size'), checkQuantity(props.storage.size, 'storage'));
  if (props.storage?.storageClass !== undefined) c.check(path.child('storage.storageClass'), checkDnsLabel(props.storage.storageClass, 253));
  if (props.resources) {
    c.add(validateResources(props.resources, path.child('resources'), resourceDefaults));
  }
  if (props.monitoringNamespace !== undefined) c.check(path.child('monitoringNamespace'), checkDnsLabel(props.monitoringNamespace));
  if (props.controlPlaneCidr !== undefined) c.check(path.child('controlPlaneCidr'), checkCidr(props.controlPlaneCidr));
  if (props.observability !== undefined) c.add(validateObservabilityOptions(props.observability, path.child('observability')));
  c.add(props.engine.propsProblems(name, props, path, enginePath));
  if (props.placement !== undefined) c.add(validatePlacement(props.placement, path.child('placement')));
  return [...c.problems];
}

/** A PostgreSQL identifier as CNPG's initdb takes it (lower case, no quoting needed). */
export function checkPgIdentifier(value: unknown): string | undefined {
  return typeof value === 'string' && /^[a-z_][a-z0-9_]{0,62}$/.test(value)
    ? undefined
    : `${show(value)} is not a PostgreSQL identifier: use lower-case letters, digits and "_", starting with a letter or "_"`;
}
