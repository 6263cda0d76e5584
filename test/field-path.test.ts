import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Duration, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { environmentProblems } from '../src/config/build';
import { FieldPath } from '../src/core/field-path';
import { ConfigurationError } from '../src/core/problems';
import { RedisEngine } from '../src/redis/redis-engine';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { validateApiServiceProps } from '../src/api-service/api-service-rules';
import { at, parseMap } from './support/yaml';

const FILE = 'environments/prod.yaml';
const base = readFileSync(join(__dirname, '..', 'environments', 'prod.yaml'), 'utf8');
const IMAGE = 'ghcr.io/acme-trading/trading-api:1.4.2';

function problemsOf(make: () => unknown): readonly string[] {
  try {
    make();
    return [];
  } catch (e) {
    if (!(e instanceof ConfigurationError)) throw e;
    return e.problems;
  }
}

describe('FieldPath: each problem is created at the path the user wrote', () => {
  it('spells a time as the props name it and as a file writes it', () => {
    expect(String(FieldPath.props().child('rollout').seconds('drain'))).toBe('rollout.drain');
    expect(String(FieldPath.file().child('services').entry('api').child('rollout').seconds('drain'))).toBe('services.api.rollout.drainSeconds');
    expect(String(FieldPath.file().child('egress').index(2).child('ports').index(0))).toBe('egress[2].ports[0]');
  });

  it('names an entry by its key, and a props object by its name field', () => {
    expect(String(FieldPath.file().child('services').entry('api').name())).toBe('services.api');
    expect(String(FieldPath.props().name())).toBe('name');
  });

  it('one rule, two doors: the grace period after the drain, in props and in the file', () => {
    const props = { name: 'api', image: IMAGE, rollout: { drain: Duration.seconds(30), terminationGracePeriod: Duration.seconds(20) } };
    const message = '20s must be longer than the drain (30s), or in-flight requests are cut off';
    expect(validateApiServiceProps('api', props)).toEqual([{ field: 'rollout.terminationGracePeriod', message }]);
    expect(problemsOf(() => new TradingBackend(new Chart(Testing.app(), 'test'), 'api', props))).toEqual([
      `TradingBackend test/api: rollout.terminationGracePeriod: ${message}`,
    ]);
    const doc = parseMap(base);
    at(doc, 'services', 'trading-api').rollout = { drainSeconds: 30, terminationGracePeriodSeconds: 20 };
    expect(environmentProblems('prod', FILE, JSON.stringify(doc))).toEqual([
      `${FILE}: services.trading-api.rollout.terminationGracePeriodSeconds: ${message}`,
    ]);
  });

  it("an engine's options where each door writes them: under the factory, flat in a cache entry", () => {
    expect(problemsOf(() => RedisEngine.sentinel({ downAfter: Duration.seconds(0) }))).toEqual([
      'RedisEngine.sentinel: downAfter: 0s is out of range: use 1s to 10m',
    ]);
    const doc = parseMap(base);
    at(doc, 'caches', 'trading-cache').downAfterSeconds = 0;
    expect(environmentProblems('prod', FILE, JSON.stringify(doc))).toEqual([
      `${FILE}: caches.trading-cache.downAfterSeconds: 0 is out of range: use 1 to 600 seconds (10m)`,
    ]);
  });
});
