/**
 * Upgrades, the way each GitOps tool carries them out (Argo CD: hooks recreated, Replace/Force sync
 * options, prune; Flux: `force` per stage, prune): the previous release's dist/ (from Git) → the committed
 * one, and the committed one → the next release (every pinned image one patch newer, synthesized by the
 * CLI). An immutable-field error the output does not handle is a failure, as it is on a cluster.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../../src/cli/cluster/api-client';
import { cli, scratchProject } from '../support/project';
import { DIST, environmentsOf, nextRelease, previousDist, renamedCopy } from './fixtures';
import { applyEnvironment, environmentObjects, GitOpsTool } from './gitops-apply';
import { record } from './record';

const client = new ApiClient(inject('apiUrl'));
const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

async function upgrade(tool: GitOpsTool, environment: string, fromDist: string, toDist: string, prefix: string, what: string): Promise<void> {
  const before = renamedCopy(fromDist, environment, prefix);
  const after = renamedCopy(toDist, environment, prefix);
  scratch.push(before.dist, after.dist);
  const first = await applyEnvironment(client, { distRoot: before.dist, environment, tool });
  expect(first.rejected, 'the release upgraded from').toEqual([]);
  expect(first.health.problems, 'the release upgraded from').toEqual([]);
  const second = await applyEnvironment(client, { distRoot: after.dist, environment, tool, previous: environmentObjects(before.dist, environment) });
  record(inject('recordDir'), `upgrade-${prefix}-${environment}`, {
    upgrade: `${what} ${tool} ${environment}: ${second.rejected.length} rejected, ${second.recreated.length} recreated, ${second.pruned.length} pruned`,
  });
  expect(second.rejected).toEqual([]);
  expect(second.warnings).toEqual([]);
  expect(second.health.problems).toEqual([]);
  // Nothing that holds data leaves with a prune.
  expect(second.pruned.filter((p) => /^(StatefulSet|Cluster|PersistentVolumeClaim|Namespace)\//.test(p))).toEqual([]);
}

const previous = previousDist();
scratch.push(previous.folder);
const tools = ['argocd', 'flux'] as const;

describe.concurrent(`upgrade from the previous release's dist/ (${previous.commit}) to the committed one`, () => {
  const environments = environmentsOf(DIST).filter((e) => environmentsOf(previous.dist).includes(e));
  const cases = tools.flatMap((tool) => environments.map((environment) => [tool, environment] as [GitOpsTool, string]));
  it.each(cases)('%s: %s upgrades with no rejection, no warning, healthy after', (tool, environment) =>
    upgrade(tool, environment, previous.dist, DIST, `up-${tool}`, `${previous.commit}→N`),
  );
});

describe.concurrent('upgrade from the committed dist/ to the next release (every pinned image a patch newer)', () => {
  const next = nextRelease();
  scratch.push(next.root);
  it('changes the images of staging and prod', () => {
    expect(readFileSync(join(next.dist, 'staging', '50-application', 'rollout-trading-api.yaml'), 'utf8')).toContain('trading-api:1.4.3');
    expect(readFileSync(join(next.dist, 'prod', '40-migration', 'job-trading-api-migrate.yaml'), 'utf8')).toContain('trading-api:1.5.1');
  });
  const cases = tools.flatMap((tool) => ['staging', 'prod'].map((environment) => [tool, environment] as [GitOpsTool, string]));
  it.each(cases)('%s: %s takes the next release with no rejection, no warning, healthy after', (tool, environment) =>
    upgrade(tool, environment, DIST, next.dist, `next-${tool}`, 'N→N+1'),
  );
});

describe.concurrent("a cache removed from staging's file: GitOps keeps its data", () => {
  // The same environment without its cache: its StatefulSet (and volumes) must survive the prune that takes
  // its Services, ConfigMap and policies.
  const project = scratchProject();
  scratch.push(project.root);
  const file = join(project.root, 'environments', 'staging.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8')
      .replace(/^caches:\n(  .*\n)+/m, '')
      .replace(/^    cache: trading-cache\n/m, ''),
  );
  const synth = cli(project.root, ['synth', '--env', 'staging']);
  it.each(tools)('%s: the StatefulSet is kept, the rest of the cache pruned', async (tool) => {
    expect(synth.stderr).toBe('');
    const before = renamedCopy(DIST, 'staging', `gone-${tool}`);
    const after = renamedCopy(project.out, 'staging', `gone-${tool}`);
    scratch.push(before.dist, after.dist);
    expect((await applyEnvironment(client, { distRoot: before.dist, environment: 'staging', tool })).rejected).toEqual([]);
    const second = await applyEnvironment(client, {
      distRoot: after.dist,
      environment: 'staging',
      tool,
      previous: environmentObjects(before.dist, 'staging'),
    });
    expect(second.rejected).toEqual([]);
    expect(second.keptFromPrune).toEqual(['StatefulSet/trading-cache']);
    expect(second.pruned).toEqual(expect.arrayContaining(['Service/trading-cache', 'ConfigMap/trading-cache-config']));
    expect(await client.get('apps/v1', 'StatefulSet', after.namespace, 'trading-cache')).toBeDefined();
  });
});
