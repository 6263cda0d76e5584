import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';

/** A rendered Kubernetes object, loosely typed for assertions. */
export type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; [k: string]: any };

/** Builds constructs in a fresh chart (namespace `trading-test`) and renders it. */
export function render(build: (scope: Construct) => void, namespace = 'trading-test'): Obj[] {
  const app = new App();
  const chart = new Chart(app, 'test', { namespace, disableResourceNameHashes: true });
  build(chart);
  return chart.toJson() as Obj[];
}

/** The one object of `kind` (and `name`, when given); fails when there is not exactly one. */
export function one(objects: Obj[], kind: string, name?: string): Obj {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? `/${name}` : ''}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return found[0];
}

/** Every object of `kind`. */
export function all(objects: Obj[], kind: string): Obj[] {
  return objects.filter((o) => o.kind === kind);
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
