import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildEnvironment } from '../src/config/build';
import { ConfigurationError } from '../src/core/problems';
import { ChartLayout } from '../src/gitops/chart-output';
import { PolicyGate } from '../src/policy/policy-gate';
import { GitOpsApp } from '../src/synth/gitops-app';
import { loadProject } from '../src/synth/project';
import { Scaling } from '../src/api-service/scaling';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { errorOf, viewAs } from './support/render';
import { kustomizeFile } from './support/yaml';
import { ROOT, tree } from './support/project';

const PRIVILEGED = JsonPatch.add('/spec/template/spec/containers/0/securityContext/privileged', true);

function outdir(): string {
  return join(mkdtempSync(join(tmpdir(), 'cdk8s-trading-app-')), 'dist');
}

describe('GitOpsApp', () => {
  it('writes the same files as the CLI for the same constructs', () => {
    const out = outdir();
    const app = new GitOpsApp({ outdir: out });
    const { environments } = loadProject(ROOT);
    for (const environment of environments) buildEnvironment(environment, app);
    app.synth();
    expect(readdirSync(out).sort()).toEqual(['dev', 'prod', 'staging']);
    for (const env of ['dev', 'prod', 'staging']) expect(tree(join(out, env))).toEqual(tree(join(ROOT, 'dist', env)));
  });

  it('lays hand-built charts out in stage folders with kustomization.yaml, sync waves and deterministic YAML', () => {
    const out = outdir();
    const build = (): GitOpsApp => {
      const app = new GitOpsApp({ outdir: out });
      const chart = new Chart(app, 'prod', { namespace: 'shop-prod', disableResourceNameHashes: true });
      new TradingBackend(chart, 'api', { image: 'ghcr.io/acme/api:1.4.2', scaling: Scaling.autoscale() });
      return app;
    };
    build().synth();
    const files = tree(out);
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        'prod/kustomization.yaml',
        'prod/20-config/kustomization.yaml',
        'prod/20-config/serviceaccount-api.yaml',
        'prod/50-application/deployment-api.yaml',
        'prod/50-application/horizontalpodautoscaler-api.yaml',
      ]),
    );
    expect(kustomizeFile(files['prod/kustomization.yaml']).resources).toEqual(['10-namespace', '20-config', '50-application']);
    const deployment = viewAs('Deployment', parse(files['prod/50-application/deployment-api.yaml']));
    expect(deployment.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    expect(
      viewAs('ServiceAccount', parse(files['prod/20-config/serviceaccount-api.yaml'])).metadata.annotations['argocd.argoproj.io/sync-wave'],
    ).toBe('-2');
    build().synth();
    expect(tree(out)).toEqual(files);
  });

  it('enforces the policy rules: a JSON patch that makes a container privileged fails the synth, and nothing is written', () => {
    const out = outdir();
    const app = new GitOpsApp({ outdir: out });
    const chart = new Chart(app, 'prod', { namespace: 'shop-prod', disableResourceNameHashes: true });
    new TradingBackend(chart, 'api', { image: 'ghcr.io/acme/api:1.4.2' }).deployment.addJsonPatch(PRIVILEGED);
    const e = errorOf(() => app.synth());
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as ConfigurationError).problems).toContain('chart prod: policy pod-security-restricted: Deployment/api: container api: privileged');
    expect(existsSync(out)).toBe(false);
  });

  it('accepts an exception only as a waiver with a reason, and rejects a waiver that accepts nothing', () => {
    const build = (waivers: ConstructorParameters<typeof PolicyGate>[2]): GitOpsApp => {
      const app = new GitOpsApp({ outdir: outdir() });
      const chart = new Chart(app, 'prod', { namespace: 'shop-prod', disableResourceNameHashes: true });
      new TradingBackend(chart, 'api', { image: 'ghcr.io/acme/api:1.4.2', networkPolicy: false });
      new PolicyGate(chart, 'PolicyGate', waivers);
      return app;
    };
    expect((errorOf(() => build({}).synth()) as ConfigurationError).problems.join('\n')).toContain('policy network-policy-coverage: Deployment/api');
    const reason = 'a service mesh enforces traffic policy here';
    expect(() => build({ waivers: [{ rule: 'network-policy-coverage', object: 'Deployment/api', reason }] }).synth()).not.toThrow();
    expect(
      (
        errorOf(() =>
          build({
            waivers: [
              { rule: 'network-policy-coverage', object: 'Deployment/api', reason },
              { rule: 'image-pinned', object: 'Deployment/api', reason },
            ],
          }).synth(),
        ) as ConfigurationError
      ).problems,
    ).toEqual(['chart prod: waivers: image-pinned for Deployment/api accepts nothing; remove it']);
  });

  it('writes a chart configured as flat into its folder, without stage folders or waves', () => {
    const out = outdir();
    const app = new GitOpsApp({ outdir: out });
    const chart = new Chart(app, 'delivery');
    GitOpsApp.configureChart(chart, { folder: 'gitops/custom', layout: ChartLayout.FLAT });
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'argocd' } });
    app.synth();
    const files = tree(out);
    expect(Object.keys(files)).toEqual(['gitops/custom/configmap-settings.yaml', 'gitops/custom/kustomization.yaml']);
    expect(viewAs('ConfigMap', parse(files['gitops/custom/configmap-settings.yaml'])).metadata.annotations).toBeUndefined();
  });

  it('refuses two objects that would be written to one file', () => {
    const app = new GitOpsApp({ outdir: outdir() });
    const chart = new Chart(app, 'prod', { namespace: 'shop-prod' });
    new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same' } });
    new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same' } });
    expect((errorOf(() => app.synth()) as ConfigurationError).problems).toEqual([
      'chart prod: ConfigMap/same: two objects of this kind and name would be written to 20-config/configmap-same.yaml; give one of them another name',
    ]);
  });
});

describe('PolicyGate in a plain cdk8s App', () => {
  it('fails app.synth() on a violation, where the same App without the gate synthesizes it', () => {
    const build = (gate: boolean): App => {
      const app = Testing.app();
      const chart = new Chart(app, 'prod', { namespace: 'shop-prod', disableResourceNameHashes: true });
      new TradingBackend(chart, 'api', { image: 'ghcr.io/acme/api:1.4.2' }).deployment.addJsonPatch(PRIVILEGED);
      if (gate) new PolicyGate(chart, 'PolicyGate');
      return app;
    };
    expect(() => build(false).synth()).not.toThrow();
    expect(errorOf(() => build(true).synth()).message).toContain('policy pod-security-restricted: Deployment/api: container api: privileged');
  });
});
