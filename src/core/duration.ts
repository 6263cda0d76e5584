/**
 * Durations: every time in props is a cdk8s `Duration` (`Duration.seconds(10)`, `Duration.minutes(5)`).
 * Kubernetes takes whole seconds (`terminationGracePeriodSeconds`) or Go duration strings (`interval:
 * 30s`); these helpers check a Duration and render it either way.
 */
import { Duration } from 'cdk8s';
import { checkDuration } from './value-rules';
import type { FieldSpelling } from './field-path';

/** Whole seconds of `d` (callers check first that it is whole). */
export function wholeSeconds(d: Duration): number {
  return Math.round(d.toMilliseconds() / 1000);
}

/** The shortest Go-style text of a whole number of seconds: `30s`, `5m`, `1h`, `2m30s`. */
export function durationText(d: Duration): string {
  const s = wholeSeconds(d);
  if (s === 0) return '0s';
  const parts: Array<[number, string]> = [
    [Math.floor(s / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
  return parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join('');
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go-style duration text (`30s`, `5m`, `1h`, `2m30s`) as a Duration; `undefined` when it is not one. */
export function parseDurationText(text: string): Duration | undefined {
  if (checkDuration(text) !== undefined) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h)/g)) ms += Number(n) * UNIT_MS[unit];
  return ms % 3_600_000 === 0
    ? Duration.hours(ms / 3_600_000)
    : ms % 60_000 === 0
      ? Duration.minutes(ms / 60_000)
      : ms % 1000 === 0
        ? Duration.seconds(ms / 1000)
        : Duration.millis(ms);
}

/** A cdk8s Duration, not what a JavaScript caller may pass instead (`'30s'`, `30`). */
export function checkIsDuration(value: unknown): string | undefined {
  return value instanceof Duration
    ? undefined
    : `${JSON.stringify(value) ?? String(value)} is not a Duration: use Duration.seconds(n), Duration.minutes(n) or Duration.hours(n)`;
}

/**
 * A Duration of whole seconds from `minSeconds` to `maxSeconds`; the message names both ends as the user wrote
 * the value: Durations in props (`5m`), whole seconds in a file's `…Seconds` key (`spelling` 'file': `300`).
 */
export function checkDurationRange(value: unknown, minSeconds: number, maxSeconds: number, spelling: FieldSpelling = 'props'): string | undefined {
  if (!(value instanceof Duration)) return checkIsDuration(value);
  const ms = value.toMilliseconds();
  const text = (n: number): string => durationText(Duration.seconds(n));
  const range =
    spelling === 'file'
      ? `${minSeconds} to ${maxSeconds} seconds${maxSeconds >= 60 ? ` (${text(maxSeconds)})` : ''}`
      : `${text(minSeconds)} to ${text(maxSeconds)}`;
  if (ms % 1000 !== 0) return `${ms} ms is not a whole number of seconds: use ${range}`;
  const s = ms / 1000;
  return s < minSeconds || s > maxSeconds ? `${spelling === 'file' ? s : durationText(value)} is out of range: use ${range}` : undefined;
}
