// environments/extend.ts: a team's own object in every environment.
import { ApiObject, Chart } from 'cdk8s';
import type { Environment } from 'cdk8s-trading';

export default function extend(chart: Chart, environment: Environment): void {
  new ApiObject(chart, 'team-info', {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team-info' },
    data: { environment: environment.name, tier: environment.config.tier },
  });
}
