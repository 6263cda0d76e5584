import { FieldPath } from './field-path';
import { Problem, ProblemCollector, throwIfProblems, show } from './problems';
import { checkDnsSubdomain } from './value-rules';
import { holdsCredential, isToken } from './credential-shape';

/**
 * Problems of a reference to an existing Secret: its name (at `secretNamePath`) and the keys read from
 * it (each at `path.<key field>`, when given).
 */
export function validateSecretReference(
  secretName: unknown,
  keys: Readonly<Record<string, unknown>>,
  path: FieldPath = FieldPath.props(),
  secretNamePath: FieldPath = path.child('secretName'),
): Problem[] {
  const c = new ProblemCollector();
  c.check(secretNamePath, checkSecretName(secretName));
  for (const [field, key] of Object.entries(keys)) if (key !== undefined) c.check(path.child(field), checkSecretKey(key));
  return [...c.problems];
}

/**
 * Whether a field (`services.api.secretEnv.JWT_SECRET.secretName`, `flux.credentialsSecret`) names a Secret, a key
 * of one or a credential: a value written there may be the secret itself, pasted in the wrong place, so messages
 * about it never repeat it.
 */
export function namesSecret(field: string): boolean {
  return field.split(/[.[\]]/).some((segment) => /secret(?!Rotation)|credential|password|token/i.test(segment));
}

/**
 * Whether a value looks like a credential rather than a name: a URL (a webhook, a DSN with a password), a token
 * with a well-known prefix (Slack, GitHub, GitLab, AWS, Stripe, OpenAI, a JWT), or a long run of letters and digits
 * without the "-" or "." that names have (a hex or base64 key).
 */
export function looksLikeCredential(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (/:\/\/|hooks\.slack\.com|^[^\s@/]+:[^\s@/]+@/i.test(value)) return true;
  if (isToken(value)) return true;
  return /^[A-Za-z0-9+/=_]{24,}$/.test(value) && /[0-9]/.test(value) && /[A-Za-z]/.test(value);
}

/** The name of a Secret: a DNS subdomain, and never a credential, which is not repeated (not even in this message). */
export function checkSecretName(value: unknown): string | undefined {
  if (looksLikeCredential(value)) {
    return 'looks like a credential (a token, a password or a URL), not the name of a Secret: put the value into a Secret and give its name here (the value is not shown here)';
  }
  return checkDnsSubdomain(value);
}

/** Problems of a reference to an entry of an external secret manager: its key and the properties read from it. */
export function validateStoreReference(
  remoteKey: unknown,
  properties: Readonly<Record<string, unknown>>,
  path: FieldPath = FieldPath.props(),
): Problem[] {
  const c = new ProblemCollector();
  if (pastedIntoStoreReference(remoteKey)) {
    c.check(path.child('remoteKey'), `${PASTED_INTO_STORE_REFERENCE}, not the key of an entry in the secret manager ${VALUE_NOT_SHOWN}`);
  } else if (typeof remoteKey !== 'string' || remoteKey.trim() === '') {
    c.check(path.child('remoteKey'), `${show(remoteKey)} must be the non-empty key of the entry in the secret manager`);
  }
  for (const [field, property] of Object.entries(properties)) {
    if (pastedIntoStoreReference(property)) {
      c.check(path.child(field), `${PASTED_INTO_STORE_REFERENCE}, not the name of a property of the entry ${VALUE_NOT_SHOWN}`);
    } else if (property !== undefined && (typeof property !== 'string' || property === '')) {
      c.check(path.child(field), `${show(property)} must be a non-empty property name`);
    }
  }
  return [...c.problems];
}

const PASTED_INTO_STORE_REFERENCE = 'looks like a credential (a token, a password or a URL)';
const VALUE_NOT_SHOWN = '(it is written into the ExternalSecret in dist/; the value is not shown here)';

/**
 * Whether a key or property of a secret manager's entry is a credential pasted in its place. Keys are paths
 * (`trading/prod/jwt`, `secret/data/trading`) and properties are words of any length, so only strong signs count: a
 * URL, a token's well-known prefix, or a segment that is a long run of letters and digits (32 or more, as a hex or
 * base64 key is).
 */
function pastedIntoStoreReference(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (/:\/\/|hooks\.slack\.com|^[^\s@/]+:[^\s@/]+@/i.test(value)) return true;
  return value
    .split('/')
    .some((segment) => isToken(segment) || (/^[A-Za-z0-9+=_]{32,}$/.test(segment) && /[0-9]/.test(segment) && /[A-Za-z]/.test(segment)));
}

/**
 * Where a secret value comes from. Values never pass through this library: only the name of a
 * Secret and a key, or the path of an entry in an external secret manager. That is what keeps
 * plaintext out of a GitOps repository.
 */
export class SecretRef {
  /** A key of a Secret that already exists in the namespace (created by an operator, Sealed Secrets, ...). */
  public static fromSecret(secretName: string, key: string): SecretRef {
    throwIfProblems('SecretRef.fromSecret', validateSecretReference(secretName, { key: key ?? null }));
    return new SecretRef(secretName, key, undefined, undefined);
  }

  /**
   * An entry of an external secret manager, synced into the namespace by an external-secrets.io/v1
   * `ExternalSecret` from the construct's `secretStore`.
   */
  public static fromExternalStore(remoteKey: string, property?: string): SecretRef {
    throwIfProblems('SecretRef.fromExternalStore', validateStoreReference(remoteKey, { property }));
    return new SecretRef(undefined, undefined, remoteKey, property);
  }

  private constructor(
    /** Existing Secret name, for `fromSecret`. */
    public readonly secretName: string | undefined,
    /** Key in that Secret, for `fromSecret`. */
    public readonly key: string | undefined,
    /** Key in the external secret manager, for `fromExternalStore`. */
    public readonly remoteKey: string | undefined,
    /** Property of that entry, for `fromExternalStore`. */
    public readonly property: string | undefined,
  ) {}

  /** True when the value is synced by an ExternalSecret. */
  public get isExternal(): boolean {
    return this.remoteKey !== undefined;
  }
}

/** The kinds of external-secrets.io store. */
export type SecretStoreKind = 'SecretStore' | 'ClusterSecretStore';

/** An external-secrets.io SecretStore or ClusterSecretStore that `ExternalSecret`s read from. */
export class SecretStore {
  /** A cluster-wide ClusterSecretStore. */
  public static cluster(name: string): SecretStore {
    throwIfProblems('SecretStore.cluster', validateStoreName(name));
    return new SecretStore(name, 'ClusterSecretStore');
  }

  /** A SecretStore in the workload's namespace. */
  public static namespaced(name: string): SecretStore {
    throwIfProblems('SecretStore.namespaced', validateStoreName(name));
    return new SecretStore(name, 'SecretStore');
  }

  private constructor(
    /** Store name. */
    public readonly name: string,
    /** Store kind. */
    public readonly kind: SecretStoreKind,
  ) {}
}

/** Problems of the name of a secret store. */
export function validateStoreName(name: string, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  c.check(path.name(), checkSecretName(name));
  return [...c.problems];
}

/**
 * A Secret data key: letters, digits, `-`, `_` and `.`, and never a credential pasted in its place (a token with a
 * well-known prefix, a URL, or a long run of letters and digits).
 */
export function checkSecretKey(value: unknown): string | undefined {
  // Keys are often environment-variable names (`ASIA_PACIFIC_DB_URL`, `SIGNING_KEY_2024`) or camelCase words of
  // some length: those are never taken for credentials; a run of letters and digits must be long to be one.
  const envStyle = typeof value === 'string' && /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(value);
  const onlyLong = typeof value === 'string' && /^[A-Za-z0-9+/=]+$/.test(value) && !/^(AKIA|ASIA|eyJ)/.test(value);
  const pasted = !envStyle && looksLikeCredential(value) && !(onlyLong && (value as string).length < 32);
  if (pasted) return 'looks like a credential, not the key of a Secret: use letters, digits, "-", "_" and "." (the value is not shown here)';
  return typeof value === 'string' && /^[-._a-zA-Z0-9]+$/.test(value) && value.length <= 253
    ? undefined
    : `${show(value)} is not a valid Secret key: use letters, digits, "-", "_" and "."`;
}

/** What a credential found in an object's field is shown as, in place of the value. */
export const CREDENTIAL_NOT_SHOWN = '(a value that looks like a credential; not shown)';

/** Maps whose keys are the user's own (a Secret's, a ConfigMap's, a SealedSecret's data): their keys name nothing. */
const DATA_MAPS = new Set(['data', 'stringData', 'encryptedData', 'binaryData']);
/** The last field of a reference to a Secret or to one of its keys. */
const REFERENCE_FIELDS = new Set(['name', 'secretName', 'key', 'secretKey']);

/**
 * Whether the string at `path` of an object is (or holds) a credential: a reference to a Secret (`secretKeyRef.name`,
 * `imagePullSecrets[0].name`, a volume's `secretName`) whose value looks like a credential, or, anywhere, a
 * well-known token (`ghp_…`, `AKIA…`, also inside `--token=…`) or a URL that carries one (`user:password@`,
 * `?access_token=`). `$(VAR)`, `${VAR}` and `$VAR` references, filled in where the value is used, are not.
 */
export function credentialAt(path: readonly string[], value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const last = path[path.length - 1] ?? '';
  const inData = path.slice(0, -1).some((p) => DATA_MAPS.has(p));
  if (!inData && REFERENCE_FIELDS.has(last) && namesSecret(path.join('.')) && looksLikeCredential(value)) return true;
  // A SealedSecret's encrypted values are meant to be committed.
  if (path.some((p) => p === 'encryptedData')) return false;
  return holdsCredential(value);
}

/** The paths (`spec.template.spec.imagePullSecrets[0].name`) of the credentials in `value` (see `credentialAt`). */
export function credentialPaths(value: unknown): string[] {
  const found: string[] = [];
  mapStrings(value, [], (path, text) => {
    if (credentialAt(path, text)) found.push(path.join('.'));
    return text;
  });
  return found;
}

/** `value` with every credential in it (see `credentialAt`) replaced by `CREDENTIAL_NOT_SHOWN`. */
export function withoutCredentials(value: unknown, path: readonly string[] = []): unknown {
  return mapStrings(value, path, (at, text) => (credentialAt(at, text) ? CREDENTIAL_NOT_SHOWN : text));
}

/**
 * `value` with each string replaced by what `map` makes of it and its path (a list's entry is `field[i]`). What
 * `map` leaves as it was is returned as it was, not a copy.
 */
// Not copying matters: the policy rules pass every object of a synth through here.
function mapStrings(value: unknown, path: readonly string[], map: (path: readonly string[], text: string) => string): unknown {
  if (typeof value === 'string') return map(path, value);
  if (typeof value !== 'object' || value === null) return value;
  const last = path.length - 1;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = mapStrings(value[i], [...path.slice(0, -1), `${path[last] ?? ''}[${i}]`], map);
      if (next !== value[i]) (out ??= [...(value as unknown[])])[i] = next;
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const next = mapStrings(v, [...path, k], map);
    if (next !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = next;
  }
  return out ?? value;
}
