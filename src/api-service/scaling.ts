import { FieldPath } from '../core/field-path';
import { ProblemCollector, Problem, throwIfProblems, show } from '../core/problems';
import { checkInteger } from '../core/value-rules';

/** Options for `Scaling.autoscale`. */
export interface AutoscalingOptions {
  /** Fewest replicas the HPA keeps. @default 3 */
  readonly minReplicas?: number;
  /** Most replicas the HPA scales to. @default 20 */
  readonly maxReplicas?: number;
  /** Target average CPU utilisation, in percent of the request. @default 70 */
  readonly cpuUtilization?: number;
  /** Target average memory utilisation, in percent of the request. @default 80 */
  readonly memoryUtilization?: number;
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

  /** An HPA on CPU and memory utilisation (by default CPU 70 %, memory 80 %, 3 to 20 replicas). */
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
    public readonly autoscaling: Required<AutoscalingOptions> | undefined,
  ) {}
}

/** Autoscaling options with the defaults filled in (3 to 20 replicas, CPU 70 %, memory 80 %). */
export function resolveAutoscaling(options: AutoscalingOptions): Required<AutoscalingOptions> {
  return {
    minReplicas: options.minReplicas ?? 3,
    maxReplicas: options.maxReplicas ?? 20,
    cpuUtilization: options.cpuUtilization ?? 70,
    memoryUtilization: options.memoryUtilization ?? 80,
  };
}

/** Problems with a fixed replica count. */
export function validateFixed(replicas: unknown, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  c.check(path.child('replicas'), checkInteger(replicas, 1, 1000));
  return [...c.problems];
}

/** Problems with an autoscaling range; shared with the environment-file validation. */
export function validateAutoscaling(o: AutoscalingOptions, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  c.check(path.child('minReplicas'), o.minReplicas === undefined ? undefined : checkInteger(o.minReplicas, 1, 1000));
  c.check(path.child('maxReplicas'), o.maxReplicas === undefined ? undefined : checkInteger(o.maxReplicas, 1, 1000));
  c.check(path.child('cpuUtilization'), o.cpuUtilization === undefined ? undefined : checkInteger(o.cpuUtilization, 1, 100));
  c.check(path.child('memoryUtilization'), o.memoryUtilization === undefined ? undefined : checkInteger(o.memoryUtilization, 1, 100));
  if (typeof o.minReplicas === 'number' && typeof o.maxReplicas === 'number' && o.minReplicas > o.maxReplicas) {
    c.check(path.child('minReplicas'), `${show(o.minReplicas)} is above maxReplicas ${show(o.maxReplicas)}: minReplicas must be at most maxReplicas`);
  }
  return [...c.problems];
}
