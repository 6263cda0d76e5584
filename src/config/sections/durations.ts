/**
 * Times in environment files are whole seconds in keys named `…Seconds` (`drainSeconds: 10`) or Go
 * duration strings where Kubernetes tools use them (`interval: 30s`); props take a cdk8s `Duration`.
 */
import { Duration } from 'cdk8s';
import { parseDurationText } from '../../core/duration';
import { checkDuration } from '../../core/rules';
import { ProblemCollector } from '../../core/validation';
import { AnalysisOptions } from '../../rollouts/analysis';
import { SmokeTestOptions } from '../../trading-backend/smoke-test';
import type { AnalysisConfig, SmokeTestConfig } from '../types';

/** The key of the file a Duration prop stands for (`rollout.drain` → `rollout.drainSeconds`). */
export function secondsField(propField: string): string {
  return propField.replace(/\b(minReady|drain|terminationGracePeriod|startupTimeout|activeDeadline|backupTimeout|scaleDownDelay|timeout)$/, '$1Seconds');
}

/** `n` seconds, when given. */
export function seconds(n: number | undefined): Duration | undefined {
  return n === undefined ? undefined : Duration.seconds(n);
}

/** A duration string of the file (`30s`, `5m`) as a Duration; a malformed one is a problem at `field`. */
export function durationOf(c: ProblemCollector, field: string, text: string | undefined): Duration | undefined {
  if (text === undefined) return undefined;
  if (c.check(field, checkDuration(text)) !== undefined) return undefined;
  return parseDurationText(text);
}

/** The analysis block of a release. */
export function analysisOf(c: ProblemCollector, field: string, a: AnalysisConfig | undefined): AnalysisOptions | undefined {
  if (a === undefined) return undefined;
  const { interval, initialDelay, ...rest } = a;
  return { ...rest, interval: durationOf(c, `${field}.interval`, interval), initialDelay: durationOf(c, `${field}.initialDelay`, initialDelay) };
}

/** The smoke check block of a release. */
export function smokeTestOf(s: SmokeTestConfig | undefined): SmokeTestOptions | undefined {
  if (s === undefined) return undefined;
  const { timeoutSeconds, ...rest } = s;
  return { ...rest, timeout: seconds(timeoutSeconds) };
}
