/**
 * What `cdk8s-trading init` writes: a starting point that synthesizes and validates as it is. The only
 * value a team must change is the image (a placeholder that resolves nowhere) and the Git repository.
 */
import environmentSchema from '../config/environment.schema.json';
import gitopsSchema from '../config/gitops.schema.json';

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

Commit \`environments/\` and \`dist/\`. To add constructs of your own to every environment, write
\`environments/extend.ts\`:

\`\`\`ts
import type { Chart } from 'cdk8s';
export default function extend(chart: Chart, environment: { name: string }): void {
  // new MyConstruct(chart, 'extra', { ... });
}
\`\`\`
`,
  };
}
