/**
 * Where pods may run and how they pull their images: registry credentials, priority, node selection and
 * tolerations, the same for every pod template the library creates (Deployments, Rollouts, StatefulSets,
 * Jobs, the CloudNativePG Cluster and Pooler).
 */
import { FieldPath } from './field-path';
import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { checkDnsSubdomain, checkInteger, checkLabelKey, checkLabelValue } from './value-rules';
import { contextValue, Problem, ProblemCollector, show } from './problems';
import { checkSecretName } from './secrets';

/** A taint the pods tolerate. */
export interface Toleration {
  /** Taint key. @default - every key (only with operator 'Exists') */
  readonly key?: string;
  /** 'Equal' matches `value`; 'Exists' any value. @default 'Equal' */
  readonly operator?: 'Equal' | 'Exists';
  /** Taint value, with operator 'Equal'. @default - none */
  readonly value?: string;
  /** Taint effect. @default - every effect */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** How long a NoExecute taint is tolerated, in seconds. @default - forever */
  readonly tolerationSeconds?: number;
}

/** Registry credentials, priority, node selection and tolerations of a construct's pods. */
export interface PodPlacement {
  /** Secrets with registry credentials (`kubernetes.io/dockerconfigjson`), like `regcred`. @default - none */
  readonly imagePullSecrets?: string[];
  /** PriorityClass of the pods. @default - the cluster's default priority */
  readonly priorityClassName?: string;
  /** Node labels the pods must run on. @default - any node */
  readonly nodeSelector?: Record<string, string>;
  /** Taints the pods tolerate. @default - none */
  readonly tolerations?: Toleration[];
}

/** The construct-context key that sets the placement of every construct below it that sets none in its props. */
export const PLACEMENT_CONTEXT = 'cdk8s-trading:placement';

/** The keys of PodPlacement, for a context written by hand. */
const PLACEMENT_KEYS = Object.keys({
  imagePullSecrets: true,
  priorityClassName: true,
  nodeSelector: true,
  tolerations: true,
} satisfies Record<keyof PodPlacement, true>);

/** The placement of a construct: its props', else the `cdk8s-trading:placement` context's, else none. */
export function placementOf(scope: IConstruct, own: PodPlacement | undefined): PodPlacement {
  if (own) return own;
  return (
    contextValue<PodPlacement>(PLACEMENT_CONTEXT, scope.node.tryGetContext(PLACEMENT_CONTEXT), (p) => validatePlacement(p), true, PLACEMENT_KEYS) ??
    {}
  );
}

/** Every problem of a placement. */
export function validatePlacement(p: PodPlacement, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  (p.imagePullSecrets ?? []).forEach((s, i) => c.check(path.child(`imagePullSecrets[${i}]`), checkSecretName(s)));
  if (p.priorityClassName !== undefined) c.check(path.child('priorityClassName'), checkDnsSubdomain(p.priorityClassName));
  for (const [key, value] of Object.entries(p.nodeSelector ?? {})) {
    c.check(path.child(`nodeSelector.${key}`), checkLabelKey(key) ?? checkLabelValue(value));
  }
  (p.tolerations ?? []).forEach((t, i) => {
    const at = `tolerations[${i}]`;
    if (t.operator !== undefined && t.operator !== 'Equal' && t.operator !== 'Exists')
      c.check(path.child(`${at}.operator`), `${show(t.operator)} is not an operator: use "Equal" or "Exists"`);
    if (t.operator === 'Exists' && t.value !== undefined) c.check(path.child(`${at}.value`), 'must be left out with operator "Exists"');
    if (t.key === undefined && t.operator !== 'Exists')
      c.check(path.child(`${at}.key`), 'is required unless operator is "Exists" (which then tolerates every taint)');
    if (t.key !== undefined) c.check(path.child(`${at}.key`), checkLabelKey(t.key));
    if (t.effect !== undefined && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      c.check(path.child(`${at}.effect`), `${show(t.effect)} is not an effect: use "NoSchedule", "PreferNoSchedule" or "NoExecute"`);
    }
    if (t.tolerationSeconds !== undefined) {
      c.check(
        path.child(`${at}.tolerationSeconds`),
        t.effect === 'NoExecute' ? checkInteger(t.tolerationSeconds, 0) : 'applies only to effect "NoExecute"',
      );
    }
  });
  return [...c.problems];
}

/** The pod-spec fields of a placement (only those it sets), for any pod template. */
export function placementPodSpec(p: PodPlacement): Pick<k8s.PodSpec, 'imagePullSecrets' | 'priorityClassName' | 'nodeSelector' | 'tolerations'> {
  return {
    ...(p.imagePullSecrets?.length ? { imagePullSecrets: p.imagePullSecrets.map((name) => ({ name })) } : {}),
    ...(p.priorityClassName ? { priorityClassName: p.priorityClassName } : {}),
    ...(p.nodeSelector && Object.keys(p.nodeSelector).length ? { nodeSelector: { ...p.nodeSelector } } : {}),
    ...(p.tolerations?.length ? { tolerations: p.tolerations.map((t) => ({ ...t })) } : {}),
  };
}
