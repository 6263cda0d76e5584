import { parseQuantity } from '../core/quantity';
import { credentialPaths } from '../core/secrets';
import { checkImage } from '../core/value-rules';
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
  'no-credentials': 'No field holds a credential: a reference to a Secret holds its name, a URL carries no password or token (dist/ is committed).',
  'limit-range-admits':
    "Every container (init containers, Jobs and operator-run pods included) fits the namespace's LimitRange, which the API server enforces on every pod.",
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

/**
 * Labels of the pods an operator runs for a custom resource (CloudNativePG Cluster instances and Pooler
 * pods), so Services and PDBs that select them are judged like those of workloads.
 */
function operatorPodLabels(m: ManifestView): Record<string, string> | undefined {
  if (!m.apiVersion.startsWith('postgresql.cnpg.io/')) return undefined;
  if (m.kind === 'Cluster') return { ...m.spec?.inheritedMetadata?.labels, 'cnpg.io/cluster': m.metadata.name, 'cnpg.io/podRole': 'instance' };
  if (m.kind === 'Pooler') {
    const cluster = (m.spec as { cluster?: { name?: string } } | undefined)?.cluster?.name;
    return {
      ...m.spec?.template?.metadata?.labels,
      'cnpg.io/poolerName': m.metadata.name,
      'cnpg.io/podRole': 'pooler',
      ...(cluster ? { 'cnpg.io/cluster': cluster } : {}),
    };
  }
  return undefined;
}

/**
 * What the API server's LimitRanger would refuse, per object: a container's limit above `max` or its request
 * below `min`, and a limit-to-request ratio above `maxLimitRequestRatio`, each after the LimitRange has filled
 * in what the container leaves out (`default` for a missing limit; `defaultRequest`, else the limit, for a
 * missing request). A refused container means every pod of the object is refused.
 */
function limitRangeProblems(manifests: readonly ManifestView[], workloads: readonly ManifestView[]): Array<[ManifestView, string[]]> {
  const items = manifests
    .filter((m) => m.kind === 'LimitRange')
    .flatMap((m) => (m.spec?.limits ?? []).filter((l) => l.type === 'Container').map((l) => ({ name: m.metadata.name, item: l })));
  if (items.length === 0) return [];
  type Resources = { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  const pods: Array<[ManifestView, Array<{ name: string; resources?: Resources }>]> = workloads.map((w) => [
    w,
    containersOf(podSpecOf(w) as PodSpecView),
  ]);
  for (const m of manifests) {
    // Pods an operator runs: CloudNativePG's instances take the Cluster's resources; a Pooler's, its template's.
    if (m.apiVersion.startsWith('postgresql.cnpg.io/') && m.kind === 'Cluster') pods.push([m, [{ name: 'postgres', resources: m.spec?.resources }]]);
    if (m.apiVersion.startsWith('postgresql.cnpg.io/') && m.kind === 'Pooler') pods.push([m, containersOf(m.spec?.template?.spec ?? {})]);
  }
  const out: Array<[ManifestView, string[]]> = [];
  for (const [m, containers] of pods) {
    const problems: string[] = [];
    for (const c of containers) {
      for (const { name, item } of items) {
        const resources = new Set([...Object.keys(item.max ?? {}), ...Object.keys(item.min ?? {}), ...Object.keys(item.maxLimitRequestRatio ?? {})]);
        for (const r of resources) {
          const limit = c.resources?.limits?.[r] ?? item.default?.[r];
          const request = c.resources?.requests?.[r] ?? item.defaultRequest?.[r] ?? limit;
          const where = `container ${JSON.stringify(c.name)}`;
          const max = item.max?.[r];
          if (max !== undefined) {
            if (limit === undefined)
              problems.push(`${where} sets no ${r} limit, and LimitRange ${name} has a max but no default: the API server rejects every pod`);
            else if ((parseQuantity(limit) ?? 0) > (parseQuantity(max) ?? Infinity)) {
              problems.push(
                `${where}: ${r} limit ${JSON.stringify(limit)} is above the max ${JSON.stringify(max)} of LimitRange ${name}: the API server rejects every pod`,
              );
            }
          }
          const min = item.min?.[r];
          if (min !== undefined && request !== undefined && (parseQuantity(request) ?? Infinity) < (parseQuantity(min) ?? 0)) {
            problems.push(
              `${where}: ${r} request ${JSON.stringify(request)} is below the min ${JSON.stringify(min)} of LimitRange ${name}: the API server rejects every pod`,
            );
          }
          const ratio = item.maxLimitRequestRatio?.[r];
          if (ratio !== undefined && limit !== undefined && request !== undefined) {
            const actual = (parseQuantity(limit) ?? 0) / (parseQuantity(request) ?? 1);
            if (actual > (parseQuantity(ratio) ?? Infinity)) {
              problems.push(
                `${where}: ${r} limit ${JSON.stringify(limit)} is ${actual.toFixed(2).replace(/\.?0+$/, '')} times the request ${JSON.stringify(request)}, above the maxLimitRequestRatio ${JSON.stringify(ratio)} of LimitRange ${name}: the API server rejects every pod`,
              );
            }
          }
        }
      }
    }
    if (problems.length > 0) out.push([m, problems]);
  }
  return out;
}

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
  // A hand-edited manifest may hold null where the schema allows it (`selector: null`, `matchLabels: null`).
  if (typeof selector !== 'object' || selector === null) return undefined;
  return 'matchLabels' in selector && typeof selector.matchLabels === 'object' && selector.matchLabels !== null ? selector.matchLabels : undefined;
}

/**
 * Label sets (selectors or pod labels), each filed under its rarest `key=value` pair. A set that is
 * contained in some labels has its rarest pair among them, so a query looks only at the buckets of
 * its own pairs; rare pairs (`name`, `instance`) keep those buckets small, and the rules stay linear.
 */
class LabelSetIndex {
  private readonly buckets = new Map<string, Array<Record<string, string>>>();

  constructor(sets: ReadonlyArray<Record<string, string> | undefined>) {
    const nonEmpty = sets.filter((x): x is Record<string, string> => typeof x === 'object' && x !== null && Object.keys(x).length > 0);
    const frequency = new Map<string, number>();
    for (const set of nonEmpty) for (const [k, v] of Object.entries(set)) frequency.set(`${k}=${v}`, (frequency.get(`${k}=${v}`) ?? 0) + 1);
    for (const set of nonEmpty) {
      let rarest = '';
      let count = Infinity;
      for (const [k, v] of Object.entries(set)) {
        const n = frequency.get(`${k}=${v}`) ?? 0;
        if (n < count) {
          rarest = `${k}=${v}`;
          count = n;
        }
      }
      const bucket = this.buckets.get(rarest);
      if (bucket) bucket.push(set);
      else this.buckets.set(rarest, [set]);
    }
  }

  /** Whether some indexed set is contained in `labels` (for selectors: selects those pods). */
  public anyContainedIn(labels: Record<string, string> | undefined): boolean {
    if (!labels) return false;
    return Object.entries(labels).some(([k, v]) => (this.buckets.get(`${k}=${v}`) ?? []).some((set) => selects(set, labels)));
  }

  /** Whether some indexed set contains `subset` (for pod labels: the selector selects them). */
  public anyContaining(subset: Record<string, string> | undefined): boolean {
    if (!subset || Object.keys(subset).length === 0) return false;
    // Every bucket holding a superset is filed under a pair of that superset; scan the candidates
    // filed under the subset's own pairs first, then the rest only when none matched.
    for (const [k, v] of Object.entries(subset)) {
      if ((this.buckets.get(`${k}=${v}`) ?? []).some((set) => selects(subset, set))) return true;
    }
    for (const bucket of this.buckets.values()) if (bucket.some((set) => selects(subset, set))) return true;
    return false;
  }
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
  const podLabels = (m: ManifestView): Record<string, string> | undefined =>
    m.spec?.template?.metadata?.labels ?? (m.kind === 'Pod' ? m.metadata.labels : undefined);
  // Indexes keep the rules linear in the number of objects (thousands of services in one repository).
  const hpaByTarget = new Map<string, ManifestView>();
  for (const h of manifests) {
    const t = h.kind === 'HorizontalPodAutoscaler' ? h.spec?.scaleTargetRef : undefined;
    if (t) hpaByTarget.set(`${t.kind}/${t.name}`, h);
  }
  const pdbSelectors = new LabelSetIndex(manifests.filter((m) => m.kind === 'PodDisruptionBudget').map((m) => matchLabels(m.spec?.selector)));
  const policySelectors = new LabelSetIndex(manifests.filter((m) => m.kind === 'NetworkPolicy').map((m) => m.spec?.podSelector?.matchLabels));
  const maxPods = (m: ManifestView): number => hpaByTarget.get(`${m.kind}/${m.metadata.name}`)?.spec?.maxReplicas ?? m.spec?.replicas ?? 1;

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
          if (!c.resources?.[kind]?.[resource])
            add('resources-set', w, `container ${JSON.stringify(c.name)} sets no ${resource} ${kind === 'requests' ? 'request' : 'limit'}`);
        }
      }
      const imageProblem = checkImage(c.image, options.allowLatestTag ?? false);
      if (imageProblem) add('image-pinned', w, `container ${JSON.stringify(c.name)}: image ${imageProblem}`);
    }
    if (LONG_RUNNING_KINDS.has(w.kind) && maxPods(w) > 1) {
      const labels = podLabels(w);
      if (!pdbSelectors.anyContainedIn(labels)) {
        add('replicated-has-pdb', w, `can run ${maxPods(w)} pods but no PodDisruptionBudget selects them`);
      }
      if (!(pod.topologySpreadConstraints ?? []).length) {
        add('replicated-has-spread', w, `can run ${maxPods(w)} pods but sets no topologySpreadConstraints`);
      }
    }
    if (!policySelectors.anyContainedIn(podLabels(w))) {
      add('network-policy-coverage', w, 'no NetworkPolicy (other than a select-all default-deny) selects its pods');
    }
  }

  const pods = new LabelSetIndex([...workloads.map(podLabels), ...manifests.map(operatorPodLabels)]);
  const workloadIds = new Set(workloads.map((w) => `${w.kind}/${w.metadata.name}`));
  for (const m of manifests) {
    if (m.kind === 'Service') {
      const selector = m.spec?.selector as Record<string, string> | undefined;
      if (selector && Object.keys(selector).length > 0 && !pods.anyContaining(selector)) {
        add('service-selects-pods', m, `its selector ${JSON.stringify(selector)} matches no workload's pods`);
      }
    }
    if (m.kind === 'HorizontalPodAutoscaler') {
      const t = m.spec?.scaleTargetRef;
      if (!t || !workloadIds.has(`${t.kind}/${t.name}`)) {
        add('hpa-target-exists', m, `targets ${t ? `${t.kind}/${t.name}` : 'nothing'}, which is not in the manifests`);
      }
    }
    if (m.kind === 'PodDisruptionBudget' && !pods.anyContaining(matchLabels(m.spec?.selector))) {
      add('pdb-selects-pods', m, "its selector matches no workload's pods");
    }
    if (m.kind === 'Secret' && (Object.keys(m.data ?? {}).length > 0 || Object.keys(m.stringData ?? {}).length > 0)) {
      add('no-secret-data', m, 'carries data; reference an existing Secret or an ExternalSecret instead');
    }
    // Every object, whatever its kind: a token is as public in a ConfigMap or a custom resource as in a Deployment.
    // (A Secret's data is no-secret-data's finding.)
    for (const field of credentialPaths(m.kind === 'Secret' ? { ...m, data: undefined, stringData: undefined } : m)) {
      add(
        'no-credentials',
        m,
        `${field}: looks like a credential (a token, or a URL with a password or a token): it would be committed with dist/; keep it in a Secret and reference it (the value is not shown here)`,
      );
    }
  }

  for (const [m, problems] of limitRangeProblems(manifests, workloads)) for (const p of problems) add('limit-range-admits', m, p);

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
