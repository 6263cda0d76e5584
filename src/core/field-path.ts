/**
 * Where a value was written, passed down to the rules that judge it so that each problem is created
 * with the full path the user wrote: `resources.limits.cpu` in props, `services.api.resources.limits.cpu`
 * in an environment file. Nothing is renamed afterwards.
 */

/**
 * How a path spells a field: as the TypeScript props name it, or as an environment file writes it. The
 * two differ in one convention only: a time in a file is a whole number of seconds in a key named
 * `…Seconds` (`drainSeconds: 10`), where props hold a `Duration` (`drain`).
 */
export type FieldSpelling = 'props' | 'file';

/** The path of a field, from the root of what the user wrote. */
export class FieldPath {
  /** The root of a construct's or a factory's props. */
  public static props(): FieldPath {
    return new FieldPath('', 'props', false);
  }

  /** The root of a configuration file. */
  public static file(): FieldPath {
    return new FieldPath('', 'file', false);
  }

  private constructor(
    private readonly text: string,
    /** How the fields below this path are spelled. */
    public readonly spelling: FieldSpelling,
    /** Whether this path is an entry of a mapping whose key is its name (`services.api`). */
    private readonly namedByKey: boolean,
  ) {}

  /** The field `key` below this one; dots in `key` separate nested fields (`healthCheck.readinessPath`). */
  public child(key: string): FieldPath {
    return new FieldPath(this.text ? `${this.text}.${key}` : key, this.spelling, false);
  }

  /** The item `i` of the list at this path. */
  public index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`, this.spelling, false);
  }

  /** The entry `key` of the mapping at this path; the key is the entry's name (see `name`). */
  public entry(key: string): FieldPath {
    return new FieldPath(this.text ? `${this.text}.${key}` : key, this.spelling, true);
  }

  /** A time: `key` in props (a `Duration`), `keySeconds` in a file (whole seconds). */
  public seconds(key: string): FieldPath {
    return this.child(this.spelling === 'file' ? `${key}Seconds` : key);
  }

  /** Where the name of what this path holds is written: its `name` field, or the key of an entry. */
  public name(): FieldPath {
    return this.namedByKey ? this : this.child('name');
  }

  /** The dotted path (`services.api.ports[0]`); empty at the root. */
  public toString(): string {
    return this.text;
  }
}
