import { ApiObject, GroupVersionKind, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/**
 * A typed Kubernetes object whose escape hatches work. The generated `k8s.Kube*` classes convert
 * their props after JSON patches are applied, so a patched quantity (`'20Gi'`) is read as a Quantity
 * and lost (cdk8s writes `storage: null` or drops it). Here the body is converted with the same
 * generated `toJson_*` function when the object is synthesized, before patches: props stay typed,
 * wiring can still add to arrays until synthesis, and patches see and keep plain JSON.
 */
export function kubeObject<P extends { readonly metadata?: k8s.ObjectMeta }>(
  scope: Construct,
  id: string,
  gvk: GroupVersionKind,
  props: P,
  toJson: (props: P) => Record<string, unknown> | undefined,
): ApiObject {
  const body: Record<string, unknown> = {};
  for (const key of Object.keys(props)) {
    if (key !== 'metadata') {
      body[key] = Lazy.any({ produce: () => toJson(props)?.[key] });
    }
  }
  return new ApiObject(scope, id, { apiVersion: gvk.apiVersion, kind: gvk.kind, metadata: props.metadata, ...body });
}
