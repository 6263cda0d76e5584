import { k8s } from 'cdk8s-plus-28';

/**
 * The Pod Security Standards "restricted" profile: non-root with a non-zero UID, no privilege
 * escalation, every capability dropped, the runtime's default seccomp profile. Shared by every
 * workload this library emits so none can drift from it.
 */
export function restrictedPodSecurityContext(uid: number, gid: number = uid): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The container half of the restricted profile; `readOnlyRootFilesystem` on top of it. */
export function restrictedContainerSecurityContext(uid: number, gid: number = uid): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
