import { IConstruct } from 'constructs';
import { NetworkPeer } from './network-peer';

/** How a client reaches a database: where, and which Secret holds the credentials. */
export interface DatabaseConnection {
  /** Service name clients connect to (the pooler's when there is one), in the database's namespace. */
  readonly host: string;
  /** Port of that Service. */
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
  readonly sslMode: 'disable' | 'require' | 'verify-full';
  /** The pods clients open connections to, for their egress policy. */
  readonly clientPeer: NetworkPeer;
}

/**
 * A database a workload can be connected to with one call (`backend.connectTo(db)`): the workload
 * gets the connection settings from the Secret by reference, may egress to it, and the database
 * admits it.
 */
export interface IDatabase extends IConstruct {
  /** Connection settings for clients. */
  readonly connection: DatabaseConnection;
  /** Connection settings for migrations, which need a session (no transaction pooler). */
  readonly directConnection: DatabaseConnection;
  /** Admits `peer` to the client port (the database's NetworkPolicy denies everyone else). */
  allowClientsFrom(peer: NetworkPeer): void;
}
