/**
 * A tiny evaluator of Argo Rollouts analysis conditions (the subset of expr this library writes:
 * `len(result)`, `isNaN(...)`, `result[0]`, comparisons, `!`, `&&`, `||`), to ask what a metric decides
 * for a measurement, in particular for one without data.
 */

/** What a metric's conditions decide for a measured `result`: Argo's successful, failed or inconclusive. */
export function decide(
  metric: { readonly successCondition?: string; readonly failureCondition?: string },
  result: readonly number[],
): 'Successful' | 'Failed' | 'Inconclusive' {
  const holds = (condition: string): boolean => {
    if (!/^[\s\w.()[\]!&|<>=]+$/.test(condition)) throw new Error(`unexpected condition syntax: ${condition}`);
    const js = condition.replace(/len\((\w+)\)/g, '$1.length');
    return Boolean(new Function('result', 'isNaN', `return (${js});`)(result, Number.isNaN));
  };
  // As Argo Rollouts' evaluate.EvaluateResult: a failure wins; with only a success condition anything
  // else fails, with only a failure condition anything else succeeds (and with none, everything does);
  // with both, a measurement meeting neither is inconclusive.
  const success = metric.successCondition === undefined ? undefined : holds(metric.successCondition);
  const failure = metric.failureCondition === undefined ? undefined : holds(metric.failureCondition);
  if (failure === true || (success === false && failure === undefined)) return 'Failed';
  if (success === true || success === undefined) return 'Successful';
  return 'Inconclusive';
}

/** Measurements without data: no series, or a NaN (0/0 when nothing was requested). */
export const NO_DATA: ReadonlyArray<readonly number[]> = [[], [Number.NaN]];

/** Seconds of a Go duration text (`1m`, `2m30s`); 0 for none. */
export function durationSeconds(text: string | undefined): number {
  if (text === undefined) return 0;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1 };
  return [...text.matchAll(/(\d+)(h|m|s)/g)].reduce((sum, [, n, u]) => sum + Number(n) * unit[u], 0);
}

/** The limits and timing of a metric, as the AnalysisTemplate writes them. */
export interface MetricSpec {
  readonly successCondition?: string;
  readonly failureCondition?: string;
  readonly initialDelay?: string;
  readonly interval?: string;
  readonly count?: number | string;
  readonly failureLimit?: number | string;
  readonly inconclusiveLimit?: number | string;
}

/**
 * What Argo Rollouts makes of one metric of a run (as its analysis controller: the first measurement
 * after `initialDelay`, then one every `interval`, until `count` when there is one; after each, more
 * failures than `failureLimit` fail the metric, more inconclusive measurements than `inconclusiveLimit`
 * (counted over the whole run, not consecutively) make it inconclusive, and `count` measurements within
 * the limits are a success). `measure(t)` is the query's result `t` seconds after the run started; the
 * answer is the phase at `until` seconds: `Running` when nothing has decided yet.
 */
export function runMetric(
  metric: MetricSpec,
  measure: (t: number) => readonly number[],
  until: number,
): 'Successful' | 'Failed' | 'Inconclusive' | 'Running' {
  const interval = durationSeconds(metric.interval ?? '1m');
  let failed = 0;
  let inconclusive = 0;
  let taken = 0;
  for (let t = durationSeconds(metric.initialDelay); t <= until; t += interval) {
    const phase = decide(metric, measure(t));
    taken += 1;
    if (phase === 'Failed') failed += 1;
    if (phase === 'Inconclusive') inconclusive += 1;
    if (inconclusive > Number(metric.inconclusiveLimit ?? 0)) return 'Inconclusive';
    if (failed > Number(metric.failureLimit ?? 0)) return 'Failed';
    if (metric.count !== undefined && taken >= Number(metric.count)) return 'Successful';
  }
  return 'Running';
}

/**
 * The success rate Prometheus reports for a new ReplicaSet that starts taking traffic when the run starts:
 * no series until two scrapes fell into the rate window (`[]`), then `value`, except during `quiet`
 * spans ([from, to) in seconds) when the window holds no request (0/0, `NaN`).
 */
export function newReplicaSet(
  o: { scrapeSeconds?: number; value?: number; quiet?: ReadonlyArray<readonly [number, number]> } = {},
): (t: number) => readonly number[] {
  const firstRate = 2 * (o.scrapeSeconds ?? 30);
  return (t) => {
    if (t < firstRate) return [];
    if ((o.quiet ?? []).some(([from, to]) => t >= from && t < to)) return [Number.NaN];
    return [o.value ?? 0.995];
  };
}
