import { IConstruct } from 'constructs';

/**
 * Argo CD sync waves, in apply order: the namespace and its guards, then configuration and
 * secrets, then databases, then migrations, then the application, then the smoke check of the
 * release (a PostSync hook, which Argo CD runs once every wave is synced and healthy). Services that
 * release after another (`releaseAfter`) come last: a wait while the first ones stay healthy (a Sync
 * hook), then their workloads, then their smoke checks.
 */
export const SyncWave = {
  NAMESPACE: -3,
  CONFIG: -2,
  DATABASE: -1,
  MIGRATION: 0,
  APPLICATION: 1,
  SMOKE_TEST: 2,
  RELEASE_WAIT: 3,
  STAGED_APPLICATION: 4,
  STAGED_SMOKE_TEST: 5,
} as const;

/** Annotation of an Argo CD sync wave. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
/** Annotation of an Argo CD hook. */
export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
/** Annotation of an Argo CD hook's delete policy. */
export const HOOK_DELETE_POLICY_ANNOTATION = 'argocd.argoproj.io/hook-delete-policy';
/**
 * Flux kustomize-controller's apply policy of one object. `IfNotPresent`: create the object when it is
 * missing, never update it afterwards (so fields another controller moves are left alone).
 */
export const FLUX_SSA_ANNOTATION = 'kustomize.toolkit.fluxcd.io/ssa';

/** The annotation that puts an object in an Argo CD sync wave. */
export function syncWaveAnnotation(wave: number): Record<string, string> {
  return { [SYNC_WAVE_ANNOTATION]: String(wave) };
}

const stagedReleases = new WeakSet<IConstruct>();

/** Marks `scope` as released after another service: its application and smoke-check objects move to the staged waves. */
export function markStagedRelease(scope: IConstruct): void {
  stagedReleases.add(scope);
}

/** Whether `construct` belongs to a service marked by `markStagedRelease`. */
export function inStagedRelease(construct: IConstruct): boolean {
  return construct.node.scopes.some((s) => stagedReleases.has(s));
}
