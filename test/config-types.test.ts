import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The configuration types are generated from the configuration schemas (scripts/config-types.cjs): the
// schema is the one definition of each file's format. A schema edited without regenerating, or a type
// edited by hand, fails here.
const { generatedFiles } = require('../scripts/config-types.cjs') as { generatedFiles(): Array<{ out: string; text: string }> };

describe('configuration types', () => {
  for (const file of generatedFiles()) {
    it(`${file.out} is what its schema generates (run node scripts/config-types.cjs after editing the schema)`, () => {
      expect(readFileSync(join(__dirname, '..', file.out), 'utf8')).toBe(file.text);
    });
  }

  it('cover every key of the schemas: each property is declared in the types', () => {
    const types = readFileSync(join(__dirname, '..', 'src', 'config', 'types.ts'), 'utf8');
    const schema = JSON.parse(readFileSync(join(__dirname, '..', 'src', 'config', 'environment.schema.json'), 'utf8')) as object;
    const keys = new Set<string>();
    const walk = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      const properties = (node as { properties?: Record<string, unknown> }).properties;
      for (const k of Object.keys(properties ?? {})) keys.add(k);
      for (const v of Object.values(node)) walk(v);
    };
    walk(schema);
    expect(keys.size).toBeGreaterThan(100);
    for (const k of keys) expect(types, k).toMatch(new RegExp(`\\b${k}\\??:`));
  });
});
