// Internal: typed against @kubernetes-models (a dev dependency), so not part of the published API.
import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { forWorkloadKind, podTemplateJson } from '../api-service/pod';
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
