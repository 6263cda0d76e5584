import { FieldPath } from '../core/field-path';
import { Duration } from 'cdk8s';
import { checkDurationRange, durationText, wholeSeconds } from '../core/duration';
import { checkInteger } from '../core/value-rules';
import { Problem, ProblemCollector, show } from '../core/problems';
import { DEFAULT_HTTP_METRICS, HttpMetrics } from '../monitoring/http-metrics';
import { checkPrometheusAddress, DEFAULT_PROMETHEUS_ADDRESS, DEFAULT_SCRAPE_INTERVAL } from '../monitoring/settings';

/** The window of the `rate(...)` in every Prometheus query of the analysis. */
export const RATE_WINDOW = Duration.minutes(2);

/** Default `inconclusiveLimit` of the canary's background analysis, which has no `count`. */
export const DEFAULT_BACKGROUND_INCONCLUSIVE_LIMIT = 3;

/**
 * Automatic analysis of a release by Prometheus queries (Argo Rollouts AnalysisTemplate). It fails
 * closed: a measurement without data (no series, or NaN) is inconclusive, never a success.
 */
export interface AnalysisOptions {
  /** Lowest acceptable share of non-5xx responses, from 0 (exclusive) to 1. @default 0.99 */
  readonly successRate?: number;
  /** Highest acceptable p95 latency in seconds (canary only; omit to skip). @default - 1 for canaries, not checked for blue-green */
  readonly maxLatencyP95Seconds?: number;
  /** Time between measurements (1 s to 1 h). @default Duration.minutes(1) */
  readonly interval?: Duration;
  /**
   * Measurements per analysis run (blue-green post-promotion and canary analysis steps; background analysis runs until the rollout ends). @default 5
   */
  readonly count?: number;
  /** Failed measurements tolerated before the run fails and the release is aborted. @default 1 */
  readonly failureLimit?: number;
  /**
   * Measurements without data (no series yet, or NaN) tolerated before the run is inconclusive and the
   * rollout pauses for a human to promote or abort. A run never succeeds without a measured value:
   * `failureLimit + inconclusiveLimit` must stay below `count`. @default 1
   */
  readonly inconclusiveLimit?: number;
  /**
   * Time each Prometheus metric waits before its first measurement (Argo Rollouts `initialDelay`; 0 s to 1 h,
   * 0 to measure at once). A new ReplicaSet has no samples in the query's 2-minute rate window at first, so
   * measuring at once would spend the inconclusive allowance on a certainty.
   * @default - the rate window plus one scrape interval: 2m30s with the default 30 s scrape interval
   */
  readonly initialDelay?: Duration;
  /**
   * `inconclusiveLimit` of the canary's background analysis, which runs until the rollout ends (no `count`)
   * and so meets every quiet minute of the canary: a run that reaches it pauses for a human, it never succeeds
   * on no data. Canary only. @default 3
   */
  readonly backgroundInconclusiveLimit?: number;
  /** Prometheus the controller queries. @default - the environment's (`ObservabilityOptions.prometheusAddress`), else 'http://prometheus-operated.monitoring.svc:9090' */
  readonly prometheusAddress?: string;
}

/** The resolved analysis settings; `initialDelay` is `undefined` for none. */
export type ResolvedAnalysis = Required<Omit<AnalysisOptions, 'maxLatencyP95Seconds' | 'interval' | 'initialDelay'>> & {
  maxLatencyP95Seconds: number | undefined;
  interval: string;
  initialDelay: string | undefined;
  /** The names of the service's HTTP metrics the queries read. */
  http: HttpMetrics;
};

/** Fills in the defaults; the default initial delay is the rate window plus the service's scrape interval. */
export function resolveAnalysis(
  o: AnalysisOptions,
  defaultLatency: number | undefined,
  scrapeInterval: Duration = DEFAULT_SCRAPE_INTERVAL,
  defaultPrometheusAddress: string = DEFAULT_PROMETHEUS_ADDRESS,
  http: HttpMetrics = DEFAULT_HTTP_METRICS,
): ResolvedAnalysis {
  const initialDelay = o.initialDelay ?? Duration.seconds(wholeSeconds(RATE_WINDOW) + wholeSeconds(scrapeInterval));
  return {
    successRate: o.successRate ?? 0.99,
    maxLatencyP95Seconds: o.maxLatencyP95Seconds ?? defaultLatency,
    interval: o.interval ? durationText(o.interval) : '1m',
    initialDelay: wholeSeconds(initialDelay) > 0 ? durationText(initialDelay) : undefined,
    count: o.count ?? 5,
    failureLimit: o.failureLimit ?? 1,
    inconclusiveLimit: o.inconclusiveLimit ?? 1,
    backgroundInconclusiveLimit: o.backgroundInconclusiveLimit ?? DEFAULT_BACKGROUND_INCONCLUSIVE_LIMIT,
    prometheusAddress: o.prometheusAddress ?? defaultPrometheusAddress,
    http,
  };
}

/** Problems with analysis options (thresholds out of range and the like). */
export function validateAnalysisOptions(o: AnalysisOptions, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  if (o.successRate !== undefined && !(typeof o.successRate === 'number' && o.successRate > 0 && o.successRate <= 1)) {
    c.check(path.child('successRate'), `${show(o.successRate)} is out of range: use a share above 0 and at most 1, like 0.99 for 99 %`);
  }
  if (
    o.maxLatencyP95Seconds !== undefined &&
    !(typeof o.maxLatencyP95Seconds === 'number' && o.maxLatencyP95Seconds > 0 && o.maxLatencyP95Seconds <= 60)
  ) {
    c.check(path.child('maxLatencyP95Seconds'), `${show(o.maxLatencyP95Seconds)} is out of range: use seconds above 0 and at most 60, like 1`);
  }
  if (o.interval !== undefined) c.check(path.child('interval'), checkDurationRange(o.interval, 1, 3600));
  if (o.count !== undefined) c.check(path.child('count'), checkInteger(o.count, 1, 100));
  if (o.failureLimit !== undefined) c.check(path.child('failureLimit'), checkInteger(o.failureLimit, 0, 100));
  if (o.inconclusiveLimit !== undefined) c.check(path.child('inconclusiveLimit'), checkInteger(o.inconclusiveLimit, 0, 100));
  if (o.initialDelay !== undefined) c.check(path.child('initialDelay'), checkDurationRange(o.initialDelay, 0, 3600));
  if (o.backgroundInconclusiveLimit !== undefined)
    c.check(path.child('backgroundInconclusiveLimit'), checkInteger(o.backgroundInconclusiveLimit, 0, 100));
  if (typeof o.count === 'number' && typeof o.failureLimit === 'number' && o.failureLimit >= o.count) {
    c.check(path.child('failureLimit'), `${show(o.failureLimit)} must be below count (${o.count}), or the analysis can never fail`);
  } else if (c.problems.length === 0) {
    // Argo Rollouts calls a run successful once `count` measurements are taken within the limits: if the
    // limits could absorb every measurement, a run without a single good value would pass.
    const r = resolveAnalysis(o, undefined);
    if (r.failureLimit + r.inconclusiveLimit >= r.count) {
      c.check(
        path.child(o.inconclusiveLimit !== undefined ? 'inconclusiveLimit' : 'count'),
        `${show(o.inconclusiveLimit !== undefined ? r.inconclusiveLimit : r.count)} lets a run of ${r.count} measurements succeed without one good value ` +
          `(failureLimit ${r.failureLimit} + inconclusiveLimit ${r.inconclusiveLimit} >= count ${r.count}): raise count or lower the limits`,
      );
    }
  }
  if (o.prometheusAddress !== undefined) c.check(path.child('prometheusAddress'), checkPrometheusAddress(o.prometheusAddress));
  return [...c.problems];
}
