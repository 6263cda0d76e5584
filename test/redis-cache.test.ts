import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { environmentProblems } from '../src/config/build';
import { SecretStore } from '../src/core/secrets';
import { ConfigurationError } from '../src/core/problems';
import { checkPolicies } from '../src/policy/policies';
import { podSpecOf, restrictedViolations } from '../src/policy/pod-security-standards';
import { RedisCache, RedisCacheProps } from '../src/redis/redis-cache';
import { RedisCredentials } from '../src/redis/redis-credentials';
import { RedisEngine } from '../src/redis/redis-engine';
import { Migration } from '../src/api-service/migration';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { modelProblems } from './support/models';
import { all, asManifest, errorOf, KindView, one, Obj, render } from './support/render';
import { at, JsonMap, parseMap } from './support/yaml';

const IMAGE = 'ghcr.io/acme/api:1.0.0';
const AUTH = RedisCredentials.fromSecret('redis-auth');

function withApi(scope: Construct, props: Partial<RedisCacheProps> = {}): { cache: RedisCache; api: TradingBackend } {
  const cache = new RedisCache(scope, 'trading-cache', { credentials: AUTH, ...props });
  const api = new TradingBackend(scope, 'trading-api', { image: IMAGE, migration: Migration.job({ command: ['/app/server', 'migrate'] }) });
  api.connectTo(cache);
  return { cache, api };
}

type PodOwner = KindView<'Deployment'> | KindView<'Job'> | KindView<'StatefulSet'>;
type Container = PodOwner['spec']['template']['spec']['containers'][number];
type EnvVar = Container['env'][number];
const envOf = (o: PodOwner, container = 0): Record<string, EnvVar> =>
  Object.fromEntries(o.spec.template.spec.containers[container].env.map((e) => [e.name, e]));
const containerOf = (sts: KindView<'StatefulSet'>, name: string): Container => {
  const found = sts.spec.template.spec.containers.find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
};
const cacheObjects = (objects: Obj[]): Obj[] => objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'cache');
const confLines = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
const apiPods = { 'app.kubernetes.io/name': 'trading-api', 'app.kubernetes.io/instance': 'trading-api' };
const cachePods = {
  'app.kubernetes.io/name': 'trading-cache',
  'app.kubernetes.io/instance': 'trading-cache',
  'app.kubernetes.io/component': 'cache',
};
type PolicyRule = KindView<'NetworkPolicy'>['spec']['ingress'][number] | KindView<'NetworkPolicy'>['spec']['egress'][number];
const rulePorts = (r: PolicyRule): unknown[] => r.ports.map((p) => p.port);

/** Facts every engine shares: the restricted profile, authenticated probes, no password in any object, valid objects, no policy finding. */
function sharedFacts(objects: Obj[]): void {
  const sts = one(objects, 'StatefulSet');

  it('runs under the restricted profile: non-root UID 999, read-only root, writable paths on volumes, no token', () => {
    expect(restrictedViolations(podSpecOf(asManifest(sts)))).toEqual([]);
    const pod = sts.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    for (const c of pod.containers) {
      expect(c.securityContext, c.name).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
    }
    const redis = containerOf(sts, 'redis');
    expect(redis.volumeMounts.map((m) => m.mountPath).sort()).toEqual(['/config', '/data', '/etc/redis', '/tmp']);
    // The rendered config holds the password: memory-backed, never on a disk.
    expect(pod.volumes.find((v) => v.name === 'runtime')?.emptyDir.medium).toBe('Memory');
    expect(redis.image).toBe('docker.io/library/redis:7.4.2');
  });

  it('probes with an authenticated redis-cli ping: the password comes from the Secret through REDISCLI_AUTH, never an argument', () => {
    const redis = containerOf(sts, 'redis');
    for (const probe of [redis.readinessProbe, redis.livenessProbe, redis.startupProbe]) {
      expect(probe.exec.command.join(' ')).toContain('redis-cli -h 127.0.0.1 -p 6379 ping');
      expect(probe.exec.command.join(' ')).not.toMatch(/-a |--pass|--user|PASSWORD/);
    }
    expect(redis.readinessProbe.exec.command[2]).toContain('PONG) exit 0');
    expect(redis.livenessProbe.exec.command[2]).toContain('*LOADING*');
    expect(envOf(sts).REDISCLI_AUTH.valueFrom.secretKeyRef).toEqual(envOf(sts).REDIS_PASSWORD.valueFrom.secretKeyRef);
    expect(redis.command).toEqual(['sh', '/config/start-redis.sh']);
  });

  it('derives maxmemory from the memory limit (80 %) and keeps the append-only file on by default', () => {
    const conf = confLines(one(objects, 'ConfigMap', 'trading-cache-config').data['redis.conf']);
    expect(containerOf(sts, 'redis').resources.limits.memory).toBe('512Mi');
    expect(conf).toContain('maxmemory 409mb');
    expect(conf).toContain('maxmemory-policy allkeys-lru');
    expect(conf).toContain('appendonly yes');
    expect(conf).toContain('appendfsync everysec');
    expect(conf).toContain('dir /data');
    expect(sts.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps its data on a claimed volume of a real size', () => {
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('2Gi');
  });

  it('has a PDB that lets one pod go at a time', () => {
    expect(one(objects, 'PodDisruptionBudget', 'trading-cache').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: cachePods } });
  });

  it('runs the redis_exporter sidecar, scraped through a ServiceMonitor on the headless Service, admitted from the monitoring namespace', () => {
    const exporter = containerOf(sts, 'exporter');
    expect(exporter.image).toMatch(/^docker\.io\/oliver006\/redis_exporter:v\d+\.\d+\.\d+$/);
    expect(exporter.ports).toEqual([{ name: 'metrics', containerPort: 9121, protocol: 'TCP' }]);
    expect(envOf(sts, sts.spec.template.spec.containers.indexOf(exporter)).REDIS_PASSWORD.valueFrom.secretKeyRef).toEqual({
      name: 'redis-auth',
      key: 'password',
    });
    const monitor = one(objects, 'ServiceMonitor', 'trading-cache');
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s', scheme: 'http' }]);
    expect(one(objects, 'Service', 'trading-cache-headless').spec.ports.map((p) => p.name)).toContain('metrics');
    expect(one(objects, 'Service', 'trading-cache').spec.ports.map((p) => p.name)).not.toContain('metrics');
    const np = one(objects, 'NetworkPolicy', 'trading-cache');
    expect(np.spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      ports: [{ port: 9121, protocol: 'TCP' }],
    });
  });

  it('writes no password anywhere: no Secret, no literal in env, config or scripts', () => {
    expect(all(objects, 'Secret')).toEqual([]);
    for (const o of all(objects, 'StatefulSet', 'Deployment', 'Job')) {
      for (const c of o.spec.template.spec.containers) {
        for (const e of c.env ?? []) if (/PASSWORD|AUTH/.test(e.name)) expect(e.value, `${o.metadata.name} ${e.name}`).toBeUndefined();
      }
    }
    const config = Object.values(one(objects, 'ConfigMap', 'trading-cache-config').data as Record<string, string>).join('\n');
    expect(config).not.toMatch(/^(requirepass|masterauth)\s/m);
    expect(config).toContain('"$REDIS_PASSWORD"');
  });

  it('is valid against the Kubernetes and prometheus-operator models and breaks no policy rule', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
    expect(checkPolicies(objects as never)).toEqual([]);
  });
}

describe('RedisCache standalone (dev, staging)', () => {
  const objects = render((s) => withApi(s));
  const sts = one(objects, 'StatefulSet');

  it('matches the reviewed snapshot', () => {
    expect(
      cacheObjects(objects)
        .map((o) => stringify(o))
        .join('---\n'),
    ).toMatchSnapshot();
  });

  sharedFacts(objects);

  it('runs one pod, without Sentinel or spread', () => {
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.template.spec.containers.map((c) => c.name)).toEqual(['redis', 'exporter']);
    expect(sts.spec.template.spec.affinity).toBeUndefined();
    expect(
      all(objects, 'Service')
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(['trading-api', 'trading-cache', 'trading-cache-headless']);
    expect(one(objects, 'Service', 'trading-cache-headless').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
  });

  it('gives the API REDIS_PASSWORD by reference and REDIS_URL composed from it', () => {
    const env = envOf(one(objects, 'Deployment'));
    expect(env.REDIS_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'redis-auth', key: 'password' });
    expect(env.REDIS_URL.value).toBe('redis://:$(REDIS_PASSWORD)@trading-cache:6379/0');
    // $(VAR) expands only variables defined earlier.
    const names = one(objects, 'Deployment').spec.template.spec.containers[0].env.map((e) => e.name);
    expect(names.indexOf('REDIS_PASSWORD')).toBeLessThan(names.indexOf('REDIS_URL'));
    expect(envOf(one(objects, 'Job')).REDIS_URL.value).toBe(env.REDIS_URL.value);
  });

  it('admits only the connected API on 6379 and lets the API egress there; migrations do not wait for a cache', () => {
    const np = one(objects, 'NetworkPolicy', 'trading-cache');
    expect(np.spec.podSelector.matchLabels).toEqual(cachePods);
    const clients = np.spec.ingress.filter((r) => r.from[0].podSelector);
    expect(clients).toEqual([
      {
        from: [{ podSelector: { matchLabels: apiPods }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'trading-test' } } }],
        ports: [{ port: 6379, protocol: 'TCP' }],
      },
    ]);
    const egress = one(objects, 'NetworkPolicy', 'trading-api').spec.egress;
    expect(egress).toContainEqual({
      to: [{ podSelector: { matchLabels: cachePods }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'trading-test' } } }],
      ports: [{ port: 6379, protocol: 'TCP' }],
    });
    expect(one(objects, 'Job').metadata.annotations?.['argocd.argoproj.io/hook']).toBe('PreSync');
  });

  it('renders the password into the config at start, from the environment', () => {
    const script = one(objects, 'ConfigMap', 'trading-cache-config').data['start-redis.sh'];
    expect(script).toContain(`printf 'requirepass "%s"\\n' "$pw"`);
    expect(script).toContain('exec redis-server /etc/redis/redis.conf');
  });

  it('takes persistence, eviction, maxmemory and storage from the props', () => {
    const custom = render((s) =>
      withApi(s, {
        persistence: { appendOnly: false },
        maxMemoryPolicy: 'volatile-lfu',
        maxMemory: '300Mi',
        storage: { size: '8Gi', storageClass: 'gp3' },
        resources: { requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
        monitoring: false,
      }),
    );
    const conf = confLines(one(custom, 'ConfigMap', 'trading-cache-config').data['redis.conf']);
    expect(conf).toEqual(expect.arrayContaining(['appendonly no', 'maxmemory-policy volatile-lfu', 'maxmemory 300mb']));
    expect(one(custom, 'StatefulSet').spec.volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: 'gp3',
      resources: { requests: { storage: '8Gi' } },
    });
    expect(all(custom, 'ServiceMonitor').filter((m) => m.metadata.name === 'trading-cache')).toEqual([]);
    expect(one(custom, 'StatefulSet').spec.template.spec.containers.map((c) => c.name)).toEqual(['redis']);
    // 80 % of 1Gi
    const derived = render((s) => withApi(s, { resources: { requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }));
    expect(one(derived, 'ConfigMap', 'trading-cache-config').data['redis.conf']).toContain('maxmemory 819mb');
  });
});

describe('RedisCache with Sentinel (prod)', () => {
  const objects = render((s) => withApi(s, { engine: RedisEngine.sentinel(), requireHighAvailability: true }));
  const sts = one(objects, 'StatefulSet');
  const config = one(objects, 'ConfigMap', 'trading-cache-config').data as Record<string, string>;

  it('matches the reviewed snapshot', () => {
    expect(
      cacheObjects(objects)
        .map((o) => stringify(o))
        .join('---\n'),
    ).toMatchSnapshot();
  });

  sharedFacts(objects);

  it('runs 3 pods, one per node (required anti-affinity), spread over zones and nodes', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('OrderedReady');
    const pod = sts.spec.template.spec;
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: cachePods } },
    ]);
    expect(pod.topologySpreadConstraints.map((t) => [t.topologyKey, t.whenUnsatisfiable, t.nodeTaintsPolicy])).toEqual([
      ['topology.kubernetes.io/zone', 'ScheduleAnyway', 'Honor'],
      ['kubernetes.io/hostname', 'DoNotSchedule', 'Honor'],
    ]);
    expect(pod.containers.map((c) => c.name)).toEqual(['redis', 'sentinel', 'exporter']);
  });

  it('runs a Sentinel beside each Redis, with a majority quorum, authenticated probes on 26379 and hostnames', () => {
    const sentinel = containerOf(sts, 'sentinel');
    expect(sentinel.ports).toEqual([{ name: 'sentinel', containerPort: 26379, protocol: 'TCP' }]);
    expect(sentinel.readinessProbe.exec.command.join(' ')).toContain('redis-cli -h 127.0.0.1 -p 26379 ping');
    const conf = confLines(config['sentinel.conf']);
    expect(conf).toContain('sentinel monitor mymaster @MASTER_HOST@ 6379 2');
    expect(conf).toEqual(
      expect.arrayContaining([
        'sentinel resolve-hostnames yes',
        'sentinel announce-hostnames yes',
        'sentinel down-after-milliseconds mymaster 5000',
        'sentinel failover-timeout mymaster 60000',
      ]),
    );
    expect(config['start-sentinel.sh']).toContain('exec redis-sentinel /etc/redis/sentinel.conf');
    expect(config['start-redis.sh']).toContain(`printf 'replicaof %s 6379\\n' "$master"`);
    expect(config['find-master.sh']).toContain('for i in 0 1 2; do');
    expect(config['find-master.sh']).toContain('master="trading-cache-0.${headless}"');
  });

  it('has headless, client and Sentinel Services', () => {
    expect(one(objects, 'Service', 'trading-cache-headless').spec.ports.map((p) => [p.name, p.port])).toEqual([
      ['redis', 6379],
      ['sentinel', 26379],
      ['metrics', 9121],
    ]);
    expect(one(objects, 'Service', 'trading-cache').spec.ports.map((p) => p.port)).toEqual([6379]);
    expect(one(objects, 'Service', 'trading-cache-sentinel').spec.ports).toEqual([
      { name: 'sentinel', port: 26379, targetPort: 'sentinel', protocol: 'TCP' },
    ]);
  });

  it('lets the pods replicate and gossip among themselves, and admits the API to Redis and Sentinel', () => {
    const np = one(objects, 'NetworkPolicy', 'trading-cache');
    const from = np.spec.ingress.map((r) => [
      r.from[0].podSelector?.matchLabels ?? r.from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'],
      rulePorts(r),
    ]);
    expect(from).toEqual([
      [cachePods, [6379, 26379]],
      ['monitoring', [9121]],
      [apiPods, [6379, 26379]],
    ]);
    expect(np.spec.egress.map(rulePorts)).toEqual([
      [53, 53],
      [6379, 26379],
    ]);
    const apiEgress = one(objects, 'NetworkPolicy', 'trading-api').spec.egress.find(
      (r) => r.to[0].podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'trading-cache',
    );
    expect(apiEgress && rulePorts(apiEgress)).toEqual([6379, 26379]);
  });

  it('gives the API the Sentinel variables (no URL) with the password by reference', () => {
    const env = envOf(one(objects, 'Deployment'));
    expect(env.REDIS_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'redis-auth', key: 'password' });
    expect(env.REDIS_SENTINEL_MASTER.value).toBe('mymaster');
    expect(env.REDIS_SENTINEL_ADDRESSES.value).toBe(
      'trading-cache-0.trading-cache-headless:26379,trading-cache-1.trading-cache-headless:26379,trading-cache-2.trading-cache-headless:26379',
    );
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('takes the master name, quorum and timings from the engine options', () => {
    const custom = render((s) =>
      withApi(s, {
        engine: RedisEngine.sentinel({ masterName: 'trading', quorum: 3, downAfter: Duration.seconds(10), failoverTimeout: Duration.minutes(3) }),
        replicas: 5,
      }),
    );
    const conf = confLines(one(custom, 'ConfigMap', 'trading-cache-config').data['sentinel.conf']);
    expect(conf).toEqual(
      expect.arrayContaining([
        'sentinel monitor trading @MASTER_HOST@ 6379 3',
        'sentinel down-after-milliseconds trading 10000',
        'sentinel failover-timeout trading 180000',
      ]),
    );
    expect(envOf(one(custom, 'Deployment')).REDIS_SENTINEL_ADDRESSES.value.split(',')).toHaveLength(5);
  });

  it('qualifies the Sentinel addresses with the namespace when the cache lives in another chart', () => {
    const app = new App();
    const data = new Chart(app, 'data', { namespace: 'trading-data', disableResourceNameHashes: true });
    const cache = new RedisCache(data, 'shared-cache', { engine: RedisEngine.sentinel(), credentials: AUTH });
    const chart = new Chart(app, 'api', { namespace: 'trading-api', disableResourceNameHashes: true });
    new TradingBackend(chart, 'api', { image: IMAGE }).connectTo(cache);
    const env = envOf(one(chart.toJson() as Obj[], 'Deployment'));
    expect(env.REDIS_SENTINEL_ADDRESSES.value.split(',')[0]).toBe('shared-cache-0.shared-cache-headless.trading-data.svc:26379');
  });
});

describe('RedisCache credentials from an external store', () => {
  it('syncs the password with an ExternalSecret in the config wave and reads it by reference', () => {
    const objects = render((s) =>
      withApi(s, { credentials: RedisCredentials.fromExternalStore(SecretStore.cluster('vault'), 'trading/prod/redis') }),
    );
    const es = one(objects, 'ExternalSecret', 'trading-cache-credentials');
    expect(es.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('-2');
    expect(es.spec.secretStoreRef).toEqual({ name: 'vault', kind: 'ClusterSecretStore' });
    expect(es.spec.data).toEqual([{ secretKey: 'password', remoteRef: { key: 'trading/prod/redis', property: 'password' } }]);
    expect(envOf(one(objects, 'StatefulSet')).REDIS_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'trading-cache-credentials', key: 'password' });
    expect(envOf(one(objects, 'Deployment')).REDIS_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'trading-cache-credentials', key: 'password' });
  });
});

describe('RedisCache.fromExternal (ElastiCache)', () => {
  const build = (credentials: RedisCredentials, extra: { tls?: boolean } = {}): Obj[] =>
    render((s) => {
      const cache = RedisCache.fromExternal(s, 'orders-cache', {
        host: 'master.orders.abc123.euw1.cache.amazonaws.com',
        cidr: '10.40.0.0/16',
        credentials,
        ...extra,
      });
      new TradingBackend(s, 'api', { image: IMAGE }).connectTo(cache);
    });

  it('gives REDIS_URL over TLS by default, the password by reference, and egress to the address block only', () => {
    const objects = build(RedisCredentials.fromSecret('orders-cache-auth', { passwordKey: 'auth-token' }));
    const env = envOf(one(objects, 'Deployment'));
    expect(env.REDIS_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'orders-cache-auth', key: 'auth-token' });
    expect(env.REDIS_URL.value).toBe('rediss://:$(REDIS_PASSWORD)@master.orders.abc123.euw1.cache.amazonaws.com:6379/0');
    expect(one(objects, 'NetworkPolicy', 'api').spec.egress).toContainEqual({
      to: [{ ipBlock: { cidr: '10.40.0.0/16' } }],
      ports: [{ port: 6379, protocol: 'TCP' }],
    });
    expect(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] !== 'api')).toEqual([]);
    expect(envOf(one(build(RedisCredentials.fromSecret('a'), { tls: false }), 'Deployment')).REDIS_URL.value).toMatch(/^redis:\/\//);
  });

  it('syncs the password from a store with an ExternalSecret, and nothing else', async () => {
    const objects = build(RedisCredentials.fromExternalStore(SecretStore.namespaced('aws'), 'prod/orders-cache', { passwordProperty: 'auth-token' }));
    const es = one(objects, 'ExternalSecret', 'orders-cache-credentials');
    expect(es.spec.data).toEqual([{ secretKey: 'password', remoteRef: { key: 'prod/orders-cache', property: 'auth-token' } }]);
    expect(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/name'] !== 'api').map((o) => o.kind)).toEqual(['ExternalSecret']);
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });

  it('rejects a bad host, port, database and CIDR', () => {
    const e = errorOf(() =>
      render((s) => RedisCache.fromExternal(s, 'x', { host: 'not a host', port: 0, database: 16, cidr: '10.0.0.0/99', credentials: AUTH })),
    );
    expect((e as ConfigurationError).problems.map((p) => p.split(': ')[1])).toEqual(['host', 'port', 'database', 'cidr']);
  });
});

describe('RedisCache: bad input (props)', () => {
  const cacheError = (props: Partial<RedisCacheProps>): string[] => {
    const e = errorOf(() => render((s) => withApi(s, props)));
    expect(e).toBeInstanceOf(ConfigurationError);
    return [...(e as ConfigurationError).problems];
  };

  it('rejects fewer than 3 Sentinel pods when high availability is required, unless allowed', () => {
    expect(cacheError({ engine: RedisEngine.sentinel(), replicas: 2, requireHighAvailability: true })).toEqual([
      'RedisCache test/trading-cache: replicas: 2 is below 3, the minimum for high availability; to run fewer on purpose, say so (requireHighAvailability: false in props, allowFewerReplicas: true in an environment file)',
    ]);
    expect(() => render((s) => withApi(s, { engine: RedisEngine.sentinel(), replicas: 2 }))).not.toThrow();
    expect(cacheError({ requireHighAvailability: true })[0]).toContain(
      'replicas: the standalone engine runs one pod, below the 3 high availability needs',
    );
  });

  it('rejects more than one standalone pod, and a Sentinel setup of one pod or a quorum above the pods', () => {
    expect(cacheError({ replicas: 2 })).toEqual([
      'RedisCache test/trading-cache: replicas: 2 is not possible with the standalone engine, which runs one pod without replication; use RedisEngine.sentinel() for more',
    ]);
    expect(cacheError({ engine: RedisEngine.sentinel(), replicas: 1 })).toEqual([
      'RedisCache test/trading-cache: replicas: 1 is out of range: use a whole number from 2 to 9',
    ]);
    expect(cacheError({ engine: RedisEngine.sentinel({ quorum: 4 }) })).toEqual([
      'RedisCache test/trading-cache: engine.quorum: 4 is more than the 3 Sentinels there are: no failover could ever be agreed; use at most 3 (a majority, 2, is the default)',
    ]);
  });

  it('rejects a memory limit below maxMemory, and a maxMemory that is not a quantity', () => {
    // The default limit is named as such, at the field written; a written limit is quoted at its own field.
    expect(cacheError({ maxMemory: '1Gi' })).toEqual([
      'RedisCache test/trading-cache: maxMemory: "1Gi" is above the default memory limit "512Mi" (resources.limits.memory is not set): the container would be OOM-killed before Redis evicts anything; lower maxMemory or set resources.limits.memory to at least it',
    ]);
    expect(
      cacheError({ maxMemory: '1Gi', resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } } }),
    ).toEqual([
      'RedisCache test/trading-cache: resources.limits.memory: "512Mi" is below maxMemory "1Gi": the container would be OOM-killed before Redis evicts anything; raise the limit or lower maxMemory (default: 80 % of the limit)',
    ]);
    expect(cacheError({ maxMemory: '1GB' })).toEqual([
      'RedisCache test/trading-cache: maxMemory: "1GB" is not a Kubernetes quantity; use a value like "512Mi" or "2Gi"',
    ]);
  });

  it('rejects a storage size that is not a quantity, a limit below its request, an unknown eviction policy and an untagged image', () => {
    expect(
      cacheError({
        storage: { size: '10GB' },
        maxMemoryPolicy: 'lru' as never,
        image: 'redis',
        resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '512Mi' } },
      }),
    ).toEqual([
      'RedisCache test/trading-cache: image: "redis" has no tag: pin a version ("redis:1.2.3") or a digest; untagged images are allowed only in dev',
      'RedisCache test/trading-cache: storage.size: "10GB" is not a Kubernetes quantity; use a value like "10Gi"',
      'RedisCache test/trading-cache: resources.limits.memory: "512Mi" is below the request "1Gi": it must be at least that',
      'RedisCache test/trading-cache: maxMemoryPolicy: "lru" is not an eviction policy; use one of noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl',
    ]);
  });

  it('rejects missing credentials and bad credential references', () => {
    expect(cacheError({ credentials: undefined as never })[0]).toContain('credentials: is required');
    expect(errorOf(() => RedisCredentials.fromSecret('Redis_Auth')).message).toContain(
      'RedisCredentials.fromSecret: secretName: "Redis_Auth" is not a valid name',
    );
    expect(errorOf(() => RedisCredentials.fromExternalStore(SecretStore.cluster('vault'), '')).message).toContain(
      'remoteKey: "" must be the non-empty key',
    );
  });

  it('rejects bad Sentinel options in the factory', () => {
    expect(errorOf(() => RedisEngine.sentinel({ masterName: 'my master', downAfter: Duration.millis(1500) })).message).toBe(
      [
        '2 configuration problems:',
        '  - RedisEngine.sentinel: masterName: "my master" is not a master name: use up to 64 letters, digits, ".", "_" and "-"',
        '  - RedisEngine.sentinel: downAfter: 1500 ms is not a whole number of seconds: use 1s to 10m',
      ].join('\n'),
    );
  });

  it('rejects a cache nobody connects to', () => {
    const e = errorOf(() => render((s) => new RedisCache(s, 'orphan-cache', { credentials: AUTH })));
    expect(e.message).toContain('RedisCache test/orphan-cache: no workload connects to it');
  });

  it('rejects connecting twice, and a URL variable on a Sentinel cache', () => {
    const twice = errorOf(() =>
      render((s) => {
        const { cache, api } = withApi(s);
        api.connectTo(cache);
      }),
    );
    expect((twice as ConfigurationError).problems).toEqual([
      'TradingBackend test/trading-api: connectTo: test/trading-cache is connected twice: connect each database or cache once',
    ]);
    const url = errorOf(() =>
      render((s) => {
        const cache = new RedisCache(s, 'c', { engine: RedisEngine.sentinel(), credentials: AUTH });
        new TradingBackend(s, 'api', { image: IMAGE }).connectTo(cache, { urlVariable: 'CACHE_URL' });
      }),
    );
    expect(url.message).toContain('urlVariable: "CACHE_URL" cannot be set: a Sentinel cache has no single URL');
  });

  it('renames the URL variable of a standalone cache on request', () => {
    const objects = render((s) => {
      const cache = new RedisCache(s, 'c', { credentials: AUTH });
      new TradingBackend(s, 'api', { image: IMAGE }).connectTo(cache, { urlVariable: 'CACHE_URL' });
    });
    expect(envOf(one(objects, 'Deployment')).CACHE_URL.value).toBe('redis://:$(REDIS_PASSWORD)@c:6379/0');
  });
});

describe('RedisCache: bad input (environment file)', () => {
  const FILE = 'environments/prod.yaml';
  const base = readFileSync(join(__dirname, '..', 'environments', 'prod.yaml'), 'utf8');
  const problemsAfter = (edit: (doc: JsonMap) => void, tier?: string): string[] => {
    const doc = parseMap(base);
    if (tier) doc.tier = tier;
    edit(doc);
    return environmentProblems('prod', FILE, JSON.stringify(doc));
  };
  const cache = (doc: JsonMap): JsonMap => at(doc, 'caches', 'trading-cache');
  const svc = (doc: JsonMap): JsonMap => at(doc, 'services', 'trading-api');

  it('the committed prod cache is valid', () => {
    expect(problemsAfter(() => undefined)).toEqual([]);
  });

  it('rejects fewer than 3 Sentinel pods in prod unless allowFewerReplicas, which applies only to prod', () => {
    expect(
      problemsAfter((d) => {
        cache(d).replicas = 2;
      }),
    ).toEqual([
      `${FILE}: caches.trading-cache.replicas: 2 is below 3, the minimum for high availability; to run fewer on purpose, say so (requireHighAvailability: false in props, allowFewerReplicas: true in an environment file)`,
    ]);
    expect(
      problemsAfter((d) => {
        cache(d).replicas = 2;
        cache(d).allowFewerReplicas = true;
      }),
    ).toEqual([]);
    expect(
      problemsAfter((d) => {
        cache(d).allowFewerReplicas = true;
      }, 'staging'),
    ).toContain(`${FILE}: caches.trading-cache.allowFewerReplicas: applies only to prod`);
  });

  it('rejects a memory limit below maxMemory and storage that is not a quantity', () => {
    expect(
      problemsAfter((d) => {
        cache(d).maxMemory = '2Gi';
        at(cache(d), 'storage').size = '10GB';
      }),
    ).toEqual([
      `${FILE}: caches.trading-cache.storage.size: "10GB" is not a Kubernetes quantity; use a value like "10Gi"`,
      `${FILE}: caches.trading-cache.maxMemory: "2Gi" is above the prod tier's default memory limit "1Gi" (resources.limits.memory is not set): the container would be OOM-killed before Redis evicts anything; lower maxMemory or set resources.limits.memory to at least it`,
    ]);
  });

  it('rejects a cache nobody connects to, and a service naming an unknown cache', () => {
    expect(
      problemsAfter((d) => {
        svc(d).cache = 'session-cache';
      }),
    ).toEqual([
      `${FILE}: caches.trading-cache: no service connects to it (set \`cache: trading-cache\` on the services that use it), or remove it`,
      `${FILE}: services.trading-api.cache: "session-cache" is not a cache of this environment; use one of trading-cache`,
    ]);
    expect(
      problemsAfter((d) => {
        delete d.caches;
      }),
    ).toEqual([`${FILE}: services.trading-api.cache: "trading-cache" is not a cache of this environment; define it under caches`]);
  });

  it('rejects Sentinel fields on a standalone cache, and Sentinel options out of range at their own keys', () => {
    expect(
      problemsAfter((d) => {
        cache(d).engine = 'standalone';
        cache(d).quorum = 2;
        cache(d).masterName = 'm';
      }),
    ).toEqual([
      `${FILE}: caches.trading-cache.quorum: does not apply to engine "standalone"; it takes replicas, allowFewerReplicas, image, storage, persistence, resources, maxMemory, maxMemoryPolicy, monitoring, alerts, dashboard, credentialsSecret, passwordKey, remoteKey, passwordProperty`,
      `${FILE}: caches.trading-cache.masterName: does not apply to engine "standalone"; it takes replicas, allowFewerReplicas, image, storage, persistence, resources, maxMemory, maxMemoryPolicy, monitoring, alerts, dashboard, credentialsSecret, passwordKey, remoteKey, passwordProperty`,
    ]);
    expect(
      problemsAfter((d) => {
        cache(d).quorum = 5;
        cache(d).downAfterSeconds = 0;
      }),
    ).toEqual([`${FILE}: caches.trading-cache.downAfterSeconds: 0 is out of range: use 1 to 600 seconds (10m)`]);
    expect(
      problemsAfter((d) => {
        cache(d).quorum = 5;
      }),
    ).toEqual([
      `${FILE}: caches.trading-cache.quorum: 5 is more than the 3 Sentinels there are: no failover could ever be agreed; use at most 3 (a majority, 2, is the default)`,
    ]);
  });

  it('needs exactly one source of the password, and a store for remoteKey', () => {
    expect(
      problemsAfter((d) => {
        cache(d).credentialsSecret = 'redis-auth';
      }),
    ).toEqual([
      `${FILE}: caches.trading-cache.credentialsSecret: needs exactly one of credentialsSecret (an existing Secret with the password) or remoteKey (an entry of the secretStore)`,
    ]);
    expect(
      problemsAfter((d) => {
        delete cache(d).remoteKey;
        cache(d).credentialsSecret = 'Redis_Auth';
      }),
    ).toEqual([
      `${FILE}: caches.trading-cache.credentialsSecret: "Redis_Auth" is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters`,
    ]);
  });

  it('rejects a cache named like a service or a database', () => {
    expect(
      problemsAfter((d) => {
        at(d, 'caches')['trading-db'] = { remoteKey: 'x' };
      }),
    ).toContain(`${FILE}: caches.trading-db: has the name of a database (databases.trading-db): give the cache a name of its own`);
  });

  it('takes an external cache, whose in-cluster keys do not apply', () => {
    expect(
      problemsAfter((d) => {
        at(d, 'caches')['trading-cache'] = { external: { host: 'master.x.cache.amazonaws.com', cidr: '10.40.0.0/16', remoteKey: 'prod/redis' } };
      }),
    ).toEqual([]);
    // Both at once: the key the schema does not admit, and the value the rule rejects.
    expect(
      problemsAfter((d) => {
        at(d, 'caches')['trading-cache'] = { replicas: 3, external: { host: 'not a host', credentialsSecret: 'a' } };
      }),
    ).toEqual([
      `${FILE}: caches.trading-cache.replicas: does not apply to an external cache`,
      `${FILE}: caches.trading-cache.external.host: "not a host" is not a valid hostname: use a fully qualified lower-case DNS name like "api.example.com" (a leading "*." is allowed)`,
    ]);
    expect(
      problemsAfter((d) => {
        at(d, 'caches')['trading-cache'] = { external: { host: 'not a host', credentialsSecret: 'a' } };
      }),
    ).toEqual([
      `${FILE}: caches.trading-cache.external.host: "not a host" is not a valid hostname: use a fully qualified lower-case DNS name like "api.example.com" (a leading "*." is allowed)`,
    ]);
  });

  it('counts the cache pods, with Sentinel and exporter, in the quota at full scale', () => {
    expect(
      problemsAfter((d) => {
        d.quota = { pods: 28 };
      }),
    ).toEqual([
      `${FILE}: quota.pods: 28 is below the 61 the services, databases and caches need at full scale, with every colour, canary, surge, Job, init and sidecar container counted (trading-api 42, trading-web 7, trading-db 3, ...): set quota.pods to at least 61, or lower the replicas or requests`,
    ]);
  });
});
