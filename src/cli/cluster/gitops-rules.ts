/**
 * What Argo CD and Flux do with an object whose immutable fields change, read from its annotations and its
 * stage's Flux Kustomization: the one place `validate --server` and the cluster tests learn it from.
 */
import type { TreeObject } from '../../synth/apply-order';

/** An immutable field changed (kube-apiserver's words for it, as Flux's and Argo CD's force options match them). */
export const IMMUTABLE = /is immutable|immutable field|may not change once set|updates to statefulset spec for fields other than/;

/** An annotation of `o`. */
export function annotationOf(o: TreeObject, key: string): string | undefined {
  return (o.metadata.annotations as Record<string, string> | undefined)?.[key];
}

/** An Argo CD hook that is deleted before it is created again on every sync (`BeforeHookCreation`, the default policy). */
export function recreatedAsHook(o: TreeObject): boolean {
  return (
    annotationOf(o, 'argocd.argoproj.io/hook') !== undefined &&
    (annotationOf(o, 'argocd.argoproj.io/hook-delete-policy') ?? 'BeforeHookCreation').includes('BeforeHookCreation')
  );
}

/** Argo CD deletes and recreates `o` when it cannot change it (`Force=true`; `Replace=true` alone replaces, which an immutable field refuses too). */
export function argoCdForces(o: TreeObject): boolean {
  return /\bForce=true\b/.test(annotationOf(o, 'argocd.argoproj.io/sync-options') ?? '');
}

/** Flux deletes and recreates `o` when it cannot change it: `force` on its stage's Kustomization or on the object. */
export function fluxForces(o: TreeObject, stageForced: boolean): boolean {
  return stageForced || (annotationOf(o, 'kustomize.toolkit.fluxcd.io/force') ?? '').toLowerCase() === 'enabled';
}

/** The paths (`dist/<env>/<stage>`, without `./`) of the Flux Kustomizations among `objects` that set `force`. */
export function fluxForcedFolders(objects: readonly TreeObject[]): string[] {
  return objects
    .filter((o) => o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/'))
    .map((o) => o.spec as { path?: string; force?: boolean } | undefined)
    .filter((s) => s?.force === true && typeof s.path === 'string')
    .map((s) => (s?.path as string).replace(/^\.\//, '').replace(/\/$/, ''));
}

/** Whether one of `forced` is the stage folder `folder` (a path relative to some root, like `prod/40-migration`). */
export function isForcedFolder(forced: readonly string[], folder: string): boolean {
  return forced.some((f) => f === folder || f.endsWith(`/${folder}`));
}
