import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { ManifestView } from '../../src/policy/manifest-view';
import { API_VERSIONS, Kind, Kinds, ObjectMeta } from './kinds';
import { View } from './view';

export type { Kind, Kinds } from './kinds';
export type { View } from './view';

/**
 * A rendered Kubernetes object of a kind not known yet: its type meta and metadata are typed, the
 * rest is `unknown`. Read it as its kind with `one`, `all` or `viewAs`.
 */
export interface Obj {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: View<ObjectMeta>;
  readonly [field: string]: unknown;
}

/** A rendered object as plain, mutable JSON, for tests that edit manifests before checking them. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** A rendered object of `kind`, read through its model (see `View`). */
export type KindView<K extends Kind> = View<Kinds[K]>;

/** What `one`, `all` and `viewAs` need of an object to tell its kind and name. */
interface Identified {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string };
}

function synth(build: (scope: Construct) => void, namespace: string): unknown[] {
  const app = new App();
  const chart = new Chart(app, 'test', { namespace, disableResourceNameHashes: true });
  build(chart);
  return chart.toJson();
}

/** Builds constructs in a fresh chart (namespace `trading-test`) and renders it. */
export function render(build: (scope: Construct) => void, namespace = 'trading-test'): Obj[] {
  return synth(build, namespace) as Obj[];
}

/** Like `render`, as mutable JSON to edit. */
export function renderManifests(build: (scope: Construct) => void, namespace = 'trading-test'): Manifest[] {
  return synth(build, namespace) as Manifest[];
}

const describeObject = (o: unknown): string => {
  if (typeof o !== 'object' || o === null) return JSON.stringify(o) ?? String(o);
  const { apiVersion, kind, metadata } = o as Partial<Identified>;
  return `${String(apiVersion)} ${String(kind)}/${String(metadata?.name)}`;
};

/**
 * `obj` read as a `kind`: fails unless it is an object of that kind and of the apiVersion its model
 * has (kinds.ts), so the view's type is never a guess.
 */
export function viewAs<K extends Kind>(kind: K, obj: unknown): KindView<K> {
  const o = (typeof obj === 'object' && obj !== null ? obj : {}) as Partial<Identified>;
  if (o.kind !== kind || o.apiVersion !== API_VERSIONS[kind]) {
    throw new Error(`expected a ${API_VERSIONS[kind]} ${kind}, found ${describeObject(obj)}`);
  }
  return obj as KindView<K>;
}

/** The one object of `kind` (and `name`, when given); fails when there is not exactly one. */
export function one<K extends Kind>(objects: readonly Identified[], kind: K, name?: string): KindView<K> {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) {
    throw new Error(
      `expected one ${kind}${name ? `/${name}` : ''}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
    );
  }
  return viewAs(kind, found[0]);
}

/** Every object of the `kinds`, in their order in `objects`. */
export function all<K extends Kind>(objects: readonly Identified[], ...kinds: [K, ...K[]]): Array<KindView<K>> {
  return objects.filter((o) => (kinds as readonly string[]).includes(o.kind)).map((o) => viewAs(o.kind as K, o));
}

/** The first object of `kind`, typed as its model (optional fields stay optional), to edit in place. */
export function editable<K extends Kind>(objects: Manifest[], kind: K): Kinds[K] {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  viewAs(kind, found);
  return found as unknown as Kinds[K];
}

/**
 * An object as the policy code reads it (src/policy/manifest-view.ts): the same JSON, seen through
 * the policies' own view, whose fields are all optional.
 */
export function asManifest(o: Identified): ManifestView {
  return o as unknown as ManifestView;
}

/** The error a function throws (fails the test when it throws nothing). */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, but none was thrown');
}
