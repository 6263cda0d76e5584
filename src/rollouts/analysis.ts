import { FieldPath } from '../core/field-path';
import { Duration } from 'cdk8s';
import { checkDurationRange, durationText, wholeSeconds } from '../core/duration';
import { checkDnsLabel, checkInteger } from '../core/value-rules';
import { Problem, ProblemCollector, show } from '../core/problems';
import { DEFAULT_HTTP_METRICS, HttpMetrics } from '../monitoring/http-metrics';
import { checkPrometheusAddress, DEFAULT_PROMETHEUS_ADDRESS, DEFAULT_SCRAPE_INTERVAL } from '../monitoring/settings';

/** The window of the `rate(...)` in every Prometheus query of the analysis. */
export const RATE_WINDOW = Duration.minutes(2);

/** Default `inconclusiveLimit` of the canary's background analysis, which has no `count`. */
export const DEFAULT_BACKGROUND_INCONCLUSIVE_LIMIT = 3;

/** The names of the built-in metrics of the analysis templates (and of the smoke check's `job` metric): a custom metric needs another. */
export const BUILT_IN_METRIC_NAMES: readonly string[] = ['success-rate', 'latency-p95', 'smoke-test'];

/** The arguments every analysis template takes, which a custom query may use as `{{args.<name>}}`. */
export const ANALYSIS_ARGS: readonly string[] = ['namespace', 'service-name', 'pod-template-hash'];

/**
 * A metric of your own in the release analysis: a Prometheus query judged by Argo Rollouts conditions,
 * measured beside the built-in ones in the same AnalysisTemplate(s), against the same Prometheus. It fails
 * closed like them: a measurement with no series or a NaN value is inconclusive, never a success, whatever
 * the conditions say.
 */
export interface CustomAnalysisMetric {
  /** Name of the metric in the AnalysisTemplate: an RFC 1123 label, unique, not a built-in metric's (`success-rate`, `latency-p95`, `smoke-test`). */
  readonly name: string;
  /**
   * PromQL query returning an instant vector; Argo Rollouts hands its values to the conditions as the list
   * `result` (`result[0]` is the first series' value). `{{args.namespace}}`, `{{args.service-name}}` and
   * `{{args.pod-template-hash}}` select the new version's pods, as the built-in queries do.
   */
  readonly query: string;
  /**
   * Condition (Argo Rollouts' expr language) a measured value must meet to pass, like `result[0] < 0.05`.
   * Alone, a value that misses it fails. @default - the negation of `failureCondition`
   */
  readonly successCondition?: string;
  /**
   * Condition under which a measured value fails, like `result[0] >= 0.05`. Alone, a value that does not meet it passes.
   * @default - the negation of `successCondition`
   */
  readonly failureCondition?: string;
  /** Time between measurements (1 s to 1 h). @default - the analysis's `interval` */
  readonly interval?: Duration;
  /** Measurements per bounded run (analysis steps, blue-green analysis). @default - the analysis's `count` */
  readonly count?: number;
  /** Failed measurements tolerated before the run fails. @default - the analysis's `failureLimit` */
  readonly failureLimit?: number;
}

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
  /** Metrics of your own, measured beside the built-in ones and failing closed like them. @default - none */
  readonly customMetrics?: CustomAnalysisMetric[];
}

/** The resolved analysis settings; `initialDelay` is `undefined` for none. */
export type ResolvedAnalysis = Required<Omit<AnalysisOptions, 'maxLatencyP95Seconds' | 'interval' | 'initialDelay' | 'customMetrics'>> & {
  maxLatencyP95Seconds: number | undefined;
  interval: string;
  initialDelay: string | undefined;
  /** The names of the service's HTTP metrics the queries read. */
  http: HttpMetrics;
  /** The custom metrics, each with its limits resolved. */
  customMetrics: ResolvedCustomMetric[];
};

/** A custom metric with its interval (as text), count and failure limit resolved. */
export interface ResolvedCustomMetric {
  readonly name: string;
  readonly query: string;
  readonly successCondition: string | undefined;
  readonly failureCondition: string | undefined;
  readonly interval: string;
  readonly count: number;
  readonly failureLimit: number;
}

/** Fills in the defaults; the default initial delay is the rate window plus the service's scrape interval. */
export function resolveAnalysis(
  o: AnalysisOptions,
  defaultLatency: number | undefined,
  scrapeInterval: Duration = DEFAULT_SCRAPE_INTERVAL,
  defaultPrometheusAddress: string = DEFAULT_PROMETHEUS_ADDRESS,
  http: HttpMetrics = DEFAULT_HTTP_METRICS,
): ResolvedAnalysis {
  const initialDelay = o.initialDelay ?? Duration.seconds(wholeSeconds(RATE_WINDOW) + wholeSeconds(scrapeInterval));
  const interval = o.interval ? durationText(o.interval) : '1m';
  const count = o.count ?? 5;
  const failureLimit = o.failureLimit ?? 1;
  return {
    successRate: o.successRate ?? 0.99,
    maxLatencyP95Seconds: o.maxLatencyP95Seconds ?? defaultLatency,
    interval,
    initialDelay: wholeSeconds(initialDelay) > 0 ? durationText(initialDelay) : undefined,
    count,
    failureLimit,
    inconclusiveLimit: o.inconclusiveLimit ?? 1,
    backgroundInconclusiveLimit: o.backgroundInconclusiveLimit ?? DEFAULT_BACKGROUND_INCONCLUSIVE_LIMIT,
    prometheusAddress: o.prometheusAddress ?? defaultPrometheusAddress,
    http,
    customMetrics: (o.customMetrics ?? []).map((m) => ({
      name: m.name,
      query: m.query,
      successCondition: m.successCondition,
      failureCondition: m.failureCondition,
      interval: m.interval ? durationText(m.interval) : interval,
      count: m.count ?? count,
      failureLimit: m.failureLimit ?? failureLimit,
    })),
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
  if (o.customMetrics !== undefined) c.add(validateCustomMetrics(o.customMetrics, o, path.child('customMetrics')));
  return [...c.problems];
}

/** Problems with custom metrics: names, queries, conditions and limits, each at its index of `path`. */
function validateCustomMetrics(metrics: readonly CustomAnalysisMetric[], o: AnalysisOptions, path: FieldPath): Problem[] {
  const c = new ProblemCollector();
  if (!Array.isArray(metrics)) return [{ field: String(path), message: `${show(metrics)} must be a list of metrics` }];
  const seen = new Set<string>();
  metrics.forEach((m, i) => {
    const at = path.index(i);
    if (m === null || typeof m !== 'object') {
      c.check(at, `${show(m)} must be a metric with a name, a query and a successCondition or failureCondition`);
      return;
    }
    const nameProblem = c.check(at.child('name'), checkDnsLabel(m.name));
    if (nameProblem === undefined && BUILT_IN_METRIC_NAMES.includes(m.name)) {
      c.check(at.child('name'), `${show(m.name)} is the name of a built-in metric (${BUILT_IN_METRIC_NAMES.join(', ')}): choose another`);
    } else if (nameProblem === undefined && seen.has(m.name)) {
      c.check(at.child('name'), `${show(m.name)} names two custom metrics: each needs its own name`);
    }
    if (typeof m.name === 'string') seen.add(m.name);
    c.check(at.child('query'), checkQuery(m.query));
    if (m.successCondition === undefined && m.failureCondition === undefined) {
      c.check(at, 'needs a successCondition or a failureCondition (or both), like successCondition: "result[0] < 0.05"');
    }
    for (const key of ['successCondition', 'failureCondition'] as const) {
      if (m[key] !== undefined) c.check(at.child(key), checkCondition(m[key]));
    }
    if (m.interval !== undefined) c.check(at.child('interval'), checkDurationRange(m.interval, 1, 3600));
    if (m.count !== undefined) c.check(at.child('count'), checkInteger(m.count, 1, 100));
    if (m.failureLimit !== undefined) c.check(at.child('failureLimit'), checkInteger(m.failureLimit, 0, 100));
    if ((m.count !== undefined || m.failureLimit !== undefined) && checkInteger(m.count ?? 1, 1, 100) === undefined) {
      // The same rule as the built-in metrics' limits: a run must not be able to succeed without one good value.
      const count = m.count ?? o.count ?? 5;
      const failureLimit = m.failureLimit ?? o.failureLimit ?? 1;
      const inconclusiveLimit = o.inconclusiveLimit ?? 1;
      if (checkInteger(failureLimit, 0, 100) === undefined && failureLimit + inconclusiveLimit >= count) {
        c.check(
          at.child(m.count !== undefined ? 'count' : 'failureLimit'),
          `${show(m.count !== undefined ? count : failureLimit)} lets a run of ${count} measurements succeed without one good value ` +
            `(failureLimit ${failureLimit} + inconclusiveLimit ${inconclusiveLimit} >= count ${count}): raise count or lower failureLimit`,
        );
      }
    }
  });
  return [...c.problems];
}

/** A query Argo Rollouts can run: non-empty, and only the template's own `{{args.<name>}}` placeholders (another fails the run). */
function checkQuery(query: unknown): string | undefined {
  if (typeof query !== 'string' || query.trim() === '') return `${show(query)} must be a PromQL query, like "sum(rate(orders_failed_total[2m]))"`;
  for (const [, arg] of query.matchAll(/\{\{\s*args\.([^}\s]*)\s*\}\}/g)) {
    if (!ANALYSIS_ARGS.includes(arg)) {
      return `${show(`{{args.${arg}}}`)} is not an argument of the analysis template: use ${ANALYSIS_ARGS.map((a) => `{{args.${a}}}`).join(', ')}`;
    }
  }
  return undefined;
}

/** A condition that judges the measurement: non-empty, and reading `result` (a condition that does not is a constant). */
function checkCondition(condition: unknown): string | undefined {
  if (typeof condition !== 'string' || condition.trim() === '') return `${show(condition)} must be a condition on result, like "result[0] < 0.05"`;
  if (!/\bresult\b/.test(condition))
    return `${show(condition)} does not read result, so it would judge every measurement alike: compare result[0], like "result[0] < 0.05"`;
  return undefined;
}
