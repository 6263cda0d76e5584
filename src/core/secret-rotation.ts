/**
 * Rotated secrets reaching running pods. Pods read their Secrets as environment variables (and Redis renders its
 * password into its configuration at start), so a new value written into a Secret (by an ExternalSecret's refresh, or by
 * hand) changes nothing until the pods restart. Stakater Reloader watches the Secrets a workload references and rolls
 * it when one changes; the library marks the workloads that should be rolled.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { FieldPath } from './field-path';
import { ConfigurationError, Problem, ProblemCollector, show } from './problems';

/** The construct-context key that sets `SecretRotationOptions` for every construct below it that does not say. */
export const SECRET_ROTATION_CONTEXT = 'cdk8s-trading:secretRotation';

/** How a rotated Secret reaches the running pods of a workload. */
export interface SecretRotationOptions {
  /**
   * Roll the workload when a Secret it references changes, through Stakater Reloader (which must run in the cluster; see
   * docs/how-to/rotate-a-secret.md for its flags): `secret.reloader.stakater.com/auto: "true"` on Deployments, StatefulSets and Argo
   * Rollouts, and `reloader.stakater.com/rollout-strategy: "restart"` on Rollouts.
   * @default - the `cdk8s-trading:secretRotation` context, else true
   */
  readonly reloader?: boolean;
}

/**
 * Reloader rolls the workload when a Secret it references changes (in `env`, `envFrom` or a volume); ConfigMaps are not
 * watched: a configuration change already rolls the pods through their `checksum/config` annotation.
 */
export const RELOADER_SECRET_ANNOTATION = 'secret.reloader.stakater.com/auto';

/**
 * How Reloader rolls an Argo Rollout: `restart` sets `spec.restartAt`, which restarts the pods in place, instead of
 * changing the pod template, which would start a new release (canary steps and analysis, or a blue-green preview
 * waiting for promotion while the serving pods keep the old password).
 */
export const RELOADER_ROLLOUT_STRATEGY_ANNOTATION = 'reloader.stakater.com/rollout-strategy';

/** Problems with secret-rotation options at `path`. */
export function validateSecretRotation(value: unknown, path: FieldPath = FieldPath.props().child('secretRotation')): Problem[] {
  const c = new ProblemCollector();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    c.check(path, `${show(value)} must be an object like { reloader: true }`);
    return [...c.problems];
  }
  const { reloader, ...rest } = value as Record<string, unknown>;
  if (reloader !== undefined && typeof reloader !== 'boolean') c.check(path.child('reloader'), `${show(reloader)} must be true or false`);
  for (const key of Object.keys(rest)) c.check(path.child(key), 'unknown key; allowed: reloader');
  return [...c.problems];
}

/** Whether `scope` rolls its workloads on a Secret change: its own options, else the context's, else on. */
export function reloadsOnSecretChange(scope: IConstruct, own: SecretRotationOptions | undefined): boolean {
  if (own?.reloader !== undefined) return own.reloader;
  const fromContext: unknown = scope.node.tryGetContext(SECRET_ROTATION_CONTEXT);
  if (fromContext === undefined) return true;
  const problems = validateSecretRotation(fromContext, FieldPath.props());
  if (problems.length > 0) {
    throw new ConfigurationError(problems.map((p) => ({ where: `context ${SECRET_ROTATION_CONTEXT}`, field: p.field, message: p.message })));
  }
  return (fromContext as SecretRotationOptions).reloader ?? true;
}

/** Annotates `workload` (a Deployment, StatefulSet or Rollout) so that Reloader rolls it when a Secret it references changes. */
export function reloadOnSecretChange(workload: ApiObject): void {
  workload.metadata.addAnnotation(RELOADER_SECRET_ANNOTATION, 'true');
  if (workload.kind === 'Rollout') workload.metadata.addAnnotation(RELOADER_ROLLOUT_STRATEGY_ANNOTATION, 'restart');
}
