/**
 * What "healthy" means for the objects of one namespace under the real controllers: workloads at their
 * desired, available and updated replicas, Jobs complete (or suspended, waiting for an operator), Services
 * with ready endpoints on every port, PDBs that match pods and allow a disruption where more than one pod runs, HPAs able to scale their target. A
 * problem names the object and, where the controllers said why (a pod the API server rejected), their words.
 */
import type { ApiClient, KubeObject } from '../../src/cli/cluster/api-client';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface Meta {
  name: string;
  namespace?: string;
  generation?: number;
  uid?: string;
  labels?: Record<string, string>;
  ownerReferences?: Array<{ kind: string; name: string; uid: string }>;
}
interface Workload {
  kind: string;
  metadata: Meta;
  spec: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: { labels?: Record<string, string> } };
    ports?: Array<{ name?: string; port: number }>;
    type?: string;
    clusterIP?: string;
    publishNotReadyAddresses?: boolean;
    scaleTargetRef?: { apiVersion: string; kind: string; name: string };
    suspend?: boolean;
    strategy?: { canary?: { stableService?: string; canaryService?: string }; blueGreen?: { activeService?: string; previewService?: string } };
    minAvailable?: number | string;
    maxUnavailable?: number | string;
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    observedGeneration?: number;
    currentRevision?: string;
    updateRevision?: string;
    conditions?: Condition[];
    expectedPods?: number;
    currentHealthy?: number;
    desiredHealthy?: number;
    disruptionsAllowed?: number;
    succeeded?: number;
    failed?: number;
    active?: number;
  };
}
interface Event {
  involvedObject: { kind: string; name: string; uid?: string };
  reason: string;
  message: string;
  type: string;
  lastTimestamp?: string;
  eventTime?: string;
}
interface Endpoints {
  metadata: Meta;
  subsets?: Array<{ addresses?: unknown[]; ports?: Array<{ name?: string; port: number }> }>;
}

/** The state of a namespace's objects. */
export interface HealthReport {
  /** Workloads (Deployments, StatefulSets, Jobs) that reached their goal. */
  readonly healthy: readonly string[];
  /** One line per object that did not, with the reason. */
  readonly problems: readonly string[];
  /** Objects whose controller does not run here: accepted by the API server, not reconciled. */
  readonly acceptedOnly: readonly string[];
}

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** Why the controllers could not create pods for an owner (the newest FailedCreate), if they said. */
function failureOf(events: readonly Event[], kind: string, name: string): string | undefined {
  const mine = events.filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name && e.type === 'Warning');
  const last = mine.sort((a, b) => String(a.lastTimestamp ?? a.eventTime).localeCompare(String(b.lastTimestamp ?? b.eventTime))).pop();
  return last ? `${last.reason}: ${last.message}` : undefined;
}

/** Checks every object of `namespace`; `expected` are the objects GitOps applied there. */
export async function namespaceHealth(client: ApiClient, namespace: string, expected: readonly KubeObject[]): Promise<HealthReport> {
  const healthy: string[] = [];
  const problems: string[] = [];
  const acceptedOnly: string[] = [];
  const [deployments, statefulSets, jobs, replicaSets, events, services, endpoints, pdbs, hpas] = await Promise.all([
    client.list<Workload>('apps/v1', 'Deployment', namespace),
    client.list<Workload>('apps/v1', 'StatefulSet', namespace),
    client.list<Workload>('batch/v1', 'Job', namespace),
    client.list<Workload>('apps/v1', 'ReplicaSet', namespace),
    client.list<Event>('v1', 'Event', namespace),
    client.list<Workload>('v1', 'Service', namespace),
    client.list<Endpoints>('v1', 'Endpoints', namespace),
    client.list<Workload>('policy/v1', 'PodDisruptionBudget', namespace),
    client.list<Workload>('autoscaling/v2', 'HorizontalPodAutoscaler', namespace),
  ]);
  const name = (o: { kind?: string; metadata: Meta }, kind = o.kind): string => `${kind}/${o.metadata.name}`;

  for (const d of deployments) {
    const want = d.spec.replicas ?? 1;
    const s = d.status ?? {};
    if (
      (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
      (s.updatedReplicas ?? 0) === want &&
      (s.availableReplicas ?? 0) === want &&
      (s.replicas ?? 0) === want
    ) {
      healthy.push(name(d, 'Deployment'));
      continue;
    }
    const owned = replicaSets.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid));
    const why =
      owned
        .map(
          (rs) =>
            rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True')?.message ??
            failureOf(events, 'ReplicaSet', rs.metadata.name),
        )
        .find((m) => m !== undefined) ?? d.status?.conditions?.find((c) => c.status === 'False')?.message;
    problems.push(
      `Deployment/${d.metadata.name}: ${s.availableReplicas ?? 0}/${want} available, ${s.updatedReplicas ?? 0} updated${why ? ` (${why})` : ''}`,
    );
  }
  for (const st of statefulSets) {
    const want = st.spec.replicas ?? 1;
    const s = st.status ?? {};
    if (
      (s.observedGeneration ?? 0) >= (st.metadata.generation ?? 0) &&
      (s.readyReplicas ?? 0) === want &&
      (s.updatedReplicas ?? 0) === want &&
      s.currentRevision === s.updateRevision
    ) {
      healthy.push(name(st, 'StatefulSet'));
      continue;
    }
    const why = failureOf(events, 'StatefulSet', st.metadata.name);
    problems.push(
      `StatefulSet/${st.metadata.name}: ${s.readyReplicas ?? 0}/${want} ready, ${s.updatedReplicas ?? 0} updated${why ? ` (${why})` : ''}`,
    );
  }
  for (const j of jobs) {
    const conditions = j.status?.conditions ?? [];
    // A suspended Job (a down-migration kept for an operator) runs nothing until resumed: Argo CD ignores its
    // health (ignore-healthcheck), kstatus reads its Suspended condition as current.
    const suspended = j.spec.suspend === true && !(j.status?.active ?? 0);
    if (suspended || conditions.some((c) => c.type === 'Complete' && c.status === 'True')) {
      healthy.push(name(j, 'Job'));
      continue;
    }
    const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
    const why = failed ? `${failed.reason}: ${failed.message}` : failureOf(events, 'Job', j.metadata.name);
    problems.push(`Job/${j.metadata.name}: not complete${why ? ` (${why})` : ''}`);
  }

  // Pods made by controllers that do not run here (Argo Rollouts, CloudNativePG): what selects them can
  // only be accepted.
  const absentTemplates = expected.filter((o) => o.kind === 'Rollout').map((o) => (o as unknown as Workload).spec.template?.metadata?.labels ?? {});
  const rolloutServices = new Set(
    expected
      .filter((o) => o.kind === 'Rollout')
      .flatMap((o) => {
        const st = (o as unknown as Workload).spec.strategy;
        return [st?.canary?.stableService, st?.canary?.canaryService, st?.blueGreen?.activeService, st?.blueGreen?.previewService];
      })
      .filter((n): n is string => !!n),
  );
  const selectsAbsent = (selector: Record<string, string> | undefined): boolean =>
    Object.keys(selector ?? {}).some((k) => k.startsWith('cnpg.io/')) || absentTemplates.some((labels) => matches(selector, labels));
  const podTemplates = [...deployments, ...statefulSets].map((w) => w.spec.template?.metadata?.labels ?? {});

  for (const svc of services) {
    const selector = (svc.spec as { selector?: Record<string, string> }).selector;
    if (!selector) continue;
    if (rolloutServices.has(svc.metadata.name) || selectsAbsent(selector)) {
      acceptedOnly.push(`Service/${svc.metadata.name}`);
      continue;
    }
    if (!podTemplates.some((labels) => matches(selector, labels))) {
      problems.push(`Service/${svc.metadata.name}: its selector ${JSON.stringify(selector)} matches no pod template in the namespace`);
      continue;
    }
    // Pods scaled to zero on purpose (the idle colour) leave a Service without endpoints; that is a problem only
    // when something is sent there: a Job (the smoke check) that names the Service.
    const scaledToZero = [...deployments, ...statefulSets].some(
      (w) => (w.spec.replicas ?? 1) === 0 && matches(selector, w.spec.template?.metadata?.labels),
    );
    const host = new RegExp(`//${svc.metadata.name}[.:/]`);
    if (scaledToZero && !jobs.some((j) => host.test(JSON.stringify(j.spec.template)))) continue;
    const ep = endpoints.find((e) => e.metadata.name === svc.metadata.name);
    for (const port of svc.spec.ports ?? []) {
      const ready = ep?.subsets?.some((s) => (s.addresses?.length ?? 0) > 0 && (s.ports ?? []).some((p) => (p.name ?? '') === (port.name ?? '')));
      if (!ready) problems.push(`Service/${svc.metadata.name}: no ready endpoint for port ${port.name ?? port.port}`);
    }
  }
  for (const pdb of pdbs) {
    const selector = pdb.spec.selector?.matchLabels;
    if (selectsAbsent(selector)) {
      acceptedOnly.push(`PodDisruptionBudget/${pdb.metadata.name}`);
      continue;
    }
    const s = pdb.status ?? {};
    if ((s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) problems.push(`PodDisruptionBudget/${pdb.metadata.name}: not observed yet`);
    else if ((s.expectedPods ?? 0) === 0) {
      const idle = [...deployments, ...statefulSets].some(
        (w) => (w.spec.replicas ?? 1) === 0 && matches(selector, w.spec.template?.metadata?.labels),
      );
      if (!idle) problems.push(`PodDisruptionBudget/${pdb.metadata.name}: selects no pod`);
    } else if ((s.currentHealthy ?? 0) < (s.desiredHealthy ?? 0)) {
      problems.push(`PodDisruptionBudget/${pdb.metadata.name}: ${s.currentHealthy}/${s.desiredHealthy} healthy`);
    } else if ((s.expectedPods ?? 0) > 1 && (s.disruptionsAllowed ?? 0) < 1) {
      problems.push(`PodDisruptionBudget/${pdb.metadata.name}: allows no disruption of ${s.expectedPods} pods (a node drain would hang)`);
    }
  }
  for (const hpa of hpas) {
    // A Rollout gets its `spec.replicas` from the Argo Rollouts controller (argo-rollouts#119); without the
    // controller the scale subresource has nothing to read.
    if (hpa.spec.scaleTargetRef?.kind === 'Rollout') {
      acceptedOnly.push(`HorizontalPodAutoscaler/${hpa.metadata.name}`);
      continue;
    }
    const able = hpa.status?.conditions?.find((c) => c.type === 'AbleToScale');
    if (able?.status !== 'True') {
      problems.push(
        `HorizontalPodAutoscaler/${hpa.metadata.name}: cannot scale ${hpa.spec.scaleTargetRef?.kind}/${hpa.spec.scaleTargetRef?.name}` +
          `${able ? ` (${able.reason}: ${able.message})` : ' (no AbleToScale condition yet)'}`,
      );
    }
  }
  for (const o of expected) {
    if (
      !['Deployment', 'StatefulSet', 'Job', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler'].includes(o.kind) &&
      !['v1', 'rbac.authorization.k8s.io/v1', 'networking.k8s.io/v1'].includes(o.apiVersion)
    ) {
      acceptedOnly.push(`${o.kind}/${o.metadata.name}`);
    }
  }
  return { healthy, problems, acceptedOnly };
}
