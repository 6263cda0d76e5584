/** Fields an API server accepted and did not keep. */

/**
 * The paths of `sent` that `stored` lacks: fields the API server dropped without a word (a feature gate off,
 * a field newer than the server, a field the schema prunes). Values may be normalized (quantities, defaults),
 * so only presence counts; a zero value (0, false, "", [], {}) may be missing, as Go's `omitempty` leaves it
 * out and the API reads its absence as that value.
 */
export function droppedFields(sent: unknown, stored: unknown, path = ''): string[] {
  if (Array.isArray(sent)) {
    if (!Array.isArray(stored)) return [path];
    return sent.flatMap((item, i) => droppedFields(item, stored[i], `${path}[${i}]`));
  }
  if (sent !== null && typeof sent === 'object') {
    if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return [path];
    return Object.entries(sent as Record<string, unknown>).flatMap(([k, v]) =>
      k in (stored as Record<string, unknown>)
        ? droppedFields(v, (stored as Record<string, unknown>)[k], path ? `${path}.${k}` : k)
        : isZero(v)
          ? []
          : [path ? `${path}.${k}` : k],
    );
  }
  return stored === undefined ? [path] : [];
}

function isZero(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length === 0;
  return value === 0 || value === false || value === '';
}
