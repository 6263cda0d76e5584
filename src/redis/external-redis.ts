import { Construct } from 'constructs';
import { ExternalDataStoreBase } from '../core/data-store';
import { CacheConnection, ICache, redisClientBinding } from '../core/cache';
import { ConnectionBinding, ConnectionRequest } from '../core/connection';
import { NetworkPeer } from '../core/network-peer';
import { checkCidr, checkHost, checkInteger, checkPort } from '../core/value-rules';
import { FieldPath } from '../core/field-path';
import { Problem, ProblemCollector, throwIfProblems } from '../core/problems';
import { RedisCredentials } from './redis-credentials';

/** Props of `RedisCache.fromExternal`. */
export interface ExternalRedisProps {
  /** DNS name or IP address of the primary endpoint (`trading.abc123.euw1.cache.amazonaws.com`). */
  readonly host: string;
  /** Port. @default 6379 */
  readonly port?: number;
  /** Whether clients connect with TLS (`rediss://`); ElastiCache with in-transit encryption and Memorystore need it. @default true */
  readonly tls?: boolean;
  /** Logical database number. @default 0 */
  readonly database?: number;
  /** Address block of the endpoint, for the clients' egress rule (a NetworkPolicy cannot name a DNS name). @default '0.0.0.0/0' on the port only */
  readonly cidr?: string;
  /** Where the password comes from. */
  readonly credentials: RedisCredentials;
}

/** Problems of the props of an external Redis (the credentials have been checked by their factory). */
export function validateExternalRedisProps(props: Omit<ExternalRedisProps, 'credentials'>, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  c.check(path.child('host'), checkHost(props.host));
  if (props.port !== undefined) c.check(path.child('port'), checkPort(props.port));
  if (props.database !== undefined) c.check(path.child('database'), checkInteger(props.database, 0, 15));
  if (props.cidr !== undefined) c.check(path.child('cidr'), checkCidr(props.cidr));
  return [...c.problems];
}

/** A Redis outside the cluster; see `RedisCache.fromExternal`. */
export class ExternalRedis extends ExternalDataStoreBase implements ICache {
  public readonly connection: CacheConnection;

  constructor(scope: Construct, id: string, props: ExternalRedisProps) {
    const e = props.credentials instanceof RedisCredentials ? props.credentials.external : undefined;
    super(scope, id, props.credentials instanceof RedisCredentials ? props.credentials : {}, e ? { password: e.passwordProperty } : {});
    const c = new ProblemCollector();
    c.add(validateExternalRedisProps(props));
    if (!(props.credentials instanceof RedisCredentials))
      c.check('credentials', 'is required: RedisCredentials.fromSecret(...) or RedisCredentials.fromExternalStore(...)');
    throwIfProblems(`RedisCache.fromExternal ${this.node.path}`, c.problems);
    const credentials = props.credentials;
    const secretName = this.secretName;
    const port = props.port ?? 6379;
    this.connection = {
      host: props.host,
      port,
      database: props.database ?? 0,
      tls: props.tls ?? true,
      secretName,
      passwordKey: credentials.passwordKey,
      clientPeer: NetworkPeer.cidr(props.cidr ?? '0.0.0.0/0'),
      clientPorts: [port],
    };
  }

  /** The endpoint's address block. */
  public get networkPeer(): NetworkPeer {
    return this.connection.clientPeer;
  }

  /** `REDIS_PASSWORD` and `REDIS_URL`, egress to the endpoint's address block. */
  public bindClient(request: ConnectionRequest): ConnectionBinding {
    return redisClientBinding(this, request);
  }
}
