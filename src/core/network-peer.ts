import { FieldPath } from './field-path';
import { k8s } from 'cdk8s-plus-28';
import { NAMESPACE_NAME_LABEL } from './labels';
import { IConstruct } from 'constructs';
import { checkCidr, checkDnsLabel, checkLabelKey, checkLabelValue } from './value-rules';
import { contextValue, Problem, ProblemCollector, throwIfProblems } from './problems';

/**
 * Anything that can be the other end of a NetworkPolicy rule: a `NetworkPeer`, or a construct whose pods
 * it stands for (an API service, a database), so `api.allowEgressTo(otherApi, { port: 8080 })` and
 * `db.allowFrom(api)` read like the intent.
 */
export interface INetworkPeer {
  /** The peer: the construct's pods, a namespace or an address block. */
  readonly networkPeer: NetworkPeer;
}

/**
 * The other end of a NetworkPolicy rule: pods, a namespace, or an address block. Constructs that
 * wire themselves together (`connectTo`) hand each other peers, so no policy copies a label by hand.
 */
export class NetworkPeer implements INetworkPeer {
  /** Every pod in the named namespace (selected by its `kubernetes.io/metadata.name` label). */
  public static namespace(name: string): NetworkPeer {
    throwIfProblems('NetworkPeer.namespace', checkDnsLabel(name) ? [{ field: 'name', message: checkDnsLabel(name) as string }] : []);
    return new NetworkPeer({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: name } } });
  }

  /** Pods with `labels`; in the named namespace, or in the policy's own namespace when none is given. */
  public static pods(labels: Record<string, string>, namespace?: string): NetworkPeer {
    return new NetworkPeer({
      podSelector: { matchLabels: { ...labels } },
      ...(namespace === undefined ? {} : { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } } }),
    });
  }

  /** An IP block, optionally with exceptions (for databases or APIs outside the cluster). */
  public static cidr(cidr: string, except?: string[]): NetworkPeer {
    const c = new ProblemCollector();
    c.check('cidr', checkCidr(cidr));
    (except ?? []).forEach((e, i) => c.check(`except[${i}]`, checkCidr(e)));
    throwIfProblems('NetworkPeer.cidr', c.problems);
    return new NetworkPeer({ ipBlock: { cidr, ...(except ? { except } : {}) } });
  }

  private constructor(private readonly peer: k8s.NetworkPolicyPeer) {}

  /** Itself: a NetworkPeer is the peer it stands for. */
  public get networkPeer(): NetworkPeer {
    return this;
  }

  /** The `networking.k8s.io/v1` NetworkPolicyPeer. */
  public toPolicyPeer(): k8s.NetworkPolicyPeer {
    return this.peer;
  }
}

/** A port of a NetworkPolicy rule. */
export interface NetworkPort {
  /** Port number. */
  readonly port: number;
  /** Protocol. @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** Builds an allow rule's port list. */
export function policyPorts(ports: readonly NetworkPort[]): k8s.NetworkPolicyPort[] {
  return ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' }));
}

/**
 * Where the pods' DNS queries go, which every pod's default-deny egress must allow: the cluster DNS pods
 * (CoreDNS labelled `k8s-app: kube-dns` in kube-system on most clusters; OpenShift's in openshift-dns), or an
 * address block (NodeLocal DNSCache's link-local `169.254.20.10/32`, a cloud provider's DNS).
 */
export interface ClusterDns {
  /** Namespace of the DNS pods. @default 'kube-system' */
  readonly namespace?: string;
  /** Labels of the DNS pods. @default { 'k8s-app': 'kube-dns' } */
  readonly podLabels?: Record<string, string>;
  /** An address block instead of pods; then `namespace` and `podLabels` do not apply. @default - the DNS pods */
  readonly cidr?: string;
}

/** The construct-context key that sets the cluster DNS for every construct below it (the DNS egress of every pod). */
export const DNS_CONTEXT = 'cdk8s-trading:dns';

/** Every problem of a ClusterDns. */
export function validateClusterDns(d: ClusterDns, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  if (d.cidr !== undefined) {
    c.check(path.child('cidr'), checkCidr(d.cidr));
    if (d.namespace !== undefined || d.podLabels !== undefined)
      c.check(path.child('cidr'), 'names an address block: namespace and podLabels do not apply with it');
  }
  if (d.namespace !== undefined) c.check(path.child('namespace'), checkDnsLabel(d.namespace));
  if (d.podLabels !== undefined && Object.keys(d.podLabels).length === 0)
    c.check(path.child('podLabels'), "is empty: it would select every pod of the namespace; name the DNS pods' labels");
  for (const [key, value] of Object.entries(d.podLabels ?? {})) c.check(path.child(`podLabels.${key}`), checkLabelKey(key) ?? checkLabelValue(value));
  return [...c.problems];
}

/** The keys of ClusterDns, for a context written by hand. */
const CLUSTER_DNS_KEYS = Object.keys({ namespace: true, podLabels: true, cidr: true } satisfies Record<keyof ClusterDns, true>);

/** The cluster DNS below `scope`: the `cdk8s-trading:dns` context, else kube-dns in kube-system. */
export function clusterDnsOf(scope: IConstruct): ClusterDns {
  return contextValue<ClusterDns>(DNS_CONTEXT, scope.node.tryGetContext(DNS_CONTEXT), (d) => validateClusterDns(d), true, CLUSTER_DNS_KEYS) ?? {};
}

/** Egress to the cluster DNS (kube-dns / CoreDNS in kube-system unless the `cdk8s-trading:dns` context says otherwise) on 53/UDP and 53/TCP. */
export function dnsEgressRule(scope: IConstruct): k8s.NetworkPolicyEgressRule {
  const dns = clusterDnsOf(scope);
  return {
    to: [
      dns.cidr !== undefined
        ? { ipBlock: { cidr: dns.cidr } }
        : {
            namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: dns.namespace ?? 'kube-system' } },
            podSelector: { matchLabels: { ...(dns.podLabels ?? { 'k8s-app': 'kube-dns' }) } },
          },
    ],
    ports: policyPorts([
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ]),
  };
}
