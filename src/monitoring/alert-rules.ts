/**
 * Prometheus alerting rules as this library writes them: every rule carries `severity`, the subject
 * (`service` or `cluster`), `environment`, a `summary`, a `description` and a `runbook_url`; in a
 * warning-only environment nothing is critical.
 */
import type { ObservabilitySettings } from './settings';

/** A Prometheus alerting rule (a PrometheusRule `spec.groups[].rules[]` entry). */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** A PrometheusRule `spec.groups[]` entry. */
export interface AlertRuleGroup {
  readonly name: string;
  readonly rules: AlertRule[];
}

/** How loud an alert is: `critical` pages, `warning` notifies. */
export type Severity = 'critical' | 'warning';

/** One alert before the environment's labels and runbook are added. */
export interface AlertSpec {
  /** Alert name, the same for every service or cluster (the subject is a label); also the runbook anchor. */
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold (`5m`; `0m` fires at once). */
  readonly for: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly description: string;
}

/** The runbook of `alert`: the base URL followed by the alert's name in lower case. */
export function runbookUrl(base: string, alert: string): string {
  return `${base}${alert.toLowerCase()}`;
}

/**
 * The rules of `specs`, labelled with `subject` (`{ service: 'trading-api' }` or `{ cluster: 'trading-db' }`),
 * the environment and the severity (critical becomes warning when the settings say warning-only), with
 * the runbook URL.
 */
export function alertRules(specs: readonly AlertSpec[], subject: Record<string, string>, s: ObservabilitySettings): AlertRule[] {
  return specs.map((spec) => ({
    alert: spec.alert,
    expr: spec.expr,
    for: spec.for,
    labels: { severity: s.warningOnly ? 'warning' : spec.severity, ...subject, environment: s.environment },
    annotations: { summary: spec.summary, description: spec.description, runbook_url: runbookUrl(s.runbookBaseUrl, spec.alert) },
  }));
}
