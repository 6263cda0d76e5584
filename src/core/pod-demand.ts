/**
 * What a namespace's ResourceQuota must admit: the pods each construct runs at its peak, with the requests and
 * limits Kubernetes charges for them. One rule for both doors: the environment files judge their plan with it, and
 * a TradingNamespace judges the constructs of its chart with it.
 */
import { IConstruct } from 'constructs';
import { FieldPath } from './field-path';
import { Problem, ProblemCollector } from './problems';
import { parseQuantity } from './quantity';
import { ResourceQuantities, ResourceRequirements } from './resources';

/** Requests and limits of one container as written; a missing quantity is the LimitRange's to fill in. */
export interface ContainerResources {
  readonly requests?: Partial<ResourceQuantities>;
  readonly limits?: Partial<ResourceQuantities>;
}

/** Pods of one kind a construct runs at once at its peak, all with the same containers. */
export interface PodDemand {
  /** Who runs them, as a message names it (`trading-api`, `trading-api migration`). */
  readonly who: string;
  /** How many run at once at the peak. */
  readonly pods: number;
  /** The containers (sidecars included) that run side by side. */
  readonly containers: readonly ContainerResources[];
  /** Init containers, run one after the other before the containers. @default - none */
  readonly initContainers?: readonly ContainerResources[];
}

/** The namespace's defaults for containers that set no requests or limits (its LimitRange). */
export interface ContainerDefaults {
  readonly defaultRequest: ResourceQuantities;
  readonly defaultLimit: ResourceQuantities;
}

/** The quota a demand is judged against. */
export interface QuotaLimits {
  readonly requestsCpu: string;
  readonly requestsMemory: string;
  readonly limitsCpu: string;
  readonly limitsMemory: string;
  readonly pods: number;
}

/** A construct that runs pods: what it runs at its peak, for the namespace's quota. */
export interface IPodDemandSource extends IConstruct {
  /** The pods it runs at its peak, every release, Job and sidecar pod counted. */
  podDemands(): readonly PodDemand[];
}

/** Whether `c` reports the pods it runs. */
export function isPodDemandSource(c: IConstruct): c is IPodDemandSource {
  return typeof (c as Partial<IPodDemandSource>).podDemands === 'function';
}

/** A container with exactly `r` as its requests and limits. */
export function container(r: ResourceRequirements): ContainerResources {
  return { requests: { ...r.requests }, limits: { ...r.limits } };
}

type Field = keyof QuotaLimits;
const FIELDS: readonly Field[] = ['requestsCpu', 'requestsMemory', 'limitsCpu', 'limitsMemory', 'pods'];
type Charge = Record<Exclude<Field, 'pods'>, number>;

/**
 * What a container is charged once admitted: a limit it lacks is the LimitRange's `default`; a request it lacks is
 * its own limit when it has one (the API server's defaulting, before admission), else the LimitRange's
 * `defaultRequest`; without a LimitRange, nothing. `undefined` for a malformed quantity.
 */
function containerCharge(c: ContainerResources, defaults: ContainerDefaults | undefined): Charge | undefined {
  const amount = (v: string | undefined): number | undefined => (v === undefined ? 0 : parseQuantity(v));
  const charge = {
    requestsCpu: amount(c.requests?.cpu ?? c.limits?.cpu ?? defaults?.defaultRequest.cpu),
    requestsMemory: amount(c.requests?.memory ?? c.limits?.memory ?? defaults?.defaultRequest.memory),
    limitsCpu: amount(c.limits?.cpu ?? defaults?.defaultLimit.cpu),
    limitsMemory: amount(c.limits?.memory ?? defaults?.defaultLimit.memory),
  };
  return Object.values(charge).some((v) => v === undefined) ? undefined : (charge as Charge);
}

/**
 * What one pod is charged, request by request and limit by limit: the larger of the containers' sum and the largest
 * init container (Kubernetes' effective request: init containers run one at a time, before the containers).
 * `undefined` when a quantity is malformed (its construct reports that).
 */
export function podCharge(pod: Pick<PodDemand, 'containers' | 'initContainers'>, defaults?: ContainerDefaults): Charge | undefined {
  const containers = pod.containers.map((c) => containerCharge(c, defaults));
  const inits = (pod.initContainers ?? []).map((c) => containerCharge(c, defaults));
  if ([...containers, ...inits].some((c) => c === undefined)) return undefined;
  const keys = ['requestsCpu', 'requestsMemory', 'limitsCpu', 'limitsMemory'] as const;
  const charge = {} as Charge;
  for (const k of keys) {
    const sum = containers.reduce((n, c) => n + (c as Charge)[k], 0);
    charge[k] = Math.max(sum, ...inits.map((c) => (c as Charge)[k]));
  }
  return charge;
}

/**
 * A quota too small for what the namespace runs at its peak: one problem per field of `quota` (at `path.quota.<field>`)
 * below the total, naming the three largest needs. `defaults` are the namespace's LimitRange defaults.
 */
export function quotaProblems(
  quota: QuotaLimits,
  demands: readonly PodDemand[],
  defaults: ContainerDefaults | undefined,
  path: FieldPath = FieldPath.props(),
  /** Who set a bound the user did not write (`the prod tier`), so the message does not quote it as theirs. */
  defaultedBy: (field: keyof QuotaLimits) => string | undefined = () => undefined,
): Problem[] {
  const need = new Map<Field, Array<{ who: string; amount: number }>>(FIELDS.map((f) => [f, []]));
  for (const d of demands) {
    const charge = d.pods > 0 ? podCharge(d, defaults) : undefined;
    if (!charge) continue;
    for (const f of FIELDS) need.get(f)?.push({ who: d.who, amount: d.pods * (f === 'pods' ? 1 : charge[f]) });
  }
  // Both numbers in one unit: millicores for CPU, Mi or Gi for memory.
  const fmt = (field: Field, v: number): string => {
    if (field === 'pods') return String(v);
    if (field.endsWith('Cpu')) return `${Math.ceil(v * 1000 - 1e-9)}m`;
    return v >= 2 ** 30 ? `${Math.ceil((v / 2 ** 30) * 10 - 1e-9) / 10}Gi` : `${Math.ceil(v / 2 ** 20 - 1e-9)}Mi`;
  };
  const c = new ProblemCollector();
  for (const field of FIELDS) {
    const have = field === 'pods' ? quota.pods : parseQuantity(quota[field]);
    const parts = need.get(field) ?? [];
    const total = parts.reduce((n, p) => n + p.amount, 0);
    if (typeof have !== 'number' || have >= total) continue;
    const drivers = [...parts]
      .sort((a, b) => b.amount - a.amount)
      .slice(0, 3)
      .map((p) => `${p.who} ${fmt(field, p.amount)}`)
      .join(', ');
    const at = path.child('quota').child(field);
    const by = defaultedBy(field);
    c.check(
      at,
      `${by === undefined ? fmt(field, have) : `${by}'s default of ${fmt(field, have)} (not set in the file)`} is below the ${fmt(field, total)} the services, databases and caches need at full scale, with every colour, canary, surge, Job, init and sidecar container counted (${drivers}${parts.length > 3 ? ', ...' : ''}): set ${at} to at least ${fmt(field, total)}, or lower the replicas or requests`,
    );
  }
  return [...c.problems];
}
