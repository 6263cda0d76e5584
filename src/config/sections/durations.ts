/**
 * Times in environment files are whole seconds in keys named `…Seconds` (`drainSeconds: 10`) or Go
 * duration strings where Kubernetes tools use them (`interval: 30s`); props take a cdk8s `Duration`.
 */
import { Duration } from 'cdk8s';
import { parseDurationText } from '../../core/duration';
import { FieldPath } from '../../core/field-path';
import { checkDuration } from '../../core/value-rules';
import { ProblemCollector } from '../../core/problems';
import { AnalysisOptions } from '../../rollouts/analysis';
import { SmokeTestOptions } from '../../api-service/smoke-test';
import type { AnalysisConfig, SmokeTestConfig } from '../types';

/** `n` seconds, when given. */
export function seconds(n: number | undefined): Duration | undefined {
  return n === undefined ? undefined : Duration.seconds(n);
}

/** A duration string of the file (`30s`, `5m`) as a Duration; a malformed one is a problem at `path`. */
export function durationOf(c: ProblemCollector, path: FieldPath, text: string | undefined): Duration | undefined {
  if (text === undefined) return undefined;
  if (c.check(path, checkDuration(text)) !== undefined) return undefined;
  return parseDurationText(text);
}

/** The analysis block at `path` of a release. */
export function analysisOf(c: ProblemCollector, path: FieldPath, a: AnalysisConfig | undefined): AnalysisOptions | undefined {
  if (a === undefined) return undefined;
  const { interval, initialDelay, customMetrics, ...rest } = a;
  return {
    ...rest,
    interval: durationOf(c, path.child('interval'), interval),
    initialDelay: durationOf(c, path.child('initialDelay'), initialDelay),
    ...(customMetrics === undefined
      ? {}
      : {
          customMetrics: customMetrics.map((m, i) => ({
            ...m,
            interval: durationOf(c, path.child('customMetrics').index(i).child('interval'), m.interval),
          })),
        }),
  };
}

/** The smoke check block of a release. */
export function smokeTestOf(s: SmokeTestConfig | undefined): SmokeTestOptions | undefined {
  if (s === undefined) return undefined;
  const { timeoutSeconds, ...rest } = s;
  return { ...rest, timeout: seconds(timeoutSeconds) };
}
