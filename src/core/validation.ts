/**
 * One configuration problem: where it is and what is wrong with it.
 */
export interface Problem {
  /** Dotted path of the offending field, relative to the thing being validated (`resources.limits.cpu`). */
  readonly field: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/**
 * Thrown when configuration or props are invalid. Carries every problem found, not just the first,
 * so one synth run shows the whole list.
 */
export class ConfigurationError extends Error {
  /** Every problem, each already prefixed with where it was found. */
  public readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      problems.length === 1
        ? problems[0]
        : `${problems.length} configuration problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigurationError';
    this.problems = problems;
  }
}

/**
 * Formats problems found in a construct's props as `Kind path: field: message`.
 */
export function formatProblems(owner: string, problems: readonly Problem[]): string[] {
  return problems.map((p) => (p.field ? `${owner}: ${p.field}: ${p.message}` : `${owner}: ${p.message}`));
}

/**
 * Throws a ConfigurationError naming `owner` when there is any problem.
 */
export function throwIfProblems(owner: string, problems: readonly Problem[]): void {
  if (problems.length > 0) {
    throw new ConfigurationError(formatProblems(owner, problems));
  }
}

/**
 * Collects problems while walking a props object. `check` records a message when it is defined,
 * so rule functions (which return `string | undefined`) compose without branching.
 */
export class ProblemCollector {
  private readonly list: Problem[] = [];

  /** Records `message` for `field` when the message is defined. */
  public check(field: string, message: string | undefined): void {
    if (message !== undefined) {
      this.list.push({ field, message });
    }
  }

  /** Records problems found by a nested validator under `prefix`. */
  public nest(prefix: string, problems: readonly Problem[]): void {
    for (const p of problems) {
      const field = !prefix ? p.field : p.field ? `${prefix}.${p.field}` : prefix;
      this.list.push({ field, message: p.message });
    }
  }

  /** Everything recorded so far. */
  public get problems(): readonly Problem[] {
    return this.list;
  }
}

/** JSON-style rendering of a value for messages, so strings are visibly quoted. */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
