import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/core/problems';
import { MONITORING_CONTEXT } from '../src/monitoring/settings';
import { RedisCache, RedisCacheProps } from '../src/redis/redis-cache';
import { RedisCredentials } from '../src/redis/redis-credentials';
import { RedisEngine } from '../src/redis/redis-engine';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { fileOf, objectsAfter, problemsAfter } from './support/environment-edit';
import { all, errorOf, one, Obj } from './support/render';
import { at } from './support/yaml';

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface Panel {
  title: string;
  type: string;
  targets: Array<{ expr: string }>;
}

function synth(props: Partial<RedisCacheProps> = {}, context?: Record<string, unknown>): { objects: Obj[]; cache: RedisCache } {
  const app = new App();
  if (context) app.node.setContext(MONITORING_CONTEXT, context);
  const chart = new Chart(app, 'prod', { namespace: 'shop-prod', disableResourceNameHashes: true });
  const cache = new RedisCache(chart, 'cache', { credentials: RedisCredentials.fromSecret('redis-auth'), ...props });
  new TradingBackend(chart, 'api', { image: 'ghcr.io/acme/api:1.0.0' }).connectTo(cache);
  return { objects: chart.toJson() as Obj[], cache };
}
/** The rules of the cache's PrometheusRule (the connected API has its own). */
const rulesOf = (objects: Obj[]): Rule[] =>
  all(objects, 'PrometheusRule')
    .filter((r) => r.metadata.name === 'cache-alerts' || r.metadata.name === 'trading-cache-alerts')
    .flatMap((r) => r.spec.groups.flatMap((g) => g.rules as unknown as Rule[]));
/** The names of the cache's objects of `kind`. */
const cacheObjects = (objects: Obj[], kind: string): string[] =>
  objects.filter((o) => o.kind === kind && o.metadata.name?.startsWith('cache')).map((o) => o.metadata.name as string);
const panelsOf = (objects: Obj[]): Panel[] =>
  (JSON.parse(Object.values(one(objects, 'ConfigMap', 'cache-dashboard').data ?? {})[0] as string) as { panels: Panel[] }).panels;
const byName = (rules: Rule[]): Record<string, Rule> => Object.fromEntries(rules.map((r) => [r.alert, r]));

describe('RedisCache alerts and dashboard', () => {
  it('standalone: no primary, Redis and exporter down, memory, evictions and rejected connections; no replication', () => {
    const { objects, cache } = synth();
    expect(cache.alertRules).toBeDefined();
    expect(cache.dashboard).toBeDefined();
    const rule = one(objects, 'PrometheusRule', 'cache-alerts');
    expect(rule.spec.groups.map((g) => g.name)).toEqual(['cache.redis']);
    const rules = byName(rulesOf(objects));
    expect(Object.keys(rules)).toEqual([
      'RedisNoPrimary',
      'RedisDown',
      'RedisExporterDown',
      'RedisMemoryNearMax',
      'RedisEvictingKeys',
      'RedisRejectedConnections',
    ]);
    expect(rules.RedisNoPrimary.expr).toContain('redis_instance_info{namespace="shop-prod", pod=~"cache-[0-9]+", role="master"}');
    expect(rules.RedisNoPrimary.expr).toContain('or absent(redis_up{namespace="shop-prod", pod=~"cache-[0-9]+"})');
    expect(rules.RedisExporterDown.expr).toContain('up{namespace="shop-prod", pod=~"cache-[0-9]+", service="cache-headless"}');
    expect(rules.RedisEvictingKeys.expr).toContain('rate(redis_evicted_keys_total{namespace="shop-prod", pod=~"cache-[0-9]+"}[5m])');
    expect(rules.RedisRejectedConnections.expr).toContain('increase(redis_rejected_connections_total{');
    expect(rules.RedisMemoryNearMax.expr).toContain('redis_memory_max_bytes{namespace="shop-prod", pod=~"cache-[0-9]+"} > 0');
    for (const r of Object.values(rules)) {
      expect(r.labels, r.alert).toEqual({ severity: expect.stringMatching(/^(warning|critical)$/), cluster: 'cache', environment: 'shop-prod' });
      expect(r.annotations.runbook_url, r.alert).toBe(
        `https://github.com/acme-trading/cdk8s-trading/blob/main/docs/runbooks.md#${r.alert.toLowerCase()}`,
      );
    }
    expect(rules.RedisNoPrimary.labels.severity).toBe('critical');
    expect(panelsOf(objects).map((p) => p.title)).not.toContain('Replicas attached');
    expect(one(objects, 'ConfigMap', 'cache-dashboard').metadata.labels?.grafana_dashboard).toBe('1');
  });

  it('Sentinel: also more than one primary, a broken replica link and missing replicas, and their panels', () => {
    const { objects } = synth({ engine: RedisEngine.sentinel(), replicas: 5 });
    const rules = byName(rulesOf(objects));
    expect(Object.keys(rules)).toEqual(expect.arrayContaining(['RedisMultiplePrimaries', 'RedisReplicationBroken', 'RedisReplicasMissing']));
    expect(rules.RedisReplicasMissing.expr).toMatch(/redis_connected_slaves\{.*\}\) < 4$/);
    expect(rules.RedisReplicationBroken.expr).toContain('redis_master_link_up{namespace="shop-prod", pod=~"cache-[0-9]+"}');
    expect(rules.RedisMultiplePrimaries.labels.severity).toBe('critical');
    expect(panelsOf(objects).map((p) => p.title)).toEqual(
      expect.arrayContaining(['Replicas attached', 'Role per pod', 'Replica link to the primary']),
    );
  });

  it('pages for memory near maxmemory only with noeviction, where a full cache refuses writes', () => {
    const lru = byName(rulesOf(synth().objects)).RedisMemoryNearMax;
    expect(lru.labels.severity).toBe('warning');
    expect(lru.annotations.description).toContain('it evicts keys (allkeys-lru)');
    const none = byName(rulesOf(synth({ maxMemoryPolicy: 'noeviction' }).objects)).RedisMemoryNearMax;
    expect(none.labels.severity).toBe('critical');
    expect(none.annotations.description).toContain('it refuses writes (noeviction)');
  });

  it("takes the environment, runbooks and warning-only from the context; the cache's observability wins", () => {
    const { objects } = synth(
      { observability: { runbookBaseUrl: 'https://runbooks.acme.com/' } },
      { environment: 'eu-prod', warningOnly: true, dashboardFolder: 'Shop' },
    );
    const rules = rulesOf(objects);
    expect(new Set(rules.map((r) => r.labels.environment))).toEqual(new Set(['eu-prod']));
    expect(new Set(rules.map((r) => r.labels.severity))).toEqual(new Set(['warning']));
    expect(byName(rules).RedisNoPrimary.annotations.runbook_url).toBe('https://runbooks.acme.com/redisnoprimary');
    expect(one(objects, 'ConfigMap', 'cache-dashboard').metadata.annotations?.grafana_folder).toBe('Shop');
  });

  it('turns off alerts and the dashboard one by one, and both with monitoring (they read the exporter)', () => {
    const noAlerts = synth({ alerts: false });
    expect(noAlerts.cache.alertRules).toBeUndefined();
    expect(cacheObjects(noAlerts.objects, 'PrometheusRule')).toEqual([]);
    expect(noAlerts.cache.dashboard).toBeDefined();
    const noDashboard = synth({ dashboard: false });
    expect(noDashboard.cache.dashboard).toBeUndefined();
    expect(cacheObjects(noDashboard.objects, 'ConfigMap')).toEqual(['cache-config']);
    const unmonitored = synth({ monitoring: false });
    expect(cacheObjects(unmonitored.objects, 'PrometheusRule')).toEqual([]);
    expect(cacheObjects(unmonitored.objects, 'ServiceMonitor')).toEqual([]);
    expect(cacheObjects(unmonitored.objects, 'ConfigMap')).toEqual(['cache-config']);
    expect(unmonitored.cache.alertRules).toBeUndefined();
    expect(unmonitored.cache.dashboard).toBeUndefined();
  });

  it('rejects alerts or a dashboard asked for without monitoring, and bad observability settings, naming the field', () => {
    const e = errorOf(() => synth({ monitoring: false, alerts: true, dashboard: true, observability: { environment: 'eu prod' } }));
    expect(e).toBeInstanceOf(ConfigurationError);
    expect([...(e as ConfigurationError).problems]).toEqual([
      "RedisCache prod/cache: alerts: is true but monitoring is false: the alerts read the redis_exporter's metrics, which only the monitoring sidecar exports; turn monitoring on, or leave alerts out",
      "RedisCache prod/cache: dashboard: is true but monitoring is false: the dashboard plots the redis_exporter's metrics, which only the monitoring sidecar exports; turn monitoring on, or leave dashboard out",
      'RedisCache prod/cache: observability.environment: "eu prod" is not a label value: use up to 63 letters, digits, "-", "_" or ".", like "prod"',
    ]);
  });
});

describe('caches: alerts and dashboard in environment files', () => {
  const cache = (d: Parameters<Parameters<typeof objectsAfter>[1]>[0]) => at(d, 'caches', 'trading-cache');

  it('emits both by default, labelled with the environment, warning only in staging', () => {
    const rules = rulesOf(objectsAfter('staging', () => undefined)).filter((r) => r.labels.cluster === 'trading-cache');
    expect(rules.length).toBeGreaterThan(5);
    expect(new Set(rules.map((r) => `${r.labels.environment}/${r.labels.severity}`))).toEqual(new Set(['staging/warning']));
  });

  it('turns each off with alerts: false / dashboard: false, in either engine', () => {
    const names = (objects: Obj[]): string[] =>
      objects
        .filter((o) => o.metadata.name?.startsWith('trading-cache-') && /alerts|dashboard/.test(o.metadata.name))
        .map((o) => o.metadata.name as string);
    expect(names(objectsAfter('dev', () => undefined)).sort()).toEqual(['trading-cache-alerts', 'trading-cache-dashboard']);
    expect(names(objectsAfter('dev', (d) => void (cache(d).alerts = false)))).toEqual(['trading-cache-dashboard']);
    expect(names(objectsAfter('prod', (d) => void (cache(d).dashboard = false)))).toEqual(['trading-cache-alerts']);
    expect(names(objectsAfter('prod', (d) => void Object.assign(cache(d), { alerts: false, dashboard: false })))).toEqual([]);
  });

  it('names the field of a bad value: not a boolean, or asked for without monitoring', () => {
    expect(problemsAfter('dev', (d) => void (cache(d).alerts = 'yes'))).toEqual([
      `${fileOf('dev')}: caches.trading-cache.alerts: "yes" must be true or false`,
    ]);
    expect(problemsAfter('prod', (d) => void Object.assign(cache(d), { monitoring: false, dashboard: true }))).toEqual([
      `${fileOf('prod')}: caches.trading-cache.dashboard: is true but monitoring is false: the dashboard plots the redis_exporter's metrics, which only the monitoring sidecar exports; turn monitoring on, or leave dashboard out`,
    ]);
  });
});
