import { k8s } from 'cdk8s-plus-28';
import { ConnectionBinding, ConnectionRequest, IConnectable } from './connection';
import { INetworkPeer, NetworkPeer } from './network-peer';
import { throwIfProblems } from './problems';

/** How clients find the primary through Redis Sentinel. */
export interface SentinelConnection {
  /** Name Sentinel monitors the primary under. */
  readonly masterName: string;
  /** Sentinel hosts (each pod's stable DNS name in the cache's namespace). */
  readonly hosts: readonly string[];
  /** Sentinel port. */
  readonly port: number;
}

/** How a client reaches a Redis cache: where, and which Secret holds the password. */
export interface CacheConnection {
  /** Host clients connect to: a Service name in the cache's namespace, or a DNS name outside the cluster. */
  readonly host: string;
  /** Port. */
  readonly port: number;
  /** Logical database number. */
  readonly database: number;
  /** Whether clients must use TLS (`rediss://`). */
  readonly tls: boolean;
  /** Secret with the password. */
  readonly secretName: string;
  /** Key of the password in that Secret. */
  readonly passwordKey: string;
  /** Where clients open connections to, for their egress policy. */
  readonly clientPeer: NetworkPeer;
  /** Ports clients open connections to (Redis, and Sentinel with Sentinel). */
  readonly clientPorts: readonly number[];
  /** The cache's namespace, when it runs in the cluster (its names are then qualified for clients elsewhere). @default - outside the cluster */
  readonly namespace?: string;
  /** With Sentinel: clients ask Sentinel for the primary instead of connecting to `host`. @default - no Sentinel */
  readonly sentinel?: SentinelConnection;
}

/**
 * A Redis cache a workload can be connected to with one call (`api.connectTo(cache)`): the workload
 * gets the address and the password from a Secret by reference, may egress to it, and the cache
 * admits it. In the cluster (`RedisCache`) or outside (`RedisCache.fromExternal`).
 */
export interface ICache extends IConnectable, INetworkPeer {
  /** Connection settings for clients. */
  readonly connection: CacheConnection;
  /** Admits `peer` to the client ports (an in-cluster cache's NetworkPolicy denies everyone else). */
  allowFrom(peer: INetworkPeer): void;
}

/**
 * `REDIS_PASSWORD` from the Secret by reference, then either `REDIS_URL` composed from it with `$(VAR)`
 * expansion (so the password never leaves the Secret) or, with Sentinel, `REDIS_SENTINEL_MASTER` and
 * `REDIS_SENTINEL_ADDRESSES`; egress to the cache; the cache admits the client. Migrations get the same
 * variables (the application's binary may read them at start) but never wait for a cache.
 */
export function redisClientBinding(cache: ICache, request: ConnectionRequest): ConnectionBinding {
  const c = cache.connection;
  const qualify = (host: string): string => (c.namespace !== undefined && c.namespace !== request.namespace ? `${host}.${c.namespace}.svc` : host);
  const password: k8s.EnvVar = { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: c.secretName, key: c.passwordKey } } };
  let env: k8s.EnvVar[];
  if (c.sentinel) {
    if (request.urlVariable !== undefined) {
      throwIfProblems(`connectTo ${cache.node.path}`, [
        {
          field: 'urlVariable',
          message: `${JSON.stringify(request.urlVariable)} cannot be set: a Sentinel cache has no single URL; clients read REDIS_SENTINEL_MASTER and REDIS_SENTINEL_ADDRESSES`,
        },
      ]);
    }
    const s = c.sentinel;
    env = [
      password,
      { name: 'REDIS_SENTINEL_MASTER', value: s.masterName },
      { name: 'REDIS_SENTINEL_ADDRESSES', value: s.hosts.map((h) => `${qualify(h)}:${s.port}`).join(',') },
    ];
  } else {
    // $(VAR) expands variables defined earlier in the list; the password never leaves the Secret.
    const url = `${c.tls ? 'rediss' : 'redis'}://:$(REDIS_PASSWORD)@${qualify(c.host)}:${c.port}/${c.database}`;
    env = [password, { name: request.urlVariable ?? 'REDIS_URL', value: url }];
  }
  cache.allowFrom(request.client);
  return {
    env,
    migrationEnv: env,
    egress: [{ peer: c.clientPeer, ports: c.clientPorts.map((port) => ({ port })) }],
    migrationsWaitForIt: false,
    healthCheckPath: '/health/redis',
  };
}
