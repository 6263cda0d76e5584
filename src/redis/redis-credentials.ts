import { SecretStore, validateSecretReference, validateStoreReference } from '../core/secrets';
import { throwIfProblems } from '../core/problems';

/**
 * Where the Redis password comes from: a key of an existing Secret, or an entry of an external secret
 * manager synced by an external-secrets.io `ExternalSecret`. Only references: the value never passes
 * through this library.
 */
export class RedisCredentials {
  /** A key of a Secret that already exists in the namespace. */
  public static fromSecret(secretName: string, options: { readonly passwordKey?: string } = {}): RedisCredentials {
    throwIfProblems('RedisCredentials.fromSecret', validateSecretReference(secretName, { passwordKey: options.passwordKey }));
    return new RedisCredentials(secretName, options.passwordKey ?? 'password', undefined);
  }

  /** An entry of an external secret manager, synced into `<name>-credentials` (key `password`) by an `ExternalSecret`. */
  public static fromExternalStore(store: SecretStore, remoteKey: string, options: { readonly passwordProperty?: string } = {}): RedisCredentials {
    throwIfProblems('RedisCredentials.fromExternalStore', validateStoreReference(remoteKey, { passwordProperty: options.passwordProperty }));
    return new RedisCredentials(undefined, 'password', { store, remoteKey, passwordProperty: options.passwordProperty ?? 'password' });
  }

  private constructor(
    /** The existing Secret, for `fromSecret`. */
    public readonly secretName: string | undefined,
    /** Key of the password in the Secret. */
    public readonly passwordKey: string,
    /** The store entry, for `fromExternalStore`. */
    public readonly external: { readonly store: SecretStore; readonly remoteKey: string; readonly passwordProperty: string } | undefined,
  ) {}
}
