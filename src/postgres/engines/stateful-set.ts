import type { ResourceRequirements } from '../../core/resources';
import { container, PodDemand } from '../../core/pod-demand';
import { k8s } from 'cdk8s-plus-28';
import { FieldPath } from '../../core/field-path';
import type { ClientOffer } from '../../core/connection';
import { DatabaseConnection } from '../../core/database';
import { kubeObject } from '../../core/kube-object';
import { placementPodSpec } from '../../core/placement';
import { selectorLabels } from '../../core/labels';
import { dnsEgressRule, NetworkPeer, policyPorts } from '../../core/network-peer';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../../core/pod-security';
import { k8sResources } from '../../core/resources';
import { monitoringObjects } from '../../monitoring/objects';
import { postgresAlertGroups, statefulSetAlertSpecs } from '../../monitoring/postgres-alerts';
import { postgresDashboard, statefulSetDashboardPanels } from '../../monitoring/postgres-dashboard';
import type { PostgresSignalTarget } from '../../monitoring/postgres-signals';
import { Problem, ProblemCollector, show, throwIfProblems } from '../../core/problems';
import {
  PostgresEngineImpl,
  PostgresBuild,
  PostgresEngineKind,
  PostgresParts,
  StatefulSetEngineOptions,
  validateStatefulSetOptions,
} from '../engine-options';

/**
 * PostgreSQL without an operator, for dev clusters: a single-instance StatefulSet with the official
 * image under the restricted profile, a real volume, `pg_isready` probes, headless and client
 * Services, a PDB and a NetworkPolicy.
 */
export class StatefulSetEngine implements PostgresEngineImpl {
  /** A checked engine. */
  public static of(options: StatefulSetEngineOptions): StatefulSetEngine {
    throwIfProblems('PostgresEngine.statefulSet', validateStatefulSetOptions(options));
    return new StatefulSetEngine(options);
  }

  public readonly kind: PostgresEngineKind = 'statefulset';
  public readonly defaultInstances = 1;
  /** One instance without replicas, and no backups. */
  public readonly clientOffer: ClientOffer = { readReplicas: false, noBackupBeforeMigration: 'runs as a StatefulSet, which takes no backups' };

  /** One pod with the postgres container. */
  public podDemands(name: string, instances: number, resources: ResourceRequirements): PodDemand[] {
    return [{ who: name, pods: instances, containers: [container(resources)] }];
  }

  private constructor(private readonly options: StatefulSetEngineOptions) {}

  /** One instance, no replication, no postgresql.conf parameters. */
  public propsProblems(
    _name: string,
    props: { readonly instances?: number; readonly parameters?: Record<string, string> },
    path = FieldPath.props(),
  ): Problem[] {
    const c = new ProblemCollector();
    if (props.instances !== undefined && props.instances !== 1) {
      c.check(
        path.child('instances'),
        `${show(props.instances)} is not possible with the StatefulSet engine, which runs one instance without replication; use PostgresEngine.cloudNativePg() for more`,
      );
    }
    if (props.parameters !== undefined) c.check(path.child('parameters'), 'applies only to the CloudNativePG engine');
    return [...c.problems];
  }

  /** @internal */
  public _bind(b: PostgresBuild): PostgresParts {
    const o = this.options;
    const instanceIngress: k8s.NetworkPolicyIngressRule[] = [];
    const uid = o.runAsUser ?? 999;
    const selector = selectorLabels(b.labelOptions);
    const peer = NetworkPeer.pods(selector, b.namespace);
    const usernameKey = o.usernameKey ?? 'username';
    const passwordKey = o.passwordKey ?? 'password';
    const headless = `${b.name}-headless`;
    const pgIsReady = ['pg_isready', '--host', '127.0.0.1', '--port', '5432'];
    const resource = kubeObject(
      b.scope,
      'Resource',
      k8s.KubeStatefulSet.GVK,
      {
        metadata: b.meta(b.name),
        spec: {
          serviceName: headless,
          replicas: 1,
          selector: { matchLabels: selector },
          podManagementPolicy: 'OrderedReady',
          updateStrategy: { type: 'RollingUpdate' },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          template: {
            metadata: { labels: b.labels },
            spec: {
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: restrictedPodSecurityContext(uid),
              ...placementPodSpec(b.placement),
              terminationGracePeriodSeconds: 60,
              containers: [
                {
                  name: 'postgres',
                  image: b.props.image ?? 'docker.io/library/postgres:17.5',
                  imagePullPolicy: 'IfNotPresent',
                  ports: [{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }],
                  env: [
                    { name: 'POSTGRES_USER', valueFrom: { secretKeyRef: { name: o.credentialsSecret, key: usernameKey } } },
                    { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: o.credentialsSecret, key: passwordKey } } },
                    { name: 'POSTGRES_DB', value: b.database },
                    // A subdirectory: the volume's root holds lost+found, which initdb refuses.
                    { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                  ],
                  readinessProbe: { exec: { command: pgIsReady }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
                  livenessProbe: { exec: { command: pgIsReady }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
                  startupProbe: { exec: { command: pgIsReady }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 60 },
                  resources: k8sResources(b.resources),
                  securityContext: restrictedContainerSecurityContext(uid),
                  volumeMounts: [
                    { name: 'data', mountPath: '/var/lib/postgresql/data' },
                    { name: 'run', mountPath: '/var/run/postgresql' },
                    { name: 'tmp', mountPath: '/tmp' },
                  ],
                },
              ],
              volumes: [
                { name: 'run', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
                { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data', labels: b.labels },
              spec: {
                accessModes: ['ReadWriteOnce'],
                ...(b.props.storage?.storageClass ? { storageClassName: b.props.storage.storageClass } : {}),
                resources: { requests: { storage: k8s.Quantity.fromString(b.storageSize) } },
              },
            },
          ],
        },
      },
      k8s.toJson_KubeStatefulSetProps,
    );
    const servicePorts: k8s.ServicePort[] = [{ name: 'postgres', port: 5432, targetPort: k8s.IntOrString.fromString('postgres'), protocol: 'TCP' }];
    kubeObject(
      b.scope,
      'HeadlessService',
      k8s.KubeService.GVK,
      {
        metadata: b.meta(headless),
        spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector, ports: servicePorts },
      },
      k8s.toJson_KubeServiceProps,
    );
    kubeObject(
      b.scope,
      'Service',
      k8s.KubeService.GVK,
      { metadata: b.meta(b.name), spec: { type: 'ClusterIP', selector, ports: servicePorts } },
      k8s.toJson_KubeServiceProps,
    );
    kubeObject(
      b.scope,
      'DisruptionBudget',
      k8s.KubePodDisruptionBudget.GVK,
      {
        metadata: b.meta(b.name),
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
      },
      k8s.toJson_KubePodDisruptionBudgetProps,
    );
    const networkPolicy = kubeObject(
      b.scope,
      'NetworkPolicy',
      k8s.KubeNetworkPolicy.GVK,
      {
        metadata: b.meta(b.name),
        spec: {
          podSelector: { matchLabels: selector },
          policyTypes: ['Ingress', 'Egress'],
          ingress: instanceIngress,
          egress: [dnsEgressRule(b.scope)],
        },
      },
      k8s.toJson_KubeNetworkPolicyProps,
    );
    const signals: PostgresSignalTarget = {
      namespace: b.namespace,
      cluster: b.name,
      podPattern: `${b.name}-0`,
      pvcPattern: `data-${b.name}-0`,
      container: 'postgres',
      poolerPodPattern: undefined,
    };
    const { alertRules, dashboard } = monitoringObjects(b.scope, {
      name: b.name,
      meta: (n) => b.meta(n),
      settings: b.observability,
      alerts: b.alerts,
      dashboard: b.dashboard,
      groups: () => postgresAlertGroups(signals, statefulSetAlertSpecs(signals), b.observability),
      dashboardModel: () => postgresDashboard(signals, 'StatefulSet', statefulSetDashboardPanels(signals), b.observability.environment),
    });
    const directConnection: DatabaseConnection = {
      host: b.name,
      port: 5432,
      database: b.database,
      secretName: o.credentialsSecret,
      usernameKey,
      passwordKey,
      sslMode: 'disable',
      clientPeer: peer,
      namespace: b.namespace,
    };
    return {
      resource,
      networkPolicy,
      alertRules,
      dashboard,
      connection: directConnection,
      directConnection,
      peer,
      admit: (client) => {
        instanceIngress.push({ from: [client.toPolicyPeer()], ports: policyPorts([{ port: 5432 }]) });
      },
    };
  }
}
