/**
 * `validate --server`: every object of an output tree sent to a real API server as a server-side apply in
 * dry-run mode (strict field validation, every admission plugin and webhook, immutable fields compared with
 * what the cluster holds), stage by stage in apply order. Rejections, warnings and fields the server does
 * not keep are reported per file.
 */
import { applyOrder } from '../../synth/apply-order';
import { ApiClient, statusMessage, UnknownKindError } from './api-client';
import { droppedFields } from './dropped-fields';

/** What the API server said of an output tree. */
export interface ServerCheck {
  /** One line per rejection or warning, each naming the file and the object. */
  readonly problems: readonly string[];
  /** One line per thing that could not be checked (objects in a namespace the cluster does not have). */
  readonly notes: readonly string[];
  /** Objects the API server accepted. */
  readonly accepted: number;
  /** Objects sent. */
  readonly objects: number;
}

/** The field manager `validate --server` names in its dry runs. */
export const FIELD_MANAGER = 'cdk8s-trading';

/** Runs at most `limit` of `tasks` at once, in order. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Dry-runs every object under `dir` (paths in the lines are relative to `dir`, prefixed with `label`). */
export async function checkOnServer(client: ApiClient, dir: string, label: string): Promise<ServerCheck> {
  const order = applyOrder(dir);
  const problems = order.problems.map((p) => `${label}/${p}`);
  const missingNamespaces = new Map<string, number>();
  const namespaceExists = new Map<string, Promise<boolean>>();
  let accepted = 0;
  let objects = 0;
  const exists = (ns: string): Promise<boolean> => {
    let known = namespaceExists.get(ns);
    if (!known) {
      known = client.get('v1', 'Namespace', undefined, ns).then((n) => n !== undefined);
      namespaceExists.set(ns, known);
    }
    return known;
  };
  for (const stage of order.stages) {
    const work = stage.files.flatMap((file) => file.objects.map((object) => ({ file, object })));
    objects += work.length;
    await inParallel(work, 8, async ({ file, object }) => {
      const where = `${label}/${file.path}: ${object.kind}/${object.metadata.name}`;
      const ns = object.metadata.namespace;
      try {
        if (ns !== undefined && (await client.resource(object.apiVersion, object.kind)).namespaced && !(await exists(ns))) {
          missingNamespaces.set(ns, (missingNamespaces.get(ns) ?? 0) + 1);
          return;
        }
        const r = await client.apply(object, { fieldManager: FIELD_MANAGER, dryRun: true });
        if (r.status >= 200 && r.status < 300) {
          accepted++;
          // A field the server drops without a warning (a feature gate off, a field newer than the server)
          // would silently not take effect on this cluster.
          const dropped = droppedFields(object, r.body);
          if (dropped.length > 0) problems.push(`${where}: dropped: the API server does not keep ${dropped.join(', ')}`);
        } else problems.push(`${where}: rejected: ${statusMessage(r)}`);
        for (const w of r.warnings) problems.push(`${where}: warning: ${w}`);
      } catch (e) {
        if (e instanceof UnknownKindError) problems.push(`${where}: rejected: ${e.message}`);
        else throw e;
      }
    });
  }
  const notes = [...missingNamespaces].map(([ns, n]) =>
    `${n} object(s) in namespace ${ns} not checked: the cluster has no such namespace (apply its Namespace first, or check against a cluster that has it)`);
  return { problems, notes, accepted, objects };
}
