/**
 * The yardstick of `npm run synth`: the reference app written by hand as a plain cdk8s-plus-28 program, the way a
 * team without this library would write it. Same three environments and GitOps objects, the same kinds and
 * object counts (86), typed cdk8s-plus constructs where cdk8s-plus has one and ApiObjects for the CRDs. The
 * bench compiles it ahead of time and starts it like the CLI (`npm run bench:peer`); cdk8s writes one YAML file
 * per chart into PEER_OUTDIR (default .build/peer.out).
 */
import { ApiObject, App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';

type Tier = 'dev' | 'staging' | 'prod';
type Json = Record<string, unknown>;

interface Env {
  readonly tier: Tier;
  readonly ns: string;
  readonly cpu: [string, string];
  readonly memory: [string, string];
}

const ENVS: readonly Env[] = [
  { tier: 'dev', ns: 'trading-dev', cpu: ['250m', '1000m'], memory: ['256Mi', '1Gi'] },
  { tier: 'staging', ns: 'trading-staging', cpu: ['500m', '2000m'], memory: ['512Mi', '2Gi'] },
  { tier: 'prod', ns: 'trading-prod', cpu: ['500m', '2000m'], memory: ['512Mi', '2Gi'] },
];

const wave = (n: number): Record<string, string> => ({ 'argocd.argoproj.io/sync-wave': String(n) });

function labels(name: string, component: string, env: Env, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': `${name}-${env.tier}`,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'trading',
    'app.kubernetes.io/managed-by': 'cdk8s',
    ...extra,
  };
}

function crd(scope: Construct, apiVersion: string, kind: string, name: string, env: Env, component: string, w: number, spec: Json): ApiObject {
  return new ApiObject(scope, `${kind}-${name}`, {
    apiVersion,
    kind,
    metadata: {
      name,
      labels: labels(name.replace(/-(alerts|analysis|canary|preview|pooler|backups|scheduled)$/, ''), component, env),
      annotations: wave(w),
    },
    spec,
  });
}

function namespace(chart: Chart, env: Env): void {
  new kplus.Namespace(chart, 'Namespace', {
    metadata: {
      name: env.ns,
      annotations: wave(-3),
      labels: {
        ...labels(env.ns, 'namespace', env),
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  });
  new k8s.KubeResourceQuota(chart, 'Quota', {
    metadata: { name: 'compute', annotations: wave(-3) },
    spec: {
      hard: {
        'requests.cpu': k8s.Quantity.fromString('8'),
        'requests.memory': k8s.Quantity.fromString('8Gi'),
        'limits.cpu': k8s.Quantity.fromString('32'),
        'limits.memory': k8s.Quantity.fromString('32Gi'),
        pods: k8s.Quantity.fromNumber(40),
      },
    },
  });
  new k8s.KubeLimitRange(chart, 'Limits', {
    metadata: { name: 'container-defaults', annotations: wave(-3) },
    spec: {
      limits: [
        {
          type: 'Container',
          defaultRequest: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
          default: { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('512Mi') },
          max: { cpu: k8s.Quantity.fromString('4'), memory: k8s.Quantity.fromString('8Gi') },
        },
      ],
    },
  });
  new kplus.NetworkPolicy(chart, 'DenyAll', {
    metadata: { name: 'default-deny-all', annotations: wave(-3) },
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
}

const restricted: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  user: 10001,
  group: 10001,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: [kplus.Capability.ALL] },
  seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
};

function apiContainer(env: Env, id: string, image: string, config: kplus.ConfigMap, dbHost: string): kplus.ContainerProps {
  const secret = kplus.Secret.fromSecretName(config, `secret-${id}`, 'trading-api-secrets');
  const db = kplus.Secret.fromSecretName(config, `db-${id}`, env.tier === 'dev' ? 'trading-db-credentials' : 'trading-db-app');
  const envVariables: Record<string, kplus.EnvValue> = {
    JWT_SECRET: kplus.EnvValue.fromSecretValue({ secret, key: 'JWT_SECRET' }),
    REDIS_URL: kplus.EnvValue.fromSecretValue({ secret, key: 'REDIS_URL' }),
    PGHOST: kplus.EnvValue.fromValue(dbHost),
    PGPORT: kplus.EnvValue.fromValue('5432'),
    PGDATABASE: kplus.EnvValue.fromValue('trading'),
    PGUSER: kplus.EnvValue.fromSecretValue({ secret: db, key: 'username' }),
    PGPASSWORD: kplus.EnvValue.fromSecretValue({ secret: db, key: 'password' }),
    DATABASE_URL: kplus.EnvValue.fromValue(
      `postgresql://$(PGUSER):$(PGPASSWORD)@${dbHost}:5432/trading?sslmode=${env.tier === 'dev' ? 'disable' : 'require'}`,
    ),
  };
  if (env.tier !== 'dev') envVariables.SENTRY_DSN = kplus.EnvValue.fromSecretValue({ secret, key: 'SENTRY_DSN' });
  return {
    name: 'trading-api',
    image,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    ports: [
      { name: 'http', number: 8080 },
      { name: 'metrics', number: 9090 },
    ],
    envVariables,
    envFrom: [kplus.Env.fromConfigMap(config)],
    readiness: kplus.Probe.fromHttpGet('/health', {
      port: 8080,
      initialDelaySeconds: Duration.seconds(5),
      periodSeconds: Duration.seconds(5),
      timeoutSeconds: Duration.seconds(2),
      failureThreshold: 3,
    }),
    liveness: kplus.Probe.fromHttpGet('/health', {
      port: 8080,
      initialDelaySeconds: Duration.seconds(30),
      periodSeconds: Duration.seconds(10),
      timeoutSeconds: Duration.seconds(3),
      failureThreshold: 3,
    }),
    startup:
      env.tier === 'dev' ? kplus.Probe.fromHttpGet('/health', { port: 8080, periodSeconds: Duration.seconds(5), failureThreshold: 60 }) : undefined,
    lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', '10']) },
    resources: {
      cpu: { request: kplus.Cpu.millis(parseInt(env.cpu[0], 10)), limit: kplus.Cpu.millis(parseInt(env.cpu[1], 10)) },
      memory: {
        request: Size.mebibytes(parseInt(env.memory[0], 10)),
        limit: env.memory[1].endsWith('Gi') ? Size.gibibytes(parseInt(env.memory[1], 10)) : Size.mebibytes(parseInt(env.memory[1], 10)),
      },
    },
    securityContext: restricted,
    volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(config, `tmp-${id}`, 'tmp', { sizeLimit: Size.mebibytes(64) }) }],
  };
}

function deployment(
  chart: Chart,
  env: Env,
  name: string,
  image: string,
  config: kplus.ConfigMap,
  sa: kplus.IServiceAccount,
  dbHost: string,
  podLabels: Record<string, string>,
  replicas?: number,
): kplus.Deployment {
  const d = new kplus.Deployment(chart, `Deployment-${name}`, {
    metadata: { name, labels: podLabels, annotations: wave(env.tier === 'dev' ? 0 : 1) },
    replicas,
    serviceAccount: sa,
    automountServiceAccountToken: false,
    minReady: Duration.seconds(10),
    progressDeadline: Duration.seconds(600),
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(1),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    securityContext: { ensureNonRoot: true, user: 10001, group: 10001, fsGroup: 10001 },
    terminationGracePeriod: Duration.seconds(45),
    podMetadata: { labels: podLabels, annotations: { 'checksum/config': 'peer' } },
    containers: [apiContainer(env, name, image, config, dbHost)],
    select: false,
  });
  d.select(kplus.LabelSelector.of({ labels: podLabels }));
  d.scheduling.spread({ topology: kplus.Topology.ZONE });
  return d;
}

function pdb(chart: Chart, env: Env, name: string, selector: Record<string, string>, component: string): void {
  new k8s.KubePodDisruptionBudget(chart, `Pdb-${name}`, {
    metadata: { name, labels: labels(name, component, env), annotations: wave(1) },
    spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
  });
}

function podSelector(scope: Construct, id: string, matchLabels: Record<string, string>, ns?: string): kplus.Pods {
  return kplus.Pods.select(scope, id, {
    labels: matchLabels,
    namespaces: ns ? kplus.Namespaces.select(scope, `${id}-ns`, { names: [ns] }) : undefined,
  });
}

function apiNetworkPolicy(
  chart: Chart,
  env: Env,
  podLabels: Record<string, string>,
  dbSelectors: Array<Record<string, string>>,
  cidrs: Array<[string, number[]]>,
): void {
  const np = new kplus.NetworkPolicy(chart, 'ApiPolicy', {
    metadata: { name: 'trading-api', labels: labels('trading-api', 'api', env), annotations: wave(-3) },
    selector: podSelector(chart, 'api-pods', podLabels),
  });
  np.addEgressRule(podSelector(chart, 'dns', { 'k8s-app': 'kube-dns' }, 'kube-system'), [
    kplus.NetworkPolicyPort.udp(53),
    kplus.NetworkPolicyPort.tcp(53),
  ]);
  dbSelectors.forEach((s, i) => np.addEgressRule(podSelector(chart, `db-${i}`, s, env.ns), [kplus.NetworkPolicyPort.tcp(5432)]));
  cidrs.forEach(([cidr, ports], i) =>
    np.addEgressRule(
      kplus.NetworkPolicyIpBlock.ipv4(chart, `cidr-${i}`, cidr),
      ports.map((p) => kplus.NetworkPolicyPort.tcp(p)),
    ),
  );
  np.addIngressRule(kplus.Namespaces.select(chart, 'gateway-ns', { names: ['gateway-system'] }), [kplus.NetworkPolicyPort.tcp(8080)]);
  np.addIngressRule(kplus.Namespaces.select(chart, 'monitoring-ns', { names: ['monitoring'] }), [kplus.NetworkPolicyPort.tcp(9090)]);
}

function alerts(env: Env, pods: string): Json {
  const sel = `namespace="${env.ns}", service="trading-api"`;
  const rule = (alert: string, expr: string, severity: string, summary: string, forTime = '5m'): Json => ({
    alert,
    expr,
    for: forTime,
    labels: { severity, service: 'trading-api' },
    annotations: { summary: `trading-api: ${summary}`, description: summary },
  });
  return {
    groups: [
      {
        name: 'trading-api.availability',
        rules: [
          rule(
            'TradingApiHighErrorRate',
            `sum(rate(http_requests_total{${sel}, status=~"5.."}[5m]))\n  / sum(rate(http_requests_total{${sel}}[5m])) > 0.01`,
            'warning',
            '5xx rate above 1 %',
          ),
          rule(
            'TradingApiCriticalErrorRate',
            `sum(rate(http_requests_total{${sel}, status=~"5.."}[5m]))\n  / sum(rate(http_requests_total{${sel}}[5m])) > 0.05`,
            'critical',
            '5xx rate above 5 %',
          ),
          rule(
            'TradingApiHighLatencyP95',
            `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${sel}}[5m]))) > 1`,
            'warning',
            'p95 latency above 1 s',
          ),
          rule(
            'TradingApiReplicasUnavailable',
            `kube_deployment_status_replicas_unavailable{namespace="${env.ns}", deployment=~"${pods}"} > 0`,
            'critical',
            'replicas unavailable',
            '10m',
          ),
        ],
      },
      {
        name: 'trading-api.resources',
        rules: ['cpu', 'memory']
          .map((r) =>
            rule(
              `TradingApiHigh${r}`,
              `sum by (pod) (container_${r}{namespace="${env.ns}", pod=~"${pods}-[a-z0-9]+"})\n  / sum by (pod) (kube_pod_container_resource_limits{namespace="${env.ns}", resource="${r}"}) > 0.8`,
              'warning',
              `${r} above 80 % of the limit`,
              '10m',
            ),
          )
          .concat([
            rule(
              'TradingApiContainerRestarts',
              `increase(kube_pod_container_status_restarts_total{namespace="${env.ns}", pod=~"${pods}-[a-z0-9]+"}[15m]) > 0`,
              'warning',
              'container restarted',
              '0m',
            ),
          ]),
      },
    ],
  };
}

function httpRoute(chart: Chart, env: Env, name: string, host: string, backends: Array<[string, number]>): void {
  crd(chart, 'gateway.networking.k8s.io/v1', 'HTTPRoute', name, env, 'api', 1, {
    parentRefs: [{ name: 'public', namespace: 'gateway-system', ...(env.tier === 'prod' ? { sectionName: 'https' } : {}) }],
    hostnames: [host],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: backends.map(([service, weight]) => ({ name: service, port: 80, weight })),
      },
    ],
  });
}

function monitoring(chart: Chart, env: Env, podLabels: Record<string, string>, pods: string): void {
  crd(chart, 'monitoring.coreos.com/v1', 'ServiceMonitor', 'trading-api', env, 'api', 1, {
    selector: { matchLabels: podLabels },
    endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }],
  });
  crd(chart, 'monitoring.coreos.com/v1', 'PrometheusRule', 'trading-api-alerts', env, 'api', 1, alerts(env, pods));
}

function externalSecret(chart: Chart, env: Env): void {
  crd(chart, 'external-secrets.io/v1', 'ExternalSecret', 'trading-api-secrets', env, 'api', -2, {
    refreshInterval: '1h',
    secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
    target: { name: 'trading-api-secrets', creationPolicy: 'Owner' },
    data: ['REDIS_URL', 'JWT_SECRET', 'SENTRY_DSN'].map((k) => ({
      secretKey: k,
      remoteRef: { key: `trading/${env.tier}/api`, property: k.toLowerCase().replace('_', '-') },
    })),
  });
}

function migrationJob(chart: Chart, env: Env, image: string, config: kplus.ConfigMap, sa: kplus.IServiceAccount): void {
  const job = new kplus.Job(chart, 'Migrate', {
    metadata: {
      name: 'trading-api-migrate',
      labels: labels('trading-api', 'migration', env),
      annotations: { ...wave(0), 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' },
    },
    backoffLimit: 2,
    activeDeadline: Duration.minutes(10),
    serviceAccount: sa,
    automountServiceAccountToken: false,
    securityContext: { ensureNonRoot: true, user: 10001, group: 10001, fsGroup: 10001 },
  });
  job.addContainer({
    ...apiContainer(env, 'migrate', image, config, 'trading-db-rw'),
    name: 'migrate',
    command: ['/app/server', 'migrate'],
    readiness: undefined,
    liveness: undefined,
    startup: undefined,
    lifecycle: undefined,
    ports: [],
  });
}

function cnpgCluster(chart: Chart, env: Env, instances: number, backups: boolean): void {
  crd(chart, 'postgresql.cnpg.io/v1', 'Cluster', 'trading-db', env, 'database', -1, {
    instances,
    imageName: 'ghcr.io/cloudnative-pg/postgresql:17.5',
    primaryUpdateMethod: 'switchover',
    primaryUpdateStrategy: 'unsupervised',
    enablePDB: true,
    affinity: { enablePodAntiAffinity: true, podAntiAffinityType: 'required', topologyKey: 'kubernetes.io/hostname' },
    bootstrap: { initdb: { database: 'trading', owner: 'trading', dataChecksums: true } },
    inheritedMetadata: { labels: labels('trading-db', 'database', env) },
    postgresql: { parameters: env.tier === 'prod' ? { max_connections: '200', shared_buffers: '512MB' } : {} },
    resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '4', memory: '2Gi' } },
    storage: { size: env.tier === 'prod' ? '100Gi' : '20Gi' },
    ...(backups
      ? { plugins: [{ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'trading-db-backups' } }] }
      : {}),
  });
  crd(chart, 'monitoring.coreos.com/v1', 'PodMonitor', 'trading-db', env, 'database', -1, {
    selector: { matchLabels: { 'cnpg.io/cluster': 'trading-db' } },
    podMetricsEndpoints: [{ port: 'metrics' }],
  });
  const np = new kplus.NetworkPolicy(chart, 'DbPolicy', {
    metadata: { name: 'trading-db', labels: labels('trading-db', 'database', env), annotations: wave(-1) },
    selector: podSelector(chart, 'db-pods', { 'cnpg.io/cluster': 'trading-db' }),
  });
  np.addIngressRule(podSelector(chart, 'db-peers', { 'cnpg.io/cluster': 'trading-db' }), [
    kplus.NetworkPolicyPort.tcp(5432),
    kplus.NetworkPolicyPort.tcp(8000),
  ]);
  np.addIngressRule(podSelector(chart, 'db-api', { 'app.kubernetes.io/name': 'trading-api' }), [kplus.NetworkPolicyPort.tcp(5432)]);
  np.addIngressRule(kplus.Namespaces.select(chart, 'cnpg-system', { names: ['cnpg-system'] }), [kplus.NetworkPolicyPort.tcp(8000)]);
  np.addIngressRule(kplus.Namespaces.select(chart, 'db-monitoring', { names: ['monitoring'] }), [kplus.NetworkPolicyPort.tcp(9187)]);
  np.addEgressRule(podSelector(chart, 'db-egress-peers', { 'cnpg.io/cluster': 'trading-db' }), [kplus.NetworkPolicyPort.tcp(5432)]);
  np.addEgressRule(kplus.NetworkPolicyIpBlock.anyIpv4(chart, 'db-api-server'), [kplus.NetworkPolicyPort.tcp(443), kplus.NetworkPolicyPort.tcp(6443)]);
  if (!backups) return;
  crd(chart, 'barmancloud.cnpg.io/v1', 'ObjectStore', 'trading-db-backups', env, 'database', -1, {
    retentionPolicy: '30d',
    configuration: {
      destinationPath: 's3://acme-trading-backups/prod/trading-db',
      s3Credentials: {
        accessKeyId: { name: 'trading-db-backup-s3', key: 'ACCESS_KEY_ID' },
        secretAccessKey: { name: 'trading-db-backup-s3', key: 'ACCESS_SECRET_KEY' },
      },
      wal: { compression: 'gzip' },
      data: { compression: 'gzip' },
    },
  });
  crd(chart, 'postgresql.cnpg.io/v1', 'ScheduledBackup', 'trading-db-scheduled', env, 'database', -1, {
    schedule: '0 0 2 * * *',
    backupOwnerReference: 'self',
    cluster: { name: 'trading-db' },
    method: 'plugin',
    pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
  });
  crd(chart, 'postgresql.cnpg.io/v1', 'Pooler', 'trading-db-pooler', env, 'database', -1, {
    cluster: { name: 'trading-db' },
    instances: 2,
    type: 'rw',
    pgbouncer: { poolMode: 'transaction', parameters: { max_client_conn: '1000', default_pool_size: '25' } },
  });
  crd(chart, 'monitoring.coreos.com/v1', 'PodMonitor', 'trading-db-pooler', env, 'database', -1, {
    selector: { matchLabels: { 'cnpg.io/poolerName': 'trading-db-pooler' } },
    podMetricsEndpoints: [{ port: 'metrics' }],
  });
  const pooler = new kplus.NetworkPolicy(chart, 'PoolerPolicy', {
    metadata: { name: 'trading-db-pooler', labels: labels('trading-db', 'database', env), annotations: wave(-1) },
    selector: podSelector(chart, 'pooler-pods', { 'cnpg.io/poolerName': 'trading-db-pooler' }),
  });
  pooler.addIngressRule(podSelector(chart, 'pooler-api', { 'app.kubernetes.io/name': 'trading-api' }), [kplus.NetworkPolicyPort.tcp(5432)]);
  pooler.addEgressRule(podSelector(chart, 'pooler-db', { 'cnpg.io/cluster': 'trading-db' }), [kplus.NetworkPolicyPort.tcp(5432)]);
}

function devDatabase(chart: Chart, env: Env): void {
  const dbLabels = labels('trading-db', 'database', env);
  const selector = { 'app.kubernetes.io/name': 'trading-db', 'app.kubernetes.io/instance': 'trading-db-dev' };
  const headless = new kplus.Service(chart, 'DbHeadless', {
    metadata: { name: 'trading-db-headless', labels: dbLabels, annotations: wave(-1) },
    clusterIP: 'None',
    ports: [{ name: 'postgres', port: 5432, targetPort: 5432 }],
  });
  headless.selectLabel('app.kubernetes.io/name', 'trading-db');
  const credentials = kplus.Secret.fromSecretName(chart, 'db-credentials', 'trading-db-credentials');
  const sts = new kplus.StatefulSet(chart, 'Db', {
    metadata: { name: 'trading-db', labels: dbLabels, annotations: wave(-1) },
    service: headless,
    replicas: 1,
    automountServiceAccountToken: false,
    select: false,
    securityContext: { ensureNonRoot: true, user: 999, group: 999, fsGroup: 999 },
    podMetadata: { labels: dbLabels },
    containers: [
      {
        name: 'postgres',
        image: 'postgres:17.5',
        portNumber: 5432,
        envVariables: {
          POSTGRES_DB: kplus.EnvValue.fromValue('trading'),
          PGDATA: kplus.EnvValue.fromValue('/var/lib/postgresql/data/pgdata'),
          POSTGRES_USER: kplus.EnvValue.fromSecretValue({ secret: credentials, key: 'username' }),
          POSTGRES_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: credentials, key: 'password' }),
        },
        readiness: kplus.Probe.fromCommand(['pg_isready', '-U', 'postgres'], { periodSeconds: Duration.seconds(5) }),
        liveness: kplus.Probe.fromCommand(['pg_isready', '-U', 'postgres'], {
          periodSeconds: Duration.seconds(10),
          initialDelaySeconds: Duration.seconds(30),
        }),
        startup: kplus.Probe.fromCommand(['pg_isready', '-U', 'postgres'], { periodSeconds: Duration.seconds(5), failureThreshold: 60 }),
        resources: {
          cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(1000) },
          memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
        },
        securityContext: { ...restricted, user: 999, group: 999 },
        volumeMounts: [
          { path: '/var/lib/postgresql/data', volume: kplus.Volume.fromEmptyDir(chart, 'data', 'data') },
          { path: '/var/run/postgresql', volume: kplus.Volume.fromEmptyDir(chart, 'run', 'run') },
        ],
      },
    ],
  });
  sts.select(kplus.LabelSelector.of({ labels: selector }));
  const svc = new kplus.Service(chart, 'DbService', {
    metadata: { name: 'trading-db', labels: dbLabels, annotations: wave(-1) },
    ports: [{ name: 'postgres', port: 5432, targetPort: 5432 }],
  });
  svc.selectLabel('app.kubernetes.io/name', 'trading-db');
  pdb(chart, env, 'trading-db', selector, 'database');
  const np = new kplus.NetworkPolicy(chart, 'DbPolicy', {
    metadata: { name: 'trading-db', labels: dbLabels, annotations: wave(-1) },
    selector: podSelector(chart, 'db-pods', selector),
  });
  np.addIngressRule(podSelector(chart, 'db-api', { 'app.kubernetes.io/name': 'trading-api' }), [kplus.NetworkPolicyPort.tcp(5432)]);
}

function environment(app: App, env: Env): void {
  const chart = new Chart(app, env.tier, { namespace: env.ns, disableResourceNameHashes: true });
  namespace(chart, env);
  const apiLabels = labels('trading-api', 'api', env);
  const config = new kplus.ConfigMap(chart, 'Config', {
    metadata: { name: 'trading-api-config', labels: apiLabels, annotations: wave(-2) },
    data: {
      ENV: env.tier === 'prod' ? 'production' : env.tier === 'dev' ? 'development' : 'staging',
      LOG_LEVEL: env.tier === 'dev' ? 'debug' : 'info',
      PORT: '8080',
      METRICS_PORT: '9090',
    },
  });
  const sa = new kplus.ServiceAccount(chart, 'ServiceAccount', {
    metadata: { name: 'trading-api', labels: apiLabels, annotations: wave(-2) },
    automountToken: false,
  });
  const selector = {
    'app.kubernetes.io/name': 'trading-api',
    'app.kubernetes.io/instance': `trading-api-${env.tier}`,
    'app.kubernetes.io/component': 'api',
  };
  const service = (name: string, extra: Record<string, string> = {}): void => {
    const s = new kplus.Service(chart, `Service-${name}`, {
      metadata: { name, labels: apiLabels, annotations: wave(1) },
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'metrics', port: 9090, targetPort: 9090 },
      ],
    });
    for (const [k, v] of Object.entries({ ...selector, ...extra })) s.selectLabel(k, v);
  };
  const host = env.tier === 'prod' ? 'api.trading.example.com' : `api.${env.tier}.trading.example.com`;

  if (env.tier === 'dev') {
    devDatabase(chart, env);
    deployment(chart, env, 'trading-api', 'ghcr.io/acme-trading/trading-api:latest', config, sa, 'trading-db', apiLabels);
    service('trading-api');
    pdb(chart, env, 'trading-api', selector, 'api');
    httpRoute(chart, env, 'trading-api', host, [['trading-api', 100]]);
    apiNetworkPolicy(chart, env, selector, [{ 'app.kubernetes.io/name': 'trading-db' }], [['10.0.0.0/8', [6379]]]);
    monitoring(chart, env, selector, 'trading-api');
  } else if (env.tier === 'staging') {
    cnpgCluster(chart, env, 2, false);
    externalSecret(chart, env);
    migrationJob(chart, env, 'ghcr.io/acme-trading/trading-api:1.4.2', config, sa);
    crd(chart, 'argoproj.io/v1alpha1', 'Rollout', 'trading-api', env, 'api', 1, {
      replicas: 2,
      revisionHistoryLimit: 5,
      minReadySeconds: 10,
      progressDeadlineSeconds: 600,
      progressDeadlineAbort: true,
      selector: { matchLabels: selector },
      strategy: {
        canary: {
          canaryService: 'trading-api-canary',
          stableService: 'trading-api',
          maxSurge: '25%',
          maxUnavailable: 0,
          steps: [
            { setWeight: 10 },
            { pause: { duration: '5m' } },
            { analysis: { templates: [{ templateName: 'trading-api-analysis' }] } },
            { setWeight: 25 },
            { pause: { duration: '5m' } },
            { setWeight: 50 },
            { pause: { duration: '5m' } },
          ],
          trafficRouting: { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'trading-api', namespace: env.ns } } },
        },
      },
      template: {
        metadata: { labels: apiLabels },
        spec: {
          serviceAccountName: 'trading-api',
          containers: [{ name: 'trading-api', image: 'ghcr.io/acme-trading/trading-api:1.4.2', ports: [{ name: 'http', containerPort: 8080 }] }],
        },
      },
    });
    crd(chart, 'argoproj.io/v1alpha1', 'AnalysisTemplate', 'trading-api-analysis', env, 'api', 1, {
      args: [{ name: 'service-name' }, { name: 'namespace' }],
      metrics: ['success-rate', 'latency-p95'].map((name) => ({
        name,
        interval: '1m',
        count: 5,
        failureLimit: 1,
        successCondition: name === 'success-rate' ? 'result[0] >= 0.99' : 'result[0] < 1',
        provider: {
          prometheus: {
            address: 'http://prometheus-operated.monitoring.svc:9090',
            query: `sum(rate(http_requests_total{service="{{args.service-name}}"}[5m]))`,
          },
        },
      })),
    });
    service('trading-api');
    service('trading-api-canary');
    pdb(chart, env, 'trading-api', selector, 'api');
    httpRoute(chart, env, 'trading-api', host, [
      ['trading-api', 100],
      ['trading-api-canary', 0],
    ]);
    apiNetworkPolicy(
      chart,
      env,
      selector,
      [{ 'cnpg.io/cluster': 'trading-db' }],
      [
        ['10.20.0.0/16', [6379]],
        ['0.0.0.0/0', [443]],
      ],
    );
    monitoring(chart, env, selector, 'trading-api');
  } else {
    cnpgCluster(chart, env, 3, true);
    externalSecret(chart, env);
    migrationJob(chart, env, 'ghcr.io/acme-trading/trading-api:1.5.0', config, sa);
    for (const [color, image] of [
      ['blue', '1.4.2'],
      ['green', '1.5.0'],
    ]) {
      const colorSelector = { ...selector, version: color };
      const d = deployment(chart, env, `trading-api-${color}`, `ghcr.io/acme-trading/trading-api:${image}`, config, sa, 'trading-db-pooler', {
        ...apiLabels,
        version: color,
      });
      new kplus.HorizontalPodAutoscaler(chart, `Hpa-${color}`, {
        metadata: { name: `trading-api-${color}`, labels: apiLabels, annotations: wave(1) },
        target: d,
        minReplicas: 3,
        maxReplicas: 20,
        metrics: [
          kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(70)),
          kplus.Metric.resourceMemory(kplus.MetricTarget.averageUtilization(80)),
        ],
      });
      pdb(chart, env, `trading-api-${color}`, colorSelector, 'api');
    }
    service('trading-api', { version: 'blue' });
    service('trading-api-preview', { version: 'green' });
    httpRoute(chart, env, 'trading-api', host, [['trading-api', 100]]);
    httpRoute(chart, env, 'trading-api-preview', `preview.${host}`, [['trading-api-preview', 100]]);
    apiNetworkPolicy(
      chart,
      env,
      selector,
      [{ 'cnpg.io/poolerName': 'trading-db-pooler' }, { 'cnpg.io/cluster': 'trading-db' }],
      [
        ['10.30.0.0/16', [6379, 26379]],
        ['0.0.0.0/0', [443]],
      ],
    );
    monitoring(chart, env, selector, '(trading-api-blue|trading-api-green)');
  }
}

function gitops(app: App): void {
  const env: Env = { tier: 'prod', ns: 'argocd', cpu: ['0', '0'], memory: ['0', '0'] };
  const argocd = new Chart(app, 'gitops-argocd', { namespace: 'argocd', disableResourceNameHashes: true });
  crd(argocd, 'argoproj.io/v1alpha1', 'AppProject', 'trading', env, 'delivery', 0, {
    sourceRepos: ['https://github.com/acme-trading/trading-deploy.git'],
    destinations: ENVS.map((e) => ({ server: 'https://kubernetes.default.svc', namespace: e.ns })),
    clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
  });
  for (const e of ENVS) {
    crd(argocd, 'argoproj.io/v1alpha1', 'Application', `trading-${e.tier}`, env, 'delivery', 0, {
      project: 'trading',
      source: { repoURL: 'https://github.com/acme-trading/trading-deploy.git', targetRevision: 'main', path: `dist/${e.tier}` },
      destination: { server: 'https://kubernetes.default.svc', namespace: e.ns },
      syncPolicy:
        e.tier === 'prod'
          ? { syncOptions: ['ServerSideApply=true'] }
          : { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
      ignoreDifferences:
        e.tier === 'staging' ? [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', jsonPointers: ['/spec/rules/0/backendRefs'] }] : [],
    });
  }
  const flux = new Chart(app, 'gitops-flux', { namespace: 'flux-system', disableResourceNameHashes: true });
  crd(flux, 'source.toolkit.fluxcd.io/v1', 'GitRepository', 'trading', env, 'delivery', 0, {
    interval: '5m',
    url: 'https://github.com/acme-trading/trading-deploy.git',
    ref: { branch: 'main' },
  });
  const stages: Record<Tier, string[]> = {
    dev: ['namespace', 'config', 'database', 'application'],
    staging: ['namespace', 'config', 'database', 'migration', 'application'],
    prod: ['namespace', 'config', 'database', 'migration', 'application'],
  };
  for (const e of ENVS) {
    stages[e.tier].forEach((stage, i) => {
      crd(flux, 'kustomize.toolkit.fluxcd.io/v1', 'Kustomization', `trading-${e.tier}-${stage}`, env, 'delivery', 0, {
        interval: '5m',
        timeout: '10m',
        prune: true,
        wait: true,
        targetNamespace: e.ns,
        path: `./dist/${e.tier}/${(i + 1) * 10}-${stage}`,
        sourceRef: { kind: 'GitRepository', name: 'trading' },
        ...(i > 0 ? { dependsOn: [{ name: `trading-${e.tier}-${stages[e.tier][i - 1]}` }] } : {}),
      });
    });
  }
}

const app = new App({ outdir: process.env.PEER_OUTDIR || '.build/peer.out' });
for (const env of ENVS) environment(app, env);
gitops(app);
app.synth();
