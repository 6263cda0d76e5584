import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { CanaryEngine } from '../src/canary/canary-engine';
import { CanaryRollout } from '../src/canary/canary-rollout';
import { MONITORING_CONTEXT } from '../src/monitoring/settings';
import { renderEnvironment } from '../src/synth/project';
import { at, JsonMap, parseMap } from './support/yaml';

// The Prometheus an analysis queries is named once per environment (monitoring.prometheusAddress, the
// cdk8s-trading:monitoring context), and a release's own analysis.prometheusAddress wins.
const FILE = 'environments/staging.yaml';
const staging = readFileSync(join(__dirname, '..', 'environments', 'staging.yaml'), 'utf8');
const ADDRESS = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';

/** The Prometheus addresses of every AnalysisTemplate of the staging file with `edit` applied. */
function addresses(edit: (doc: JsonMap) => void): string[] {
  const doc = parseMap(staging);
  edit(doc);
  const environment = parseEnvironment('staging', FILE, JSON.stringify(doc)).environment;
  if (!environment) throw new Error('invalid file');
  const templates = renderEnvironment(environment)
    .files.map((f) => parse(f.content) as { kind: string; spec: { metrics: Array<{ provider: { prometheus?: { address: string } } }> } })
    .filter((o) => o.kind === 'AnalysisTemplate');
  return templates.flatMap((t) => t.spec.metrics.flatMap((m) => (m.provider.prometheus ? [m.provider.prometheus.address] : [])));
}

describe('the Prometheus the analyses query', () => {
  it('is the prometheus-operator default unless the environment names one', () => {
    const found = addresses(() => undefined);
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found)).toEqual(new Set(['http://prometheus-operated.monitoring.svc:9090']));
  });

  it("is the environment's monitoring.prometheusAddress, and a release's own address wins", () => {
    expect(new Set(addresses((d) => void (d.monitoring = { prometheusAddress: ADDRESS })))).toEqual(new Set([ADDRESS]));
    const own = 'http://prometheus.observability.svc:9090';
    const found = addresses((d) => {
      d.monitoring = { prometheusAddress: ADDRESS };
      const release = at(d, 'services', 'trading-api', 'release');
      release.analysis = { ...((release.analysis as JsonMap | undefined) ?? {}), prometheusAddress: own };
    });
    expect(new Set(found)).toEqual(new Set([own]));
  });

  it('names the field of an address that is not a URL', () => {
    const doc = parseMap(staging);
    doc.monitoring = { prometheusAddress: 'prometheus:9090' };
    expect(environmentProblems('staging', FILE, JSON.stringify(doc))).toEqual([
      `${FILE}: monitoring.prometheusAddress: "prometheus:9090" is not a URL: use a value like "http://prometheus-operated.monitoring.svc:9090"`,
    ]);
  });

  it('comes from the cdk8s-trading:monitoring context in TypeScript', () => {
    const app = new App();
    app.node.setContext(MONITORING_CONTEXT, { prometheusAddress: ADDRESS });
    const chart = new Chart(app, 'test', { namespace: 'trading' });
    new CanaryRollout(chart, 'api', { engine: CanaryEngine.argoRollouts({ image: 'ghcr.io/acme/api:1.0.0' }) });
    const templates = Testing.synth(chart).filter((o) => o.kind === 'AnalysisTemplate');
    expect(templates.length).toBeGreaterThan(0);
    for (const t of templates) {
      for (const m of t.spec.metrics) if (m.provider.prometheus) expect(m.provider.prometheus.address).toBe(ADDRESS);
    }
  });
});
