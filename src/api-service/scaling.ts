import { FieldPath } from '../core/field-path';
import { ProblemCollector, Problem, throwIfProblems, show } from '../core/problems';
import { checkInteger } from '../core/value-rules';
import { checkMetricName } from '../monitoring/http-metrics';

/** The custom metric a requests-per-second target reads unless named: Prometheus Adapter's conventional name. */
export const DEFAULT_REQUESTS_PER_SECOND_METRIC = 'http_requests_per_second';

/** Options for `Scaling.autoscale`. */
export interface AutoscalingOptions {
  /** Fewest replicas the HPA keeps. @default 3 */
  readonly minReplicas?: number;
  /** Most replicas the HPA scales to. @default 20 */
  readonly maxReplicas?: number;
  /** Target average CPU utilisation, in percent of the request (the HPA's `Utilization`). @default 70 */
  readonly cpuUtilization?: number;
  /**
   * Target average memory, in percent of the **request** (the HPA's `Utilization`, which Kubernetes computes
   * against requests only): pods are added before they use more memory than the scheduler reserved for them,
   * which is what keeps a node out of memory pressure. The memory alerts judge the **limit** (80 % warning, 90 %
   * critical), where the OOM kill is; `memoryOfLimit` targets the limit instead. Excludes `memoryOfLimit`.
   * @default 80, unless `memoryOfLimit` is set
   */
  readonly memoryUtilization?: number;
  /**
   * Target average memory, in percent of the **limit** (`resources.limits.memory`), the base the memory alerts use:
   * rendered as an `AverageValue` of that share of the limit (whole MiB, rounded down), since the HPA's
   * `Utilization` is of the request only. Excludes `memoryUtilization`.
   * @default - none: `memoryUtilization` applies
   */
  readonly memoryOfLimit?: number;
  /**
   * Target average HTTP requests per second per pod: a `Pods` metric (`requestsPerSecondMetric`) read through the
   * custom metrics API (`custom.metrics.k8s.io`), which a Prometheus Adapter rule over the service's request
   * counter must serve (see `prometheusAdapterRule`). The HPA scales on the highest of its metrics.
   * @default - not scaled on requests
   */
  readonly requestsPerSecond?: number;
  /** Name of the per-pod request rate in the custom metrics API. @default 'http_requests_per_second' */
  readonly requestsPerSecondMetric?: string;
}

/** Autoscaling options with the defaults filled in. */
export interface ResolvedAutoscaling extends AutoscalingOptions {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly cpuUtilization: number;
}

/**
 * How many pods run: a fixed count, or an `autoscaling/v2` HorizontalPodAutoscaler range.
 * With an HPA the workload has no `spec.replicas`, so a GitOps sync never fights the autoscaler.
 */
export class Scaling {
  /** A fixed number of replicas. */
  public static fixed(replicas: number): Scaling {
    throwIfProblems('Scaling.fixed', validateFixed(replicas));
    return new Scaling(replicas, replicas, undefined);
  }

  /**
   * An HPA on CPU and memory (by default CPU 70 % and memory 80 % of the request, 3 to 20 replicas), and on
   * requests per second when asked.
   */
  public static autoscale(options: AutoscalingOptions = {}): Scaling {
    const resolved = resolveAutoscaling(options);
    throwIfProblems('Scaling.autoscale', validateAutoscaling(resolved));
    return new Scaling(resolved.minReplicas, resolved.maxReplicas, resolved);
  }

  private constructor(
    /** Fewest replicas that run. */
    public readonly minReplicas: number,
    /** Most replicas that can run; drives PDB and topology spread decisions. */
    public readonly maxReplicas: number,
    /** The HPA settings, when autoscaling. */
    public readonly autoscaling: ResolvedAutoscaling | undefined,
  ) {}
}

/** Autoscaling options with the defaults filled in (3 to 20 replicas, CPU 70 %, memory 80 % of the request unless `memoryOfLimit`). */
export function resolveAutoscaling(options: AutoscalingOptions): ResolvedAutoscaling {
  return {
    ...options,
    minReplicas: options.minReplicas ?? 3,
    maxReplicas: options.maxReplicas ?? 20,
    cpuUtilization: options.cpuUtilization ?? 70,
    memoryUtilization: options.memoryUtilization ?? (options.memoryOfLimit === undefined ? 80 : undefined),
    // A metric name without a target is left as given, so that it is reported.
    requestsPerSecondMetric:
      options.requestsPerSecondMetric ?? (options.requestsPerSecond === undefined ? undefined : DEFAULT_REQUESTS_PER_SECOND_METRIC),
  };
}

/** Problems with a fixed replica count. */
export function validateFixed(replicas: unknown, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  c.check(path.child('replicas'), checkInteger(replicas, 1, 1000));
  return [...c.problems];
}

/** Problems with an autoscaling range; shared with the environment-file validation. */
export function validateAutoscaling(
  o: AutoscalingOptions,
  path: FieldPath = FieldPath.props(),
  defaultedBy: (field: 'minReplicas' | 'maxReplicas') => string | undefined = () => undefined,
): Problem[] {
  const c = new ProblemCollector();
  c.check(path.child('minReplicas'), o.minReplicas === undefined ? undefined : checkInteger(o.minReplicas, 1, 1000));
  c.check(path.child('maxReplicas'), o.maxReplicas === undefined ? undefined : checkInteger(o.maxReplicas, 1, 1000));
  c.check(path.child('cpuUtilization'), o.cpuUtilization === undefined ? undefined : checkInteger(o.cpuUtilization, 1, 100));
  c.check(path.child('memoryUtilization'), o.memoryUtilization === undefined ? undefined : checkInteger(o.memoryUtilization, 1, 100));
  c.check(path.child('memoryOfLimit'), o.memoryOfLimit === undefined ? undefined : checkInteger(o.memoryOfLimit, 1, 100));
  if (o.memoryOfLimit !== undefined && o.memoryUtilization !== undefined) {
    c.check(
      path.child('memoryOfLimit'),
      `${show(o.memoryOfLimit)} is set with memoryUtilization ${show(o.memoryUtilization)}: target memory either of the limit or of the request, not both`,
    );
  }
  c.check(path.child('requestsPerSecond'), o.requestsPerSecond === undefined ? undefined : checkInteger(o.requestsPerSecond, 1, 1_000_000));
  if (o.requestsPerSecondMetric !== undefined) {
    const metric = c.check(path.child('requestsPerSecondMetric'), checkMetricName(o.requestsPerSecondMetric));
    if (metric === undefined && o.requestsPerSecond === undefined) {
      c.check(
        path.child('requestsPerSecondMetric'),
        `${show(o.requestsPerSecondMetric)} names the metric of requestsPerSecond, which is not set: set it too`,
      );
    }
  }
  if (typeof o.minReplicas === 'number' && typeof o.maxReplicas === 'number' && o.minReplicas > o.maxReplicas) {
    // The side the user did not write (an environment tier's default) is named as such, and the problem is put at
    // the side they wrote.
    const minBy = defaultedBy('minReplicas');
    const maxBy = defaultedBy('maxReplicas');
    if (minBy !== undefined && maxBy === undefined) {
      c.check(
        path.child('maxReplicas'),
        `${show(o.maxReplicas)} is below ${minBy}'s default minReplicas ${show(o.minReplicas)} (minReplicas is not set): set minReplicas too, at most ${show(o.maxReplicas)}`,
      );
    } else {
      const max =
        maxBy === undefined ? `maxReplicas ${show(o.maxReplicas)}` : `${maxBy}'s default maxReplicas ${show(o.maxReplicas)} (maxReplicas is not set)`;
      c.check(path.child('minReplicas'), `${show(o.minReplicas)} is above ${max}: minReplicas must be at most maxReplicas`);
    }
  }
  return [...c.problems];
}
