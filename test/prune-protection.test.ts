/**
 * Prune protection: the namespace, the databases and the caches carry the annotations that keep them
 * through Argo CD's and Flux's prune (and the deletion of their Application or Kustomization), by default;
 * props, the context and environment files turn it off. The cluster tests remove a cache from an
 * environment and see both tools keep its StatefulSet.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvironment } from '../src/config/environment';
import { PRUNE_PROTECTION_ANNOTATIONS, PRUNE_PROTECTION_CONTEXT } from '../src/core/prune-protection';
import { PostgresCluster, PostgresEngine, RedisCache, RedisCredentials, TradingBackend, TradingNamespace } from '../src/index';
import { renderEnvironment } from '../src/synth/project';
import { render } from './support/render';

const PROTECTED = ['Namespace', 'Cluster', 'StatefulSet'];
const annotationsOf = (o: { metadata: { annotations?: Record<string, string> } }): Record<string, string> => ({ ...o.metadata.annotations });
const protects = (o: { metadata: { annotations?: Record<string, string> } }): boolean =>
  Object.entries(PRUNE_PROTECTION_ANNOTATIONS).every(([k, v]) => annotationsOf(o)[k] === v);

function data(scope: import('constructs').Construct, props: { pruneProtection?: boolean } = {}): void {
  new TradingNamespace(scope, 'Namespace', { name: 'trading-test', ...props });
  const db = new PostgresCluster(scope, 'db', { engine: PostgresEngine.cloudNativePg(), ...props });
  const legacy = new PostgresCluster(scope, 'legacy', { engine: PostgresEngine.statefulSet({ credentialsSecret: 'legacy-credentials' }), ...props });
  const cache = new RedisCache(scope, 'cache', { credentials: RedisCredentials.fromSecret('cache-credentials'), ...props });
  const api = new TradingBackend(scope, 'api', { image: 'ghcr.io/acme/api:1.0.0' });
  api.connectTo(db);
  api.connectTo(cache);
  new TradingBackend(scope, 'reports', { image: 'ghcr.io/acme/reports:1.0.0' }).connectTo(legacy);
}

describe('prune protection in the constructs', () => {
  it('keeps the Namespace, the Cluster and the StatefulSets through prune by default; nothing else', () => {
    const objects = render((s) => data(s));
    const kept = objects
      .filter(protects)
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    expect(kept).toEqual(['Cluster/db', 'Namespace/trading-test', 'StatefulSet/cache', 'StatefulSet/legacy']);
    expect(annotationsOf(objects.find((o) => o.kind === 'Cluster') as never)).toMatchObject({
      'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
      'kustomize.toolkit.fluxcd.io/prune': 'disabled',
    });
  });

  it('is off with pruneProtection: false, or with the context false; the props win over the context', () => {
    expect(render((s) => data(s, { pruneProtection: false })).filter(protects)).toEqual([]);
    expect(
      render((s) => {
        s.node.setContext(PRUNE_PROTECTION_CONTEXT, false);
        data(s);
      }).filter(protects),
    ).toEqual([]);
    expect(
      render((s) => {
        s.node.setContext(PRUNE_PROTECTION_CONTEXT, false);
        data(s, { pruneProtection: true });
      })
        .filter(protects)
        .map((o) => o.kind)
        .sort(),
    ).toEqual(['Cluster', 'Namespace', 'StatefulSet', 'StatefulSet']);
  });

  it('names the context when it is not a boolean', () => {
    expect(() =>
      render((s) => {
        s.node.setContext(PRUNE_PROTECTION_CONTEXT, 'yes');
        data(s);
      }),
    ).toThrow(`context ${PRUNE_PROTECTION_CONTEXT}: "yes" is not true or false`);
  });
});

describe('prune protection in environment files', () => {
  const FILE = 'environments/x.yaml';
  const text = (env: string): string => readFileSync(join(__dirname, '..', 'environments', `${env}.yaml`), 'utf8');
  const keptKinds = (env: string, extra = ''): string[] => {
    const parsed = parseEnvironment(env, FILE, `${text(env)}${extra}`);
    expect(parsed.problems).toEqual([]);
    return renderEnvironment(parsed.environment as NonNullable<typeof parsed.environment>)
      .files.filter((f) => f.content.includes('kustomize.toolkit.fluxcd.io/prune: disabled'))
      .map((f) => f.path)
      .sort();
  };

  it("is the tier's: off in dev, on in staging and prod, on exactly the data holders", () => {
    expect(keptKinds('dev')).toEqual([]);
    for (const env of ['staging', 'prod']) {
      expect(keptKinds(env)).toEqual([
        '10-namespace/namespace-trading-' + env + '.yaml',
        '30-database/cluster-trading-db.yaml',
        '30-database/statefulset-trading-cache.yaml',
      ]);
    }
    for (const f of keptKinds('prod')) expect(PROTECTED.some((k) => f.includes(k.toLowerCase()))).toBe(true);
  });

  it('follows pruneProtection in the file, either way', () => {
    expect(keptKinds('dev', 'pruneProtection: true\n')).toEqual([
      '10-namespace/namespace-trading-dev.yaml',
      '30-database/statefulset-trading-cache.yaml',
      '30-database/statefulset-trading-db.yaml',
    ]);
    expect(keptKinds('prod', 'pruneProtection: false\n')).toEqual([]);
  });

  it('names the field when the value is not a boolean', () => {
    expect(parseEnvironment('prod', FILE, `${text('prod')}pruneProtection: "yes"\n`).problems).toEqual([
      `${FILE}: pruneProtection: "yes" must be true or false`,
    ]);
  });
});
