import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { loadEnvironments, renderEnvironment } from '../src/synth/project';
import { at, JsonMap, parseMap } from './support/yaml';

// With the wrong status label an error ratio matches nothing: the canary never rolls back on errors and the
// 5xx alerts never fire. The names the services export are configured once, and every query reads them.
const FILE = 'environments/staging.yaml';
const staging = readFileSync(join(__dirname, '..', 'environments', 'staging.yaml'), 'utf8');

/** Every PromQL expression of a rendered file: analysis queries, alert rules, dashboard targets. */
function promqlOf(f: { path: string; content: string }): string[] {
  const o = parse(f.content) as { kind: string; spec?: Record<string, unknown>; data?: Record<string, string> };
  const out: string[] = [];
  if (o.kind === 'AnalysisTemplate') {
    for (const m of (o.spec?.metrics ?? []) as Array<{ provider: { prometheus?: { query: string } } }>) {
      if (m.provider.prometheus) out.push(m.provider.prometheus.query);
    }
  }
  if (o.kind === 'PrometheusRule') {
    for (const g of (o.spec?.groups ?? []) as Array<{ rules: Array<{ expr: string }> }>) out.push(...g.rules.map((r) => r.expr));
  }
  if (o.kind === 'ConfigMap' && f.path.includes('dashboard')) {
    for (const json of Object.values(o.data ?? {})) {
      const dashboard = JSON.parse(json) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
      for (const p of dashboard.panels) out.push(...(p.targets ?? []).map((t) => t.expr));
    }
  }
  return out;
}

/** Every PromQL expression of trading-api in the staging file with `edit` applied. */
function queries(edit: (doc: JsonMap) => void): string[] {
  const doc = parseMap(staging);
  edit(doc);
  const environment = parseEnvironment('staging', FILE, JSON.stringify(doc)).environment;
  if (!environment) throw new Error('invalid file');
  return renderEnvironment(environment)
    .files.flatMap(promqlOf)
    .filter((q) => !q.includes('service="trading-web"'));
}

/** The rendered files of one of this repository's environments, as they are. */
function renderedEnvironment(name: string): { path: string; content: string }[] {
  const environment = loadEnvironments(join(__dirname, '..')).find((e) => e.name === name);
  if (!environment) throw new Error(`no environment ${name}`);
  return [...renderEnvironment(environment).files];
}

const HTTP = /http_requests_total|http_request_duration_seconds|http_server_requests_seconds/;

describe('the HTTP metrics every analysis, alert and panel reads', () => {
  it('default to http_requests_total{status} and http_request_duration_seconds', () => {
    const http = queries((d) => void delete at(d, 'services', 'trading-api').monitoring).filter((q) => HTTP.test(q));
    expect(http.some((q) => q.includes('status=~"5.."') || q.includes('status!~"5.."'))).toBe(true);
    expect(http.some((q) => q.includes('http_request_duration_seconds_bucket'))).toBe(true);
  });

  it("follow the environment's preset everywhere: go-promhttp labels the status code", () => {
    const all = queries((d) => {
      delete at(d, 'services', 'trading-api').monitoring;
      d.monitoring = { httpMetrics: { preset: 'go-promhttp' } };
    });
    const http = all.filter((q) => HTTP.test(q));
    expect(http.filter((q) => /code[=!]~"5\.\."/.test(q)).length).toBeGreaterThanOrEqual(3); // analysis, alert, panel
    expect(http.filter((q) => /\bstatus[=!]~/.test(q))).toEqual([]);
  });

  it("take a service's own names over the environment's: Spring Boot's Micrometer series", () => {
    const http = queries((d) => {
      d.monitoring = { httpMetrics: { preset: 'go-promhttp' } };
      const svc = at(d, 'services', 'trading-api');
      svc.monitoring = { ...((svc.monitoring as JsonMap | undefined) ?? {}), httpMetrics: { preset: 'spring-boot' } };
    }).filter((q) => HTTP.test(q));
    expect(http.every((q) => !q.includes('http_requests_total') && !q.includes('http_request_duration_seconds'))).toBe(true);
    expect(http.some((q) => q.includes('http_server_requests_seconds_count') && q.includes('status=~"5.."'))).toBe(true);
    expect(http.some((q) => q.includes('http_server_requests_seconds_bucket'))).toBe(true);
  });

  it('a name a query cannot hold is a problem at its field', () => {
    const doc = parseMap(staging);
    doc.monitoring = { httpMetrics: { statusLabel: 'status-code', requestsTotal: '5xx_total' } };
    at(doc, 'services', 'trading-api').monitoring = { httpMetrics: { statusLabel: 'le' } };
    expect(environmentProblems('staging', FILE, JSON.stringify(doc))).toEqual([
      `${FILE}: monitoring.httpMetrics.requestsTotal: "5xx_total" is not a metric name: use letters, digits, "_" and ":", not starting with a digit`,
      `${FILE}: monitoring.httpMetrics.statusLabel: "status-code" is not a label name: use letters, digits and "_", not starting with a digit or "__"`,
      `${FILE}: services.trading-api.monitoring.httpMetrics.statusLabel: "le" is a label the queries set themselves (le, namespace, service, pod, rollouts_pod_template_hash): name the label that holds the status code`,
    ]);
  });
});

describe('the reference deployment', () => {
  // trading-api is a Go binary instrumented with promhttp: staging's analysis, and every environment's alerts and
  // panels, must read the `code` label it exports.
  it.each(['dev', 'staging', 'prod'])('%s reads the status label trading-api exports', (name) => {
    const http = renderedEnvironment(name)
      .flatMap(promqlOf)
      .filter((q) => q.includes('service="trading-api"') || q.includes('{{args.service-name}}'));
    const requests = http.filter((q) => q.includes('http_requests_total'));
    expect(requests.filter((q) => /code[=!]~"5\.\."/.test(q)).length).toBeGreaterThanOrEqual(2);
    expect(http.filter((q) => /\bstatus[=!]~/.test(q))).toEqual([]);
  });
});
