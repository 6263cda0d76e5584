/**
 * Release notifications of one environment: a chat channel that hears when a rollout is aborted, an
 * analysis fails or a rollout completes (Argo Rollouts), when a sync fails or the application degrades
 * (Argo CD), and when Flux fails to apply it. The channel by name; credentials only by Secret reference.
 */
import { FieldPath } from '../core/field-path';
import { checkDnsSubdomain } from '../core/value-rules';
import { ProblemCollector, Problem, show, throwIfProblems } from '../core/problems';

/** Options of Slack notifications. */
export interface SlackNotificationOptions {
  /** The Slack channel: its name (`trading-releases`, a leading `#` is dropped) or its ID (`C0123ABCD`). Never a webhook URL or a token. */
  readonly channel: string;
  /**
   * The Secret holding the Slack bot token under the key `token`, in Flux's namespace: Flux's `Provider`
   * reads it. (Argo CD and Argo Rollouts read their token from their own notification Secrets; see the README.)
   * @default - none; FluxDelivery then rejects the environment's notifications
   */
  readonly secretName?: string;
}

/** The Argo Rollouts triggers every Rollout subscribes to (the built-in catalog's names). */
export const ROLLOUT_TRIGGERS = ['on-rollout-aborted', 'on-analysis-run-failed', 'on-rollout-completed'] as const;
/** The Argo CD triggers every Application subscribes to (the notifications catalog's names). */
export const APPLICATION_TRIGGERS = ['on-sync-failed', 'on-health-degraded'] as const;
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
  if (o.secretName !== undefined) c.check(path.child('secretName'), checkDnsSubdomain(o.secretName));
  return [...c.problems];
}

/**
 * Where an environment's release events go; `Notifications.slack({ channel, secretName })`. Given to
 * `BlueGreenService` / `CanaryRollout` (Argo Rollouts engines: subscriptions on the Rollout) and to the
 * delivery constructs per environment (`DeliveredEnvironment.notifications`: Argo CD Application
 * subscriptions, a Flux `Provider` and `Alert`).
 */
export class Notifications {
  /** A Slack channel; the bot token stays in a Secret. */
  public static slack(options: SlackNotificationOptions): Notifications {
    throwIfProblems('Notifications.slack', validateSlackOptions(options));
    return new Notifications('slack', options.channel.replace(/^#/, ''), options.secretName);
  }

  private constructor(
    /** The notification service, as the Argo notification engines and Flux's Provider name it. */
    public readonly service: 'slack',
    /** The channel, without `#`. */
    public readonly channel: string,
    /** The Secret Flux's Provider reads the token from. */
    public readonly secretName: string | undefined,
  ) {}

  /** The subscription annotations of an Argo Rollouts `Rollout`. */
  public rolloutAnnotations(): Record<string, string> {
    return this.subscriptions(ROLLOUT_TRIGGERS);
  }

  /** The subscription annotations of an Argo CD `Application`. */
  public applicationAnnotations(): Record<string, string> {
    return this.subscriptions(APPLICATION_TRIGGERS);
  }

  private subscriptions(triggers: readonly string[]): Record<string, string> {
    return Object.fromEntries(triggers.map((t) => [`notifications.argoproj.io/subscribe.${t}.${this.service}`, this.channel]));
  }
}
