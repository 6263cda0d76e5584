import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { contextValue } from './problems';
import { checkDnsLabel } from './value-rules';

/**
 * The recommended `app.kubernetes.io/*` labels. Every object a construct of this library emits carries
 * all five; pod selectors use only the stable subset (`name`, `instance`, `component`).
 */
export interface StandardLabelsOptions {
  /** `app.kubernetes.io/name`: the application. */
  readonly name: string;
  /** `app.kubernetes.io/instance`: this installation of it. */
  readonly instance: string;
  /** `app.kubernetes.io/component`: its role (`api`, `migration`, `database`, ...). */
  readonly component: string;
  /** `app.kubernetes.io/part-of`: the larger system. */
  readonly partOf: string;
}

/** The construct-context key that sets `app.kubernetes.io/part-of` for every construct below it. */
export const PART_OF_CONTEXT = 'cdk8s-trading:partOf';

/**
 * The `app.kubernetes.io/part-of` of a construct whose props give none: the `cdk8s-trading:partOf`
 * context of its scope (set once on the app or a chart: `app.node.setContext(PART_OF_CONTEXT, 'shop')`),
 * else the namespace of its chart, else the chart's id. One place decides it, for every construct.
 */
export function defaultPartOf(scope: IConstruct): string {
  // Judged as the partOf prop is: a label value that names one application, a DNS label.
  const fromContext = contextValue<string>(
    PART_OF_CONTEXT,
    scope.node.tryGetContext(PART_OF_CONTEXT),
    (v) => [checkDnsLabel(v)].filter((m): m is string => m !== undefined).map((message) => ({ field: '', message })),
    false,
  );
  if (fromContext !== undefined) return fromContext;
  const chart = Chart.of(scope);
  return chart.namespace ?? chart.node.id;
}

/** The value of `app.kubernetes.io/managed-by` on everything this library emits. */
export const MANAGED_BY = 'cdk8s';

/** All five recommended labels. */
export function standardLabels(o: StandardLabelsOptions): Record<string, string> {
  return {
    'app.kubernetes.io/name': o.name,
    'app.kubernetes.io/instance': o.instance,
    'app.kubernetes.io/component': o.component,
    'app.kubernetes.io/part-of': o.partOf,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** The labels a workload's pods are selected by. Immutable in a Deployment, so never add to it. */
export function selectorLabels(o: StandardLabelsOptions): Record<string, string> {
  return {
    'app.kubernetes.io/name': o.name,
    'app.kubernetes.io/instance': o.instance,
    'app.kubernetes.io/component': o.component,
  };
}

/** Every pod of an installation, whatever its component (API and migration pods alike). */
export function workloadPodSelector(o: StandardLabelsOptions): Record<string, string> {
  return { 'app.kubernetes.io/name': o.name, 'app.kubernetes.io/instance': o.instance };
}

/** The label every namespace carries with its own name (set by the apiserver since 1.21). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
