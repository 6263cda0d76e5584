// What the published declarations let another team write (compiled, never run, by scripts/api.cjs against lib/).
// Engines render themselves through members that are internal to the package (stripped from lib/), so an engine
// written outside it would type-check against an open interface and fail at run time (`_bind is not a function`).
// They are closed classes: every `@ts-expect-error` below fails the check once its line compiles again.
import { Chart, Testing } from 'cdk8s';
import {
  BlueGreenEngine,
  BlueGreenService,
  CanaryEngine,
  CanaryRollout,
  Exposure,
  GitOpsApp,
  PostgresCluster,
  PostgresEngine,
  RedisCache,
  RedisCredentials,
  RedisEngine,
  TradingBackend,
} from 'cdk8s-trading';
import { buildEnvironment, loadProject } from 'cdk8s-trading/toolkit';

export function closedEngines(): void {
  const chart = new Chart(Testing.app(), 'team');
  const exposure = Exposure.gateway({ gatewayName: 'public', gatewayNamespace: 'gateways', hosts: ['api.example.com'] });

  // The factories are the way in, as before.
  const canary: CanaryEngine = CanaryEngine.weighted({
    stableImage: 'ghcr.io/acme/api:1.0.0',
    canaryImage: 'ghcr.io/acme/api:1.1.0',
    canaryWeight: 10,
  });
  new CanaryRollout(chart, 'canary', { engine: canary, exposure });
  new BlueGreenService(chart, 'bg', {
    engine: BlueGreenEngine.serviceSwitch({ activeColor: 'blue', blueImage: 'ghcr.io/acme/api:1.0.0', greenImage: 'ghcr.io/acme/api:1.1.0' }),
  });
  const api = new TradingBackend(chart, 'api', { image: 'ghcr.io/acme/api:1.0.0' });
  api.connectTo(new PostgresCluster(chart, 'db', { engine: PostgresEngine.cloudNativePg() }));
  const credentials = RedisCredentials.fromSecret('cache-auth');
  api.connectTo(new RedisCache(chart, 'cache', { engine: RedisEngine.sentinel(), credentials }));

  // An object literal with every published member of the old ICanaryEngine is not an engine.
  const literal = {
    kind: 'weighted' as const,
    primaryImage: 'ghcr.io/acme/api:1.1.0',
    allowLatestTag: false,
    runsSmokeTest: false,
    exposureProblems: () => [],
    podsAtFullScale: (max: number) => max + 2,
  };
  // @ts-expect-error a user-written canary engine
  new CanaryRollout(chart, 'literal', { engine: literal, exposure });
  // @ts-expect-error a user-written blue-green engine
  new BlueGreenService(chart, 'bg-literal', { engine: { kind: 'service-switch', primaryImage: 'x:1', allowLatestTag: false } });
  // @ts-expect-error a user-written PostgreSQL engine
  new PostgresCluster(chart, 'db-literal', { engine: { kind: 'statefulset', defaultInstances: 1 } });
  // @ts-expect-error a user-written Redis engine
  new RedisCache(chart, 'cache-literal', { engine: { kind: 'standalone', defaultReplicas: 1 }, credentials });
  // @ts-expect-error nor can one be made with `new`
  void new CanaryEngine();
}

// @ts-expect-error nor by extending the class
export class MyEngine extends RedisEngine {}

// The engine protocols and the CLI's plumbing are not in the root export.
// @ts-expect-error the open engine interface is gone
export type OldEngine = import('cdk8s-trading').ICanaryEngine;
// @ts-expect-error the toolkit's names are in cdk8s-trading/toolkit
export type RootRender = typeof import('cdk8s-trading').renderChart;

// The toolkit: the code-first loader of environment files.
export function codeFirst(): void {
  const app = new GitOpsApp({ outdir: 'dist' });
  for (const environment of loadProject('.').environments) buildEnvironment(environment, app);
}
