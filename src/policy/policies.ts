import { checkImage } from '../core/rules';
import { ContainerView, ManifestView, PodSpecView, SelectorView } from './manifest-view';
import { podSpecOf, restrictedViolations } from './pod-security-standards';

/** The built-in policy rules, by id. */
export const POLICY_RULES = {
  'pod-security-restricted': 'Every pod meets the Pod Security Standards "restricted" profile.',
  'workload-probes': 'Every container of a long-running workload has a readiness and a liveness probe.',
  'resources-set': 'Every container sets CPU and memory requests and limits.',
  'image-pinned': 'Every image has a tag other than latest, or a digest (latest only where allowed).',
  'replicated-has-pdb': 'A workload that can run more than one pod has a PodDisruptionBudget selecting it.',
  'replicated-has-spread': 'A workload that can run more than one pod spreads its pods with topologySpreadConstraints.',
  'network-policy-coverage': 'The pods of every workload are selected by a NetworkPolicy that allows their traffic (besides default-deny).',
  'service-selects-pods': "Every Service's selector matches the pods of a workload.",
  'hpa-target-exists': 'Every HorizontalPodAutoscaler targets a workload that exists.',
  'pdb-selects-pods': 'Every PodDisruptionBudget selects the pods of a workload.',
  'no-secret-data': 'No Secret carries data: secrets come by reference.',
} as const;

/** A policy rule id. */
export type PolicyRuleId = keyof typeof POLICY_RULES;

/** A deliberate exception to one rule for one object, with the reason in configuration. */
export interface PolicyWaiver {
  /** The rule. */
  readonly rule: PolicyRuleId;
  /** The object, as `Kind/name`. */
  readonly object: string;
  /** Why the exception is acceptable. */
  readonly reason: string;
}

/** One violation. */
export interface PolicyFinding {
  readonly rule: PolicyRuleId;
  /** `Kind/name`. */
  readonly object: string;
  readonly message: string;
  /** The waiver that accepts it, if any. */
  readonly waiver?: PolicyWaiver;
}

/** Options of `checkPolicies`. */
export interface PolicyOptions {
  /** Accept `latest` and untagged images (dev). @default false */
  readonly allowLatestTag?: boolean;
  /** Accepted exceptions. @default - none */
  readonly waivers?: readonly PolicyWaiver[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Rollout', 'Pod']);
const LONG_RUNNING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout']);

function id(m: ManifestView): string {
  return `${m.kind}/${m.metadata.name}`;
}

function containersOf(pod: PodSpecView): ContainerView[] {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function matchLabels(selector: SelectorView | Record<string, string> | undefined): Record<string, string> | undefined {
  if (selector === undefined) return undefined;
  return 'matchLabels' in selector && typeof selector.matchLabels === 'object' ? selector.matchLabels : undefined;
}

/**
 * Checks rendered manifests against the built-in rules (`POLICY_RULES`). Returns every finding;
 * waived ones carry their waiver. Pure: the same input gives the same findings, in a stable order.
 */
export function checkPolicies(manifests: readonly ManifestView[], options: PolicyOptions = {}): PolicyFinding[] {
  const findings: Array<Omit<PolicyFinding, 'waiver'>> = [];
  const add = (rule: PolicyRuleId, m: ManifestView, message: string): void => {
    findings.push({ rule, object: id(m), message });
  };
  const workloads = manifests.filter((m) => WORKLOAD_KINDS.has(m.kind) && podSpecOf(m));
  const podLabels = (m: ManifestView): Record<string, string> | undefined => m.spec?.template?.metadata?.labels ?? (m.kind === 'Pod' ? m.metadata.labels : undefined);
  const maxPods = (m: ManifestView): number => {
    const hpa = manifests.find((h) => h.kind === 'HorizontalPodAutoscaler' && h.spec?.scaleTargetRef?.kind === m.kind && h.spec?.scaleTargetRef?.name === m.metadata.name);
    return hpa?.spec?.maxReplicas ?? m.spec?.replicas ?? 1;
  };

  for (const w of workloads) {
    const pod = podSpecOf(w) as PodSpecView;
    for (const v of restrictedViolations(pod)) add('pod-security-restricted', w, v);
    for (const c of containersOf(pod)) {
      if (LONG_RUNNING_KINDS.has(w.kind) && (pod.containers ?? []).includes(c)) {
        if (!c.readinessProbe) add('workload-probes', w, `container ${JSON.stringify(c.name)} has no readinessProbe`);
        if (!c.livenessProbe) add('workload-probes', w, `container ${JSON.stringify(c.name)} has no livenessProbe`);
      }
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (!c.resources?.[kind]?.[resource]) add('resources-set', w, `container ${JSON.stringify(c.name)} sets no ${resource} ${kind === 'requests' ? 'request' : 'limit'}`);
        }
      }
      const imageProblem = checkImage(c.image, options.allowLatestTag ?? false);
      if (imageProblem) add('image-pinned', w, `container ${JSON.stringify(c.name)}: image ${imageProblem}`);
    }
    if (LONG_RUNNING_KINDS.has(w.kind) && maxPods(w) > 1) {
      const labels = podLabels(w);
      if (!manifests.some((p) => p.kind === 'PodDisruptionBudget' && selects(matchLabels(p.spec?.selector), labels))) {
        add('replicated-has-pdb', w, `can run ${maxPods(w)} pods but no PodDisruptionBudget selects them`);
      }
      if (!(pod.topologySpreadConstraints ?? []).length) {
        add('replicated-has-spread', w, `can run ${maxPods(w)} pods but sets no topologySpreadConstraints`);
      }
    }
    if (!manifests.some((p) => p.kind === 'NetworkPolicy' && selects(p.spec?.podSelector?.matchLabels, podLabels(w)))) {
      add('network-policy-coverage', w, 'no NetworkPolicy (other than a select-all default-deny) selects its pods');
    }
  }

  const allPodLabels = workloads.map(podLabels);
  for (const m of manifests) {
    if (m.kind === 'Service') {
      const selector = m.spec?.selector as Record<string, string> | undefined;
      if (selector && Object.keys(selector).length > 0 && !allPodLabels.some((l) => selects(selector, l))) {
        add('service-selects-pods', m, `its selector ${JSON.stringify(selector)} matches no workload's pods`);
      }
    }
    if (m.kind === 'HorizontalPodAutoscaler') {
      const t = m.spec?.scaleTargetRef;
      if (!t || !manifests.some((w) => w.kind === t.kind && w.metadata.name === t.name)) {
        add('hpa-target-exists', m, `targets ${t ? `${t.kind}/${t.name}` : 'nothing'}, which is not in the manifests`);
      }
    }
    if (m.kind === 'PodDisruptionBudget' && !allPodLabels.some((l) => selects(matchLabels(m.spec?.selector), l))) {
      add('pdb-selects-pods', m, "its selector matches no workload's pods");
    }
    if (m.kind === 'Secret' && (Object.keys(m.data ?? {}).length > 0 || Object.keys(m.stringData ?? {}).length > 0)) {
      add('no-secret-data', m, 'carries data; reference an existing Secret or an ExternalSecret instead');
    }
  }

  const waivers = options.waivers ?? [];
  return findings.map((f) => {
    const waiver = waivers.find((w) => w.rule === f.rule && w.object === f.object);
    return waiver ? { ...f, waiver } : f;
  });
}

/** Waivers that accept nothing (a stale exception hides the next real violation). */
export function unusedWaivers(findings: readonly PolicyFinding[], waivers: readonly PolicyWaiver[]): PolicyWaiver[] {
  return waivers.filter((w) => !findings.some((f) => f.waiver === w));
}
