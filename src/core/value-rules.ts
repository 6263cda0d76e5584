/**
 * Rules shared by construct props and environment files. Each returns a message (without the field
 * path, which the caller knows) or `undefined` when the value is fine.
 */
import { checkQuantity, parseQuantity } from './quantity';
import { FieldPath } from './field-path';
import { Problem, ProblemCollector, show } from './problems';
import { urlHoldsCredential } from './credential-shape';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DURATION = /^([0-9]+(ms|s|m|h))+$/;

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A label key (`[prefix/]name`) as node labels and selectors take it. */
export function checkLabelKey(key: string): string | undefined {
  const [prefix, name] = key.includes('/') ? [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)] : [undefined, key];
  const ok = LABEL_NAME.test(name) && (prefix === undefined || checkDnsSubdomain(prefix) === undefined);
  return ok ? undefined : `${show(key)} is not a label key: use "name" or "prefix/name", like "node-role.kubernetes.io/trading"`;
}

/** A label value: at most 63 characters, empty allowed. */
export function checkLabelValue(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 63 && LABEL_VALUE.test(value)
    ? undefined
    : `${show(value)} is not a label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
}

/** An RFC 1123 label: what Service, Namespace and most names must be (63 characters at most). */
export function checkDnsLabel(value: unknown, maxLength = 63): string | undefined {
  if (typeof value !== 'string' || !DNS_LABEL.test(value) || value.length > maxLength) {
    return `${show(value)} is not a valid name: use at most ${maxLength} lower-case letters, digits and "-", starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Namespaces the cluster itself runs in (and the `kube-` prefix Kubernetes reserves). */
export const CLUSTER_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * The namespace an environment owns: a valid name that is not one of the cluster's own, since the
 * environment puts a quota, container limits and a default-deny policy into it.
 */
export function checkOwnNamespace(value: unknown): string | undefined {
  const invalid = checkDnsLabel(value);
  if (invalid) return invalid;
  if (CLUSTER_NAMESPACES.includes(value as string) || (value as string).startsWith('kube-')) {
    return `${show(value)} belongs to the cluster itself: an environment puts a quota, container limits and a default-deny NetworkPolicy into its namespace; use a namespace of its own, like "shop-prod"`;
  }
  return undefined;
}

/** An RFC 1123 subdomain (Secret, ConfigMap, ExternalSecret store names): labels joined by dots, 253 characters at most. */
export function checkDnsSubdomain(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 253 || !value.split('.').every((label) => DNS_LABEL.test(label) && label.length <= 63)) {
    return `${show(value)} is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters`;
  }
  return undefined;
}

/** A server to connect to: a DNS name or an IPv4 address. */
export function checkHost(value: unknown): string | undefined {
  return typeof value === 'string' && /^(\d{1,3}\.){3}\d{1,3}$/.test(value) ? undefined : checkHostname(value);
}

/** A public hostname for a route or certificate; a leading `*.` wildcard is allowed. */
export function checkHostname(value: unknown): string | undefined {
  const host = typeof value === 'string' && value.startsWith('*.') ? value.slice(2) : value;
  if (
    typeof host !== 'string' ||
    host.length > 253 ||
    !host.includes('.') ||
    !host.split('.').every((label) => DNS_LABEL.test(label) && label.length <= 63)
  ) {
    return `${show(value)} is not a valid hostname: use a fully qualified lower-case DNS name like "api.example.com" (a leading "*." is allowed)`;
  }
  return undefined;
}

/** An IPv4 or IPv6 CIDR block (`10.0.0.0/16`, `fd00::/8`). */
export function checkCidr(value: unknown): string | undefined {
  const v4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
  const v6 = /^[0-9a-fA-F:]+:[0-9a-fA-F:]*\/(12[0-8]|1[01]\d|[1-9]?\d)$/;
  return typeof value === 'string' && (v4.test(value) || v6.test(value))
    ? undefined
    : `${show(value)} is not a CIDR block: use a value like "10.0.0.0/16" or "0.0.0.0/0"`;
}

/** A TCP/UDP port number. */
export function checkPort(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    return `${show(value)} is not a valid port: use a whole number from 1 to 65535`;
  }
  return undefined;
}

/** A whole number in `[min, max]`. */
export function checkInteger(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    return `${show(value)} is out of range: use a whole number ${range}`;
  }
  return undefined;
}

/** A container environment variable name. */
export function checkEnvVarName(value: string): string | undefined {
  return ENV_VAR_NAME.test(value)
    ? undefined
    : `${show(value)} is not a valid environment variable name: use letters, digits and "_", not starting with a digit`;
}

/** A Go/Prometheus duration such as `30s`, `5m` or `1h30m`. */
export function checkDuration(value: unknown): string | undefined {
  return typeof value === 'string' && DURATION.test(value) ? undefined : `${show(value)} is not a duration: use a value like "30s", "5m" or "1h"`;
}

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Why `domain` (`registry.example.com:5000`, `[::1]:5000`) is not a registry host, if it is not. */
function registryProblem(domain: string): string | undefined {
  const [host, port, ...rest] = domain.startsWith('[')
    ? [
        domain.slice(0, domain.indexOf(']') + 1),
        ...domain
          .slice(domain.indexOf(']') + 1)
          .replace(/^:/, '')
          .split(':')
          .filter((x, i) => i > 0 || x !== ''),
      ]
    : domain.split(':');
  if (rest.length > 0 || (port !== undefined && !/^[0-9]+$/.test(port))) return `its registry ${JSON.stringify(domain)} has a malformed port`;
  const hostOk = host.startsWith('[') ? /^\[[0-9a-fA-F:]+\]$/.test(host) : host.split('.').every((c) => DOMAIN_COMPONENT.test(c));
  return hostOk ? undefined : `its registry ${JSON.stringify(domain)} is not a host name`;
}

/**
 * An image reference in the OCI grammar (`[registry[:port]/]path[:tag][@algorithm:digest]`, lower-case
 * path, a tag of at most 128 characters), which must pin a version: a tag other than `latest`, or a
 * digest. `latest` and untagged images are accepted only when `allowLatest` is set (dev), since they make
 * rollouts unreproducible. Kubernetes accepts a malformed reference and the pod fails with
 * InvalidImageName; this says so before anything is applied.
 */
export function checkImage(value: unknown, allowLatest: boolean): string | undefined {
  const usage = 'use "registry/name:tag" or "registry/name@sha256:<digest>"';
  if (typeof value !== 'string' || value.trim() === '' || /\s/.test(value)) {
    return `${show(value)} is not an image reference: ${usage}`;
  }
  const at = value.indexOf('@');
  const digest = at >= 0 ? value.slice(at + 1) : undefined;
  const named = at >= 0 ? value.slice(0, at) : value;
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest) && !/^sha512:[a-f0-9]{128}$/.test(digest)) {
    return `${show(value)} has a malformed digest: use "@sha256:" followed by 64 lower-case hex digits`;
  }
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const tag = colon > slash ? named.slice(colon + 1) : undefined;
  const name = colon > slash ? named.slice(0, colon) : named;
  if (tag !== undefined && !TAG.test(tag)) {
    return `${show(value)} has a malformed tag ${show(tag.length > 40 ? `${tag.slice(0, 37)}...` : tag)}: use at most 128 letters, digits, "_", "." and "-", not starting with "." or "-"`;
  }
  const parts = name.split('/');
  const first = parts[0];
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['));
  if (hasRegistry) {
    const problem = registryProblem(first);
    if (problem) return `${show(value)} is not an image reference: ${problem}`;
  }
  const path = hasRegistry ? parts.slice(1) : parts;
  if (path.some((c) => c !== c.toLowerCase() && PATH_COMPONENT.test(c.toLowerCase()))) {
    return `${show(value)} has upper-case letters in its repository path: image names must be lower case`;
  }
  if (path.length === 0 || !path.every((c) => PATH_COMPONENT.test(c))) {
    return `${show(value)} is not an image reference: the repository path takes lower-case letters, digits and single ".", "_" or "-" between them; ${usage}`;
  }
  if (name.length > 255) return `${show(value)} is not an image reference: the name is longer than 255 characters`;
  if (allowLatest || digest !== undefined) return undefined;
  if (tag === undefined) {
    return `${show(value)} has no tag: pin a version ("${value}:1.2.3") or a digest; untagged images are allowed only in dev`;
  }
  if (tag === 'latest') {
    return `${show(value)} uses the "latest" tag: pin a version or a digest; "latest" is allowed only in dev`;
  }
  return undefined;
}

/**
 * Whether `image` floats: no digest, and the tag `latest` or none (which means `latest`). The image a
 * floating reference names changes over time without the reference changing.
 */
export function isFloatingImage(image: string): boolean {
  if (image.includes('@')) return false;
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon <= slash || image.slice(colon + 1) === 'latest';
}

/**
 * Message when quantity `value` is below `floor` (both already well formed), naming what the floor is
 * (`the request "500m"`); `undefined` otherwise or when either is malformed (reported elsewhere).
 */
export function checkNotBelow(value: unknown, floor: unknown, floorName: string): string | undefined {
  if (typeof value !== 'string' || typeof floor !== 'string') return undefined;
  const v = parseQuantity(value);
  const f = parseQuantity(floor);
  if (v === undefined || f === undefined || v >= f) return undefined;
  return `${show(value)} is below ${floorName} ${show(floor)}: it must be at least that`;
}

/**
 * Requests and limits of CPU and memory at `path`: well-formed quantities, each limit not below its
 * request.
 */
export function validateResources(
  resources: {
    readonly requests?: { readonly cpu?: unknown; readonly memory?: unknown };
    readonly limits?: { readonly cpu?: unknown; readonly memory?: unknown };
  },
  path: FieldPath,
  defaultedBy: (field: ResourceField) => string | undefined = () => undefined,
): Problem[] {
  const c = new ProblemCollector();
  for (const resource of ['cpu', 'memory'] as const) {
    const request = resources.requests?.[resource];
    const limit = resources.limits?.[resource];
    c.check(path.child(`requests.${resource}`), request === undefined ? undefined : checkQuantity(request, resource));
    c.check(path.child(`limits.${resource}`), limit === undefined ? undefined : checkQuantity(limit, resource));
    // A side the user did not write (an environment tier's default) is named as such, never quoted as theirs.
    const limitBy = defaultedBy(`limits.${resource}`);
    const requestBy = defaultedBy(`requests.${resource}`);
    const below = checkNotBelow(limit, request, requestBy === undefined ? 'the request' : `${requestBy}'s default request`);
    c.check(
      path.child(`limits.${resource}`),
      below !== undefined && limitBy !== undefined
        ? `${limitBy}'s default ${show(limit)} (not set in the file) is below the request ${show(request)}: set it to at least that`
        : below,
    );
  }
  return [...c.problems];
}

/** A request or limit of a container's resources, as `validateResources` names them. */
export type ResourceField = `${'requests' | 'limits'}.${'cpu' | 'memory'}`;

/**
 * A URL that carries a credential: a user or password before "@" (`https://user:pass@host`, `https://token@host`), or a
 * query parameter that is one (`?access_token=…`, `&X-Amz-Signature=…`). Every URL a configuration gives is written
 * into dist/, so such a URL is refused, and the message does not repeat it.
 */
export function checkUrlCredentials(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*@/i.test(value);
  const query = !userinfo && urlHoldsCredential(value);
  if (!userinfo && !query) return undefined;
  return (
    `carries a credential (${userinfo ? 'a user or password before "@"' : 'a token in its query'}): every URL is written into dist/; ` +
    'give the credential to the component that needs it in a Secret and write the URL without it (the value is not shown here)'
  );
}

/** A Git URL Argo CD and Flux can clone: `https://…`, `ssh://…` or `git@host:org/repo.git`. */
export function checkGitUrl(value: unknown): string | undefined {
  // The URL is written into the GitOps objects in dist/: credentials in it (an HTTPS user or token, a token in the
  // query, an SSH password) would be committed. Such a value is never repeated.
  const sshPassword = typeof value === 'string' && /^ssh:\/\/[^/@\s]*:[^/@\s]*@/.test(value);
  const https = typeof value === 'string' && value.startsWith('https://') ? checkUrlCredentials(value) : undefined;
  if (sshPassword || https !== undefined) {
    return (
      `carries credentials (${sshPassword || /^https:\/\/[^/?#\s]*@/.test(value as string) ? 'before "@"' : 'in its query'}): the URL is written into the GitOps objects in dist/; ` +
      'give them to the GitOps tool in a Secret (flux.credentialsSecret, or a repository Secret of Argo CD) and write the URL without them (the value is not shown here)'
    );
  }
  if (typeof value === 'string' && /^(https:\/\/|ssh:\/\/|git@)[^\s]+$/.test(value)) return undefined;
  const shown =
    typeof value === 'string' && (value.includes('@') || checkUrlCredentials(value))
      ? 'the value (not shown here: it may hold credentials)'
      : show(value);
  return `${shown} is not a Git URL: use "https://…", "ssh://…" or "git@host:org/repo.git"`;
}

/** A branch, tag or commit as `git check-ref-format` accepts it (no spaces, no `..`, not empty). */
export function checkGitRevision(value: unknown): string | undefined {
  const ok = typeof value === 'string' && value !== '' && !/[\s~^:?*[\\\x00-\x1f\x7f]|\.\.|@\{|^[-/.]|[/.]$|\/\/|\.lock$/.test(value);
  return ok ? undefined : `${show(value)} is not a branch, tag or commit: use a name like "main" or "release-1.4", without spaces or ".."`;
}

/** A folder inside a repository: relative, without `..`. */
export function checkRepositoryPath(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._/-]+$/.test(value) && !value.startsWith('/') && !value.split('/').includes('..')
    ? undefined
    : `${show(value)} is not a relative path in the repository, like "dist" or "deploy/dist"`;
}

/** An https URL (an API server). */
export function checkHttpsUrl(value: unknown): string | undefined {
  const credentials = checkUrlCredentials(value);
  if (credentials !== undefined) return credentials;
  return typeof value === 'string' && /^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(value)
    ? undefined
    : `${show(value)} is not an https URL, like "https://kubernetes.default.svc"`;
}
