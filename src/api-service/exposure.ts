import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute' with { 'resolution-mode': 'import' };
import { FieldPath } from '../core/field-path';
import { kubeObject } from '../core/kube-object';
import { Problem, ProblemCollector, throwIfProblems, show } from '../core/problems';
import { checkDurationRange, wholeSeconds } from '../core/duration';
import { checkDnsLabel, checkDnsSubdomain, checkHostname, checkInteger } from '../core/value-rules';
import { checkSecretName } from '../core/secrets';

/** Options for `Exposure.gateway`. */
export interface GatewayExposureOptions {
  /** Name of the Gateway the HTTPRoute attaches to. */
  readonly gatewayName: string;
  /** Namespace of that Gateway. */
  readonly gatewayNamespace: string;
  /** Public hostnames routed to the service. TLS is terminated by the Gateway's HTTPS listener. */
  readonly hosts: string[];
  /** Listener of the Gateway to attach to (`sectionName`). @default - every listener that admits the route */
  readonly listenerName?: string;
  /** Namespace the gateway's data-plane pods run in, admitted by the NetworkPolicy. @default - `gatewayNamespace` */
  readonly trafficNamespace?: string;
  /**
   * Redirect plain HTTP to HTTPS: a second HTTPRoute, `<route>-https-redirect`, for the same hosts on the Gateway's
   * plain-HTTP listener, answering every request with a `RequestRedirect` filter (`scheme: https`, `statusCode: 301`;
   * the Location gets port 443, the scheme's well-known port). Needs `listenerName` (the HTTPS listener): a route
   * without `sectionName` attaches to every listener that admits it, the plain-HTTP one included, and would serve
   * plain HTTP next to the redirect.
   * @default - no redirect
   */
  readonly httpsRedirect?: HttpsRedirectOptions;
  /**
   * A `Strict-Transport-Security` header on every response of the route (a `ResponseHeaderModifier` filter, which
   * Gateway API rates Extended: check that your implementation supports it), so browsers use HTTPS only. Browsers
   * ignore the header on plain HTTP.
   * @default - no header
   */
  readonly hsts?: HstsOptions;
}

/** The plain-HTTP side of a Gateway exposure: see `GatewayExposureOptions.httpsRedirect`. */
export interface HttpsRedirectOptions {
  /** The Gateway's plain-HTTP listener (the redirect route's `sectionName`); not `listenerName`, the HTTPS one. */
  readonly listenerName: string;
}

/** HTTP Strict Transport Security (RFC 6797): see `GatewayExposureOptions.hsts`. */
export interface HstsOptions {
  /** How long browsers keep to HTTPS for the hosts (`max-age`), whole seconds from 0 (forget the policy) to 2 years. @default Duration.days(365) */
  readonly maxAge?: Duration;
  /**
   * The policy covers every subdomain of the hosts too (`includeSubDomains`): set it only when all of them serve
   * HTTPS, or browsers refuse those that do not.
   * @default false
   */
  readonly includeSubDomains?: boolean;
}

/** HSTS `max-age` unless set: one year. */
export const DEFAULT_HSTS_MAX_AGE = Duration.days(365);
/** The longest HSTS `max-age` accepted: two years (the preload list's recommendation). */
const MAX_HSTS_SECONDS = 2 * 365 * 24 * 3600;

/** Options for `Exposure.ingress`. */
export interface IngressExposureOptions {
  /** Public hostnames; each gets a rule and a TLS entry. */
  readonly hosts: string[];
  /** `spec.ingressClassName`. @default 'nginx' */
  readonly className?: string;
  /**
   * cert-manager ClusterIssuer that issues the TLS certificate (the `cert-manager.io/cluster-issuer` annotation).
   * @default - 'letsencrypt-prod', unless `tlsSecretName` names a Secret of your own: then no cert-manager annotation, which would make cert-manager
   * take that Secret over
   */
  readonly clusterIssuer?: string;
  /**
   * The TLS Secret: your own certificate when `clusterIssuer` is not given, else the Secret cert-manager writes to.
   * @default - `<name>-tls`, written by cert-manager
   */
  readonly tlsSecretName?: string;
  /** Namespace of the ingress controller pods, admitted by the NetworkPolicy. @default 'ingress-nginx' */
  readonly controllerNamespace?: string;
  /** Rate limits per client IP, as ingress-nginx annotations. @default - no limits */
  readonly rateLimit?: IngressRateLimitOptions;
}

/**
 * ingress-nginx's rate limits (`nginx.ingress.kubernetes.io/limit-*` annotations on the Ingress). They count per
 * client IP and per controller replica (no state is shared: three replicas let three times the rate through), the
 * client IP being what the controller sees (behind a load balancer, only with PROXY protocol or a trusted
 * `X-Forwarded-For`). A request over the limit gets 503 unless the controller's ConfigMap sets
 * `limit-req-status-code` / `limit-conn-status-code` (429 is usual).
 */
export interface IngressRateLimitOptions {
  /** Requests per second from one client IP (`limit-rps`), 1 to 100000. @default - no request-rate limit */
  readonly requestsPerSecond?: number;
  /** The burst allowed over `requestsPerSecond`, as a multiple of it (`limit-burst-multiplier`), 1 to 100. @default - ingress-nginx's, 5 */
  readonly burstMultiplier?: number;
  /** Concurrent connections from one client IP (`limit-connections`), 1 to 100000. @default - no connection limit */
  readonly connections?: number;
}

/** The kinds of exposure. */
export type ExposureKind = 'gateway' | 'ingress' | 'none';

/** A backend of a route: a Service, with its share of the traffic. */
export interface RouteBackend {
  /** Service name. */
  readonly service: string;
  /** Share of the traffic (Gateway API `weight`). @default - unweighted */
  readonly weight?: number;
}

/** What a route is rendered from: where, under which name and metadata, for which hosts and port. */
export interface RouteRequest {
  /** The construct the route is created in. */
  readonly scope: Construct;
  /** The route's construct id. */
  readonly id: string;
  /** Its metadata (name, labels, annotations). */
  readonly metadata: { readonly name: string; readonly labels: Record<string, string>; readonly annotations?: Record<string, string> };
  /** Public hostnames. */
  readonly hosts: readonly string[];
  /** The services' port. */
  readonly port: number;
}

/** The Ingress settings once defaulted. */
export type IngressSettings = Required<Omit<IngressExposureOptions, 'tlsSecretName' | 'clusterIssuer' | 'rateLimit'>> &
  Pick<IngressExposureOptions, 'tlsSecretName' | 'clusterIssuer' | 'rateLimit'>;

/**
 * How (and whether) a service is reachable from outside the cluster. Each kind renders its own route:
 * a Gateway API HTTPRoute, an Ingress, or nothing.
 */
export abstract class Exposure {
  /** Only the kinds above. */
  protected constructor() {}

  /** Cluster-internal only: a ClusterIP Service and no route. */
  public static none(): Exposure {
    return new NoExposure();
  }

  /** A Gateway API `HTTPRoute` (`gateway.networking.k8s.io/v1`) attached to a named Gateway. The first-class option. */
  public static gateway(options: GatewayExposureOptions): Exposure {
    throwIfProblems('Exposure.gateway', validateGatewayExposure(options));
    return new GatewayExposure({ ...options, hosts: [...options.hosts] });
  }

  /** A `networking.k8s.io/v1` Ingress with TLS from cert-manager. The legacy option (ingress-nginx is retired). */
  public static ingress(options: IngressExposureOptions): Exposure {
    throwIfProblems('Exposure.ingress', validateIngressExposure(options));
    return new IngressExposure({
      hosts: [...options.hosts],
      className: options.className ?? 'nginx',
      // A Secret the user names without an issuer is theirs: cert-manager must not manage (and overwrite) it.
      clusterIssuer: options.clusterIssuer ?? (options.tlsSecretName === undefined ? 'letsencrypt-prod' : undefined),
      tlsSecretName: options.tlsSecretName,
      controllerNamespace: options.controllerNamespace ?? 'ingress-nginx',
      rateLimit: options.rateLimit,
    });
  }

  /** Which kind of exposure this is. */
  public abstract readonly kind: ExposureKind;

  /** Public hostnames. */
  public abstract readonly hosts: readonly string[];

  /** The namespace external traffic arrives from, or `undefined` when not exposed. */
  public abstract readonly trafficNamespace: string | undefined;

  /**
   * The Gateway API settings, when exposed through a Gateway.
   * @deprecated use `kind`; the exposure renders its own route
   */
  public get gatewayOptions(): GatewayExposureOptions | undefined {
    return undefined;
  }

  /**
   * The Ingress settings, when exposed through an Ingress.
   * @deprecated use `kind`; the exposure renders its own route
   */
  public get ingressOptions(): IngressSettings | undefined {
    return undefined;
  }

  /**
   * An HTTPRoute to `backends` (weighted when they say so), with the Gateway exposure; else nothing.
   * @internal
   */
  public _httpRoute(_request: RouteRequest, _backends: readonly RouteBackend[]): ApiObject | undefined {
    return undefined;
  }

  /**
   * An Ingress to `service` with TLS (unless `tls` is false) and `annotations`, with the Ingress exposure; else nothing.
   * @internal
   */
  public _ingress(_request: RouteRequest, _service: string, _annotations: Record<string, string>, _tls: boolean): ApiObject | undefined {
    return undefined;
  }
}

class NoExposure extends Exposure {
  public readonly kind: ExposureKind = 'none';
  public readonly hosts: readonly string[] = [];
  public readonly trafficNamespace = undefined;
}

class GatewayExposure extends Exposure {
  public readonly kind: ExposureKind = 'gateway';
  public readonly hosts: readonly string[];
  public readonly trafficNamespace: string;

  public constructor(private readonly options: GatewayExposureOptions) {
    super();
    this.hosts = options.hosts;
    this.trafficNamespace = options.trafficNamespace ?? options.gatewayNamespace;
  }

  public get gatewayOptions(): GatewayExposureOptions {
    return this.options;
  }

  /** Also renders the redirect route on the plain-HTTP listener, when `httpsRedirect` asks for one. */
  public _httpRoute(request: RouteRequest, backends: readonly RouteBackend[]): ApiObject {
    const gateway = this.options;
    if (gateway.httpsRedirect) this.redirectRoute(request, gateway.httpsRedirect);
    const hsts = gateway.hsts;
    const route: IHTTPRoute = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: request.metadata,
      spec: {
        parentRefs: [this.parentRef(gateway.listenerName)],
        hostnames: [...request.hosts],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            ...(hsts
              ? {
                  filters: [
                    {
                      type: 'ResponseHeaderModifier',
                      responseHeaderModifier: { set: [{ name: 'Strict-Transport-Security', value: hstsValue(hsts) }] },
                    },
                  ],
                }
              : {}),
            backendRefs: backends.map((b) => ({
              group: '',
              kind: 'Service',
              name: b.service,
              port: request.port,
              ...(b.weight === undefined ? {} : { weight: b.weight }),
            })),
          },
        ],
      },
    };
    return new ApiObject(request.scope, request.id, route);
  }

  private parentRef(sectionName: string | undefined): NonNullable<NonNullable<IHTTPRoute['spec']>['parentRefs']>[number] {
    return {
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      name: this.options.gatewayName,
      namespace: this.options.gatewayNamespace,
      ...(sectionName ? { sectionName } : {}),
    };
  }

  /** `<route>-https-redirect` on the plain-HTTP listener: every request redirected to HTTPS, no backends (the CRD forbids both). */
  private redirectRoute(request: RouteRequest, redirect: HttpsRedirectOptions): ApiObject {
    const route: IHTTPRoute = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { ...request.metadata, name: `${request.metadata.name}-https-redirect` },
      spec: {
        parentRefs: [this.parentRef(redirect.listenerName)],
        hostnames: [...request.hosts],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
          },
        ],
      },
    };
    return new ApiObject(request.scope, `${request.id}HttpsRedirect`, route);
  }
}

/** The `Strict-Transport-Security` value: `max-age=<seconds>`, and `; includeSubDomains` when asked. */
function hstsValue(hsts: HstsOptions): string {
  return `max-age=${wholeSeconds(hsts.maxAge ?? DEFAULT_HSTS_MAX_AGE)}${hsts.includeSubDomains ? '; includeSubDomains' : ''}`;
}

class IngressExposure extends Exposure {
  public readonly kind: ExposureKind = 'ingress';
  public readonly hosts: readonly string[];
  public readonly trafficNamespace: string;

  public constructor(private readonly settings: IngressSettings) {
    super();
    this.hosts = settings.hosts;
    this.trafficNamespace = settings.controllerNamespace;
  }

  public get ingressOptions(): IngressSettings {
    return this.settings;
  }

  public _ingress(request: RouteRequest, service: string, annotations: Record<string, string>, tls: boolean): ApiObject {
    const ingress = this.settings;
    const name = request.metadata.name;
    return kubeObject(
      request.scope,
      request.id,
      k8s.KubeIngress.GVK,
      {
        metadata: {
          ...request.metadata,
          annotations: {
            ...(tls && ingress.clusterIssuer !== undefined ? { 'cert-manager.io/cluster-issuer': ingress.clusterIssuer } : {}),
            ...rateLimitAnnotations(ingress.rateLimit),
            ...annotations,
          },
        },
        spec: {
          ingressClassName: ingress.className,
          ...(tls ? { tls: [{ hosts: [...request.hosts], secretName: ingress.tlsSecretName ?? `${name}-tls` }] } : {}),
          rules: request.hosts.map((host) => ({
            host,
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { name: 'http' } } } }] },
          })),
        },
      },
      k8s.toJson_KubeIngressProps,
    );
  }
}

/** The ingress-nginx annotations of `limit`, each only when set (annotation values are strings). */
function rateLimitAnnotations(limit: IngressRateLimitOptions | undefined): Record<string, string> {
  const entries: Array<[string, number | undefined]> = [
    ['limit-rps', limit?.requestsPerSecond],
    ['limit-burst-multiplier', limit?.burstMultiplier],
    ['limit-connections', limit?.connections],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined).map(([k, v]) => [`nginx.ingress.kubernetes.io/${k}`, String(v)]));
}

function validateHosts(c: ProblemCollector, hosts: unknown, path: FieldPath): void {
  if (!Array.isArray(hosts) || hosts.length === 0) {
    c.check(path.child('hosts'), `${show(hosts)} must list at least one hostname`);
    return;
  }
  hosts.forEach((h, i) => c.check(path.child(`hosts[${i}]`), checkHostname(h)));
  const seen = new Set<unknown>();
  hosts.forEach((h, i) => {
    if (seen.has(h)) c.check(path.child(`hosts[${i}]`), `${show(h)} is listed twice`);
    seen.add(h);
  });
}

/** Problems with Gateway exposure options. */
export function validateGatewayExposure(o: GatewayExposureOptions, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  c.check(path.child('gatewayName'), checkDnsSubdomain(o.gatewayName));
  c.check(path.child('gatewayNamespace'), checkDnsLabel(o.gatewayNamespace));
  if (o.trafficNamespace !== undefined) c.check(path.child('trafficNamespace'), checkDnsLabel(o.trafficNamespace));
  if (o.listenerName !== undefined) c.check(path.child('listenerName'), checkDnsSubdomain(o.listenerName));
  validateHosts(c, o.hosts, path);
  if (o.httpsRedirect !== undefined) {
    const listener = o.httpsRedirect.listenerName;
    const at = path.child('httpsRedirect.listenerName');
    if (c.check(at, checkDnsSubdomain(listener)) === undefined && listener === o.listenerName) {
      c.check(at, `${show(listener)} is also listenerName: name the Gateway's plain-HTTP listener here, and its HTTPS listener in listenerName`);
    }
    if (o.listenerName === undefined) {
      c.check(
        path.child('listenerName'),
        "is required with httpsRedirect: name the Gateway's HTTPS listener, or the route attaches to the plain-HTTP listener too and serves it",
      );
    }
  }
  if (o.hsts?.maxAge !== undefined)
    c.check(path.child('hsts').seconds('maxAge'), checkDurationRange(o.hsts.maxAge, 0, MAX_HSTS_SECONDS, path.spelling));
  return [...c.problems];
}

/** Problems with Ingress exposure options. */
export function validateIngressExposure(o: IngressExposureOptions, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  validateHosts(c, o.hosts, path);
  if (o.className !== undefined) c.check(path.child('className'), checkDnsSubdomain(o.className));
  if (o.clusterIssuer !== undefined) c.check(path.child('clusterIssuer'), checkDnsSubdomain(o.clusterIssuer));
  if (o.tlsSecretName !== undefined) c.check(path.child('tlsSecretName'), checkSecretName(o.tlsSecretName));
  if (o.controllerNamespace !== undefined) c.check(path.child('controllerNamespace'), checkDnsLabel(o.controllerNamespace));
  if (o.rateLimit !== undefined) validateRateLimit(c, o.rateLimit, path.child('rateLimit'));
  return [...c.problems];
}

function validateRateLimit(c: ProblemCollector, limit: IngressRateLimitOptions, path: FieldPath): void {
  const ranges = [
    ['requestsPerSecond', limit.requestsPerSecond, 100_000],
    ['burstMultiplier', limit.burstMultiplier, 100],
    ['connections', limit.connections, 100_000],
  ] as const;
  for (const [field, value, max] of ranges) if (value !== undefined) c.check(path.child(field), checkInteger(value, 1, max));
  if (limit.burstMultiplier !== undefined && limit.requestsPerSecond === undefined) {
    c.check(
      path.child('burstMultiplier'),
      `${show(limit.burstMultiplier)} multiplies requestsPerSecond, which is not set: set it too, or leave this out`,
    );
  }
  if (limit.requestsPerSecond === undefined && limit.connections === undefined && limit.burstMultiplier === undefined) {
    c.check(path, 'sets no limit: give requestsPerSecond and/or connections');
  }
}
