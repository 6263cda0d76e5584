import { describe, expect, it } from 'vitest';
import { parseGitOps } from '../src/config/gitops-config';
import { ConfigurationError } from '../src/core/problems';
import { SecretRef } from '../src/core/secrets';
import { Notifications } from '../src/gitops/notifications';
import { Exposure } from '../src/api-service/exposure';
import { fileOf, problemsAfter } from './support/environment-edit';
import { at, JsonMap } from './support/yaml';
import { errorOf } from './support/render';

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

  it('a secretStore written with a bad name is that one problem, not also "is required" wherever the store is used', () => {
    expect(
      problemsAfter('prod', (d) => {
        at(d, 'secretStore').name = 'Vault';
      }),
    ).toEqual([
      `${fileOf('prod')}: secretStore.name: "Vault" is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters`,
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
    ['prod', 'notifications.slack.secretName', (d, v) => (at(d, 'notifications', 'slack').secretName = v)],
    ['prod', 'secretStore.name', (d, v) => (at(d, 'secretStore').name = v)],
  ];

  it('in environment files: one problem at the field, without the value', () => {
    for (const [env, field, edit] of FIELDS) {
      for (const value of CREDENTIALS) {
        const problems = problemsAfter(env, (d) => edit(d, value));
        const where = `${fileOf(env)}: ${field}: `;
        // A Secret key may hold upper case and "_" (an AWS key id is a valid key); every other value is a problem.
        if (field.endsWith('.key') && /^[-._a-zA-Z0-9]+$/.test(value)) continue;
        expect(problems, `${field} = ${value}`).toEqual([expect.stringMatching(new RegExp(`^${where.replace(/[.[\]]/g, '\\$&')}`))]);
        expect(problems[0], field).toMatch(/not shown here/);
        for (const part of [value, value.slice(0, 12), value.slice(-12)]) expect(problems.join('\n')).not.toContain(part);
      }
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

  it('names that are names still pass, and a bad one is still quoted', () => {
    expect(problemsAfter('prod', (d) => (at(d, 'notifications', 'slack').secretName = 'slack-bot-token-2024'))).toEqual([]);
    expect(problemsAfter('prod', (d) => (at(d, 'notifications', 'slack').secretName = 'Slack_Token'))).toEqual([
      `${fileOf('prod')}: notifications.slack.secretName: "Slack_Token" is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters`,
    ]);
  });
});
