import { FieldPath } from '../core/field-path';
import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { MigrationBackup } from '../core/connection';
import { kubeObject } from '../core/kube-object';
import { HOOK_ANNOTATION, HOOK_DELETE_POLICY_ANNOTATION, SyncWave, syncWaveAnnotation } from '../core/sync-wave';
import { backupWaitContainer, backupWaitTokenVolume } from './backup-wait';
import { BackendPodInput, taskPodTemplate } from './pod';
import { checkDurationRange, wholeSeconds } from '../core/duration';
import { Problem, ProblemCollector, throwIfProblems, show } from '../core/problems';
import { checkImage, checkInteger } from '../core/value-rules';
import { DEFAULT_SMOKE_TEST_IMAGE } from './smoke-test';

/** Options for `Migration.onStart`. */
export interface OnStartMigrationOptions {
  /** How long the startupProbe lets the container migrate before liveness takes over (10 s to 1 h). @default Duration.minutes(5) */
  readonly startupTimeout?: Duration;
}

/** Options for `Migration.job`. */
export interface JobMigrationOptions {
  /** Command the Job runs, with the service's image (`["/app/server", "migrate"]`). */
  readonly command: string[];
  /** Retries before the Job fails. @default 2 */
  readonly backoffLimit?: number;
  /** Deadline of the migration itself (30 s to 24 h); a backup wait comes on top. @default Duration.minutes(10) */
  readonly activeDeadline?: Duration;
  /**
   * Take an on-demand backup of each connected database that has backups configured (CloudNativePG with
   * an object store) and let the migration start only once it completed; a failed backup fails the Job.
   * Set to true explicitly, a connected database that cannot take one (a StatefulSet, an external database,
   * a CloudNativePG cluster without `backup`) is an error.
   * @default true (for the databases that can)
   */
  readonly backupFirst?: boolean;
  /** How long the Job waits for that backup before it fails (1 m to 24 h). @default Duration.minutes(30) */
  readonly backupTimeout?: Duration;
  /** Image of the container that waits for the backup (it needs `sh` and `curl`). @default - the smoke check's curl image (`DEFAULT_SMOKE_TEST_IMAGE`) */
  readonly backupWaitImage?: string;
  /**
   * Command that undoes the release's migrations (`["/app/server", "migrate", "down", "1"]`), rendered as a suspended Job
   * `<name>-migrate-rollback` with the migration's image, variables, secrets and network rules, which runs only when an
   * operator resumes it (`kubectl patch job <name>-migrate-rollback -p '{"spec":{"suspend":false}}'`). Argo CD creates it
   * without counting its health and without treating the resumed Job as drift; see the runbook "The migration broke production".
   * @default - no rollback Job
   */
  readonly rollbackCommand?: string[];
}

/** The settings of a Job migration, resolved. */
export interface JobMigrationSettings {
  readonly command: string[];
  readonly backoffLimit: number;
  readonly activeDeadlineSeconds: number;
  readonly backupFirst: boolean;
  /** Whether `backupFirst` was asked for (not only the default): a database that cannot honour it is then an error. */
  readonly backupFirstRequested: boolean;
  readonly backupTimeoutSeconds: number;
  readonly backupWaitImage: string;
  /** The down-migration command of the on-demand rollback Job, if any. */
  readonly rollbackCommand?: string[];
}

/** The image that waits for a pre-migration backup unless given. */
export const DEFAULT_BACKUP_WAIT_IMAGE = DEFAULT_SMOKE_TEST_IMAGE;

/** The kinds of migration. */
export type MigrationMode = 'none' | 'on-start' | 'job';

/** What a migration Job is rendered from. */
export interface MigrationJobRequest {
  /** The construct the Job is created in (id `Migration`). */
  readonly scope: Construct;
  /** The service's name: the Job is `<name>-migrate`, and so is the service account that reads backups. */
  readonly name: string;
  /** The Job's metadata. */
  readonly metadata: { readonly name: string; readonly labels: Record<string, string>; readonly annotations?: Record<string, string> };
  /** The pod of the service, with the migration's variables. */
  readonly pod: BackendPodInput;
  /** Labels of the Job's pods. */
  readonly podLabels: Record<string, string>;
  /** The backups to wait for; read at synthesis, so connections made later add theirs. */
  readonly backups: readonly MigrationBackup[];
  /** User the backup-wait containers run as. */
  readonly runAsUser: number;
}

/**
 * How database migrations run: in the binary before it serves (`onStart`, with a startupProbe that waits
 * for it), or as a Kubernetes Job before the rollout (`job`, an Argo CD PreSync hook). Each kind renders
 * its own part: the startup budget of the pods, or the Job.
 */
export abstract class Migration {
  /** No migrations. */
  public static none(): Migration {
    return new NoMigration();
  }

  /** The binary migrates before it serves; a generous startupProbe covers the migration. */
  public static onStart(options: OnStartMigrationOptions = {}): Migration {
    const startupTimeout = options.startupTimeout ?? Duration.minutes(5);
    throwIfProblems('Migration.onStart', validateOnStart({ startupTimeout }));
    return new OnStartMigration(wholeSeconds(startupTimeout));
  }

  /**
   * A Job with the same image runs `command` before the new pods roll out (an Argo CD hook; its own
   * Flux stage); with a backed-up database connected, it first waits for a fresh backup.
   */
  public static job(options: JobMigrationOptions): Migration {
    const checked = {
      ...options,
      command: options.command === undefined ? options.command : [...options.command],
      backoffLimit: options.backoffLimit ?? 2,
      activeDeadline: options.activeDeadline ?? Duration.minutes(10),
      backupTimeout: options.backupTimeout ?? Duration.minutes(30),
    };
    throwIfProblems('Migration.job', validateJobMigration(checked));
    return new JobMigration({
      command: checked.command as string[],
      backoffLimit: checked.backoffLimit,
      activeDeadlineSeconds: wholeSeconds(checked.activeDeadline),
      backupFirst: options.backupFirst ?? true,
      backupFirstRequested: options.backupFirst === true,
      backupTimeoutSeconds: wholeSeconds(checked.backupTimeout),
      backupWaitImage: options.backupWaitImage ?? DEFAULT_BACKUP_WAIT_IMAGE,
      ...(options.rollbackCommand === undefined ? {} : { rollbackCommand: [...options.rollbackCommand] }),
    });
  }

  /** Only the kinds above. */
  protected constructor(
    /** Which kind of migration. */
    public readonly mode: MigrationMode,
  ) {}

  /** Startup budget of the pods, for `on-start`. */
  public get startupTimeoutSeconds(): number | undefined {
    return undefined;
  }

  /** Job settings, for `job`. */
  public get job(): JobMigrationSettings | undefined {
    return undefined;
  }

  /**
   * The migration Job, for `job`; else nothing.
   * @internal
   */
  public _renderJob(_request: MigrationJobRequest): ApiObject | undefined {
    return undefined;
  }

  /**
   * The suspended down-migration Job, for `job` with a `rollbackCommand`; else nothing.
   * @internal
   */
  public _renderRollbackJob(_request: MigrationJobRequest): ApiObject | undefined {
    return undefined;
  }
}

class NoMigration extends Migration {
  public constructor() {
    super('none');
  }
}

class OnStartMigration extends Migration {
  public constructor(private readonly startupSeconds: number) {
    super('on-start');
  }

  public get startupTimeoutSeconds(): number {
    return this.startupSeconds;
  }
}

class JobMigration extends Migration {
  public constructor(private readonly settings: JobMigrationSettings) {
    super('job');
  }

  public get job(): JobMigrationSettings {
    return this.settings;
  }

  /** A PreSync hook Job; with backups to wait for, an init container per backup and the token to ask for them. */
  public _renderJob(r: MigrationJobRequest): ApiObject {
    const job = this.settings;
    const waits = r.backups;
    const task = taskPodTemplate(r.pod, 'migrate', r.podLabels, job.command);
    return kubeObject(
      r.scope,
      'Migration',
      k8s.KubeJob.GVK,
      {
        metadata: {
          ...r.metadata,
          // Argo CD runs the Job before syncing the new pods and recreates it on every sync.
          annotations: {
            [HOOK_ANNOTATION]: 'PreSync',
            [HOOK_DELETE_POLICY_ANNOTATION]: 'BeforeHookCreation',
            ...syncWaveAnnotation(-1),
          },
        },
        // Read at synthesis: connectTo may add backups to wait for until then.
        spec: {
          backoffLimit: job.backoffLimit,
          get activeDeadlineSeconds() {
            return job.activeDeadlineSeconds + (waits.length > 0 ? job.backupTimeoutSeconds : 0);
          },
          template: {
            metadata: task.metadata,
            get spec(): k8s.PodSpec {
              if (waits.length === 0) return task.spec as k8s.PodSpec;
              const spec = task.spec as k8s.PodSpec;
              return {
                ...spec,
                serviceAccountName: `${r.name}-migrate`,
                volumes: [...(spec.volumes ?? []), backupWaitTokenVolume()],
                initContainers: waits.map((backup, i) =>
                  backupWaitContainer(
                    i === 0 ? 'wait-for-backup' : `wait-for-backup-${i + 1}`,
                    backup,
                    job.backupWaitImage,
                    job.backupTimeoutSeconds,
                    r.runAsUser,
                  ),
                ),
              };
            },
          },
        },
      },
      k8s.toJson_KubeJobProps,
    );
  }

  /**
   * The down-migration as a Job created suspended: no pod runs until an operator resumes it. Not a hook (a hook would
   * run it on every sync); Argo CD leaves its health out of the Application's (a suspended Job is `Suspended`, which
   * would hold the Application at Suspended), ignores `spec.suspend` (the Application respects ignored differences, so
   * a sync does not suspend a resumed Job again), and recreates it when a release changes its immutable template.
   */
  public _renderRollbackJob(r: MigrationJobRequest): ApiObject | undefined {
    const job = this.settings;
    if (job.rollbackCommand === undefined) return undefined;
    const task = taskPodTemplate(r.pod, 'migrate-rollback', r.podLabels, job.rollbackCommand);
    return kubeObject(
      r.scope,
      'MigrationRollback',
      k8s.KubeJob.GVK,
      {
        metadata: {
          ...r.metadata,
          name: migrationRollbackJobName(r.name),
          annotations: { ...ROLLBACK_JOB_ANNOTATIONS, ...syncWaveAnnotation(SyncWave.MIGRATION) },
        },
        spec: {
          suspend: true,
          // A down-migration that failed half-way is for a person to look at, not to retry.
          backoffLimit: 0,
          activeDeadlineSeconds: job.activeDeadlineSeconds,
          template: task,
        },
      },
      k8s.toJson_KubeJobProps,
    );
  }
}

/** The name of a service's on-demand rollback Job. */
export function migrationRollbackJobName(service: string): string {
  return `${service}-migrate-rollback`;
}

/**
 * What keeps the suspended rollback Job from disturbing delivery: Argo CD leaves it out of the Application's health
 * (`ignore-healthcheck`) and deletes and recreates it when its template changes (a Job's template is immutable);
 * Flux applies the migration stage with `force`, which does the same.
 */
export const ROLLBACK_JOB_ANNOTATIONS: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/ignore-healthcheck': 'true',
  'argocd.argoproj.io/sync-options': 'Force=true,Replace=true',
};

/** Problems with on-start migration options. */
export function validateOnStart(o: OnStartMigrationOptions, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  if (o.startupTimeout !== undefined) {
    c.check(path.seconds('startupTimeout'), checkDurationRange(o.startupTimeout, 10, 3600, path.spelling));
  }
  return [...c.problems];
}

/** Problems with Job migration options. */
export function validateJobMigration(o: Partial<JobMigrationOptions>, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  if (o.command === undefined) {
    c.check(path.child('command'), 'is required: the command that migrates, like ["/app/server", "migrate"]');
  } else if (!isCommand(o.command)) {
    c.check(path.child('command'), `${show(o.command)} must be a non-empty list of non-empty strings, like ["/app/server", "migrate"]`);
  }
  if (o.backoffLimit !== undefined) c.check(path.child('backoffLimit'), checkInteger(o.backoffLimit, 0, 10));
  if (o.activeDeadline !== undefined) {
    c.check(path.seconds('activeDeadline'), checkDurationRange(o.activeDeadline, 30, 86400, path.spelling));
  }
  if (o.backupFirst !== undefined && typeof o.backupFirst !== 'boolean')
    c.check(path.child('backupFirst'), `${show(o.backupFirst)} must be true or false`);
  if (o.backupTimeout !== undefined) c.check(path.seconds('backupTimeout'), checkDurationRange(o.backupTimeout, 60, 86400, path.spelling));
  if (o.backupWaitImage !== undefined) c.check(path.child('backupWaitImage'), checkImage(o.backupWaitImage, false));
  if (o.rollbackCommand !== undefined && !isCommand(o.rollbackCommand)) {
    c.check(
      path.child('rollbackCommand'),
      `${show(o.rollbackCommand)} must be a non-empty list of non-empty strings, like ["/app/server", "migrate", "down", "1"]`,
    );
  }
  return [...c.problems];
}

/** Whether `value` is a command: a non-empty list of non-empty strings. */
function isCommand(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((a) => typeof a === 'string' && a !== '');
}
