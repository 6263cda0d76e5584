// A code-first team: the same environments, built with the library's loader into a GitOpsApp.
import { buildEnvironment, GitOpsApp, loadProject } from 'cdk8s-trading';

const app = new GitOpsApp({ outdir: 'dist-code' });
for (const environment of loadProject('.').environments) buildEnvironment(environment, app);
app.synth();
