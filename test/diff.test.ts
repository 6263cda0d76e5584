import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { objectChanges } from '../src/synth/compare';
import { unifiedDiff } from '../src/synth/diff-report';
import { cli, edit, ROOT, scratchProject } from './support/project';

/**
 * `cdk8s-trading diff` through the CLI process, on a scratch project holding a copy of this repository's
 * committed dist/ (equal to a fresh synth) that each test changes by hand or through an environment file.
 */
describe('cdk8s-trading diff, for a reviewer', () => {
  let p: { root: string; out: string };
  beforeEach(() => {
    p = scratchProject();
    cpSync(join(ROOT, 'dist'), p.out, { recursive: true });
  });
  /** Replaces `from` (which must be there) with `to` in a file of the copied dist/. */
  const tamper = (file: string, from: string, to: string): void => {
    const path = join(p.out, file);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(from);
    writeFileSync(path, text.replace(from, to));
  };
  const diff = (...args: string[]): { status: number | null; lines: string[]; stderr: string } => {
    const r = cli(p.root, ['diff', ...args]);
    return { status: r.status, lines: r.stdout.trimEnd().split('\n'), stderr: r.stderr };
  };

  it('shows an added service as its objects and one set line per kustomization, not every shifted position', () => {
    edit(p.root, 'staging', 'services:\n', 'services:\n  pricing:\n    image: ghcr.io/acme-trading/pricing:1.2.3\n');
    const d = diff();
    expect(d.status, d.stderr).toBe(1);
    expect(d.lines[0]).toBe('dist/staging: 8 added, 0 removed, 3 changed');
    expect(d.lines).toContain('  + Deployment/pricing');
    expect(d.lines.join('\n')).not.toMatch(/resources\[\d+\]/);
    expect(d.lines).toContain('  ~ 10-namespace/kustomization.yaml');
    expect(d.lines).toContain('      resources: + "networkpolicy-pricing.yaml"');
    expect(d.lines).toContain('      resources: + "configmap-pricing-dashboard.yaml", "serviceaccount-pricing.yaml"');
    // 1 header + 8 objects + 3 kustomizations (their entries on 4 lines) + the closing line.
    expect(d.lines).toHaveLength(17);
    expect(d.lines.every((l) => l.length <= 150)).toBe(true);

    const stat = diff('--stat');
    expect(stat.status).toBe(1);
    expect(stat.lines).toEqual([
      'dist/staging: 8 added, 0 removed, 3 changed',
      '  + ConfigMap/pricing-dashboard, Deployment/pricing, NetworkPolicy/pricing, PodDisruptionBudget/pricing, PodMonitor/pricing,',
      '    PrometheusRule/pricing-alerts, Service/pricing, ServiceAccount/pricing',
      '  ~ 10-namespace/kustomization.yaml (1 change), 20-config/kustomization.yaml (1 change), 50-application/kustomization.yaml (1 change)',
      'dist/ differs from a fresh synth: run cdk8s-trading synth and commit the result',
    ]);
  });

  it('prints a value a hand-edited file shares through a YAML alias in full at each place, not as an alias', () => {
    tamper(
      'staging/20-config/serviceaccount-trading-api.yaml',
      'kind: ServiceAccount\n',
      'kind: ServiceAccount\nimagePullSecrets:\n  - &pull { name: registry }\n  - *pull\n',
    );
    const d = diff('--full');
    expect(d.status, d.stderr).toBe(1);
    const shown = d.lines.join('\n');
    expect(shown).toContain('imagePullSecrets');
    expect(shown).not.toMatch(/[&*]a\d/);
    expect(shown.match(/name: registry/g)).toHaveLength(2);
  });

  it('matches env entries by name: a changed value names its variable, a reordered list says so', () => {
    const rollout = 'staging/50-application/rollout-trading-api.yaml';
    tamper(rollout, '              value: trading-db-rw\n', '              value: old-db-rw\n');
    tamper(
      rollout,
      '            - name: PGPORT\n              value: "5432"\n            - name: PGDATABASE\n              value: trading\n',
      '            - name: PGDATABASE\n              value: trading\n            - name: PGPORT\n              value: "5432"\n',
    );
    const d = diff('--env', 'staging');
    expect(d.status).toBe(1);
    const env = 'spec.template.spec.containers[name=trading-api].env';
    expect(d.lines).toContain(`      ${env}[name=PGHOST].value: "old-db-rw" → "trading-db-rw"`);
    expect(d.lines.find((l) => l.includes(`${env}: order`))).toMatch(/PGHOST, PGDATABASE, PGPORT, PGUSER.* → .*PGHOST, PGPORT, PGDATABASE, PGUSER/);
    expect(d.lines.join('\n')).not.toMatch(/env\[\d+\]/);
  });

  it('a committed file that is not valid YAML is one change naming the line, not its objects added and the file removed', () => {
    const file = 'prod/20-config/configmap-trading-api-blue-config.yaml';
    writeFileSync(join(p.out, file), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n  bad: [\n');
    const d = diff();
    expect(d.status, d.stderr).toBe(1);
    expect(d.lines).toEqual([
      'dist/prod: 0 added, 0 removed, 1 changed',
      `  ~ ${file.slice('prod/'.length)}`,
      '      not valid YAML (line 3, column 18: Implicit keys need to be on a single line): its objects cannot be compared; a synth writes it anew',
      'dist/ differs from a fresh synth: run cdk8s-trading synth and commit the result',
    ]);
  });

  it('never repeats a credential a hand edit put into dist/', () => {
    const rollout = 'staging/50-application/rollout-trading-api.yaml';
    tamper(rollout, '                  name: trading-api-secrets\n', '                  name: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n');
    tamper(rollout, '              value: trading-db-rw\n', '              value: postgresql://trading:hunter2hunter2@trading-db-rw:5432/trading\n');
    for (const args of [[], ['--full']]) {
      const d = diff(...args);
      expect(d.status, d.stderr).toBe(1);
      const text = d.lines.join('\n');
      expect(text).not.toMatch(/abcdefghij|hunter2/);
      expect(text).toMatch(/secretKeyRef\.name: "\(a value that looks like a credential; not shown\)" → "trading-api-secrets"/);
      expect(text).toMatch(/value: "\(a value that looks like a credential; not shown\)" → "trading-db-rw"/);
    }
  });

  it('shows a long single-line value around the part that differs, in full with --full', () => {
    tamper('staging/50-application/rollout-trading-api.yaml', 'trading?sslmode=require', 'trading?sslmode=disable');
    const d = diff('--env', 'staging');
    const at = d.lines.indexOf('      spec.template.spec.containers[name=trading-api].env[name=DATABASE_URL].value:');
    expect(at, d.lines.join('\n')).toBeGreaterThan(0);
    expect(d.lines[at + 1]).toMatch(/^ {8}- …[^…]+:5432\/trading\?sslmode=disable$/);
    expect(d.lines[at + 2]).toMatch(/^ {8}\+ …[^…]+:5432\/trading\?sslmode=require$/);
    expect(d.lines).toContain('(shortened: --full prints every changed line)');
    const full = diff('--env', 'staging', '--full');
    expect(full.lines).toContain('        - postgresql://$(PGUSER):$(PGPASSWORD)@trading-db-rw:5432/trading?sslmode=disable');
    expect(full.lines).toContain('        + postgresql://$(PGUSER):$(PGPASSWORD)@trading-db-rw:5432/trading?sslmode=require');
    expect(full.lines).not.toContain('(shortened: --full prints every changed line)');
  });

  it('shows a change inside a multi-line value (a dashboard) as a unified diff of its lines', () => {
    const file = 'staging/20-config/configmap-trading-api-dashboard.yaml';
    const line = '"expr": "sum by (namespace, service) (rate(http_requests_total{namespace=\\"trading-staging\\", service=\\"trading-api\\"}[5m]))",';
    tamper(file, line, line.replace('[5m]', '[1m]'));
    const d = diff('--env', 'staging');
    expect(d.status).toBe(1);
    const at = d.lines.indexOf('      data.trading-api.json:');
    expect(at, d.lines.join('\n')).toBeGreaterThan(0);
    expect(d.lines[at + 1]).toMatch(/^ {8}@@ -\d+,5 \+\d+,5 @@$/);
    expect(d.lines.slice(at + 2, at + 7).map((l) => l.slice(8, 10))).toEqual(['  ', '  ', '- ', '+ ', '  ']);
    expect(d.lines[at + 4]).toContain('[1m]');
    expect(d.lines[at + 5]).toContain('[5m]');
  });

  it('shortens an object with many changes and says how to see them all; --full prints every line', () => {
    const file = 'staging/20-config/configmap-trading-api-dashboard.yaml';
    const text = readFileSync(join(p.out, file), 'utf8');
    writeFileSync(join(p.out, file), text.replace(/\[5m\]/g, '[1m]'));
    const d = diff('--env', 'staging');
    expect(d.lines.some((l) => /^ {8}… \d+ more lines$/.test(l))).toBe(true);
    expect(d.lines).toContain('(shortened: --full prints every changed line)');
    const full = diff('--env', 'staging', '--full');
    const changed = (lines: string[]): number => lines.filter((l) => /^ {8}\+ .*\[5m\]/.test(l)).length;
    expect(changed(full.lines)).toBe(text.split('\n').filter((l) => l.includes('[5m]')).length);
    expect(changed(d.lines)).toBeLessThan(changed(full.lines));
    expect(full.lines.some((l) => l.includes(' more line'))).toBe(false);
  });

  it('--env compares only the named environments, and names them', () => {
    tamper('dev/50-application/service-trading-api.yaml', '  type: ClusterIP', '  type: NodePort');
    tamper('prod/50-application/service-trading-api.yaml', '  type: ClusterIP', '  type: NodePort');
    const dev = diff('--env', 'dev');
    expect(dev.lines).toEqual([
      'dist/dev: 0 added, 0 removed, 1 changed',
      '  ~ Service/trading-api',
      '      spec.type: "NodePort" → "ClusterIP"',
      'dist/dev/ differs from a fresh synth: run cdk8s-trading synth --env dev and commit the result',
    ]);
    const staging = diff('--env', 'staging');
    expect(staging.status).toBe(0);
    expect(staging.lines).toEqual(['dist/staging/ matches a fresh synth']);
    expect(diff().lines.filter((l) => l.startsWith('dist/'))).toEqual([
      'dist/dev: 0 added, 0 removed, 1 changed',
      'dist/prod: 0 added, 0 removed, 1 changed',
      'dist/ differs from a fresh synth: run cdk8s-trading synth and commit the result',
    ]);
    const unknown = diff('--env', 'qa');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('--env qa: no such environment; use one of dev, prod, staging');
    const both = diff('--full', '--stat');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--full and --stat exclude each other');
  });
});

describe('objectChanges and unifiedDiff', () => {
  it('match container ports by name and volume mounts by mountPath; other lists of another length are one change', () => {
    const before = { ports: [{ name: 'http', containerPort: 8080 }], volumeMounts: [{ mountPath: '/tmp', name: 'tmp' }], args: ['a'] };
    const after = {
      ports: [
        { name: 'metrics', containerPort: 9090 },
        { name: 'http', containerPort: 8081 },
      ],
      volumeMounts: [{ mountPath: '/tmp', name: 'scratch' }],
      args: ['a', 'b'],
    };
    expect(objectChanges(before, after)).toEqual([
      { kind: 'value', path: 'ports[name=http].containerPort', before: 8080, after: 8081 },
      { kind: 'value', path: 'ports[name=metrics]', before: undefined, after: { name: 'metrics', containerPort: 9090 } },
      { kind: 'value', path: 'volumeMounts[mountPath=/tmp].name', before: 'tmp', after: 'scratch' },
      { kind: 'value', path: 'args', before: ['a'], after: ['a', 'b'] },
    ]);
    expect(objectChanges({ resources: ['a', 'b'] }, { resources: ['b', 'c', 'a'] }, new Set(['resources']))).toEqual([
      { kind: 'members', path: 'resources', added: ['c'], removed: [] },
    ]);
  });

  it('writes hunks with their context and line numbers', () => {
    const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'];
    const b = ['1', '2', 'three', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13'];
    expect(unifiedDiff(a, b)).toEqual(['@@ -1,5 +1,5 @@', '  1', '  2', '- 3', '+ three', '  4', '  5', '@@ -11,2 +11,3 @@', '  11', '  12', '+ 13']);
  });
});
