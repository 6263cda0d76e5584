import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject' with { 'resolution-mode': 'import' };
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application' with { 'resolution-mode': 'import' };
import { standardLabels } from '../core/labels';
import { checkDnsLabel, checkGitRevision, checkGitUrl, checkHttpsUrl } from '../core/value-rules';
import { requireUniqueObjectNames } from '../core/unique-names';
import { Problem, ProblemCollector, show, throwIfProblems } from '../core/problems';
import { Notifications } from './notifications';

/**
 * A DNS label from a Git repository's URL: its last path segment without `.git`
 * (`https://github.com/acme/trading-deploy.git` → `trading-deploy`), the default name of the delivery objects.
 */
export function repositoryName(repository: string): string {
  const last =
    repository
      .replace(/\.git\/?$/, '')
      .replace(/\/+$/, '')
      .split(/[/:]/)
      .pop() ?? '';
  const label = last
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return label || 'gitops';
}

/** A field Argo CD should not compare, because a controller owns it (a canary's route weights). */
export interface IgnoredDifference {
  /** API group (`gateway.networking.k8s.io`). */
  readonly group: string;
  /** Kind (`HTTPRoute`). */
  readonly kind: string;
  /** Object name. */
  readonly name: string;
  /** JSON pointers of the ignored fields. */
  readonly jsonPointers: string[];
}

/** One environment delivered from Git. */
export interface DeliveredEnvironment {
  /** Environment name (`prod`); names its Application or Kustomizations. */
  readonly name: string;
  /** Namespace the environment's objects live in. */
  readonly namespace: string;
  /** Folder of the environment in the repository (`dist/prod`). */
  readonly path: string;
  /** Sync automatically, with prune and self-heal (dev, staging); production syncs by hand. */
  readonly automated: boolean;
  /** Stage folders of the environment, in apply order (for Flux). @default - the whole folder as one */
  readonly stageFolders?: string[];
  /** Fields Argo CD should not compare. @default - none */
  readonly ignoreDifferences?: IgnoredDifference[];
  /**
   * Where the environment's delivery events go: Argo CD subscribes its Application to sync failed and
   * health degraded; Flux alerts on the environment's failed reconciliations through a `Provider` and an `Alert`.
   * Completed deliveries too, unless `onSuccess` is false or `releasesOnRollouts`: Argo CD's `on-deployed`,
   * and a Flux `Alert` on the last stage's passed health check.
   * @default - no notifications
   */
  readonly notifications?: Notifications;
  /**
   * Every release of the environment runs on an Argo Rollouts `Rollout` subscribed to these notifications,
   * whose `on-rollout-completed` announces each release (the service by name, when its rollout, pauses and
   * analyses included, is done): Argo CD and Flux then send failures only, so a release is announced once.
   * @default false
   */
  readonly releasesOnRollouts?: boolean;
}

/**
 * Whether Argo CD and Flux announce the environment's completed deliveries: it has notifications with
 * `onSuccess`, and its releases are not all Rollouts announcing themselves.
 */
export function announcesDelivery(env: DeliveredEnvironment): boolean {
  return env.notifications !== undefined && env.notifications.onSuccess && env.releasesOnRollouts !== true;
}

/** Props of ArgoCdDelivery. */
export interface ArgoCdDeliveryProps {
  /** Git repository holding `dist/` (`https://github.com/acme/trading-deploy.git`). */
  readonly repository: string;
  /** Branch, tag or commit Argo CD follows. @default 'main' */
  readonly revision?: string;
  /** AppProject name; Applications are `<project>-<env>`. @default - the repository's name (`trading-deploy` for `.../trading-deploy.git`) */
  readonly project?: string;
  /** Namespace Argo CD runs in (and its objects go to). @default 'argocd' */
  readonly argoNamespace?: string;
  /** Cluster the environments deploy to. @default 'https://kubernetes.default.svc' */
  readonly destinationServer?: string;
  /** The environments. */
  readonly environments: DeliveredEnvironment[];
}

/**
 * Argo CD delivery: an AppProject restricted to the repository and the environments' namespaces, and
 * one Application per environment (automated sync with prune and self-heal where `automated`, manual
 * otherwise). Apply order inside an environment comes from the objects' sync waves.
 */
export class ArgoCdDelivery extends Construct {
  /** The AppProject. */
  public readonly project: ApiObject;
  /** The Applications, by environment. */
  public readonly applications: Readonly<Record<string, ApiObject>>;

  constructor(scope: Construct, id: string, props: ArgoCdDeliveryProps) {
    super(scope, id);
    const c = new ProblemCollector();
    c.add(validateDeliveryProps(props));
    if (props.project !== undefined) c.check('project', checkDnsLabel(props.project, 40));
    if (props.argoNamespace !== undefined) c.check('argoNamespace', checkDnsLabel(props.argoNamespace));
    if (props.destinationServer !== undefined) c.check('destinationServer', checkHttpsUrl(props.destinationServer));
    throwIfProblems(`ArgoCdDelivery ${this.node.path}`, c.problems);
    requireUniqueObjectNames(this);
    const project = props.project ?? repositoryName(props.repository);
    const namespace = props.argoNamespace ?? 'argocd';
    const server = props.destinationServer ?? 'https://kubernetes.default.svc';
    const revision = props.revision ?? 'main';
    const labels = standardLabels({ name: project, instance: project, component: 'gitops', partOf: project });

    const appProject: IAppProject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: project, namespace, labels },
      spec: {
        description: `Environments of ${project}, synthesized by cdk8s-trading`,
        sourceRepos: [props.repository],
        destinations: props.environments.map((e) => ({ server, namespace: e.namespace })),
        // Namespaces are the only cluster-scoped objects the environments create.
        clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
        orphanedResources: { warn: true },
      },
    };
    this.project = new ApiObject(this, 'Project', appProject);

    const applications: Record<string, ApiObject> = {};
    for (const env of props.environments) {
      const application: IApplication = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: `${project}-${env.name}`,
          namespace,
          labels: { ...labels, 'app.kubernetes.io/instance': `${project}-${env.name}` },
          ...(env.notifications ? { annotations: env.notifications.applicationAnnotations(announcesDelivery(env)) } : {}),
        },
        spec: {
          project,
          source: { repoURL: props.repository, targetRevision: revision, path: env.path },
          destination: { server, namespace: env.namespace },
          syncPolicy: {
            ...(env.automated ? { automated: { enabled: true, prune: true, selfHeal: true } } : {}),
            syncOptions: ['PruneLast=true', 'ApplyOutOfSyncOnly=true', 'RespectIgnoreDifferences=true'],
            retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
          },
          ...(env.ignoreDifferences?.length
            ? { ignoreDifferences: env.ignoreDifferences.map((d) => ({ ...d, jsonPointers: [...d.jsonPointers] })) }
            : {}),
          revisionHistoryLimit: 10,
        },
      };
      applications[env.name] = new ApiObject(this, `Application-${env.name}`, application);
    }
    this.applications = applications;
  }
}

/** Problems shared by the delivery constructs. */
export function validateDeliveryProps(props: { repository: string; revision?: string; environments: readonly DeliveredEnvironment[] }): Problem[] {
  const c = new ProblemCollector();
  c.check('repository', checkGitUrl(props.repository));
  if (props.revision !== undefined) c.check('revision', checkGitRevision(props.revision));
  if (props.environments.length === 0) c.check('environments', 'must list at least one environment');
  props.environments.forEach((e, i) => {
    c.check(`environments[${i}].name`, checkDnsLabel(e.name, 40));
    c.check(`environments[${i}].namespace`, checkDnsLabel(e.namespace));
    if (!/^[A-Za-z0-9._/-]+$/.test(e.path) || e.path.startsWith('/') || e.path.split('/').includes('..')) {
      c.check(`environments[${i}].path`, `${show(e.path)} is not a relative path in the repository, like "dist/prod"`);
    }
    if (e.releasesOnRollouts !== undefined && typeof e.releasesOnRollouts !== 'boolean') {
      c.check(`environments[${i}].releasesOnRollouts`, `${show(e.releasesOnRollouts)} must be true or false`);
    }
  });
  return [...c.problems];
}
