/**
 * Rules shared by construct props and environment files. Each returns a message (without the field
 * path, which the caller knows) or `undefined` when the value is fine.
 */
import { checkQuantity, parseQuantity } from './quantity';
import { show } from './validation';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DURATION = /^([0-9]+(ms|s|m|h))+$/;

/** An RFC 1123 label: what Service, Namespace and most names must be (63 characters at most). */
export function checkDnsLabel(value: unknown, maxLength = 63): string | undefined {
  if (typeof value !== 'string' || !DNS_LABEL.test(value) || value.length > maxLength) {
    return `${show(value)} is not a valid name: use at most ${maxLength} lower-case letters, digits and "-", starting and ending with a letter or digit`;
  }
  return undefined;
}

/** An RFC 1123 subdomain (Secret, ConfigMap, ExternalSecret store names): labels joined by dots, 253 characters at most. */
export function checkDnsSubdomain(value: unknown): string | undefined {
  if (
    typeof value !== 'string' ||
    value.length > 253 ||
    !value.split('.').every((label) => DNS_LABEL.test(label) && label.length <= 63)
  ) {
    return `${show(value)} is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters`;
  }
  return undefined;
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
  return typeof value === 'string' && DURATION.test(value)
    ? undefined
    : `${show(value)} is not a duration: use a value like "30s", "5m" or "1h"`;
}

/**
 * An image reference must pin a version: a tag other than `latest`, or a digest. `latest` and untagged
 * images are accepted only when `allowLatest` is set (dev), since they make rollouts unreproducible.
 */
export function checkImage(value: unknown, allowLatest: boolean): string | undefined {
  if (typeof value !== 'string' || value.trim() === '' || /\s/.test(value)) {
    return `${show(value)} is not an image reference: use "registry/name:tag" or "registry/name@sha256:<digest>"`;
  }
  if (value.includes('@')) {
    return /@sha256:[a-f0-9]{64}$/.test(value)
      ? undefined
      : `${show(value)} has a malformed digest: use "@sha256:" followed by 64 hex digits`;
  }
  const lastSegment = value.slice(value.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
  if (tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
    return `${show(value)} has a malformed tag ${show(tag)}`;
  }
  if (allowLatest) {
    return undefined;
  }
  if (tag === undefined) {
    return `${show(value)} has no tag: pin a version ("${value}:1.2.3") or a digest; untagged images are allowed only in dev`;
  }
  if (tag === 'latest') {
    return `${show(value)} uses the "latest" tag: pin a version or a digest; "latest" is allowed only in dev`;
  }
  return undefined;
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
 * A request/limit pair: both well-formed quantities and the limit not below the request.
 * Returns problems keyed by `requests.<resource>` / `limits.<resource>`.
 */
export function checkRequestLimit(
  resource: 'cpu' | 'memory',
  request: unknown,
  limit: unknown,
): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const add = (field: string, message: string | undefined): void => {
    if (message !== undefined) problems.push({ field, message });
  };
  add(`requests.${resource}`, request === undefined ? undefined : checkQuantity(request, resource));
  add(`limits.${resource}`, limit === undefined ? undefined : checkQuantity(limit, resource));
  add(`limits.${resource}`, checkNotBelow(limit, request, 'the request'));
  return problems;
}
