/**
 * The Pod Security Standards "restricted" profile (v1.28), checked the way the apiserver's
 * PodSecurity admission does, on rendered manifests (plain JSON).
 */
import { ContainerView, ManifestView, PodSpecView } from './manifest-view';

const ALLOWED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/** The pod spec of a Pod, a workload or a CronJob, if it has one. */
export function podSpecOf(obj: ManifestView): PodSpecView | undefined {
  if (obj.kind === 'Pod') return obj.spec;
  if (obj.kind === 'CronJob') return obj.spec?.jobTemplate?.spec?.template?.spec;
  return obj.spec?.template?.spec;
}

/** Violations of the restricted profile in a pod spec; empty when it complies. */
export function restrictedViolations(pod: PodSpecView | undefined): string[] {
  if (!pod) return ['no pod spec'];
  const v: string[] = [];
  const psc = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) v.push('host namespaces');
  for (const vol of pod.volumes ?? []) {
    const type = Object.keys(vol).find((k) => k !== 'name');
    if (!type || !ALLOWED_VOLUME_TYPES.has(type)) v.push(`volume ${vol.name} of type ${type}`);
  }
  const containers: ContainerView[] = [...(pod.initContainers ?? []), ...(pod.containers ?? []), ...(pod.ephemeralContainers ?? [])];
  if (containers.length === 0) v.push('no containers');
  if (psc.runAsUser === 0) v.push('pod runAsUser 0');
  const podSeccomp = psc.seccompProfile?.type;
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const name = `container ${c.name}`;
    if (sc.privileged) v.push(`${name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) v.push(`${name}: allowPrivilegeEscalation must be false`);
    if (!(sc.runAsNonRoot === true || (sc.runAsNonRoot === undefined && psc.runAsNonRoot === true))) v.push(`${name}: runAsNonRoot must be true`);
    if (sc.runAsUser === 0) v.push(`${name}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') v.push(`${name}: seccompProfile must be RuntimeDefault or Localhost`);
    const drop: string[] = sc.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) v.push(`${name}: capabilities must drop ALL`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') v.push(`${name}: adds capability ${cap}`);
    for (const p of c.ports ?? []) if (p.hostPort) v.push(`${name}: hostPort ${p.hostPort}`);
  }
  return v;
}
