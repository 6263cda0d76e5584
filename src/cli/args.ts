/** Command-line arguments: flags by name, positionals in order; unknown flags are usage errors. */

/** A usage error: the CLI prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** What a command accepts. */
export interface ArgSpec {
  /** Flags that take a value (`--env prod` or `--env=prod`), with short aliases. */
  readonly values?: Readonly<Record<string, { readonly alias?: string; readonly repeatable?: boolean }>>;
  /** Boolean flags. */
  readonly booleans?: Readonly<Record<string, { readonly alias?: string }>>;
  /** How many positionals at most. @default 0 */
  readonly positionals?: number;
}

/** Parsed arguments. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, readonly string[]>>;
  readonly booleans: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

/** Parses `argv` against `spec`; throws a UsageError on anything it does not know. */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const values: Record<string, string[]> = {};
  const booleans = new Set<string>();
  const positionals: string[] = [];
  const byAlias = (alias: string): string | undefined => Object.entries({ ...spec.values, ...spec.booleans }).find(([, s]) => s.alias === alias)?.[0];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const raw = eq > 0 ? arg.slice(0, eq) : arg;
    const name = raw.startsWith('--') ? raw.slice(2) : (byAlias(raw.slice(1)) ?? `-${raw.slice(1)}`);
    if (spec.booleans?.[name]) {
      if (eq > 0) throw new UsageError(`${raw} takes no value`);
      booleans.add(name);
    } else if (spec.values?.[name]) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${raw} needs a value`);
      if (!spec.values[name].repeatable && values[name]) throw new UsageError(`${raw} given twice`);
      (values[name] ??= []).push(value);
    } else {
      throw new UsageError(`unknown option ${raw}`);
    }
  }
  if (positionals.length > (spec.positionals ?? 0)) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[spec.positionals ?? 0])}`);
  }
  return { values, booleans, positionals };
}
