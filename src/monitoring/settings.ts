/**
 * What every alert and dashboard of an app, a chart or one construct is told about where it runs: the
 * environment it names, where its runbooks are, whether it may page, and the Grafana folder its
 * dashboards go to. Set once with the `cdk8s-trading:monitoring` context (an environment file does it
 * for its chart) or per construct in its props; props win, field by field.
 */
import { HttpMetrics, HttpMetricsOptions, resolveHttpMetrics, validateHttpMetricsOptions } from './http-metrics';
import { FieldPath } from '../core/field-path';
import { checkUrlCredentials } from '../core/value-rules';
import { Chart, Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { contextValue, Problem, ProblemCollector, show } from '../core/problems';

/** How often Prometheus scrapes a service's pods (its PodMonitor) when `monitoring.interval` is not set. */
export const DEFAULT_SCRAPE_INTERVAL = Duration.seconds(30);

/** Where alerts and dashboards point and how loud the alerts are. */
export interface ObservabilityOptions {
  /**
   * Value of the `environment` label of every alert (`prod`, `staging-eu`), so a page says where it comes from.
   * @default - the `cdk8s-trading:monitoring` context's, else the chart's namespace, else the chart's id
   */
  readonly environment?: string;
  /**
   * Start of every rule's `runbook_url`: the URL is this followed by the alert's name in lower case, so it
   * ends in `/` (a runbook site, `https://runbooks.acme.com/trading/`) or `#` (one page with a section per alert).
   * @default - the context's, else this library's runbooks page (`DEFAULT_RUNBOOK_BASE_URL`)
   */
  readonly runbookBaseUrl?: string;
  /**
   * Emit every rule with `severity: warning` (nothing pages), so that only production pages.
   * @default - the context's, else false (environment files: true in the dev and staging tiers)
   */
  readonly warningOnly?: boolean;
  /** Grafana folder of the dashboards (the value of the folder annotation). @default - the context's, else the environment */
  readonly dashboardFolder?: string;
  /**
   * Annotation of the dashboard ConfigMaps that names their folder: the Grafana chart's
   * `sidecar.dashboards.folderAnnotation` (with `sidecar.dashboards.provider.foldersFromFilesStructure: true`).
   * @default - the context's, else 'grafana_folder'
   */
  readonly dashboardFolderAnnotation?: string;
  /**
   * Prometheus that Argo Rollouts queries in the analysis of every release (a release's own `analysis.prometheusAddress`
   * wins): users run Prometheus under different names (`http://kube-prometheus-stack-prometheus.monitoring:9090`).
   * @default - the context's, else `DEFAULT_PROMETHEUS_ADDRESS` (the prometheus-operator's `prometheus-operated` Service in `monitoring`)
   */
  readonly prometheusAddress?: string;
  /**
   * The names of the HTTP metrics the services export (a preset of their client library, or the names), read by
   * every analysis, alert and dashboard panel: Go's promhttp labels the status `code`, not `status`.
   * @default - the context's, else the `prometheus-client` preset (`http_requests_total{status}`, `http_request_duration_seconds`)
   */
  readonly httpMetrics?: HttpMetricsOptions;
}

/** The Prometheus the analyses query unless configured: the prometheus-operator's governing Service in `monitoring`. */
export const DEFAULT_PROMETHEUS_ADDRESS = 'http://prometheus-operated.monitoring.svc:9090';

/** Message for a Prometheus address that is not an http(s) URL. */
export function checkPrometheusAddress(value: unknown): string | undefined {
  return typeof value === 'string' && /^https?:\/\/[^\s]+$/.test(value)
    ? undefined
    : `${show(value)} is not a URL: use a value like "${DEFAULT_PROMETHEUS_ADDRESS}"`;
}

/** The construct-context key whose value (an `ObservabilityOptions`) applies to every construct below it. */
export const MONITORING_CONTEXT = 'cdk8s-trading:monitoring';

/** This library's repository (package.json `homepage`, without `#readme`). */
export const REPOSITORY_URL = 'https://github.com/acme-trading/cdk8s-trading';

/** The runbooks shipped with this library: one section per alert, anchored by the alert's name in lower case. */
export const DEFAULT_RUNBOOK_BASE_URL = `${REPOSITORY_URL}/blob/main/docs/runbooks.md#`;

/** The annotation the dashboards' folder is written to unless configured. */
export const DEFAULT_FOLDER_ANNOTATION = 'grafana_folder';

/** The settings of one construct, every field decided. */
export interface ObservabilitySettings {
  readonly environment: string;
  readonly runbookBaseUrl: string;
  readonly warningOnly: boolean;
  readonly dashboardFolder: string;
  readonly dashboardFolderAnnotation: string;
  readonly prometheusAddress: string;
  readonly httpMetrics: HttpMetrics;
}

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const ANNOTATION_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * Every problem of observability options at `path`; the dashboard folder and its annotation at
 * `dashboardsPath` (`folder`, `folderAnnotation`) when a file groups them, else beside the others.
 */
export function validateObservabilityOptions(o: ObservabilityOptions, path: FieldPath = FieldPath.props(), dashboardsPath?: FieldPath): Problem[] {
  const folderPath = dashboardsPath ? dashboardsPath.child('folder') : path.child('dashboardFolder');
  const annotationPath = dashboardsPath ? dashboardsPath.child('folderAnnotation') : path.child('dashboardFolderAnnotation');
  const c = new ProblemCollector();
  if (o.environment !== undefined && !(typeof o.environment === 'string' && LABEL_VALUE.test(o.environment))) {
    c.check(path.child('environment'), `${show(o.environment)} is not a label value: use up to 63 letters, digits, "-", "_" or ".", like "prod"`);
  }
  const runbookCredentials = checkUrlCredentials(o.runbookBaseUrl);
  if (runbookCredentials !== undefined) {
    c.check(path.child('runbookBaseUrl'), runbookCredentials);
  } else if (
    o.runbookBaseUrl !== undefined &&
    !(typeof o.runbookBaseUrl === 'string' && /^https?:\/\/[^\s/]+(\/[^\s]*)?[/#]$/.test(o.runbookBaseUrl))
  ) {
    c.check(
      path.child('runbookBaseUrl'),
      `${show(o.runbookBaseUrl)} is not a runbook base URL: use an http(s) URL ending in "/" or "#" (the alert's name in lower case is appended), like "https://runbooks.example.com/trading/"`,
    );
  }
  if (
    o.dashboardFolder !== undefined &&
    !(typeof o.dashboardFolder === 'string' && /^[^\u0000-\u001f]{1,100}$/.test(o.dashboardFolder) && o.dashboardFolder.trim() !== '')
  ) {
    c.check(folderPath, `${show(o.dashboardFolder)} is not a folder name: use 1 to 100 printable characters, like "Trading"`);
  }
  if (
    o.dashboardFolderAnnotation !== undefined &&
    !(typeof o.dashboardFolderAnnotation === 'string' && ANNOTATION_NAME.test(o.dashboardFolderAnnotation))
  ) {
    c.check(annotationPath, `${show(o.dashboardFolderAnnotation)} is not an annotation name: use "name" or "prefix/name", like "grafana_folder"`);
  }
  if (o.prometheusAddress !== undefined) c.check(path.child('prometheusAddress'), checkPrometheusAddress(o.prometheusAddress));
  if (o.httpMetrics !== undefined) c.add(validateHttpMetricsOptions(o.httpMetrics, path.child('httpMetrics')));
  return [...c.problems];
}

/** The keys of ObservabilityOptions, for a context written by hand. */
const OBSERVABILITY_KEYS = Object.keys({
  environment: true,
  runbookBaseUrl: true,
  warningOnly: true,
  dashboardFolder: true,
  dashboardFolderAnnotation: true,
  prometheusAddress: true,
  httpMetrics: true,
} satisfies Record<keyof ObservabilityOptions, true>);

/**
 * The settings of a construct: its own options, else the `cdk8s-trading:monitoring` context's, else the
 * defaults. A context with a wrong value is a ConfigurationError naming the context key.
 */
export function observabilityOf(scope: IConstruct, own: ObservabilityOptions = {}): ObservabilitySettings {
  const context =
    contextValue<ObservabilityOptions>(
      MONITORING_CONTEXT,
      scope.node.tryGetContext(MONITORING_CONTEXT),
      (o) => validateObservabilityOptions(o),
      true,
      OBSERVABILITY_KEYS,
    ) ?? {};
  const chart = Chart.of(scope);
  const environment = own.environment ?? context.environment ?? chart.namespace ?? chart.node.id;
  return {
    environment,
    runbookBaseUrl: own.runbookBaseUrl ?? context.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL,
    warningOnly: own.warningOnly ?? context.warningOnly ?? false,
    dashboardFolder: own.dashboardFolder ?? context.dashboardFolder ?? environment,
    dashboardFolderAnnotation: own.dashboardFolderAnnotation ?? context.dashboardFolderAnnotation ?? DEFAULT_FOLDER_ANNOTATION,
    prometheusAddress: own.prometheusAddress ?? context.prometheusAddress ?? DEFAULT_PROMETHEUS_ADDRESS,
    httpMetrics: resolveHttpMetrics(own.httpMetrics, resolveHttpMetrics(context.httpMetrics)),
  };
}
