import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret' with { 'resolution-mode': 'import' };
import { SecretStore } from './secrets';

/** One key of the Secret an ExternalSecret writes, and the store entry (and property) it comes from. */
export interface ExternalSecretEntry {
  readonly secretKey: string;
  readonly remoteKey: string;
  readonly property?: string;
}

/**
 * An external-secrets.io/v1 `ExternalSecret` that keeps the Secret of its own name in sync with entries of
 * `store` (refreshed hourly, owned by it, kept if it is deleted). The values never pass through the library.
 */
export function externalSecretObject(
  scope: Construct,
  id: string,
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> },
  store: SecretStore,
  entries: readonly ExternalSecretEntry[],
): ApiObject {
  const manifest: IExternalSecret = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata,
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { name: store.name, kind: store.kind },
      target: { name: metadata.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: entries.map((e) => ({ secretKey: e.secretKey, remoteRef: { key: e.remoteKey, ...(e.property ? { property: e.property } : {}) } })),
    },
  };
  return new ApiObject(scope, id, manifest);
}
