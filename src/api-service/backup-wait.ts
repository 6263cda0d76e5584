/**
 * A migration that waits for a fresh backup: the name of the backup of a release, the container that
 * polls the backup's `status.phase` through the Kubernetes API, and the token it reads it with.
 */
import { createHash } from 'node:crypto';
import { k8s } from 'cdk8s-plus-28';
import type { MigrationBackup } from '../core/connection';
import { restrictedContainerSecurityContext } from '../core/pod-security';
import { k8sResources, ResourceRequirements } from '../core/resources';

/** The projected volume with the waiting container's token and the cluster CA. */
export const BACKUP_WAIT_TOKEN_VOLUME = 'backup-wait-token';
const TOKEN_DIR = '/var/run/backup-wait';

/**
 * The part of an image reference that names the release: the tag (`1.5.0` → `1-5-0`), else the start
 * of the digest. Changes when, and only when, a new version is deployed.
 */
export function releaseIdOf(image: string): string {
  const digest = /@sha256:([0-9a-f]{12})/.exec(image);
  if (digest) return digest[1];
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.indexOf(':');
  const tag = colon >= 0 ? lastPart.slice(colon + 1) : 'latest';
  return (
    tag
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'latest'
  );
}

/**
 * `<service>-pre-migrate-<release>`: one backup object per release, stable while the release is, and at
 * most 63 characters (a long tag is cut and made unique with a short hash of the image).
 */
export function migrationBackupName(service: string, image: string, index: number): string {
  const prefix = `${service}-pre-migrate-`;
  const suffix = index === 0 ? '' : `-${index + 1}`;
  let release = releaseIdOf(image);
  const room = 63 - prefix.length - suffix.length;
  if (release.length > room) {
    const hash = createHash('sha256').update(image).digest('hex').slice(0, 8);
    release = `${release.slice(0, Math.max(0, room - 9)).replace(/-+$/, '')}-${hash}`.replace(/^-/, '');
  }
  return `${prefix}${release}${suffix}`;
}

/**
 * The shell loop of the waiting container: `completed` passes; a terminal failure (`failed`) fails at
 * once; phases the operator retries (WAL archiving failing, ...) are waited out and reported at the
 * deadline; an API answer of 401/403 (no token, no permission) fails at once, since waiting cannot help.
 */
function waitScript(backup: MigrationBackup, timeoutSeconds: number): string {
  const phase = (p: string): string => `*'"phase":"${p}"'*`;
  const [terminal, ...retried] = backup.failedPhases;
  const status = `$(echo "$body" | sed -n 's/.*"status":{\\([^}]*\\)}.*/\\1/p')`;
  return [
    'set -u',
    // `pretty=false`: the API server indents its JSON for clients whose User-Agent starts with curl (apiserver's
    // isPrettyPrint), and `"phase": "completed"` with a space would never match the patterns below.
    `url="https://kubernetes.default.svc/apis/${backup.group}/${backup.version}/namespaces/$NAMESPACE/${backup.resource}/$BACKUP?pretty=false"`,
    `deadline=$(( $(date +%s) + ${timeoutSeconds} ))`,
    'last="no answer from the Kubernetes API yet"',
    'while :; do',
    `  out=$(curl -sS --max-time 10 -w '\\n%{http_code}' --cacert ${TOKEN_DIR}/ca.crt -H "Authorization: Bearer $(cat ${TOKEN_DIR}/token)" "$url") || out=""`,
    `  code=$(printf '%s' "$out" | tail -n 1); body=$(printf '%s' "$out" | sed '$d')`,
    '  case "$code" in',
    '    401|403) echo "cannot read backup $BACKUP (HTTP $code): check the ServiceAccount, Role and RoleBinding of this Job" >&2; exit 1 ;;',
    '    404) last="backup $BACKUP does not exist yet" ;;',
    '  esac',
    '  case "$body" in',
    `    ${backup.donePhases.map(phase).join('|')}) echo "backup $BACKUP completed; migrating"; exit 0 ;;`,
    `    ${phase(terminal)}) echo "backup $BACKUP failed, not migrating: ${status}" >&2; exit 1 ;;`,
    ...(retried.length > 0 ? [`    ${retried.map(phase).join('|')}) last="backup $BACKUP is not progressing: ${status}" ;;`] : []),
    `    *'"phase":'*) last="backup $BACKUP: ${status}" ;;`,
    '  esac',
    `  if [ "$(date +%s)" -ge "$deadline" ]; then echo "backup $BACKUP did not complete within ${timeoutSeconds}s, not migrating ($last)" >&2; exit 1; fi`,
    '  sleep 10',
    'done',
  ].join('\n');
}

/** Requests and limits of the container that waits for a backup (counted in the namespace's quota). */
export const BACKUP_WAIT_RESOURCES: ResourceRequirements = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } };

/** The init container that holds the migration until `backup` completed (restricted profile, read-only root). */
export function backupWaitContainer(name: string, backup: MigrationBackup, image: string, timeoutSeconds: number, uid: number): k8s.Container {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    command: ['/bin/sh', '-c', waitScript(backup, timeoutSeconds)],
    env: [
      { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'BACKUP', value: backup.name },
    ],
    resources: k8sResources(BACKUP_WAIT_RESOURCES),
    securityContext: restrictedContainerSecurityContext(uid),
    volumeMounts: [{ name: BACKUP_WAIT_TOKEN_VOLUME, mountPath: TOKEN_DIR, readOnly: true }],
  };
}

/**
 * A short-lived token of the pod's service account and the cluster CA, mounted only into the waiting
 * containers (the pod keeps `automountServiceAccountToken: false`).
 */
export function backupWaitTokenVolume(): k8s.Volume {
  return {
    name: BACKUP_WAIT_TOKEN_VOLUME,
    projected: {
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      ],
    },
  };
}
