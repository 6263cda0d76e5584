import { k8s } from 'cdk8s-plus-28';

/** Requests or limits of one container. */
export interface ResourceQuantities {
  /** CPU quantity (`500m`, `2`). */
  readonly cpu: string;
  /** Memory quantity (`512Mi`, `2Gi`). */
  readonly memory: string;
}

/** Requests and limits of one container. */
export interface ResourceRequirements {
  /** What the scheduler reserves. */
  readonly requests: ResourceQuantities;
  /** What the container may use at most. */
  readonly limits: ResourceQuantities;
}

/** CPU and memory as cdk8s quantities. */
export function k8sQuantities(q: ResourceQuantities): Record<string, k8s.Quantity> {
  return { cpu: k8s.Quantity.fromString(q.cpu), memory: k8s.Quantity.fromString(q.memory) };
}

/** Requests and limits as a container's `resources`. */
export function k8sResources(r: ResourceRequirements): k8s.ResourceRequirements {
  return { requests: k8sQuantities(r.requests), limits: k8sQuantities(r.limits) };
}
