import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emitYaml, JsonValue } from '../src/synth/emit-yaml';

/** Reads YAML the way Kubernetes does (1.1) and the way modern tools do (1.2). */
const readBoth = (text: string): [unknown, unknown] => [parse(text, { version: '1.1' }), parse(text, { version: '1.2' })];

const TRICKY = [
  '',
  ' ',
  'a',
  'yes',
  'Yes',
  'YES',
  'no',
  'y',
  'Y',
  'n',
  'N',
  'on',
  'off',
  'On',
  'true',
  'False',
  'null',
  'Null',
  '~',
  '<<',
  '=',
  '0',
  '8080',
  '-1',
  '+1',
  '1.5',
  '1.4.2',
  '.5',
  '1e3',
  '1E-3',
  '0x1F',
  '0o17',
  '017',
  '0b101',
  '1_000',
  '1:30',
  '190:20:30',
  '.inf',
  '-.Inf',
  '.nan',
  '2026-11-23',
  '2026-11-23T12:00:00Z',
  '500m',
  '2Gi',
  '10.20.0.0/16',
  '0.0.0.0/0',
  'v1.28',
  '/health',
  './dist/prod',
  '*',
  '&a',
  '!tag',
  '%x',
  '@x',
  '`x',
  '|',
  '>',
  '- a',
  '-',
  '?',
  'a: b',
  'a:b',
  'key:',
  'a #b',
  'a#b',
  '#x',
  "'q'",
  '"q"',
  '[a]',
  '{a}',
  'a,b',
  'trailing ',
  ' leading',
  '\ttab',
  'tab\tinside',
  'line\nbreak',
  'line\nbreak\n',
  'two\n\nparagraphs',
  'ends\n\n',
  ' indented\nfirst',
  'spaces \nat end',
  'crlf\r\nline',
  'ünïcode',
  '日本',
  'emoji 🚀',
  'postgresql://$(PGUSER):$(PGPASSWORD)@db:5432/app?sslmode=require',
  'sum(rate(x{a="b"}[5m]))\n  / sum(rate(y[5m])) > 0.01',
  'ghcr.io/acme/api:1.4.2',
  'http://prometheus-operated.monitoring.svc:9090',
  'argoproj-labs/gatewayAPI',
  '$(VAR)',
  'a=b',
  'x+y',
  '\u0000nul',
  '\u2028sep',
  'back\\slash',
];

describe('emitYaml', () => {
  it('round-trips every tricky string, as a value and as a key, under YAML 1.1 and 1.2', () => {
    for (const s of TRICKY) {
      const doc: JsonValue = { value: s, list: [s, { nested: s }], [s]: 'as key' };
      const text = emitYaml(doc);
      const [v11, v12] = readBoth(text);
      expect(v11, `YAML 1.1 for ${JSON.stringify(s)}:\n${text}`).toEqual(doc);
      expect(v12, `YAML 1.2 for ${JSON.stringify(s)}:\n${text}`).toEqual(doc);
    }
  });

  it('round-trips numbers, booleans, null, empty and nested collections', () => {
    const doc: JsonValue = {
      int: 3,
      negative: -2,
      float: 0.99,
      big: 1e21,
      zero: 0,
      yes: true,
      no: false,
      nothing: null,
      emptyMap: {},
      emptyList: [],
      nested: [[1, [2, []]], [{}], [{ a: [{ b: {} }] }]],
      deep: { a: { b: { c: ['x', { d: 'e', f: ['g'] }] } } },
    };
    expect(readBoth(emitYaml(doc))).toEqual([doc, doc]);
    expect(readBoth(emitYaml([1, 'two', { three: 3 }]))).toEqual([
      [1, 'two', { three: 3 }],
      [1, 'two', { three: 3 }],
    ]);
    expect(parse(emitYaml('scalar'))).toBe('scalar');
    expect(() => emitYaml({ n: Number.NaN })).toThrow('cannot emit the number NaN as YAML');
  });

  it('keeps multi-line text readable as a literal block', () => {
    const text = emitYaml({ expr: 'sum(a)\n  / sum(b) > 0.01' });
    expect(text).toBe('expr: |-\n  sum(a)\n    / sum(b) > 0.01\n');
  });

  it('round-trips every object of the committed dist/ byte-for-byte deterministically', () => {
    const dist = join(__dirname, '..', 'dist');
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.yaml')) files.push(p);
      }
    };
    walk(dist);
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) {
      const object = parse(readFileSync(f, 'utf8'), { version: '1.1' }) as JsonValue;
      const text = emitYaml(object);
      expect(readBoth(text), f).toEqual([object, object]);
      expect(emitYaml(object)).toBe(text);
    }
  });
});
