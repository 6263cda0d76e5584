import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { HOOK_ANNOTATION, inStagedRelease, SYNC_WAVE_ANNOTATION, SyncWave } from '../core/sync-wave';

/** The apply stages, in order; each is an Argo CD wave and a Flux Kustomization. */
export type ApplyStage =
  'namespace' | 'config' | 'database' | 'migration' | 'application' | 'smoke-test' | 'release-wait' | 'staged-application' | 'staged-smoke-test';

/** An Argo CD hook phase. */
export type HookPhase = 'PreSync' | 'Sync' | 'PostSync';

/** One apply stage: its Argo CD wave, its `dist/` folder, and the hooks it holds. */
export interface ApplyStageSpec {
  readonly stage: ApplyStage;
  readonly wave: number;
  readonly folder: string;
  /**
   * The Argo CD hook phases whose objects live in this stage (Jobs: Flux applies a stage holding
   * hooks with `force`, since a Job's template is immutable, and waits for them to complete).
   */
  readonly hooks: readonly HookPhase[];
}

/** The stages in apply order with their Argo CD wave, `dist/` folder and hooks. */
export const APPLY_STAGES: readonly ApplyStageSpec[] = [
  { stage: 'namespace', wave: SyncWave.NAMESPACE, folder: '10-namespace', hooks: [] },
  { stage: 'config', wave: SyncWave.CONFIG, folder: '20-config', hooks: [] },
  { stage: 'database', wave: SyncWave.DATABASE, folder: '30-database', hooks: [] },
  { stage: 'migration', wave: SyncWave.MIGRATION, folder: '40-migration', hooks: ['PreSync', 'Sync'] },
  { stage: 'application', wave: SyncWave.APPLICATION, folder: '50-application', hooks: [] },
  { stage: 'smoke-test', wave: SyncWave.SMOKE_TEST, folder: '60-smoke-test', hooks: ['PostSync', 'Sync'] },
  { stage: 'release-wait', wave: SyncWave.RELEASE_WAIT, folder: '70-release-wait', hooks: ['Sync'] },
  { stage: 'staged-application', wave: SyncWave.STAGED_APPLICATION, folder: '80-staged-application', hooks: [] },
  { stage: 'staged-smoke-test', wave: SyncWave.STAGED_SMOKE_TEST, folder: '90-staged-smoke-test', hooks: ['PostSync'] },
];

/** Where the objects of a service that releases after another go instead. */
const STAGED: Partial<Record<ApplyStage, number>> = {
  application: SyncWave.STAGED_APPLICATION,
  'smoke-test': SyncWave.STAGED_SMOKE_TEST,
};

/** The stage of a `dist/` folder (`60-smoke-test`), if it is one. */
export function stageOfFolder(folder: string): ApplyStageSpec | undefined {
  return APPLY_STAGES.find((s) => s.folder === folder);
}

const NAMESPACE_KINDS = new Set(['Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy']);
const CONFIG_KINDS = new Set(['ConfigMap', 'ExternalSecret', 'Secret', 'ServiceAccount']);

/**
 * The stage an object belongs to: a hook by its phase (and its wave, when several stages hold that
 * phase), any other object by its wave when it has one, by its kind otherwise.
 */
export function applyStageOf(manifest: { kind: string; metadata: { annotations?: Record<string, string> } }): ApplyStage {
  const annotations = manifest.metadata.annotations ?? {};
  const wave = annotations[SYNC_WAVE_ANNOTATION];
  const hook = annotations[HOOK_ANNOTATION];
  if (hook !== undefined) {
    const phases = hook.split(',').map((p) => p.trim());
    const holding = APPLY_STAGES.filter((s) => s.hooks.some((h) => phases.includes(h)));
    return (holding.find((s) => wave !== undefined && s.wave === Number(wave)) ?? holding[0])?.stage ?? 'migration';
  }
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
 * migrations, then the application. Objects that already have a wave or are hooks keep theirs, except
 * the application and smoke-check objects of a service that releases after another: they move to the
 * staged waves, after the wait; and with such a service, the other smoke checks become Sync hooks of their
 * wave, so they run before the wait.
 */
export function applySyncWaves(scope: IConstruct): void {
  const objects = scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const hasStagedReleases = objects.some((o) => inStagedRelease(o));
  for (const child of objects) {
    const annotations: Record<string, string> = child.metadata.toJson().annotations ?? {};
    const stage = applyStageOf({ kind: child.kind, metadata: { annotations } });
    const staged = inStagedRelease(child) ? STAGED[stage] : undefined;
    if (staged !== undefined) {
      child.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(staged));
      continue;
    }
    // Argo CD runs PostSync hooks after every wave, so a smoke check would come after the services released
    // after this one: as a Sync hook in its wave, it runs before the wait, as Flux's stage order has it.
    if (hasStagedReleases && stage === 'smoke-test' && annotations[HOOK_ANNOTATION] === 'PostSync') {
      child.metadata.addAnnotation(HOOK_ANNOTATION, 'Sync');
      continue;
    }
    if (annotations[SYNC_WAVE_ANNOTATION] !== undefined || annotations[HOOK_ANNOTATION] !== undefined) continue;
    const wave = APPLY_STAGES.find((s) => s.stage === stage)?.wave ?? SyncWave.APPLICATION;
    child.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
  }
}
