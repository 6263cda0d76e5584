/**
 * `environments/gitops.yaml`: where dist/ lives in Git, and the Argo CD and/or Flux objects that
 * deliver every environment from it (written to dist/gitops/argocd and dist/gitops/flux).
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ChartLayout, setChartOutput } from '../gitops/chart-output';
import { parseDurationText } from '../core/duration';
import { checkDnsLabel, checkDuration, checkGitRevision, checkGitUrl, checkHttpsUrl, checkRepositoryPath } from '../core/value-rules';
import { ConfigurationError, ProblemCollector } from '../core/problems';
import { checkSecretName } from '../core/secrets';
import { ArgoCdDelivery, DeliveredEnvironment, IgnoredDifference } from '../gitops/argo-cd-delivery';
import { FluxDelivery } from '../gitops/flux-delivery';
import { APPLY_STAGES } from '../gitops/sync-waves';
import { environmentNotifications } from './sections/notifications';
import schema from './gitops.schema.json';
import { credentialProblems, inFile, parseAndCheckSchema } from './yaml-file';
import type { Environment } from './environment';
import type { GitOpsConfig } from './gitops-types';
import { TIER_DEFAULTS } from './tiers';
import { migrationRollbackJobName } from '../api-service/migration';

export type { GitOpsConfig } from './gitops-types';

/** The file name of the GitOps configuration, in environments/. It is not an environment. */
export const GITOPS_FILE = 'gitops.yaml';

/** Parses `gitops.yaml`; throws a ConfigurationError with every problem. */
export function parseGitOps(file: string, text: string): GitOpsConfig {
  const parsed = parseAndCheckSchema(text, schema);
  // A credential in any field, said with the schema's problems (a field with a problem of its own says it there).
  const pasted = credentialProblems(parsed.data, new Set(parsed.problems.map((p) => p.field)));
  if (parsed.problems.length > 0) throw new ConfigurationError(inFile(file, [...parsed.problems, ...pasted]));
  const config = parsed.data as GitOpsConfig;
  // The rules of ArgoCdDelivery/FluxDelivery, checked here so problems name this file's fields.
  const c = new ProblemCollector();
  c.check('repository', checkGitUrl(config.repository));
  if (config.revision !== undefined) c.check('revision', checkGitRevision(config.revision));
  if (config.path !== undefined) c.check('path', checkRepositoryPath(config.path.replace(/\/+$/, '')));
  if (config.project !== undefined) c.check('project', checkDnsLabel(config.project, 40));
  if (config.argocd?.namespace !== undefined) c.check('argocd.namespace', checkDnsLabel(config.argocd.namespace));
  if (config.argocd?.destinationServer !== undefined) c.check('argocd.destinationServer', checkHttpsUrl(config.argocd.destinationServer));
  if (config.flux?.namespace !== undefined) c.check('flux.namespace', checkDnsLabel(config.flux.namespace));
  if (!config.argocd && !config.flux) c.check('', 'names no delivery tool: add argocd: {} and/or flux: {}');
  if (config.flux?.interval !== undefined) c.check('flux.interval', checkDuration(config.flux.interval));
  if (config.flux?.timeout !== undefined) c.check('flux.timeout', checkDuration(config.flux.timeout));
  if (config.flux?.credentialsSecret !== undefined) c.check('flux.credentialsSecret', checkSecretName(config.flux.credentialsSecret));
  c.add(pasted.filter((p) => !c.problems.some((o) => o.field === p.field)));
  if (c.problems.length > 0) throw new ConfigurationError(inFile(file, c.problems));
  return config;
}

/**
 * What Argo CD must not compare in an environment: the HTTPRoute weights the Argo Rollouts Gateway API plugin moves,
 * and whether an operator resumed a migration's rollback Job (the Application respects ignored differences, so a sync
 * does not suspend a running down-migration again).
 */
function ignoredDifferences(environment: Environment): IgnoredDifference[] {
  const services = environment.plan.services;
  return [
    ...services
      .filter((svc) => svc.release.controllerMovesRouteWeights)
      .map((svc) => ({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: svc.name, jsonPointers: ['/spec/rules/0/backendRefs'] })),
    ...services
      .filter((svc) => svc.props.migration?.job?.rollbackCommand !== undefined)
      .map((svc) => ({ group: 'batch', kind: 'Job', name: migrationRollbackJobName(svc.name), jsonPointers: ['/spec/suspend'] })),
  ];
}

/** The output folder of the GitOps objects: `gitops/argocd` and `gitops/flux` under dist/. */
export const GITOPS_FOLDER = 'gitops';

/**
 * The GitOps charts, in `scope` (a fresh App by default): `argocd` and/or `flux`, each written flat to its
 * own folder under `gitops/`. `stageFolders` are the apply-stage folders each environment was written with.
 */
export function buildGitOps(
  config: GitOpsConfig,
  environments: readonly Environment[],
  stageFolders: ReadonlyMap<string, readonly string[]>,
  scope: Construct = new App(),
): Chart[] {
  const path = (config.path ?? 'dist').replace(/\/+$/, '');
  const delivered: DeliveredEnvironment[] = environments.map((e) => ({
    name: e.name,
    namespace: e.config.namespace,
    path: `${path}/${e.name}`,
    automated: TIER_DEFAULTS[e.config.tier].automatedSync,
    stageFolders: APPLY_STAGES.map((s) => s.folder).filter((f) => stageFolders.get(e.name)?.includes(f)),
    ignoreDifferences: ignoredDifferences(e),
    notifications: environmentNotifications(e.config),
    // Rollouts announce their own completion: with every release on one, Argo CD and Flux announce none.
    releasesOnRollouts: e.plan.services.length > 0 && e.plan.services.every((svc) => svc.release.onRollout),
  }));
  const charts: Chart[] = [];
  if (config.argocd) {
    const chart = new Chart(scope, 'argocd', { disableResourceNameHashes: true });
    setChartOutput(chart, { folder: `${GITOPS_FOLDER}/argocd`, layout: ChartLayout.FLAT });
    new ArgoCdDelivery(chart, 'Delivery', {
      repository: config.repository,
      revision: config.revision,
      project: config.project,
      argoNamespace: config.argocd.namespace,
      destinationServer: config.argocd.destinationServer,
      environments: delivered,
    });
    charts.push(chart);
  }
  if (config.flux) {
    const chart = new Chart(scope, 'flux', { disableResourceNameHashes: true });
    setChartOutput(chart, { folder: `${GITOPS_FOLDER}/flux`, layout: ChartLayout.FLAT });
    new FluxDelivery(chart, 'Delivery', {
      repository: config.repository,
      revision: config.revision,
      name: config.project,
      fluxNamespace: config.flux.namespace,
      interval: config.flux.interval === undefined ? undefined : parseDurationText(config.flux.interval),
      timeout: config.flux.timeout === undefined ? undefined : parseDurationText(config.flux.timeout),
      credentialsSecret: config.flux.credentialsSecret,
      environments: delivered,
    });
    charts.push(chart);
  }
  return charts;
}
