/**
 * Compile-time checks of the typed views. `npm run typecheck` compiles this file (it holds no tests
 * and is never run): each `@ts-expect-error` fails the typecheck once the line below it compiles.
 */
import { all, editable, Manifest, Obj, one, viewAs } from './render';

export function viewChecks(objects: Obj[], manifests: Manifest[]): unknown[] {
  const d = one(objects, 'Deployment');
  // Optional fields are present for reading, typed by the model.
  const replicas: number = d.spec.replicas;
  const image: string = d.spec.template.spec.containers[0].image;
  // IntOrString stays a union; records stay records.
  const targetPort: string | number = one(objects, 'Service').spec.ports[0].targetPort;
  const labels: { readonly [key: string]: string } = d.metadata.labels;
  // Several kinds at once: a union of their views.
  const workloads = all(objects, 'Deployment', 'Rollout').map((w) => w.kind);
  const cluster = viewAs('Cluster', objects[0]).spec.instances;
  // @ts-expect-error a kind without a model in kinds.ts
  one(objects, 'Widget');
  // @ts-expect-error a field the model does not have
  void d.spec.replcas;
  // @ts-expect-error views are read-only
  d.spec.replicas = 3;
  // @ts-expect-error so are their arrays
  d.spec.template.spec.containers.push(d.spec.template.spec.containers[0]);
  // @ts-expect-error the rest of an object of unknown kind is unknown
  void objects[0].spec.replicas;
  // Editing goes through the mutable model, where optional fields stay optional.
  const pdb = editable(manifests, 'PodDisruptionBudget');
  // @ts-expect-error possibly undefined
  pdb.spec.maxUnavailable = 1;
  return [replicas, image, targetPort, labels, workloads satisfies Array<'Deployment' | 'Rollout'>, cluster];
}
