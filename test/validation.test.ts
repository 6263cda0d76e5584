import { Duration } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../src/core/quantity';
import { SecretRef } from '../src/core/secrets';
import { ConfigurationError } from '../src/core/problems';
import { TradingNamespace } from '../src/namespace/trading-namespace';
import { Exposure } from '../src/api-service/exposure';
import { Migration } from '../src/api-service/migration';
import { Scaling } from '../src/api-service/scaling';
import { TradingBackend, TradingBackendProps } from '../src/trading-backend/trading-backend';
import { modelProblems } from './support/models';
import { restrictedViolations } from '../src/policy/pod-security-standards';
import { errorOf, render } from './support/render';

const IMAGE = 'ghcr.io/acme/api:1.0.0';

function backendError(props: Partial<TradingBackendProps>, id = 'api'): ConfigurationError {
  const e = errorOf(() => render((s) => new TradingBackend(s, id, { image: IMAGE, ...props })));
  expect(e).toBeInstanceOf(ConfigurationError);
  return e as ConfigurationError;
}

describe('TradingBackend props: each bad value names the construct, the field and what is allowed', () => {
  it('rejects an untagged image outside dev', () => {
    expect(backendError({ image: 'ghcr.io/acme/api' }).problems).toEqual([
      'TradingBackend test/api: image: "ghcr.io/acme/api" has no tag: pin a version ("ghcr.io/acme/api:1.2.3") or a digest; untagged images are allowed only in dev',
    ]);
  });

  it('rejects the latest tag outside dev', () => {
    expect(backendError({ image: 'ghcr.io/acme/api:latest' }).message).toContain('image: "ghcr.io/acme/api:latest" uses the "latest" tag');
  });

  it('accepts a digest and a registry port', () => {
    const digest = `registry.local:5000/acme/api@sha256:${'a'.repeat(64)}`;
    expect(() => render((s) => new TradingBackend(s, 'api', { image: digest }))).not.toThrow();
    expect(() => render((s) => new TradingBackend(s, 'api', { image: 'registry.local:5000/acme/api:2.1' }))).not.toThrow();
    expect(backendError({ image: 'registry.local:5000/acme/api' }).message).toContain('has no tag');
  });

  it('rejects a CPU limit below its request', () => {
    expect(backendError({ resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '100m', memory: '1Gi' } } }).problems).toEqual([
      'TradingBackend test/api: resources.limits.cpu: "100m" is below the request "500m": it must be at least that',
    ]);
  });

  it('rejects a memory limit below its request', () => {
    expect(backendError({ resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '1', memory: '1024Mi' } } }).message).toContain(
      'resources.limits.memory: "1024Mi" is below the request "2Gi"',
    );
  });

  it('rejects malformed quantities', () => {
    const e = backendError({ resources: { requests: { cpu: '500 millicores', memory: '512MB' }, limits: { cpu: '1', memory: '1Gi' } } });
    expect(e.problems).toEqual([
      'TradingBackend test/api: resources.requests.cpu: "500 millicores" is not a Kubernetes quantity; use a value like "500m" or "2"',
      'TradingBackend test/api: resources.requests.memory: "512MB" is not a Kubernetes quantity; use a value like "512Mi" or "2Gi"',
    ]);
  });

  it('rejects min replicas above max', () => {
    expect(errorOf(() => Scaling.autoscale({ minReplicas: 5, maxReplicas: 3 })).message).toBe(
      'Scaling.autoscale: minReplicas: 5 is above maxReplicas 3: minReplicas must be at most maxReplicas',
    );
  });

  it('rejects utilisation targets and replica counts out of range', () => {
    expect(errorOf(() => Scaling.autoscale({ cpuUtilization: 150 })).message).toContain(
      'cpuUtilization: 150 is out of range: use a whole number from 1 to 100',
    );
    expect(errorOf(() => Scaling.fixed(0)).message).toContain('replicas: 0 is out of range');
  });

  it('rejects invalid DNS names', () => {
    expect(backendError({}, 'Trading_API').problems).toEqual([
      'TradingBackend test/Trading_API: name: "Trading_API" is not a valid name: use at most 50 lower-case letters, digits and "-", starting and ending with a letter or digit',
    ]);
    expect(backendError({ name: 'a'.repeat(51) }).message).toContain('at most 50');
    expect(errorOf(() => SecretRef.fromSecret('Bad Secret', 'k')).message).toContain('secretName: "Bad Secret" is not a valid name');
  });

  it('rejects ports out of range and a metrics port equal to the HTTP port', () => {
    expect(backendError({ port: 70000 }).message).toContain('port: 70000 is not a valid port: use a whole number from 1 to 65535');
    expect(backendError({ port: 9090 }).message).toContain('metricsPort: 9090 is the HTTP port too');
  });

  it('rejects invalid hostnames', () => {
    expect(errorOf(() => Exposure.gateway({ gatewayName: 'public', gatewayNamespace: 'gw', hosts: ['api_example.com'] })).message).toBe(
      'Exposure.gateway: hosts[0]: "api_example.com" is not a valid hostname: use a fully qualified lower-case DNS name like "api.example.com" (a leading "*." is allowed)',
    );
    expect(errorOf(() => Exposure.ingress({ hosts: [] })).message).toContain('hosts: [] must list at least one hostname');
    expect(() => Exposure.ingress({ hosts: ['*.example.com'] })).not.toThrow();
  });

  it('rejects duplicate service names in one chart', () => {
    const e = errorOf(() =>
      render((s) => {
        new TradingBackend(s, 'api', { image: IMAGE });
        new TradingBackend(s, 'api-v2', { image: IMAGE, name: 'api' });
      }),
    );
    expect(e.message).toContain('test/api-v2: name: "api" is already used by test/api (Deployment/api): names must be unique per kind and namespace');
  });

  it('rejects a grace period not longer than the drain', () => {
    expect(backendError({ rollout: { drain: Duration.seconds(30), terminationGracePeriod: Duration.seconds(30) } }).message).toContain(
      'rollout.terminationGracePeriod: 30s must be longer than the drain (30s)',
    );
  });

  it('rejects external secrets without a store, and a variable that is both config and secret', () => {
    const e = backendError({
      config: { TOKEN: 'x' },
      secretEnv: { TOKEN: SecretRef.fromSecret('s', 'k'), DSN: SecretRef.fromExternalStore('prod/api', 'dsn') },
    });
    expect(e.problems).toEqual([
      'TradingBackend test/api: secretEnv.TOKEN: "TOKEN" is also set in config: a variable is either config or secret',
      'TradingBackend test/api: secretStore: is required because DSN comes from an external store',
    ]);
  });

  it('rejects a migration Job without a command', () => {
    expect(errorOf(() => Migration.job({ command: [] })).message).toContain('command: [] must be a non-empty list of non-empty strings');
  });

  it('rejects bad env var names and HTTP paths', () => {
    const e = backendError({ config: { 'log-level': 'x' }, healthCheck: { readinessPath: 'health' } });
    expect(e.problems).toEqual([
      'TradingBackend test/api: healthCheck.readinessPath: "health" is not an HTTP path: use an absolute path like "/health"',
      'TradingBackend test/api: config.log-level: "log-level" is not a valid environment variable name: use letters, digits and "_", not starting with a digit',
    ]);
  });

  it('lists every problem at once', () => {
    expect(backendError({ image: 'x:latest', port: 0, runAsUser: 0 }).problems).toHaveLength(3);
  });

  it('rejects bad namespace props', () => {
    const e = errorOf(() =>
      render(
        (s) =>
          new TradingNamespace(s, 'ns', {
            name: 'Trading',
            quota: { requestsCpu: '8', requestsMemory: '8Gi', limitsCpu: '4', limitsMemory: '8GB', pods: 10 },
          }),
      ),
    );
    expect((e as ConfigurationError).problems).toEqual([
      'TradingNamespace test/ns: name: "Trading" is not a valid name: use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
      'TradingNamespace test/ns: quota.limitsMemory: "8GB" is not a Kubernetes quantity; use a value like "512Mi" or "2Gi"',
      'TradingNamespace test/ns: quota.limitsCpu: "4" is below requestsCpu "8": it must be at least that',
    ]);
  });
});

describe('quantities', () => {
  it('parses the apiserver grammar', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1.5G')).toBe(1.5e9);
    expect(parseQuantity('1e3')).toBe(1000);
    for (const bad of ['', 'Gi', '1.2.3', '512MB', '1 Gi', '-']) expect(parseQuantity(bad), bad).toBeUndefined();
  });
});

describe('test support can fail', () => {
  it('the model validator flags a wrong type and an unmodelled kind', async () => {
    const broken = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 'eighty' }] } };
    expect((await modelProblems(broken))[0]).toContain('Service/s:');
    expect(await modelProblems({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      'Widget/w: unknown kind: no schema for apiVersion "example.com/v1" kind "Widget"',
    ]);
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: {}, template: {}, replcas: 2 } };
    expect(await modelProblems(deployment)).toContain('Deployment/d: spec: unknown field "replcas"');
  });

  it('the vendored CRD schemas are strict: an unknown or deprecated-shape field fails', async () => {
    const cluster = { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'db' }, spec: { instances: 3, instancess: 1 } };
    expect(await modelProblems(cluster)).toEqual(['Cluster/db: spec: unknown field "instancess"']);
    const store = {
      apiVersion: 'barmancloud.cnpg.io/v1',
      kind: 'ObjectStore',
      metadata: { name: 's' },
      spec: { retentionPolicy: '30 days', configuration: { destinationPath: 's3://b' } },
    };
    expect((await modelProblems(store))[0]).toContain('ObjectStore/s: spec.retentionPolicy: must match pattern');
  });

  it('the restricted-profile checker flags a root, privileged container', () => {
    const v = restrictedViolations({
      containers: [{ name: 'c', securityContext: { privileged: true, runAsUser: 0 } }],
      volumes: [{ name: 'h', hostPath: { path: '/' } }],
    });
    expect(v).toEqual(
      expect.arrayContaining([
        'volume h of type hostPath',
        'container c: privileged',
        'container c: allowPrivilegeEscalation must be false',
        'container c: runAsNonRoot must be true',
        'container c: runAsUser 0',
        'container c: capabilities must drop ALL',
      ]),
    );
  });
});
