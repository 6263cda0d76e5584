/**
 * The `notifications` block of an environment file: one channel for the environment's Rollouts, its
 * Argo CD Application and its Flux Alert. Checked once by `planEnvironment` (and dropped there when
 * wrong), so reading it here cannot fail.
 */
import { Notifications } from '../../gitops/notifications';
import type { EnvironmentConfig } from '../types';

/** The notifications of a checked environment file, when it has them. */
export function environmentNotifications(env: EnvironmentConfig): Notifications | undefined {
  return env.notifications ? Notifications.slack(env.notifications.slack) : undefined;
}
