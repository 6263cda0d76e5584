/**
 * One configuration problem: where it is and what is wrong with it.
 */
import { closest } from './closest';
import { holdsCredential } from './credential-shape';
import { FieldPath } from './field-path';

export interface Problem {
  /** Dotted path of the offending field from the root of what the user wrote: props (`resources.limits.cpu`) or a file (`services.api.resources.limits.cpu`). */
  readonly field: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/** A problem and where it was found: a file (`environments/prod.yaml`) or a construct (`TradingBackend prod/api`). */
export interface LocatedProblem extends Problem {
  /** The file or construct; empty when the message says where. */
  readonly where: string;
}

/** `where: field: message`, leaving out the empty parts. */
export function formatProblem(p: LocatedProblem): string {
  return [p.where, p.field, p.message].filter((part) => part !== '').join(': ');
}

/**
 * Thrown when configuration or props are invalid. Carries every problem found, not just the first,
 * so one synth run shows the whole list. The problems stay structured (`located`), so a caller can
 * address one to the field of the file it came from without rewriting the text.
 */
export class ConfigurationError extends Error {
  /** Every problem, with where it was found and the field. */
  public readonly located: readonly LocatedProblem[];
  /** Every problem as one line (`where: field: message`). */
  public readonly problems: readonly string[];

  /** Lines that already say where they are, or located problems. */
  constructor(problems: ReadonlyArray<string | LocatedProblem>) {
    const located = problems.map((p) => (typeof p === 'string' ? { where: '', field: '', message: p } : p));
    const lines = located.map(formatProblem);
    super(lines.length === 1 ? lines[0] : `${lines.length} configuration problems:\n${lines.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
    this.located = located;
    this.problems = lines;
  }
}

/**
 * Formats problems found in a construct's props as `Kind path: field: message`.
 */
export function formatProblems(owner: string, problems: readonly Problem[]): string[] {
  return problems.map((p) => formatProblem({ ...p, where: owner }));
}

/**
 * Throws a ConfigurationError naming `owner` when there is any problem.
 */
export function throwIfProblems(owner: string, problems: readonly Problem[]): void {
  if (problems.length > 0) {
    throw new ConfigurationError(problems.map((p) => ({ where: owner, field: p.field, message: p.message })));
  }
}

/**
 * Judges the value of a construct-context key (`cdk8s-trading:placement`) as props are judged: `undefined` when it is
 * unset (or null), else the value, once `validate` finds nothing; a value that is not a mapping when `mapping` is asked
 * for, or any problem, is a ConfigurationError naming the context key (`context cdk8s-trading:placement: ...`).
 */
export function contextValue<T>(
  key: string,
  value: unknown,
  validate: (v: T) => readonly Problem[],
  mapping = true,
  /** The keys a mapping may have: any other is a problem (a typo would otherwise be ignored). @default - any */
  keys?: readonly string[],
): T | undefined {
  if (value === undefined || value === null) return undefined;
  const unknown = keys && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value).filter((k) => !keys.includes(k)) : [];
  const problems =
    mapping && (typeof value !== 'object' || Array.isArray(value))
      ? [{ field: '', message: `${show(value)} is not a mapping` }]
      : [
          ...unknown.map((k) => {
            const guess = closest(k, keys ?? []);
            return { field: k, message: `unknown key${guess ? ` (did you mean "${guess}"?)` : ''}; allowed: ${(keys ?? []).join(', ')}` };
          }),
          ...validate(value as T),
        ];
  if (problems.length > 0) throw new ConfigurationError(problems.map((p) => ({ where: `context ${key}`, field: p.field, message: p.message })));
  return value as T;
}

/**
 * Collects problems while walking a props object. `check` records a message when it is defined,
 * so rule functions (which return `string | undefined`) compose without branching.
 */
export class ProblemCollector {
  private readonly list: Problem[] = [];
  /** One value judged by two rules that agree (a service's image is also its engine's) is one problem. */
  private readonly seen = new Set<string>();

  /** Records `message` for `field` when the message is defined; returns it. */
  public check(field: string | FieldPath, message: string | undefined): string | undefined {
    if (message !== undefined) this.add([{ field: String(field), message }]);
    return message;
  }

  /** Records problems a rule has already placed (it was given the path). */
  public add(problems: readonly Problem[]): void {
    for (const p of problems) {
      const key = `${p.field}\u0000${p.message}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.list.push(p);
    }
  }

  /** Everything recorded so far. */
  public get problems(): readonly Problem[] {
    return this.list;
  }
}

/**
 * JSON-style rendering of a value for messages, so strings are visibly quoted; a missing value reads
 * "nothing", and a long one is cut (a message quotes the value, never a whole document).
 */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  // Whatever field it was written in, a credential is never repeated (a message ends up in CI logs and reviews).
  if (typeof value === 'string' && holdsCredential(value)) return 'the value (not shown here: it looks like a credential)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
