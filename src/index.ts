// Public API of cdk8s-trading.
export * from './core/labels';
export * from './core/network-peer';
export * from './core/order';
export * from './core/pod-security';
export * from './core/quantity';
export * from './core/rules';
export * from './core/secrets';
export * from './core/validation';
export * from './namespace/trading-namespace';
export * from './trading-backend/exposure';
export * from './trading-backend/migration';
export * from './trading-backend/pod';
export * from './trading-backend/scaling';
export * from './trading-backend/trading-backend';
export * from './trading-backend/validate';
export * from './trading-backend/alerts';
export * from './tiers';
