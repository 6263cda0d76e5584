import { k8s } from 'cdk8s-plus-28';
import { show } from '../core/problems';

/**
 * `SleepAction` of k8s.io/api core/v1 (`LifecycleHandler.Sleep`, `json:"sleep"`: `{ seconds: int64 }`): alpha in
 * Kubernetes 1.29, beta and on by default from 1.30, GA in 1.34. cdk8s-plus-28's generated types predate it.
 */
export interface SleepAction {
  /** Seconds to sleep. */
  readonly seconds: number;
}

/** A `LifecycleHandler` as Kubernetes 1.29+ has it: the 1.28 one, or the `sleep` action. */
export interface LifecycleHandlerWithSleep extends k8s.LifecycleHandler {
  /** Sleep for a while, with nothing run in the container. */
  readonly sleep?: SleepAction;
}

/** The names of the drain hooks in environment files (`rollout.drainHook`). */
export type DrainHookName = 'exec-sleep' | 'sleep-action';

/**
 * How a pod waits for `rollout.drain`, before it gets SIGTERM, so that load balancers and kube-proxy stop sending
 * it requests (endpoints are removed asynchronously): the container's `preStop` hook. Two ways:
 * `DrainHook.execSleep()` runs `sleep` from the image (any Kubernetes version; the image needs `sleep`),
 * `DrainHook.sleepAction()` has the kubelet wait (nothing needed in the image; Kubernetes 1.30+).
 */
export abstract class DrainHook {
  /**
   * `exec: [sleep, <seconds>]` in the app container. The image needs a `sleep` executable on its `PATH`
   * (coreutils or busybox: Debian, Ubuntu, Alpine, distroless `base`'s `:debug` tags); `scratch`,
   * distroless `static` and other single-binary images have none, and there the hook fails at once: the pod gets
   * SIGTERM with no drain (the kubelet only logs a `FailedPreStopHook` event). Valid on every Kubernetes version.
   */
  public static execSleep(): DrainHook {
    return new ExecSleepDrain();
  }

  /**
   * Kubernetes' own `sleep` lifecycle action (`lifecycle.preStop.sleep.seconds`): the kubelet waits, nothing runs
   * in the container, so single-binary and distroless images drain too. Needs Kubernetes 1.30 or later (beta and
   * on by default; 1.29 behind the `PodLifecycleSleepAction` feature gate): an older API server does not know the
   * field and rejects the pod template (a `preStop` without an action is invalid). `cdk8s-trading validate`
   * checks against the Kubernetes 1.28 schemas and reports the field on Deployments. A drain of 0 s emits no hook
   * (a zero sleep is refused before Kubernetes 1.33's `PodLifecycleSleepActionAllowZero`).
   */
  public static sleepAction(): DrainHook {
    return new SleepActionDrain();
  }

  /** The hook of an environment file's `rollout.drainHook`. */
  public static fromName(name: DrainHookName): DrainHook {
    return name === 'sleep-action' ? DrainHook.sleepAction() : DrainHook.execSleep();
  }

  /** Only the kinds above. */
  protected constructor() {}

  /** The hook's name in environment files. */
  public abstract readonly name: DrainHookName;

  /**
   * The `preStop` handler that waits `seconds`, or none.
   * @internal
   */
  public abstract _preStop(seconds: number): LifecycleHandlerWithSleep | undefined;
}

class ExecSleepDrain extends DrainHook {
  public readonly name: DrainHookName = 'exec-sleep';

  public _preStop(seconds: number): LifecycleHandlerWithSleep {
    return { exec: { command: ['sleep', String(seconds)] } };
  }
}

class SleepActionDrain extends DrainHook {
  public readonly name: DrainHookName = 'sleep-action';

  public _preStop(seconds: number): LifecycleHandlerWithSleep | undefined {
    return seconds > 0 ? { sleep: { seconds } } : undefined;
  }
}

/** Message for a drain hook given in props that is not one (a JavaScript caller can pass anything). */
export function checkDrainHook(value: unknown): string | undefined {
  return value instanceof DrainHook ? undefined : `${show(value)} is not a DrainHook: use DrainHook.execSleep() or DrainHook.sleepAction()`;
}

/** The `sleep` action of a handler, if it has one. */
export function sleepActionOf(handler: k8s.LifecycleHandler | undefined): SleepAction | undefined {
  return handler !== undefined && 'sleep' in handler ? (handler as LifecycleHandlerWithSleep).sleep : undefined;
}
