/**
 * What databases and caches share, in the cluster or outside it, so that PostgresCluster and RedisCache
 * (and their `fromExternal` references) write only what is theirs: the objects, the variables a client
 * gets, the engine.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ConnectionBinding, ConnectionRequest, IConnectable } from './connection';
import { externalSecretObject } from './external-secret';
import { INetworkPeer, NetworkPeer } from './network-peer';
import { SecretStore } from './secrets';

/**
 * A database or cache run in the cluster. Workloads are admitted one by one as they connect
 * (`connectTo` calls `allowFrom`), and one that no workload connects to is a problem when the app is
 * synthesized: nobody would use it, and its NetworkPolicy would admit nobody.
 */
export abstract class DataStoreBase extends Construct implements IConnectable, INetworkPeer {
  private clients = 0;

  /** `kindName` and `connectCall` (`connectTo(db)`) make the message when nobody connects. */
  protected constructor(scope: Construct, id: string, kindName: string, connectCall: string) {
    super(scope, id);
    this.node.addValidation({
      validate: () =>
        this.clients > 0
          ? []
          : [`${kindName} ${this.node.path}: no workload connects to it: call ${connectCall} on the backends that use it, or remove it`],
    });
  }

  /** The store's pods. */
  public abstract get networkPeer(): NetworkPeer;

  /** Admits `peer` to the store's client ports. */
  public allowFrom(peer: INetworkPeer): void {
    this.clients++;
    this.admit(peer.networkPeer);
  }

  /** Binds a client (see `connectTo`): its variables, its egress, its admission. */
  public abstract bindClient(request: ConnectionRequest): ConnectionBinding;

  /** Opens the store's NetworkPolicy to `peer`. */
  protected abstract admit(peer: NetworkPeer): void;
}

/** Where the credentials of a store outside the cluster come from: an existing Secret, or an entry of a secret store. */
export interface ExternalStoreCredentials {
  /** The existing Secret. */
  readonly secretName?: string;
  /** The entry of the secret store. */
  readonly external?: { readonly store: SecretStore; readonly remoteKey: string };
}

/**
 * A database or cache outside the cluster, referenced: its own firewall admits clients (nothing to admit
 * here), its address block is where clients may connect, and its credentials are read from an existing
 * Secret or synced into `<id>-credentials` by an ExternalSecret.
 */
export abstract class ExternalDataStoreBase extends Construct implements IConnectable, INetworkPeer {
  /** The ExternalSecret that syncs the credentials, when they come from a secret store. */
  public readonly externalSecret?: ApiObject;
  /** The Secret clients read the credentials from. */
  protected readonly secretName: string;

  /** `properties`: each key of the synced Secret and the property of the store entry it is read from. */
  protected constructor(scope: Construct, id: string, credentials: ExternalStoreCredentials, properties: Readonly<Record<string, string>>) {
    super(scope, id);
    this.secretName = credentials.secretName ?? `${id}-credentials`;
    const e = credentials.external;
    if (e) {
      this.secretName = `${id}-credentials`;
      this.externalSecret = externalSecretObject(
        this,
        'ExternalSecret',
        { name: this.secretName },
        e.store,
        Object.entries(properties).map(([secretKey, property]) => ({ secretKey, remoteKey: e.remoteKey, property })),
      );
    }
  }

  /** The address block clients connect to. */
  public abstract get networkPeer(): NetworkPeer;

  /** Nothing to admit: the store's own firewall decides. */
  public allowFrom(_peer: INetworkPeer): void {}

  /** Binds a client: its variables and its egress to the store's address block. */
  public abstract bindClient(request: ConnectionRequest): ConnectionBinding;
}
