/**
 * Validates rendered objects with the kubernetes-models packages (types, required fields and
 * enums of the upstream OpenAPI schemas and CRDs). A kind without a model fails, so a new kind
 * cannot slip through unvalidated.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';

type Model = { validate(): void };
type ModelClass = new (data: any) => Model;

const MODELS: Record<string, () => Promise<ModelClass>> = {
  'v1/Namespace': async () => (await import('kubernetes-models/v1/Namespace')).Namespace,
  'v1/Service': async () => (await import('kubernetes-models/v1/Service')).Service,
  'v1/ServiceAccount': async () => (await import('kubernetes-models/v1/ServiceAccount')).ServiceAccount,
  'v1/ConfigMap': async () => (await import('kubernetes-models/v1/ConfigMap')).ConfigMap,
  'v1/ResourceQuota': async () => (await import('kubernetes-models/v1/ResourceQuota')).ResourceQuota,
  'v1/LimitRange': async () => (await import('kubernetes-models/v1/LimitRange')).LimitRange,
  'apps/v1/Deployment': async () => (await import('kubernetes-models/apps/v1/Deployment')).Deployment,
  'batch/v1/Job': async () => (await import('kubernetes-models/batch/v1/Job')).Job,
  'autoscaling/v2/HorizontalPodAutoscaler': async () => (await import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler')).HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': async () => (await import('kubernetes-models/policy/v1/PodDisruptionBudget')).PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': async () => (await import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy')).NetworkPolicy,
  'networking.k8s.io/v1/Ingress': async () => (await import('kubernetes-models/networking.k8s.io/v1/Ingress')).Ingress,
  'gateway.networking.k8s.io/v1/HTTPRoute': async () => (await import('@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute')).HTTPRoute,
  'monitoring.coreos.com/v1/ServiceMonitor': async () => (await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor')).ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': async () => (await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule')).PrometheusRule,
  'external-secrets.io/v1/ExternalSecret': async () => (await import('@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret')).ExternalSecret,
  'argoproj.io/v1alpha1/Rollout': async () => (await import('@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout')).Rollout,
  'argoproj.io/v1alpha1/AnalysisTemplate': async () => (await import('@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate')).AnalysisTemplate,
  'apps/v1/StatefulSet': async () => (await import('kubernetes-models/apps/v1/StatefulSet')).StatefulSet,
  'monitoring.coreos.com/v1/PodMonitor': async () => (await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor')).PodMonitor,
  'postgresql.cnpg.io/v1/Cluster': async () => crdModel('postgresql.cnpg.io_v1_cluster'),
  'postgresql.cnpg.io/v1/Pooler': async () => crdModel('postgresql.cnpg.io_v1_pooler'),
  'postgresql.cnpg.io/v1/ScheduledBackup': async () => crdModel('postgresql.cnpg.io_v1_scheduledbackup'),
  'barmancloud.cnpg.io/v1/ObjectStore': async () => crdModel('barmancloud.cnpg.io_v1_objectstore'),
};

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const crdModels = new Map<string, ModelClass>();

/** A model backed by a vendored strict CRD schema (test/schemas/), for CRDs without npm models. */
function crdModel(file: string): ModelClass {
  const cached = crdModels.get(file);
  if (cached) return cached;
  const validate = ajv.compile(JSON.parse(readFileSync(join(__dirname, '..', 'schemas', `${file}.json`), 'utf8')));
  const model = class {
    constructor(private readonly data: unknown) {}
    validate(): void {
      if (!validate(this.data)) {
        throw new Error((validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` "${String(e.params.additionalProperty)}"` : ''}`).join('; '));
      }
    }
  };
  crdModels.set(file, model);
  return model;
}

/** Problems the models find in `obj`, as `Kind/name: message`; empty when valid. */
export async function modelProblems(obj: { apiVersion: string; kind: string; metadata: { name: string } }): Promise<string[]> {
  const load = MODELS[`${obj.apiVersion}/${obj.kind}`];
  const id = `${obj.kind}/${obj.metadata.name}`;
  if (!load) return [`${id}: no kubernetes-models validator for ${obj.apiVersion}/${obj.kind}`];
  const ModelCtor = await load();
  try {
    new ModelCtor(structuredClone(obj)).validate();
    return [];
  } catch (e) {
    return [`${id}: ${(e as Error).message}`];
  }
}
