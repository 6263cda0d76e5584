import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import schema from '../src/config/environment.schema.json';
import { compileSchema } from '../src/config/schema-validator';
import { Tier, TIER_DEFAULTS, TIERS } from '../src/config/tiers';
import { at, JsonMap, parseMap } from './support/yaml';

// A release (strategy and engine) and a migration (mode) are discriminated in the schema: each kind is a
// branch with its own keys, so "does not apply" and "is required" are the schema's, said once, at the key.
const FILE = 'environments/prod.yaml';
const base = readFileSync(join(__dirname, '..', 'environments', 'prod.yaml'), 'utf8');
const IMAGE = 'ghcr.io/acme-trading/trading-api:1.4.2';

function problemsWith(service: JsonMap): string[] {
  const doc = parseMap(base);
  const svc = at(doc, 'services', 'trading-api');
  delete svc.release;
  delete svc.image;
  Object.assign(svc, service);
  return environmentProblems('prod', FILE, JSON.stringify(doc));
}
const S = `${FILE}: services.trading-api`;

describe('discriminated blocks', () => {
  it('a key of the branch left out is required there, and nothing is derived from its absence', () => {
    expect(problemsWith({ release: { strategy: 'blue-green', activeColor: 'blue', greenImage: IMAGE } })).toEqual([
      `${S}.release.blueImage: is required with blue-green/service-switch`,
    ]);
    expect(problemsWith({ image: IMAGE, release: { strategy: 'canary', engine: 'weighted', stableImage: IMAGE } })).toEqual([
      `${S}.release.canaryImage: is required with canary/weighted`,
      `${S}.release.canaryWeight: is required with canary/weighted`,
      `${S}.image: is not used with release canary/weighted, which names its images in release`,
    ]);
  });

  it('a key of another branch does not apply to this one, which says what it takes', () => {
    expect(problemsWith({ image: IMAGE, release: { strategy: 'canary', previewHost: 'preview.example.com' } })).toEqual([
      `${S}.release.previewHost: does not apply to canary/argo-rollouts; it takes steps, trafficRouting, analysis, backgroundAnalysis, dynamicStableScale, smokeTest`,
    ]);
    expect(problemsWith({ image: IMAGE, release: { strategy: 'rolling', steps: [] } })).toEqual([`${S}.release.steps: does not apply to rolling`]);
    expect(problemsWith({ image: IMAGE, migration: { mode: 'job', command: ['migrate'], startupTimeoutSeconds: 60 } })).toEqual([
      `${S}.migration.startupTimeoutSeconds: does not apply to mode "job"; it takes command, backoffLimit, activeDeadlineSeconds, backupFirst, backupTimeoutSeconds, rollbackCommand`,
    ]);
  });

  it('a typo in a branch is an unknown key with the likely one', () => {
    expect(problemsWith({ image: IMAGE, release: { strategy: 'canary', stesp: [] } })[0]).toBe(
      `${S}.release.stesp: unknown key (did you mean "steps"?); allowed: strategy, engine, steps, trafficRouting, analysis, backgroundAnalysis, dynamicStableScale, smokeTest`,
    );
  });

  it('a wrong discriminator is the one problem of its block', () => {
    expect(problemsWith({ image: IMAGE, release: { strategy: 'linear', steps: 'x', canaryWeight: 'y' } })).toEqual([
      `${S}.release.strategy: "linear" is not allowed; use one of "rolling", "blue-green", "canary"`,
    ]);
    expect(problemsWith({ image: IMAGE, release: { strategy: 'blue-green', engine: 'weighted', stableImage: IMAGE } })).toEqual([
      `${S}.release.engine: "weighted" is not an engine of strategy "blue-green": use "service-switch" or "argo-rollouts"`,
    ]);
    expect(problemsWith({ image: IMAGE, migration: { mode: 'later', command: 5 } })).toEqual([
      `${S}.migration.mode: "later" is not allowed; use one of "none", "on-start", "job"`,
    ]);
  });
});

describe("the schema reads an entry without an engine with its tier's default engine", () => {
  const validate = compileSchema(schema);
  /** The engine the schema takes an entry without `engine` for: the one whose keys it admits. */
  const engineOf = (tier: Tier, section: 'databases' | 'caches', keysByEngine: Record<string, JsonMap>): string[] =>
    Object.entries(keysByEngine)
      .filter(([, entry]) => validate({ tier, namespace: 'trading', services: { api: { image: IMAGE } }, [section]: { x: entry } }))
      .map(([engine]) => engine);

  for (const tier of TIERS) {
    it(`${tier}: the engines TIER_DEFAULTS names`, () => {
      expect(engineOf(tier, 'databases', { statefulset: { credentialsSecret: 's' }, 'cloudnative-pg': { parameters: {} } })).toEqual([
        TIER_DEFAULTS[tier].database.engine,
      ]);
      expect(engineOf(tier, 'caches', { standalone: { credentialsSecret: 's' }, sentinel: { credentialsSecret: 's', quorum: 2 } })).toEqual(
        TIER_DEFAULTS[tier].cache.engine === 'sentinel' ? ['standalone', 'sentinel'] : ['standalone'],
      );
    });
  }
});

describe('one cause, one line: what follows from a problem the schema named is not said again', () => {
  const dev = readFileSync(join(__dirname, '..', 'environments', 'dev.yaml'), 'utf8');
  const edited = (text: string, tier: string, edit: (d: JsonMap) => void): string[] => {
    const doc = parseMap(text);
    edit(doc);
    return environmentProblems(tier, `environments/${tier}.yaml`, JSON.stringify(doc));
  };
  const api = (d: JsonMap): JsonMap => at(d, 'services', 'trading-api');
  const P = 'environments/prod.yaml: services.trading-api';

  it('a block without its strategy or mode: only that', () => {
    expect(
      edited(base, 'prod', (d) => {
        delete api(d).image;
        api(d).release = { engine: 'weighted', stableImage: IMAGE, canaryImage: IMAGE, canaryWeight: 10 };
      }),
    ).toEqual([`${P}.release.strategy: is required`]);
    expect(edited(base, 'prod', (d) => void (api(d).release = {}))).toEqual([`${P}.release.strategy: is required`]);
    expect(edited(base, 'prod', (d) => void (api(d).migration = { command: ['migrate'] }))).toEqual([`${P}.migration.mode: is required`]);
    expect(edited(base, 'prod', (d) => void (api(d).release = { strategy: 'linear', engine: 'service-switch' }))).toEqual([
      `${P}.release.strategy: "linear" is not allowed; use one of "rolling", "blue-green", "canary"`,
    ]);
  });

  it('a key the entry does not take: one line, whichever schema says it', () => {
    expect(edited(dev, 'dev', (d) => void (at(d, 'databases', 'trading-db').instaces = 1))).toEqual([
      'environments/dev.yaml: databases.trading-db.instaces: unknown key (did you mean "instances"?); allowed: engine, instances, allowFewerInstances, alerts, dashboard, image, database, owner, storage, resources, credentialsSecret, usernameKey, passwordKey, pooler',
    ]);
    expect(edited(dev, 'dev', (d) => void (at(d, 'databases', 'trading-db').parameters = { a: '1' }))).toHaveLength(1);
  });

  it('a missing top-level key, an unreadable entry, an empty external reference', () => {
    expect(edited(base, 'prod', (d) => void delete d.namespace)).toEqual(['environments/prod.yaml: namespace: is required']);
    expect(edited(base, 'prod', (d) => void delete d.tier)).toEqual(['environments/prod.yaml: tier: is required']);
    expect(edited(base, 'prod', (d) => void (at(d, 'services')['trading-api'] = null))).toEqual([`${P}: null must be a mapping of keys`]);
    expect(edited(base, 'prod', (d) => void (at(d, 'databases')['trading-db'] = { external: {} }))).toEqual([
      'environments/prod.yaml: databases.trading-db.external.host: is required',
      'environments/prod.yaml: databases.trading-db.external.database: is required',
    ]);
  });

  it("a scale out of range says nothing about the quota; a negative time is the schema's", () => {
    expect(edited(base, 'prod', (d) => void (api(d).autoscaling = { maxReplicas: 100000 }))).toEqual([
      `${P}.autoscaling.maxReplicas: 100000 is out of range: use a whole number from 1 to 1000`,
    ]);
    expect(edited(base, 'prod', (d) => void (api(d).rollout = { drainSeconds: -1 }))).toEqual([`${P}.rollout.drainSeconds: -1 must be at least 0`]);
  });

  it('a file name that cannot name an environment is a problem of the file, not a failed build (monitoring.environment does not fix it)', () => {
    const problem =
      'environments/dev eu.yaml: the file name "dev eu" is not a valid environment name (it names the folder in dist/, the GitOps ' +
      'applications and the alerts\' label): use at most 22 lower-case letters, digits and "-", starting and ending with a letter or digit, ' +
      'like "dev-eu.yaml"';
    expect(parseEnvironment('dev eu', 'environments/dev eu.yaml', dev).problems).toEqual([problem]);
    const named = dev.replace(/^tier: dev$/m, 'tier: dev\nmonitoring: { environment: dev-eu }');
    expect(parseEnvironment('dev eu', 'environments/dev eu.yaml', named).problems).toEqual([problem]);
    expect(parseEnvironment('dev-eu', 'environments/dev-eu.yaml', named).problems).toEqual([]);
  });
});
