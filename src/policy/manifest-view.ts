/**
 * The fields of rendered manifests (plain JSON) that the policies read. Parsed YAML is cast to these
 * views once; every field is optional, so rules cope with whatever a file holds.
 */
export interface SecurityContextView {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly capabilities?: { readonly drop?: string[]; readonly add?: string[] };
  readonly seccompProfile?: { readonly type?: string };
}

/** A container. */
export interface ContainerView {
  readonly name: string;
  readonly image?: string;
  readonly securityContext?: SecurityContextView;
  readonly ports?: ReadonlyArray<{ readonly hostPort?: number }>;
  readonly resources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  readonly readinessProbe?: object;
  readonly livenessProbe?: object;
}

/** A pod spec. */
export interface PodSpecView {
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly securityContext?: SecurityContextView;
  readonly containers?: ContainerView[];
  readonly initContainers?: ContainerView[];
  readonly ephemeralContainers?: ContainerView[];
  readonly volumes?: ReadonlyArray<{ readonly name: string } & Record<string, unknown>>;
  readonly topologySpreadConstraints?: unknown[];
}

/** A label selector (only `matchLabels` is emitted by this library). */
export interface SelectorView {
  readonly matchLabels?: Record<string, string>;
}

/** A rendered manifest. */
export interface ManifestView {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly data?: Record<string, string>;
  readonly stringData?: Record<string, string>;
  readonly spec?: {
    readonly replicas?: number;
    readonly selector?: SelectorView | Record<string, string>;
    readonly podSelector?: SelectorView;
    readonly template?: { readonly metadata?: { readonly labels?: Record<string, string> }; readonly spec?: PodSpecView };
    readonly jobTemplate?: { readonly spec?: { readonly template?: { readonly spec?: PodSpecView } } };
    readonly scaleTargetRef?: { readonly apiVersion?: string; readonly kind: string; readonly name: string };
    readonly maxReplicas?: number;
    readonly minReplicas?: number;
    readonly containers?: ContainerView[];
    /** CloudNativePG Cluster: labels of its instance pods. */
    readonly inheritedMetadata?: { readonly labels?: Record<string, string> };
    /** CloudNativePG Cluster: requests and limits of its instances' containers. */
    readonly resources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
    /** LimitRange: per-container (or per-pod) defaults and bounds. */
    readonly limits?: ReadonlyArray<LimitRangeItemView>;
  } & PodSpecView;
}

/** One item of a LimitRange. */
export interface LimitRangeItemView {
  readonly type: string;
  readonly max?: Record<string, string>;
  readonly min?: Record<string, string>;
  readonly default?: Record<string, string>;
  readonly defaultRequest?: Record<string, string>;
  readonly maxLimitRequestRatio?: Record<string, string>;
}
