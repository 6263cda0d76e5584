/**
 * `environments/gitops.yaml`: where dist/ lives in Git, and the Argo CD and/or Flux objects that
 * deliver every environment from it (written to dist/gitops/argocd and dist/gitops/flux).
 */
import { App, Chart } from 'cdk8s';
import { APPLY_STAGES, ArgoCdDelivery, ConfigurationError, DeliveredEnvironment, FluxDelivery, IgnoredDifference } from '../../src';
import schema from '../gitops.schema.json';
import { Environment, inFile, parseAndCheckSchema } from './config';
import { releaseKind } from './release-config';
import { compileCached } from './schema-cache';

/** The GitOps configuration. */
export interface GitOpsConfig {
  repository: string;
  revision?: string;
  path?: string;
  project?: string;
  argocd?: { namespace?: string; destinationServer?: string };
  flux?: { namespace?: string; interval?: string; timeout?: string };
}

/** The file name of the GitOps configuration, in environments/. It is not an environment. */
export const GITOPS_FILE = 'gitops.yaml';

/** Parses `gitops.yaml`; throws a ConfigurationError with every problem. */
export function parseGitOps(file: string, text: string): GitOpsConfig {
  const parsed = parseAndCheckSchema(text, compileCached(schema));
  if (parsed.problems.length > 0) throw new ConfigurationError(inFile(file, parsed.problems));
  return parsed.data as GitOpsConfig;
}

/** What Argo CD must not compare in an environment: the HTTPRoute weights the Argo Rollouts Gateway API plugin moves. */
function ignoredDifferences(environment: Environment): IgnoredDifference[] {
  return Object.entries(environment.config.services)
    .filter(([, svc]) => releaseKind(svc.release) === 'canary/argo-rollouts' && svc.exposure?.gateway
      && (svc.release?.trafficRouting ?? 'gateway-api') === 'gateway-api')
    .map(([name]) => ({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name, jsonPointers: ['/spec/rules/0/backendRefs'] }));
}

/**
 * The GitOps charts: `argocd` and/or `flux`, each its own folder of dist/gitops. `stageFolders` are
 * the apply-stage folders each environment was written with.
 */
export function buildGitOps(config: GitOpsConfig, environments: readonly Environment[], stageFolders: ReadonlyMap<string, readonly string[]>): Chart[] {
  const path = (config.path ?? 'dist').replace(/\/+$/, '');
  const delivered: DeliveredEnvironment[] = environments.map((e) => ({
    name: e.name,
    namespace: e.config.namespace,
    path: `${path}/${e.name}`,
    automated: e.config.tier !== 'prod',
    stageFolders: APPLY_STAGES.map((s) => s.folder).filter((f) => stageFolders.get(e.name)?.includes(f)),
    ignoreDifferences: ignoredDifferences(e),
  }));
  const app = new App();
  const charts: Chart[] = [];
  if (config.argocd) {
    const chart = new Chart(app, 'argocd', { disableResourceNameHashes: true });
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
    const chart = new Chart(app, 'flux', { disableResourceNameHashes: true });
    new FluxDelivery(chart, 'Delivery', {
      repository: config.repository,
      revision: config.revision,
      name: config.project,
      fluxNamespace: config.flux.namespace,
      interval: config.flux.interval,
      timeout: config.flux.timeout,
      environments: delivered,
    });
    charts.push(chart);
  }
  return charts;
}
