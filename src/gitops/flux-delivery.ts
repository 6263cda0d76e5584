import { ApiObject, Duration } from 'cdk8s';
import { checkDurationRange, durationText } from '../core/duration';
import { Construct } from 'constructs';
import type { IGitRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository' with { 'resolution-mode': 'import' };
import type { IKustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization' with { 'resolution-mode': 'import' };
import type { IAlert } from '@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3/Alert' with { 'resolution-mode': 'import' };
import type { IProvider } from '@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3/Provider' with { 'resolution-mode': 'import' };
import { standardLabels } from '../core/labels';
import { checkDnsLabel } from '../core/value-rules';
import { checkSecretName } from '../core/secrets';
import { requireUniqueObjectNames } from '../core/unique-names';
import { ProblemCollector, throwIfProblems } from '../core/problems';
import { announcesDelivery, DeliveredEnvironment, repositoryName, validateDeliveryProps } from './argo-cd-delivery';
import { stageOfFolder } from './sync-waves';
import { FLUX_HEALTH_PASSED_MESSAGE, SLACK_API_ADDRESS } from './notifications';

/**
 * How Flux judges an Argo Rollouts `Rollout` (kstatus cannot: its `status.observedGeneration` is a
 * string): in progress until the controller has seen the spec, failed when `Degraded` (an aborted
 * release), ready when `Healthy` or `Paused` (a canary waiting at a step belongs to Argo Rollouts, whose
 * analysis and notifications take it from there, not to the Kustomization's timeout).
 */
const ROLLOUT_HEALTH_CHECK = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  inProgress: 'has(status.observedGeneration) && status.observedGeneration != string(metadata.generation)',
  failed: "status.phase == 'Degraded'",
  current: "status.phase in ['Healthy', 'Paused']",
} as const;

/** The notification objects of one environment in Flux. */
export interface FluxNotificationObjects {
  /** The `Provider` of the environment's channel. */
  readonly provider: ApiObject;
  /** The `Alert` on the environment's failed reconciliations (`eventSeverity: error`). */
  readonly alert: ApiObject;
  /** The `Alert` on the last stage's passed health check, when the environment announces completed deliveries. */
  readonly successAlert?: ApiObject;
}

/** Props of FluxDelivery. */
export interface FluxDeliveryProps {
  /** Git repository holding `dist/`. */
  readonly repository: string;
  /** Branch Flux follows. @default 'main' */
  readonly revision?: string;
  /** Name of the GitRepository and prefix of the Kustomizations. @default - the repository's name (`trading-deploy` for `.../trading-deploy.git`) */
  readonly name?: string;
  /** Namespace Flux runs in. @default 'flux-system' */
  readonly fluxNamespace?: string;
  /** Reconcile interval. @default Duration.minutes(5) */
  readonly interval?: Duration;
  /** How long a stage may take to become ready before it fails. @default Duration.minutes(10) */
  readonly timeout?: Duration;
  /**
   * The Secret in Flux's namespace with the credentials of a private repository (`username`/`password` for
   * HTTPS, `identity`/`known_hosts` for SSH): the GitRepository's `secretRef`.
   * @default - none: a public repository
   */
  readonly credentialsSecret?: string;
  /** The environments, with their stage folders. */
  readonly environments: DeliveredEnvironment[];
}

/**
 * Flux delivery: a GitRepository and, per environment, one Kustomization per apply stage (namespace,
 * config, database, migration, application, smoke-test), each `dependsOn` the previous and `wait`ing
 * for its objects to be ready, so migrations run after the database and before the application, and
 * the smoke check after the application, as Argo CD's sync waves and hooks do. The stages of Jobs
 * (migration, smoke-test) are applied with `force`, since a Job's template is immutable; `wait` makes
 * the smoke-test Kustomization Ready only when its Job has succeeded, so a next step can `dependsOn` it.
 */
export class FluxDelivery extends Construct {
  /** The GitRepository. */
  public readonly source: ApiObject;
  /** The Kustomizations, by environment, in apply order. */
  public readonly kustomizations: Readonly<Record<string, ApiObject[]>>;
  /**
   * The notification `Provider` and failure `Alert`, by environment, for environments with notifications,
   * and the `successAlert` of those that announce completed deliveries.
   */
  public readonly notifications: Readonly<Record<string, FluxNotificationObjects>>;

  constructor(scope: Construct, id: string, props: FluxDeliveryProps) {
    super(scope, id);
    const c = new ProblemCollector();
    c.add(validateDeliveryProps(props));
    if (props.name !== undefined) c.check('name', checkDnsLabel(props.name, 40));
    if (props.fluxNamespace !== undefined) c.check('fluxNamespace', checkDnsLabel(props.fluxNamespace));
    if (props.interval !== undefined) c.check('interval', checkDurationRange(props.interval, 1, 86400));
    if (props.timeout !== undefined) c.check('timeout', checkDurationRange(props.timeout, 1, 86400));
    if (props.credentialsSecret !== undefined) c.check('credentialsSecret', checkSecretName(props.credentialsSecret));
    props.environments.forEach((e, i) => {
      if (e.notifications && e.notifications.secretName === undefined) {
        c.check(
          `environments[${i}].notifications.secretName`,
          'is required by Flux: its Provider reads the Slack bot token (key "token") from that Secret in Flux\'s namespace',
        );
      }
    });
    throwIfProblems(`FluxDelivery ${this.node.path}`, c.problems);
    requireUniqueObjectNames(this);
    const name = props.name ?? repositoryName(props.repository);
    const namespace = props.fluxNamespace ?? 'flux-system';
    const interval = props.interval ? durationText(props.interval) : '5m';
    const labels = standardLabels({ name, instance: name, component: 'gitops', partOf: name });

    const source: IGitRepository = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name, namespace, labels },
      spec: {
        interval: '1m',
        url: props.repository,
        ref: { branch: props.revision ?? 'main' },
        ...(props.credentialsSecret ? { secretRef: { name: props.credentialsSecret } } : {}),
      },
    };
    this.source = new ApiObject(this, 'Source', source);

    const kustomizations: Record<string, ApiObject[]> = {};
    for (const env of props.environments) {
      const stages = env.stageFolders?.length ? env.stageFolders : [undefined];
      let previous: string | undefined;
      kustomizations[env.name] = stages.map((folder) => {
        const stage = folder?.replace(/^\d+-/, '');
        const objectName = stage ? `${name}-${env.name}-${stage}` : `${name}-${env.name}`;
        const kustomization: IKustomization = {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: objectName, namespace, labels: { ...labels, 'app.kubernetes.io/instance': `${name}-${env.name}` } },
          spec: {
            interval,
            path: `./${folder ? `${env.path}/${folder}` : env.path}`,
            prune: true,
            sourceRef: { kind: 'GitRepository', name },
            wait: true,
            timeout: props.timeout ? durationText(props.timeout) : '10m',
            ...(previous ? { dependsOn: [{ name: previous }] } : {}),
            // Stages of hooks hold Jobs, whose template is immutable: replace them when they change.
            ...(folder !== undefined && (stageOfFolder(folder)?.hooks.length ?? 0) > 0 ? { force: true } : {}),
            ...(stage === undefined || stage === 'application' || stage === 'staged-application' ? { healthCheckExprs: [ROLLOUT_HEALTH_CHECK] } : {}),
          },
        };
        previous = objectName;
        return new ApiObject(this, `Kustomization-${objectName}`, kustomization);
      });
    }
    this.kustomizations = kustomizations;

    // Per environment with notifications: a Provider for its channel and an Alert on its failed
    // reconciliations (the GitRepository's and every stage's), in Flux's namespace; and, announcing
    // completed deliveries, an Alert on the info events of the last stage that say its objects are ready.
    const notifications: Record<string, FluxNotificationObjects> = {};
    for (const env of props.environments) {
      const n = env.notifications;
      if (!n?.secretName) continue;
      const objectName = `${name}-${env.name}`;
      const meta = (metaName: string) => ({ name: metaName, namespace, labels: { ...labels, 'app.kubernetes.io/instance': objectName } });
      const provider: IProvider = {
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Provider',
        metadata: meta(`${objectName}-${n.service}`),
        spec: { type: n.service, channel: n.channel, address: SLACK_API_ADDRESS, secretRef: { name: n.secretName } },
      };
      const alert: IAlert = {
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Alert',
        metadata: meta(objectName),
        spec: {
          providerRef: { name: `${objectName}-${n.service}` },
          eventSeverity: 'error',
          eventMetadata: { environment: env.name },
          eventSources: [
            { kind: 'GitRepository', name },
            ...kustomizations[env.name].map((k) => ({ kind: 'Kustomization' as const, name: k.metadata.name as string })),
          ],
        },
      };
      // A stage's health check passes (and says so) only when that stage applied a change: so the success
      // message comes from the last stage of each release, the smoke test where there is one (its Job changes
      // with every image), else the application; and the same for the services released after another, whose
      // stages an API release does not change. Only that message: the stages' other info events are change sets
      // and "Dependencies do not meet ready condition" retries, and "Reconciliation finished" never reaches Slack.
      const stageNames = kustomizations[env.name].map((k) => k.metadata.name as string);
      const lastOf = (...stages: string[]): string[] =>
        stages
          .map((stage) => `${name}-${env.name}-${stage}`)
          .filter((n) => stageNames.includes(n))
          .slice(-1);
      const announcing = [...lastOf('application', 'smoke-test'), ...lastOf('staged-application', 'staged-smoke-test')];
      const sources = announcing.length > 0 ? announcing : stageNames.slice(-1);
      const successAlert: IAlert | undefined = announcesDelivery(env)
        ? {
            apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
            kind: 'Alert',
            metadata: meta(`${objectName}-deployed`),
            spec: {
              providerRef: { name: `${objectName}-${n.service}` },
              eventSeverity: 'info',
              eventMetadata: { environment: env.name },
              eventSources: sources.map((source) => ({ kind: 'Kustomization' as const, name: source })),
              inclusionList: [FLUX_HEALTH_PASSED_MESSAGE],
            },
          }
        : undefined;
      notifications[env.name] = {
        provider: new ApiObject(this, `Provider-${objectName}`, provider),
        alert: new ApiObject(this, `Alert-${objectName}`, alert),
        ...(successAlert ? { successAlert: new ApiObject(this, `Alert-${objectName}-deployed`, successAlert) } : {}),
      };
    }
    this.notifications = notifications;
  }
}
