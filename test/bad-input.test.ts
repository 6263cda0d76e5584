import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { parseGitOps } from '../src/config/gitops-config';
import { NetworkPeer } from '../src/core/network-peer';
import { namesSecret } from '../src/core/secrets';
import { ConfigurationError } from '../src/core/problems';
import { TradingNamespace } from '../src/namespace/trading-namespace';
import { loadProject, renderEnvironment, renderGitOps, synthesizeProject } from '../src/synth/project';
import { SchemaValidator } from '../src/synth/strict-schemas';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { Chart } from 'cdk8s';
import { ArgoCdDelivery } from '../src/gitops/argo-cd-delivery';
import { FluxDelivery } from '../src/gitops/flux-delivery';
import { GitOpsApp } from '../src/synth/gitops-app';
import { scratchProject } from './support/project';
import { errorOf, render } from './support/render';

const ROOT = join(__dirname, '..');
const FILE = 'environments/prod.yaml';
const prodText = readFileSync(join(ROOT, 'environments', 'prod.yaml'), 'utf8');
const IMAGE = 'ghcr.io/acme/api:1.4.2';

/** Problems of the prod file after `edit` of its parsed form (the service made a plain rolling one first). */
function problemsAfter(edit: (doc: Record<string, unknown> & { services: Record<string, Record<string, unknown>> }) => void): string[] {
  const doc = parse(prodText) as Record<string, unknown> & { services: Record<string, Record<string, unknown>> };
  delete doc.services['trading-api'].release;
  doc.services['trading-api'].image = IMAGE;
  edit(doc);
  return environmentProblems('prod', FILE, stringify(doc));
}
const configurationProblems = (fn: () => unknown): string[] => {
  const e = errorOf(fn);
  expect(e).toBeInstanceOf(ConfigurationError);
  return [...(e as ConfigurationError).problems];
};

describe('rules that hold in both doors (environment file and TypeScript)', () => {
  it("a namespace of the cluster itself is not an environment's", () => {
    for (const ns of ['kube-system', 'default', 'kube-node-lease', 'kube-public']) {
      expect(
        problemsAfter((d) => {
          d.namespace = ns;
        }),
      ).toEqual([
        `${FILE}: namespace: "${ns}" belongs to the cluster itself: an environment puts a quota, container limits and a default-deny NetworkPolicy into its namespace; use a namespace of its own, like "shop-prod"`,
      ]);
    }
    expect(configurationProblems(() => render((s) => new TradingNamespace(s, 'ns', { name: 'kube-system' })))).toEqual([
      'TradingNamespace test/ns: name: "kube-system" belongs to the cluster itself: an environment puts a quota, container limits and a default-deny NetworkPolicy into its namespace; use a namespace of its own, like "shop-prod"',
    ]);
  });

  it('image references follow the OCI grammar', () => {
    const cases: Array<[string, RegExp]> = [
      ['ghcr.io/Acme/api:1.4.2', /has upper-case letters in its repository path: image names must be lower case$/],
      [`ghcr.io/acme/api:${'x'.repeat(129)}`, /has a malformed tag "x{37}\.\.\.": use at most 128 letters, digits/],
      ['ghcr.io/acme/api:1.0!', /has a malformed tag "1\.0!"/],
      ['ghcr.io/acme/api@sha256:abc', /has a malformed digest: use "@sha256:" followed by 64 lower-case hex digits$/],
      ['my_registry.io/acme/api:1', /its registry "my_registry\.io" is not a host name$/],
    ];
    for (const [image, message] of cases) {
      const file = problemsAfter((d) => {
        d.services['trading-api'].image = image;
      });
      expect(file).toHaveLength(1);
      expect(file[0].startsWith(`${FILE}: services.trading-api.image: `)).toBe(true);
      expect(file[0]).toMatch(message);
      expect(configurationProblems(() => render((s) => new TradingBackend(s, 'api', { image })))[0]).toMatch(message);
    }
    for (const ok of [
      'registry.example.com:5000/team/api:1.2',
      `ghcr.io/acme/api@sha256:${'a'.repeat(64)}`,
      'localhost:5000/api:1',
      'quay.io/a__b/c-d.e:1',
    ]) {
      expect(() => render((s) => new TradingBackend(s, 'api', { image: ok }))).not.toThrow();
    }
  });

  it('addSecretEnv checks its variable, Secret and key; NetworkPeer checks its CIDR and namespace', () => {
    expect(
      configurationProblems(() => render((s) => new TradingBackend(s, 'api', { image: IMAGE }).addSecretEnv('1BAD', 'Not_A_Secret', 'bad key'))),
    ).toEqual([
      'TradingBackend test/api: addSecretEnv: name: "1BAD" is not a valid environment variable name: use letters, digits and "_", not starting with a digit',
      'TradingBackend test/api: addSecretEnv: secretName: "Not_A_Secret" is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters',
      expect.stringMatching(/^TradingBackend test\/api: addSecretEnv: key: "bad key"/),
    ]);
    expect(configurationProblems(() => NetworkPeer.cidr('10.0.0.0/33'))).toEqual([
      'NetworkPeer.cidr: cidr: "10.0.0.0/33" is not a CIDR block: use a value like "10.0.0.0/16" or "0.0.0.0/0"',
    ]);
    expect(configurationProblems(() => NetworkPeer.namespace('Bad NS'))[0]).toMatch(/^NetworkPeer\.namespace: name: "Bad NS" is not a valid name/);
  });
});

describe('rules across files', () => {
  it('two environment files may not share a namespace', () => {
    const p = scratchProject();
    writeFileSync(join(p.root, 'environments', 'qa.yaml'), readFileSync(join(p.root, 'environments', 'staging.yaml'), 'utf8'));
    const problems = configurationProblems(() => synthesizeProject({ root: p.root, outdir: p.out }));
    expect(problems).toContain(
      'environments/staging.yaml: namespace: "trading-staging" is also the namespace of environments/qa.yaml: each environment needs a namespace of its own',
    );
  });

  it('gitops.yaml: every field is checked against the file, not deep inside the delivery constructs', () => {
    const F = 'environments/gitops.yaml';
    const problems = configurationProblems(() =>
      parseGitOps(
        F,
        `repository: github.com/acme/deploy
revision: "main branch"
path: /dist
project: Trading
argocd: { namespace: "Argo CD", destinationServer: "http://kubernetes" }
flux: { namespace: flux_system, interval: 5 minutes, credentialsSecret: Deploy_Key }
`,
      ),
    );
    expect(problems).toEqual([
      `${F}: repository: "github.com/acme/deploy" is not a Git URL: use "https://…", "ssh://…" or "git@host:org/repo.git"`,
      `${F}: revision: "main branch" is not a branch, tag or commit: use a name like "main" or "release-1.4", without spaces or ".."`,
      `${F}: path: "/dist" is not a relative path in the repository, like "dist" or "deploy/dist"`,
      expect.stringMatching(/^environments\/gitops\.yaml: project: "Trading" is not a valid name/),
      expect.stringMatching(/^environments\/gitops\.yaml: argocd\.namespace: "Argo CD" is not a valid name/),
      `${F}: argocd.destinationServer: "http://kubernetes" is not an https URL, like "https://kubernetes.default.svc"`,
      expect.stringMatching(/^environments\/gitops\.yaml: flux\.namespace: "flux_system" is not a valid name/),
      `${F}: flux.interval: "5 minutes" is not a duration: use a value like "30s", "5m" or "1h"`,
      expect.stringMatching(/^environments\/gitops\.yaml: flux\.credentialsSecret: "Deploy_Key" is not a valid name/),
    ]);
    // Credentials in the URL would be written into dist/'s GitOps objects: refused, never repeated.
    const TOKEN = 'ghp_1234567890abcdefghijABCDEFGHIJ123456';
    for (const repository of [
      `https://x-access-token:${TOKEN}@github.com/acme/deploy.git`,
      `https://${TOKEN}@github.com/acme/deploy.git`,
      `ht!ps://${TOKEN}@github.com`,
    ]) {
      const found = configurationProblems(() => parseGitOps(F, `repository: ${repository}\nflux: {}\n`));
      expect(found, repository).toHaveLength(1);
      expect(found[0]).toMatch(/^environments\/gitops\.yaml: repository: (carries credentials \(before "@"\)|the value \(not shown here)/);
      expect(found.join('\n')).not.toContain(TOKEN);
    }
    // A user for SSH, and an "@" after the host, are not credentials.
    expect(parseGitOps(F, 'repository: ssh://git@github.com/acme/deploy.git\nflux: {}\n').repository).toBe('ssh://git@github.com/acme/deploy.git');
    expect(parseGitOps(F, 'repository: https://git.example.com/acme/deploy@v2.git\nflux: {}\n').repository).toContain('@v2');
    expect(configurationProblems(() => parseGitOps(F, 'repository: https://git.example.com/deploy.git\nrevision: ""\nargocd: {}\n'))).toEqual([
      `${F}: revision: "" is not a branch, tag or commit: use a name like "main" or "release-1.4", without spaces or ".."`,
    ]);
  });
});

describe('rules across charts and in the delivery constructs (the TypeScript door)', () => {
  it('GitOpsApp: two environment charts may not share a namespace', () => {
    const app = new GitOpsApp({ outdir: join(ROOT, '.build', 'never-written') });
    for (const id of ['staging', 'qa'])
      new TradingBackend(new Chart(app, id, { namespace: 'shop-staging', disableResourceNameHashes: true }), 'api', { image: IMAGE });
    expect(configurationProblems(() => app.render())).toContain(
      'chart qa: namespace "shop-staging" is also the namespace of chart staging: each environment needs a namespace of its own',
    );
  });

  it('ArgoCdDelivery and FluxDelivery check what gitops.yaml checks', () => {
    const environments = [{ name: 'prod', namespace: 'shop-prod', path: 'dist/prod', automated: false }];
    expect(
      configurationProblems(() =>
        render(
          (s) =>
            new ArgoCdDelivery(s, 'D', {
              repository: 'https://git.example.com/deploy.git',
              revision: 'main branch',
              project: 'Shop',
              argoNamespace: 'Argo',
              destinationServer: 'http://k8s',
              environments,
            }),
        ),
      ),
    ).toEqual([
      'ArgoCdDelivery test/D: revision: "main branch" is not a branch, tag or commit: use a name like "main" or "release-1.4", without spaces or ".."',
      expect.stringMatching(/^ArgoCdDelivery test\/D: project: "Shop" is not a valid name/),
      expect.stringMatching(/^ArgoCdDelivery test\/D: argoNamespace: "Argo" is not a valid name/),
      'ArgoCdDelivery test/D: destinationServer: "http://k8s" is not an https URL, like "https://kubernetes.default.svc"',
    ]);
    expect(
      configurationProblems(() =>
        render(
          (s) =>
            new FluxDelivery(s, 'D', {
              repository: 'https://git.example.com/deploy.git',
              revision: '',
              fluxNamespace: 'flux_system',
              environments,
            }),
        ),
      ),
    ).toEqual([
      'FluxDelivery test/D: revision: "" is not a branch, tag or commit: use a name like "main" or "release-1.4", without spaces or ".."',
      expect.stringMatching(/^FluxDelivery test\/D: fluxNamespace: "flux_system" is not a valid name/),
    ]);
  });
});

describe('messages', () => {
  it('never echo a value written where a secret reference belongs', () => {
    const problems = problemsAfter((d) => {
      (d.services['trading-api'].secretEnv as Record<string, unknown>).JWT_SECRET = 'hunter2-very-secret';
    });
    expect(problems).toEqual([
      `${FILE}: services.trading-api.secretEnv.JWT_SECRET: must be a reference, {secretName, key} (an existing Secret) or {remoteKey, property} (an external secret store), not a value (the value is not shown here: it may be a secret)`,
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('say which two entries clash when a database and a service share a name', () => {
    const problems = problemsAfter((d) => {
      d.services['trading-db'] = { ...d.services['trading-api'], exposure: undefined, database: 'trading-db' };
    });
    expect(problems).toContain(
      `${FILE}: databases.trading-db: has the name of a service (services.trading-db): a service and a database need different names`,
    );
    expect(problems.join('\n')).not.toContain('There is already a Construct');
  });

  it("a wrong type in one field does not hide the other rules' findings for the same service", () => {
    const problems = problemsAfter((d) => {
      d.services['trading-api'].port = 'eighty';
      d.services['trading-api'].image = 'ghcr.io/acme/api:latest';
    });
    expect(problems).toEqual([
      `${FILE}: services.trading-api.port: "eighty" must be a whole number`,
      `${FILE}: services.trading-api.image: "ghcr.io/acme/api:latest" uses the "latest" tag: pin a version or a digest; "latest" is allowed only in dev`,
    ]);
  });

  it('a file that is not a mapping says so, without dumping it', () => {
    expect(environmentProblems('prod', FILE, stringify(['a', 'list', 'x'.repeat(500)]))).toEqual([
      `${FILE}: the file must be a mapping of keys (like "tier: prod"), not a list or a single value`,
    ]);
  });
});

// Random mutations of the reference environment files: each ends in a synth whose every object is
// valid against the strict schemas, or in problems that each name the file (and a field); never in a
// program error, never in library wording. Seeded, so a failure names a reproducible case.
describe('random bad input (seeded)', () => {
  const schemas = new SchemaValidator();
  const environments = loadProject(ROOT).environments;
  const texts: Record<string, string> = Object.fromEntries(
    ['dev', 'staging', 'prod', 'gitops'].map((n) => [n, readFileSync(join(ROOT, 'environments', `${n}.yaml`), 'utf8')]),
  );
  // The reference files with every field this release added set, so mutations reach them too (issues 21 and 22).
  const withNewFields = (name: 'staging' | 'prod', edit: (d: Record<string, Record<string, Record<string, Record<string, unknown>>>>) => void) => {
    const doc = parse(texts[name]) as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
    edit(doc);
    return stringify(doc);
  };
  texts['prod-new'] = withNewFields('prod', (d) => {
    const api = d.services['trading-api'];
    (api.release as Record<string, unknown>).releaseMinReplicas = 12;
    api.rollout = { drainSeconds: 15, drainHook: 'exec-sleep' };
    api.autoscaling = { minReplicas: 3, maxReplicas: 20, memoryOfLimit: 75, requestsPerSecond: 50 };
    const web = d.services['trading-web'];
    web.exposure = { ingress: { hosts: ['trading.example.com'], rateLimit: { requestsPerSecond: 20, burstMultiplier: 5, connections: 10 } } };
    (d.databases['trading-db'].backup as Record<string, unknown>).egress = { cidr: '52.216.0.0/15' };
    (d as Record<string, unknown>).secretRotation = { reloader: false };
    (d as Record<string, unknown>).notifications = { slack: { channel: 'trading-releases', secretName: 'slack-notifications' }, onSuccess: false };
  });
  texts['staging-new'] = withNewFields('staging', (d) => {
    d.services['trading-api'].release = {
      strategy: 'canary',
      engine: 'argo-rollouts',
      dynamicStableScale: true,
      analysis: { customMetrics: [{ name: 'order-errors', query: 'sum(rate(orders_failed_total[2m]))', failureCondition: 'result[0] > 5' }] },
    };
  });
  const NAMES = ['dev', 'staging', 'prod', 'gitops', 'prod-new', 'staging-new'];
  const VALUES: unknown[] = [
    null,
    true,
    false,
    0,
    -1,
    70000,
    1e9,
    3.5,
    '',
    ' ',
    'x'.repeat(300),
    'UPPER',
    'latest',
    '../x',
    'kube-system',
    [],
    {},
    ['a'],
    { a: 1 },
    'ghcr.io/Acme/x:1',
    '10.0.0.0/33',
    '5 minutes',
    '0.0.0.0/0',
    'trading-db',
    'blue',
    'job',
    'canary',
    'hunter2',
    'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX',
    86400,
  ];
  const INTERNAL = /undefined|must NOT|There is already a Construct|\bat .*\.ts:\d+|\[object Object\]|NaN/;

  /** A small deterministic PRNG (mulberry32). */
  const prng =
    (seed: number): (() => number) =>
    () => {
      seed |= 0;
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  const paths = (node: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> => {
    if (node === null || typeof node !== 'object') return [prefix];
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    return [prefix, ...keys.flatMap((k) => paths((node as Record<string | number, unknown>)[k], [...prefix, k]))];
  };
  const mutate = (text: string, random: () => number): string => {
    const doc: unknown = parse(text);
    const all = paths(doc).filter((p) => p.length > 0);
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      const path = all[Math.floor(random() * all.length)];
      let parent: unknown = doc;
      for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, unknown> | null)?.[k];
      if (parent === null || typeof parent !== 'object') continue;
      const key = path[path.length - 1];
      const p = parent as Record<string | number, unknown>;
      const roll = random();
      if (roll < 0.25 && !Array.isArray(p)) delete p[key];
      else if (roll < 0.35 && !Array.isArray(p)) {
        p[`${String(key)}s`] = p[key];
        delete p[key];
      } else p[key] = VALUES[Math.floor(random() * VALUES.length)];
    }
    return stringify(doc);
  };

  it('starts from valid files, the new fields of this release set in two of them', () => {
    for (const variant of NAMES.filter((n) => n.endsWith('-new'))) {
      const name = variant.replace(/-new$/, '');
      expect(parseEnvironment(name, `environments/${name}.yaml`, texts[variant]).problems, variant).toEqual([]);
    }
  });

  it('never ends in a program error, an invalid object, or a message without a file and a field', () => {
    const random = prng(20261123);
    const started = Date.now();
    let runs = 0;
    let rejected = 0;
    for (; runs < 600 && Date.now() - started < 18_000; runs++) {
      const variant = NAMES[runs % NAMES.length];
      const name = variant.replace(/-new$/, '');
      const file = `environments/${name}.yaml`;
      const text = mutate(texts[variant], random);
      const context = `case ${runs} (${file}):\n${text}`;
      let problems: readonly string[] = [];
      try {
        if (name === 'gitops') {
          const config = parseGitOps(file, text);
          const folders = renderGitOps(
            config,
            environments,
            new Map(environments.map((e) => [e.name, ['10-namespace', '20-config', '30-database', '40-migration', '50-application']])),
          );
          for (const f of folders.flatMap((x) => x.files).filter((x) => !x.path.endsWith('kustomization.yaml'))) {
            expect(schemas.validate(parse(f.content) as { apiVersion: string; kind: string }), `${context}\n${f.path}`).toEqual([]);
          }
        } else {
          const parsed = parseEnvironment(name, file, text);
          if (!parsed.environment) throw new ConfigurationError(parsed.problems);
          for (const f of renderEnvironment(parsed.environment).files.filter((x) => !x.path.endsWith('kustomization.yaml'))) {
            expect(schemas.validate(parse(f.content) as { apiVersion: string; kind: string }), `${context}\n${f.path}`).toEqual([]);
          }
        }
      } catch (e) {
        if (!(e instanceof ConfigurationError)) throw new Error(`${context}\nprogram error: ${(e as Error).stack}`);
        problems = e.problems;
        rejected++;
      }
      for (const p of problems) {
        expect(p.startsWith(`${file}: `), `${context}\n${p}`).toBe(true);
        // A field path names each segment once (never `services.api.replicas.replicas`).
        const segments = p
          .slice(file.length + 2)
          .split(': ')[0]
          .split(/[.[\]]+/)
          .filter(Boolean);
        expect(
          segments.filter((seg, i) => i > 0 && seg === segments[i - 1]),
          `${context}\n${p}`,
        ).toEqual([]);
        // A misspelt key is one problem, not also "is required".
        const required = new RegExp(`^${file}: (.*)\\.([^.]+): is required`).exec(p);
        if (required) {
          const typo = problems.find((q) => q.startsWith(`${file}: ${required[1]}.`) && q.includes(`(did you mean "${required[2]}"`));
          expect(typo, `${context}\n${p}`).toBeUndefined();
        }
        // A credential written in a field that names a Secret is never repeated.
        if (namesSecret(segments.join('.'))) expect(p, `${context}\n${p}`).not.toMatch(/ghp_|hooks\.slack/);
        expect(p.slice(file.length + 2).trim(), `${context}\n${p}`).not.toBe('');
        expect(p, `${context}\n${p}`).not.toMatch(INTERNAL);
        expect(p.length, `${context}\n${p}`).toBeLessThan(600);
      }
    }
    // The mutations reach both outcomes.
    expect(runs).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(10);
    expect(runs - rejected).toBeGreaterThan(0);
  });
});
