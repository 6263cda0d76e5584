/**
 * The CustomResourceDefinitions of every kind the library emits, as their projects publish them: read from
 * the projects' Go modules (fetched and checksum-verified through the module proxy), at the versions the
 * strict schemas in schemas/ come from. Installing the upstream CRDs, not our renderings of them, keeps this
 * check independent of `npm run validate`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/cli/cluster/api-client';

interface CrdSource {
  readonly module: string;
  readonly version: string;
  /** Files in the module, relative to its root. */
  readonly files: readonly string[];
}

export const CRD_SOURCES: readonly CrdSource[] = [
  {
    module: 'github.com/argoproj/argo-rollouts',
    version: 'v1.9.1',
    files: [
      'manifests/crds/rollout-crd.yaml',
      'manifests/crds/analysis-template-crd.yaml',
      'manifests/crds/analysis-run-crd.yaml',
      'manifests/crds/cluster-analysis-template-crd.yaml',
      'manifests/crds/experiment-crd.yaml',
    ],
  },
  {
    module: 'github.com/argoproj/argo-cd/v3',
    version: 'v3.5.1',
    files: ['manifests/crds/application-crd.yaml', 'manifests/crds/appproject-crd.yaml'],
  },
  {
    module: 'github.com/cloudnative-pg/cloudnative-pg',
    version: 'v1.30.0',
    // All of the operator's kinds, not only those the library emits: the operator refuses to start without them.
    files: [
      'clusters',
      'poolers',
      'backups',
      'scheduledbackups',
      'databases',
      'databaseroles',
      'publications',
      'subscriptions',
      'imagecatalogs',
      'clusterimagecatalogs',
      'failoverquorums',
    ].map((k) => `config/crd/bases/postgresql.cnpg.io_${k}.yaml`),
  },
  { module: 'github.com/cloudnative-pg/plugin-barman-cloud', version: 'v0.14.0', files: ['config/crd/bases/barmancloud.cnpg.io_objectstores.yaml'] },
  {
    module: 'github.com/prometheus-operator/prometheus-operator',
    version: 'v0.93.0',
    files: ['podmonitors', 'servicemonitors', 'prometheusrules'].map((k) => `example/prometheus-operator-crd/monitoring.coreos.com_${k}.yaml`),
  },
  // The module proxy serves external-secrets up to v1.3.2 (v2 is not published as a Go module); its
  // ExternalSecret CRD serves external-secrets.io/v1, the version the library emits.
  {
    module: 'github.com/external-secrets/external-secrets',
    version: 'v1.3.2',
    files: [
      'config/crds/bases/external-secrets.io_externalsecrets.yaml',
      'config/crds/bases/external-secrets.io_secretstores.yaml',
      'config/crds/bases/external-secrets.io_clustersecretstores.yaml',
    ],
  },
  {
    module: 'sigs.k8s.io/gateway-api',
    version: 'v1.6.1',
    files: ['gatewayclasses', 'gateways', 'httproutes', 'referencegrants'].map((k) => `config/crd/standard/gateway.networking.k8s.io_${k}.yaml`),
  },
  {
    module: 'github.com/fluxcd/kustomize-controller',
    version: 'v1.9.4',
    files: ['config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml'],
  },
  { module: 'github.com/fluxcd/source-controller', version: 'v1.9.1', files: ['config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml'] },
  {
    module: 'github.com/fluxcd/notification-controller',
    version: 'v1.9.3',
    files: ['config/crd/bases/notification.toolkit.fluxcd.io_providers.yaml', 'config/crd/bases/notification.toolkit.fluxcd.io_alerts.yaml'],
  },
];

/** The folder of a module in the module cache, downloaded (checksum-verified) through the proxy once. */
export function moduleDir(module: string, version: string): string {
  const info = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', `${module}@${version}`], {
      encoding: 'utf8',
      cwd: __dirname,
      env: { ...process.env, GOFLAGS: '-mod=mod' },
    }),
  ) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${module}@${version}: ${info.Error ?? 'no folder'}`);
  return info.Dir;
}

/** Every CRD object, read from the module cache (downloading the modules once). */
export function upstreamCrds(): KubeObject[] {
  const out: KubeObject[] = [];
  for (const s of CRD_SOURCES) {
    const dir = moduleDir(s.module, s.version);
    for (const f of s.files) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
        const value = doc.toJS() as (KubeObject & { spec: { versions: Array<Record<string, unknown>> } }) | null;
        if (value?.kind !== 'CustomResourceDefinition') continue;
        // `selectableFields` (field selectors on custom fields) arrived in Kubernetes 1.30; a 1.28 API server
        // does not know the field and strict validation refuses it. It changes no object's validation.
        for (const v of value.spec.versions) delete v.selectableFields;
        out.push(value);
      }
    }
  }
  return out;
}
