import { FieldPath } from '../core/field-path';
import { Chart, JsonPatch, ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { defaultPartOf, standardLabels } from '../core/labels';
import { checkDnsLabel, checkInteger, checkNotBelow, checkOwnNamespace } from '../core/value-rules';
import { checkQuantity } from '../core/quantity';
import { formatProblems, Problem, ProblemCollector, throwIfProblems } from '../core/problems';
import { isPodDemandSource, quotaProblems } from '../core/pod-demand';
import { requireUniqueObjectNames } from '../core/unique-names';
import { k8sQuantities, ResourceQuantities } from '../core/resources';
import { kubeObject } from '../core/kube-object';
import { protectFromPrune, pruneProtectionOf } from '../core/prune-protection';

/** Hard caps for the whole namespace (a ResourceQuota). */
export interface NamespaceQuota {
  /** Sum of CPU requests. */
  readonly requestsCpu: string;
  /** Sum of memory requests. */
  readonly requestsMemory: string;
  /** Sum of CPU limits. */
  readonly limitsCpu: string;
  /** Sum of memory limits. */
  readonly limitsMemory: string;
  /** Number of pods. */
  readonly pods: number;
}

/** Per-container defaults and caps (a LimitRange), for containers that set none. */
export interface ContainerLimits {
  /** Requests given to a container that sets none. */
  readonly defaultRequest: ResourceQuantities;
  /** Limits given to a container that sets none. */
  readonly defaultLimit: ResourceQuantities;
  /** Largest limits a container may set. */
  readonly max: ResourceQuantities;
}

/** Props of a TradingNamespace. */
export interface TradingNamespaceProps {
  /** Namespace name (an RFC 1123 label). */
  readonly name: string;
  /** `app.kubernetes.io/part-of` of every object. @default - the `cdk8s-trading:partOf` context, else the chart's namespace, else the chart's id */
  readonly partOf?: string;
  /** ResourceQuota. @default - no quota */
  readonly quota?: NamespaceQuota;
  /**
   * Who set each bound of `quota` the user did not write (`the prod tier`), named in the message of a quota the
   * chart's workloads exceed instead of quoting the bound as the user's.
   * @default - every bound is the user's
   */
  readonly quotaSetBy?: { readonly [field in keyof NamespaceQuota]?: string };
  /** LimitRange. @default - no LimitRange */
  readonly containerLimits?: ContainerLimits;
  /** Emit a NetworkPolicy that denies all ingress and egress not allowed by another policy. @default true */
  readonly defaultDeny?: boolean;
  /** Pod Security Standards version the namespace enforces. @default 'v1.28' */
  readonly podSecurityVersion?: string;
  /**
   * Keep the Namespace (and so everything in it) when it leaves Git or its Argo CD Application or Flux
   * Kustomization is deleted: GitOps never deletes it; removing it is a deliberate `kubectl delete`.
   * @default - the `cdk8s-trading:pruneProtection` context, else true
   */
  readonly pruneProtection?: boolean;
}

/**
 * A namespace for one environment: the Namespace enforcing the Pod Security Standards "restricted"
 * profile, a ResourceQuota, a LimitRange and a default-deny NetworkPolicy that every workload's own
 * policy opens up. With a quota, synthesis fails when the services, databases and caches of its chart need more at
 * their peak than it admits (every colour, canary, surge and Job pod, init containers and sidecars counted).
 */
export class TradingNamespace extends Construct {
  /** Namespace name. */
  public readonly name: string;
  /** The Namespace (the `'Resource'` child). */
  public readonly namespace: ApiObject;
  /** The ResourceQuota, when `quota` is given. */
  public readonly resourceQuota?: ApiObject;
  /** The LimitRange, when `containerLimits` is given. */
  public readonly limitRange?: ApiObject;
  /** The default-deny NetworkPolicy, unless disabled. */
  public readonly defaultDenyPolicy?: ApiObject;

  constructor(scope: Construct, id: string, props: TradingNamespaceProps) {
    super(scope, id);
    throwIfProblems(`TradingNamespace ${this.node.path}`, validateTradingNamespaceProps(props));
    requireUniqueObjectNames(this);
    const quota = props.quota;
    if (quota) {
      // Judged on the finished chart: every construct in it that runs pods says what it runs at its peak, by the same
      // rule the environment files are judged with.
      this.node.addValidation({
        validate: () => {
          const sources = Chart.of(this).node.findAll().filter(isPodDemandSource);
          const demands = sources.flatMap((source) => [...source.podDemands()]);
          return formatProblems(
            `TradingNamespace ${this.node.path}`,
            quotaProblems(quota, demands, props.containerLimits, FieldPath.props(), (f) => props.quotaSetBy?.[f]),
          );
        },
      });
    }
    this.name = props.name;
    const labels = standardLabels({ name: props.name, instance: props.name, component: 'namespace', partOf: props.partOf ?? defaultPartOf(this) });
    const version = props.podSecurityVersion ?? 'v1.28';

    this.namespace = kubeObject(
      this,
      'Resource',
      k8s.KubeNamespace.GVK,
      {
        metadata: {
          name: props.name,
          labels: {
            ...labels,
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/enforce-version': version,
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/audit-version': version,
            'pod-security.kubernetes.io/warn': 'restricted',
            'pod-security.kubernetes.io/warn-version': version,
          },
        },
      },
      k8s.toJson_KubeNamespaceProps,
    );
    if (pruneProtectionOf(this, props.pruneProtection)) protectFromPrune(this.namespace);
    if (this.namespace.metadata.namespace !== undefined) {
      // Namespaces are cluster-scoped; the chart's default namespace must not leak onto it.
      this.namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }

    const meta = (name: string): k8s.ObjectMeta => ({ name, namespace: props.name, labels });
    const q = props.quota;
    if (q) {
      this.resourceQuota = kubeObject(
        this,
        'Quota',
        k8s.KubeResourceQuota.GVK,
        {
          metadata: meta('compute'),
          spec: {
            hard: {
              'requests.cpu': k8s.Quantity.fromString(q.requestsCpu),
              'requests.memory': k8s.Quantity.fromString(q.requestsMemory),
              'limits.cpu': k8s.Quantity.fromString(q.limitsCpu),
              'limits.memory': k8s.Quantity.fromString(q.limitsMemory),
              pods: k8s.Quantity.fromString(String(q.pods)),
            },
          },
        },
        k8s.toJson_KubeResourceQuotaProps,
      );
    }
    const l = props.containerLimits;
    if (l) {
      this.limitRange = kubeObject(
        this,
        'Limits',
        k8s.KubeLimitRange.GVK,
        {
          metadata: meta('container-defaults'),
          spec: {
            limits: [
              {
                type: 'Container',
                defaultRequest: k8sQuantities(l.defaultRequest),
                default: k8sQuantities(l.defaultLimit),
                max: k8sQuantities(l.max),
              },
            ],
          },
        },
        k8s.toJson_KubeLimitRangeProps,
      );
    }
    if (props.defaultDeny ?? true) {
      this.defaultDenyPolicy = kubeObject(
        this,
        'DefaultDeny',
        k8s.KubeNetworkPolicy.GVK,
        {
          metadata: meta('default-deny-all'),
          spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
        },
        k8s.toJson_KubeNetworkPolicyProps,
      );
    }
  }
}

/** Every problem with TradingNamespace props. */
export function validateTradingNamespaceProps(
  props: TradingNamespaceProps,
  path: FieldPath = FieldPath.props(),
  namePath: FieldPath = path.name(),
): Problem[] {
  const c = new ProblemCollector();
  c.check(namePath, checkOwnNamespace(props.name));
  if (props.partOf !== undefined) c.check(path.child('partOf'), checkDnsLabel(props.partOf));
  const q = props.quota;
  if (q) {
    c.check(path.child('quota.requestsCpu'), checkQuantity(q.requestsCpu, 'cpu'));
    c.check(path.child('quota.requestsMemory'), checkQuantity(q.requestsMemory, 'memory'));
    c.check(path.child('quota.limitsCpu'), checkQuantity(q.limitsCpu, 'cpu'));
    c.check(path.child('quota.limitsMemory'), checkQuantity(q.limitsMemory, 'memory'));
    c.check(path.child('quota.limitsCpu'), checkNotBelow(q.limitsCpu, q.requestsCpu, 'requestsCpu'));
    c.check(path.child('quota.limitsMemory'), checkNotBelow(q.limitsMemory, q.requestsMemory, 'requestsMemory'));
    c.check(path.child('quota.pods'), checkInteger(q.pods, 1, 100000));
  }
  const l = props.containerLimits;
  if (l) {
    for (const resource of ['cpu', 'memory'] as const) {
      c.check(path.child(`containerLimits.defaultRequest.${resource}`), checkQuantity(l.defaultRequest[resource], resource));
      c.check(path.child(`containerLimits.defaultLimit.${resource}`), checkQuantity(l.defaultLimit[resource], resource));
      c.check(path.child(`containerLimits.max.${resource}`), checkQuantity(l.max[resource], resource));
      c.check(
        path.child(`containerLimits.defaultLimit.${resource}`),
        checkNotBelow(l.defaultLimit[resource], l.defaultRequest[resource], 'the default request'),
      );
      c.check(path.child(`containerLimits.max.${resource}`), checkNotBelow(l.max[resource], l.defaultLimit[resource], 'the default limit'));
    }
  }
  return [...c.problems];
}
