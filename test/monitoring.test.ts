import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { environmentProblems } from '../src/config/build';
import { Environment, parseEnvironment } from '../src/config/environment';
import * as apiSignals from '../src/monitoring/api-signals';
import * as pgSignals from '../src/monitoring/postgres-signals';
import * as redisSignals from '../src/monitoring/redis-signals';
import { resolveHttpMetrics } from '../src/monitoring/http-metrics';
import { dashboardUid } from '../src/monitoring/dashboard';
import { DEFAULT_RUNBOOK_BASE_URL, MONITORING_CONTEXT, REPOSITORY_URL } from '../src/monitoring/settings';
import { PostgresCluster } from '../src/postgres/postgres-cluster';
import { PostgresEngine } from '../src/postgres/postgres-engine';
import { loadEnvironments, renderEnvironment } from '../src/synth/project';
import { Migration } from '../src/api-service/migration';
import { Scaling } from '../src/api-service/scaling';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { ConfigurationError } from '../src/core/problems';
import { errorOf, one, all, Obj } from './support/render';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

/** Every object of the committed dist/<env>/ (what CI checks equals a fresh synth). */
function distObjects(env: string): Obj[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : [join(dir, e)]));
  return walk(join(DIST, env))
    .filter((f) => f.endsWith('.yaml') && !f.endsWith('kustomization.yaml'))
    .map((f) => parse(readFileSync(f, 'utf8')) as Obj);
}

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rulesOf = (objects: Obj[]): Array<Rule & { object: string }> =>
  all(objects, 'PrometheusRule').flatMap((r) =>
    r.spec.groups.flatMap((g) => (g.rules as unknown as Rule[]).map((rule) => ({ ...rule, object: r.metadata.name as string }))),
  );

/** `label_replace(metric{...}, "namespace", "$1", "exported_namespace", "(.+)")`: the Argo Rollouts controller's series scraped without honorLabels. */
const COPY_EXPORTED_NAMESPACE = /label_replace\((\w+)\{([^{}]*)\}, "namespace", "\$1", "exported_namespace", "\(\.\+\)"\)/g;

/**
 * Where `expr` could lose the namespace: a vector selector without `namespace="<ns>"`, an aggregation
 * without `by (namespace, ...)`, or one `without (...)`. The one exception to the first: a selector with
 * `exported_namespace="<ns>"` whose value `label_replace` copies into `namespace`.
 */
function namespaceProblems(expr: string, namespace: string): string[] {
  const problems: string[] = [];
  const rest = expr.replace(COPY_EXPORTED_NAMESPACE, (_, metric: string, matchers: string) => {
    if (!matchers.split(/,\s*/).includes(`exported_namespace="${namespace}"`))
      problems.push(`label_replace of {${matchers}} has no exported_namespace matcher`);
    return metric;
  });
  for (const m of rest.matchAll(/\{([^{}]*)\}/g)) {
    if (!m[1].split(/,\s*/).includes(`namespace="${namespace}"`)) problems.push(`selector {${m[1]}} has no namespace matcher`);
  }
  for (const m of rest.matchAll(/\b(sum|max|min|avg|count|topk|bottomk|quantile|stddev|group)\b\s*(\b(by|without)\s*\(([^)]*)\))?\s*\(/g)) {
    if (m[3] !== 'by' || !m[4].split(/,\s*/).includes('namespace')) problems.push(`${m[0]} drops the namespace`);
  }
  if (!new RegExp(`(^|\\W)namespace="${namespace}"`).test(rest)) problems.push('no namespace matcher at all');
  return problems;
}

interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: Array<{ name: string; type: string; query: string }> };
  panels: Array<{
    title: string;
    type: string;
    datasource: { type: string; uid: string };
    gridPos: { x: number; y: number; w: number; h: number };
    targets: Array<{ expr: string; datasource: { type: string; uid: string } }>;
  }>;
}
const dashboardsOf = (
  objects: Obj[],
): Array<{ name: string; labels: Record<string, string>; annotations: Record<string, string>; key: string; json: Dashboard }> =>
  all(objects, 'ConfigMap')
    .filter((c) => c.metadata.name?.endsWith('-dashboard'))
    .map((c) => {
      const [key, text] = Object.entries(c.data ?? {})[0];
      return {
        name: c.metadata.name as string,
        labels: { ...c.metadata.labels },
        annotations: { ...c.metadata.annotations },
        key,
        json: JSON.parse(text as string) as Dashboard,
      };
    });

describe('the check of namespaces in PromQL (it can fail)', () => {
  it('finds a bare sum, a selector without the namespace and a without clause', () => {
    expect(namespaceProblems('sum(rate(http_requests_total{namespace="ns", service="a"}[5m])) > 1', 'ns')).toEqual(['sum( drops the namespace']);
    expect(namespaceProblems('sum by (namespace) (up{service="a"})', 'ns')).toEqual([
      'selector {service="a"} has no namespace matcher',
      'no namespace matcher at all',
    ]);
    expect(namespaceProblems('max without (pod) (up{namespace="ns"})', 'ns')).toEqual(['max without (pod) ( drops the namespace']);
    expect(namespaceProblems('sum by (namespace, pod) (up{namespace="ns"}) == 0 or absent(up{namespace="ns"})', 'ns')).toEqual([]);
  });

  it('accepts exported_namespace only where label_replace copies it into namespace', () => {
    const copy = (matchers: string, from = 'exported_namespace'): string =>
      `label_replace(rollout_info{${matchers}}, "namespace", "$1", "${from}", "(.+)")`;
    expect(
      namespaceProblems(
        `max by (namespace, name) (rollout_info{namespace="ns", exported_namespace="", name="a"} or ${copy('exported_namespace="ns", name="a"')})`,
        'ns',
      ),
    ).toEqual([]);
    expect(
      namespaceProblems(
        `max by (namespace, name) (rollout_info{namespace="ns", exported_namespace="", name="a"} or ${copy('exported_namespace="other", name="a"')})`,
        'ns',
      ),
    ).toEqual(['label_replace of {exported_namespace="other", name="a"} has no exported_namespace matcher']);
    expect(
      namespaceProblems(
        `max by (namespace, name) (rollout_info{namespace="ns", name="a"} or ${copy('exported_namespace="ns", name="a"', 'pod')})`,
        'ns',
      ),
    ).toEqual(['selector {exported_namespace="ns", name="a"} has no namespace matcher']);
    expect(namespaceProblems('max by (namespace, name) (rollout_info{exported_namespace="ns", name="a"})', 'ns')).toEqual([
      'selector {exported_namespace="ns", name="a"} has no namespace matcher',
      'no namespace matcher at all',
    ]);
    expect(namespaceProblems(`max by (name) (${copy('exported_namespace="ns", name="a"')})`, 'ns')).toEqual([
      'max by (name) ( drops the namespace',
      'no namespace matcher at all',
    ]);
  });
});

/** The services besides trading-api: the frontend, which releases after it in staging and prod. */
const FRONTEND = (env: string): string[] => (env === 'dev' ? [] : ['trading-web']);

describe.each(ENVIRONMENTS)('alerts and dashboards in dist/%s', (env) => {
  const objects = distObjects(env);
  const namespace = `trading-${env}`;
  const rules = rulesOf(objects);

  it('has a PrometheusRule for the API service, one for the database and one for the cache', () => {
    expect(
      all(objects, 'PrometheusRule')
        .map((r) => r.metadata.name)
        .sort(),
    ).toEqual(['trading-api-alerts', 'trading-cache-alerts', 'trading-db-alerts', ...FRONTEND(env).map((s) => `${s}-alerts`)]);
    expect(rules.length).toBeGreaterThan(10);
  });

  it('keeps the namespace in every expression: a matcher in every selector, `by (namespace, ...)` in every aggregation', () => {
    for (const r of rules) expect(namespaceProblems(r.expr, namespace), `${r.object} ${r.alert}: ${r.expr}`).toEqual([]);
  });

  it('labels every rule with severity, its subject and the environment, and gives it a summary, a description and its runbook', () => {
    for (const r of rules) {
      const where = `${r.object} ${r.alert}`;
      expect(['warning', 'critical'], where).toContain(r.labels.severity);
      expect(r.labels.environment, where).toBe(env);
      const dataStore = r.object === 'trading-db-alerts' || r.object === 'trading-cache-alerts';
      expect(dataStore ? r.labels.cluster : r.labels.service, where).toBe(r.object.replace(/-alerts$/, ''));
      expect(r.annotations.summary, where).toMatch(/\S/);
      expect(r.annotations.description, where).toMatch(/\S/);
      expect(r.annotations.runbook_url, where).toBe(`${DEFAULT_RUNBOOK_BASE_URL}${r.alert.toLowerCase()}`);
      expect(r.for, where).toMatch(/^\d+m$/);
    }
  });

  it(env === 'prod' ? 'pages (critical) in production' : 'only warns outside production (seed 003: alerts in prod)', () => {
    const severities = new Set(rules.map((r) => r.labels.severity));
    expect(severities.has('critical')).toBe(env === 'prod');
  });

  it('has a dashboard ConfigMap for the API service, the database and the cache, labelled for the Grafana sidecar', () => {
    const dashboards = dashboardsOf(objects);
    expect(dashboards.map((d) => d.name).sort()).toEqual([
      'trading-api-dashboard',
      'trading-cache-dashboard',
      'trading-db-dashboard',
      ...FRONTEND(env).map((s) => `${s}-dashboard`),
    ]);
    for (const d of dashboards) {
      expect(d.labels.grafana_dashboard, d.name).toBe('1');
      expect(d.annotations.grafana_folder, d.name).toBe(env);
      expect(d.key, d.name).toBe(`${d.name.replace(/-dashboard$/, '')}.json`);
    }
  });

  it('writes valid dashboard JSON: schemaVersion, a uid of at most 40 characters, every query on the datasource variable', () => {
    for (const { name, json } of dashboardsOf(objects)) {
      expect(json.schemaVersion, name).toBe(39);
      expect(json.uid, name).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
      expect(json.uid, name).toBe(dashboardUid(namespace, name.replace(/-dashboard$/, '')));
      expect(json.templating.list, name).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
      expect(json.panels.length, name).toBeGreaterThan(3);
      expect(new Set(json.panels.map((p) => p.type))).toEqual(new Set(['stat', 'timeseries']));
      for (const p of json.panels) {
        expect(p.datasource, `${name} ${p.title}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(p.gridPos.x + p.gridPos.w, `${name} ${p.title}`).toBeLessThanOrEqual(24);
        expect(p.targets.length, `${name} ${p.title}`).toBeGreaterThan(0);
        for (const t of p.targets) {
          expect(t.datasource, `${name} ${p.title}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
          expect(namespaceProblems(t.expr, namespace), `${name} ${p.title}: ${t.expr}`).toEqual([]);
        }
      }
    }
  });
});

/**
 * Where a series of the Argo Rollouts controller in `expr` is matched in one scrape setup only: each
 * `rollout_*{namespace="<ns>", exported_namespace="", ...}` (label honoured) must come with the same
 * series by `exported_namespace="<ns>"` copied into `namespace` (label renamed: a ServiceMonitor without honorLabels).
 */
function rolloutSetupProblems(expr: string, namespace: string): string[] {
  const problems: string[] = [];
  const rest = expr.replace(COPY_EXPORTED_NAMESPACE, '');
  for (const [selector, metric, matchers] of rest.matchAll(/(rollout_\w+)\{([^{}]*)\}/g)) {
    const others = matchers.split(/,\s*/).filter((m) => m !== `namespace="${namespace}"` && m !== 'exported_namespace=""');
    if (others.length !== matchers.split(/,\s*/).length - 2) problems.push(`${selector} does not require the namespace and no exported_namespace`);
    const copy = `label_replace(${metric}{${[`exported_namespace="${namespace}"`, ...others].join(', ')}}, "namespace", "$1", "exported_namespace", "(.+)")`;
    if (!expr.includes(`${selector} or ${copy}`)) problems.push(`${selector} has no "or ${copy}"`);
  }
  return problems;
}

describe('the Argo Rollouts signals in dist/staging (a canary Rollout)', () => {
  const objects = distObjects('staging');
  const namespace = 'trading-staging';
  const rules = rulesOf(objects).filter((r) => r.object === 'trading-api-alerts');
  const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
  const api = dashboardsOf(objects).find((d) => d.name === 'trading-api-dashboard')?.json as Dashboard;
  const panel = (title: string): Dashboard['panels'][number] | undefined => api.panels.find((p) => p.title === title);

  it("match the controller's series whether or not the ServiceMonitor honours their namespace label", () => {
    expect(
      rolloutSetupProblems(
        'sum by (namespace, name) (rollout_info_replicas_unavailable{namespace="trading-staging", name="trading-api"})',
        namespace,
      ),
    ).toEqual([
      'rollout_info_replicas_unavailable{namespace="trading-staging", name="trading-api"} does not require the namespace and no exported_namespace',
      'rollout_info_replicas_unavailable{namespace="trading-staging", name="trading-api"} has no "or label_replace(rollout_info_replicas_unavailable{exported_namespace="trading-staging", name="trading-api"}, "namespace", "$1", "exported_namespace", "(.+)")"',
    ]);
    const exprs = [...rules.map((r) => r.expr), ...api.panels.flatMap((p) => p.targets.map((t) => t.expr))].filter((e) => e.includes('rollout_'));
    expect(exprs.length).toBeGreaterThanOrEqual(7);
    for (const e of exprs) expect(rolloutSetupProblems(e, namespace), e).toEqual([]);
    for (const alert of ['ApiReplicasUnavailable', 'ApiRolloutDegraded', 'ApiRolloutPausedTooLong']) {
      expect(byName[alert].expr, alert).toMatch(/^max by \(namespace, name\) \(|^sum by \(namespace, name\) \(/);
      expect(byName[alert].expr, alert).toContain('label_replace(rollout_info');
    }
  });

  it('warn when the Rollout stays Paused for 30 minutes, longer than any of its pause steps (an inconclusive analysis, a promotion nobody gave)', () => {
    const paused = byName.ApiRolloutPausedTooLong;
    expect(paused.expr).toBe(
      `${apiSignals.apiRolloutPaused({ namespace, service: 'trading-api', workloadKind: 'Rollout', workloads: ['trading-api'], container: 'trading-api', autoscalers: [], migrationJob: undefined }) as string} > 0`,
    );
    expect(paused.expr).toContain('phase="Paused"');
    expect(paused.for).toBe('30m');
    expect(paused.labels.severity).toBe('warning');
    expect(panel('Rollout stuck')?.targets.map((t) => t.expr)).toContain(paused.expr.replace(/ > 0$/, ''));
    for (const env of ['dev', 'prod'])
      expect(
        rulesOf(distObjects(env)).map((r) => r.alert),
        env,
      ).not.toContain('ApiRolloutPausedTooLong');
  });

  it("show which revision serves the traffic by the pods' rollouts_pod_template_hash (Rollout pods have no version or track)", () => {
    expect(panel('Traffic by release')?.targets.map((t) => t.expr)).toEqual([
      'sum by (namespace, service, rollouts_pod_template_hash) (rate(http_requests_total{namespace="trading-staging", service="trading-api"}[5m]))',
    ]);
    const prod = dashboardsOf(distObjects('prod')).find((d) => d.name === 'trading-api-dashboard')?.json as Dashboard;
    expect(prod.panels.find((p) => p.title === 'Traffic by release')?.targets[0].expr).toContain('sum by (namespace, service, version, track) (');
    expect(one(objects, 'PodMonitor', 'trading-api').spec.podTargetLabels).toContain('rollouts-pod-template-hash');
  });
});

describe('dashboards across environments and synths', () => {
  it('have uids that are stable across two synths and unique per dashboard', () => {
    const uids = (): string[] =>
      loadEnvironments(ROOT).flatMap((e) =>
        renderEnvironment(e)
          .files.filter((f) => /configmap-.*-dashboard\.yaml$/.test(f.path))
          .map((f) => (JSON.parse(Object.values((parse(f.content) as { data: Record<string, string> }).data)[0]) as Dashboard).uid),
      );
    const first = uids();
    // An API, a database and a cache per environment, and the frontend in staging and prod.
    expect(first).toHaveLength(11);
    expect(uids()).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });
});

describe('one source: the panels and the alerts use the same signal functions', () => {
  it('the prod API dashboard plots exactly the signals, and the alerts compare the same signals', () => {
    const objects = distObjects('prod');
    const target: apiSignals.ApiSignalTarget = {
      namespace: 'trading-prod',
      service: 'trading-api',
      workloadKind: 'Deployment',
      workloads: ['trading-api-blue', 'trading-api-green'],
      container: 'trading-api',
      autoscalers: ['trading-api-blue', 'trading-api-green'],
      migrationJob: 'trading-api-migrate',
      // prod.yaml: trading-api's promhttp names.
      http: resolveHttpMetrics({ preset: 'go-promhttp' }),
    };
    const signalOutputs = new Set<string>();
    for (const fn of Object.values(apiSignals)) {
      if (typeof fn !== 'function' || fn === apiSignals.nameMatcher) continue;
      for (const q of [0.5, 0.95, 0.99]) {
        const out = (fn as (t: apiSignals.ApiSignalTarget, q: number) => string | undefined)(target, q);
        if (out !== undefined) signalOutputs.add(out);
      }
    }
    const api = dashboardsOf(objects).find((d) => d.name === 'trading-api-dashboard')?.json as Dashboard;
    const exprs = api.panels.flatMap((p) => p.targets.map((t) => t.expr));
    for (const e of exprs) expect(signalOutputs, e).toContain(e);
    const panel = (title: string): string[] => api.panels.find((p) => p.title === title)?.targets.map((t) => t.expr) ?? [];
    expect(panel('Error ratio (5xx)')).toEqual([apiSignals.apiErrorRatio(target)]);
    expect(panel('Latency p50 / p95 / p99')).toEqual([0.5, 0.95, 0.99].map((q) => apiSignals.apiLatency(target, q)));
    expect(panel('Memory of limit')).toEqual([apiSignals.apiMemoryOfLimit(target)]);

    const byName = Object.fromEntries(
      rulesOf(objects)
        .filter((r) => r.object === 'trading-api-alerts')
        .map((r) => [r.alert, r]),
    );
    expect(byName.ApiHighErrorRate.expr).toBe(`${apiSignals.apiErrorRatio(target)} > 0.01`);
    expect(byName.ApiCriticalErrorRate.expr).toBe(`${apiSignals.apiErrorRatio(target)} > 0.05`);
    expect(byName.ApiHighLatencyP95.expr).toBe(`${apiSignals.apiLatency(target, 0.95)} > 1`);
    expect(byName.ApiCriticalMemory.expr).toBe(`${apiSignals.apiMemoryOfLimit(target)} > 0.9`);
    expect(byName.ApiDeploymentNotProgressing.expr).toBe(`${apiSignals.apiRolloutStuck(target)} > 0`);
    expect(byName.ApiMigrationFailed.expr).toBe(`${apiSignals.apiMigrationFailed(target)} > 0`);
  });

  it('the prod database dashboard plots exactly the CNPG signals, and the alerts compare the same signals', () => {
    const objects = distObjects('prod');
    const target: pgSignals.PostgresSignalTarget = {
      namespace: 'trading-prod',
      cluster: 'trading-db',
      podPattern: 'trading-db-[0-9]+',
      pvcPattern: 'trading-db-[0-9]+(-wal)?',
      container: 'postgres',
      poolerPodPattern: 'trading-db-pooler-[a-z0-9]+-[a-z0-9]+',
    };
    const signalOutputs = new Set(
      Object.values(pgSignals)
        .filter((fn): fn is (t: pgSignals.PostgresSignalTarget) => string | undefined => typeof fn === 'function')
        .map((fn) => fn(target))
        .filter((e): e is string => e !== undefined),
    );
    const db = dashboardsOf(objects).find((d) => d.name === 'trading-db-dashboard')?.json as Dashboard;
    for (const e of db.panels.flatMap((p) => p.targets.map((t) => t.expr))) expect(signalOutputs, e).toContain(e);
    expect(db.panels.map((p) => p.title)).toEqual(
      expect.arrayContaining(['Replication lag', 'Connections of max_connections', 'PgBouncer clients waiting', 'Backups', 'Volume used']),
    );

    const byName = Object.fromEntries(
      rulesOf(objects)
        .filter((r) => r.object === 'trading-db-alerts')
        .map((r) => [r.alert, r]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      'PostgresBackupFailed',
      'PostgresBackupTooOld',
      'PostgresConnectionsNearLimit',
      'PostgresContainerRestarts',
      'PostgresHighAvailabilityLost',
      'PostgresInstanceDown',
      'PostgresPoolerClientsWaiting',
      'PostgresReplicasMissing',
      'PostgresReplicationLag',
      'PostgresReplicationLagCritical',
      'PostgresStorageAlmostFull',
      'PostgresStorageCritical',
      'PostgresWalArchivingFailing',
    ]);
    expect(byName.PostgresReplicationLag.expr).toBe(`${pgSignals.pgReplicationLag(target)} > 30`);
    expect(byName.PostgresConnectionsNearLimit.expr).toBe(`${pgSignals.pgConnectionsOfMax(target)} > 0.8`);
    expect(byName.PostgresStorageAlmostFull.expr).toBe(`${pgSignals.pgStorageUsed(target)} > 0.8`);
    expect(byName.PostgresPoolerClientsWaiting.expr).toBe(`${pgSignals.pgPoolerClientsWaiting(target) as string} > 0`);
    expect(byName.PostgresBackupTooOld.expr).toBe(`${pgSignals.pgLastBackupAge(target)} > 93600`);
    expect(byName.PostgresHighAvailabilityLost.labels.severity).toBe('critical');
  });

  it('the dev database (StatefulSet engine) gets what Kubernetes can see: pod readiness, volume and restarts', () => {
    const rules = rulesOf(distObjects('dev')).filter((r) => r.object === 'trading-db-alerts');
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'PostgresContainerRestarts',
      'PostgresInstanceDown',
      'PostgresStorageAlmostFull',
      'PostgresStorageCritical',
    ]);
    expect(rules.find((r) => r.alert === 'PostgresInstanceDown')?.expr).toContain(
      'kube_statefulset_status_replicas_ready{namespace="trading-dev", statefulset="trading-db"}',
    );
    expect(rules.find((r) => r.alert === 'PostgresStorageAlmostFull')?.expr).toContain('persistentvolumeclaim=~"data-trading-db-0"');
  });
});

describe('one source: the cache panels and alerts use the same signal functions', () => {
  const target = (env: string): redisSignals.RedisSignalTarget => ({
    namespace: `trading-${env}`,
    cache: 'trading-cache',
    podPattern: 'trading-cache-[0-9]+',
    scrapeService: 'trading-cache-headless',
    container: 'redis',
  });
  const signalsOf = (t: redisSignals.RedisSignalTarget): Set<string> =>
    new Set(
      Object.values(redisSignals)
        .filter((fn): fn is (t: redisSignals.RedisSignalTarget) => string | undefined => typeof fn === 'function')
        .map((fn) => fn(t))
        .filter((e): e is string => e !== undefined),
    );

  it('the prod cache (Sentinel) dashboard plots exactly the signals, and the alerts compare the same signals', () => {
    const objects = distObjects('prod');
    const t = target('prod');
    const cache = dashboardsOf(objects).find((d) => d.name === 'trading-cache-dashboard')?.json as Dashboard;
    for (const e of cache.panels.flatMap((p) => p.targets.map((x) => x.expr))) expect(signalsOf(t), e).toContain(e);
    expect(cache.panels.map((p) => p.title)).toEqual(
      expect.arrayContaining(['Primaries', 'Replicas attached', 'Memory of maxmemory', 'Evicted keys per second', 'Replica link to the primary']),
    );
    const byName = Object.fromEntries(
      rulesOf(objects)
        .filter((r) => r.object === 'trading-cache-alerts')
        .map((r) => [r.alert, r]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      'RedisDown',
      'RedisEvictingKeys',
      'RedisExporterDown',
      'RedisMemoryNearMax',
      'RedisMultiplePrimaries',
      'RedisNoPrimary',
      'RedisRejectedConnections',
      'RedisReplicasMissing',
      'RedisReplicationBroken',
    ]);
    expect(byName.RedisNoPrimary.expr).toBe(`(${redisSignals.redisPrimaries(t)}) < 1\n  or ${redisSignals.redisAbsent(t) as string}`);
    expect(byName.RedisMultiplePrimaries.expr).toBe(`(${redisSignals.redisPrimaries(t)}) > 1`);
    expect(byName.RedisReplicationBroken.expr).toBe(`${redisSignals.redisReplicaLinkUp(t)} < 1`);
    // prod.yaml: three pods, so two replicas.
    expect(byName.RedisReplicasMissing.expr).toBe(`${redisSignals.redisConnectedReplicas(t)} < 2`);
    expect(byName.RedisMemoryNearMax.expr).toBe(`${redisSignals.redisMemoryOfMax(t)} > 0.9`);
    expect(byName.RedisEvictingKeys.expr).toBe(`${redisSignals.redisEvictionRate(t)} > 0`);
    expect(byName.RedisRejectedConnections.expr).toBe(`${redisSignals.redisRejectedConnections(t)} > 0`);
    expect(byName.RedisExporterDown.expr).toBe(`${redisSignals.redisScrapeUp(t)} == 0`);
    expect(byName.RedisNoPrimary.labels.severity).toBe('critical');
    // allkeys-lru evicts at maxmemory: a full cache is a warning, not a page.
    expect(byName.RedisMemoryNearMax.labels.severity).toBe('warning');
  });

  it('the dev and staging caches (standalone) have no replication alerts or panels', () => {
    for (const env of ['dev', 'staging']) {
      const objects = distObjects(env);
      const rules = rulesOf(objects).filter((r) => r.object === 'trading-cache-alerts');
      expect(rules.map((r) => r.alert).sort(), env).toEqual([
        'RedisDown',
        'RedisEvictingKeys',
        'RedisExporterDown',
        'RedisMemoryNearMax',
        'RedisNoPrimary',
        'RedisRejectedConnections',
      ]);
      const cache = dashboardsOf(objects).find((d) => d.name === 'trading-cache-dashboard')?.json as Dashboard;
      expect(
        cache.panels.map((p) => p.title),
        env,
      ).not.toContain('Replicas attached');
      for (const e of cache.panels.flatMap((p) => p.targets.map((x) => x.expr))) expect(signalsOf(target(env)), e).toContain(e);
    }
  });
});

describe('runbooks', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'runbooks.md'), 'utf8');
  const anchors = new Set(
    [...doc.matchAll(/^##+ (.+)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    ),
  );

  it('has a section for every alert any environment emits, with kubectl first checks', () => {
    const alerts = new Set(ENVIRONMENTS.flatMap((env) => rulesOf(distObjects(env)).map((r) => r.alert)));
    alerts.add('ApiRolloutDegraded');
    alerts.add('ApiRolloutPausedTooLong');
    for (const alert of alerts) expect(anchors, alert).toContain(alert.toLowerCase());
    // Each section says what to run, or points at the section that does.
    const sections = doc.split(/^### /m).slice(1);
    expect(sections.length).toBeGreaterThanOrEqual(alerts.size);
    for (const s of sections) expect(s, s.split('\n')[0]).toMatch(/kubectl|as for \[\w+\]\(#\w+\)/);
  });

  it('are linked from the repository in package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { homepage: string };
    expect(pkg.homepage.replace(/#readme$/, '')).toBe(REPOSITORY_URL);
    expect(DEFAULT_RUNBOOK_BASE_URL).toBe(`${REPOSITORY_URL}/blob/main/docs/runbooks.md#`);
  });
});

describe('settings from the props, the context and the environment file', () => {
  const synth = (build: (chart: Chart) => void, context?: Record<string, unknown>): Obj[] => {
    const app = new App();
    if (context) app.node.setContext(MONITORING_CONTEXT, context);
    const chart = new Chart(app, 'prod', { namespace: 'shop-prod', disableResourceNameHashes: true });
    build(chart);
    return chart.toJson() as Obj[];
  };
  const api = (chart: Chart, monitoring = {}): TradingBackend =>
    new TradingBackend(chart, 'api', {
      image: 'ghcr.io/acme/api:1.0.0',
      scaling: Scaling.autoscale(),
      migration: Migration.job({ command: ['migrate'] }),
      monitoring,
    });

  it("default: the chart's namespace as environment and folder, this library's runbooks, criticals kept", () => {
    const objects = synth((c) => api(c));
    const rules = rulesOf(objects);
    expect(new Set(rules.map((r) => r.labels.environment))).toEqual(new Set(['shop-prod']));
    expect(rules.some((r) => r.labels.severity === 'critical')).toBe(true);
    expect(one(objects, 'ConfigMap', 'api-dashboard').metadata.annotations).toEqual({ grafana_folder: 'shop-prod' });
  });

  it('the context sets them for a whole app; props win field by field', () => {
    const context = {
      environment: 'eu-prod',
      runbookBaseUrl: 'https://runbooks.acme.com/',
      warningOnly: true,
      dashboardFolder: 'Shop',
      dashboardFolderAnnotation: 'k8s-sidecar-target-directory',
    };
    const objects = synth((c) => api(c, { runbookBaseUrl: 'https://wiki.acme.com/runbooks#' }), context);
    const rules = rulesOf(objects);
    expect(new Set(rules.map((r) => r.labels.environment))).toEqual(new Set(['eu-prod']));
    expect(new Set(rules.map((r) => r.labels.severity))).toEqual(new Set(['warning']));
    expect(rules.find((r) => r.alert === 'ApiDown')?.annotations.runbook_url).toBe('https://wiki.acme.com/runbooks#apidown');
    const cm = one(objects, 'ConfigMap', 'api-dashboard');
    expect(cm.metadata.annotations).toEqual({ 'k8s-sidecar-target-directory': 'Shop' });
    expect(cm.metadata.labels?.grafana_dashboard).toBe('1');
  });

  it('plots the HPA when autoscaling, and each construct can turn alerts and dashboards off', () => {
    const objects = synth((c) => api(c));
    const json = JSON.parse(Object.values(one(objects, 'ConfigMap', 'api-dashboard').data ?? {})[0] as string) as Dashboard;
    expect(json.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n')).toContain(
      'kube_horizontalpodautoscaler_spec_max_replicas{namespace="shop-prod", horizontalpodautoscaler="api"}',
    );
    const off = synth((c) => {
      const a = api(c, { alerts: false, dashboard: false });
      const db = new PostgresCluster(c, 'db', { engine: PostgresEngine.cloudNativePg(), alerts: false, dashboard: false });
      a.connectTo(db);
      expect(db.alertRules).toBeUndefined();
      expect(db.dashboard).toBeUndefined();
    });
    expect(all(off, 'PrometheusRule')).toEqual([]);
    expect(all(off, 'ConfigMap').map((c) => c.metadata.name)).toEqual([]);
    const on = synth((c) => api(c).connectTo(new PostgresCluster(c, 'db', { instances: 1, observability: { environment: 'db-env' } })));
    const dbRules = rulesOf(on).filter((r) => r.object === 'db-alerts');
    expect(dbRules.map((r) => r.alert)).not.toContain('PostgresHighAvailabilityLost');
    expect(new Set(dbRules.map((r) => r.labels.environment))).toEqual(new Set(['db-env']));
  });

  it('rejects bad settings in props and in the context, naming the field', () => {
    const problems = (fn: () => unknown): string[] => {
      const e = errorOf(fn);
      expect(e).toBeInstanceOf(ConfigurationError);
      return [...(e as ConfigurationError).problems];
    };
    expect(problems(() => synth((c) => api(c, { runbookBaseUrl: 'https://runbooks.acme.com/trading', environment: 'eu prod' })))).toEqual([
      'TradingBackend prod/api: monitoring.environment: "eu prod" is not a label value: use up to 63 letters, digits, "-", "_" or ".", like "prod"',
      'TradingBackend prod/api: monitoring.runbookBaseUrl: "https://runbooks.acme.com/trading" is not a runbook base URL: use an http(s) URL ending in "/" or "#" (the alert\'s name in lower case is appended), like "https://runbooks.example.com/trading/"',
    ]);
    expect(problems(() => synth((c) => new PostgresCluster(c, 'db', { observability: { dashboardFolderAnnotation: 'not an annotation' } })))).toEqual(
      [
        'PostgresCluster prod/db: observability.dashboardFolderAnnotation: "not an annotation" is not an annotation name: use "name" or "prefix/name", like "grafana_folder"',
      ],
    );
    expect(problems(() => synth((c) => api(c), { dashboardFolder: '' }))).toEqual([
      'context cdk8s-trading:monitoring: dashboardFolder: "" is not a folder name: use 1 to 100 printable characters, like "Trading"',
    ]);
  });

  it('an environment file sets them under monitoring:, and names the field of a bad value', () => {
    const prod = parse(readFileSync(join(ROOT, 'environments', 'prod.yaml'), 'utf8')) as Record<string, unknown>;
    const withMonitoring = (monitoring: unknown): string => stringify({ ...prod, monitoring });
    expect(
      environmentProblems(
        'prod',
        'environments/prod.yaml',
        withMonitoring({
          runbookBaseUrl: 'ftp://runbooks',
          warningOnly: true,
          dashboards: { folder: 'Trading', folderAnnotation: '-bad-' },
        }),
      ),
    ).toEqual([
      'environments/prod.yaml: monitoring.runbookBaseUrl: "ftp://runbooks" is not a runbook base URL: use an http(s) URL ending in "/" or "#" (the alert\'s name in lower case is appended), like "https://runbooks.example.com/trading/"',
      'environments/prod.yaml: monitoring.dashboards.folderAnnotation: "-bad-" is not an annotation name: use "name" or "prefix/name", like "grafana_folder"',
    ]);
    expect(environmentProblems('prod', 'environments/prod.yaml', withMonitoring({ warningOnly: 'yes', dashboard: {} }))).toEqual([
      'environments/prod.yaml: monitoring.dashboard: unknown key (did you mean "dashboards"?); allowed: environment, runbookBaseUrl, warningOnly, dashboards, prometheusAddress, httpMetrics',
      'environments/prod.yaml: monitoring.warningOnly: "yes" must be true or false',
    ]);
    const staging = parse(readFileSync(join(ROOT, 'environments', 'staging.yaml'), 'utf8')) as Record<string, unknown>;
    const text = stringify({
      ...staging,
      monitoring: {
        environment: 'staging-eu',
        runbookBaseUrl: 'https://runbooks.acme.com/',
        warningOnly: false,
        dashboards: { folder: 'Trading staging' },
      },
    });
    const environment = parseEnvironment('staging', 'environments/staging.yaml', text).environment;
    expect(environment).toBeDefined();
    const objects = renderEnvironment(environment as Environment)
      .files.filter((f) => f.path.endsWith('.yaml') && !f.path.endsWith('kustomization.yaml'))
      .map((f) => parse(f.content) as Obj);
    const rules = rulesOf(objects);
    expect(new Set(rules.map((r) => r.labels.environment))).toEqual(new Set(['staging-eu']));
    expect(rules.some((r) => r.labels.severity === 'critical')).toBe(true);
    expect(new Set(rules.map((r) => r.annotations.runbook_url.replace(/[a-z0-9]+$/, '')))).toEqual(new Set(['https://runbooks.acme.com/']));
    expect(new Set(dashboardsOf(objects).map((d) => d.annotations.grafana_folder))).toEqual(new Set(['Trading staging']));
  });
});
