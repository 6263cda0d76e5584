/**
 * The smoke check of a release: HTTP GETs of the service's health paths, each with a timeout, from a
 * small curl Job, before traffic moves to the new version (the checks an operator would otherwise run by hand). The
 * same Job spec runs as an Argo Rollouts `job` metric (Argo engines) or as an Argo CD PostSync hook and
 * a Flux stage (Service-switch and weighted engines).
 */
import { FieldPath } from '../core/field-path';
import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { checkDurationRange, wholeSeconds } from '../core/duration';
import { PodPlacement, placementPodSpec } from '../core/placement';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';
import { checkImage } from '../core/value-rules';
import { k8sResources, ResourceRequirements } from '../core/resources';
import { Problem, ProblemCollector, show } from '../core/problems';

/**
 * The curl image of the smoke check: curl's official image (`curlimages/curl`), pinned. It runs as a
 * non-root user and needs no writable filesystem.
 */
export const DEFAULT_SMOKE_TEST_IMAGE = 'curlimages/curl:8.20.0';

/** The smoke check of a release. */
export interface SmokeTestOptions {
  /** Run the smoke check before traffic moves. @default true */
  readonly enabled?: boolean;
  /**
   * Paths to GET; each must answer 2xx. @default - the readiness path (`/health`), plus `/health/db` when the service is connected to a database and
   * `/health/redis` when connected to a cache
   */
  readonly paths?: string[];
  /** Time each request may take (1 s to 1 min). @default Duration.seconds(5) */
  readonly timeout?: Duration;
  /** Image with `curl` (pinned by tag or digest). @default DEFAULT_SMOKE_TEST_IMAGE */
  readonly image?: string;
}

/** The smoke check settings, resolved. */
export interface ResolvedSmokeTest {
  /** The paths, or `undefined` for the service's health paths. */
  readonly paths: readonly string[] | undefined;
  readonly timeoutSeconds: number;
  readonly image: string;
}

/** The smoke check, or `undefined` when it is turned off. */
export function resolveSmokeTest(o: SmokeTestOptions = {}): ResolvedSmokeTest | undefined {
  if (o.enabled === false) return undefined;
  return {
    paths: o.paths ? [...o.paths] : undefined,
    timeoutSeconds: o.timeout ? wholeSeconds(o.timeout) : 5,
    image: o.image ?? DEFAULT_SMOKE_TEST_IMAGE,
  };
}

/** Problems with smoke check options; `allowLatestTag` as for the service's own images. */
export function validateSmokeTestOptions(o: SmokeTestOptions, allowLatestTag: boolean, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  if (o.enabled !== undefined && typeof o.enabled !== 'boolean') c.check(path.child('enabled'), `${show(o.enabled)} must be true or false`);
  if (o.paths !== undefined) {
    if (!Array.isArray(o.paths) || o.paths.length === 0) {
      c.check(path.child('paths'), `${show(o.paths)} must list at least one path, like ["/health"]`);
    } else {
      o.paths.forEach((p, i) => {
        if (typeof p !== 'string' || !/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*$/.test(p)) {
          c.check(path.child(`paths[${i}]`), `${show(p)} is not a URL path: use a path starting with "/", like "/health/db"`);
        }
      });
    }
  }
  if (o.timeout !== undefined) c.check(path.seconds('timeout'), checkDurationRange(o.timeout, 1, 60, path.spelling));
  if (o.image !== undefined) c.check(path.child('image'), checkImage(o.image, allowLatestTag));
  return [...c.problems];
}

/** What a smoke Job is built from. */
export interface SmokeJobInput {
  readonly smoke: ResolvedSmokeTest;
  /** The URLs to GET. */
  readonly urls: readonly string[];
  /** Labels of the Job's pods (what the smoke NetworkPolicy selects). */
  readonly labels: Record<string, string>;
  /** Annotations of the Job's pods. */
  readonly annotations: Record<string, string>;
  readonly placement: PodPlacement;
}

/** Requests and limits of the curl container (counted in the namespace's quota). */
export const SMOKE_TEST_RESOURCES: ResourceRequirements = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } };

/** UID the curl container runs as. */
const SMOKE_UID = 10001;

/**
 * The Job spec of a smoke check: one curl that fails on the first path not answering 2xx
 * (`--fail --fail-early`) or taking longer than the timeout (`--max-time`), under the restricted
 * profile with a read-only root filesystem, retried once, with a deadline.
 */
export function smokeTestJobSpec(i: SmokeJobInput): k8s.JobSpec {
  return curlJobSpec({
    backoffLimit: 1,
    activeDeadlineSeconds: 300,
    labels: i.labels,
    annotations: i.annotations,
    placement: i.placement,
    container: {
      name: 'smoke-test',
      image: i.smoke.image,
      command: [
        'curl',
        '--fail',
        '--fail-early',
        '--silent',
        '--show-error',
        '--max-time',
        String(i.smoke.timeoutSeconds),
        '--write-out',
        '%{http_code} %{url_effective}\\n',
        ...i.urls,
      ],
    },
  });
}

/** A Job of the curl image that checks a service from outside its pods (the smoke check, the wait before a staged release). */
export interface CurlJobInput {
  readonly backoffLimit: number;
  readonly activeDeadlineSeconds: number;
  /** Labels of the Job's pods (what its NetworkPolicy selects). */
  readonly labels: Record<string, string>;
  /** Annotations of the Job's pods. */
  readonly annotations: Record<string, string>;
  readonly placement: PodPlacement;
  /** The one container: its name, image, command and variables. */
  readonly container: Pick<k8s.Container, 'name' | 'image' | 'command' | 'env'>;
}

/**
 * The Job spec every curl check shares: never restarted in place, no service account token or service links,
 * the restricted profile with a read-only root filesystem, the smoke check's small requests and limits.
 */
export function curlJobSpec(i: CurlJobInput): k8s.JobSpec {
  return {
    backoffLimit: i.backoffLimit,
    activeDeadlineSeconds: i.activeDeadlineSeconds,
    template: {
      metadata: { labels: { ...i.labels }, ...(Object.keys(i.annotations).length ? { annotations: { ...i.annotations } } : {}) },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: restrictedPodSecurityContext(SMOKE_UID),
        ...placementPodSpec(i.placement),
        containers: [
          {
            name: i.container.name,
            image: i.container.image,
            imagePullPolicy: 'IfNotPresent',
            command: i.container.command,
            ...(i.container.env ? { env: i.container.env } : {}),
            resources: k8sResources(SMOKE_TEST_RESOURCES),
            securityContext: restrictedContainerSecurityContext(SMOKE_UID),
          },
        ],
      },
    },
  };
}
