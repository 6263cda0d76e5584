import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestView } from '../src/policy/manifest-view';
import { checkPolicies, POLICY_RULES, PolicyRuleId, unusedWaivers } from '../src/policy/policies';
import { Exposure } from '../src/api-service/exposure';
import { Scaling } from '../src/api-service/scaling';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { renderEnvironment } from '../src/synth/project';
import { Container, PodSpec } from './support/kinds';
import { editable, Manifest, renderManifests } from './support/render';
import { at, JsonMap, parseMap } from './support/yaml';

/** A compliant, replicated backend: the baseline every rule test breaks one thing in. */
const baseline = (): Manifest[] =>
  renderManifests(
    (s) =>
      new TradingBackend(s, 'api', {
        image: 'ghcr.io/acme/api:1.0.0',
        scaling: Scaling.autoscale({ minReplicas: 2, maxReplicas: 4 }),
        exposure: Exposure.gateway({ gatewayName: 'public', gatewayNamespace: 'gw', hosts: ['api.example.com'] }),
      }),
  );

const rulesOf = (objects: Manifest[], options = {}): string[] =>
  checkPolicies(objects as unknown as ManifestView[], options)
    .filter((f) => !f.waiver)
    .map((f) => `${f.rule} ${f.object}: ${f.message}`);

function breaking(mutate: (objects: Manifest[]) => void): string[] {
  const objects = structuredClone(baseline());
  mutate(objects);
  return rulesOf(objects);
}

// The baseline's Deployment has a pod spec with a container; `!` skips the model's optionality.
const podSpec = (objects: Manifest[]): PodSpec => editable(objects, 'Deployment').spec!.template.spec!;
const container = (objects: Manifest[]): Container => podSpec(objects).containers[0];

describe('policy rules', () => {
  it('the construct output passes every rule', () => {
    expect(rulesOf(baseline())).toEqual([]);
  });

  it('has an id and a description for each rule', () => {
    expect(Object.keys(POLICY_RULES)).toHaveLength(13);
    for (const text of Object.values(POLICY_RULES)) expect(text.length).toBeGreaterThan(20);
  });

  it('pod-security-restricted: a privileged, root container', () => {
    expect(
      breaking((o) => {
        container(o).securityContext = { privileged: true, runAsUser: 0 };
      }),
    ).toEqual(
      expect.arrayContaining([
        'pod-security-restricted Deployment/api: container api: privileged',
        'pod-security-restricted Deployment/api: container api: runAsUser 0',
      ]),
    );
  });

  it('workload-probes: a container without probes', () => {
    expect(
      breaking((o) => {
        delete container(o).readinessProbe;
        delete container(o).livenessProbe;
      }),
    ).toEqual([
      'workload-probes Deployment/api: container "api" has no readinessProbe',
      'workload-probes Deployment/api: container "api" has no livenessProbe',
    ]);
  });

  it('resources-set: a container without a memory limit', () => {
    expect(
      breaking((o) => {
        delete container(o).resources!.limits!.memory;
      }),
    ).toEqual(['resources-set Deployment/api: container "api" sets no memory limit']);
  });

  it('image-pinned: latest, unless allowed', () => {
    expect(
      breaking((o) => {
        container(o).image = 'ghcr.io/acme/api:latest';
      }),
    ).toEqual([
      'image-pinned Deployment/api: container "api": image "ghcr.io/acme/api:latest" uses the "latest" tag: pin a version or a digest; "latest" is allowed only in dev',
    ]);
    const objects = structuredClone(baseline());
    container(objects).image = 'ghcr.io/acme/api:latest';
    expect(rulesOf(objects, { allowLatestTag: true })).toEqual([]);
  });

  it('replicated-has-pdb and pdb-selects-pods: a PDB that selects nothing', () => {
    expect(
      breaking((o) => {
        editable(o, 'PodDisruptionBudget').spec!.selector!.matchLabels = { app: 'other' };
      }),
    ).toEqual([
      'replicated-has-pdb Deployment/api: can run 4 pods but no PodDisruptionBudget selects them',
      "pdb-selects-pods PodDisruptionBudget/api: its selector matches no workload's pods",
    ]);
  });

  it('replicated-has-spread: a replicated workload without spread', () => {
    expect(
      breaking((o) => {
        delete podSpec(o).topologySpreadConstraints;
      }),
    ).toEqual(['replicated-has-spread Deployment/api: can run 4 pods but sets no topologySpreadConstraints']);
  });

  it('network-policy-coverage: no policy for the pods (a select-all default-deny does not count)', () => {
    expect(
      breaking((o) => {
        const np = editable(o, 'NetworkPolicy');
        np.spec!.podSelector = {};
      }),
    ).toEqual(['network-policy-coverage Deployment/api: no NetworkPolicy (other than a select-all default-deny) selects its pods']);
  });

  it('service-selects-pods: a Service whose selector matches no pods', () => {
    expect(
      breaking((o) => {
        editable(o, 'Service').spec!.selector = { 'app.kubernetes.io/name': 'typo' };
      }),
    ).toEqual(['service-selects-pods Service/api: its selector {"app.kubernetes.io/name":"typo"} matches no workload\'s pods']);
  });

  it('hpa-target-exists: an HPA for a missing workload', () => {
    expect(
      breaking((o) => {
        editable(o, 'HorizontalPodAutoscaler').spec!.scaleTargetRef.name = 'gone';
      }),
    ).toEqual([
      'hpa-target-exists HorizontalPodAutoscaler/api: targets Deployment/gone, which is not in the manifests',
      // Without its HPA the Deployment runs one pod, so the replication rules no longer apply.
    ]);
  });

  it('no-secret-data: a Secret with data', () => {
    expect(
      breaking((o) => {
        o.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: 'aHVudGVyMg==' } });
      }),
    ).toEqual(['no-secret-data Secret/s: carries data; reference an existing Secret or an ExternalSecret instead']);
  });

  it('no-credentials: a Secret reference or a URL that holds a credential, in any kind, never repeated', () => {
    const token = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const found = breaking((o) => {
      const pod = podSpec(o);
      pod.imagePullSecrets = [{ name: token }];
      container(o).env = [
        { name: 'DSN', value: 'postgresql://trading:hunter2hunter2@db:5432/trading' },
        { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'trading-db-app', key: token } } },
      ];
      container(o).args = ['--aws-key=AKIAIOSFODNN7EXAMPLE'];
      o.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'hooks' },
        data: { URL: 'see https://example.com/hook?access_token=abc123def456' },
      });
    });
    expect(found).toEqual([
      expect.stringMatching(/^no-credentials Deployment\/api: spec\.template\.spec\.containers\[0\]\.env\[0\]\.value: looks like a credential/),
      expect.stringMatching(
        /^no-credentials Deployment\/api: spec\.template\.spec\.containers\[0\]\.env\[1\]\.valueFrom\.secretKeyRef\.key: looks like/,
      ),
      expect.stringMatching(/^no-credentials Deployment\/api: spec\.template\.spec\.containers\[0\]\.args\[0\]: looks like a credential/),
      expect.stringMatching(/^no-credentials Deployment\/api: spec\.template\.spec\.imagePullSecrets\[0\]\.name: looks like a credential/),
      expect.stringMatching(/^no-credentials ConfigMap\/hooks: data\.URL: looks like a credential/),
    ]);
    expect(found.join('\n')).not.toMatch(/ghp_|hunter2|abc123|AKIA/);
    // $(VAR) references filled from the environment, a user without a password, and names are not credentials.
    expect(
      breaking((o) => {
        container(o).env = [
          { name: 'DATABASE_URL', value: 'postgresql://$(PGUSER):$(PGPASSWORD)@trading-db-rw:5432/trading' },
          { name: 'REPO', value: 'ssh://git@github.com/acme/deploy.git' },
          { name: 'JWT', valueFrom: { secretKeyRef: { name: 'trading-api-secrets', key: 'jwt-secret' } } },
        ];
      }),
    ).toEqual([]);
  });

  it('limit-range-admits: limits above max, requests below min, a ratio above the maximum, all after the defaults', () => {
    const limitRange = (limits: Record<string, unknown>): Manifest => ({
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'bounds', namespace: 'trading-test' },
      spec: { limits: [{ type: 'Container', ...limits }] },
    });
    // The baseline's container: 500m/512Mi requested, 2000m/2Gi limit (a production matrix row).
    expect(rulesOf([...baseline(), limitRange({ max: { cpu: '4', memory: '8Gi' }, min: { cpu: '100m' } })])).toEqual([]);
    expect(rulesOf([...baseline(), limitRange({ max: { cpu: '1', memory: '1Gi' } })])).toEqual([
      'limit-range-admits Deployment/api: container "api": cpu limit "2000m" is above the max "1" of LimitRange bounds: the API server rejects every pod',
      'limit-range-admits Deployment/api: container "api": memory limit "2Gi" is above the max "1Gi" of LimitRange bounds: the API server rejects every pod',
    ]);
    expect(rulesOf([...baseline(), limitRange({ min: { memory: '1Gi' }, maxLimitRequestRatio: { cpu: '2' } })])).toEqual([
      'limit-range-admits Deployment/api: container "api": memory request "512Mi" is below the min "1Gi" of LimitRange bounds: the API server rejects every pod',
      'limit-range-admits Deployment/api: container "api": cpu limit "2000m" is 4 times the request "500m", above the maxLimitRequestRatio "2" of LimitRange bounds: the API server rejects every pod',
    ]);
    // A container without limits gets the LimitRange's default, which is then held to the max.
    const objects = structuredClone(baseline());
    delete container(objects).resources;
    expect(rulesOf([...objects, limitRange({ max: { cpu: '1' }, default: { cpu: '2' } })]).filter((r) => r.startsWith('limit-range'))).toEqual([
      'limit-range-admits Deployment/api: container "api": cpu limit "2" is above the max "1" of LimitRange bounds: the API server rejects every pod',
    ]);
  });

  it('a waiver accepts exactly its rule and object; one that accepts nothing is reported', () => {
    const objects = structuredClone(baseline());
    delete podSpec(objects).topologySpreadConstraints;
    const waivers = [
      { rule: 'replicated-has-spread' as PolicyRuleId, object: 'Deployment/api', reason: 'single-zone lab cluster, one node' },
      { rule: 'workload-probes' as PolicyRuleId, object: 'Deployment/api', reason: 'stale exception from an earlier release' },
    ];
    const findings = checkPolicies(objects as unknown as ManifestView[], { waivers });
    expect(findings.map((f) => [f.rule, f.waiver?.reason])).toEqual([['replicated-has-spread', 'single-zone lab cluster, one node']]);
    expect(unusedWaivers(findings, waivers)).toEqual([waivers[1]]);
  });
});

/** Every problem a synth of `text` reports: the file's, else the rendered objects' (the policy rules). */
function synthProblems(env: string, file: string, text: string): string[] {
  const parsed = parseEnvironment(env, file, text);
  if (parsed.problems.length > 0) return parsed.problems;
  try {
    renderEnvironment(parsed.environment!);
    return [];
  } catch (e) {
    return (e as { problems: string[] }).problems;
  }
}

describe('policy rules in the synth', () => {
  const base = readFileSync(join(__dirname, '..', 'environments', 'staging.yaml'), 'utf8');
  const FILE = 'environments/staging.yaml';
  const renderWith = (edit: (doc: JsonMap) => void): string[] => {
    const doc = parseMap(base);
    edit(doc);
    return synthProblems('staging', FILE, JSON.stringify(doc));
  };

  it('fails the synth on a violation, naming the file, the rule and the object; a waiver with a reason accepts it', () => {
    expect(
      renderWith((d) => {
        at(d, 'services', 'trading-api').networkPolicy = false;
      }),
    ).toEqual([
      `${FILE}: policy network-policy-coverage: Job/trading-api-migrate: no NetworkPolicy (other than a select-all default-deny) selects its pods`,
      `${FILE}: policy network-policy-coverage: Job/trading-api-migrate-rollback: no NetworkPolicy (other than a select-all default-deny) selects its pods`,
      `${FILE}: policy network-policy-coverage: Rollout/trading-api: no NetworkPolicy (other than a select-all default-deny) selects its pods`,
    ]);
    expect(
      renderWith((d) => {
        at(d, 'services', 'trading-api').networkPolicy = false;
        d.waivers = [
          { rule: 'network-policy-coverage', object: 'Rollout/trading-api', reason: 'a service mesh enforces traffic policy here' },
          { rule: 'network-policy-coverage', object: 'Job/trading-api-migrate', reason: 'a service mesh enforces traffic policy here' },
          { rule: 'network-policy-coverage', object: 'Job/trading-api-migrate-rollback', reason: 'a service mesh enforces traffic policy here' },
        ];
      }),
    ).toEqual([]);
  });

  it("fails the synth when a database's limits are above the tier's LimitRange max (the API server would reject its pods)", () => {
    expect(
      renderWith((d) => {
        at(d, 'databases', 'trading-db').resources = { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '8', memory: '16Gi' } };
      }),
    ).toEqual([
      // At the field the file sets, before any object is built (the policy rule judges what the TypeScript door builds).
      `${FILE}: databases.trading-db.resources.limits.cpu: "8" is above the staging tier's LimitRange max "4" (containerLimits.max.cpu): the API server rejects every pod of it; use at most "4", or raise containerLimits.max.cpu`,
      `${FILE}: databases.trading-db.resources.limits.memory: "16Gi" is above the staging tier's LimitRange max "8Gi" (containerLimits.max.memory): the API server rejects every pod of it; use at most "8Gi", or raise containerLimits.max.memory`,
    ]);
  });

  it('reports a waiver that accepts nothing', () => {
    expect(
      renderWith((d) => {
        d.waivers = [{ rule: 'no-secret-data', object: 'Secret/nothing', reason: 'an exception nobody needs any more' }];
      }),
    ).toEqual([`${FILE}: waivers: no-secret-data for Secret/nothing accepts nothing; remove it`]);
  });

  it('rejects waivers without a real reason', () => {
    const doc = parseMap(base);
    doc.waivers = [{ rule: 'replicated-has-spread', object: 'Rollout/trading-api', reason: 'because' }];
    expect(parseEnvironment('staging', FILE, JSON.stringify(doc)).problems).toEqual([
      `${FILE}: waivers[0].reason: "because" is too short: say why the exception is acceptable`,
    ]);
  });
});

describe('the namespace LimitRange from an environment file', () => {
  const FILE = 'environments/prod.yaml';
  const prod = readFileSync(join(__dirname, '..', 'environments', 'prod.yaml'), 'utf8');
  const big = '  trading-db:\n    resources: { requests: { cpu: "1", memory: 2Gi }, limits: { cpu: "8", memory: 8Gi } }\n';

  it("is the tier's, quantity by quantity under what the file gives; what it admits follows", () => {
    const withDb = prod.replace(/^  trading-db:\n/m, big);
    expect(withDb).not.toBe(prod);
    expect(synthProblems('prod', FILE, withDb)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('databases.trading-db.resources.limits.cpu: "8" is above the prod tier\'s LimitRange max "4"'),
      ]),
    );
    const raised = `${withDb}containerLimits: { max: { cpu: "8" } }\n`;
    expect(synthProblems('prod', FILE, raised)).toEqual([]);
    const files = renderEnvironment(parseEnvironment('prod', FILE, raised).environment!).files;
    const limitRange = files.find((f) => f.path.endsWith('limitrange-container-defaults.yaml'))?.content ?? '';
    expect(limitRange).toMatch(/max:\n {8}cpu: "8"\n {8}memory: 8Gi/);
    expect(limitRange).toMatch(/default:\n {8}cpu: 500m\n {8}memory: 512Mi/);
  });

  it('names the field of a bound below a default', () => {
    expect(environmentProblems('prod', FILE, `${prod}containerLimits: { max: { cpu: 100m } }\n`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^environments\/prod\.yaml: containerLimits\.max\.cpu: "100m" is below the default limit/)]),
    );
  });
});
