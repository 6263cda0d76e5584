import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, scratchProject, tree } from './support/project';

// environments/extend.ts as users run it: through the CLI process, into a dist/ synthesized before, which a
// failing synth must leave byte for byte as it was.

// A first synth of an extension type-checks it against the library's sources (about 4 s of CPU here), on top
// of the synth: more than the default timeout on a busy 2-core machine.
const SLOW = 120_000;

let base: { root: string; out: string };
beforeAll(() => {
  base = scratchProject();
  const r = cli(base.root, ['synth']);
  expect(r.status, r.stderr).toBe(0);
}, SLOW);

/** A copy of the synthesized project with `files` written into its environments/ folder. */
function projectWith(files: Record<string, string>): { root: string; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'cdk8s-trading-ext-'));
  cpSync(base.root, root, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'environments', name), text);
  return { root, out: join(root, 'dist') };
}

/** `file:line:column` (1-based) of the first `needle` in `text`, as compilers print positions. */
function at(file: string, text: string, needle: string): string {
  const index = text.indexOf(needle);
  expect(index, `${needle} in ${file}`).toBeGreaterThanOrEqual(0);
  const lines = text.slice(0, index).split('\n');
  return `environments/${file}:${lines.length}:${(lines.at(-1) as string).length + 1}`;
}

/** Runs `synth` on a project with `files`; expects exit 1, dist/ unchanged and exactly `problems` (one line each, no stack). */
function expectSynthFailure(files: Record<string, string>, problems: readonly string[]): void {
  const p = projectWith(files);
  const before = tree(p.out);
  const r = cli(p.root, ['synth']);
  expect(r.status, r.stdout).toBe(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr.trimEnd().split('\n')).toEqual(['synth failed; dist/ was left as it was.', ...problems.map((l) => `  ${l}`)]);
  expect(tree(p.out)).toEqual(before);
}

describe('environments/extend.ts that throws, as a synth failure at the line of the source', () => {
  it(
    'names the line and column of a top-level throw',
    () => {
      const text = `import { Chart } from 'cdk8s';

const owners: Record<string, string> = JSON.parse('{}');
if (!owners.dev) throw new Error('no owner for dev in the owners table');

export default function extend(chart: Chart): void {
  chart.addDependency();
}
`;
      expectSynthFailure({ 'extend.ts': text }, [`${at('extend.ts', text, 'new Error')}: while loading it: no owner for dev in the owners table`]);
    },
    SLOW,
  );

  it(
    'names the environment being built when the function throws, also in a module of its own or on a second construct with one id',
    () => {
      const helper = `import type { Environment } from 'cdk8s-trading';

export function owner(environment: Environment): string {
  if (environment.config.tier === 'prod') {
    throw new TypeError(\`no owner for \${environment.name}\`);
  }
  return 'team-a';
}
`;
      const text = `import { ApiObject, Chart } from 'cdk8s';
import type { Environment } from 'cdk8s-trading';
import { owner } from './owner';

export default function extend(chart: Chart, environment: Environment): void {
  new ApiObject(chart, 'owner', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' }, data: { owner: owner(environment) } });
  if (environment.name === 'staging') throw new Error('staging has no owner either');
  new ApiObject(chart, 'owner', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner-2' } });
}
`;
      // dev gets past the throws, to the second construct with the id "owner".
      expectSynthFailure({ 'extend.ts': text, 'owner.ts': helper }, [
        `${at('extend.ts', text, "new ApiObject(chart, 'owner', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner-2'")}: ` +
          'in environment dev: construct id "owner" is already used in "dev": give each construct of a scope its own id',
        `${at('owner.ts', helper, 'new TypeError')}: in environment prod: TypeError: no owner for prod`,
        `${at('extend.ts', text, 'new Error')}: in environment staging: staging has no owner either`,
      ]);
    },
    SLOW,
  );

  it(
    'refuses an async function, whose objects after an await would be lost and whose throw would come after dist/ was written',
    () => {
      const text = `import { ApiObject, Chart } from 'cdk8s';

export default async function extend(chart: Chart): Promise<void> {
  await Promise.resolve();
  new ApiObject(chart, 'late', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } });
  throw new Error('after the await');
}
`;
      const refused = (env: string): string =>
        `environments/extend.ts: in environment ${env}: the function returned a Promise (an async function): a synth is synchronous, so objects added after an await would be lost and errors thrown there would come after dist/ was written; add the objects without async and await`;
      expectSynthFailure({ 'extend.ts': text }, [refused('dev'), refused('prod'), refused('staging')]);
    },
    SLOW,
  );

  it(
    'names the import of a module that is not there, in a .ts file (type check) and in a .js file (loading)',
    () => {
      const text = `import { Chart } from 'cdk8s';
import { leftPad } from 'no-such-package-anywhere';
import { NoSuchConstruct } from 'cdk8s-plus-28';

export default function extend(chart: Chart): void {
  new NoSuchConstruct(chart, leftPad('x'));
}
`;
      expectSynthFailure({ 'extend.ts': text }, [
        `${at('extend.ts', text, "'no-such-package-anywhere'")}: Cannot find module 'no-such-package-anywhere' or its corresponding type declarations. (TS2307)`,
        `${at('extend.ts', text, 'NoSuchConstruct }')}: Module '"cdk8s-plus-28"' has no exported member 'NoSuchConstruct'. (TS2305)`,
      ]);
      const js = `'use strict';
const { leftPad } = require('no-such-package-anywhere');
module.exports = (chart) => leftPad(chart);
`;
      expectSynthFailure({ 'extend.js': js }, [
        `${at('extend.js', js, "require('no-such")}: while loading it: cannot find module "no-such-package-anywhere": install it in the project, or correct the import`,
      ]);
    },
    SLOW,
  );
});

describe('paths in messages, from a subfolder', () => {
  it(
    'name the environment files, the extension and the output folder alike, as seen from where the command runs',
    () => {
      const text = `import { Chart } from 'cdk8s';
import type { Environment } from 'cdk8s-trading';

export default function extend(chart: Chart, environment: Environment): void {
  if (environment.name === 'prod') throw new Error('nope');
}
`;
      const p = projectWith({ 'extend.ts': text });
      const dev = join(p.root, 'environments', 'dev.yaml');
      writeFileSync(dev, readFileSync(dev, 'utf8').replace(/^tier: dev$/m, 'tier: dev\nbogus: 1'));
      const r = cli(join(p.root, 'environments'), ['synth']);
      expect(r.status).toBe(1);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe('synth failed; ../dist/ was left as it was.');
      expect(lines.slice(1)).toEqual([expect.stringMatching(/^ {2}dev\.yaml: bogus: /), '  extend.ts:5:42: in environment prod: nope']);
    },
    SLOW,
  );
});

describe('environments/extend.ts is type-checked against the library', () => {
  it(
    'reports each type error at its line and column, with the problems of the environment files',
    () => {
      const text = `import { ApiObject, Chart } from 'cdk8s';
import type { Environment } from 'cdk8s-trading';

export default function extend(chart: Chart, environment: Environment): void {
  const replicas: number = environment.config.namespace;
  new ApiObject(chart, 'team', {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team' },
    data: { tier: environment.config.teir, replicas: String(replicas) },
  });
}
`;
      // With the environment files' own problems: every problem at once.
      const dev = readFileSync(join(base.root, 'environments', 'dev.yaml'), 'utf8').replace('namespace: trading-dev', 'namespace: Trading-Dev');
      expectSynthFailure({ 'extend.ts': text, 'dev.yaml': dev }, [
        'environments/dev.yaml: namespace: "Trading-Dev" is not a valid name: use at most 63 lower-case letters, digits and "-", ' +
          'starting and ending with a letter or digit',
        `${at('extend.ts', text, 'replicas: number')}: Type 'string' is not assignable to type 'number'. (TS2322)`,
        `${at('extend.ts', text, 'teir')}: Property 'teir' does not exist on type 'EnvironmentConfig'. (TS2339)`,
      ]);
    },
    SLOW,
  );
});

describe('objects environments/extend.ts adds follow the rules of the library', () => {
  it(
    'reports another namespace, a name of a library object and a policy finding against extend.ts; writes none',
    () => {
      const text = `import { ApiObject, Chart } from 'cdk8s';
import { Deployment } from 'cdk8s-plus-28';
import type { Environment } from 'cdk8s-trading';

export default function extend(chart: Chart, environment: Environment): void {
  if (environment.name !== 'dev') return;
  new ApiObject(chart, 'coredns', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns-custom', namespace: 'kube-system' } });
  new ApiObject(chart, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'trading-api-config' }, data: { a: 'b' } });
  new Deployment(chart, 'tools', { metadata: { name: 'tools' }, containers: [{ image: 'busybox:1.37', portNumber: 8080 }] });
}
`;
      const p = projectWith({ 'extend.ts': text });
      const before = tree(p.out);
      const r = cli(p.root, ['synth']);
      expect(r.status).toBe(1);
      const lines = r.stderr.trimEnd().split('\n').slice(1);
      const prefix = (needle: string): string => `  ${at('extend.ts', text, needle)}: in environment dev: `;
      expect(lines).toContain(
        `${prefix("new ApiObject(chart, 'coredns'")}ConfigMap/coredns-custom (dev/coredns): namespace: "kube-system" is outside the environment's ` +
          'namespace "trading-dev": an extension adds objects to its environment only',
      );
      expect(lines).toContain(
        `${prefix("new ApiObject(chart, 'config'")}ConfigMap/trading-api-config (dev/config): name: "trading-api-config" is already used by ` +
          'dev/trading-api/ConfigMap, made by the library: names must be unique per kind and namespace',
      );
      expect(lines).toContain(
        `${prefix('new Deployment')}Deployment/tools (dev/tools/Resource): policy network-policy-coverage: no NetworkPolicy (other than a select-all ` +
          'default-deny) selects its pods',
      );
      // Every problem is the extension's, none is put in an environment file or written anywhere.
      for (const line of lines) expect(line).toMatch(/^ {2}environments\/extend\.ts:\d+:\d+: in environment dev: /);
      expect(tree(p.out)).toEqual(before);
    },
    SLOW,
  );

  it(
    "an object that cannot be rendered, or a construct added outside the environment's chart, is a problem at its line, not a crash or a loss",
    () => {
      const text = `import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { Environment } from 'cdk8s-trading';

class Pending extends ApiObject {
  constructor(scope: Chart, id: string) {
    super(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pending' } });
  }
  override toJson(): never {
    throw new Error('the data is not known yet');
  }
}

class StillPending extends Pending {}

class Crew extends kplus.Deployment {
  constructor(scope: Chart, id: string) {
    super(scope, id, {});
  }
}

class Shelf extends ApiObject {
  constructor(scope: Construct, id: string, depth: number) {
    super(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: \`shelf-\${depth}\` } });
    if (depth > 0) new Shelf(this, 'inner', depth - 1);
  }
  override toJson(): never {
    throw new Error('a shelf is never ready');
  }
}

export default function extend(chart: Chart, environment: Environment): void {
  if (environment.name !== 'dev') return;
  new kplus.Deployment(chart, 'worker', {});
  const other = new Chart(chart.node.root, 'extra', { namespace: 'trading-dev' });
  new ApiObject(other, 'info', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team-info' } });
  new StillPending(chart, 'pending');
  new Crew(chart, 'crew');
  new Shelf(chart, 'shelf', 1);
}
`;
      const prefix = (needle: string): string => `${at('extend.ts', text, needle)}: in environment dev: `;
      expectSynthFailure({ 'extend.ts': text }, [
        `${prefix('new Chart')}"extra" is added under "the App", outside the environment's chart "dev": only that chart is written to dist/; ` +
          'add it to the chart the function receives',
        `${prefix('new kplus.Deployment')}Deployment/dev-worker (dev/worker/Resource): cannot be rendered: PodSpec must have at least 1 container`,
        // A class of the extension's own: the line that instantiates it, not its constructor's super(), also for
        // the resource a library construct it extends makes, and for one it makes of its own kind.
        `${prefix('new StillPending')}ConfigMap/pending (dev/pending): cannot be rendered: the data is not known yet`,
        `${prefix('new Crew')}Deployment/dev-crew (dev/crew/Resource): cannot be rendered: PodSpec must have at least 1 container`,
        `${prefix("new Shelf(chart, 'shelf'")}ConfigMap/shelf-1 (dev/shelf): cannot be rendered: a shelf is never ready`,
        `${prefix("new Shelf(this, 'inner'")}ConfigMap/shelf-0 (dev/shelf/inner): cannot be rendered: a shelf is never ready`,
      ]);
    },
    SLOW,
  );

  it(
    "a library object the extension changes (a JSON patch) is held to the schemas and names too; Kubernetes' name, label and key rules hold",
    () => {
      const text = `import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import type { Environment } from 'cdk8s-trading';

const named = (chart: Chart, kind: string, name: string): ApiObject =>
  chart.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === kind && c.name === name) as ApiObject;

export default function extend(chart: Chart, environment: Environment): void {
  if (environment.name !== 'dev') return;
  named(chart, 'ConfigMap', 'trading-api-config').addJsonPatch(JsonPatch.add('/spec', { bogus: 1 }));
  named(chart, 'Service', 'trading-api').addJsonPatch(JsonPatch.replace('/metadata/name', 'Trading_API'));
  new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'team.api', labels: { tier: 'a b' } }, spec: { ports: [{ port: 80 }] } });
  new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team-cm' }, data: { 'a/b': 'x' } });
}
`;
      const prefix = (needle: string): string => `${at('extend.ts', text, needle)}: in environment dev: `;
      const library = ' (an object of the library, as the extension changed it)';
      expectSynthFailure({ 'extend.ts': text }, [
        `environments/extend.ts: in environment dev: ConfigMap/trading-api-config (dev/trading-api/ConfigMap): unknown field "spec"${library}`,
        'environments/extend.ts: in environment dev: Service/Trading_API (dev/trading-api/Service): metadata.name: "Trading_API" is not a valid ' +
          `name: use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit${library}`,
        `${prefix("new ApiObject(chart, 'svc'")}Service/team.api (dev/svc): metadata.name: "team.api" is not a valid name: use at most 63 lower-case ` +
          'letters, digits and "-", starting and ending with a letter or digit',
        `${prefix("new ApiObject(chart, 'svc'")}Service/team.api (dev/svc): metadata.labels.tier: "a b" is not a label value: at most 63 letters, ` +
          'digits, "-", "_" and ".", starting and ending with a letter or digit',
        `${prefix("new ApiObject(chart, 'cm'")}ConfigMap/team-cm (dev/cm): data: "a/b" is not a valid key: use letters, digits, "-", "_" and "."`,
      ]);
    },
    SLOW,
  );

  it(
    'what a callback adds or throws after the function returned is reported before anything is written, by synth and diff',
    () => {
      const text = `import { ApiObject, Chart } from 'cdk8s';
import type { Environment } from 'cdk8s-trading';

export default function extend(chart: Chart, environment: Environment): void {
  if (environment.name !== 'dev') return;
  void Promise.resolve().then(() => new ApiObject(chart, 'late', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } }));
  void Promise.resolve().then(() => {
    throw new Error('boom later');
  });
}
`;
      const late = [
        `${at('extend.ts', text, 'new ApiObject')}: in environment dev: adds a construct after the function returned (in a callback: a Promise's then, ` +
          'setTimeout), which a synth does not wait for: it would be missing from dist/; add it in the function itself',
        `${at('extend.ts', text, 'new Error')}: after the function returned (in a callback: a Promise's then, setTimeout): boom later`,
      ];
      expectSynthFailure({ 'extend.ts': text }, late);
      const r = cli(projectWith({ 'extend.ts': text }).root, ['diff']);
      expect(r.status).toBe(1);
      expect(r.stderr.trimEnd().split('\n')).toEqual(['synth failed, so dist/ cannot be compared:', ...late.map((l) => `  ${l}`)]);
    },
    SLOW,
  );

  it(
    'removing what the library makes (its quota, its container limits) is refused at the line that removes it',
    () => {
      const text = `import { ApiObject, Chart } from 'cdk8s';
import type { Environment } from 'cdk8s-trading';

export default function extend(chart: Chart, environment: Environment): void {
  if (environment.name !== 'dev') return;
  const victims = chart.node.findAll().filter((c) => c instanceof ApiObject && ['LimitRange', 'ResourceQuota'].includes((c as ApiObject).kind));
  for (const v of victims) v.node.scope?.node.tryRemoveChild(v.node.id);
}
`;
      const why =
        'an object of the library: what the library makes (a quota, container limits, network policies, budgets) is kept; patch it (addJsonPatch) to change it';
      const site = `${at('extend.ts', text, 'tryRemoveChild')}: in environment dev: removes`;
      expectSynthFailure({ 'extend.ts': text }, [
        `${site} ResourceQuota/compute (dev/Namespace/Quota), ${why}`,
        `${site} LimitRange/container-defaults (dev/Namespace/Limits), ${why}`,
      ]);
    },
    SLOW,
  );

  it(
    "a problem of the whole environment that its file alone does not have (a quota its added workloads exceed) is the extension's",
    () => {
      const text = `import { Chart } from 'cdk8s';
import { Scaling, TradingBackend } from 'cdk8s-trading';
import type { Environment } from 'cdk8s-trading';

export default function extend(chart: Chart, environment: Environment): void {
  if (environment.name !== 'prod') return;
  new TradingBackend(chart, 'bulk', {
    image: 'ghcr.io/acme-trading/bulk:1.0.0',
    scaling: Scaling.fixed(20),
    resources: { requests: { cpu: '1', memory: '256Mi' }, limits: { cpu: '1', memory: '256Mi' } },
  });
}
`;
      const p = projectWith({ 'extend.ts': text });
      const before = tree(p.out);
      const r = cli(p.root, ['synth']);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      const lines = r.stderr.trimEnd().split('\n').slice(1);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line).toMatch(/^ {2}environments\/extend\.ts: in environment prod: TradingNamespace prod\/Namespace: quota\.(requests|limits)Cpu: /);
        expect(line).toContain('bulk 21000m');
        // prod.yaml sets no quota: its bounds are the tier's, and said to be.
        expect(line).toMatch(/: quota\.\w+: the prod tier's default of \d+m \(not set in the file\) is below/);
        expect(line).toMatch(/\(environments\/prod\.yaml alone passes: what the extension adds causes it\)$/);
      }
      expect(tree(p.out)).toEqual(before);
    },
    SLOW,
  );

  it(
    'reports a name Kubernetes refuses, a cluster-scoped kind and a field its schema does not have, as validate would after the synth',
    () => {
      const text = `import { ApiObject, Chart } from 'cdk8s';
import type { Environment } from 'cdk8s-trading';

export default function extend(chart: Chart, environment: Environment): void {
  if (environment.name !== 'dev') return;
  new ApiObject(chart, 'upper', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'TRADING_API' } });
  new ApiObject(chart, 'admin', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'team-admin' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
  });
  new ApiObject(chart, 'info', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team-info' }, data: { team: 'desk' } });
  new ApiObject(chart, 'extra', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team-extra' }, bogus: 5 } as never);
  new ApiObject(chart, 'hooks', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'team-hooks' },
    data: { WEBHOOK: 'https://alerts.example.com/hook?token=abc123def456ghi' },
  });
}
`;
      const prefix = (needle: string): string => `${at('extend.ts', text, needle)}: in environment dev: `;
      expectSynthFailure({ 'extend.ts': text }, [
        `${prefix("new ApiObject(chart, 'upper'")}ConfigMap/TRADING_API (dev/upper): metadata.name: "TRADING_API" is not a valid name: use lower-case ` +
          'letters, digits, "-" and ".", at most 253 characters',
        `${prefix("new ApiObject(chart, 'admin'")}ClusterRoleBinding/team-admin (dev/admin): ClusterRoleBinding is cluster-scoped: an environment's ` +
          'folder holds objects of its namespace only; apply it outside the environment',
        `${prefix("new ApiObject(chart, 'extra'")}ConfigMap/team-extra (dev/extra): unknown field "bogus"`,
        `${prefix("new ApiObject(chart, 'hooks'")}ConfigMap/team-hooks (dev/hooks): policy no-credentials: data.WEBHOOK: looks like a credential ` +
          '(a token, or a URL with a password or a token): it would be committed with dist/; keep it in a Secret and reference it (the value is not shown here)',
      ]);
    },
    SLOW,
  );
});
