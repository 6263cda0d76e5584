import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Migration } from '../src/api-service/migration';
import { PostgresCluster } from '../src/postgres/postgres-cluster';
import { PostgresEngine } from '../src/postgres/postgres-engine';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { applyStageOf } from '../src/gitops/sync-waves';
import { fileOf, objectsAfter, problemsAfter } from './support/environment-edit';
import { errorOf, one, render } from './support/render';
import { at } from './support/yaml';

// Seeds 001 and 003 ask for "rollback capability": a release's down-migration is rendered next to its migration, as
// a Job that runs no pod until an operator resumes it, and that GitOps neither runs, re-suspends nor counts as unhealthy.
const IMAGE = 'ghcr.io/acme/api:1.0.0';
const DOWN = ['/app/server', 'migrate', 'down', '1'];

const withRollback = render((s) => {
  const db = new PostgresCluster(s, 'db', { engine: PostgresEngine.cloudNativePg() });
  new TradingBackend(s, 'api', { image: IMAGE, migration: Migration.job({ command: ['/app/server', 'migrate'], rollbackCommand: DOWN }) }).connectTo(
    db,
  );
});

describe('Migration.job rollbackCommand', () => {
  const rollback = one(withRollback, 'Job', 'api-migrate-rollback');
  const migration = one(withRollback, 'Job', 'api-migrate');

  it('renders a suspended Job <name>-migrate-rollback running the down-migration with the service image, tried once', () => {
    expect(rollback.spec.suspend).toBe(true);
    expect(rollback.spec.backoffLimit).toBe(0);
    const container = rollback.spec.template.spec.containers[0];
    expect(container.command).toEqual(DOWN);
    expect(container.image).toBe(IMAGE);
  });

  it("has the migration's pod: variables and secrets (bypassing any pooler), labels (so the same NetworkPolicy), account", () => {
    const [down, up] = [rollback.spec.template.spec, migration.spec.template.spec];
    expect(down.containers[0].env).toEqual(up.containers[0].env);
    expect(down.containers[0].envFrom).toEqual(up.containers[0].envFrom);
    expect(down.containers[0].env?.some((e) => e.name === 'PGPASSWORD' && e.valueFrom?.secretKeyRef?.name === 'db-app')).toBe(true);
    expect(rollback.spec.template.metadata?.labels).toEqual(migration.spec.template.metadata?.labels);
    const policy = one(withRollback, 'NetworkPolicy', 'api');
    const labels = rollback.spec.template.metadata?.labels ?? {};
    expect(Object.entries(policy.spec.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v)).toBe(true);
    expect(down.serviceAccountName).toBe('api');
  });

  it('is no hook: Argo CD leaves its health out, recreates it when its template changes; it is applied in the migration stage', () => {
    const annotations = rollback.metadata.annotations ?? {};
    expect(annotations['argocd.argoproj.io/hook']).toBeUndefined();
    expect(annotations['argocd.argoproj.io/ignore-healthcheck']).toBe('true');
    expect(annotations['argocd.argoproj.io/sync-options']).toBe('Force=true,Replace=true');
    expect(applyStageOf({ kind: 'Job', metadata: { annotations } })).toBe('migration');
  });

  it('is absent without a rollbackCommand', () => {
    const plain = render((s) => new TradingBackend(s, 'api', { image: IMAGE, migration: Migration.job({ command: ['migrate'] }) }));
    expect(plain.filter((o) => o.kind === 'Job').map((o) => o.metadata.name)).toEqual(['api-migrate']);
  });

  it('rejects a rollbackCommand that is no command, naming the field', () => {
    expect(errorOf(() => Migration.job({ command: ['migrate'], rollbackCommand: [] })).message).toContain(
      'rollbackCommand: [] must be a non-empty list of non-empty strings, like ["/app/server", "migrate", "down", "1"]',
    );
    expect(errorOf(() => Migration.job({ command: ['migrate'], rollbackCommand: ['migrate', ''] })).message).toContain(
      'rollbackCommand: ["migrate",""]',
    );
  });
});

describe('rollbackCommand in an environment file', () => {
  const svc = (d: Parameters<Parameters<typeof objectsAfter>[1]>[0]) => at(d, 'services', 'trading-api', 'migration');

  it('renders the suspended Job in prod (this repository asks for it)', () => {
    const job = one(
      objectsAfter('prod', () => undefined),
      'Job',
      'trading-api-migrate-rollback',
    );
    expect(job.spec.suspend).toBe(true);
    expect(job.spec.template.spec.containers[0].command).toEqual(DOWN);
  });

  it('names the field of a bad value', () => {
    expect(problemsAfter('prod', (d) => void (svc(d).rollbackCommand = []))).toEqual([
      `${fileOf('prod')}: services.trading-api.migration.rollbackCommand: [] must be a non-empty list of non-empty strings, like ["/app/server", "migrate", "down", "1"]`,
    ]);
  });

  it('tells Argo CD to ignore spec.suspend of the Job, so a sync does not suspend a running down-migration', () => {
    const app = parse(readFileSync(join(__dirname, '..', 'dist', 'gitops', 'argocd', 'application-trading-prod.yaml'), 'utf8')) as {
      spec: { ignoreDifferences?: unknown[]; syncPolicy: { syncOptions: string[] } };
    };
    expect(app.spec.ignoreDifferences).toContainEqual({
      group: 'batch',
      kind: 'Job',
      name: 'trading-api-migrate-rollback',
      jsonPointers: ['/spec/suspend'],
    });
    expect(app.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
  });
});
