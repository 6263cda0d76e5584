import { checkDnsSubdomain } from '../core/rules';
import { checkSecretKey, SecretStore } from '../core/secrets';
import { ProblemCollector, show, throwIfProblems } from '../core/validation';

/**
 * Where the Redis password comes from: a key of an existing Secret, or an entry of an external secret
 * manager synced by an external-secrets.io `ExternalSecret`. Only references: the value never passes
 * through this library.
 */
export class RedisCredentials {
  /** A key of a Secret that already exists in the namespace. */
  public static fromSecret(secretName: string, options: { readonly passwordKey?: string } = {}): RedisCredentials {
    const c = new ProblemCollector();
    c.check('secretName', checkDnsSubdomain(secretName));
    if (options.passwordKey !== undefined) c.check('passwordKey', checkSecretKey(options.passwordKey));
    throwIfProblems('RedisCredentials.fromSecret', c.problems);
    return new RedisCredentials(secretName, options.passwordKey ?? 'password', undefined);
  }

  /** An entry of an external secret manager, synced into `<name>-credentials` (key `password`) by an `ExternalSecret`. */
  public static fromExternalStore(store: SecretStore, remoteKey: string, options: { readonly passwordProperty?: string } = {}): RedisCredentials {
    const c = new ProblemCollector();
    if (typeof remoteKey !== 'string' || remoteKey.trim() === '') {
      c.check('remoteKey', `${show(remoteKey)} must be the non-empty key of the entry in the secret manager`);
    }
    if (options.passwordProperty !== undefined && (typeof options.passwordProperty !== 'string' || options.passwordProperty === '')) {
      c.check('passwordProperty', `${show(options.passwordProperty)} must be a non-empty property name`);
    }
    throwIfProblems('RedisCredentials.fromExternalStore', c.problems);
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
