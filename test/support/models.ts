/**
 * Validates rendered objects strictly against the vendored schemas (schemas/, ajv), formats included, and
 * with the kubernetes-models packages where they have a model. A kind without a schema fails, so a
 * new kind cannot slip through unvalidated.
 *
 * Argo CD, Argo Rollouts and external-secrets objects have no model here: the model packages need
 * Node >= 22 in every version with the APIs the library emits. What their validators check (the
 * upstream CRD schema's types, required fields and enums, and the int32/int64/date-time/byte formats)
 * the strict schemas check too, from the same upstream CRDs, with unknown fields rejected as well.
 */
import { SchemaValidator } from '../../src/synth/strict-schemas';

type Model = { validate(): void };
/**
 * A model class. Each takes its own model type; what is passed here is unchecked JSON (checking it is
 * the point), hence `never`, which every model class accepts, and `as never` where it is constructed.
 */
type ModelClass = new (data: never) => Model;

const MODELS: Record<string, () => Promise<ModelClass>> = {
  'v1/Namespace': async () => (await import('kubernetes-models/v1/Namespace')).Namespace,
  'v1/Service': async () => (await import('kubernetes-models/v1/Service')).Service,
  'v1/ServiceAccount': async () => (await import('kubernetes-models/v1/ServiceAccount')).ServiceAccount,
  'v1/ConfigMap': async () => (await import('kubernetes-models/v1/ConfigMap')).ConfigMap,
  'v1/ResourceQuota': async () => (await import('kubernetes-models/v1/ResourceQuota')).ResourceQuota,
  'v1/LimitRange': async () => (await import('kubernetes-models/v1/LimitRange')).LimitRange,
  'apps/v1/Deployment': async () => (await import('kubernetes-models/apps/v1/Deployment')).Deployment,
  'batch/v1/Job': async () => (await import('kubernetes-models/batch/v1/Job')).Job,
  'autoscaling/v2/HorizontalPodAutoscaler': async () =>
    (await import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler')).HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': async () => (await import('kubernetes-models/policy/v1/PodDisruptionBudget')).PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': async () => (await import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy')).NetworkPolicy,
  'networking.k8s.io/v1/Ingress': async () => (await import('kubernetes-models/networking.k8s.io/v1/Ingress')).Ingress,
  'gateway.networking.k8s.io/v1/HTTPRoute': async () =>
    (await import('@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute')).HTTPRoute,
  'monitoring.coreos.com/v1/ServiceMonitor': async () =>
    (await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor')).ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': async () =>
    (await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule')).PrometheusRule,
  'apps/v1/StatefulSet': async () => (await import('kubernetes-models/apps/v1/StatefulSet')).StatefulSet,
  'monitoring.coreos.com/v1/PodMonitor': async () =>
    (await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor')).PodMonitor,
  'kustomize.toolkit.fluxcd.io/v1/Kustomization': async () =>
    (await import('@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization')).Kustomization,
  'source.toolkit.fluxcd.io/v1/GitRepository': async () =>
    (await import('@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository')).GitRepository,
  'notification.toolkit.fluxcd.io/v1beta3/Provider': async () =>
    (await import('@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3/Provider')).Provider,
  'notification.toolkit.fluxcd.io/v1beta3/Alert': async () =>
    (await import('@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3/Alert')).Alert,
};

const strict = new SchemaValidator(undefined, { checkFormats: true });

/**
 * Problems with `obj`, as `Kind/name: message`: strictly against the vendored schemas (unknown fields
 * and malformed formats are errors), and with the kubernetes-models validator where a model exists.
 * Empty when valid.
 */
export async function modelProblems(obj: { apiVersion: string; kind: string; metadata: { name: string } }): Promise<string[]> {
  const id = `${obj.kind}/${obj.metadata.name}`;
  const problems = strict.validate(obj).map((p) => `${id}: ${p.field ? `${p.field}: ` : ''}${p.message}`);
  const load = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (load) {
    const ModelCtor = await load();
    try {
      new ModelCtor(structuredClone(obj) as never).validate();
    } catch (e) {
      problems.push(`${id}: ${(e as Error).message}`);
    }
  }
  return problems;
}
