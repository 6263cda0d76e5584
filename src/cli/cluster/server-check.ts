/**
 * `validate --server`: every object of an output tree sent to a real API server as a server-side apply in
 * dry-run mode (strict field validation, every admission plugin and webhook, immutable fields compared with
 * what the cluster holds), stage by stage in apply order. Rejections, warnings and fields the server does
 * not keep are reported per file, in the tree's order.
 */
import { applyOrder, TreeObject } from '../../synth/apply-order';
import { ApiClient, ApiResponse, statusMessage, UnknownKindError } from './api-client';
import { droppedFields } from './dropped-fields';
import { argoCdForces, fluxForcedFolders, fluxForces, IMMUTABLE, isForcedFolder, recreatedAsHook } from './gitops-rules';

/** What the API server said of an output tree. */
export interface ServerCheck {
  /** One line per rejection, warning or dropped field, each naming the file and the object. */
  readonly problems: readonly string[];
  /** One line per thing worth knowing that is not a problem (objects checked as GitOps recreates them). */
  readonly notes: readonly string[];
  /** One line per namespace the cluster lacks, with how many objects in it could not be checked. */
  readonly skipped: readonly string[];
  /** Objects the API server accepted. */
  readonly accepted: number;
  /** Objects sent to the API server. */
  readonly checked: number;
  /** Objects not sent: their namespace does not exist on the cluster. */
  readonly skippedObjects: number;
}

/** The field manager `validate --server` names in its dry runs. */
export const FIELD_MANAGER = 'cdk8s-trading';

/** Runs at most `limit` of `tasks` at once. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The object under a name nothing on the cluster has, for a dry-run create. */
function asNew(o: TreeObject, index: number): TreeObject {
  const suffix = `-dryrun-${index.toString(36)}`;
  return { ...o, metadata: { ...o.metadata, name: `${o.metadata.name.slice(0, 52 - suffix.length)}${suffix}` } };
}

/** Dry-runs every object under `dir` (paths in the lines are relative to `dir`, prefixed with `label`). */
export async function checkOnServer(client: ApiClient, dir: string, label: string): Promise<ServerCheck> {
  const order = applyOrder(dir);
  const problems = order.problems.map((p) => `${label}/${p}`);
  const notes: string[] = [];
  const missing = new Map<string, number>();
  const namespaces = new Map<string, Promise<boolean>>();
  const forced = fluxForcedFolders(order.stages.flatMap((s) => s.files.flatMap((f) => f.objects)));
  let accepted = 0;
  let checked = 0;
  let skippedObjects = 0;
  const exists = (ns: string): Promise<boolean> => {
    let known = namespaces.get(ns);
    if (!known) {
      // Credentials that may not read Namespaces (403) may still apply in one: try it.
      known = client.send('GET', `/api/v1/namespaces/${encodeURIComponent(ns)}`).then((r) => r.status !== 404);
      namespaces.set(ns, known);
    }
    return known;
  };
  let index = 0;
  for (const stage of order.stages) {
    const work = stage.files.flatMap((file) => file.objects.map((object) => ({ file, object, index: index++ })));
    const lines: string[][] = work.map(() => []);
    const noted: string[][] = work.map(() => []);
    await inParallel(work, 8, async ({ file, object, index: n }, i) => {
      const where = `${label}/${file.path}: ${object.kind}/${object.metadata.name}`;
      const ns = object.metadata.namespace;
      if (ns !== undefined && !(await exists(ns))) {
        missing.set(ns, (missing.get(ns) ?? 0) + 1);
        skippedObjects++;
        return;
      }
      checked++;
      let r: ApiResponse;
      try {
        // Objects GitOps creates afresh (hooks), or recreates when an immutable field changes, are checked as new.
        if (recreatedAsHook(object)) {
          r = await client.create(asNew(object, n), { fieldManager: FIELD_MANAGER, dryRun: true });
        } else {
          r = await client.apply(object, { fieldManager: FIELD_MANAGER, dryRun: true });
          if (
            r.status >= 300 &&
            IMMUTABLE.test(statusMessage(r)) &&
            (argoCdForces(object) || fluxForces(object, isForcedFolder(forced, stage.folder)))
          ) {
            noted[i].push(`${where}: changes immutable fields; GitOps recreates it, so it was checked as a new object`);
            r = await client.create(asNew(object, n), { fieldManager: FIELD_MANAGER, dryRun: true });
          }
        }
      } catch (e) {
        if (!(e instanceof UnknownKindError)) throw e;
        lines[i].push(`${where}: rejected: ${e.message}`);
        return;
      }
      if (r.status >= 200 && r.status < 300) {
        accepted++;
        // A field the server drops without a warning (a feature gate off, a field newer than the server)
        // would silently not take effect on this cluster.
        const dropped = droppedFields(object, r.body);
        if (dropped.length > 0) lines[i].push(`${where}: dropped: the API server does not keep ${dropped.join(', ')}`);
      } else {
        lines[i].push(`${where}: rejected: ${statusMessage(r)}`);
      }
      for (const w of r.warnings) lines[i].push(`${where}: warning: ${w}`);
    });
    problems.push(...lines.flat());
    notes.push(...noted.flat());
  }
  const skipped = [...missing].map(([ns, n]) => `${n} object(s) in namespace ${ns}: the cluster has no such namespace`);
  return { problems, notes, skipped, accepted, checked, skippedObjects };
}
