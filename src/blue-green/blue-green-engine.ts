import { checkImage, checkInteger } from '../core/rules';
import { Problem, ProblemCollector, show, throwIfProblems } from '../core/validation';
import { AnalysisOptions, validateAnalysisOptions } from '../rollouts/analysis';

/** The two colours. */
export type Color = 'blue' | 'green';

/** The colours, in a fixed order. */
export const COLORS: readonly Color[] = ['blue', 'green'];

/** Options of the plain-Kubernetes Service-switch engine. */
export interface ServiceSwitchOptions {
  /** The colour the public Service selects. Switching and rolling back is changing this one value. */
  readonly activeColor: Color;
  /** Image of the blue workload. */
  readonly blueImage: string;
  /** Image of the green workload. */
  readonly greenImage: string;
  /** The colour carrying a staged release: its image must differ from the other's, and migrations run it. @default - no release staged; migrations run the active colour's image */
  readonly releaseColor?: Color;
  /** Run the idle colour with zero replicas (its HPA is then inactive). Rollback then needs a scale-up first. @default false */
  readonly scaleDownIdle?: boolean;
  /** Accept untagged or `latest` images (dev only). @default false */
  readonly allowLatestTag?: boolean;
}

/** Options of the Argo Rollouts engine. */
export interface ArgoBlueGreenOptions {
  /** Image of the Rollout; a new image starts a blue-green release. */
  readonly image: string;
  /** Promote automatically once the preview is healthy and the pre-promotion analysis passed. @default false */
  readonly autoPromotion?: boolean;
  /** Seconds the old ReplicaSet keeps running after promotion, for a fast rollback. @default 600 */
  readonly scaleDownDelaySeconds?: number;
  /** Pre- and post-promotion analysis of the success rate. @default - 99 % success over 5 one-minute measurements */
  readonly analysis?: AnalysisOptions;
  /** Skip the analysis (not recommended). @default false */
  readonly disableAnalysis?: boolean;
  /** Accept an untagged or `latest` image (dev only). @default false */
  readonly allowLatestTag?: boolean;
}

/** The kinds of blue-green engine. */
export type BlueGreenEngineKind = 'service-switch' | 'argo-rollouts';

/**
 * How a blue-green release runs: two Deployments and a Service whose selector is switched in Git
 * (no controller needed), or an Argo Rollouts `Rollout` with `strategy.blueGreen` and analysis.
 */
export class BlueGreenEngine {
  /** Two workloads, `<name>-blue` and `<name>-green`; the active Service selects `version: <activeColor>`. */
  public static serviceSwitch(options: ServiceSwitchOptions): BlueGreenEngine {
    throwIfProblems('BlueGreenEngine.serviceSwitch', validateServiceSwitchOptions(options));
    return new BlueGreenEngine('service-switch', options, undefined);
  }

  /** An Argo Rollouts `Rollout` (argoproj.io/v1alpha1) with `strategy.blueGreen`. */
  public static argoRollouts(options: ArgoBlueGreenOptions): BlueGreenEngine {
    throwIfProblems('BlueGreenEngine.argoRollouts', validateArgoBlueGreenOptions(options));
    return new BlueGreenEngine('argo-rollouts', undefined, options);
  }

  private constructor(
    /** Which engine. */
    public readonly kind: BlueGreenEngineKind,
    /** Service-switch options, for that engine. */
    public readonly serviceSwitchOptions: ServiceSwitchOptions | undefined,
    /** Argo Rollouts options, for that engine. */
    public readonly argoOptions: ArgoBlueGreenOptions | undefined,
  ) {}

  /** The image the shared parts (migrations) run: the release colour's, else the active one's, or the Rollout's. */
  public get primaryImage(): string {
    const s = this.serviceSwitchOptions;
    if (s) return s[`${s.releaseColor ?? s.activeColor}Image`];
    return this.argoOptions?.image ?? '';
  }
}

function checkColor(value: unknown): string | undefined {
  return value === 'blue' || value === 'green' ? undefined : `${show(value)} is not a colour: use "blue" or "green"`;
}

/** Problems with Service-switch options. */
export function validateServiceSwitchOptions(o: Partial<ServiceSwitchOptions>): Problem[] {
  const c = new ProblemCollector();
  c.check('activeColor', checkColor(o.activeColor));
  c.check('blueImage', checkImage(o.blueImage, o.allowLatestTag ?? false));
  c.check('greenImage', checkImage(o.greenImage, o.allowLatestTag ?? false));
  if (o.releaseColor !== undefined) {
    c.check('releaseColor', checkColor(o.releaseColor));
    if (o.blueImage === o.greenImage && typeof o.blueImage === 'string') {
      c.check(`${o.releaseColor === 'blue' ? 'blue' : 'green'}Image`,
        `${show(o.blueImage)} is the image of both colours, but a release is staged on ${show(o.releaseColor)}: put the new version on the release colour, or remove releaseColor`);
    }
  }
  return [...c.problems];
}

/** Problems with Argo Rollouts blue-green options. */
export function validateArgoBlueGreenOptions(o: Partial<ArgoBlueGreenOptions>): Problem[] {
  const c = new ProblemCollector();
  c.check('image', checkImage(o.image, o.allowLatestTag ?? false));
  if (o.scaleDownDelaySeconds !== undefined) c.check('scaleDownDelaySeconds', checkInteger(o.scaleDownDelaySeconds, 0, 86400));
  if (o.analysis) c.nest('analysis', validateAnalysisOptions(o.analysis));
  return [...c.problems];
}
