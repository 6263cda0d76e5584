/**
 * Kubernetes resource quantities (`500m`, `2`, `512Mi`, `1.5Gi`, `1e3`), parsed only far enough to
 * validate and compare them. The grammar is the apiserver's (k8s.io/apimachinery resource.Quantity).
 */
const QUANTITY = /^([+-]?[0-9.]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+)?$/;

const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * Returns the quantity's value in base units, or `undefined` when it is not a valid quantity.
 */
export function parseQuantity(value: string): number | undefined {
  const m = QUANTITY.exec(value);
  if (!m || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(m[1])) {
    return undefined;
  }
  const suffix = m[2] ?? '';
  const multiplier = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix];
  return Number(m[1]) * multiplier;
}

/**
 * Message for a malformed quantity, or `undefined` when `value` is well formed. `kind` picks the example.
 */
export function checkQuantity(value: unknown, kind: 'cpu' | 'memory' | 'storage' | 'count'): string | undefined {
  const example = { cpu: '"500m" or "2"', memory: '"512Mi" or "2Gi"', storage: '"10Gi"', count: '"20"' }[kind];
  if (typeof value !== 'string' || parseQuantity(value) === undefined) {
    return `${JSON.stringify(value)} is not a Kubernetes quantity; use a value like ${example}`;
  }
  if ((parseQuantity(value) ?? 0) <= 0) {
    return `${JSON.stringify(value)} must be greater than zero`;
  }
  return undefined;
}
