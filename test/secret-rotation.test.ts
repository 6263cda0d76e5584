/**
 * Secret rotation reaching running pods: the API workloads (every colour, the Rollout) and the caches' StatefulSets are
 * annotated for Stakater Reloader, which rolls a workload when a Secret it references changes; props, the context and
 * environment files (a tier default: staging and prod) switch it.
 */
import { describe, expect, it } from 'vitest';
import {
  BlueGreenEngine,
  BlueGreenService,
  CanaryEngine,
  CanaryRollout,
  Exposure,
  Migration,
  PostgresCluster,
  PostgresEngine,
  RedisCache,
  RedisCredentials,
  RedisEngine,
  SECRET_ROTATION_CONTEXT,
  TradingBackend,
} from '../src/index';
import { fileOf, objectsAfter, problemsAfter } from './support/environment-edit';
import { errorOf, Obj, render } from './support/render';

const V1 = 'ghcr.io/acme/api:1.0.0';
const V2 = 'ghcr.io/acme/api:1.1.0';
const AUTO = 'secret.reloader.stakater.com/auto';
const STRATEGY = 'reloader.stakater.com/rollout-strategy';
const annotationsOf = (o: Obj): Record<string, string> => ({ ...o.metadata.annotations });
const reloaded = (objects: Obj[]): string[] =>
  objects
    .filter((o) => annotationsOf(o)[AUTO] === 'true')
    .map((o) => `${o.kind}/${o.metadata.name}`)
    .sort();

function everything(scope: import('constructs').Construct, secretRotation?: { reloader?: boolean }): void {
  const db = new PostgresCluster(scope, 'db', { engine: PostgresEngine.cloudNativePg() });
  const cache = new RedisCache(scope, 'cache', {
    engine: RedisEngine.sentinel(),
    credentials: RedisCredentials.fromSecret('cache-auth'),
    secretRotation,
  });
  const api = new TradingBackend(scope, 'api', {
    image: V1,
    migration: Migration.job({ command: ['migrate'], rollbackCommand: ['down'] }),
    secretRotation,
  });
  api.connectTo(db);
  api.connectTo(cache);
  new BlueGreenService(scope, 'bg', {
    engine: BlueGreenEngine.serviceSwitch({ activeColor: 'blue', blueImage: V1, greenImage: V2 }),
    secretRotation,
  });
  new BlueGreenService(scope, 'bgr', { engine: BlueGreenEngine.argoRollouts({ image: V2 }), secretRotation });
  new CanaryRollout(scope, 'canary', { engine: CanaryEngine.argoRollouts({ image: V2 }), secretRotation });
  new CanaryRollout(scope, 'weighted', {
    engine: CanaryEngine.weighted({ stableImage: V1, canaryImage: V2, canaryWeight: 10 }),
    exposure: Exposure.gateway({ gatewayName: 'public', gatewayNamespace: 'gw', hosts: ['w.example.com'] }),
    secretRotation,
  });
}

const WORKLOADS = [
  'Deployment/api',
  'Deployment/bg-blue',
  'Deployment/bg-green',
  'Deployment/weighted',
  'Deployment/weighted-canary',
  'Rollout/bgr',
  'Rollout/canary',
  'StatefulSet/cache',
];

describe('secretRotation: Reloader annotations', () => {
  const objects = render((s) => everything(s));

  it('marks every API workload (each colour and track, the Rollouts) and the cache StatefulSet by default', () => {
    expect(reloaded(objects)).toEqual(WORKLOADS);
  });

  it('restarts Rollouts in place (spec.restartAt) instead of starting a new release', () => {
    for (const o of objects.filter((x) => x.kind === 'Rollout')) expect(annotationsOf(o)[STRATEGY]).toBe('restart');
    for (const o of objects.filter((x) => x.kind !== 'Rollout')) expect(annotationsOf(o)[STRATEGY]).toBeUndefined();
  });

  it('leaves the Jobs alone (Reloader would re-create a Job) and watches Secrets only (config already rolls by checksum)', () => {
    for (const job of objects.filter((o) => o.kind === 'Job')) expect(annotationsOf(job)[AUTO]).toBeUndefined();
    expect(objects.some((o) => 'reloader.stakater.com/auto' in annotationsOf(o))).toBe(false);
  });

  it('is off with { reloader: false }, or from the context; the props win over the context', () => {
    expect(reloaded(render((s) => everything(s, { reloader: false })))).toEqual([]);
    const fromContext = render((s) => {
      s.node.setContext(SECRET_ROTATION_CONTEXT, { reloader: false });
      everything(s);
    });
    expect(reloaded(fromContext)).toEqual([]);
    const overridden = render((s) => {
      s.node.setContext(SECRET_ROTATION_CONTEXT, { reloader: false });
      everything(s, { reloader: true });
    });
    expect(reloaded(overridden)).toEqual(WORKLOADS);
  });

  it('names the field of a bad value in props, and the context when it is malformed', () => {
    const bad = { reloader: 'yes' } as unknown as { reloader: boolean };
    expect(errorOf(() => render((s) => new TradingBackend(s, 'api', { image: V1, secretRotation: bad }))).message).toContain(
      'secretRotation.reloader: "yes" must be true or false',
    );
    expect(
      errorOf(() => render((s) => new RedisCache(s, 'cache', { credentials: RedisCredentials.fromSecret('c'), secretRotation: bad }))).message,
    ).toContain('secretRotation.reloader: "yes" must be true or false');
    expect(
      errorOf(() =>
        render((s) => {
          s.node.setContext(SECRET_ROTATION_CONTEXT, true);
          new TradingBackend(s, 'api', { image: V1 });
        }),
      ).message,
    ).toContain(`context ${SECRET_ROTATION_CONTEXT}: true must be an object like { reloader: true }`);
  });
});

describe('secretRotation in environment files', () => {
  it('is on in staging and prod (the tier default), off in dev', () => {
    expect(reloaded(objectsAfter('prod', () => undefined))).toEqual([
      'Deployment/trading-api-blue',
      'Deployment/trading-api-green',
      'Deployment/trading-web',
      'StatefulSet/trading-cache',
    ]);
    expect(reloaded(objectsAfter('staging', () => undefined))).toContain('Rollout/trading-api');
    expect(reloaded(objectsAfter('dev', () => undefined))).toEqual([]);
  });

  it('is switched per environment', () => {
    expect(reloaded(objectsAfter('prod', (d) => void (d.secretRotation = { reloader: false })))).toEqual([]);
    expect(reloaded(objectsAfter('dev', (d) => void (d.secretRotation = { reloader: true })))).toContain('Deployment/trading-api');
  });

  it('names the field of a bad value', () => {
    const problems = problemsAfter('prod', (d) => void (d.secretRotation = { reloader: 'yes' }));
    expect(problems).toEqual([`${fileOf('prod')}: secretRotation.reloader: "yes" must be true or false`]);
  });
});
