import { FieldPath } from '../core/field-path';
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

/** How (and whether) a service is reachable from outside the cluster. */
export class Exposure {
  /** Cluster-internal only: a ClusterIP Service and no route. */
  public static none(): Exposure {
    return new Exposure(undefined, undefined);
  }

  /** A Gateway API `HTTPRoute` (`gateway.networking.k8s.io/v1`) attached to a named Gateway. The first-class option. */
  public static gateway(options: GatewayExposureOptions): Exposure {
    throwIfProblems('Exposure.gateway', validateGatewayExposure(options));
    return new Exposure({ ...options, hosts: [...options.hosts] }, undefined);
  }

  /** A `networking.k8s.io/v1` Ingress with TLS from cert-manager. The legacy option (ingress-nginx is retired). */
  public static ingress(options: IngressExposureOptions): Exposure {
    throwIfProblems('Exposure.ingress', validateIngressExposure(options));
    return new Exposure(undefined, {
      hosts: [...options.hosts],
      className: options.className ?? 'nginx',
      // A Secret the user names without an issuer is theirs: cert-manager must not manage (and overwrite) it.
      clusterIssuer: options.clusterIssuer ?? (options.tlsSecretName === undefined ? 'letsencrypt-prod' : undefined),
      tlsSecretName: options.tlsSecretName,
      controllerNamespace: options.controllerNamespace ?? 'ingress-nginx',
    });
  }

  private constructor(
    /** The Gateway API settings, when exposed through a Gateway. */
    public readonly gatewayOptions: GatewayExposureOptions | undefined,
    /** The Ingress settings, when exposed through an Ingress. */
    public readonly ingressOptions:
      (Required<Omit<IngressExposureOptions, 'tlsSecretName' | 'clusterIssuer'>> & { tlsSecretName?: string; clusterIssuer?: string }) | undefined,
  ) {}

  /** The namespace external traffic arrives from, or `undefined` when not exposed. */
  public get trafficNamespace(): string | undefined {
    if (this.gatewayOptions) {
      return this.gatewayOptions.trafficNamespace ?? this.gatewayOptions.gatewayNamespace;
    }
    return this.ingressOptions?.controllerNamespace;
  }

  /** Which kind of exposure this is. */
  public get kind(): ExposureKind {
    return this.gatewayOptions ? 'gateway' : this.ingressOptions ? 'ingress' : 'none';
  }

  /** Public hostnames. */
  public get hosts(): readonly string[] {
    return this.gatewayOptions?.hosts ?? this.ingressOptions?.hosts ?? [];
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
