import { FieldPath } from './field-path';
import { Problem, ProblemCollector, throwIfProblems, show } from './problems';
import { checkDnsSubdomain } from './value-rules';

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
  c.check(secretNamePath, checkDnsSubdomain(secretName));
  for (const [field, key] of Object.entries(keys)) if (key !== undefined) c.check(path.child(field), checkSecretKey(key));
  return [...c.problems];
}

/** Problems of a reference to an entry of an external secret manager: its key and the properties read from it. */
export function validateStoreReference(
  remoteKey: unknown,
  properties: Readonly<Record<string, unknown>>,
  path: FieldPath = FieldPath.props(),
): Problem[] {
  const c = new ProblemCollector();
  if (typeof remoteKey !== 'string' || remoteKey.trim() === '') {
    c.check(path.child('remoteKey'), `${show(remoteKey)} must be the non-empty key of the entry in the secret manager`);
  }
  for (const [field, property] of Object.entries(properties)) {
    if (property !== undefined && (typeof property !== 'string' || property === '')) {
      c.check(path.child(field), `${show(property)} must be a non-empty property name`);
    }
  }
  return [...c.problems];
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
  c.check(path.name(), checkDnsSubdomain(name));
  return [...c.problems];
}

/** A Secret data key: letters, digits, `-`, `_` and `.`. */
export function checkSecretKey(value: unknown): string | undefined {
  return typeof value === 'string' && /^[-._a-zA-Z0-9]+$/.test(value) && value.length <= 253
    ? undefined
    : `${show(value)} is not a valid Secret key: use letters, digits, "-", "_" and "."`;
}
