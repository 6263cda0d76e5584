import { Duration } from 'cdk8s';
import { checkDurationRange, wholeSeconds } from '../core/duration';
import { Problem, ProblemCollector, throwIfProblems, show } from '../core/validation';
import { checkInteger } from '../core/rules';

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
  /** Deadline for the whole Job (30 s to 24 h). @default Duration.minutes(10) */
  readonly activeDeadline?: Duration;
}

/** The kinds of migration. */
export type MigrationMode = 'none' | 'on-start' | 'job';

/**
 * How database migrations run: in the binary before it serves (`onStart`, with a startupProbe that waits
 * for it), or as a Kubernetes Job before the rollout (`job`, an Argo CD PreSync hook).
 */
export class Migration {
  /** No migrations. */
  public static none(): Migration {
    return new Migration('none', undefined, undefined);
  }

  /** The binary migrates before it serves; a generous startupProbe covers the migration. */
  public static onStart(options: OnStartMigrationOptions = {}): Migration {
    const startupTimeout = options.startupTimeout ?? Duration.minutes(5);
    throwIfProblems('Migration.onStart', validateOnStart({ startupTimeout }));
    return new Migration('on-start', wholeSeconds(startupTimeout), undefined);
  }

  /** A Job with the same image runs `command` as an Argo CD PreSync hook, before the new pods roll out. */
  public static job(options: JobMigrationOptions): Migration {
    const checked = {
      command: options.command === undefined ? options.command : [...options.command],
      backoffLimit: options.backoffLimit ?? 2,
      activeDeadline: options.activeDeadline ?? Duration.minutes(10),
    };
    throwIfProblems('Migration.job', validateJobMigration(checked));
    return new Migration('job', undefined, { command: checked.command as string[], backoffLimit: checked.backoffLimit, activeDeadlineSeconds: wholeSeconds(checked.activeDeadline) });
  }

  private constructor(
    /** Which kind of migration. */
    public readonly mode: MigrationMode,
    /** Startup budget for `on-start`. */
    public readonly startupTimeoutSeconds: number | undefined,
    /** Job settings for `job`. */
    public readonly job: { readonly command: string[]; readonly backoffLimit: number; readonly activeDeadlineSeconds: number } | undefined,
  ) {}
}

/** Problems with on-start migration options. */
export function validateOnStart(o: OnStartMigrationOptions): Problem[] {
  const c = new ProblemCollector();
  if (o.startupTimeout !== undefined) {
    c.check('startupTimeout', checkDurationRange(o.startupTimeout, 10, 3600));
  }
  return [...c.problems];
}

/** Problems with Job migration options. */
export function validateJobMigration(o: Partial<JobMigrationOptions>): Problem[] {
  const c = new ProblemCollector();
  if (o.command === undefined) {
    c.check('command', 'is required: the command that migrates, like ["/app/server", "migrate"]');
  } else if (!Array.isArray(o.command) || o.command.length === 0 || o.command.some((a) => typeof a !== 'string' || a === '')) {
    c.check('command', `${show(o.command)} must be a non-empty list of non-empty strings, like ["/app/server", "migrate"]`);
  }
  if (o.backoffLimit !== undefined) c.check('backoffLimit', checkInteger(o.backoffLimit, 0, 10));
  if (o.activeDeadline !== undefined) {
    c.check('activeDeadline', checkDurationRange(o.activeDeadline, 30, 86400));
  }
  return [...c.problems];
}
