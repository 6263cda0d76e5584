import { k8s } from 'cdk8s-plus-28';
import { NAMESPACE_NAME_LABEL } from './labels';
import { checkCidr, checkDnsLabel } from './rules';
import { ProblemCollector, throwIfProblems } from './validation';

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
      ...(namespace === undefined
        ? {}
        : { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } } }),
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

/** Egress to cluster DNS (kube-dns / CoreDNS in kube-system) on 53/UDP and 53/TCP. */
export function dnsEgressRule(): k8s.NetworkPolicyEgressRule {
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ],
    ports: policyPorts([
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ]),
  };
}
