import { ApiClient, statusMessage } from '../../src/cli/cluster/api-client';
import { waitFor } from './control-plane';
import { upstreamCrds } from './crds';

/** Installs every upstream CRD server-side and waits until each is Established; returns how many. */
export async function installCrds(client: ApiClient): Promise<number> {
  const crds = upstreamCrds();
  const problems: string[] = [];
  for (const crd of crds) {
    const r = await client.apply(crd, { fieldManager: 'cluster-test' });
    if (r.status >= 300) problems.push(`CRD ${crd.metadata.name}: ${statusMessage(r)}`);
  }
  if (problems.length > 0) throw new Error(`the API server rejected upstream CRDs:\n${problems.join('\n')}`);
  await waitFor('every CRD to be Established', 60_000, async () => {
    for (const crd of crds) {
      const got = await client.get<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
        'apiextensions.k8s.io/v1',
        'CustomResourceDefinition',
        undefined,
        crd.metadata.name,
      );
      if (!got?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return undefined;
    }
    return true;
  });
  return crds.length;
}
