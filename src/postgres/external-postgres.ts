import { Construct } from 'constructs';
import { ExternalDataStoreBase } from '../core/data-store';
import { ClientOffer, ConnectionBinding, ConnectionRequest } from '../core/connection';
import { DatabaseConnection, IDatabase, postgresClientBinding } from '../core/database';
import { NetworkPeer } from '../core/network-peer';
import { FieldPath } from '../core/field-path';
import { checkCidr, checkHost, checkPort } from '../core/value-rules';
import { SecretStore, validateSecretReference, validateStoreReference } from '../core/secrets';
import { Problem, ProblemCollector, show, throwIfProblems } from '../core/problems';

/** Where the credentials of an external database come from. */
export class DatabaseCredentials {
  /** A Secret that already exists in the clients' namespace. */
  public static fromSecret(secretName: string, options: { readonly usernameKey?: string; readonly passwordKey?: string } = {}): DatabaseCredentials {
    throwIfProblems(
      'DatabaseCredentials.fromSecret',
      validateSecretReference(secretName, { usernameKey: options.usernameKey, passwordKey: options.passwordKey }),
    );
    return new DatabaseCredentials(secretName, options.usernameKey ?? 'username', options.passwordKey ?? 'password', undefined);
  }

  /** An entry of an external secret manager, synced into a Secret by an external-secrets.io `ExternalSecret`. */
  public static fromExternalStore(
    store: SecretStore,
    remoteKey: string,
    options: { readonly usernameProperty?: string; readonly passwordProperty?: string } = {},
  ): DatabaseCredentials {
    throwIfProblems(
      'DatabaseCredentials.fromExternalStore',
      validateStoreReference(remoteKey, {
        usernameProperty: options.usernameProperty,
        passwordProperty: options.passwordProperty,
      }),
    );
    return new DatabaseCredentials(undefined, 'username', 'password', {
      store,
      remoteKey,
      usernameProperty: options.usernameProperty ?? 'username',
      passwordProperty: options.passwordProperty ?? 'password',
    });
  }

  private constructor(
    /** The existing Secret, for `fromSecret`. */
    public readonly secretName: string | undefined,
    /** Key of the user name in the Secret. */
    public readonly usernameKey: string,
    /** Key of the password in the Secret. */
    public readonly passwordKey: string,
    /** The store entry, for `fromExternalStore`. */
    public readonly external:
      { readonly store: SecretStore; readonly remoteKey: string; readonly usernameProperty: string; readonly passwordProperty: string } | undefined,
  ) {}
}

/** Props of `PostgresCluster.fromExternal`. */
export interface ExternalPostgresProps {
  /** DNS name or IP address of the server (`trading.abc123.eu-west-1.rds.amazonaws.com`). */
  readonly host: string;
  /** Port. @default 5432 */
  readonly port?: number;
  /** Database name. */
  readonly database: string;
  /** libpq `sslmode` clients use. @default 'require' */
  readonly sslMode?: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  /** Address block of the server, for the clients' egress rule (a NetworkPolicy cannot name a DNS name). @default '0.0.0.0/0' on the port only */
  readonly cidr?: string;
  /** Where the user name and password come from. */
  readonly credentials: DatabaseCredentials;
}

/** What a database outside the cluster offers: no replicas to read from, no backup before a migration (whoever runs it takes its backups). */
export const EXTERNAL_DATABASE_OFFER: ClientOffer = {
  readReplicas: false,
  noBackupBeforeMigration: 'is outside the cluster, where its backups are taken by whoever runs it',
};

/** Problems of the props of an external database (the credentials have been checked by their factory). */
export function validateExternalPostgresProps(props: Omit<ExternalPostgresProps, 'credentials'>, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  c.check(path.child('host'), checkHost(props.host));
  if (props.port !== undefined) c.check(path.child('port'), checkPort(props.port));
  if (typeof props.database !== 'string' || props.database === '')
    c.check(path.child('database'), `${show(props.database)} must be the name of the database`);
  if (props.cidr !== undefined) c.check(path.child('cidr'), checkCidr(props.cidr));
  return [...c.problems];
}

/** A PostgreSQL database outside the cluster; see `PostgresCluster.fromExternal`. */
export class ExternalPostgres extends ExternalDataStoreBase implements IDatabase {
  public readonly connection: DatabaseConnection;
  public readonly directConnection: DatabaseConnection;
  public readonly clientOffer: ClientOffer = EXTERNAL_DATABASE_OFFER;

  constructor(scope: Construct, id: string, props: ExternalPostgresProps) {
    const e = props.credentials.external;
    super(scope, id, props.credentials, e ? { username: e.usernameProperty, password: e.passwordProperty } : {});
    throwIfProblems(`PostgresCluster.fromExternal ${this.node.path}`, validateExternalPostgresProps(props));
    const credentials = props.credentials;
    const secretName = this.secretName;
    this.connection = {
      host: props.host,
      port: props.port ?? 5432,
      database: props.database,
      secretName,
      usernameKey: credentials.usernameKey,
      passwordKey: credentials.passwordKey,
      sslMode: props.sslMode ?? 'require',
      clientPeer: NetworkPeer.cidr(props.cidr ?? '0.0.0.0/0'),
    };
    this.directConnection = this.connection;
  }

  /** The server's address block. */
  public get networkPeer(): NetworkPeer {
    return this.connection.clientPeer;
  }

  /** libpq variables and a URL, egress to the server's address block; migrations need not wait for it (it is not deployed with them). */
  public bindClient(request: ConnectionRequest): ConnectionBinding {
    return postgresClientBinding(this, request, false);
  }
}
