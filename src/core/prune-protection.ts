/**
 * Objects that hold data (a namespace, a database, a cache's volumes) must not go when they leave Git: a
 * removed or renamed database, cache or environment would otherwise be pruned by Argo CD or Flux, and its
 * volumes with it. Both tools honour an annotation that keeps an object through prune and through the
 * deletion of the Application or Kustomization that applied it.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ConfigurationError } from './problems';

/** The construct-context key that turns prune protection on or off for every construct below it that does not say. */
export const PRUNE_PROTECTION_CONTEXT = 'cdk8s-trading:pruneProtection';

/**
 * What keeps an object: Flux skips it in garbage collection (`prune: disabled`); Argo CD neither prunes it
 * (`Prune=false`) nor deletes it with its Application (`Delete=false`).
 */
export const PRUNE_PROTECTION_ANNOTATIONS: Readonly<Record<string, string>> = {
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
};

/** Whether a construct protects its data: its props', else the context's, else on. */
export function pruneProtectionOf(scope: IConstruct, own: boolean | undefined): boolean {
  if (own !== undefined) return own;
  const fromContext: unknown = scope.node.tryGetContext(PRUNE_PROTECTION_CONTEXT);
  if (fromContext === undefined) return true;
  if (typeof fromContext !== 'boolean') {
    throw new ConfigurationError([
      { where: `context ${PRUNE_PROTECTION_CONTEXT}`, field: '', message: `${JSON.stringify(fromContext)} is not true or false` },
    ]);
  }
  return fromContext;
}

/** Annotates `object` so that GitOps keeps it when it leaves Git. */
export function protectFromPrune(object: ApiObject): void {
  for (const [key, value] of Object.entries(PRUNE_PROTECTION_ANNOTATIONS)) object.metadata.addAnnotation(key, value);
}
