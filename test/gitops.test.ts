import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ArgoCdDelivery, DeliveredEnvironment, repositoryName } from '../src/gitops/argo-cd-delivery';
import { FluxDelivery } from '../src/gitops/flux-delivery';
import { Notifications } from '../src/gitops/notifications';
import { Environment, parseEnvironment } from '../src/config/environment';
import { compareTrees } from '../src/synth/compare';
import { loadProject, renderEnvironment, renderGitOps, synthesizeProject } from '../src/synth/project';
import { runNow as runCli } from './support/run-now';
import { APPLY_STAGES, applyStageOf } from '../src/gitops/sync-waves';
import { validateTree } from '../src/synth/validate-tree';
import { modelProblems } from './support/models';
import { all, errorOf, one, Obj, render, viewAs } from './support/render';

const ROOT = join(__dirname, '..');
const REPO = 'https://github.com/acme-trading/trading-deploy.git';
const STAGES = ['10-namespace', '20-config', '30-database', '40-migration', '50-application', '60-smoke-test'];
const ENVS: DeliveredEnvironment[] = [
  {
    name: 'dev',
    namespace: 'trading-dev',
    path: 'dist/dev',
    automated: true,
    stageFolders: ['10-namespace', '20-config', '30-database', '50-application'],
  },
  { name: 'prod', namespace: 'trading-prod', path: 'dist/prod', automated: false, stageFolders: STAGES },
];

describe('ArgoCdDelivery', () => {
  const objects = render((s) => new ArgoCdDelivery(s, 'Delivery', { repository: REPO, environments: ENVS }));

  it('names its objects after the repository unless told otherwise', () => {
    expect(repositoryName('git@github.com:acme/Shop_Deploy.git')).toBe('shop-deploy');
    expect(repositoryName('https://git.example.com/acme/platform/')).toBe('platform');
    const named = render((s) => new ArgoCdDelivery(s, 'Delivery', { repository: REPO, environments: ENVS, project: 'shop' }));
    expect(named.map((o) => o.metadata.name)).toEqual(['shop', 'shop-dev', 'shop-prod']);
  });

  it("restricts an AppProject to the repository and the environments' namespaces", () => {
    const project = one(objects, 'AppProject', 'trading-deploy');
    expect(project.spec.sourceRepos).toEqual([REPO]);
    expect(project.spec.destinations.map((d) => d.namespace)).toEqual(['trading-dev', 'trading-prod']);
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
  });

  it('syncs dev automatically with prune and self-heal, prod by hand', () => {
    const dev = one(objects, 'Application', 'trading-deploy-dev');
    expect(dev.spec.source).toEqual({ repoURL: REPO, targetRevision: 'main', path: 'dist/dev' });
    expect(dev.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'trading-dev' });
    expect(dev.spec.syncPolicy.automated).toEqual({ enabled: true, prune: true, selfHeal: true });
    expect(one(objects, 'Application', 'trading-deploy-prod').spec.syncPolicy.automated).toBeUndefined();
  });

  it('is valid against the Argo CD models and CRD schemas', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });

  it('rejects a repository that is not a Git URL and a path outside the repository', () => {
    expect(
      errorOf(() => render((s) => new ArgoCdDelivery(s, 'D', { repository: 'github.com/acme', environments: [{ ...ENVS[0], path: '../dist/dev' }] })))
        .message,
    ).toBe(
      [
        '2 configuration problems:',
        '  - ArgoCdDelivery test/D: repository: "github.com/acme" is not a Git URL: use "https://…", "ssh://…" or "git@host:org/repo.git"',
        '  - ArgoCdDelivery test/D: environments[0].path: "../dist/dev" is not a relative path in the repository, like "dist/prod"',
      ].join('\n'),
    );
  });
});

describe('apply stages', () => {
  it('place hooks by their phase and wave: PreSync and Sync Jobs in migration, PostSync Jobs in the smoke-test stage after the application', () => {
    const hook = (phase: string, wave?: string) =>
      applyStageOf({
        kind: 'Job',
        metadata: { annotations: { 'argocd.argoproj.io/hook': phase, ...(wave ? { 'argocd.argoproj.io/sync-wave': wave } : {}) } },
      });
    expect([
      hook('PreSync', '-1'),
      hook('Sync', '0'),
      hook('PostSync', '2'),
      hook('PostSync'),
      hook('Sync', '2'),
      hook('Sync', '3'),
      hook('PostSync', '5'),
    ]).toEqual(['migration', 'migration', 'smoke-test', 'smoke-test', 'smoke-test', 'release-wait', 'staged-smoke-test']);
    expect(APPLY_STAGES.map((s) => [s.folder, s.hooks])).toEqual([
      ['10-namespace', []],
      ['20-config', []],
      ['30-database', []],
      ['40-migration', ['PreSync', 'Sync']],
      ['50-application', []],
      ['60-smoke-test', ['PostSync', 'Sync']],
      ['70-release-wait', ['Sync']],
      ['80-staged-application', []],
      ['90-staged-smoke-test', ['PostSync']],
    ]);
    const waves = APPLY_STAGES.map((s) => s.wave);
    expect([...waves].sort((a, b) => a - b)).toEqual(waves);
  });
});

describe('FluxDelivery', () => {
  const objects = render((s) => new FluxDelivery(s, 'Delivery', { repository: REPO, environments: ENVS }));

  it('names the credentials of a private repository in the GitRepository', () => {
    const source = one(
      render((s) => new FluxDelivery(s, 'Delivery', { repository: REPO, environments: ENVS, credentialsSecret: 'deploy-key' })),
      'GitRepository',
    );
    expect(source.spec.secretRef).toEqual({ name: 'deploy-key' });
    expect(one(objects, 'GitRepository').spec.secretRef).toBeUndefined();
    expect(
      errorOf(() => render((s) => new FluxDelivery(s, 'Delivery', { repository: REPO, environments: ENVS, credentialsSecret: 'Deploy_Key' })))
        .message,
    ).toMatch(/^FluxDelivery test\/Delivery: credentialsSecret: "Deploy_Key" is not a valid name/);
  });

  it('stages each environment: one Kustomization per folder, each depending on the previous, waiting, with a timeout', () => {
    expect(one(objects, 'GitRepository').spec).toEqual({ interval: '1m', url: REPO, ref: { branch: 'main' } });
    const prod = all(objects, 'Kustomization').filter((o) => o.metadata.name.startsWith('trading-deploy-prod-'));
    expect(prod.map((k) => [k.metadata.name, k.spec.path, k.spec.dependsOn?.[0]?.name])).toEqual([
      ['trading-deploy-prod-namespace', './dist/prod/10-namespace', undefined],
      ['trading-deploy-prod-config', './dist/prod/20-config', 'trading-deploy-prod-namespace'],
      ['trading-deploy-prod-database', './dist/prod/30-database', 'trading-deploy-prod-config'],
      ['trading-deploy-prod-migration', './dist/prod/40-migration', 'trading-deploy-prod-database'],
      ['trading-deploy-prod-application', './dist/prod/50-application', 'trading-deploy-prod-migration'],
      ['trading-deploy-prod-smoke-test', './dist/prod/60-smoke-test', 'trading-deploy-prod-application'],
    ]);
    for (const k of prod)
      expect(k.spec).toMatchObject({ wait: true, timeout: '10m', prune: true, sourceRef: { kind: 'GitRepository', name: 'trading-deploy' } });
    // A Job's template is immutable: the stages of hooks (migration, smoke test) are recreated, not patched.
    expect(prod.filter((k) => k.spec.force).map((k) => k.metadata.name)).toEqual(['trading-deploy-prod-migration', 'trading-deploy-prod-smoke-test']);
  });

  it('is valid against the Flux models and CRD schemas', async () => {
    expect((await Promise.all(objects.map(modelProblems))).flat()).toEqual([]);
  });

  it('rejects a malformed interval', () => {
    expect(
      errorOf(() => render((s) => new FluxDelivery(s, 'D', { repository: REPO, environments: ENVS, interval: Duration.millis(1500) }))).message,
    ).toBe('FluxDelivery test/D: interval: 1500 ms is not a whole number of seconds: use 1s to 24h');
  });
});

describe('notifications, per environment', () => {
  const slack = Notifications.slack({ channel: '#trading-releases', secretName: 'slack-notifications' });
  const notified: DeliveredEnvironment[] = [ENVS[0], { ...ENVS[1], notifications: slack }];
  const argo = render((s) => new ArgoCdDelivery(s, 'Delivery', { repository: REPO, environments: notified }));
  const flux = render((s) => new FluxDelivery(s, 'Delivery', { repository: REPO, environments: notified }));

  it('subscribe the Argo CD Application to sync failed, health degraded and deployed, on the channel without "#"', () => {
    expect(one(argo, 'Application', 'trading-deploy-prod').metadata.annotations).toEqual({
      'notifications.argoproj.io/subscribe.on-sync-failed.slack': 'trading-releases',
      'notifications.argoproj.io/subscribe.on-health-degraded.slack': 'trading-releases',
      'notifications.argoproj.io/subscribe.on-deployed.slack': 'trading-releases',
    });
    expect(one(argo, 'Application', 'trading-deploy-dev').metadata.annotations).toBeUndefined();
  });

  it("announce a completed delivery in Flux once: the last stage's passed health check, info severity", () => {
    const alert = one(flux, 'Alert', 'trading-deploy-prod-deployed');
    expect(alert.metadata.namespace).toBe('flux-system');
    expect(alert.spec).toEqual({
      providerRef: { name: 'trading-deploy-prod-slack' },
      eventSeverity: 'info',
      eventMetadata: { environment: 'prod' },
      // The smoke-test stage depends on every other one: ready only when the whole release is.
      eventSources: [{ kind: 'Kustomization', name: 'trading-deploy-prod-smoke-test' }],
      inclusionList: ['^Health check passed in '],
    });
    expect(new RegExp(alert.spec.inclusionList[0]).test('Health check passed in 41.2s')).toBe(true);
    for (const other of [
      'Reconciliation finished in 2s, next run in 5m',
      'Deployment/trading-prod/trading-api configured',
      'Dependencies do not meet ready condition, retrying in 30s',
    ])
      expect(new RegExp(alert.spec.inclusionList[0]).test(other), other).toBe(false);
    // Without a smoke test, the application stage is the last one.
    const dev = render((s) => new FluxDelivery(s, 'D', { repository: REPO, environments: [{ ...ENVS[0], notifications: slack }] }));
    expect(one(dev, 'Alert', 'trading-deploy-dev-deployed').spec.eventSources).toEqual([
      { kind: 'Kustomization', name: 'trading-deploy-dev-application' },
    ]);
  });

  it('announce failures only with onSuccess: false, or where every release is a Rollout announcing itself', () => {
    const quiet = Notifications.slack({ channel: 'trading-releases', secretName: 'slack-notifications', onSuccess: false });
    for (const env of [
      { ...ENVS[1], notifications: quiet },
      { ...ENVS[1], notifications: slack, releasesOnRollouts: true },
    ]) {
      const application = one(
        render((s) => new ArgoCdDelivery(s, 'D', { repository: REPO, environments: [env] })),
        'Application',
      );
      expect(Object.keys(application.metadata.annotations ?? {}).sort()).toEqual([
        'notifications.argoproj.io/subscribe.on-health-degraded.slack',
        'notifications.argoproj.io/subscribe.on-sync-failed.slack',
      ]);
      const alerts = all(
        render((s) => new FluxDelivery(s, 'D', { repository: REPO, environments: [env] })),
        'Alert',
      );
      expect(alerts.map((a) => [a.metadata.name, a.spec.eventSeverity])).toEqual([['trading-deploy-prod', 'error']]);
    }
  });

  it("give Flux a Slack Provider (token by Secret reference) and an Alert on the environment's failed reconciliations", () => {
    expect(one(flux, 'Provider').metadata).toMatchObject({ name: 'trading-deploy-prod-slack', namespace: 'flux-system' });
    expect(one(flux, 'Provider').spec).toEqual({
      type: 'slack',
      channel: 'trading-releases',
      address: 'https://slack.com/api/chat.postMessage',
      secretRef: { name: 'slack-notifications' },
    });
    const alert = one(flux, 'Alert', 'trading-deploy-prod');
    expect(alert.metadata).toMatchObject({ name: 'trading-deploy-prod', namespace: 'flux-system' });
    expect(alert.spec.providerRef).toEqual({ name: 'trading-deploy-prod-slack' });
    expect(alert.spec.eventSeverity).toBe('error');
    expect(alert.spec.eventSources).toEqual([
      { kind: 'GitRepository', name: 'trading-deploy' },
      ...STAGES.map((s) => ({ kind: 'Kustomization', name: `trading-deploy-prod-${s.replace(/^\d+-/, '')}` })),
    ]);
    // dev has no notifications: no objects for it.
    expect(all(flux, 'Alert').map((a) => a.metadata.name)).toEqual(['trading-deploy-prod', 'trading-deploy-prod-deployed']);
  });

  it('are valid against the Flux and Argo CD models and the strict schemas', async () => {
    expect((await Promise.all([...argo, ...flux].map(modelProblems))).flat()).toEqual([]);
  });

  it('reject a webhook URL or a token as the channel without repeating it, a bad Secret name, and Flux without a Secret', () => {
    const webhook = 'https://hooks.slack.com/services/T000/B000/XXXX';
    const message = errorOf(() => Notifications.slack({ channel: webhook, secretName: 'Slack_Token' })).message;
    expect(message).toBe(
      [
        '2 configuration problems:',
        '  - Notifications.slack: channel: looks like a webhook URL or a token: credentials never go into the configuration; put the bot token in the Secret named by secretName and give the channel\'s name here, like "trading-releases"',
        '  - Notifications.slack: secretName: "Slack_Token" is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters',
      ].join('\n'),
    );
    expect(message).not.toContain('hooks.slack.com');
    expect(errorOf(() => Notifications.slack({ channel: 'xoxb-123-456-abc' })).message).not.toContain('xoxb');
    expect(errorOf(() => Notifications.slack({ channel: 'Trading Releases' })).message).toBe(
      'Notifications.slack: channel: "Trading Releases" is not a Slack channel: use its name (lower-case letters, digits, "-", "_" and ".", up to 80; "#" optional) or its ID, like "C0123ABCD"',
    );
    expect(Notifications.slack({ channel: 'C0123ABCD' }).channel).toBe('C0123ABCD');
    expect(errorOf(() => Notifications.slack({ channel: 'ops', onSuccess: 'yes' as unknown as boolean })).message).toBe(
      'Notifications.slack: onSuccess: "yes" must be true or false',
    );
    expect(
      errorOf(() =>
        render((s) => new ArgoCdDelivery(s, 'D', { repository: REPO, environments: [{ ...ENVS[1], releasesOnRollouts: 1 as unknown as boolean }] })),
      ).message,
    ).toBe('ArgoCdDelivery test/D: environments[0].releasesOnRollouts: 1 must be true or false');
    expect(
      errorOf(() =>
        render(
          (s) =>
            new FluxDelivery(s, 'D', { repository: REPO, environments: [{ ...ENVS[1], notifications: Notifications.slack({ channel: 'ops' }) }] }),
        ),
      ).message,
    ).toBe(
      'FluxDelivery test/D: environments[0].notifications.secretName: is required by Flux: its Provider reads the Slack bot token (key "token") from that Secret in Flux\'s namespace',
    );
  });
});

describe("the reference app's GitOps objects", () => {
  const { environments, gitops } = loadProject(ROOT);
  const stageFolders = new Map(
    environments.map((e) => {
      const files = renderEnvironment(e).files.map((f) => f.path);
      return [e.name, APPLY_STAGES.map((s) => s.folder).filter((folder) => files.some((p) => p.startsWith(`${folder}/`)))];
    }),
  );
  const folders = gitops ? renderGitOps(gitops, environments, stageFolders) : [];
  const objectsIn = (tool: string): Obj[] =>
    (folders.find((f) => f.folder === `gitops/${tool}`)?.files ?? [])
      .filter((f) => f.path !== 'kustomization.yaml')
      .map((f) => parse(f.content) as Obj);

  it('delivers every environment through Argo CD (automated except prod) and Flux (staged)', () => {
    const apps = all(objectsIn('argocd'), 'Application');
    expect(apps.map((a) => [a.metadata.name, Boolean(a.spec.syncPolicy.automated)])).toEqual([
      ['trading-dev', true],
      ['trading-prod', false],
      ['trading-staging', true],
    ]);
    const flux = objectsIn('flux')
      .filter((o) => o.kind === 'Kustomization')
      .map((k) => k.metadata.name);
    expect(flux).toContain('trading-prod-migration');
    expect(flux).not.toContain('trading-dev-migration');
  });

  it('has Flux judge the staging Rollout by its phase (kstatus cannot read its string observedGeneration), in the application stages only', () => {
    const kustomizations = all(objectsIn('flux'), 'Kustomization');
    const application = kustomizations.find((k) => k.metadata.name === 'trading-staging-application');
    expect(application?.spec.wait).toBe(true);
    expect(application?.spec.healthCheckExprs).toEqual([
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        inProgress: 'has(status.observedGeneration) && status.observedGeneration != string(metadata.generation)',
        failed: "status.phase == 'Degraded'",
        current: "status.phase in ['Healthy', 'Paused']",
      },
    ]);
    expect(
      kustomizations
        .filter((k) => k.spec.healthCheckExprs !== undefined)
        .map((k) => k.metadata.name)
        .sort(),
    ).toEqual([
      'trading-dev-application',
      'trading-prod-application',
      'trading-prod-staged-application',
      'trading-staging-application',
      'trading-staging-staged-application',
    ]);
  });

  it('tells Argo CD to ignore the route weights the canary plugin moves in staging', () => {
    const staging = viewAs(
      'Application',
      objectsIn('argocd').find((o) => o.metadata.name === 'trading-staging'),
    );
    expect(staging.spec.ignoreDifferences).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'trading-api', jsonPointers: ['/spec/rules/0/backendRefs'] },
      // An operator may resume the suspended rollback Job: a sync must not suspend it again (see migration-rollback.test.ts).
      { group: 'batch', kind: 'Job', name: 'trading-api-migrate-rollback', jsonPointers: ['/spec/suspend'] },
    ]);
    expect(
      viewAs(
        'Application',
        objectsIn('argocd').find((o) => o.metadata.name === 'trading-prod'),
      ).spec.ignoreDifferences?.filter((d) => d.kind === 'HTTPRoute'),
    ).toEqual([]);
  });

  it("has Flux leave the staging route's weights to the canary plugin: created once, never re-applied", () => {
    const annotation = (env: string) =>
      one(
        renderEnvironment(environments.find((e) => e.name === env) ?? environments[0])
          .files.filter((f) => f.path.endsWith('.yaml') && !f.path.endsWith('kustomization.yaml'))
          .map((f) => parse(f.content) as Obj),
        'HTTPRoute',
        'trading-api',
      ).metadata.annotations?.['kustomize.toolkit.fluxcd.io/ssa'];
    expect(annotation('staging')).toBe('IfNotPresent');
    // dev rolls and prod switches colours by Service selector: their routes are Git's alone.
    expect(annotation('dev')).toBeUndefined();
    expect(annotation('prod')).toBeUndefined();
  });

  it('notifies staging and prod in #trading-releases through Argo CD and Flux, not dev', () => {
    const subscribed = all(objectsIn('argocd'), 'Application').filter(
      (a) => a.metadata.annotations?.['notifications.argoproj.io/subscribe.on-sync-failed.slack'] === 'trading-releases',
    );
    expect(subscribed.map((a) => a.metadata.name)).toEqual(['trading-prod', 'trading-staging']);
    // Completed releases: prod's colours and both frontends are Deployments, so Argo CD and Flux announce them:
    // Flux from the last stage of each service's release (an API release does not change the frontend's stages).
    expect(subscribed.map((a) => a.metadata.annotations?.['notifications.argoproj.io/subscribe.on-deployed.slack'])).toEqual([
      'trading-releases',
      'trading-releases',
    ]);
    expect(
      all(objectsIn('flux'), 'Alert')
        .filter((a) => a.spec.eventSeverity === 'info')
        .map((a) => [a.metadata.name, a.spec.eventSources, a.spec.inclusionList]),
    ).toEqual([
      [
        'trading-prod-deployed',
        [
          { kind: 'Kustomization', name: 'trading-prod-smoke-test' },
          { kind: 'Kustomization', name: 'trading-prod-staged-application' },
        ],
        ['^Health check passed in '],
      ],
      [
        'trading-staging-deployed',
        [
          { kind: 'Kustomization', name: 'trading-staging-application' },
          { kind: 'Kustomization', name: 'trading-staging-staged-application' },
        ],
        ['^Health check passed in '],
      ],
    ]);
    expect(all(objectsIn('flux'), 'Provider').map((p) => [p.metadata.name, p.spec.channel, p.spec.secretRef?.name])).toEqual([
      ['trading-prod-slack', 'trading-releases', 'slack-notifications'],
      ['trading-staging-slack', 'trading-releases', 'slack-notifications'],
    ]);
    const failures = all(objectsIn('flux'), 'Alert').filter((a) => a.spec.eventSeverity === 'error');
    expect(failures.map((a) => a.spec.eventSources.map((e) => e.name))).toEqual([
      [
        'trading',
        'trading-prod-namespace',
        'trading-prod-config',
        'trading-prod-database',
        'trading-prod-migration',
        'trading-prod-application',
        'trading-prod-smoke-test',
        'trading-prod-release-wait',
        'trading-prod-staged-application',
      ],
      [
        'trading',
        'trading-staging-namespace',
        'trading-staging-config',
        'trading-staging-database',
        'trading-staging-migration',
        'trading-staging-application',
        'trading-staging-release-wait',
        'trading-staging-staged-application',
      ],
    ]);
    // The staging canary's Rollout subscribes to the release events; dev's Deployment has none to subscribe to.
    const rollout = one(
      renderEnvironment(environments.find((e) => e.name === 'staging') ?? environments[0])
        .files.filter((f) => f.path.startsWith('50-application/rollout-'))
        .map((f) => parse(f.content) as Obj),
      'Rollout',
    );
    expect(Object.entries(rollout.metadata.annotations ?? {}).filter(([k]) => k.startsWith('notifications.'))).toEqual([
      ['notifications.argoproj.io/subscribe.on-analysis-run-failed.slack', 'trading-releases'],
      ['notifications.argoproj.io/subscribe.on-rollout-aborted.slack', 'trading-releases'],
      ['notifications.argoproj.io/subscribe.on-rollout-completed.slack', 'trading-releases'],
    ]);
  });

  it('announces completed releases unless the environment file says notifications.onSuccess: false', () => {
    const quietly = (name: string): Environment => {
      const file = `environments/${name}.yaml`;
      const text = readFileSync(join(ROOT, file), 'utf8').replace(
        '    secretName: slack-notifications\n',
        '    secretName: slack-notifications\n  onSuccess: false\n',
      );
      const parsed = parseEnvironment(name, file, text);
      expect(parsed.problems).toEqual([]);
      return parsed.environment as Environment;
    };
    const [prod, staging] = [quietly('prod'), quietly('staging')];
    const rendered = gitops ? renderGitOps(gitops, [prod, staging], stageFolders) : [];
    const objects = (tool: string): Obj[] =>
      (rendered.find((f) => f.folder === `gitops/${tool}`)?.files ?? [])
        .filter((f) => f.path !== 'kustomization.yaml')
        .map((f) => parse(f.content) as Obj);
    const annotations = (a: Obj): string[] => Object.keys(a.metadata.annotations ?? {}).sort();
    expect(all(objects('argocd'), 'Application').map(annotations)).toEqual([
      ['notifications.argoproj.io/subscribe.on-health-degraded.slack', 'notifications.argoproj.io/subscribe.on-sync-failed.slack'],
      ['notifications.argoproj.io/subscribe.on-health-degraded.slack', 'notifications.argoproj.io/subscribe.on-sync-failed.slack'],
    ]);
    expect(all(objects('flux'), 'Alert').map((a) => a.spec.eventSeverity)).toEqual(['error', 'error']);
    const rollout = one(
      renderEnvironment(staging)
        .files.filter((f) => f.path.startsWith('50-application/rollout-'))
        .map((f) => parse(f.content) as Obj),
      'Rollout',
    );
    expect(annotations(rollout).filter((k) => k.startsWith('notifications.'))).toEqual([
      'notifications.argoproj.io/subscribe.on-analysis-run-failed.slack',
      'notifications.argoproj.io/subscribe.on-rollout-aborted.slack',
    ]);
  });

  it('carries no sync waves: the delivery objects are applied once, as a whole', () => {
    for (const o of [...objectsIn('argocd'), ...objectsIn('flux')]) expect(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBeUndefined();
  });

  it('matches the committed dist/gitops', () => {
    for (const folder of folders) {
      for (const f of folder.files) expect(readFileSync(join(ROOT, 'dist', folder.folder, f.path), 'utf8'), f.path).toBe(f.content);
    }
  });
});

describe('validate and diff', () => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'cdk8s-trading-gitops-'));
    cpSync(join(ROOT, 'environments'), join(project, 'environments'), { recursive: true });
    synthesizeProject({ root: project, outdir: join(project, 'dist') });
  });
  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
  });
  // In-process: what is tested here is the commands' output, not process start-up (cli.test.ts has that).
  const run = (tool: 'validate' | 'diff', ...args: string[]): { status: number; stdout: string; stderr: string } => {
    const out: string[] = [];
    const err: string[] = [];
    const status = runCli([tool, ...args], { cwd: project, out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
    return { status, stdout: out.join('\n'), stderr: err.join('\n') };
  };
  const tamper = (file: string, from: string, to: string): (() => void) => {
    const path = join(project, 'dist', file);
    const original = readFileSync(path, 'utf8');
    expect(original).toContain(from);
    writeFileSync(path, original.replace(from, to));
    return () => writeFileSync(path, original);
  };

  it('pass on a fresh synth', () => {
    expect(validateTree(join(project, 'dist'), { root: project }).problems).toEqual([]);
    expect(compareTrees(join(project, 'dist'), join(project, 'dist'))).toEqual([]);
    const v = run('validate');
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/validated \d+ documents under dist: 0 problem\(s\)/);
    const d = run('diff');
    expect(d.status, d.stdout).toBe(0);
    expect(d.stdout).toContain('dist/ matches a fresh synth');
  });

  it('fail on a tampered file: an unknown field; diff shows old → new values', () => {
    const restore = tamper('prod/50-application/service-trading-api.yaml', '  type: ClusterIP', '  type: ClusterIP\n  typo: 1');
    try {
      const v = run('validate');
      expect(v.status).toBe(1);
      expect(v.stderr).toContain('dist/prod/50-application/service-trading-api.yaml: Service/trading-api: spec: unknown field "typo"');
      const d = run('diff');
      expect(d.status).toBe(1);
      expect(d.stdout).toContain('dist/prod: 0 added, 0 removed, 1 changed');
      expect(d.stdout).toContain('  ~ Service/trading-api\n      spec.typo: 1 → (none)');
    } finally {
      restore();
    }
  });

  it('fail on a tampered file that breaks a policy, naming the file', () => {
    const restore = tamper('dev/50-application/deployment-trading-api.yaml', '            privileged: false', '            privileged: true');
    try {
      const v = run('validate');
      expect(v.status).toBe(1);
      expect(v.stderr).toContain(
        'dist/dev/50-application/deployment-trading-api.yaml: policy pod-security-restricted: Deployment/trading-api: container trading-api: privileged',
      );
      expect(run('diff').stdout).toContain('      spec.template.spec.containers[name=trading-api].securityContext.privileged: true → false');
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
      expect(v.stderr).toContain(
        'environments/staging.yaml: policy network-policy-coverage: Rollout/trading-api: no NetworkPolicy (other than a select-all default-deny) selects its pods',
      );
      const d = run('diff');
      expect(d.status).toBe(1);
      expect(d.stderr).toContain('environments/staging.yaml: policy network-policy-coverage: Rollout/trading-api');
      writeFileSync(
        file,
        `${readFileSync(file, 'utf8')}waivers:
  - { rule: network-policy-coverage, object: Rollout/trading-api, reason: a service mesh enforces traffic policy here }
  - { rule: network-policy-coverage, object: Job/trading-api-migrate, reason: a service mesh enforces traffic policy here }
  - { rule: network-policy-coverage, object: Job/trading-api-migrate-rollback, reason: a service mesh enforces traffic policy here }
`,
      );
      synthesizeProject({ root: project, outdir: join(project, 'dist') });
      expect(validateTree(join(project, 'dist'), { root: project }).problems).toEqual([]);
    } finally {
      writeFileSync(file, original);
      synthesizeProject({ root: project, outdir: join(project, 'dist') });
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

  it('validate runs the policy rules on any folder of manifests, outside a project', () => {
    const loose = mkdtempSync(join(tmpdir(), 'cdk8s-trading-loose-'));
    try {
      cpSync(join(project, 'dist', 'prod', '50-application'), join(loose, 'manifests'), { recursive: true });
      const clean = validateTree(loose);
      // Out of its environment, prod's workloads lack the NetworkPolicies of 10-namespace: the rules see that.
      expect(clean.problems.some((p) => p.includes('policy network-policy-coverage'))).toBe(true);
      cpSync(join(project, 'dist', 'prod'), join(loose, 'prod'), { recursive: true });
      rmSync(join(loose, 'manifests'), { recursive: true });
      expect(validateTree(loose).problems).toEqual([]);
      const status = runCli(['validate', loose], { cwd: tmpdir(), out: () => undefined, err: () => undefined, env: {} });
      expect(status).toBe(0);
    } finally {
      rmSync(loose, { recursive: true, force: true });
    }
  });
});
