// Internal: typed against @kubernetes-models (a dev dependency), so not part of the published API.
import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { forWorkloadKind, podTemplateJson } from '../api-service/pod';
import { FLUX_SSA_ANNOTATION } from '../core/sync-wave';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout' with { 'resolution-mode': 'import' };

type RolloutSpec = IRollout['spec'];

/**
 * An Argo Rollouts `Rollout` whose pod template is the library's typed `k8s.PodTemplateSpec`,
 * converted at synthesis (after wiring has added env and before JSON patches apply). Its topology
 * spreads count revisions by `rollouts-pod-template-hash`, the label Argo Rollouts puts on its pods.
 */
export function rolloutObject(
  scope: Construct,
  id: string,
  metadata: { name: string; labels: Record<string, string> },
  spec: Omit<RolloutSpec, 'template'>,
  template: k8s.PodTemplateSpec,
): ApiObject {
  const manifest: Omit<IRollout, 'spec'> = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata };
  return new ApiObject(scope, id, {
    ...manifest,
    spec: { ...spec, template: Lazy.any({ produce: () => podTemplateJson(forWorkloadKind(template, 'Rollout')) }) },
  });
}

/**
 * Marks a Service that a Rollout names (`canaryService`, `stableService`, `activeService`, `previewService`):
 * Argo Rollouts narrows its selector to one ReplicaSet by adding `rollouts-pod-template-hash`, and the selector
 * is an atomic map, so a server-side apply from Git (Flux) takes it back whole at every reconcile. The Service
 * then selects every revision's pods for a moment (a canary's traffic leaves its weights), and a blue-green
 * whose active Service has no hash is taken for a first deploy: Argo switches it to the new pods at once, with
 * no preview and no pre-promotion analysis. Flux creates the Service and never applies it again
 * (`kustomize.toolkit.fluxcd.io/ssa: IfNotPresent`). Argo CD's default client-side apply keeps the key (a
 * three-way merge removes only what an earlier apply set), so it needs nothing.
 */
export function rolloutManagedService(service: ApiObject): ApiObject {
  service.metadata.addAnnotation(FLUX_SSA_ANNOTATION, 'IfNotPresent');
  return service;
}
