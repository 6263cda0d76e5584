/**
 * The environment's `monitoring:` block: the settings every alert and dashboard of the environment
 * gets (the `cdk8s-trading:monitoring` context of its chart), with the tier's default severity.
 */
import { ObservabilityOptions, validateObservabilityOptions } from '../../monitoring/settings';
import { Problem } from '../../core/validation';
import { TIER_DEFAULTS } from '../tiers';
import type { EnvironmentConfig } from '../types';

/** Where each option is written in the file. */
const FILE_FIELDS: Readonly<Record<keyof ObservabilityOptions, string>> = {
  environment: 'monitoring.environment',
  runbookBaseUrl: 'monitoring.runbookBaseUrl',
  warningOnly: 'monitoring.warningOnly',
  dashboardFolder: 'monitoring.dashboards.folder',
  dashboardFolderAnnotation: 'monitoring.dashboards.folderAnnotation',
};

function written(env: EnvironmentConfig): ObservabilityOptions {
  const m = env.monitoring ?? {};
  return {
    environment: m.environment,
    runbookBaseUrl: m.runbookBaseUrl,
    warningOnly: m.warningOnly,
    dashboardFolder: m.dashboards?.folder,
    dashboardFolderAnnotation: m.dashboards?.folderAnnotation,
  };
}

/** Problems of the `monitoring:` block, at their fields in the file. */
export function monitoringProblems(env: EnvironmentConfig): Problem[] {
  return validateObservabilityOptions(written(env)).map((p) => ({ field: FILE_FIELDS[p.field as keyof ObservabilityOptions] ?? 'monitoring', message: p.message }));
}

/**
 * The settings of the environment named `name`: what the file says (fields with problems left out, they
 * are reported by `monitoringProblems`), else the environment's name as its label and the tier's severity.
 */
export function environmentObservability(env: EnvironmentConfig, name: string): ObservabilityOptions {
  const options: ObservabilityOptions = {
    ...written(env),
    environment: env.monitoring?.environment ?? name,
    warningOnly: env.monitoring?.warningOnly ?? TIER_DEFAULTS[env.tier].monitoring.warningOnly,
  };
  const bad = new Set(validateObservabilityOptions(options).map((p) => p.field));
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => v !== undefined && !bad.has(k))) as ObservabilityOptions;
}
