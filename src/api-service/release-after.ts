/**
 * A staged release across services: a service that releases only after another one has been
 * healthy for a while (a frontend after its API). The later service's workloads move to the staged
 * waves (Argo CD) and stages (Flux), behind a wait Job that polls the first service's readiness path
 * through its Service for the stabilization period and fails on the first answer that is not 2xx.
 */
import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { checkDurationRange, wholeSeconds } from '../core/duration';
import { FieldPath } from '../core/field-path';
import { INetworkPeer } from '../core/network-peer';
import { PodPlacement } from '../core/placement';
import { Problem, ProblemCollector } from '../core/problems';
import { checkImage } from '../core/value-rules';
import { ResourceRequirements } from '../core/resources';
import { curlJobSpec, DEFAULT_SMOKE_TEST_IMAGE, SMOKE_TEST_RESOURCES } from './smoke-test';

/** How a service releases after another. */
export interface ReleaseAfterOptions {
  /**
   * How long the first service must answer its readiness path, through its Service, before this one
   * is released (0 s to 5 min, so the wait ends within Flux's default 10-minute stage timeout; 0: only the
   * order, no wait).
   * @default Duration.seconds(60)
   */
  readonly stabilization?: Duration;
  /** Image of the wait Job, with `sh`, `date`, `sleep` and `curl` (pinned by tag or digest). @default DEFAULT_SMOKE_TEST_IMAGE */
  readonly image?: string;
}

/** What a service that releases later needs of the one it waits for. */
export interface ReleaseCheckpoint {
  /** The name of the service, and of the Service that carries its traffic. */
  readonly name: string;
  /** The HTTP port of that Service. */
  readonly port: number;
  /** The readiness path the wait polls. */
  readonly readinessPath: string;
  /** The service it itself releases after, if any. */
  readonly releasesAfter: string | undefined;
  /**
   * A text that changes whenever the service's pods change: the wait Job carries it, so each release of
   * the first service runs the wait again (Flux applies the wait's stage with `force`).
   */
  revision(): string;
  /** Admits `peer` (the wait Job's pods) to the HTTP port. */
  admit(peer: INetworkPeer): void;
}

/**
 * The longest stabilization period: the wait Job's deadline (the period + 2 min) stays within Flux's default
 * stage timeout (10 min), which fails a stage whose Job is still running.
 */
export const MAX_STABILIZATION_SECONDS = 300;

/** Problems with the options, at `path`; `allowLatestTag` as for the service's own images. */
export function validateReleaseAfterOptions(o: ReleaseAfterOptions, allowLatestTag: boolean, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  if (o.stabilization !== undefined)
    c.check(path.seconds('stabilization'), checkDurationRange(o.stabilization, 0, MAX_STABILIZATION_SECONDS, path.spelling));
  if (o.image !== undefined) c.check(path.child('image'), checkImage(o.image, allowLatestTag));
  return [...c.problems];
}

/** The stabilization period in seconds. */
export function stabilizationSeconds(o: ReleaseAfterOptions): number {
  return o.stabilization ? wholeSeconds(o.stabilization) : 60;
}

/** Whether a service released after another with `o` runs a wait Job (a period above 0). */
export function runsReleaseWait(o: ReleaseAfterOptions | undefined): boolean {
  return o !== undefined && stabilizationSeconds(o) > 0;
}

/** Requests and limits of the wait's curl container (the smoke check's). */
export const RELEASE_WAIT_RESOURCES: ResourceRequirements = SMOKE_TEST_RESOURCES;

/** What a wait Job is built from. */
export interface ReleaseWaitInput {
  /** The URL polled (`http://<service>:<port><readinessPath>`). */
  readonly url: string;
  readonly seconds: number;
  readonly image: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly placement: PodPlacement;
}

/** Seconds between two polls. */
const POLL_SECONDS = 5;

/**
 * The Job spec of a wait: `curl --fail` on the URL every 5 s until the period has passed; the first
 * failure (not 2xx, or no answer within 5 s) fails the Job, and with it the sync (Argo CD) or the stage
 * (Flux), so the later service is not released. Not retried: a retry would restart the period.
 */
export function releaseWaitJobSpec(i: ReleaseWaitInput): k8s.JobSpec {
  const script = [
    'end=$(( $(date +%s) + $WAIT_SECONDS ))',
    'while [ "$(date +%s)" -lt "$end" ]; do',
    `  curl --fail --silent --show-error --max-time ${POLL_SECONDS} --output /dev/null "$WAIT_URL" || exit 1`,
    `  sleep ${POLL_SECONDS}`,
    'done',
    'echo "$WAIT_URL answered for $WAIT_SECONDS s"',
  ].join('\n');
  return curlJobSpec({
    backoffLimit: 0,
    activeDeadlineSeconds: i.seconds + 120,
    labels: i.labels,
    annotations: i.annotations,
    placement: i.placement,
    container: {
      name: 'release-wait',
      image: i.image,
      command: ['sh', '-c', script],
      env: [
        { name: 'WAIT_URL', value: i.url },
        { name: 'WAIT_SECONDS', value: String(i.seconds) },
      ],
    },
  });
}

/** The default image of the wait Job. */
export const DEFAULT_RELEASE_WAIT_IMAGE = DEFAULT_SMOKE_TEST_IMAGE;
