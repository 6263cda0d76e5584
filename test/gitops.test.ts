import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ArgoCdDelivery, DeliveredEnvironment, FluxDelivery } from '../src';
import { compareTrees } from '../environments/app/compare';
import { loadEnvironments, renderEnvironment, renderGitOps, synthesize } from '../environments/app/synth';
import { validateTree } from '../environments/validate';
import { modelProblems } from './support/models';
import { errorOf, one, Obj, render } from './support/render';

const ROOT = join(__dirname, '..');
const REPO = 'https://github.com/acme-trading/trading-deploy.git';
const STAGES = ['10-namespace', '20-config', '30-database', '40-migration', '50-application'];
const ENVS: DeliveredEnvironment[] = [
  { name: 'dev', namespace: 'trading-dev', path: 'dist/dev', automated: true, stageFolders: ['10-namespace', '20-config', '30-database', '50-application'] },
  { name: 'prod', namespace: 'trading-prod', path: 'dist/prod', automated: false, stageFolders: STAGES },
];

describe('ArgoCdDelivery', () => {
  const objects = render((s) => new ArgoCdDelivery(s, 'Delivery', { repository: REPO, environments: ENVS }));

  it('restricts an AppProject to the repository and the environments\' namespaces', () => {
    const project = one(objects, 'AppProject', 'trading');
    expect(project.spec.sourceRepos).toEqual([REPO]);
    expect(project.spec.destinations.map((d: any) => d.namespace)).toEqual(['trading-dev', 'trading-prod']);
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
  });

  it('syncs dev automatically with prune and self-heal, prod by hand', () => {
    const dev = one(objects, 'Application', 'trading-dev');
    expect(dev.spec.source).toEqual({ repoURL: REPO, targetRevision: 'main', path: 'dist/dev' });
    expect(dev.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'trading-dev' });
    expect(dev.spec.syncPolicy.automated).toEqual({ enabled: true, prune: true, selfHeal: true });
    expect(one(objects, 'Application', 'trading-prod').spec.syncPolicy.automated).toBeUndefined();
  });

  it('is valid against the Argo CD models and CRD schemas', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });

  it('rejects a repository that is not a Git URL and a path outside the repository', () => {
    expect(errorOf(() => render((s) => new ArgoCdDelivery(s, 'D', { repository: 'github.com/acme', environments: [{ ...ENVS[0], path: '../dist/dev' }] }))).message).toBe([
      '2 configuration problems:',
      '  - ArgoCdDelivery test/D: repository: "github.com/acme" is not a Git URL: use "https://…", "ssh://…" or "git@host:org/repo.git"',
      '  - ArgoCdDelivery test/D: environments[0].path: "../dist/dev" is not a relative path in the repository, like "dist/prod"',
    ].join('\n'));
  });
});

describe('FluxDelivery', () => {
  const objects = render((s) => new FluxDelivery(s, 'Delivery', { repository: REPO, environments: ENVS }));

  it('stages each environment: one Kustomization per folder, each depending on the previous, waiting, with a timeout', () => {
    expect(one(objects, 'GitRepository').spec).toEqual({ interval: '1m', url: REPO, ref: { branch: 'main' } });
    const prod = objects.filter((o) => o.kind === 'Kustomization' && o.metadata.name.startsWith('trading-prod-'));
    expect(prod.map((k) => [k.metadata.name, k.spec.path, k.spec.dependsOn?.[0]?.name])).toEqual([
      ['trading-prod-namespace', './dist/prod/10-namespace', undefined],
      ['trading-prod-config', './dist/prod/20-config', 'trading-prod-namespace'],
      ['trading-prod-database', './dist/prod/30-database', 'trading-prod-config'],
      ['trading-prod-migration', './dist/prod/40-migration', 'trading-prod-database'],
      ['trading-prod-application', './dist/prod/50-application', 'trading-prod-migration'],
    ]);
    for (const k of prod) expect(k.spec).toMatchObject({ wait: true, timeout: '10m', prune: true, sourceRef: { kind: 'GitRepository', name: 'trading' } });
    // A Job's template is immutable: the migration stage is recreated, not patched.
    expect(prod.filter((k) => k.spec.force).map((k) => k.metadata.name)).toEqual(['trading-prod-migration']);
  });

  it('is valid against the Flux models and CRD schemas', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });

  it('rejects a malformed interval', () => {
    expect(errorOf(() => render((s) => new FluxDelivery(s, 'D', { repository: REPO, environments: ENVS, interval: '5 minutes' }))).message)
      .toBe('FluxDelivery test/D: interval: "5 minutes" is not a duration: use a value like "30s", "5m" or "1h"');
  });
});

describe('the reference app\'s GitOps objects', () => {
  const environments = loadEnvironments(ROOT);
  const results = environments.map(renderEnvironment);
  const gitops = renderGitOps(ROOT, environments, results);
  const files = gitops?.files ?? [];
  const objectsIn = (folder: string): Obj[] => files.filter((f) => f.path.startsWith(`${folder}/`) && f.path.endsWith('.yaml')).map((f) => parse(f.content));

  it('delivers every environment through Argo CD (automated except prod) and Flux (staged)', () => {
    const apps = objectsIn('argocd').filter((o) => o.kind === 'Application');
    expect(apps.map((a) => [a.metadata.name, Boolean(a.spec.syncPolicy.automated)])).toEqual([
      ['trading-dev', true], ['trading-prod', false], ['trading-staging', true],
    ]);
    const flux = objectsIn('flux').filter((o) => o.kind === 'Kustomization').map((k) => k.metadata.name);
    expect(flux).toContain('trading-prod-migration');
    expect(flux).not.toContain('trading-dev-migration');
  });

  it('tells Argo CD to ignore the route weights the canary plugin moves in staging', () => {
    const staging = objectsIn('argocd').find((o) => o.metadata.name === 'trading-staging') as Obj;
    expect(staging.spec.ignoreDifferences).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'trading-api', jsonPointers: ['/spec/rules/0/backendRefs'] }]);
    expect((objectsIn('argocd').find((o) => o.metadata.name === 'trading-prod') as Obj).spec.ignoreDifferences).toBeUndefined();
  });

  it('matches the committed dist/gitops', () => {
    for (const f of files) expect(readFileSync(join(ROOT, 'dist', 'gitops', f.path), 'utf8'), f.path).toBe(f.content);
  });
});

describe('npm run validate and npm run diff', () => {
  let work: string;
  let project: string;
  let bundleDir: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cdk8s-trading-gitops-'));
    project = join(work, 'project');
    cpSync(join(ROOT, 'environments'), join(project, 'environments'), { recursive: true });
    synthesize({ root: project, outdir: join(project, 'dist') });
    bundleDir = join(ROOT, '.build', `tools-test-${process.pid}`);
    buildSync({
      entryPoints: ['validate', 'diff'].map((e) => join(ROOT, 'environments', `${e}.ts`)),
      bundle: true, platform: 'node', format: 'cjs', packages: 'external', outdir: bundleDir, outExtension: { '.js': '.cjs' }, logLevel: 'silent',
    });
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(bundleDir, { recursive: true, force: true });
  });
  const run = (tool: 'validate' | 'diff') => spawnSync(process.execPath, [join(bundleDir, `${tool}.cjs`)], { cwd: project, encoding: 'utf8' });
  const tamper = (file: string, from: string, to: string): () => void => {
    const path = join(project, 'dist', file);
    const original = readFileSync(path, 'utf8');
    expect(original).toContain(from);
    writeFileSync(path, original.replace(from, to));
    return () => writeFileSync(path, original);
  };

  it('pass on a fresh synth', () => {
    expect(validateTree(project, join(project, 'dist')).problems).toEqual([]);
    expect(compareTrees(join(project, 'dist'), join(project, 'dist'))).toEqual([]);
    const v = run('validate');
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/validated \d+ documents under dist: 0 problem\(s\)/);
    const d = run('diff');
    expect(d.status, d.stdout).toBe(0);
    expect(d.stdout).toContain('dist/ matches a fresh synth');
  });

  it('fail on a tampered file: an unknown field', () => {
    const restore = tamper('prod/50-application/service-trading-api.yaml', '  type: ClusterIP', '  type: ClusterIP\n  typo: 1');
    try {
      const v = run('validate');
      expect(v.status).toBe(1);
      expect(v.stderr).toContain('dist/prod/50-application/service-trading-api.yaml: Service/trading-api: spec: unknown field "typo"');
      const d = run('diff');
      expect(d.status).toBe(1);
      expect(d.stdout).toContain('dist/prod: 0 added, 0 removed, 1 changed');
      expect(d.stdout).toContain('  ~ Service/trading-api: spec.typo');
    } finally {
      restore();
    }
  });

  it('fail on a tampered file that breaks a policy', () => {
    const restore = tamper('dev/50-application/deployment-trading-api.yaml', '            privileged: false', '            privileged: true');
    try {
      const v = run('validate');
      expect(v.status).toBe(1);
      expect(v.stderr).toContain('dist/dev: policy pod-security-restricted: Deployment/trading-api: container trading-api: privileged');
      expect(run('diff').stdout).toContain('  ~ Deployment/trading-api: spec.template.spec.containers[0].securityContext.privileged');
    } finally {
      restore();
    }
  });

  it('fail on a policy-violating configuration, and pass once it is waived with a reason', () => {
    const file = join(project, 'environments', 'staging.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('    database: trading-db\n', '    database: trading-db\n    networkPolicy: false\n'));
    try {
      const v = run('validate');
      expect(v.status).toBe(1);
      expect(v.stderr).toContain('environments/staging.yaml: policy network-policy-coverage: Rollout/trading-api: no NetworkPolicy (other than a select-all default-deny) selects its pods');
      const d = run('diff');
      expect(d.status).toBe(1);
      expect(d.stderr).toContain('environments/staging.yaml: policy network-policy-coverage: Rollout/trading-api');
      writeFileSync(file, `${readFileSync(file, 'utf8')}waivers:
  - { rule: network-policy-coverage, object: Rollout/trading-api, reason: a service mesh enforces traffic policy here }
  - { rule: network-policy-coverage, object: Job/trading-api-migrate, reason: a service mesh enforces traffic policy here }
`);
      synthesize({ root: project, outdir: join(project, 'dist') });
      expect(validateTree(project, join(project, 'dist')).problems).toEqual([]);
    } finally {
      writeFileSync(file, original);
      synthesize({ root: project, outdir: join(project, 'dist') });
    }
  });

  it('diff reports added and removed objects', () => {
    const extra = join(project, 'dist', 'staging', '20-config', 'secret-leaked.yaml');
    writeFileSync(extra, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked\n');
    try {
      const d = run('diff');
      expect(d.status).toBe(1);
      expect(d.stdout).toContain('dist/staging: 0 added, 1 removed, 0 changed');
      expect(d.stdout).toContain('  - Secret/leaked');
    } finally {
      rmSync(extra);
    }
  });
});
