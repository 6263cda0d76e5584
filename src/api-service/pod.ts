import { PodPlacement, placementPodSpec } from '../core/placement';
import { createHash } from 'node:crypto';
import { k8s } from 'cdk8s-plus-28';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../core/pod-security';
import { k8sResources, ResourceRequirements } from '../core/resources';
import { isFloatingImage } from '../core/value-rules';
import { DrainHook, sleepActionOf } from './drain-hook';

/** Everything the pod of an API service is built from; the resolved form of TradingBackendProps. */
export interface BackendPodInput {
  readonly name: string;
  /** Registry credentials, priority, node selection and tolerations. */
  readonly placement: PodPlacement;
  readonly image: string;
  readonly podLabels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly serviceAccountName: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly readinessPath: string;
  /** HTTP path of the liveness probe; undefined: a TCP check of the HTTP port. */
  readonly livenessPath: string | undefined;
  /** Startup budget in seconds; a startupProbe is emitted when set. */
  readonly startupTimeoutSeconds: number | undefined;
  readonly resources: ResourceRequirements;
  readonly configMapName: string | undefined;
  /** Config data, hashed into a pod annotation so a config change rolls the pods. */
  readonly configData: Record<string, string>;
  /** Env vars; mutable so wiring methods can add to it until synthesis. */
  readonly env: k8s.EnvVar[];
  readonly drainSeconds: number;
  /** How the preStop hook waits `drainSeconds`. */
  readonly drainHook: DrainHook;
  readonly terminationGracePeriodSeconds: number;
  readonly runAsUser: number;
  /** Spread pods over zones and nodes (when more than one replica can run). */
  readonly spread: boolean;
  readonly command: string[] | undefined;
  readonly args: string[] | undefined;
  /** A value that rolls the pods when it changes (a pod-template annotation). */
  readonly restartToken: string | undefined;
}

/** The pod-template annotation that carries `rollout.restartToken`: changing it changes the template, so the pods roll. */
export const RESTART_TOKEN_ANNOTATION = 'cdk8s-trading.dev/restart-token';

/**
 * The label each workload kind's controller puts on the pods of one revision: what a topology spread's
 * `matchLabelKeys` names so that only pods of the same revision are counted. Deployments label their
 * pods `pod-template-hash`; Argo Rollouts labels them `rollouts-pod-template-hash` (and never `pod-template-hash`).
 */
export const POD_TEMPLATE_HASH_LABEL = {
  Deployment: 'pod-template-hash',
  Rollout: 'rollouts-pod-template-hash',
} as const;

const TMP_VOLUME = 'tmp';

function httpProbe(path: string, settings: Omit<k8s.Probe, 'httpGet'>): k8s.Probe {
  return { httpGet: { path, port: k8s.IntOrString.fromString('http'), scheme: 'HTTP' }, ...settings };
}

function livenessProbe(path: string | undefined, settings: Omit<k8s.Probe, 'httpGet' | 'tcpSocket'>): k8s.Probe {
  return path === undefined ? { tcpSocket: { port: k8s.IntOrString.fromString('http') }, ...settings } : httpProbe(path, settings);
}

/** Endpoints are removed asynchronously; waiting before SIGTERM lets load balancers stop sending. */
function lifecycle(i: BackendPodInput): Pick<k8s.Container, 'lifecycle'> {
  const preStop = i.drainHook._preStop(i.drainSeconds);
  return preStop ? { lifecycle: { preStop } } : {};
}

function configChecksum(data: Record<string, string>): string {
  const canonical = JSON.stringify(
    Object.keys(data)
      .sort()
      .map((k) => [k, data[k]]),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

function envFrom(i: BackendPodInput): k8s.EnvFromSource[] | undefined {
  return i.configMapName ? [{ configMapRef: { name: i.configMapName } }] : undefined;
}

function podSpecBase(i: BackendPodInput): Omit<k8s.PodSpec, 'containers'> {
  return {
    serviceAccountName: i.serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: restrictedPodSecurityContext(i.runAsUser),
    ...placementPodSpec(i.placement),
    volumes: [{ name: TMP_VOLUME, emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }],
  };
}

function containerBase(i: BackendPodInput): Omit<k8s.Container, 'name'> {
  return {
    image: i.image,
    // A floating tag (`latest`, or none) names a different image over time: pull it whenever a pod starts,
    // as Kubernetes' own default does for such images; a pinned tag or digest never changes.
    imagePullPolicy: isFloatingImage(i.image) ? 'Always' : 'IfNotPresent',
    ...(i.command ? { command: [...i.command] } : {}),
    ...(i.args ? { args: [...i.args] } : {}),
    envFrom: envFrom(i),
    env: i.env,
    resources: k8sResources(i.resources),
    securityContext: restrictedContainerSecurityContext(i.runAsUser),
    volumeMounts: [{ name: TMP_VOLUME, mountPath: '/tmp' }],
  };
}

/**
 * The pod template of an API service: HTTP and metrics ports, readiness on `/health`,
 * a slower liveness probe, a startupProbe while on-start migrations run, a preStop drain shorter than
 * the grace period, the restricted security profile with a writable `/tmp`, and zone/node spreading.
 */
export function backendPodTemplate(i: BackendPodInput): k8s.PodTemplateSpec {
  const container: k8s.Container = {
    name: i.name,
    ...containerBase(i),
    ports: [
      { name: 'http', containerPort: i.port, protocol: 'TCP' },
      { name: 'metrics', containerPort: i.metricsPort, protocol: 'TCP' },
    ],
    // Readiness gates traffic quickly (5 s delay, every 5 s); liveness is slower and more
    // tolerant, so a busy pod is taken out of rotation long before it would be restarted.
    readinessProbe: httpProbe(i.readinessPath, {
      initialDelaySeconds: 5,
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 3,
      successThreshold: 1,
    }),
    // Liveness asks only whether the process answers: a path that checks the database or the cache (the
    // readiness path does) would restart every pod during their outage, which readiness already handles.
    livenessProbe: livenessProbe(i.livenessPath, {
      initialDelaySeconds: i.startupTimeoutSeconds === undefined ? 30 : 0,
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
      successThreshold: 1,
    }),
    ...(i.startupTimeoutSeconds === undefined
      ? {}
      : {
          startupProbe: httpProbe(i.readinessPath, {
            periodSeconds: 5,
            timeoutSeconds: 2,
            failureThreshold: Math.ceil(i.startupTimeoutSeconds / 5),
            successThreshold: 1,
          }),
        }),
    ...lifecycle(i),
  };
  return {
    metadata: {
      labels: { ...i.podLabels },
      annotations: {
        'checksum/config': configChecksum(i.configData),
        ...(i.restartToken === undefined ? {} : { [RESTART_TOKEN_ANNOTATION]: i.restartToken }),
      },
    },
    spec: {
      ...podSpecBase(i),
      terminationGracePeriodSeconds: i.terminationGracePeriodSeconds,
      containers: [container],
      ...(i.spread
        ? {
            topologySpreadConstraints: [
              spreadOver('topology.kubernetes.io/zone', 'ScheduleAnyway', i.selector),
              spreadOver('kubernetes.io/hostname', 'DoNotSchedule', i.selector),
            ],
          }
        : {}),
    },
  };
}

function spreadOver(topologyKey: string, whenUnsatisfiable: string, selector: Record<string, string>): k8s.TopologySpreadConstraint {
  return {
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: { matchLabels: { ...selector } },
    // Count only pods of the same revision, so a rollout's surge pod does not skew the spread
    // (a Rollout's template is re-keyed by `forWorkloadKind`).
    matchLabelKeys: [POD_TEMPLATE_HASH_LABEL.Deployment],
    // Nodes the pods cannot run on (tainted) are no domains: by default they count as empty ones, which
    // holds the global minimum at zero and leaves scale-out Pending under DoNotSchedule (seen on a cluster).
    nodeTaintsPolicy: 'Honor',
  };
}

/**
 * `template` for a workload of `kind`: its topology spreads count pods of one revision by the label that
 * kind's controller sets (see POD_TEMPLATE_HASH_LABEL). The pod spec's other parts are shared, not copied,
 * so variables wired in later still reach it.
 */
export function forWorkloadKind(template: k8s.PodTemplateSpec, kind: keyof typeof POD_TEMPLATE_HASH_LABEL): k8s.PodTemplateSpec {
  const spec = template.spec;
  if (!spec?.topologySpreadConstraints) return template;
  const hashLabels: readonly string[] = Object.values(POD_TEMPLATE_HASH_LABEL);
  return {
    ...template,
    spec: {
      ...spec,
      topologySpreadConstraints: spec.topologySpreadConstraints.map((t) => ({
        ...t,
        ...(t.matchLabelKeys ? { matchLabelKeys: t.matchLabelKeys.map((k) => (hashLabels.includes(k) ? POD_TEMPLATE_HASH_LABEL[kind] : k)) } : {}),
      })),
    },
  };
}

/**
 * The JSON of `template`, as `k8s.toJson_PodTemplateSpec` makes it, with what that conversion drops put back: it
 * was generated from the Kubernetes 1.28 API, which has no `sleep` lifecycle action (see `DrainHook.sleepAction`).
 */
export function podTemplateJson(template: k8s.PodTemplateSpec): Record<string, unknown> | undefined {
  const json: PodTemplateJson | undefined = k8s.toJson_PodTemplateSpec(template);
  (template.spec?.containers ?? []).forEach((container, i) => {
    const sleep = sleepActionOf(container.lifecycle?.preStop);
    const converted = json?.spec?.containers?.[i];
    if (sleep && converted) converted.lifecycle = { ...converted.lifecycle, preStop: { sleep: { seconds: sleep.seconds } } };
  });
  return json;
}

/** What `podTemplateJson` reads of a converted pod template. */
interface PodTemplateJson {
  [field: string]: unknown;
  spec?: { containers?: Array<{ lifecycle?: Record<string, unknown> }> };
}

/** The pod template of a one-shot task (migration Job) with the service's image, config and security profile. */
export function taskPodTemplate(i: BackendPodInput, taskName: string, labels: Record<string, string>, command: string[]): k8s.PodTemplateSpec {
  return {
    metadata: { labels: { ...labels } },
    spec: {
      ...podSpecBase(i),
      restartPolicy: 'Never',
      containers: [{ name: taskName, ...containerBase({ ...i, command, args: undefined }) }],
    },
  };
}
