/**
 * What `cdk8s-trading init` writes: a starting point that synthesizes and validates as it is. The only
 * value a team must change is the image (a placeholder that resolves nowhere) and the Git repository.
 */
import environmentSchema from '../config/environment.schema.json';
import gitopsSchema from '../config/gitops.schema.json';
import { PLACEHOLDER_RUNBOOK_BASE_URL } from '../config/runbook-links';
import { REPOSITORY_URL } from '../monitoring/settings';

/** Where the package's documentation lives: what the README that `init` writes links to. */
export const DOCS_URL = `${REPOSITORY_URL}/tree/main/docs`;

/** The placeholder image of the templates; `init` says to replace it. */
export const PLACEHOLDER_IMAGE = 'registry.example.com/your-team/api';

const TIERS = {
  dev: { comment: 'Development: one replica; `latest` images are accepted here only.', logLevel: 'debug' },
  staging: { comment: 'Staging: two replicas, pinned images.', logLevel: 'info' },
  prod: { comment: 'Production: an autoscaler from 3 to 20 replicas, pinned images.', logLevel: 'info' },
} as const;

function environment(tier: keyof typeof TIERS): string {
  return `# yaml-language-server: $schema=./schema.json
# ${TIERS[tier].comment}
# Every key is described in schema.json; an editor with the YAML language server completes them.
tier: ${tier}
namespace: my-app-${tier}
partOf: my-app
monitoring:
  # Every alert's runbook_url is this address + the alert's name in lower case: your team's runbooks (validate warns
  # until it is set). cdk8s-trading's docs/runbooks.md has a section per alert to start from.
  runbookBaseUrl: ${PLACEHOLDER_RUNBOOK_BASE_URL}
services:
  api:
    image: ${PLACEHOLDER_IMAGE}:0.1.0      # set your image
    config:
      LOG_LEVEL: ${TIERS[tier].logLevel}
`;
}

/** The files `init` writes, by path relative to the project root. */
export function initFiles(): Record<string, string> {
  return {
    'environments/schema.json': `${JSON.stringify(environmentSchema, null, 2)}\n`,
    'environments/gitops.schema.json': `${JSON.stringify(gitopsSchema, null, 2)}\n`,
    ...Object.fromEntries((Object.keys(TIERS) as Array<keyof typeof TIERS>).map((tier) => [`environments/${tier}.yaml`, environment(tier)])),
    'environments/gitops.yaml': `# yaml-language-server: $schema=./gitops.schema.json
# Where dist/ lives in Git, and the Argo CD and Flux objects generated into dist/gitops/.
# Apply one of dist/gitops/argocd or dist/gitops/flux once (kubectl apply -k ...).
repository: https://git.example.com/your-team/your-deploy-repo.git   # set your repository
revision: main
path: dist
project: my-app
argocd:
  namespace: argocd
flux:
  namespace: flux-system
`,
    'environments/README.md': `# Environments

One YAML file per environment (\`dev.yaml\`, \`staging.yaml\`, \`prod.yaml\`; the file name is the
environment's name and its folder under \`dist/\`), and \`gitops.yaml\` for the Argo CD / Flux objects.

\`\`\`sh
npx cdk8s-trading synth      # every environment into dist/<env>/, the GitOps objects into dist/gitops/
npx cdk8s-trading validate   # strict Kubernetes 1.28 / CRD schemas and the policy rules, on dist/
npx cdk8s-trading diff       # what a fresh synth would change in dist/
\`\`\`

Commit \`environments/\` and \`dist/\`. First set your image, your Git repository (\`gitops.yaml\`) and your runbooks'
address (\`monitoring.runbookBaseUrl\`). What else a file can say (every key is in \`schema.json\`, which an editor
with the YAML language server completes):

- **a database**: \`databases: { app-db: { ... } }\` and \`database: app-db\` on the service: in dev a StatefulSet
  (\`{ credentialsSecret: app-db-credentials }\`), in staging CloudNativePG (\`{}\` will do), in prod CloudNativePG
  with backups (\`{ backup: { destinationPath: s3://..., credentialsSecret: ... } }\`); \`external:\` for a database
  outside the cluster;
- **a cache**: \`caches: { app-cache: { credentialsSecret: app-cache-credentials } }\` and \`cache: app-cache\` on the
  service (Redis; Sentinel in prod);
- **a release**: \`release: { strategy: canary }\` or \`release: { strategy: blue-green, ... }\` on the service
  (rolling by default), with a smoke check before traffic moves;
- **exposure**: \`exposure: { gateway: { gatewayName, gatewayNamespace, hosts } }\` (Gateway API) or
  \`exposure: { ingress: ... }\` on the service (cluster-internal by default).

To add constructs of your own to every environment, write \`environments/extend.ts\` (compiled with esbuild, an
optional peer dependency: \`npm i -D esbuild\`; type-checked when \`typescript\` is installed):

\`\`\`ts
import type { Chart } from 'cdk8s';
export default function extend(chart: Chart, environment: { name: string }): void {
  // new MyConstruct(chart, 'extra', { ... });
}
\`\`\`

After upgrading the package, \`npx cdk8s-trading init --schemas-only\` refreshes the copied schemas (and nothing else).

The package's documentation, with a page per construct and how-to guides (add a service, release by canary or
blue-green and roll back, rotate a secret, restore a database, upgrade the package): ${DOCS_URL}
`,
  };
}
