// A code-first team: the same environments, built with the library's loader into a GitOpsApp.
import { GitOpsApp } from 'cdk8s-trading';
import { buildEnvironment, loadProject } from 'cdk8s-trading/toolkit';

const app = new GitOpsApp({ outdir: 'dist-code' });
for (const environment of loadProject('.').environments) buildEnvironment(environment, app);
app.synth();
