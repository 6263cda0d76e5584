/**
 * The environment's `monitoring:` block: the settings every alert and dashboard of the environment
 * gets (the `cdk8s-trading:monitoring` context of its chart), with the tier's default severity.
 */
import { FieldPath } from '../../core/field-path';
import { Problem } from '../../core/problems';
import { ObservabilityOptions, validateObservabilityOptions } from '../../monitoring/settings';
import { TIER_DEFAULTS } from '../tiers';
import type { EnvironmentConfig } from '../types';

function written(env: EnvironmentConfig): ObservabilityOptions {
  const m = env.monitoring ?? {};
  return {
    environment: m.environment,
    runbookBaseUrl: m.runbookBaseUrl,
    warningOnly: m.warningOnly,
    dashboardFolder: m.dashboards?.folder,
    dashboardFolderAnnotation: m.dashboards?.folderAnnotation,
    prometheusAddress: m.prometheusAddress,
    httpMetrics: m.httpMetrics,
  };
}

/** Problems of the `monitoring:` block at `path`, at their fields in the file. */
export function monitoringProblems(env: EnvironmentConfig, path: FieldPath): Problem[] {
  return validateObservabilityOptions(written(env), path, path.child('dashboards'));
}

/**
 * The settings of the environment named `name`: what the file says (checked by `monitoringProblems`
 * before anything is built), else the environment's name as its label and the tier's severity.
 */
export function environmentObservability(env: EnvironmentConfig, name: string): ObservabilityOptions {
  const options: ObservabilityOptions = {
    ...written(env),
    environment: env.monitoring?.environment ?? name,
    warningOnly: env.monitoring?.warningOnly ?? TIER_DEFAULTS[env.tier].monitoring.warningOnly,
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ObservabilityOptions;
}
