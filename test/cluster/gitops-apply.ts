/**
 * Applies an environment folder of `dist/` the way Argo CD or Flux does: stage by stage in order, each
 * object by server-side apply with strict field validation, waiting for the stage to be healthy before the
 * next (Argo CD's waves, Flux's `dependsOn` + `wait`); Argo CD hooks recreated, objects the tool may
 * replace (Argo CD `Replace=true`/`Force=true`, Flux `force`) recreated on an immutable-field error, and
 * objects that left the folder pruned. Everything else the API server refuses or warns about is reported.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient, ApiResponse, KubeObject, statusMessage, UnknownKindError } from '../../src/cli/cluster/api-client';
import { droppedFields } from '../../src/cli/cluster/dropped-fields';
import {
  annotationOf,
  argoCdForces,
  fluxForcedFolders,
  fluxForces,
  IMMUTABLE,
  isForcedFolder,
  recreatedAsHook,
} from '../../src/cli/cluster/gitops-rules';
import { applyOrder, TreeStage } from '../../src/synth/apply-order';
import { waitFor } from './control-plane';
import { HealthReport, namespaceHealth } from './health';

/** Which tool's rules to follow. */
export type GitOpsTool = 'argocd' | 'flux';

/** An object and where it came from. */
export interface Finding {
  readonly file: string;
  readonly object: string;
  readonly message: string;
}

/** What applying one folder did. */
export interface ApplyReport {
  readonly applied: number;
  readonly rejected: readonly Finding[];
  readonly warnings: readonly Finding[];
  /** Objects deleted and created again because the tool does so (hooks, force, Replace=true). */
  readonly recreated: readonly string[];
  /** Objects deleted because they left the folder. */
  readonly pruned: readonly string[];
  /** Objects that left the folder and were kept because they say so (prune disabled). */
  readonly keptFromPrune: readonly string[];
  /** Objects in the cluster that the tool leaves as they are (Flux's `ssa: IfNotPresent` or `Ignore`). */
  readonly skipped: readonly string[];
  /** The namespaces' health after the last stage. */
  readonly health: HealthReport;
}

const FIELD_MANAGER = 'gitops';

const key = (o: KubeObject): string =>
  `${o.apiVersion.split('/').slice(0, -1).join('/') || 'core'}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const label = (o: KubeObject): string => `${o.kind}/${o.metadata.name}`;
/** The `dist/<env>/<stage>` folders whose Flux Kustomization sets `force`. */
function fluxForcedStages(distRoot: string): string[] {
  const folder = join(distRoot, 'gitops', 'flux');
  return existsSync(folder) ? fluxForcedFolders(applyOrder(folder).stages.flatMap((s) => s.files.flatMap((f) => f.objects))) : [];
}

/**
 * The order of kinds within one step. Argo CD sorts a wave by kind (gitops-engine's sync order, Helm's
 * install order); Flux applies what `kustomize build` gives, which sorts by kind too (kustomize's legacy
 * order) after CRDs and Namespaces. Kinds not listed come after the listed ones.
 */
const KIND_ORDER: Readonly<Record<GitOpsTool, readonly string[]>> = {
  argocd: [
    'Namespace',
    'NetworkPolicy',
    'ResourceQuota',
    'LimitRange',
    'PodSecurityPolicy',
    'PodDisruptionBudget',
    'ServiceAccount',
    'Secret',
    'SecretList',
    'ConfigMap',
    'StorageClass',
    'PersistentVolume',
    'PersistentVolumeClaim',
    'CustomResourceDefinition',
    'ClusterRole',
    'ClusterRoleList',
    'ClusterRoleBinding',
    'ClusterRoleBindingList',
    'Role',
    'RoleList',
    'RoleBinding',
    'RoleBindingList',
    'Service',
    'DaemonSet',
    'Pod',
    'ReplicationController',
    'ReplicaSet',
    'Deployment',
    'HorizontalPodAutoscaler',
    'StatefulSet',
    'Job',
    'CronJob',
    'IngressClass',
    'Ingress',
    'APIService',
  ],
  flux: [
    'CustomResourceDefinition',
    'Namespace',
    'ResourceQuota',
    'StorageClass',
    'ServiceAccount',
    'PodSecurityPolicy',
    'Role',
    'ClusterRole',
    'RoleBinding',
    'ClusterRoleBinding',
    'ConfigMap',
    'Secret',
    'Endpoints',
    'Service',
    'LimitRange',
    'PriorityClass',
    'PersistentVolume',
    'PersistentVolumeClaim',
    'Deployment',
    'StatefulSet',
    'CronJob',
    'PodDisruptionBudget',
  ],
};

function inKindOrder<T extends { object: KubeObject }>(tool: GitOpsTool, items: readonly T[]): T[] {
  const rank = (kind: string): number => {
    const i = KIND_ORDER[tool].indexOf(kind);
    return i < 0 ? KIND_ORDER[tool].length : i;
  };
  // Both break ties by kind, then by name (gitops-engine; kustomize's legacy order).
  return [...items].sort(
    (a, b) =>
      rank(a.object.kind) - rank(b.object.kind) ||
      a.object.kind.localeCompare(b.object.kind) ||
      a.object.metadata.name.localeCompare(b.object.metadata.name),
  );
}

/**
 * Whether the tool would delete and recreate `o` when the API server refuses to change it in place: Argo CD
 * for an immutable field; Flux for any invalid (422) or conflicting (409) change or an immutable-field message
 * (fluxcd/pkg ssa's IsImmutableError, as kubectl's patcher decides).
 */
function mayRecreate(tool: GitOpsTool, o: KubeObject, stageForced: boolean, r: ApiResponse): boolean {
  if (tool === 'argocd') return IMMUTABLE.test(statusMessage(r)) && argoCdForces(o);
  return (r.status === 422 || r.status === 409 || IMMUTABLE.test(statusMessage(r))) && fluxForces(o, stageForced);
}

/** Whether the tool keeps `o` when it leaves Git (Argo CD: `Prune=false`, or `Prune=confirm` until someone confirms). */
function keepsFromPrune(tool: GitOpsTool, o: KubeObject): boolean {
  if (tool === 'argocd') return /\bPrune=(false|confirm)\b/.test(annotationOf(o, 'argocd.argoproj.io/sync-options') ?? '');
  return (annotationOf(o, 'kustomize.toolkit.fluxcd.io/prune') ?? '').toLowerCase() === 'disabled';
}

/**
 * Whether Flux leaves `o` alone, as kustomize-controller's apply does (fluxcd/pkg ssa's shouldSkipApply):
 * `kustomize.toolkit.fluxcd.io/ssa: Ignore` on the object in Git or in the cluster, or `IfNotPresent` in Git
 * when the object exists.
 */
async function fluxSkips(client: ApiClient, o: KubeObject): Promise<boolean> {
  const policy = (x: KubeObject | undefined): string | undefined => (x ? annotationOf(x, 'kustomize.toolkit.fluxcd.io/ssa') : undefined);
  if (policy(o) === 'Ignore') return true;
  let live: KubeObject | undefined;
  try {
    live = await client.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
  } catch (e) {
    if (e instanceof UnknownKindError) return false;
    throw e;
  }
  return policy(live) === 'Ignore' || (live !== undefined && policy(o) === 'IfNotPresent');
}

async function deleteAndWait(client: ApiClient, o: KubeObject): Promise<void> {
  const r = await client.delete(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
  if (r.status >= 300 && r.status !== 404) throw new Error(`deleting ${label(o)}: ${statusMessage(r)}`);
  await waitFor(`${label(o)} to be gone`, 60_000, async () =>
    (await client.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name)) === undefined ? true : undefined,
  );
}

/** The key Argo Rollouts adds to the selectors of the Services a Rollout names. */
const ROLLOUTS_HASH = 'rollouts-pod-template-hash';

/**
 * A Service as Argo CD's default (client-side) apply leaves it: kubectl's three-way merge keeps a selector key
 * that no applied configuration ever had, so the `rollouts-pod-template-hash` Argo Rollouts adds stays. A
 * server-side apply (Flux; Argo CD with ServerSideApply=true) replaces the selector, an atomic map, whole.
 */
async function withControllerSelector(client: ApiClient, o: KubeObject): Promise<KubeObject> {
  type Svc = KubeObject & { spec?: { selector?: Record<string, string> } };
  const live = await client.get<Svc>(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
  const hash = live?.spec?.selector?.[ROLLOUTS_HASH];
  const mine = o as Svc;
  if (!hash || !mine.spec?.selector || ROLLOUTS_HASH in mine.spec.selector) return o;
  return { ...mine, spec: { ...mine.spec, selector: { ...mine.spec.selector, [ROLLOUTS_HASH]: hash } } } as KubeObject;
}

/** Options of one apply. */
export interface ApplyOptions {
  /** The `dist/` folder (for the GitOps objects of dist/gitops/). */
  readonly distRoot: string;
  /** The environment folder under it. */
  readonly environment: string;
  readonly tool: GitOpsTool;
  /** The objects the previous apply of this environment left (for pruning). */
  readonly previous?: readonly KubeObject[];
  /** How long one stage may take to become healthy. @default 120000 */
  readonly stageTimeoutMs?: number;
}

/** The objects of an environment folder, in apply order. */
export function environmentObjects(distRoot: string, environment: string): KubeObject[] {
  return applyOrder(join(distRoot, environment)).stages.flatMap((s) => s.files.flatMap((f) => f.objects));
}

/** Applies one environment folder as `tool` would. */
export async function applyEnvironment(client: ApiClient, options: ApplyOptions): Promise<ApplyReport> {
  const root = join(options.distRoot, options.environment);
  const order = applyOrder(root);
  if (order.problems.length > 0) throw new Error(`cannot read ${root}: ${order.problems.join('; ')}`);
  const forced = fluxForcedStages(options.distRoot);
  const rejected: Finding[] = [];
  const warnings: Finding[] = [];
  const recreated: string[] = [];
  const pruned: string[] = [];
  const keptFromPrune: string[] = [];
  const skipped: string[] = [];
  let applied = 0;
  const all = order.stages.flatMap((s) => s.files.flatMap((f) => f.objects));
  const namespaces = [...new Set(all.map((o) => (o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace)).filter((n): n is string => !!n))];
  let health: HealthReport = { healthy: [], problems: [], acceptedOnly: [] };

  const applyOne = async (stage: TreeStage, file: string, o: KubeObject): Promise<void> => {
    const stageForced = isForcedFolder(forced, `${options.environment}/${stage.folder}`);
    // Argo CD runs a hook afresh on every sync: the one before is deleted first.
    if (options.tool === 'argocd' && recreatedAsHook(o)) {
      if (await client.get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name)) {
        await deleteAndWait(client, o);
        recreated.push(label(o));
      }
    }
    if (options.tool === 'argocd' && o.kind === 'Service') o = await withControllerSelector(client, o);
    if (options.tool === 'flux' && (await fluxSkips(client, o))) {
      skipped.push(label(o));
      return;
    }
    let r: ApiResponse;
    try {
      r = await client.apply(o, { fieldManager: FIELD_MANAGER });
    } catch (e) {
      if (e instanceof UnknownKindError) {
        rejected.push({ file, object: label(o), message: e.message });
        return;
      }
      throw e;
    }
    if (r.status >= 300 && mayRecreate(options.tool, o, stageForced, r)) {
      await deleteAndWait(client, o);
      recreated.push(label(o));
      r = await client.apply(o, { fieldManager: FIELD_MANAGER });
    }
    for (const w of r.warnings) warnings.push({ file, object: label(o), message: w });
    if (r.status >= 300) {
      rejected.push({ file, object: label(o), message: statusMessage(r) });
      return;
    }
    applied++;
    const dropped = droppedFields(o, r.body);
    if (dropped.length > 0) warnings.push({ file, object: label(o), message: `dropped: the API server does not keep ${dropped.join(', ')}` });
  };

  for (const stage of order.stages) {
    const items = stage.files.flatMap((f) => f.objects.map((object) => ({ file: `${options.environment}/${f.path}`, object })));
    for (const { file, object } of inKindOrder(options.tool, items)) await applyOne(stage, file, object);
    const stageObjects = stage.files.flatMap((f) => f.objects);
    if (!stageObjects.some((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind))) continue;
    // Wait like Flux's `wait: true` and Argo CD's waves: the stage's workloads healthy before the next.
    const deadline = Date.now() + (options.stageTimeoutMs ?? 120_000);
    for (;;) {
      const names = new Set(stageObjects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind)).map(label));
      const pending = (await healthOf(client, namespaces, all)).problems.filter((p) => names.has(p.split(':')[0]));
      if (pending.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  if (options.previous) {
    const now = new Set(all.map(key));
    for (const o of [...options.previous].reverse()) {
      if (now.has(key(o))) continue;
      if (keepsFromPrune(options.tool, o)) {
        keptFromPrune.push(label(o));
        continue;
      }
      await deleteAndWait(client, o);
      pruned.push(label(o));
    }
  }

  // Settled: the controllers have had every stage's wait; one last look at everything.
  const deadline = Date.now() + (options.stageTimeoutMs ?? 120_000);
  for (;;) {
    health = await healthOf(client, namespaces, all);
    if (health.problems.length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return { applied, rejected, warnings, recreated, pruned, keptFromPrune, skipped, health };
}

/** The health of every namespace of the environment, over the objects applied to it. */
async function healthOf(client: ApiClient, namespaces: readonly string[], all: readonly KubeObject[]): Promise<HealthReport> {
  const reports = await Promise.all(
    namespaces.map((ns) =>
      namespaceHealth(
        client,
        ns,
        all.filter((o) => o.metadata.namespace === ns),
      ),
    ),
  );
  return {
    healthy: reports.flatMap((r) => r.healthy),
    problems: reports.flatMap((r) => r.problems),
    acceptedOnly: reports.flatMap((r) => r.acceptedOnly),
  };
}
