import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { HOOK_ANNOTATION, SYNC_WAVE_ANNOTATION, SyncWave } from '../core/sync-wave';

/** The apply stages, in order; each is an Argo CD wave and a Flux Kustomization. */
export type ApplyStage = 'namespace' | 'config' | 'database' | 'migration' | 'application';

/** The stages in apply order with their Argo CD wave and `dist/` folder. */
export const APPLY_STAGES: ReadonlyArray<{ readonly stage: ApplyStage; readonly wave: number; readonly folder: string }> = [
  { stage: 'namespace', wave: SyncWave.NAMESPACE, folder: '10-namespace' },
  { stage: 'config', wave: SyncWave.CONFIG, folder: '20-config' },
  { stage: 'database', wave: SyncWave.DATABASE, folder: '30-database' },
  { stage: 'migration', wave: SyncWave.MIGRATION, folder: '40-migration' },
  { stage: 'application', wave: SyncWave.APPLICATION, folder: '50-application' },
];

const NAMESPACE_KINDS = new Set(['Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy']);
const CONFIG_KINDS = new Set(['ConfigMap', 'ExternalSecret', 'Secret', 'ServiceAccount']);

/** The stage an object belongs to: by its wave when it has one, by its kind otherwise. */
export function applyStageOf(manifest: { kind: string; metadata: { annotations?: Record<string, string> } }): ApplyStage {
  const annotations = manifest.metadata.annotations ?? {};
  if (annotations[HOOK_ANNOTATION] !== undefined) return 'migration';
  const wave = annotations[SYNC_WAVE_ANNOTATION];
  if (wave !== undefined) {
    return APPLY_STAGES.find((s) => s.wave === Number(wave))?.stage ?? 'application';
  }
  if (NAMESPACE_KINDS.has(manifest.kind)) return 'namespace';
  if (CONFIG_KINDS.has(manifest.kind)) return 'config';
  return 'application';
}

/**
 * Gives every object under `scope` without a wave the Argo CD sync wave of its stage, so a sync
 * applies the namespace and its guards, then configuration and secrets, then databases, then
 * migrations, then the application. Objects that already have a wave or are hooks keep theirs.
 */
export function applySyncWaves(scope: IConstruct): void {
  for (const child of scope.node.findAll()) {
    if (!(child instanceof ApiObject)) continue;
    const annotations: Record<string, string> = child.metadata.toJson().annotations ?? {};
    if (annotations[SYNC_WAVE_ANNOTATION] !== undefined || annotations[HOOK_ANNOTATION] !== undefined) continue;
    const stage = applyStageOf({ kind: child.kind, metadata: { annotations } });
    const wave = APPLY_STAGES.find((s) => s.stage === stage)?.wave ?? SyncWave.APPLICATION;
    child.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
  }
}
