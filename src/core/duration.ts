/**
 * Durations: every time in props is a cdk8s `Duration` (`Duration.seconds(10)`, `Duration.minutes(5)`).
 * Kubernetes takes whole seconds (`terminationGracePeriodSeconds`) or Go duration strings (`interval:
 * 30s`); these helpers check a Duration and render it either way.
 */
import { Duration } from 'cdk8s';
import { checkDuration } from './rules';

/** Whole seconds of `d` (callers check first that it is whole). */
export function wholeSeconds(d: Duration): number {
  return Math.round(d.toMilliseconds() / 1000);
}

/** The shortest Go-style text of a whole number of seconds: `30s`, `5m`, `1h`. */
export function durationText(d: Duration): string {
  const s = wholeSeconds(d);
  if (s > 0 && s % 3600 === 0) return `${s / 3600}h`;
  if (s > 0 && s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** A Go-style duration text (`30s`, `5m`, `1h`) as a Duration; `undefined` when it is not one. */
export function parseDurationText(text: string): Duration | undefined {
  if (checkDuration(text) !== undefined) return undefined;
  const m = /^(\d+)(ms|s|m|h)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'h' ? Duration.hours(n) : m[2] === 'm' ? Duration.minutes(n) : m[2] === 's' ? Duration.seconds(n) : Duration.millis(n);
}

/** A Duration of whole seconds from `minSeconds` to `maxSeconds`; the message names both ends. */
export function checkDurationRange(value: unknown, minSeconds: number, maxSeconds: number): string | undefined {
  if (!(value instanceof Duration)) return `${JSON.stringify(value) ?? String(value)} is not a Duration: use Duration.seconds(n), Duration.minutes(n) or Duration.hours(n)`;
  const ms = value.toMilliseconds();
  const range = `${durationText(Duration.seconds(minSeconds))} to ${durationText(Duration.seconds(maxSeconds))}`;
  if (ms % 1000 !== 0) return `${ms} ms is not a whole number of seconds: use ${range}`;
  const s = ms / 1000;
  return s < minSeconds || s > maxSeconds ? `${durationText(value)} is out of range: use ${range}` : undefined;
}
