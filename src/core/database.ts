import { k8s } from 'cdk8s-plus-28';
import { ClientOffer, ConnectionBinding, ConnectionRequest, IConnectable } from './connection';
import { INetworkPeer, NetworkPeer } from './network-peer';

/** How a client reaches a database: where, and which Secret holds the credentials. */
export interface DatabaseConnection {
  /** Host clients connect to: a Service name in the database's namespace, or a DNS name outside the cluster. */
  readonly host: string;
  /** Port. */
  readonly port: number;
  /** Database name. */
  readonly database: string;
  /** Secret with the client credentials. */
  readonly secretName: string;
  /** Key of the user name in that Secret. */
  readonly usernameKey: string;
  /** Key of the password in that Secret. */
  readonly passwordKey: string;
  /** libpq `sslmode` clients should use. */
  readonly sslMode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  /** Where clients open connections to, for their egress policy. */
  readonly clientPeer: NetworkPeer;
  /**
   * The database's namespace, when it runs in the cluster (its Service names are then qualified for clients elsewhere). @default - outside the
   * cluster
   */
  readonly namespace?: string;
}

/**
 * A PostgreSQL database a workload can be connected to with one call (`api.connectTo(db)`): the
 * workload gets the connection settings with the credentials from a Secret by reference, may egress
 * to it, and the database admits it. In the cluster (`PostgresCluster`) or outside
 * (`PostgresCluster.fromExternal`).
 */
export interface IDatabase extends IConnectable, INetworkPeer {
  /** Connection settings for clients. */
  readonly connection: DatabaseConnection;
  /** Connection settings for migrations, which need a session (no transaction pooler). */
  readonly directConnection: DatabaseConnection;
  /** Connection settings of read-only replicas, when there are any. @default - none */
  readonly readConnection?: DatabaseConnection;
  /** What it offers a client beyond the connection. */
  readonly clientOffer: ClientOffer;
  /** Admits `peer` to the client port (an in-cluster database's NetworkPolicy denies everyone else). */
  allowFrom(peer: INetworkPeer): void;
}

/**
 * The libpq variables (`PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`/`PGPASSWORD` from the Secret by
 * reference) and a URL composed from them with `$(VAR)` expansion, so the password never leaves the
 * Secret; egress to the database; the database admits the client.
 */
export function postgresClientBinding(database: IDatabase, request: ConnectionRequest, migrationsWaitForIt: boolean): ConnectionBinding {
  const urlVariable = request.urlVariable ?? 'DATABASE_URL';
  const host = (c: DatabaseConnection): string =>
    c.namespace !== undefined && c.namespace !== request.namespace ? `${c.host}.${c.namespace}.svc` : c.host;
  const envFor = (c: DatabaseConnection): k8s.EnvVar[] => [
    { name: 'PGHOST', value: host(c) },
    { name: 'PGPORT', value: String(c.port) },
    { name: 'PGDATABASE', value: c.database },
    { name: 'PGUSER', valueFrom: { secretKeyRef: { name: c.secretName, key: c.usernameKey } } },
    { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: c.secretName, key: c.passwordKey } } },
    // $(VAR) expands variables defined earlier in the list; the password never leaves the Secret.
    { name: urlVariable, value: `postgresql://$(PGUSER):$(PGPASSWORD)@${host(c)}:${c.port}/${c.database}?sslmode=${c.sslMode}` },
  ];
  const peers = [database.connection, database.directConnection].filter(
    (c, i, all) => all.findIndex((o) => o.clientPeer === c.clientPeer && o.port === c.port) === i,
  );
  database.allowFrom(request.client);
  const read =
    request.readUrlVariable !== undefined && database.readConnection
      ? [
          {
            name: request.readUrlVariable,
            value: `postgresql://$(PGUSER):$(PGPASSWORD)@${host(database.readConnection)}:${database.readConnection.port}/${database.readConnection.database}?sslmode=${database.readConnection.sslMode}`,
          },
        ]
      : [];
  return {
    env: [...envFor(database.connection), ...read],
    migrationEnv: envFor(database.directConnection),
    egress: peers.map((c) => ({ peer: c.clientPeer, ports: [{ port: c.port }] })),
    migrationsWaitForIt,
    healthCheckPath: '/health/db',
  };
}
