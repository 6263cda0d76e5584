/**
 * Where the Barman Cloud sidecar (in each CloudNativePG instance, and in the operator's bootstrap Jobs) reaches its
 * object store: an egress rule of its own, derived from the store's endpoint, never the API server's.
 */
import { k8s } from 'cdk8s-plus-28';
import { FieldPath } from '../core/field-path';
import { NetworkPeer, policyPorts } from '../core/network-peer';
import { Problem, ProblemCollector, show } from '../core/problems';
import { checkCidr, checkDnsLabel, checkLabelKey, checkLabelValue, checkPort, checkUrlCredentials } from '../core/value-rules';

/**
 * The object store's end of the backup egress rule. Unset fields are derived from the store's address
 * (`endpointUrl`, else an `http(s)://` destinationPath): a Service in the cluster
 * (`http://minio.minio.svc:9000`, `<svc>.<ns>.svc[.cluster.local]`, or a bare `<svc>` of the cluster's own
 * namespace) gives its namespace and port; an IP address gives that address; anything else, and `s3://` or
 * `gs://` without an endpoint, gives every address (`0.0.0.0/0`) on the URL's port, 443 by default.
 */
export interface BackupEgress {
  /** Namespace of the object store's pods. @default - the endpoint's Service namespace; with `podLabels` and an external endpoint, the cluster's own */
  readonly namespace?: string;
  /** Labels of the object store's pods, in that namespace. @default - every pod of the namespace */
  readonly podLabels?: Record<string, string>;
  /** An address block instead of pods (a store outside the cluster); then `namespace` and `podLabels` do not apply. @default - derived from the endpoint */
  readonly cidr?: string;
  /**
   * Ports of the object store. NetworkPolicies match the pods' port, after a Service has translated its `port` to its
   * `targetPort`: name the `targetPort` when the two differ.
   * @default - the endpoint's port, else 443 for https (and s3://, gs://), 80 for http
   */
  readonly ports?: readonly number[];
}

/** The object store address a backup configuration names. */
export interface ObjectStoreAddress {
  /** `s3://bucket/prefix`, `gs://…`, or an `http(s)://` URL (Azure Blob Storage, Azurite). */
  readonly destinationPath: string;
  /** Endpoint of an S3-compatible store. */
  readonly endpointUrl?: string;
  /** The egress rule's overrides. */
  readonly egress?: BackupEgress;
}

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SERVICE_HOST = new RegExp(`^(${LABEL})\\.(${LABEL})\\.svc(\\.cluster\\.local)?\\.?$`);
const BARE_SERVICE = new RegExp(`^${LABEL}$`);
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Where the store is, as read from its URL: a Service (in `namespace`, or the cluster's own) or addresses. */
type Derived =
  | { readonly service: true; readonly namespace?: string; readonly port: number }
  | { readonly service: false; readonly cidr: string; readonly port: number };

/** The URL the sidecar connects to: the endpoint, else an http(s) destination path; undefined for s3:// and gs:// (the cloud's own endpoint). */
function storeUrl(a: ObjectStoreAddress): URL | undefined {
  const text = a.endpointUrl ?? (/^https?:\/\//.test(a.destinationPath) ? a.destinationPath : undefined);
  if (text === undefined) return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** Whether `text` is an http(s) URL with a host (the WHATWG parser's view, as Barman's boto3 would need). */
export function checkEndpointUrl(text: unknown): string | undefined {
  const credentials = checkUrlCredentials(text);
  if (credentials !== undefined) return credentials;
  let url: URL | undefined;
  try {
    url = typeof text === 'string' && /^https?:\/\/\S+$/.test(text) ? new URL(text) : undefined;
  } catch {
    url = undefined;
  }
  return url && url.hostname !== ''
    ? undefined
    : `${show(text)} is not a URL: use a value like "https://minio.example.com" or "http://minio.minio.svc:9000"`;
}

function derive(a: ObjectStoreAddress): Derived {
  const url = storeUrl(a);
  if (!url) return { service: false, cidr: '0.0.0.0/0', port: 443 };
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  const host = url.hostname.toLowerCase();
  const service = SERVICE_HOST.exec(host);
  if (service) return { service: true, namespace: service[3], port };
  if (IPV4.test(host)) return { service: false, cidr: `${host}/32`, port };
  if (host.startsWith('[')) return { service: false, cidr: `${host.slice(1, -1)}/128`, port };
  // A single label resolves through the pod's search path to a Service of its own namespace.
  if (BARE_SERVICE.test(host)) return { service: true, port };
  return { service: false, cidr: '0.0.0.0/0', port };
}

/** Every problem of a BackupEgress at `path` (the `egress` field). */
export function validateBackupEgress(e: BackupEgress, path: FieldPath): Problem[] {
  const c = new ProblemCollector();
  if (e.cidr !== undefined) {
    c.check(path.child('cidr'), checkCidr(e.cidr));
    if (e.namespace !== undefined || e.podLabels !== undefined)
      c.check(path.child('cidr'), 'names an address block: namespace and podLabels do not apply with it');
  }
  if (e.namespace !== undefined) c.check(path.child('namespace'), checkDnsLabel(e.namespace));
  if (e.podLabels !== undefined && Object.keys(e.podLabels).length === 0)
    c.check(path.child('podLabels'), "is empty: leave it out to allow every pod of the namespace, or name the object store's pods' labels");
  for (const [key, value] of Object.entries(e.podLabels ?? {})) c.check(path.child(`podLabels.${key}`), checkLabelKey(key) ?? checkLabelValue(value));
  if (e.ports !== undefined) {
    if (!Array.isArray(e.ports) || e.ports.length === 0)
      c.check(path.child('ports'), `${show(e.ports)} names no port: list the object store's ports, like [9000]`);
    else e.ports.forEach((p, i) => c.check(path.child('ports').index(i), checkPort(p)));
  }
  return [...c.problems];
}

/**
 * The egress rule to the object store of `a`, for pods in `ownNamespace` (where a bare Service name resolves).
 * Kept apart from the API server's rule, so narrowing one never cuts the other.
 */
export function backupEgressRule(a: ObjectStoreAddress, ownNamespace: string | undefined): k8s.NetworkPolicyEgressRule {
  const e = a.egress ?? {};
  const d = derive(a);
  const peer =
    e.cidr !== undefined
      ? NetworkPeer.cidr(e.cidr)
      : e.namespace !== undefined || e.podLabels !== undefined
        ? peerOf(e.podLabels, e.namespace ?? (d.service ? d.namespace : undefined) ?? ownNamespace)
        : d.service
          ? peerOf(undefined, d.namespace ?? ownNamespace)
          : NetworkPeer.cidr(d.cidr);
  return { to: [peer.toPolicyPeer()], ports: policyPorts((e.ports ?? [d.port]).map((port) => ({ port }))) };
}

/** Pods with `labels` (every pod without) in `namespace`, or in the policy's own namespace when none is known. */
function peerOf(labels: Record<string, string> | undefined, namespace: string | undefined): NetworkPeer {
  if (labels === undefined && namespace !== undefined) return NetworkPeer.namespace(namespace);
  return NetworkPeer.pods(labels ?? {}, namespace);
}
