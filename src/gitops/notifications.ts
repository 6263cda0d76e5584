/**
 * Release notifications of one environment: a chat channel that hears when a rollout is aborted or an
 * analysis fails (Argo Rollouts), when a sync fails or the application degrades (Argo CD), and when Flux
 * fails to apply it; and, unless switched off, when a release completes: a rollout completed, the
 * application synced and healthy, the environment's last Flux stage passing its health check.
 * The channel by name; credentials only by Secret reference.
 */
import { FieldPath } from '../core/field-path';
import { checkSecretName } from '../core/secrets';
import { ProblemCollector, Problem, show, throwIfProblems } from '../core/problems';

/** Options of Slack notifications. */
export interface SlackNotificationOptions {
  /** The Slack channel: its name (`trading-releases`, a leading `#` is dropped) or its ID (`C0123ABCD`). Never a webhook URL or a token. */
  readonly channel: string;
  /**
   * The Secret holding the Slack bot token under the key `token`, in Flux's namespace: Flux's `Provider`
   * reads it. (Argo CD and Argo Rollouts read their token from their own notification Secrets; see docs/gitops-delivery.md.)
   * @default - none; FluxDelivery then rejects the environment's notifications
   */
  readonly secretName?: string;
  /**
   * Also announce releases that complete, on the same channel: Argo Rollouts' `on-rollout-completed` on
   * every Rollout, Argo CD's `on-deployed` (synced and healthy, once per commit) on the Application, and a
   * Flux `Alert` on the environment's last stage passing its health check. Argo CD and Flux leave an
   * environment whose every release runs on a Rollout to the Rollouts (`DeliveredEnvironment.releasesOnRollouts`),
   * so a release is announced once.
   * @default true
   */
  readonly onSuccess?: boolean;
}

/** The Argo Rollouts triggers of a failed release every Rollout subscribes to (the built-in catalog's names). */
export const ROLLOUT_FAILURE_TRIGGERS = ['on-rollout-aborted', 'on-analysis-run-failed'] as const;
/** The Argo Rollouts trigger of a completed release (sent on the controller's `RolloutCompleted` event). */
export const ROLLOUT_SUCCESS_TRIGGERS = ['on-rollout-completed'] as const;
/** The Argo CD triggers of a failed delivery every Application subscribes to (the notifications catalog's names). */
export const APPLICATION_FAILURE_TRIGGERS = ['on-sync-failed', 'on-health-degraded'] as const;
/**
 * The Argo CD trigger of a completed delivery: the catalog's `on-deployed`, sync operation `Succeeded` and
 * health `Healthy` (having become so after the operation finished), sent once per synced revision.
 */
export const APPLICATION_SUCCESS_TRIGGERS = ['on-deployed'] as const;
/**
 * What Flux's kustomize-controller says when a Kustomization's objects are ready after it applied a change
 * (or recovered from a failed check): the message its success `Alert` includes. Its other success event,
 * "Reconciliation finished …", carries commit-status metadata, which notification-controller sends only to
 * Git providers, never to Slack.
 */
export const FLUX_HEALTH_PASSED_MESSAGE = '^Health check passed in ';
/** The Slack API endpoint Flux's Provider posts to with the bot token (a public address, not a credential). */
export const SLACK_API_ADDRESS = 'https://slack.com/api/chat.postMessage';

const CHANNEL_NAME = /^[a-z0-9][a-z0-9._-]{0,79}$/;
const CHANNEL_ID = /^[CDG][A-Z0-9]{8,20}$/;

/** Message for a Slack channel that is neither a channel name nor an ID; a credential is never repeated. */
export function checkSlackChannel(value: unknown): string | undefined {
  if (typeof value === 'string' && (/:\/\//.test(value) || /hooks\.slack\.com/i.test(value) || /^xox[a-z]?-/i.test(value))) {
    return 'looks like a webhook URL or a token: credentials never go into the configuration; put the bot token in the Secret named by secretName and give the channel\'s name here, like "trading-releases"';
  }
  const name = typeof value === 'string' ? value.replace(/^#/, '') : value;
  return typeof name === 'string' && (CHANNEL_NAME.test(name) || CHANNEL_ID.test(name))
    ? undefined
    : `${show(value)} is not a Slack channel: use its name (lower-case letters, digits, "-", "_" and ".", up to 80; "#" optional) or its ID, like "C0123ABCD"`;
}

/** Problems with Slack notification options. */
export function validateSlackOptions(o: Partial<SlackNotificationOptions>, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  c.check(path.child('channel'), checkSlackChannel(o.channel));
  if (o.secretName !== undefined) c.check(path.child('secretName'), checkSecretName(o.secretName));
  c.check(path.child('onSuccess'), checkOnSuccess(o.onSuccess));
  return [...c.problems];
}

/** Message for an `onSuccess` that is not true, false or absent. */
export function checkOnSuccess(value: unknown): string | undefined {
  return value === undefined || typeof value === 'boolean' ? undefined : `${show(value)} must be true or false`;
}

/**
 * Where an environment's release events go; `Notifications.slack({ channel, secretName, onSuccess })`. Given to
 * `BlueGreenService` / `CanaryRollout` (Argo Rollouts engines: subscriptions on the Rollout) and to the
 * delivery constructs per environment (`DeliveredEnvironment.notifications`: Argo CD Application
 * subscriptions, a Flux `Provider` and its `Alert`s).
 */
export class Notifications {
  /** A Slack channel; the bot token stays in a Secret. */
  public static slack(options: SlackNotificationOptions): Notifications {
    throwIfProblems('Notifications.slack', validateSlackOptions(options));
    return new Notifications('slack', options.channel.replace(/^#/, ''), options.secretName, options.onSuccess ?? true);
  }

  private constructor(
    /** The notification service, as the Argo notification engines and Flux's Provider name it. */
    public readonly service: 'slack',
    /** The channel, without `#`. */
    public readonly channel: string,
    /** The Secret Flux's Provider reads the token from. */
    public readonly secretName: string | undefined,
    /** Whether completed releases are announced too. */
    public readonly onSuccess: boolean,
  ) {}

  /** The subscription annotations of an Argo Rollouts `Rollout`: failures, and completion unless `onSuccess` is false. */
  public rolloutAnnotations(): Record<string, string> {
    return this.subscriptions([...ROLLOUT_FAILURE_TRIGGERS, ...(this.onSuccess ? ROLLOUT_SUCCESS_TRIGGERS : [])]);
  }

  /**
   * The subscription annotations of an Argo CD `Application`: failures, and `on-deployed` when `success`
   * (see `announcesDelivery`).
   */
  public applicationAnnotations(success: boolean): Record<string, string> {
    return this.subscriptions([...APPLICATION_FAILURE_TRIGGERS, ...(success ? APPLICATION_SUCCESS_TRIGGERS : [])]);
  }

  private subscriptions(triggers: readonly string[]): Record<string, string> {
    return Object.fromEntries(triggers.map((t) => [`notifications.argoproj.io/subscribe.${t}.${this.service}`, this.channel]));
  }
}
