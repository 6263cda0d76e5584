/**
 * The `notifications` block of an environment file: one channel for the environment's Rollouts, its
 * Argo CD Application and its Flux Alerts, and whether completed releases are announced (`onSuccess`).
 * Checked once by `planEnvironment` (and dropped there when wrong), so reading it here cannot fail.
 */
import { Notifications } from '../../gitops/notifications';
import type { EnvironmentConfig } from '../types';

/** The notifications of a checked environment file, when it has them. */
export function environmentNotifications(env: EnvironmentConfig): Notifications | undefined {
  const n = env.notifications;
  return n ? Notifications.slack({ ...n.slack, ...(n.onSuccess !== undefined ? { onSuccess: n.onSuccess } : {}) }) : undefined;
}
