import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { Scaling } from '../src/api-service/scaling';
import { CanaryStep } from '../src/canary/engine-options';
import { PART_OF_CONTEXT } from '../src/core/labels';
import { PLACEMENT_CONTEXT } from '../src/core/placement';
import { DNS_CONTEXT } from '../src/core/network-peer';
import { MONITORING_CONTEXT } from '../src/monitoring/settings';
import { synthesizeProject } from '../src/synth/project';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { scratchProject } from './support/project';
import { parseGitOps } from '../src/config/gitops-config';
import { ConfigurationError } from '../src/core/problems';
import { checkSecretKey, SecretRef } from '../src/core/secrets';
import { Notifications } from '../src/gitops/notifications';
import { Exposure } from '../src/api-service/exposure';
import { fileOf, problemsAfter } from './support/environment-edit';
import { at, JsonMap } from './support/yaml';
import { errorOf, render } from './support/render';

const IMAGE = 'ghcr.io/acme-trading/trading-api:1.4.2';

/** The problems a TypeScript call throws. */
const thrown = (fn: () => unknown): string[] => {
  const e = errorOf(fn);
  expect(e).toBeInstanceOf(ConfigurationError);
  return [...(e as ConfigurationError).problems];
};

describe('messages point at what the user wrote', () => {
  it('a misspelt required key is one problem: the unknown key, naming the key it stands for (no extra "is required")', () => {
    const cases: Array<[string, (d: JsonMap) => void, string]> = [
      [
        'dev',
        (d) => {
          const db = at(d, 'databases', 'trading-db');
          db.credentialSecret = db.credentialsSecret;
          delete db.credentialsSecret;
        },
        'databases.trading-db.credentialSecret: unknown key (did you mean "credentialsSecret", which is required?)',
      ],
      [
        'prod',
        (d) => {
          d.namespce = d.namespace;
          delete d.namespace;
        },
        'namespce: unknown key (did you mean "namespace", which is required?)',
      ],
      [
        'staging',
        (d) => {
          const slack = at(d, 'notifications', 'slack');
          slack.chanel = slack.channel;
          delete slack.channel;
        },
        'notifications.slack.chanel: unknown key (did you mean "channel", which is required?)',
      ],
    ];
    for (const [env, edit, start] of cases) {
      const problems = problemsAfter(env, edit);
      expect(problems, start).toHaveLength(1);
      expect(problems[0].startsWith(`${fileOf(env)}: ${start}; allowed: `), problems[0]).toBe(true);
    }
  });

  it('a misspelt key that picks the kind of its block (a migration mode, a release strategy) or of a secret reference is that one problem', () => {
    const rename = (o: JsonMap, from: string, to: string): void => {
      o[to] = o[from];
      delete o[from];
    };
    expect(problemsAfter('staging', (d) => rename(at(d, 'services', 'trading-api', 'migration'), 'mode', 'mod'))).toEqual([
      `${fileOf('staging')}: services.trading-api.migration.mod: unknown key (did you mean "mode", which is required?)`,
    ]);
    expect(problemsAfter('staging', (d) => rename(at(d, 'services', 'trading-api', 'release'), 'strategy', 'stategy'))).toEqual([
      `${fileOf('staging')}: services.trading-api.release.stategy: unknown key (did you mean "strategy", which is required?)`,
    ]);
    expect(problemsAfter('staging', (d) => rename(at(d, 'services', 'trading-api', 'secretEnv', 'JWT_SECRET'), 'remoteKey', 'remotekey'))).toEqual([
      `${fileOf('staging')}: services.trading-api.secretEnv.JWT_SECRET.remotekey: unknown key (did you mean "remoteKey"?); a reference is {secretName, key} or {remoteKey, property}`,
    ]);
  });

  it('a typo inside a block that may also be true or false (a pooler) is that typo alone; a value of neither form is one line', () => {
    const pooler = (value: unknown) => problemsAfter('prod', (d) => (at(d, 'databases', 'trading-db').pooler = value as JsonMap));
    expect(pooler({ instances: 2, poolMode: 'transactoin' })).toEqual([
      `${fileOf('prod')}: databases.trading-db.pooler.poolMode: "transactoin" is not allowed; use one of "session", "transaction"`,
    ]);
    expect(pooler({ instance: 2 })).toEqual([
      `${fileOf('prod')}: databases.trading-db.pooler.instance: unknown key (did you mean "instances"?); allowed: name, instances, poolMode, maxClientConnections, defaultPoolSize`,
    ]);
    expect(pooler('sometimes')).toEqual([`${fileOf('prod')}: databases.trading-db.pooler: "sometimes" must be true or false or a mapping of keys`]);
  });

  it('a misspelt database of a service, or a misspelt remoteKey, is the one problem: not also what follows from it', () => {
    expect(problemsAfter('dev', (d) => (at(d, 'services', 'trading-api').database = 'trading-dbb'))).toEqual([
      `${fileOf('dev')}: services.trading-api.database: "trading-dbb" is not a database of this environment; use one of trading-db`,
    ]);
    const typo = problemsAfter('prod', (d) => {
      const cache = at(d, 'caches', 'trading-cache');
      cache.remotKey = cache.remoteKey;
      delete cache.remoteKey;
    });
    expect(typo).toEqual([
      expect.stringMatching(/^environments\/prod\.yaml: caches\.trading-cache\.remotKey: unknown key \(did you mean "remoteKey"\?\)/),
    ]);
    // Neither source, and no typo of one: still said.
    expect(problemsAfter('prod', (d) => delete at(d, 'caches', 'trading-cache').remoteKey)).toEqual([
      `${fileOf('prod')}: caches.trading-cache.credentialsSecret: needs exactly one of credentialsSecret (an existing Secret with the password) or remoteKey (an entry of the secretStore)`,
    ]);
    // A database nobody names is still said when no service names a missing one.
    expect(problemsAfter('dev', (d) => delete at(d, 'services', 'trading-api').database)).toEqual(
      expect.arrayContaining([
        `${fileOf('dev')}: databases.trading-db: no service connects to it (set \`database: trading-db\` on the services that use it), or remove it`,
      ]),
    );
  });

  it('a secretStore written with a bad name is that one problem, not also "is required" wherever the store is used', () => {
    expect(
      problemsAfter('prod', (d) => {
        at(d, 'secretStore').name = 'Vault';
      }),
    ).toEqual([
      `${fileOf('prod')}: secretStore.name: "Vault" is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters`,
    ]);
  });

  it("a limit above the LimitRange's max is one problem at the limit, not the quota derived from it nor policy lines on generated objects", () => {
    const api = (d: JsonMap): JsonMap => at(d, 'services', 'trading-api');
    // 6 CPUs x 21 pods also exceed prod's quota: the cause alone is told.
    expect(problemsAfter('prod', (d) => (api(d).resources = { limits: { cpu: '6' } }))).toEqual([
      `${fileOf('prod')}: services.trading-api.resources.limits.cpu: "6" is above the prod tier's LimitRange max "4" (containerLimits.max.cpu): ` +
        'the API server rejects every pod of it; use at most "4", or raise containerLimits.max.cpu',
    ]);
    const above = (field: string, value: string): string =>
      `${fileOf('prod')}: ${field}: ${value} is above containerLimits.max.memory "1Gi": the API server rejects every pod of it; use at most "1Gi", or raise containerLimits.max.memory`;
    // A limit the file does not set is the tier's, and said to be.
    expect(problemsAfter('prod', (d) => (d.containerLimits = { max: { memory: '1Gi' } }))).toEqual([
      above('services.trading-api.resources.limits.memory', `the prod tier's default "2Gi" (not set in the file)`),
      above('databases.trading-db.resources.limits.memory', `the prod tier's default "2Gi" (not set in the file)`),
    ]);
  });

  it("an autoscaling bound the file does not set is the tier's, and said to be, at the bound the file sets", () => {
    const api = (d: JsonMap): JsonMap => at(d, 'services', 'trading-api');
    expect(problemsAfter('prod', (d) => (api(d).autoscaling = { maxReplicas: 2 }))).toEqual([
      `${fileOf('prod')}: services.trading-api.autoscaling.maxReplicas: 2 is below the prod tier's default minReplicas 3 (minReplicas is not set): set minReplicas too, at most 2`,
    ]);
    expect(problemsAfter('prod', (d) => (api(d).autoscaling = { minReplicas: 25 }))).toEqual([
      `${fileOf('prod')}: services.trading-api.autoscaling.minReplicas: 25 is above the prod tier's default maxReplicas 20 (maxReplicas is not set): minReplicas must be at most maxReplicas`,
    ]);
    expect(problemsAfter('prod', (d) => (api(d).autoscaling = { minReplicas: 12, maxReplicas: 10 }))).toEqual([
      `${fileOf('prod')}: services.trading-api.autoscaling.minReplicas: 12 is above maxReplicas 10: minReplicas must be at most maxReplicas`,
    ]);
    expect(problemsAfter('prod', (d) => (at(api(d), 'release').releaseMinReplicas = 25))).toEqual([
      `${fileOf('prod')}: services.trading-api.release.releaseMinReplicas: 25 is outside the service's autoscaling range 3 to 20 (minReplicas and maxReplicas are the prod tier's defaults, not set in autoscaling): use a count in it`,
    ]);
    expect(
      problemsAfter('prod', (d) => {
        at(api(d), 'release').releaseMinReplicas = 25;
        api(d).autoscaling = { minReplicas: 4, maxReplicas: 10 };
      }),
    ).toEqual([
      `${fileOf('prod')}: services.trading-api.release.releaseMinReplicas: 25 is outside the service's autoscaling range 4 to 10: use a count in it`,
    ]);
  });

  it("a quota bound the file does not set is the tier's, and said to be; one the file sets is quoted as written", () => {
    const bigger = (d: JsonMap): void => void (at(d, 'services', 'trading-web', 'autoscaling').maxReplicas = 90);
    const tier = problemsAfter('prod', bigger).find((p) => p.includes('quota.pods'));
    expect(tier).toMatch(/^environments\/prod\.yaml: quota\.pods: the prod tier's default of 100 \(not set in the file\) is below the 145 /);
    const written = problemsAfter('prod', (d) => (bigger(d), (d.quota = { pods: 120 }))).find((p) => p.includes('quota.pods'));
    expect(written).toMatch(/^environments\/prod\.yaml: quota\.pods: 120 is below the 145 /);
  });

  it("a part of a service that cannot be built (a bad host, an empty migration command) does not hide the rest's problems", () => {
    expect(
      problemsAfter('prod', (d) => {
        const web = at(d, 'services', 'trading-web');
        web.image = 'ghcr.io/acme/web:latest';
        web.port = 9090;
        at(web, 'exposure', 'gateway').hosts = ['Bad Host'];
        web.migration = { mode: 'job', command: [] };
      }),
    ).toEqual([
      expect.stringMatching(/^environments\/prod\.yaml: services\.trading-web\.exposure\.gateway\.hosts\[0\]: "Bad Host" is not a valid hostname/),
      expect.stringMatching(/^environments\/prod\.yaml: services\.trading-web\.migration\.command: \[\] must be a non-empty list/),
      expect.stringMatching(/^environments\/prod\.yaml: services\.trading-web\.image: "ghcr\.io\/acme\/web:latest" uses the "latest" tag/),
      'environments/prod.yaml: services.trading-web.metricsPort: 9090 is the HTTP port too: metrics need their own port',
    ]);
  });

  it('a prod database without its backup still gets its other findings', () => {
    expect(
      problemsAfter('prod', (d) => {
        const db = at(d, 'databases', 'trading-db');
        delete db.backup;
        db.instances = 1;
      }),
    ).toEqual([
      `${fileOf('prod')}: databases.trading-db.backup: is required in prod: set destinationPath and credentialsSecret of the object store`,
      expect.stringMatching(/^environments\/prod\.yaml: databases\.trading-db\.instances: 1 is below 3, the minimum for high availability/),
    ]);
  });

  it("a database's and a cache's requests and limits the file does not set are named as the tier's defaults, never quoted as written", () => {
    expect(
      problemsAfter('prod', (d) => {
        at(d, 'databases', 'trading-db').resources = { limits: { cpu: '100m' } };
        const cache = at(d, 'caches', 'trading-cache');
        cache.maxMemory = '5Gi';
        cache.resources = { requests: { memory: '2Gi' } };
      }),
    ).toEqual([
      'environments/prod.yaml: databases.trading-db.resources.limits.cpu: "100m" is below the prod tier\'s default request "1": it must be at least that',
      'environments/prod.yaml: caches.trading-cache.resources.limits.memory: the prod tier\'s default "1Gi" (not set in the file) is below the request "2Gi": set it to at least that',
      'environments/prod.yaml: caches.trading-cache.maxMemory: "5Gi" is above the prod tier\'s default memory limit "1Gi" (resources.limits.memory is not set): the container would be OOM-killed before Redis evicts anything; lower maxMemory or set resources.limits.memory to at least it',
    ]);
    // Written, the same values are quoted as the user's.
    expect(
      problemsAfter('prod', (d) => {
        at(d, 'databases', 'trading-db').resources = { requests: { cpu: '1' }, limits: { cpu: '100m' } };
        const cache = at(d, 'caches', 'trading-cache');
        cache.maxMemory = '5Gi';
        cache.resources = { limits: { memory: '1Gi' } };
      }),
    ).toEqual([
      'environments/prod.yaml: databases.trading-db.resources.limits.cpu: "100m" is below the request "1": it must be at least that',
      expect.stringMatching(/^environments\/prod\.yaml: caches\.trading-cache\.resources\.limits\.memory: "1Gi" is below maxMemory "5Gi"/),
    ]);
  });

  it("a database's or cache's credentials problem does not hide the entry's other findings", () => {
    expect(
      problemsAfter('prod', (d) => {
        const db = at(d, 'databases', 'trading-db');
        at(db, 'backup').credentialsSecret = 'AKIAIOSFODNN7EXAMPLE/wJalrXUtnFEMI';
        db.instances = 1;
        const cache = at(d, 'caches', 'trading-cache');
        cache.credentialsSecret = 'Bad_Name';
        delete cache.remoteKey;
        cache.replicas = 1;
      }),
    ).toEqual([
      expect.stringMatching(/^environments\/prod\.yaml: databases\.trading-db\.backup\.credentialsSecret: looks like a credential/),
      expect.stringMatching(/^environments\/prod\.yaml: databases\.trading-db\.instances: 1 is below 3, the minimum for high availability/),
      expect.stringMatching(/^environments\/prod\.yaml: caches\.trading-cache\.credentialsSecret: "Bad_Name" is not a valid name/),
      expect.stringMatching(/^environments\/prod\.yaml: caches\.trading-cache\.replicas: 1 is below 3, the minimum for high availability/),
    ]);
    // Two sources of the password, and a StatefulSet database without a valid Secret: the same.
    const both = problemsAfter('prod', (d) => {
      const cache = at(d, 'caches', 'trading-cache');
      cache.credentialsSecret = 'trading-cache-password';
      cache.replicas = 2;
    });
    expect(both).toEqual([
      'environments/prod.yaml: caches.trading-cache.credentialsSecret: needs exactly one of credentialsSecret (an existing Secret with the password) or remoteKey (an entry of the secretStore)',
      expect.stringMatching(/^environments\/prod\.yaml: caches\.trading-cache\.replicas: 2 is below 3/),
    ]);
    const statefulSet = problemsAfter('dev', (d) => {
      const db = at(d, 'databases', 'trading-db');
      db.credentialsSecret = 'Bad_Name';
      db.instances = 2;
    });
    expect(statefulSet).toEqual([
      expect.stringMatching(/^environments\/dev\.yaml: databases\.trading-db\.credentialsSecret: "Bad_Name" is not a valid name/),
      expect.stringMatching(/^environments\/dev\.yaml: databases\.trading-db\.instances: 2 is not possible with the StatefulSet engine/),
    ]);
  });

  it('…Seconds fields say their range in seconds, as the file writes them; props keep Durations', () => {
    expect(
      problemsAfter('prod', (d) => {
        at(d, 'services', 'trading-api', 'exposure', 'gateway', 'hsts').maxAgeSeconds = 70000000;
        at(d, 'services', 'trading-web', 'releaseAfter').stabilizationSeconds = 301;
      }),
    ).toEqual([
      `${fileOf('prod')}: services.trading-api.exposure.gateway.hsts.maxAgeSeconds: 70000000 is out of range: use 0 to 63072000 seconds (17520h)`,
      `${fileOf('prod')}: services.trading-web.releaseAfter.stabilizationSeconds: 301 is out of range: use 0 to 300 seconds (5m)`,
    ]);
  });
});

describe('a credential pasted into a field that names a Secret is never repeated, and never written', () => {
  const CREDENTIALS = [
    'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX',
    'xoxb-1234567890-abcdefghij',
    // A lower-case hex key is a valid Secret name: only its look gives it away.
    '9f86d081884c7d659a2feaea0c55ad015a3bf4f1',
    'AKIAIOSFODNN7EXAMPLE',
  ];
  const FIELDS: Array<[string, string, (d: JsonMap, v: string) => void]> = [
    ['dev', 'databases.trading-db.credentialsSecret', (d, v) => (at(d, 'databases', 'trading-db').credentialsSecret = v)],
    ['dev', 'caches.trading-cache.credentialsSecret', (d, v) => (at(d, 'caches', 'trading-cache').credentialsSecret = v)],
    [
      'dev',
      'services.trading-api.secretEnv.JWT_SECRET.secretName',
      (d, v) => (at(d, 'services', 'trading-api', 'secretEnv', 'JWT_SECRET').secretName = v),
    ],
    ['dev', 'services.trading-api.secretEnv.JWT_SECRET.key', (d, v) => (at(d, 'services', 'trading-api', 'secretEnv', 'JWT_SECRET').key = v)],
    ['dev', 'placement.imagePullSecrets[0]', (d, v) => (d.placement = { imagePullSecrets: [v] })],
    ['prod', 'databases.trading-db.backup.credentialsSecret', (d, v) => (at(d, 'databases', 'trading-db', 'backup').credentialsSecret = v)],
    ['prod', 'databases.trading-db.backup.accessKeyIdKey', (d, v) => (at(d, 'databases', 'trading-db', 'backup').accessKeyIdKey = v)],
    ['prod', 'databases.trading-db.backup.secretAccessKeyKey', (d, v) => (at(d, 'databases', 'trading-db', 'backup').secretAccessKeyKey = v)],
    ['prod', 'notifications.slack.secretName', (d, v) => (at(d, 'notifications', 'slack').secretName = v)],
    ['prod', 'secretStore.name', (d, v) => (at(d, 'secretStore').name = v)],
  ];

  it('in environment files: one problem at the field, without the value', () => {
    for (const [env, field, edit] of FIELDS) {
      for (const value of CREDENTIALS) {
        const problems = problemsAfter(env, (d) => edit(d, value));
        const where = `${fileOf(env)}: ${field}: `;
        expect(problems, `${field} = ${value}`).toEqual([expect.stringMatching(new RegExp(`^${where.replace(/[.[\]]/g, '\\$&')}`))]);
        expect(problems[0], field).toMatch(/not shown here/);
        for (const part of [value, value.slice(0, 12), value.slice(-12)]) expect(problems.join('\n')).not.toContain(part);
      }
    }
  });

  it('a Secret key that is a name (an environment variable, a camelCase word, a file name) is not taken for a credential', () => {
    for (const key of ['ASIA_PACIFIC_DB_URL', 'SIGNING_KEY_2024', 'AWS_SECRET_ACCESS_KEY', 'connectionStringPrimary01', 'tls.crt', 'jwt-secret']) {
      expect(checkSecretKey(key), key).toBeUndefined();
    }
  });

  it('a value of the wrong type in such a field is not repeated either', () => {
    const problems = problemsAfter('dev', (d) => {
      at(d, 'services', 'trading-api').secretEnv = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' as unknown as JsonMap;
    });
    expect(problems).toEqual([
      `${fileOf('dev')}: services.trading-api.secretEnv: must be a mapping of keys (the value is not shown here: it may be a secret)`,
    ]);
  });

  it('in gitops.yaml and in TypeScript', () => {
    const token = 'glpat-abcdefghij0123456789';
    const gitops = thrown(() =>
      parseGitOps('environments/gitops.yaml', `repository: https://git.example.com/d.git\nflux: { credentialsSecret: ${token} }\n`),
    );
    expect(gitops).toEqual([expect.stringMatching(/^environments\/gitops\.yaml: flux\.credentialsSecret: looks like a credential/)]);
    const ts = [
      ...thrown(() => SecretRef.fromSecret(token, 'password')),
      ...thrown(() => Notifications.slack({ channel: 'releases', secretName: token })),
      ...thrown(() => Exposure.ingress({ hosts: ['a.example.com'], tlsSecretName: token })),
    ];
    expect(ts).toEqual([
      expect.stringMatching(/^SecretRef\.fromSecret: secretName: looks like a credential/),
      expect.stringMatching(/^Notifications\.slack: secretName: looks like a credential/),
      expect.stringMatching(/^Exposure\.ingress: tlsSecretName: looks like a credential/),
    ]);
    expect([...gitops, ...ts].join('\n')).not.toContain('abcdefghij');
  });

  it('in a URL (a user or password before "@", a token in the query) and in a secret manager reference: refused, not repeated', () => {
    const URLS: Array<[string, string, string, (d: JsonMap, v: string) => void]> = [
      [
        'prod',
        'databases.trading-db.backup.endpointUrl',
        'https://minio:Sup3rS3cretPassw0rd@minio.example.com',
        (d, v) => (at(d, 'databases', 'trading-db', 'backup').endpointUrl = v),
      ],
      [
        'prod',
        'databases.trading-db.backup.destinationPath',
        'https://backup:Sup3rS3cretPassw0rd@store.example.com/b',
        (d, v) => (at(d, 'databases', 'trading-db', 'backup').destinationPath = v),
      ],
      [
        'prod',
        'monitoring.runbookBaseUrl',
        'https://bot:Sup3rS3cretPassw0rd@runbooks.example.com/trading',
        (d, v) => (d.monitoring = { runbookBaseUrl: v }),
      ],
      [
        'prod',
        'monitoring.runbookBaseUrl',
        'https://runbooks.example.com/trading/?token=Sup3rS3cretPassw0rd#',
        (d, v) => (d.monitoring = { runbookBaseUrl: v }),
      ],
      [
        'prod',
        'services.trading-api.secretEnv.JWT_SECRET.remoteKey',
        'ghp_Sup3rS3cretPassw0rdabcdefghij0123',
        (d, v) => (at(d, 'services', 'trading-api', 'secretEnv', 'JWT_SECRET').remoteKey = v),
      ],
      [
        'prod',
        'services.trading-api.secretEnv.JWT_SECRET.property',
        '9f86d081884c7d659a2feaea0c55ad015a3bf4f1Sup3rS3cretPassw0rd',
        (d, v) => (at(d, 'services', 'trading-api', 'secretEnv', 'JWT_SECRET').property = v),
      ],
      [
        'prod',
        'caches.trading-cache.passwordProperty',
        'redis://:Sup3rS3cretPassw0rd@redis:6379',
        (d, v) => (at(d, 'caches', 'trading-cache').passwordProperty = v),
      ],
    ];
    for (const [env, field, value, edit] of URLS) {
      const problems = problemsAfter(env, (d) => edit(d, value));
      expect(problems, `${field} = ${value}`).toEqual([
        expect.stringMatching(new RegExp(`^${`${fileOf(env)}: ${field}: `.replace(/[.[\]]/g, '\\$&')}.*not shown here`)),
      ]);
      expect(problems.join('\n'), field).not.toContain('Sup3rS3cret');
    }
    const gitops = thrown(() =>
      parseGitOps('environments/gitops.yaml', 'repository: https://git.example.com/d.git?access_token=Sup3rS3cretPassw0rd\nflux: {}\n'),
    );
    expect(gitops).toEqual([expect.stringMatching(/^environments\/gitops\.yaml: repository: carries credentials \(in its query\).*not shown here/)]);
    expect(gitops.join('\n')).not.toContain('Sup3rS3cret');
  });

  it("in any other field: refused at its field with the file's other problems, and never quoted by another rule", () => {
    const PASTED =
      'looks like a credential (a token, or a URL with a password or a token): it would be written into dist/; keep it in a Secret and reference it (secretEnv, credentialsSecret) (the value is not shown here)';
    const problems = problemsAfter('prod', (d) => {
      const web = at(d, 'services', 'trading-web');
      at(web, 'config').GH = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
      at(web, 'config').HOOK = 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX';
      web.args = ['--token=xoxb-123456789012-1234567890123-abcdefghij'];
      // Another problem of the file does not hide them; a rule of its own does not quote the value.
      web.image = 'https://u:Sup3rS3cret@ghcr.io/acme/web:1.0';
    });
    expect(problems).toEqual([
      `${fileOf('prod')}: services.trading-web.image: the value (not shown here: it looks like a credential) has a malformed digest: use "@sha256:" followed by 64 lower-case hex digits`,
      `${fileOf('prod')}: services.trading-web.config.GH: ${PASTED}`,
      `${fileOf('prod')}: services.trading-web.config.HOOK: ${PASTED}`,
      `${fileOf('prod')}: services.trading-web.args[0]: ${PASTED}`,
    ]);
    expect(problems.join('\n')).not.toMatch(/ghp_|hooks\.slack|xoxb|Sup3rS3cret/);
    const gitops = thrown(() =>
      parseGitOps('environments/gitops.yaml', 'repository: https://git.example.com/d.git\nrevision: https://u:Sup3rS3cret@x\nflux: {}\n'),
    );
    expect(gitops.join('\n')).not.toContain('Sup3rS3cret');
    expect(gitops).toEqual([
      expect.stringMatching(/^environments\/gitops\.yaml: revision: the value \(not shown here: it looks like a credential\) is not a branch/),
    ]);
  });

  it('what only resembles a credential passes: variables filled in later, a fragment, a short or public query value, a prefix alone', () => {
    const web = (d: JsonMap): JsonMap => at(d, 'services', 'trading-web');
    for (const value of [
      'postgresql://$PGUSER:$PGPASSWORD@$PGHOST:5432/trading',
      'redis://:${REDIS_PASSWORD}@trading-cache:6379',
      'postgresql://$(PGUSER):$(PGPASSWORD)@trading-db-rw:5432/trading',
      'https://docs.example.com/errors#token=expired',
      'https://maps.example.com/api?key=AIzaPublicBrowserKey',
      'https://cdn.example.com/a.js?signature=v2-format',
      'sk-signing-key',
      'ASIA_PACIFIC',
    ]) {
      expect(
        problemsAfter('prod', (d) => (at(web(d), 'config').VALUE = value)),
        value,
      ).toEqual([]);
    }
    expect(problemsAfter('prod', (d) => (at(d, 'notifications', 'slack').secretName = 'sk-signing'))).toEqual([]);
    expect(problemsAfter('prod', (d) => (at(d, 'services', 'trading-api', 'secretEnv', 'JWT_SECRET').remoteKey = 'ASIA_PAC/trading/api'))).toEqual(
      [],
    );
  });

  it('URLs and secret manager paths without credentials still pass', () => {
    expect(
      problemsAfter('prod', (d) => (at(d, 'databases', 'trading-db', 'backup').endpointUrl = 'https://minio.example.com:9000/?region=eu')),
    ).toEqual([]);
    expect(
      problemsAfter('prod', (d) => (d.monitoring = { runbookBaseUrl: 'https://wiki.example.com/display/TRADING/Runbooks?page=alerts#' })),
    ).toEqual([]);
    for (const key of [
      'secret/data/trading/prod/api',
      'trading/prod/api2key/signing',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:trading-api',
    ]) {
      expect(
        problemsAfter('prod', (d) => (at(d, 'services', 'trading-api', 'secretEnv', 'JWT_SECRET').remoteKey = key)),
        key,
      ).toEqual([]);
    }
  });

  it('names that are names still pass, and a bad one is still quoted', () => {
    expect(problemsAfter('prod', (d) => (at(d, 'notifications', 'slack').secretName = 'slack-bot-token-2024'))).toEqual([]);
    expect(problemsAfter('prod', (d) => (at(d, 'notifications', 'slack').secretName = 'Slack_Token'))).toEqual([
      `${fileOf('prod')}: notifications.slack.secretName: "Slack_Token" is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters`,
    ]);
  });
});

describe('a single-pod API in production needs saying so, as databases and caches do', () => {
  const HA = 'is below 2, the minimum for high availability (one pod is down through every node drain and restart); to run fewer on purpose, say so';
  it("a prod database's single pooler pod too: at pooler.instances; allowFewerInstances accepts it; other tiers need nothing", () => {
    const db = (d: JsonMap): JsonMap => at(d, 'databases', 'trading-db');
    expect(problemsAfter('prod', (d) => (at(db(d), 'pooler').instances = 1))).toEqual([
      `${fileOf('prod')}: databases.trading-db.pooler.instances: 1 is below 2, the minimum for a pooler every client connects through to ` +
        "survive a node's loss; to run one on purpose, say so (requireHighAvailability: false in props, allowFewerInstances: true in an environment file)",
    ]);
    expect(
      problemsAfter('prod', (d) => {
        at(db(d), 'pooler').instances = 1;
        db(d).allowFewerInstances = true;
      }),
    ).toEqual([]);
    expect(problemsAfter('staging', (d) => (db(d).pooler = { instances: 1 }))).toEqual([]);
  });

  it('in an environment file: at replicas or autoscaling.minReplicas; allowFewerReplicas accepts it, and applies only to prod', () => {
    const web = (d: JsonMap): JsonMap => at(d, 'services', 'trading-web');
    expect(problemsAfter('prod', (d) => (at(d, 'services', 'trading-web', 'autoscaling').minReplicas = 1))).toEqual([
      expect.stringContaining(`${fileOf('prod')}: services.trading-web.autoscaling.minReplicas: 1 ${HA}`),
    ]);
    const single = (d: JsonMap): void => {
      delete web(d).autoscaling;
      web(d).replicas = 1;
    };
    expect(problemsAfter('prod', single)).toEqual([expect.stringContaining(`${fileOf('prod')}: services.trading-web.replicas: 1 ${HA}`)]);
    expect(problemsAfter('prod', (d) => (single(d), (web(d).allowFewerReplicas = true)))).toEqual([]);
    expect(problemsAfter('staging', (d) => (web(d).allowFewerReplicas = true))).toEqual([
      `${fileOf('staging')}: services.trading-web.allowFewerReplicas: applies only to prod`,
    ]);
  });

  it('in TypeScript: requireHighAvailability', () => {
    const build = (scaling: Scaling, requireHighAvailability?: boolean) => () =>
      render((s) => new TradingBackend(s, 'api', { image: IMAGE, scaling, requireHighAvailability }));
    expect(thrown(build(Scaling.fixed(1), true))).toEqual([expect.stringContaining(`TradingBackend test/api: scaling: 1 ${HA}`)]);
    expect(thrown(build(Scaling.autoscale({ minReplicas: 1, maxReplicas: 4 }), true))).toEqual([
      expect.stringContaining(`TradingBackend test/api: scaling: 1 ${HA}`),
    ]);
    expect(() => build(Scaling.fixed(2), true)()).not.toThrow();
    expect(() => build(Scaling.fixed(1))()).not.toThrow();
  });
});

describe('an environment file name that cannot name an environment', () => {
  it('is reported against the file before anything is written, with or without gitops.yaml', () => {
    for (const gitops of [true, false]) {
      const p = scratchProject();
      if (!gitops) rmSync(join(p.root, 'environments', 'gitops.yaml'));
      const staging = readFileSync(join(p.root, 'environments', 'staging.yaml'), 'utf8');
      writeFileSync(join(p.root, 'environments', 'QA_env.yaml'), staging.replace('namespace: trading-staging', 'namespace: trading-qa'));
      expect(thrown(() => synthesizeProject({ root: p.root, outdir: p.out }))).toEqual([
        'environments/QA_env.yaml: the file name "QA_env" is not a valid environment name (it names the folder in dist/, the GitOps ' +
          'applications and the alerts\' label): use at most 22 lower-case letters, digits and "-", starting and ending with a letter or ' +
          'digit, like "qa-env.yaml"',
      ]);
      expect(existsSync(p.out)).toBe(false);
    }
  });

  it('a YAML file the loader does not read (.yml, .YAML) is reported, not silently left out of dist/', () => {
    const p = scratchProject();
    const staging = readFileSync(join(p.root, 'environments', 'staging.yaml'), 'utf8');
    writeFileSync(join(p.root, 'environments', 'qa.yml'), staging.replace('namespace: trading-staging', 'namespace: trading-qa'));
    writeFileSync(join(p.root, 'environments', 'uat.YAML'), staging.replace('namespace: trading-staging', 'namespace: trading-uat'));
    // The name to rename to is one an environment can have.
    writeFileSync(join(p.root, 'environments', 'Perf.Yaml'), staging.replace('namespace: trading-staging', 'namespace: trading-perf'));
    // A file in a subfolder is not read either: said, not silently left out.
    mkdirSync(join(p.root, 'environments', 'eu'));
    writeFileSync(join(p.root, 'environments', 'eu', 'qa.yaml'), staging);
    expect(thrown(() => synthesizeProject({ root: p.root, outdir: p.out }))).toEqual([
      'environments/Perf.Yaml: not read: environment files (and gitops.yaml) end in ".yaml"; rename it to perf.yaml',
      'environments/qa.yml: not read: environment files (and gitops.yaml) end in ".yaml"; rename it to qa.yaml',
      'environments/uat.YAML: not read: environment files (and gitops.yaml) end in ".yaml"; rename it to uat.yaml',
      'environments/eu/qa.yaml: not read: environment files are read from environments/ itself, not from its subfolders; move it to ' +
        'environments/ (its file name names the environment)',
    ]);
    expect(existsSync(p.out)).toBe(false);
  });
});

describe('the TypeScript door: contexts are judged like props, and a string is not a Duration', () => {
  const withContext = (key: string, value: unknown) => () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test', { namespace: 'shop' });
    chart.node.setContext(key, value);
    new TradingBackend(chart, 'api', { image: IMAGE });
    app.synth();
  };
  it('names the context key and the field', () => {
    expect(thrown(withContext(PLACEMENT_CONTEXT, { imagePullSecrets: ['Registry_Creds'] }))).toEqual([
      'context cdk8s-trading:placement: imagePullSecrets[0]: "Registry_Creds" is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters',
    ]);
    expect(thrown(withContext(PLACEMENT_CONTEXT, 'pool-a'))).toEqual(['context cdk8s-trading:placement: "pool-a" is not a mapping']);
    expect(thrown(withContext(MONITORING_CONTEXT, 'prod'))).toEqual(['context cdk8s-trading:monitoring: "prod" is not a mapping']);
    expect(thrown(withContext(PART_OF_CONTEXT, 'Trading Desk'))).toEqual([
      'context cdk8s-trading:partOf: "Trading Desk" is not a valid name: use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
    ]);
    expect(() => withContext(PLACEMENT_CONTEXT, { imagePullSecrets: ['registry-creds'] })()).not.toThrow();
    expect(() => withContext(PART_OF_CONTEXT, 'trading')()).not.toThrow();
  });

  it('a misspelt key of a context, and a list where a mapping goes, are errors naming it (they were ignored)', () => {
    expect(thrown(withContext(PLACEMENT_CONTEXT, { imagePullSecret: ['registry-creds'] }))).toEqual([
      'context cdk8s-trading:placement: imagePullSecret: unknown key (did you mean "imagePullSecrets"?); allowed: imagePullSecrets, priorityClassName, nodeSelector, tolerations',
    ]);
    expect(thrown(withContext(MONITORING_CONTEXT, { enviroment: 'prod' }))).toEqual([
      expect.stringMatching(/^context cdk8s-trading:monitoring: enviroment: unknown key \(did you mean "environment"\?\); allowed: environment, /),
    ]);
    expect(thrown(withContext(DNS_CONTEXT, { namespce: 'dns' }))).toEqual([
      'context cdk8s-trading:dns: namespce: unknown key (did you mean "namespace"?); allowed: namespace, podLabels, cidr',
    ]);
    expect(thrown(withContext(DNS_CONTEXT, ['kube-system']))).toEqual(['context cdk8s-trading:dns: ["kube-system"] is not a mapping']);
    expect(() => withContext(DNS_CONTEXT, { namespace: 'dns-system' })()).not.toThrow();
    expect(() => withContext(MONITORING_CONTEXT, { environment: 'prod' })()).not.toThrow();
  });

  it('CanaryStep.pause with a string names the argument', () => {
    expect(thrown(() => CanaryStep.pause('30s' as never))).toEqual([
      'CanaryStep.pause: duration: "30s" is not a Duration: use Duration.seconds(n), Duration.minutes(n) or Duration.hours(n)',
    ]);
  });
});
