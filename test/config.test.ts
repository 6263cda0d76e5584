import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentProblems } from '../src/config/build';
import { parseEnvironment } from '../src/config/environment';
import { renderEnvironment } from '../src/synth/project';
import { at, JsonMap, parseMap } from './support/yaml';

const FILE = 'environments/prod.yaml';
const base = readFileSync(join(__dirname, '..', 'environments', 'prod.yaml'), 'utf8');

/**
 * Problems of the prod file with `edit` applied to its parsed form. The service is first turned into
 * a plain rolling one with `image` (the committed file releases blue-green), unless `keepRelease`.
 */
function problemsAfter(edit: (doc: JsonMap) => void, tier?: string, keepRelease = false): string[] {
  const doc = parseMap(base);
  if (tier) doc.tier = tier;
  if (!keepRelease) {
    delete at(doc, 'services', 'trading-api').release;
    at(doc, 'services', 'trading-api').image = 'ghcr.io/acme-trading/trading-api:1.4.2';
  }
  edit(doc);
  return environmentProblems('prod', FILE, JSON.stringify(doc));
}

const svc = (doc: JsonMap): JsonMap => at(doc, 'services', 'trading-api');

describe('environment files: one clear message per problem, naming the file and the field', () => {
  it('the committed prod file is valid', () => {
    expect(parseEnvironment('prod', FILE, base).problems).toEqual([]);
  });

  it('rejects a missing tag and the latest tag outside dev, accepts latest in dev', () => {
    expect(
      problemsAfter((d) => {
        svc(d).image = 'ghcr.io/acme/api';
      }),
    ).toEqual([
      `${FILE}: services.trading-api.image: "ghcr.io/acme/api" has no tag: pin a version ("ghcr.io/acme/api:1.2.3") or a digest; untagged images are allowed only in dev`,
    ]);
    expect(
      problemsAfter((d) => {
        svc(d).image = 'ghcr.io/acme/api:latest';
      }, 'staging')[0],
    ).toContain('services.trading-api.image: "ghcr.io/acme/api:latest" uses the "latest" tag');
    expect(
      problemsAfter((d) => {
        svc(d).image = 'ghcr.io/acme/api:latest';
        at(d, 'databases', 'trading-db').engine = 'cloudnative-pg';
      }, 'dev'),
    ).toEqual([]);
  });

  it('rejects a missing image', () => {
    expect(
      problemsAfter((d) => {
        delete svc(d).image;
      }),
    ).toEqual([`${FILE}: services.trading-api.image: is required`]);
  });

  it('rejects a CPU or memory limit below its request (the tier default fills the other side)', () => {
    expect(
      problemsAfter((d) => {
        svc(d).resources = { limits: { cpu: '100m' } };
      }),
    ).toEqual([
      `${FILE}: services.trading-api.resources.limits.cpu: "100m" is below the prod tier's default request "500m": it must be at least that`,
    ]);
    // Requests that large also overflow the namespace quota at full scale: both are reported, the service's own first.
    expect(
      problemsAfter((d) => {
        svc(d).resources = { requests: { memory: '4Gi' } };
      }),
    ).toEqual([
      `${FILE}: services.trading-api.resources.limits.memory: the prod tier's default "2Gi" (not set in the file) is below the request "4Gi": set it to at least that`,
      `${FILE}: quota.requestsMemory: the prod tier's default of 48Gi (not set in the file) is below the 102.9Gi the services, databases and caches need at full scale, with every colour, canary, surge, Job, init and sidecar container counted (trading-api 84Gi, trading-db 6.4Gi, trading-api migration 4Gi, ...): set quota.requestsMemory to at least 102.9Gi, or lower the replicas or requests`,
    ]);
  });

  it('rejects malformed quantities', () => {
    expect(
      problemsAfter((d) => {
        svc(d).resources = { requests: { memory: '512MB' } };
      }),
    ).toEqual([`${FILE}: services.trading-api.resources.requests.memory: "512MB" is not a Kubernetes quantity; use a value like "512Mi" or "2Gi"`]);
    expect(
      problemsAfter((d) => {
        d.quota = { limitsCpu: 'lots' };
      })[0],
    ).toBe(`${FILE}: quota.limitsCpu: "lots" is not a Kubernetes quantity; use a value like "500m" or "2"`);
  });

  it('rejects min replicas above max', () => {
    expect(
      problemsAfter((d) => {
        svc(d).autoscaling = { minReplicas: 10, maxReplicas: 4 };
      }),
    ).toEqual([`${FILE}: services.trading-api.autoscaling.minReplicas: 10 is above maxReplicas 4: minReplicas must be at most maxReplicas`]);
  });

  it('rejects replicas together with autoscaling', () => {
    expect(
      problemsAfter((d) => {
        svc(d).replicas = 2;
        svc(d).autoscaling = { maxReplicas: 4 };
      }),
    ).toEqual([`${FILE}: services.trading-api.autoscaling: set either replicas or autoscaling, not both`]);
  });

  it('rejects invalid DNS names (namespace, service, secret)', () => {
    expect(
      problemsAfter((d) => {
        d.namespace = 'Trading_Prod';
      }),
    ).toEqual([
      `${FILE}: namespace: "Trading_Prod" is not a valid name: use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit`,
    ]);
    expect(
      problemsAfter((d) => {
        at(d, 'services')['Trading-API'] = svc(d);
        delete at(d, 'services')['trading-api'];
      })[0],
    ).toContain('services.Trading-API: "Trading-API" is not a valid name');
    expect(
      problemsAfter((d) => {
        at(svc(d), 'secretEnv').JWT_SECRET = { secretName: 'jwt_secret', key: 'value' };
      }),
    ).toEqual([
      `${FILE}: services.trading-api.secretEnv.JWT_SECRET.secretName: "jwt_secret" is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters`,
    ]);
  });

  it('rejects unknown keys, suggesting the closest one', () => {
    expect(
      problemsAfter((d) => {
        svc(d).replica = 3;
      }),
    ).toEqual([
      `${FILE}: services.trading-api.replica: unknown key (did you mean "replicas"?); allowed: image, port, metricsPort, healthCheck, replicas, allowFewerReplicas, autoscaling, resources, config, secretEnv, exposure, migration, monitoring, rollout, runAsUser, command, args, egress, database, cache, release, networkPolicy, readReplicas, releaseAfter`,
    ]);
    expect(
      problemsAfter((d) => {
        d.namespaces = 'x';
      })[0],
    ).toContain(`${FILE}: namespaces: unknown key (did you mean "namespace"?)`);
  });

  it('rejects ports out of range', () => {
    expect(
      problemsAfter((d) => {
        svc(d).port = 0;
        svc(d).metricsPort = 65536;
      }),
    ).toEqual([
      `${FILE}: services.trading-api.port: 0 is not a valid port: use a whole number from 1 to 65535`,
      `${FILE}: services.trading-api.metricsPort: 65536 is not a valid port: use a whole number from 1 to 65535`,
    ]);
    expect(
      problemsAfter((d) => {
        svc(d).port = '8080';
      }),
    ).toEqual([`${FILE}: services.trading-api.port: "8080" must be a whole number`]);
  });

  it('rejects invalid hostnames', () => {
    expect(
      problemsAfter((d) => {
        at(svc(d), 'exposure', 'gateway').hosts = ['https://api.example.com'];
      }),
    ).toEqual([
      `${FILE}: services.trading-api.exposure.gateway.hosts[0]: "https://api.example.com" is not a valid hostname: use a fully qualified lower-case DNS name like "api.example.com" (a leading "*." is allowed)`,
    ]);
  });

  it('rejects duplicate service names and a host routed to two services', () => {
    const duplicated = base.replace('services:\n  trading-api:', 'services:\n  trading-api:\n    image: ghcr.io/acme/api:1.0.0\n  trading-api:');
    expect(parseEnvironment('prod', FILE, duplicated).problems[0]).toMatch(
      /^environments\/prod\.yaml: cannot parse YAML: duplicated mapping key at line \d+, column \d+$/,
    );
    expect(
      problemsAfter((d) => {
        at(d, 'services')['trading-api-v2'] = structuredClone(svc(d));
      }),
    ).toContain(
      `${FILE}: services.trading-api-v2.exposure.gateway.hosts[0]: "api.trading.example.com" is already routed to service "trading-api": a host belongs to one service`,
    );
  });

  it('rejects an unparsable file with the line it failed on', () => {
    const problems = parseEnvironment('prod', FILE, 'tier: prod\nservices: [unclosed\n').problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^environments\/prod\.yaml: cannot parse YAML: .*line \d+/);
  });

  it('rejects an unknown tier and a secret reference of neither shape', () => {
    expect(
      problemsAfter((d) => {
        d.tier = 'production';
      }),
    ).toEqual([`${FILE}: tier: "production" is not allowed; use one of "dev", "staging", "prod"`]);
    expect(
      problemsAfter((d) => {
        at(svc(d), 'secretEnv').JWT_SECRET = { value: 'hunter2' };
      }),
    ).toEqual([
      `${FILE}: services.trading-api.secretEnv.JWT_SECRET: must be a reference, {secretName, key} (an existing Secret) or {remoteKey, property} (an external secret store), not a value (the value is not shown here: it may be a secret)`,
    ]);
  });

  it('rejects external secrets without a store', () => {
    expect(
      problemsAfter((d) => {
        delete d.secretStore;
      }),
    ).toEqual([
      `${FILE}: secretStore: is required because JWT_SECRET, SENTRY_DSN come from an external store`,
      `${FILE}: caches.trading-cache.remoteKey: needs the environment's secretStore, which the password is read from`,
    ]);
  });

  it('rejects both exposures at once and migration fields of another mode', () => {
    expect(
      problemsAfter((d) => {
        at(svc(d), 'exposure').ingress = { hosts: ['api.example.com'] };
      }),
    ).toEqual([`${FILE}: services.trading-api.exposure: choose one of "gateway" or "ingress", not both`]);
    expect(
      problemsAfter((d) => {
        svc(d).migration = { mode: 'on-start', command: ['x'] };
      }),
    ).toEqual([`${FILE}: services.trading-api.migration.command: does not apply to mode "on-start"; it takes startupTimeoutSeconds`]);
    expect(
      problemsAfter((d) => {
        svc(d).migration = { mode: 'job' };
      }),
    ).toEqual([`${FILE}: services.trading-api.migration.command: is required: the command that migrates, like ["/app/server", "migrate"]`]);
  });

  it('rejects a quota too small for the services at full scale', () => {
    expect(
      problemsAfter((d) => {
        d.quota = { requestsCpu: '10', limitsCpu: '10', pods: 5 };
      }),
    ).toEqual([
      `${FILE}: quota.requestsCpu: 10000m is below the 17510m the services, databases and caches need at full scale, with every colour, canary, surge, Job, init and sidecar container counted (trading-api 10500m, trading-db 3300m, trading-cache 1800m, ...): set quota.requestsCpu to at least 17510m, or lower the replicas or requests`,
      `${FILE}: quota.limitsCpu: 10000m is below the 71450m the services, databases and caches need at full scale, with every colour, canary, surge, Job, init and sidecar container counted (trading-api 42000m, trading-db 13500m, trading-cache 7350m, ...): set quota.limitsCpu to at least 71450m, or lower the replicas or requests`,
      `${FILE}: quota.pods: 5 is below the 39 the services, databases and caches need at full scale, with every colour, canary, surge, Job, init and sidecar container counted (trading-api 21, trading-web 7, trading-db 3, ...): set quota.pods to at least 39, or lower the replicas or requests`,
    ]);
  });

  it('rejects bad egress rules', () => {
    expect(
      problemsAfter((d) => {
        svc(d).egress = [{ cidr: '10.0.0.0/33', ports: [5432] }, { namespace: 'db', cidr: '10.0.0.0/8', ports: [1] }, { ports: [1] }];
      }),
    ).toEqual([
      `${FILE}: services.trading-api.egress[1]: choose one of namespace or cidr, not both`,
      `${FILE}: services.trading-api.egress[2]: needs ports and one of namespace or cidr`,
    ]);
    expect(
      problemsAfter((d) => {
        svc(d).egress = [{ cidr: '10.0.0.0/33', ports: [70000] }];
      }),
    ).toEqual([
      `${FILE}: services.trading-api.egress[0].cidr: "10.0.0.0/33" is not a CIDR block: use a value like "10.0.0.0/16" or "0.0.0.0/0"`,
      `${FILE}: services.trading-api.egress[0].ports[0]: 70000 is not a valid port: use a whole number from 1 to 65535`,
    ]);
  });

  it('reports every problem of a file at once', () => {
    const problems = problemsAfter((d) => {
      d.namespace = 'BAD';
      svc(d).image = 'x:latest';
      svc(d).resources = { limits: { cpu: '1m' } };
      svc(d).unknown = true;
    });
    expect(problems).toHaveLength(4);
    const other = problemsAfter((d) => {
      d.namespace = 'BAD';
      svc(d).image = 'x:latest';
      svc(d).resources = { limits: { cpu: '1m' } };
    });
    expect(other).toHaveLength(3);
  });

  describe('databases', () => {
    const db = (doc: JsonMap): JsonMap => at(doc, 'databases', 'trading-db');

    it('rejects a prod database below 3 instances unless allowed explicitly', () => {
      expect(
        problemsAfter((d) => {
          db(d).instances = 2;
        }),
      ).toEqual([
        `${FILE}: databases.trading-db.instances: 2 is below 3, the minimum for high availability; to run fewer on purpose, say so (requireHighAvailability: false in props, allowFewerInstances: true in an environment file)`,
      ]);
      expect(
        problemsAfter((d) => {
          db(d).instances = 2;
          db(d).allowFewerInstances = true;
        }),
      ).toEqual([]);
      expect(
        problemsAfter((d) => {
          db(d).instances = 0;
        })[0],
      ).toBe(`${FILE}: databases.trading-db.instances: 0 is out of range: use a whole number from 1 to 9`);
    });

    it('requires backups in prod, with credentials, a six-field cron and a retention like 30d', () => {
      expect(
        problemsAfter((d) => {
          delete db(d).backup;
        }),
      ).toEqual([`${FILE}: databases.trading-db.backup: is required in prod: set destinationPath and credentialsSecret of the object store`]);
      expect(
        problemsAfter((d) => {
          delete at(db(d), 'backup').credentialsSecret;
          at(db(d), 'backup').schedule = '0 2 * * *';
          at(db(d), 'backup').retention = '30';
        }),
      ).toEqual([
        `${FILE}: databases.trading-db.backup.credentialsSecret: is required: backups need a Secret with the object store credentials`,
        `${FILE}: databases.trading-db.backup.retention: "30" is not a retention: use a number of days, weeks or months like "30d", "4w" or "6m"`,
        `${FILE}: databases.trading-db.backup.schedule: "0 2 * * *" is not a six-field cron (seconds first): use a value like "0 0 2 * * *" for daily at 02:00`,
      ]);
    });

    it('rejects a storage size that is not a quantity and a pooler named like the cluster', () => {
      expect(
        problemsAfter((d) => {
          at(db(d), 'storage').size = '100GB';
          at(db(d), 'pooler').name = 'trading-db';
        }),
      ).toEqual([
        `${FILE}: databases.trading-db.storage.size: "100GB" is not a Kubernetes quantity; use a value like "10Gi"`,
        `${FILE}: databases.trading-db.pooler.name: "trading-db" is the Cluster's name too: CNPG needs the Pooler's name (its Service) to differ from every Cluster name`,
      ]);
    });

    it('rejects fields of the other engine, and a StatefulSet without its credentials Secret', () => {
      expect(
        problemsAfter((d) => {
          db(d).engine = 'statefulset';
        }),
      ).toEqual([
        `${FILE}: databases.trading-db.credentialsSecret: is required with engine "statefulset"`,
        `${FILE}: databases.trading-db.parameters: does not apply to engine "statefulset"; it takes instances, allowFewerInstances, alerts, dashboard, image, database, owner, storage, resources, credentialsSecret, usernameKey, passwordKey`,
        `${FILE}: databases.trading-db.backup: does not apply to engine "statefulset"; it takes instances, allowFewerInstances, alerts, dashboard, image, database, owner, storage, resources, credentialsSecret, usernameKey, passwordKey`,
        `${FILE}: databases.trading-db.pooler: does not apply to engine "statefulset", which takes only false`,
        // The missing Secret does not hide what prod asks of the engine itself.
        `${FILE}: databases.trading-db.instances: 1 is the engine's own count (instances is not set), below 3, the minimum for high availability: use an engine that replicates (CloudNativePG), or say so (requireHighAvailability: false in props, allowFewerInstances: true in an environment file)`,
      ]);
    });

    it('rejects a service that names an unknown database, and a database nobody uses', () => {
      expect(
        problemsAfter((d) => {
          svc(d).database = 'orders-db';
        }),
      ).toEqual([
        `${FILE}: databases.trading-db: no service connects to it (set \`database: trading-db\` on the services that use it), or remove it`,
        `${FILE}: services.trading-api.database: "orders-db" is not a database of this environment; use one of trading-db`,
      ]);
    });

    it('rejects a variable the database connection would set twice', () => {
      const e = (() => {
        const doc = parseMap(base);
        at(svc(doc), 'config').PGHOST = 'elsewhere';
        // (the committed blue-green release is kept: the check is the same for every construct)
        const parsed = parseEnvironment('prod', FILE, JSON.stringify(doc));
        expect(parsed.problems).toEqual([]);
        try {
          renderEnvironment(parsed.environment!);
        } catch (err) {
          return err as Error;
        }
        return undefined;
      })();
      expect(e?.message).toContain('environments/prod.yaml: BlueGreenService prod/trading-api: env: "PGHOST" is set twice');
    });
  });

  it('rolls on a new rollout.restartToken, and rejects one that is not a tidy annotation value', () => {
    expect(
      problemsAfter((d) => {
        svc(d).rollout = { restartToken: 'build 42' };
      }),
    ).toEqual([
      `${FILE}: services.trading-api.rollout.restartToken: "build 42" is not a restart token: use up to 63 letters, digits, ".", "_", ":", "+" or "-", starting with a letter or digit, like a date ("2026-05-01T10.00Z") or a build id`,
    ]);
    const doc = parseMap(base);
    svc(doc).rollout = { restartToken: 'build-42' };
    const files = renderEnvironment(
      parseEnvironment('prod', FILE, JSON.stringify(doc)).environment ??
        (() => {
          throw new Error('invalid');
        })(),
    ).files;
    const colours = files.filter((f) => /deployment-trading-api-(blue|green)/.test(f.path));
    expect(colours).toHaveLength(2);
    for (const f of colours) expect(f.content).toContain('cdk8s-trading.dev/restart-token: build-42');
  });

  it('takes healthCheck.livenessPath for an HTTP liveness probe; without it, liveness is a TCP check of the http port', () => {
    const doc = parseMap(base);
    const liveness = (d: typeof doc): string => {
      const files = renderEnvironment(
        parseEnvironment('prod', FILE, JSON.stringify(d)).environment ??
          (() => {
            throw new Error('invalid');
          })(),
      ).files;
      const text = files.find((f) => f.path.endsWith('deployment-trading-api-blue.yaml'))?.content ?? '';
      return text.slice(text.indexOf('livenessProbe:'), text.indexOf('name: trading-api', text.indexOf('livenessProbe:')));
    };
    expect(liveness(doc)).toContain('tcpSocket:\n              port: http');
    svc(doc).healthCheck = { livenessPath: '/health/live' };
    expect(liveness(doc)).toContain('path: /health/live');
  });

  it('rejects a webhook URL as the notification channel without repeating it, and a malformed Secret name', () => {
    const problems = problemsAfter((d) => {
      at(d, 'notifications', 'slack').channel = 'https://hooks.slack.com/services/T000/B000/XXXX';
      at(d, 'notifications', 'slack').secretName = 'Slack Token';
    });
    expect(problems).toEqual([
      `${FILE}: notifications.slack.channel: looks like a webhook URL or a token: credentials never go into the configuration; put the bot token in the Secret named by secretName and give the channel's name here, like "trading-releases"`,
      `${FILE}: notifications.slack.secretName: "Slack Token" is not a valid name: use lower-case letters, digits, "-" and ".", at most 253 characters`,
    ]);
    expect(problems.join('\n')).not.toContain('hooks.slack.com');
  });

  it('rejects a notifications.onSuccess that is not true or false, as Notifications.slack does', () => {
    expect(
      problemsAfter((d) => {
        at(d, 'notifications').onSuccess = 'yes';
      }),
    ).toEqual([`${FILE}: notifications.onSuccess: "yes" must be true or false`]);
    expect(
      problemsAfter((d) => {
        at(d, 'notifications').onSuccess = false;
      }),
    ).toEqual([]);
  });

  describe('releases', () => {
    const release = (doc: JsonMap): JsonMap => at(svc(doc), 'release');

    it('the committed prod (blue-green) and staging (canary) releases are valid', () => {
      expect(problemsAfter(() => undefined, undefined, true)).toEqual([]);
      const staging = readFileSync(join(__dirname, '..', 'environments', 'staging.yaml'), 'utf8');
      expect(parseEnvironment('staging', 'environments/staging.yaml', staging).problems).toEqual([]);
    });

    it('rejects an unknown colour and the same image on both colours with a staged release', () => {
      expect(
        problemsAfter(
          (d) => {
            release(d).activeColor = 'red';
          },
          undefined,
          true,
        ),
      ).toEqual([`${FILE}: services.trading-api.release.activeColor: "red" is not allowed; use one of "blue", "green"`]);
      expect(
        problemsAfter(
          (d) => {
            release(d).greenImage = release(d).blueImage;
          },
          undefined,
          true,
        ),
      ).toEqual([
        `${FILE}: services.trading-api.release.greenImage: "ghcr.io/acme-trading/trading-api:1.4.2" is the image of both colours, but a release is staged on "green": put the new version on the release colour, or remove releaseColor`,
      ]);
    });

    it('gives each colour its own ConfigMap: release.greenConfig reaches green alone; its keys are checked', () => {
      const doc = parseMap(base);
      release(doc).greenConfig = { LOG_LEVEL: 'debug' };
      const objects = renderEnvironment(
        parseEnvironment('prod', FILE, JSON.stringify(doc)).environment ??
          (() => {
            throw new Error('invalid');
          })(),
      )
        .files.filter((f) => /configmap-trading-api-.*-config\.yaml$/.test(f.path))
        .map((f) => [f.path, f.content.includes('LOG_LEVEL: debug')]);
      expect(objects).toEqual([
        ['20-config/configmap-trading-api-blue-config.yaml', false],
        ['20-config/configmap-trading-api-green-config.yaml', true],
      ]);
      expect(
        problemsAfter(
          (d) => {
            release(d).blueConfig = { 'log-level': 'debug' };
          },
          undefined,
          true,
        ),
      ).toEqual([
        `${FILE}: services.trading-api.release.blueConfig.log-level: "log-level" is not a valid environment variable name: use letters, digits and "_", not starting with a digit`,
      ]);
    });

    it('rejects a preview host equal to the public host', () => {
      expect(
        problemsAfter(
          (d) => {
            release(d).previewHost = 'api.trading.example.com';
          },
          undefined,
          true,
        ),
      ).toEqual([
        `${FILE}: services.trading-api.release.previewHost: "api.trading.example.com" is also the public host: the preview needs its own host, or it would take production traffic`,
      ]);
    });

    it('rejects fields of another engine, an engine of another strategy, and a service image the engine ignores', () => {
      expect(
        problemsAfter(
          (d) => {
            release(d).canaryWeight = 10;
            at(d, 'services', 'trading-api').image = 'x/y:1';
          },
          undefined,
          true,
        ),
      ).toEqual([
        `${FILE}: services.trading-api.release.canaryWeight: does not apply to blue-green/service-switch; it takes activeColor, blueImage, greenImage, releaseColor, scaleDownIdle, releaseMinReplicas, previewHost, smokeTest, blueConfig, greenConfig`,
        `${FILE}: services.trading-api.image: is not used with release blue-green/service-switch, which names its images in release`,
      ]);
      expect(
        problemsAfter((d) => {
          svc(d).release = { strategy: 'canary', engine: 'service-switch' };
        }),
      ).toEqual([
        `${FILE}: services.trading-api.release.engine: "service-switch" is not an engine of strategy "canary": use "argo-rollouts" or "weighted"`,
      ]);
    });

    it('rejects canary steps that do not increase, never pause before 100 %, or pause malformedly', () => {
      expect(
        problemsAfter((d) => {
          svc(d).release = { strategy: 'canary', steps: [{ setWeight: 50 }, { pause: '5 min' }, { setWeight: 20 }] };
        }),
      ).toEqual([
        `${FILE}: services.trading-api.release.steps[1].pause: "5 min" is not a pause: use a duration like "30s", "5m" or "1h", or "indefinitely" to wait for a manual promotion`,
        `${FILE}: services.trading-api.release.steps[2].setWeight: 20 is not above the previous weight (50): weights must increase`,
        `${FILE}: services.trading-api.release.steps[2].setWeight: the last weight (20 %) has no pause or analysis after it, so traffic would jump to 100 % unobserved: add a pause after it, or end with setWeight 100`,
      ]);
    });

    it('rejects analysis thresholds out of range and traffic routing that names no route', () => {
      expect(
        problemsAfter((d) => {
          svc(d).release = { strategy: 'canary', trafficRouting: 'nginx', analysis: { successRate: 1.5 } };
        }),
      ).toEqual([
        `${FILE}: services.trading-api.release.analysis.successRate: 1.5 is out of range: use a share above 0 and at most 1, like 0.99 for 99 %`,
        `${FILE}: services.trading-api.release.trafficRouting: "nginx" names no Ingress: it needs an Ingress exposure`,
      ]);
    });

    it('rejects analysis limits that would let a run succeed without one measured value, and a background switch that is not a boolean', () => {
      expect(
        problemsAfter((d) => {
          svc(d).release = { strategy: 'canary', analysis: { count: 3, failureLimit: 1, inconclusiveLimit: 2 } };
        }),
      ).toEqual([
        `${FILE}: services.trading-api.release.analysis.inconclusiveLimit: 2 lets a run of 3 measurements succeed without one good value (failureLimit 1 + inconclusiveLimit 2 >= count 3): raise count or lower the limits`,
      ]);
      expect(
        problemsAfter((d) => {
          svc(d).release = { strategy: 'canary', analysis: { count: 2 } };
        }),
      ).toEqual([
        `${FILE}: services.trading-api.release.analysis.count: 2 lets a run of 2 measurements succeed without one good value (failureLimit 1 + inconclusiveLimit 1 >= count 2): raise count or lower the limits`,
      ]);
      expect(
        problemsAfter((d) => {
          svc(d).release = { strategy: 'canary', analysis: { inconclusiveLimit: -1 } };
        }),
      ).toEqual([`${FILE}: services.trading-api.release.analysis.inconclusiveLimit: -1 is out of range: use a whole number from 0 to 100`]);
      expect(
        problemsAfter((d) => {
          svc(d).release = { strategy: 'blue-green', engine: 'argo-rollouts', backgroundAnalysis: false };
        }).join('\n'),
      ).toContain(`${FILE}: services.trading-api.release.backgroundAnalysis: does not apply to blue-green/argo-rollouts`);
    });

    it('rejects an analysis initial delay that is not a duration or beyond 1h, and a background inconclusive limit out of range or on blue-green', () => {
      expect(
        problemsAfter((d) => {
          svc(d).release = { strategy: 'canary', analysis: { initialDelay: '2h', backgroundInconclusiveLimit: -1 } };
        }),
      ).toEqual([
        `${FILE}: services.trading-api.release.analysis.initialDelay: 2h is out of range: use 0s to 1h`,
        `${FILE}: services.trading-api.release.analysis.backgroundInconclusiveLimit: -1 is out of range: use a whole number from 0 to 100`,
      ]);
      expect(
        problemsAfter((d) => {
          svc(d).release = { strategy: 'canary', analysis: { initialDelay: 'soon' } };
        }),
      ).toEqual([`${FILE}: services.trading-api.release.analysis.initialDelay: "soon" is not a duration: use a value like "30s", "5m" or "1h"`]);
      expect(
        problemsAfter((d) => {
          svc(d).release = { strategy: 'blue-green', engine: 'argo-rollouts', analysis: { backgroundInconclusiveLimit: 3 } };
        }),
      ).toEqual([
        `${FILE}: services.trading-api.release.analysis.backgroundInconclusiveLimit: does not apply to blue-green, which has no background analysis: use inconclusiveLimit`,
      ]);
    });

    it('takes the analysis initial delay as a Go duration (compound ones too) and the background limit into every Prometheus metric', () => {
      const templates = (analysis: JsonMap): string => {
        const doc = parseMap(base);
        delete svc(doc).release;
        svc(doc).image = 'ghcr.io/acme-trading/trading-api:1.4.2';
        svc(doc).release = { strategy: 'canary', trafficRouting: 'replicas', analysis };
        const parsed = parseEnvironment('prod', FILE, JSON.stringify(doc));
        expect(parsed.problems).toEqual([]);
        return renderEnvironment(
          parsed.environment ??
            (() => {
              throw new Error('invalid');
            })(),
        )
          .files.filter((f) => f.path.includes('analysistemplate-trading-api-'))
          .map((f) => f.content)
          .join('---\n');
      };
      const delayed = templates({ initialDelay: '1m30s', backgroundInconclusiveLimit: 5, interval: '1m30s' });
      expect(delayed.match(/initialDelay: .*/g)).toEqual(Array(4).fill('initialDelay: 1m30s'));
      expect(delayed.match(/interval: .*/g)).toEqual(Array(4).fill('interval: 1m30s'));
      expect(delayed.match(/inconclusiveLimit: .*/g)?.sort()).toEqual([
        'inconclusiveLimit: 1',
        'inconclusiveLimit: 1',
        'inconclusiveLimit: 5',
        'inconclusiveLimit: 5',
      ]);
      expect(templates({ initialDelay: '0s' })).not.toContain('initialDelay');
    });

    it('rejects smoke checks with paths that are not paths, a timeout out of range or an unpinned image', () => {
      expect(
        problemsAfter(
          (d) => {
            release(d).smokeTest = { paths: ['health', '/ok'], timeoutSeconds: 600, image: 'curlimages/curl:latest' };
          },
          undefined,
          true,
        ),
      ).toEqual([
        `${FILE}: services.trading-api.release.smokeTest.paths[0]: "health" is not a URL path: use a path starting with "/", like "/health/db"`,
        `${FILE}: services.trading-api.release.smokeTest.timeoutSeconds: 600 is out of range: use 1 to 60 seconds (1m)`,
        `${FILE}: services.trading-api.release.smokeTest.image: "curlimages/curl:latest" uses the "latest" tag: pin a version or a digest; "latest" is allowed only in dev`,
      ]);
    });

    it('rejects canary weights outside 0-100 and a weighted canary without its images', () => {
      expect(
        problemsAfter((d) => {
          delete svc(d).image;
          svc(d).release = { strategy: 'canary', engine: 'weighted', stableImage: 'a/b:1', canaryImage: 'a/b:2', canaryWeight: 150 };
        }),
      ).toEqual([`${FILE}: services.trading-api.release.canaryWeight: 150 is out of range: use a whole number from 0 to 100`]);
      expect(
        problemsAfter((d) => {
          delete svc(d).image;
          svc(d).release = { strategy: 'canary', engine: 'weighted', canaryWeight: 5 };
        }),
      ).toEqual([
        `${FILE}: services.trading-api.release.stableImage: is required with canary/weighted`,
        `${FILE}: services.trading-api.release.canaryImage: is required with canary/weighted`,
      ]);
    });

    it('counts an Argo canary with traffic routing at twice its replicas in the quota (the stable set stays full while the canary grows)', () => {
      const pods = (release: JsonMap): string =>
        problemsAfter((d) => {
          svc(d).release = release;
          d.quota = { pods: 1 };
        })
          .join('\n')
          .replace(/.*\(trading-api (\d+),.*/s, '$1');
      // HPA up to 20: with the Gateway API plugin 2 x 20; by replicas 20 + 25 % surge.
      expect(pods({ strategy: 'canary', engine: 'argo-rollouts' })).toBe('40');
      expect(pods({ strategy: 'canary', engine: 'argo-rollouts', trafficRouting: 'replicas' })).toBe('25');
    });

    it('counts both colours in the quota', () => {
      expect(
        problemsAfter(
          (d) => {
            d.quota = { pods: 30 };
          },
          undefined,
          true,
        ),
      ).toEqual([
        `${FILE}: quota.pods: 30 is below the 61 the services, databases and caches need at full scale, with every colour, canary, surge, Job, init and sidecar container counted (trading-api 42, trading-web 7, trading-db 3, ...): set quota.pods to at least 61, or lower the replicas or requests`,
      ]);
    });
  });
});
