import { Construct } from 'constructs';
import { SecretRef, SecretStore } from '../../src/core/secrets';
import { Exposure } from '../../src/api-service/exposure';
import { Migration } from '../../src/api-service/migration';
import { Scaling } from '../../src/api-service/scaling';
import { TradingBackend, TradingBackendProps } from '../../src/trading-backend/trading-backend';

/** A fully featured backend, the shape of the seeds' production API. */
export function productionLikeBackend(scope: Construct, overrides: Partial<TradingBackendProps> = {}): TradingBackend {
  return new TradingBackend(scope, 'trading-api', {
    image: 'ghcr.io/acme/trading-api:1.4.2',
    scaling: Scaling.autoscale(),
    config: { LOG_LEVEL: 'info', ENV: 'production' },
    secretEnv: {
      JWT_SECRET: SecretRef.fromSecret('trading-secrets', 'jwt-secret'),
      DATABASE_URL: SecretRef.fromExternalStore('trading/prod/api', 'database-url'),
    },
    secretStore: SecretStore.cluster('vault'),
    exposure: Exposure.gateway({ gatewayName: 'public', gatewayNamespace: 'gateway-system', hosts: ['api.example.com'] }),
    migration: Migration.job({ command: ['/app/server', 'migrate'] }),
    ...overrides,
  });
}
