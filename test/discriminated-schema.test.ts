import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentProblems } from '../src/config/build';
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
      `${S}.release.previewHost: does not apply to canary/argo-rollouts; it takes steps, trafficRouting, analysis, backgroundAnalysis, smokeTest`,
    ]);
    expect(problemsWith({ image: IMAGE, release: { strategy: 'rolling', steps: [] } })).toEqual([`${S}.release.steps: does not apply to rolling`]);
    expect(problemsWith({ image: IMAGE, migration: { mode: 'job', command: ['migrate'], startupTimeoutSeconds: 60 } })).toEqual([
      `${S}.migration.startupTimeoutSeconds: does not apply to mode "job"; it takes command, backoffLimit, activeDeadlineSeconds, backupFirst, backupTimeoutSeconds`,
    ]);
  });

  it('a typo in a branch is an unknown key with the likely one', () => {
    expect(problemsWith({ image: IMAGE, release: { strategy: 'canary', stesp: [] } })[0]).toBe(
      `${S}.release.stesp: unknown key (did you mean "steps"?); allowed: strategy, engine, steps, trafficRouting, analysis, backgroundAnalysis, smokeTest`,
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
