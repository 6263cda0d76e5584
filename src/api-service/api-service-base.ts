import { ApiObject, Chart, Lazy } from 'cdk8s';
import { createHash } from 'node:crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor' with { 'resolution-mode': 'import' };
import { externalSecretObject } from '../core/external-secret';
import { ConnectionBinding, ConnectOptions, IConnectable, MigrationBackup, validateClientAsk } from '../core/connection';
import { FieldPath } from '../core/field-path';
import {
  HOOK_ANNOTATION,
  HOOK_DELETE_POLICY_ANNOTATION,
  markStagedRelease,
  SYNC_WAVE_ANNOTATION,
  SyncWave,
  syncWaveAnnotation,
} from '../core/sync-wave';
import { durationText } from '../core/duration';
import { kubeObject } from '../core/kube-object';
import { placementOf } from '../core/placement';
import { defaultPartOf, selectorLabels, standardLabels, StandardLabelsOptions, workloadPodSelector } from '../core/labels';
import { dnsEgressRule, INetworkPeer, NetworkPeer, NetworkPort, policyPorts } from '../core/network-peer';
import { compareStrings, sortedRecord } from '../core/order';
import { requireUniqueObjectNames } from '../core/unique-names';
import { ConfigurationError, ProblemCollector, throwIfProblems } from '../core/problems';
import { checkEnvVarName } from '../core/value-rules';
import { checkSecretKey, checkSecretName, SecretRef } from '../core/secrets';
import { ApiServiceProps, DEFAULT_RESOURCES, IServiceEngine, WorkloadConfig } from './api-service-props';
import type { IPodDemandSource, PodDemand } from '../core/pod-demand';
import { ReleasePods, rollingPodsAtFullScale, serviceDemands } from './service-demand';
import { Exposure } from './exposure';
import { Migration } from './migration';
import { migrationBackupName } from './backup-wait';
import { Scaling } from './scaling';
import {
  DEFAULT_RELEASE_WAIT_IMAGE,
  ReleaseAfterOptions,
  ReleaseCheckpoint,
  releaseWaitJobSpec,
  runsReleaseWait,
  stabilizationSeconds,
  validateReleaseAfterOptions,
} from './release-after';
import { ServiceObjects } from './service-objects';
import { validateApiServiceProps } from './api-service-rules';
import type { Notifications } from '../gitops/notifications';

/**
 * Pod labels copied onto every scraped series (`version` of a blue-green colour, `track` of a weighted
 * canary, `rollouts-pod-template-hash` of an Argo Rollouts ReplicaSet; Prometheus names the last
 * `rollouts_pod_template_hash`). Labels a pod does not carry are skipped.
 */
export const POD_TARGET_LABELS: readonly string[] = ['version', 'track', 'rollouts-pod-template-hash'];

/** Annotation of a release-wait Job's pods: the revision of the service it waits for. */
export const RELEASE_WAIT_REVISION_ANNOTATION = 'cdk8s-trading/release-wait-revision';

/** Kinds whose change is a release of a service (what the revision of a release checkpoint covers). */
const REVISION_KINDS = new Set(['Deployment', 'Rollout', 'StatefulSet', 'Service']);

/**
 * An API service as other code wires to it: it connects to databases and caches, admits and reaches
 * other peers, takes secret variables, and is itself a network peer (its pods).
 */
export interface IApiService extends IConstruct, INetworkPeer {
  /** `metadata.name` of the primary workload and its Service. */
  readonly name: string;
  /** Connects the service (and its migration Job) to `target`: variables, egress, the target's admission. */
  connectTo(target: IConnectable, options?: ConnectOptions): void;
  /** Admits traffic from `peer` to `ports` of the pods. */
  allowIngressFrom(peer: INetworkPeer, ...ports: NetworkPort[]): void;
  /** Lets the pods open connections to `peer` on `ports`. */
  allowEgressTo(peer: INetworkPeer, ...ports: NetworkPort[]): void;
  /** Adds a variable whose value comes from a Secret key, to the pods and the migration Job. */
  addSecretEnv(name: string, secretName: string, key: string): void;
  /** What a service that releases after this one waits on (see `releaseAfter`). */
  releaseCheckpoint(): ReleaseCheckpoint;
}

/**
 * Subscribes `rollout` to `notifications` (annotations on the Rollout); with notifications but no
 * Rollout (an engine without a controller), says the prop does not apply.
 */
export function subscribeRollout(
  kindName: string,
  scope: IConstruct,
  rollout: ApiObject | undefined,
  notifications: Notifications | undefined,
): void {
  if (!notifications) return;
  if (!rollout) {
    throw new ConfigurationError([
      {
        where: `${kindName} ${scope.node.path}`,
        field: 'notifications',
        message:
          "applies only to the Argo Rollouts engine, whose Rollout carries the subscriptions: deliver the notifications of this engine's releases through ArgoCdDelivery or FluxDelivery",
      },
    ]);
  }
  for (const [key, value] of Object.entries(notifications.rolloutAnnotations())) rollout.metadata.addAnnotation(key, value);
}

/**
 * The part every API service shares, whatever runs its pods: ServiceAccount, ConfigMap, secret
 * references, NetworkPolicy, PodMonitor, migration Job, and the wiring methods. Subclasses add
 * the workloads (a Deployment, two colours, a Rollout) with the protected builders, so the pod
 * definition, security profile and policies exist once.
 */
export abstract class ApiServiceBase extends Construct implements IApiService, IPodDemandSource {
  /** `metadata.name` of the primary workload and its Service. */
  public readonly name: string;
  /** HTTP port the Services expose. */
  public readonly port: number;
  /** Port of the metrics endpoint. */
  public readonly metricsPort: number;
  /** Labels every pod of the service carries and is selected by (a subclass may narrow per workload). */
  public readonly selector: Readonly<Record<string, string>>;
  /** The ServiceAccount. */
  public readonly serviceAccount: ApiObject;
  /** The ConfigMap `<name>-config`, when `config` is given and the workloads share it. */
  public readonly configMap?: ApiObject;
  /** The per-workload ConfigMaps (`<name>-<suffix>-config`), by workload suffix, when the engine gives each workload its own (blue-green colours). */
  public readonly configMaps: Readonly<Record<string, ApiObject>>;
  /** The ExternalSecret, when any external secret reference is used. */
  public readonly externalSecret?: ApiObject;
  /** The NetworkPolicy, unless disabled. */
  public readonly networkPolicy?: ApiObject;
  /** The PodMonitor that scrapes every pod of the service once, when monitoring is on (`monitoring.serviceMonitor`). */
  public readonly podMonitor?: ApiObject;
  /** The migration Job, when migrations run as a Job. */
  public readonly migrationJob?: ApiObject;
  /** The suspended down-migration Job `<name>-migrate-rollback`, when the Job migration has a `rollbackCommand`. */
  public readonly migrationRollbackJob?: ApiObject;

  /** The validated props. */
  protected readonly props: ApiServiceProps;
  /** Replicas or autoscaling. */
  protected readonly scaling: Scaling;
  /** Route settings. */
  protected readonly exposure: Exposure;
  /**
   * Labels of this installation.
   * @internal
   */
  protected readonly labelOptions: StandardLabelsOptions;
  /**
   * The object builders, scoped to this construct (release engines build through them too).
   * @internal
   */
  protected readonly objects: ServiceObjects;
  /**
   * What the release runs (a subclass's engine says): a Deployment's rolling update unless set.
   * @internal
   */
  protected releasePods: ReleasePods = { podsAtFullScale: rollingPodsAtFullScale, runsSmokeTest: false };

  private readonly env: k8s.EnvVar[] = [];
  /** What a smoke check GETs by default: the readiness path, then a path per connected dependency. */
  private readonly healthPaths: string[] = [];
  /** The migration Job's env: the API's, except that database connections bypass any pooler. */
  private readonly migrationEnv: k8s.EnvVar[] = [];
  private readonly configKeys: readonly string[];
  private readonly ingressRules: k8s.NetworkPolicyIngressRule[] = [];
  private readonly egressRules: k8s.NetworkPolicyEgressRule[] = [];
  private readonly connected = new Set<IConnectable>();
  /** Backups the migration Job waits for, and the rules that let it read them. */
  private readonly backupWaits: MigrationBackup[] = [];
  private readonly backupReadRules: k8s.PolicyRule[] = [];
  private migrationImage?: string;
  private readonly kindName: string;
  /** The service this one releases after, once `releaseAfter` was called, and how. */
  private releasedAfter?: ReleaseCheckpoint;
  private releaseAfterOptions?: ReleaseAfterOptions;

  /**
   * The props of a service whose pods an engine runs: the engine's image and tag policy.
   * @internal
   */
  protected static withEngine(props: Omit<ApiServiceProps, 'image' | 'allowLatestTag'>, engine: IServiceEngine): ApiServiceProps {
    return { ...props, image: engine.primaryImage, allowLatestTag: engine.allowLatestTag };
  }

  /** `workloadConfig`: per-workload ConfigMaps from the engine (see `IServiceEngine.workloadConfig`). */
  protected constructor(scope: Construct, id: string, props: ApiServiceProps, kindName: string, workloadConfig?: readonly WorkloadConfig[]) {
    super(scope, id);
    this.kindName = kindName;
    throwIfProblems(`${kindName} ${this.node.path}`, validateApiServiceProps(id, { ...props, image: props.image }));
    requireUniqueObjectNames(this);
    this.node.addValidation({ validate: () => this.duplicateEnvProblems(kindName) });
    this.props = props;

    const name = props.name ?? id;
    this.name = name;
    this.port = props.port ?? 8080;
    this.metricsPort = props.metricsPort ?? 9090;
    this.scaling = props.scaling ?? Scaling.fixed(2);
    this.exposure = props.exposure ?? Exposure.none();
    const migration = props.migration ?? Migration.none();
    const monitoring = props.monitoring ?? {};

    this.labelOptions = { name, instance: props.instance ?? name, component: 'api', partOf: props.partOf ?? defaultPartOf(this) };
    this.selector = selectorLabels(this.labelOptions);
    const config = props.config ?? {};
    // One ConfigMap for every workload, or one per workload (the shared config with its overrides), so a
    // change to one workload's configuration rolls that workload alone.
    const shared = Object.keys(config).length > 0 ? { name: `${name}-config`, data: config } : undefined;
    const perWorkload = workloadConfig?.length
      ? new Map(workloadConfig.map((w) => [w.suffix, { name: `${name}-${w.suffix}-config`, data: { ...config, ...w.overrides } }]))
      : undefined;
    for (const [suffix, ref] of perWorkload ?? []) if (Object.keys(ref.data).length === 0) perWorkload?.delete(suffix);
    this.configKeys = [...new Set([...Object.keys(config), ...(workloadConfig ?? []).flatMap((w) => Object.keys(w.overrides))])];
    this.objects = new ServiceObjects(this, {
      name,
      port: this.port,
      metricsPort: this.metricsPort,
      labelOptions: this.labelOptions,
      props,
      scaling: this.scaling,
      exposure: this.exposure,
      env: this.env,
      config: perWorkload ? undefined : shared,
      workloadConfigs: perWorkload,
      healthPaths: this.healthPaths,
      admitToHttp: (peer) => this.allowIngressFrom(peer, { port: this.port }),
    });
    this.healthPaths.push(props.healthCheck?.readinessPath ?? '/health');

    this.serviceAccount = kubeObject(
      this,
      'ServiceAccount',
      k8s.KubeServiceAccount.GVK,
      {
        metadata: this.objects.meta(name),
        automountServiceAccountToken: false,
      },
      k8s.toJson_KubeServiceAccountProps,
    );

    const configMapOf = (cid: string, ref: { name: string; data: Record<string, string> }): ApiObject =>
      kubeObject(
        this,
        cid,
        k8s.KubeConfigMap.GVK,
        { metadata: this.objects.meta(ref.name), data: sortedRecord(ref.data) },
        k8s.toJson_KubeConfigMapProps,
      );
    const configMaps: Record<string, ApiObject> = {};
    if (perWorkload) {
      for (const [suffix, ref] of perWorkload) configMaps[suffix] = configMapOf(`ConfigMap-${suffix}`, ref);
    } else if (shared) {
      this.configMap = configMapOf('ConfigMap', shared);
    }
    this.configMaps = configMaps;

    this.externalSecret = this.secretEnvironment(props);
    this.migrationEnv.push(...this.env);

    const trafficNamespace = this.exposure.trafficNamespace;
    if (trafficNamespace) {
      this.allowIngressFrom(NetworkPeer.namespace(trafficNamespace), { port: this.port });
    }
    if (monitoring.serviceMonitor ?? true) {
      this.allowIngressFrom(NetworkPeer.namespace(monitoring.namespace ?? 'monitoring'), { port: this.metricsPort });
    }
    this.egressRules.push(dnsEgressRule(this));
    if (props.networkPolicy ?? true) {
      this.networkPolicy = kubeObject(
        this,
        'NetworkPolicy',
        k8s.KubeNetworkPolicy.GVK,
        {
          metadata: this.objects.meta(name),
          spec: {
            // name + instance, not component: the migration Job's pods (and every colour) need the same rules.
            podSelector: { matchLabels: workloadPodSelector(this.labelOptions) },
            policyTypes: ['Ingress', 'Egress'],
            ingress: this.ingressRules,
            egress: this.egressRules,
          },
        },
        k8s.toJson_KubeNetworkPolicyProps,
      );
    }

    if (monitoring.serviceMonitor ?? true) {
      // A PodMonitor, not a ServiceMonitor: the pods are scraped once whatever Services select them
      // (a canary's stable and canary Services, a preview Service), and every series is labelled with the
      // service's name and the pod labels that tell releases apart, which analysis and alerts select by.
      const podMonitor: IPodMonitor = {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PodMonitor',
        metadata: this.objects.meta(name),
        spec: {
          selector: { matchLabels: { ...this.selector } },
          podTargetLabels: [...POD_TARGET_LABELS],
          podMetricsEndpoints: [
            {
              port: 'metrics',
              path: monitoring.path ?? '/metrics',
              interval: durationText(this.objects.scrapeInterval),
              scheme: 'http',
              relabelings: [{ action: 'replace', targetLabel: 'service', replacement: name }],
            },
          ],
        },
      };
      this.podMonitor = new ApiObject(this, 'PodMonitor', podMonitor);
    }

    const migrationRequest = {
      scope: this,
      name,
      metadata: this.objects.meta(`${name}-migrate`, { component: 'migration' }),
      pod: { ...this.objects.podInput(this.selector), env: this.migrationEnv },
      podLabels: standardLabels({ ...this.labelOptions, component: 'migration' }),
      backups: this.backupWaits,
      runAsUser: props.runAsUser ?? 10001,
    };
    this.migrationJob = migration._renderJob(migrationRequest);
    // The same pod as the migration's (variables, secrets, labels, so the same NetworkPolicy and database admission).
    this.migrationRollbackJob = migration._renderRollbackJob(migrationRequest);
    if (this.migrationJob) this.migrationImage = this.objects.podInput(this.selector).image;
  }

  /**
   * Admits traffic from `peer` (a NetworkPeer, or a construct such as another API service) to `ports` of the pods (the NetworkPolicy is default-deny
   * otherwise).
   */
  public allowIngressFrom(peer: INetworkPeer, ...ports: NetworkPort[]): void {
    this.ingressRules.push({ from: [peer.networkPeer.toPolicyPeer()], ports: policyPorts(ports) });
  }

  /** Lets the pods open connections to `peer` (a NetworkPeer, or a construct such as another API service) on `ports`. */
  public allowEgressTo(peer: INetworkPeer, ...ports: NetworkPort[]): void {
    this.egressRules.push({ to: [peer.networkPeer.toPolicyPeer()], ports: policyPorts(ports) });
  }

  /** Adds an environment variable whose value comes from a Secret key, to the API and its migration Job. */
  public addSecretEnv(name: string, secretName: string, key: string): void {
    const c = new ProblemCollector();
    c.check('name', checkEnvVarName(name));
    c.check('secretName', checkSecretName(secretName));
    c.check('key', checkSecretKey(key));
    throwIfProblems(`${this.kindName} ${this.node.path}: addSecretEnv`, c.problems);
    const entry = { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
    this.env.push(entry);
    this.migrationEnv.push(entry);
  }

  /**
   * Connects the API (and its migration Job) to a database or cache in one call: the variables the
   * target hands out (credentials only by Secret reference), egress to it, and its admission of these
   * pods. When the target is deployed with the service, the migration Job runs after it in the sync
   * order (a Sync hook between the database and the application waves; a PreSync hook would run
   * before the database exists).
   */
  public connectTo(target: IConnectable, options: ConnectOptions = {}): void {
    const migration = this.props.migration?.job;
    if (target.clientOffer) {
      const ask = { readUrlVariable: options.readUrlVariable, backupFirst: migration?.backupFirstRequested };
      const at = { readUrlVariable: FieldPath.props().child('readUrlVariable'), backupFirst: FieldPath.props().child('migration.backupFirst') };
      throwIfProblems(`${this.kindName} ${this.node.path}`, validateClientAsk(ask, target.clientOffer, target.node.path, at));
    }
    if (this.connected.has(target)) {
      throw new ConfigurationError([
        {
          where: `${this.kindName} ${this.node.path}`,
          field: 'connectTo',
          message: `${target.node.path} is connected twice: connect each database or cache once`,
        },
      ]);
    }
    this.connected.add(target);
    const binding = target.bindClient({ ...options, client: this, namespace: Chart.of(this).namespace });
    this.env.push(...binding.env);
    this.migrationEnv.push(...binding.migrationEnv);
    for (const rule of binding.egress) this.allowEgressTo(rule.peer, ...rule.ports);
    if (binding.backupBeforeMigration && migration?.backupFirst && this.migrationImage !== undefined) {
      this.waitForBackup(binding.backupBeforeMigration, this.migrationImage);
    }
    if (binding.healthCheckPath !== undefined && !this.healthPaths.includes(binding.healthCheckPath)) this.healthPaths.push(binding.healthCheckPath);
    if (binding.migrationsWaitForIt && this.migrationJob) {
      this.migrationJob.metadata.addAnnotation(HOOK_ANNOTATION, 'Sync');
      this.migrationJob.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(SyncWave.MIGRATION));
      for (const workload of this.objects.applicationWorkloads) {
        workload.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(SyncWave.APPLICATION));
      }
    }
  }

  /**
   * Releases this service only after `upstream` has been healthy for `options.stabilization` (a frontend
   * after its API): this service's workloads, routes and smoke check move to the staged Argo CD waves and
   * Flux stages (`80-staged-application`, `90-staged-smoke-test`), behind a wait Job (`<name>-release-wait`,
   * stage `70-release-wait`, an Argo CD Sync hook) that polls `upstream`'s readiness path through its
   * Service every 5 s for the period and fails on the first answer that is not 2xx, which stops the sync
   * (Argo CD) or the next stages (Flux). The Job carries a revision of `upstream`'s workloads and Services,
   * so each release of `upstream` runs the wait again. The waves are given by `applySyncWaves` (GitOpsApp
   * and `cdk8s-trading synth` call it). One level: a service that others release after cannot itself
   * release after another.
   */
  public releaseAfter(upstream: IApiService, options: ReleaseAfterOptions = {}): void {
    const where = `${this.kindName} ${this.node.path}`;
    const checkpoint = upstream.releaseCheckpoint();
    const c = new ProblemCollector();
    if (this.releasedAfter !== undefined) {
      c.check(
        'releaseAfter',
        `is called twice (after ${this.releasedAfter.name}, then ${checkpoint.name}): a service releases after one other service`,
      );
    } else if (upstream === this) c.check('releaseAfter', 'names this service itself: name the service to release after');
    else if (Chart.of(upstream) !== Chart.of(this)) {
      c.check('releaseAfter', `${upstream.node.path} is in another chart: a release is ordered within one environment's chart`);
    }
    c.add(validateReleaseAfterOptions(options, this.props.allowLatestTag ?? false, FieldPath.props().child('releaseAfter')));
    throwIfProblems(where, c.problems);
    this.releasedAfter = checkpoint;
    this.releaseAfterOptions = options;
    markStagedRelease(this);
    // Judged on the finished tree: `upstream` may be staged after this call.
    this.node.addValidation({
      validate: () =>
        checkpoint.releasesAfter === undefined && upstream.releaseCheckpoint().releasesAfter === undefined
          ? []
          : [
              `${where}: releaseAfter: ${checkpoint.name} itself releases after ${upstream.releaseCheckpoint().releasesAfter}: ` +
                'release both after the same service, or merge the stages',
            ],
    });
    if (!runsReleaseWait(options)) return;
    const seconds = stabilizationSeconds(options);
    const name = `${this.name}-release-wait`;
    const labels = standardLabels({ ...this.labelOptions, name, component: 'release-wait' });
    const selector = selectorLabels({ ...this.labelOptions, name, component: 'release-wait' });
    const peer = NetworkPeer.pods(selector);
    checkpoint.admit(peer);
    if (this.props.networkPolicy ?? true) {
      kubeObject(
        this,
        'ReleaseWaitNetworkPolicy',
        k8s.KubeNetworkPolicy.GVK,
        {
          metadata: this.objects.meta(name, { name, component: 'release-wait' }),
          spec: {
            podSelector: { matchLabels: selector },
            policyTypes: ['Ingress', 'Egress'],
            ingress: [],
            egress: [dnsEgressRule(this), { to: [upstream.networkPeer.toPolicyPeer()], ports: policyPorts([{ port: checkpoint.port }]) }],
          },
        },
        k8s.toJson_KubeNetworkPolicyProps,
      );
    }
    const namespace = Chart.of(this).namespace;
    const host = namespace === undefined ? checkpoint.name : `${checkpoint.name}.${namespace}.svc`;
    new ApiObject(this, 'ReleaseWait', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        ...this.objects.meta(name, { name, component: 'release-wait' }),
        annotations: {
          [HOOK_ANNOTATION]: 'Sync',
          [HOOK_DELETE_POLICY_ANNOTATION]: 'BeforeHookCreation',
          ...syncWaveAnnotation(SyncWave.RELEASE_WAIT),
        },
      },
      spec: Lazy.any({
        produce: () =>
          k8s.toJson_JobSpec(
            releaseWaitJobSpec({
              url: `http://${host}:${checkpoint.port}${checkpoint.readinessPath}`,
              seconds,
              image: options.image ?? DEFAULT_RELEASE_WAIT_IMAGE,
              labels,
              annotations: { [RELEASE_WAIT_REVISION_ANNOTATION]: checkpoint.revision() },
              placement: placementOf(this, this.props.placement),
            }),
          ),
      }),
    });
  }

  /** What a service that releases after this one waits on: its Service, readiness path and revision. */
  public releaseCheckpoint(): ReleaseCheckpoint {
    return {
      name: this.name,
      port: this.port,
      readinessPath: this.props.healthCheck?.readinessPath ?? '/health',
      releasesAfter: this.releasedAfter?.name,
      revision: () => {
        // What answers traffic: the workloads' pods and the Services that select them (a colour switch too).
        const served = this.node
          .findAll()
          .filter((c): c is ApiObject => c instanceof ApiObject && REVISION_KINDS.has(c.kind))
          .map((o) => ({ kind: o.kind, name: o.name, spec: (o.toJson() as { spec?: unknown }).spec }));
        return createHash('sha256').update(JSON.stringify(served)).digest('hex').slice(0, 16);
      },
      admit: (peer) => this.allowIngressFrom(peer, { port: this.port }),
    };
  }

  /**
   * The pods the service runs at its peak, for the namespace's quota (a TradingNamespace in the same chart checks
   * them): its workloads at full scale as its engine counts them, the migration Job with its backup-wait init
   * containers, and the smoke check's Job.
   */
  public podDemands(): readonly PodDemand[] {
    return serviceDemands({
      name: this.name,
      podsAtFullScale: this.releasePods.podsAtFullScale(this.scaling.maxReplicas),
      resources: this.props.resources ?? DEFAULT_RESOURCES,
      migration: this.props.migration ?? Migration.none(),
      backupWaits: this.backupWaits.length,
      smokeTest: this.releasePods.runsSmokeTest,
      releaseWait: runsReleaseWait(this.releaseAfterOptions),
    });
  }

  /**
   * The PodMonitor (its old name: the service is scraped by a PodMonitor since a canary's two Services
   * made a ServiceMonitor scrape every pod twice).
   * @deprecated use `podMonitor`
   */
  public get serviceMonitor(): ApiObject | undefined {
    return this.podMonitor;
  }

  /** This service's pods (API and migration), as a peer for other workloads' policies. */
  public get networkPeer(): NetworkPeer {
    return NetworkPeer.pods(workloadPodSelector(this.labelOptions), Chart.of(this).namespace);
  }

  /**
   * Has the target take a backup for this release's migration and holds the Job until it completed:
   * the backup object (in the migration stage), a ServiceAccount and Role that may read only it, and
   * egress from the migration pods to the Kubernetes API.
   */
  private waitForBackup(takeBackup: NonNullable<ConnectionBinding['backupBeforeMigration']>, image: string): void {
    const index = this.backupWaits.length;
    const backupName = migrationBackupName(this.name, image, index);
    const component = { component: 'migration' };
    const backup = takeBackup(this, index === 0 ? 'MigrationBackup' : `MigrationBackup${index + 1}`, {
      ...this.objects.meta(backupName, component),
      annotations: syncWaveAnnotation(SyncWave.MIGRATION),
    });
    this.backupWaits.push(backup);
    const accountName = `${this.name}-migrate`;
    const configWave = { ...this.objects.meta(accountName, component), annotations: syncWaveAnnotation(SyncWave.CONFIG) };
    if (index === 0) {
      kubeObject(
        this,
        'MigrationServiceAccount',
        k8s.KubeServiceAccount.GVK,
        { metadata: configWave, automountServiceAccountToken: false },
        k8s.toJson_KubeServiceAccountProps,
      );
      kubeObject(this, 'MigrationRole', k8s.KubeRole.GVK, { metadata: configWave, rules: this.backupReadRules }, k8s.toJson_KubeRoleProps);
      kubeObject(
        this,
        'MigrationRoleBinding',
        k8s.KubeRoleBinding.GVK,
        {
          metadata: configWave,
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: accountName },
          subjects: [{ kind: 'ServiceAccount', name: accountName }],
        },
        k8s.toJson_KubeRoleBindingProps,
      );
      if (this.props.networkPolicy ?? true) {
        kubeObject(
          this,
          'MigrationNetworkPolicy',
          k8s.KubeNetworkPolicy.GVK,
          {
            metadata: this.objects.meta(accountName, component),
            spec: {
              podSelector: { matchLabels: { ...workloadPodSelector(this.labelOptions), 'app.kubernetes.io/component': 'migration' } },
              policyTypes: ['Egress'],
              egress: [{ to: [backup.apiServer.toPolicyPeer()], ports: policyPorts([{ port: 443 }, { port: 6443 }]) }],
            },
          },
          k8s.toJson_KubeNetworkPolicyProps,
        );
      }
    }
    const rule = this.backupReadRules.find((r) => r.apiGroups?.[0] === backup.group && r.resources?.[0] === backup.resource);
    if (rule) (rule.resourceNames as string[]).push(backup.name);
    else this.backupReadRules.push({ apiGroups: [backup.group], resources: [backup.resource], resourceNames: [backup.name], verbs: ['get'] });
  }

  private secretEnvironment(props: ApiServiceProps): ApiObject | undefined {
    const externalSecretName = `${this.name}-secrets`;
    const externalRefs: Array<[string, SecretRef]> = [];
    for (const [envName, ref] of Object.entries(props.secretEnv ?? {}).sort(([a], [b]) => compareStrings(a, b))) {
      if (ref.isExternal) externalRefs.push([envName, ref]);
      this.env.push({
        name: envName,
        valueFrom: {
          secretKeyRef: ref.isExternal ? { name: externalSecretName, key: envName } : { name: ref.secretName as string, key: ref.key as string },
        },
      });
    }
    if (externalRefs.length === 0 || !props.secretStore) return undefined;
    return externalSecretObject(
      this,
      'ExternalSecret',
      this.objects.meta(externalSecretName),
      props.secretStore,
      externalRefs.map(([envName, ref]) => ({ secretKey: envName, remoteKey: ref.remoteKey as string, property: ref.property })),
    );
  }

  private duplicateEnvProblems(kindName: string): string[] {
    const seen = new Set<string>(this.configKeys);
    const problems: string[] = [];
    for (const e of this.env) {
      if (seen.has(e.name)) {
        problems.push(
          `${kindName} ${this.node.path}: env: ${JSON.stringify(e.name)} is set twice (config, secretEnv, addSecretEnv or connectTo): each variable must have one source`,
        );
      }
      seen.add(e.name);
    }
    return problems;
  }
}
