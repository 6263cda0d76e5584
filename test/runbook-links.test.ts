// A team's project links its alerts to its own runbooks: init writes a placeholder for that address, validate
// warns while an environment links to the placeholder or to this library's runbooks, and init's README says
// what a file can hold and where the package's documentation is.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main';
import { DOCS_URL, initFiles } from '../src/cli/templates';
import { PLACEHOLDER_RUNBOOK_BASE_URL, runbookLinkWarnings } from '../src/config/runbook-links';
import { DEFAULT_RUNBOOK_BASE_URL } from '../src/monitoring/settings';
import { loadProject } from '../src/synth/project';
import { validateTree } from '../src/synth/validate-tree';

const ROOT = join(__dirname, '..');

function cli(cwd: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  const status = run(args, { cwd, out: (l) => out.push(l), err: (l) => err.push(l), env: {} });
  return { status: status as number, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** A project as `init` writes it, synthesized. */
function initProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-trading-runbooks-'));
  expect(cli(dir, 'init').status).toBe(0);
  expect(cli(dir, 'synth').status).toBe(0);
  return dir;
}

function setRunbooks(dir: string, env: string, line: string | undefined): void {
  const file = join(dir, 'environments', `${env}.yaml`);
  const text = readFileSync(file, 'utf8');
  const replaced = text.replace(/^ {2}runbookBaseUrl: .*$/m, line === undefined ? '' : `  runbookBaseUrl: ${line}`);
  writeFileSync(file, line === undefined ? replaced.replace(/^monitoring:\n(\s*#.*\n)*\n?/m, '') : replaced);
}

describe("a team's runbook links", () => {
  it('init writes the placeholder of the runbook address into every environment file', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      expect(initFiles()[`environments/${env}.yaml`]).toContain(`monitoring:\n`);
      expect(initFiles()[`environments/${env}.yaml`]).toContain(`  runbookBaseUrl: ${PLACEHOLDER_RUNBOOK_BASE_URL}\n`);
    }
  });

  it('validate warns, without failing, while an environment links to the placeholder or to these runbooks', () => {
    const dir = initProject();
    const placeholder = cli(dir, 'validate');
    expect(placeholder.status, placeholder.stderr).toBe(0);
    expect(placeholder.stderr.split('\n')).toEqual(
      ['dev', 'prod', 'staging'].map(
        (env) =>
          `warning: environments/${env}.yaml: monitoring.runbookBaseUrl: "${PLACEHOLDER_RUNBOOK_BASE_URL}" is init's placeholder; ` +
          "set it to your team's runbooks (cdk8s-trading's docs/runbooks.md has a section per alert to start from)",
      ),
    );

    setRunbooks(dir, 'dev', 'https://wiki.acme.com/runbooks#');
    setRunbooks(dir, 'staging', undefined);
    setRunbooks(dir, 'prod', DEFAULT_RUNBOOK_BASE_URL);
    expect(loadProject(dir).environments.find((e) => e.name === 'staging')?.config.monitoring).toBeUndefined();
    expect(cli(dir, 'synth').status).toBe(0);
    const mixed = cli(dir, 'validate');
    expect(mixed.status, mixed.stderr).toBe(0);
    expect(mixed.stderr).not.toContain('environments/dev.yaml');
    expect(mixed.stderr).toContain(
      `warning: environments/staging.yaml: monitoring.runbookBaseUrl: not set, so the alerts link to cdk8s-trading's own runbooks (${DEFAULT_RUNBOOK_BASE_URL})`,
    );
    expect(mixed.stderr).toContain(`warning: environments/prod.yaml: monitoring.runbookBaseUrl: "${DEFAULT_RUNBOOK_BASE_URL}": the alerts link to`);
    // The alerts really do link there: the warning is about what dist/ holds.
    expect(readFileSync(join(dir, 'dist', 'staging', '50-application', 'prometheusrule-api-alerts.yaml'), 'utf8')).toContain(
      `runbook_url: "${DEFAULT_RUNBOOK_BASE_URL}apidown"`,
    );

    setRunbooks(dir, 'prod', 'https://wiki.acme.com/runbooks#');
    const staging = join(dir, 'environments', 'staging.yaml');
    writeFileSync(staging, `${readFileSync(staging, 'utf8')}monitoring: { runbookBaseUrl: "https://wiki.acme.com/runbooks#" }\n`);
    expect(cli(dir, 'synth').status).toBe(0);
    expect(cli(dir, 'validate').stderr).toBe('');
  });

  it('are not flagged in this repository, whose runbooks they are', () => {
    const environments = loadProject(ROOT).environments;
    expect(runbookLinkWarnings(environments)).toHaveLength(environments.length);
    expect(validateTree(join(ROOT, 'dist'), { root: ROOT }).warnings).toEqual([]);
  });
});

describe("init's README", () => {
  const readme = initFiles()['environments/README.md'];

  it('says how to add a database, a cache, a release and an exposure, and links the package docs', () => {
    for (const topic of ['**a database**', '**a cache**', '**a release**', '**exposure**', 'runbookBaseUrl']) expect(readme).toContain(topic);
    expect(readme).toContain(DOCS_URL);
    expect(DOCS_URL).toBe('https://github.com/acme-trading/cdk8s-trading/tree/main/docs');
  });

  it('gives keys that synthesize in each tier as it says', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-trading-init-readme-'));
    expect(cli(dir, 'init').status).toBe(0);
    // The README's bullets, as a team follows them: the database per tier, the cache, a canary and a Gateway route.
    const database: Record<string, string> = {
      dev: /\(`(\{ credentialsSecret: app-db-credentials \})`\)/.exec(readme)?.[1] ?? 'missing',
      staging: /in staging CloudNativePG \(`(\{\})`/.exec(readme)?.[1] ?? 'missing',
      prod: '{ backup: { destinationPath: s3://acme-backups/app-db, credentialsSecret: app-db-backup-s3 } }',
    };
    const cache = /`caches: (\{ app-cache: \{ credentialsSecret: app-cache-credentials \} \})`/.exec(readme)?.[1] ?? 'missing';
    for (const env of ['dev', 'staging', 'prod']) {
      const file = join(dir, 'environments', `${env}.yaml`);
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          'services:\n  api:\n',
          `databases: { app-db: ${database[env]} }\ncaches: ${cache}\nservices:\n  api:\n    database: app-db\n    cache: app-cache\n` +
            '    release: { strategy: canary }\n' +
            '    exposure: { gateway: { gatewayName: public, gatewayNamespace: gateway-system, hosts: [api.example.com] } }\n',
        ),
      );
    }
    const synth = cli(dir, 'synth');
    expect(synth.status, synth.stderr).toBe(0);
    expect(synth.stdout).toMatch(/dist\/prod: .*Cluster 1.*Rollout 1/);
    expect(synth.stdout).toMatch(/dist\/dev: .*StatefulSet 2/);
  });
});
