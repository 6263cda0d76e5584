/**
 * A tiny evaluator of Argo Rollouts analysis conditions (the subset of expr this library writes:
 * `len(result)`, `isNaN(...)`, `result[0]`, comparisons, `!`, `&&`, `||`), to ask what a metric decides
 * for a measurement, in particular for one without data.
 */

/** What a metric's conditions decide for a measured `result`: Argo's successful, failed or inconclusive. */
export function decide(metric: { readonly successCondition?: string; readonly failureCondition?: string }, result: readonly number[]): 'Successful' | 'Failed' | 'Inconclusive' {
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
