/**
 * The config door's one step: judge a value with the library's own rule at the path the file gives it,
 * and only then build it with the factory that takes it (which cannot fail any more).
 */
import { Problem, ProblemCollector } from '../../core/problems';

/** Records `problems`; returns `make()` when there are none, else `undefined`. */
export function checked<T>(c: ProblemCollector, problems: readonly Problem[], make: () => T): T | undefined {
  c.add(problems);
  return problems.length === 0 ? make() : undefined;
}
