import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute' with { 'resolution-mode': 'import' };
import { FieldPath } from '../core/field-path';
import { kubeObject } from '../core/kube-object';
import { Problem, ProblemCollector, throwIfProblems, show } from '../core/problems';
import { checkDnsLabel, checkDnsSubdomain, checkHostname } from '../core/value-rules';

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
}

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
type IngressSettings = Required<Omit<IngressExposureOptions, 'tlsSecretName' | 'clusterIssuer'>> & { tlsSecretName?: string; clusterIssuer?: string };

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

  public _httpRoute(request: RouteRequest, backends: readonly RouteBackend[]): ApiObject {
    const gateway = this.options;
    const route: IHTTPRoute = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: request.metadata,
      spec: {
        parentRefs: [
          {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: gateway.gatewayName,
            namespace: gateway.gatewayNamespace,
            ...(gateway.listenerName ? { sectionName: gateway.listenerName } : {}),
          },
        ],
        hostnames: [...request.hosts],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
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
  return [...c.problems];
}

/** Problems with Ingress exposure options. */
export function validateIngressExposure(o: IngressExposureOptions, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  validateHosts(c, o.hosts, path);
  if (o.className !== undefined) c.check(path.child('className'), checkDnsSubdomain(o.className));
  if (o.clusterIssuer !== undefined) c.check(path.child('clusterIssuer'), checkDnsSubdomain(o.clusterIssuer));
  if (o.tlsSecretName !== undefined) c.check(path.child('tlsSecretName'), checkDnsSubdomain(o.tlsSecretName));
  if (o.controllerNamespace !== undefined) c.check(path.child('controllerNamespace'), checkDnsLabel(o.controllerNamespace));
  return [...c.problems];
}
