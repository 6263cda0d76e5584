import { FieldPath } from '../core/field-path';
import { ApiObject, Duration } from 'cdk8s';
import { checkDurationRange } from '../core/duration';
import { checkEnvVarName, checkImage, checkInteger } from '../core/value-rules';
import { Problem, ProblemCollector, show } from '../core/problems';
import { AnalysisOptions, validateAnalysisOptions } from '../rollouts/analysis';
import type { IServiceEngine } from '../api-service/api-service-props';
import { SmokeTestOptions, validateSmokeTestOptions } from '../api-service/smoke-test';
import type { ServiceObjects, ServiceWorkload } from '../api-service/service-objects';

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
  /**
   * Run the idle colour with zero replicas (its HPA is then inactive), except while it is the `releaseColor`: a
   * staged release keeps running for its smoke check and the switch. Rollback then needs a scale-up first.
   * @default false
   */
  readonly scaleDownIdle?: boolean;
  /**
   * The HPA minimum of the release colour (`releaseColor`): the switch sends all traffic to that colour at once,
   * and its autoscaler would start from its own minimum, so it is raised to at least what the live colour may run
   * before the switch. It stays raised after the switch (lowered in the switch commit, the autoscaler would scale
   * the colour down at once on the idle load it measured before): finish a release by removing `releaseColor`
   * once the new colour has served for a while, and its autoscaler scales it on its real load. Only with
   * autoscaling (fixed replicas: both colours run the same count); between the service's minReplicas and maxReplicas.
   * Without `releaseColor` it has no effect, so it may stay set between releases.
   * @default - the service's autoscaling maxReplicas
   */
  readonly releaseMinReplicas?: number;
  /**
   * The smoke check of the release (GETs of the health paths with a timeout) before traffic moves:
   * a Job `<name>-smoke-test` against the preview Service (the idle colour, which carries a staged release), run as an Argo CD PostSync hook and as
   * Flux's `smoke-test` stage. @default - on, GETting the readiness path and the health path of each connected database and cache
   */
  readonly smokeTest?: SmokeTestOptions;
  /** Accept untagged or `latest` images (dev only). @default false */
  readonly allowLatestTag?: boolean;
  /**
   * Variables of the blue colour only, merged over the service's `config` into its own ConfigMap
   * `<name>-blue-config`. Each colour loads its own ConfigMap and hashes it into its own pods, so a change
   * here rolls blue alone: put what changes with a release on the release colour.
   * @default - the service's `config`
   */
  readonly blueConfig?: Record<string, string>;
  /** Variables of the green colour only, merged over the service's `config` into `<name>-green-config` (see `blueConfig`). @default - the service's `config` */
  readonly greenConfig?: Record<string, string>;
}

/** Options of the Argo Rollouts engine. */
export interface ArgoBlueGreenOptions {
  /** Image of the Rollout; a new image starts a blue-green release. */
  readonly image: string;
  /** Promote automatically once the preview is healthy and the pre-promotion analysis passed. @default false */
  readonly autoPromotion?: boolean;
  /** How long the old ReplicaSet keeps running after promotion, for a fast rollback (0 s to 24 h). @default Duration.minutes(10) */
  readonly scaleDownDelay?: Duration;
  /**
   * Pre- and post-promotion analysis of the new version's success rate; post-promotion lasts count × interval. @default - 99 % success over 5
   * one-minute measurements, 1 failure and 1 measurement without data tolerated
   */
  readonly analysis?: AnalysisOptions;
  /** Skip the Prometheus analysis (not recommended). @default false */
  readonly disableAnalysis?: boolean;
  /**
   * The smoke check of the release (GETs of the health paths with a timeout) before traffic moves:
   * a `job` metric in the pre-promotion analysis, against the preview Service, so nothing is promoted that does not answer. @default - on, GETting
   * the readiness path and the health path of each connected database and cache
   */
  readonly smokeTest?: SmokeTestOptions;
  /** Accept an untagged or `latest` image (dev only). @default false */
  readonly allowLatestTag?: boolean;
}

/** The kinds of blue-green engine. */
export type BlueGreenEngineKind = 'service-switch' | 'argo-rollouts';

/** The label that tells the colours apart; the Services switch traffic on it. */
export const COLOR_LABEL = 'version';

/** What an engine builds of a BlueGreenService. */
export interface BlueGreenParts {
  /** The public Service. */
  readonly activeService: ApiObject;
  /** The preview Service. */
  readonly previewService: ApiObject;
  /** The Deployments by colour (Service-switch engine). */
  readonly deployments?: Readonly<Partial<Record<Color, ApiObject>>>;
  /** The Rollout (Argo Rollouts engine). */
  readonly rollout?: ApiObject;
  /** The AnalysisTemplate (Argo Rollouts engine, unless analysis is disabled). */
  readonly analysisTemplate?: ApiObject;
  /** The smoke check: a PostSync Job (Service-switch engine) or the AnalysisTemplate of its `job` metric (Argo Rollouts engine). */
  readonly smokeTest?: ApiObject;
  /** The colour the public Service selects (Service-switch engine). */
  readonly activeColor?: Color;
  /** The colour the preview Service selects (Service-switch engine). */
  readonly idleColor?: Color;
  /** The workloads it runs, which the service wraps with autoscalers, disruption budgets and monitoring. */
  readonly workloads: readonly ServiceWorkload[];
}

/**
 * What a blue-green engine does (internal: the public, closed `BlueGreenEngine` wraps one).
 * An engine builds its own objects into the service it is bound to.
 */
export interface BlueGreenEngineImpl extends IServiceEngine {
  /** Which engine. */
  readonly kind: BlueGreenEngineKind;
  /**
   * The most pods the engine runs during a release when each colour (or ReplicaSet) runs `maxReplicas`: what the
   * namespace's quota must admit.
   */
  podsAtFullScale(maxReplicas: number): number;
  /** Whether a release runs the smoke check's Job (one pod, counted in the quota). */
  readonly runsSmokeTest: boolean;
  /** Problems of the engine's options (written at `path`) with the service's autoscaling range (`undefined`: fixed replicas). */
  scalingProblems(autoscaling: AutoscalingRange | undefined, path?: FieldPath): Problem[];
  /**
   * Builds the workloads, Services, autoscalers, budgets and alerts through `objects`, for pods selected
   * by `selector`, with the preview Service named `previewName`.
   * @internal
   */
  _bind(objects: ServiceObjects, selector: Readonly<Record<string, string>>, previewName: string): BlueGreenParts;
}

/** A service's autoscaling range. */
export interface AutoscalingRange {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Which bounds the user did not set, for messages (`maxReplicas is the prod tier's default`). @default - the user set both */
  readonly defaults?: string;
}

/** Problems of a release colour's raised HPA minimum with the service's range. */
export function validateReleaseMinReplicas(value: number | undefined, autoscaling: AutoscalingRange | undefined, path: FieldPath): Problem[] {
  if (value === undefined || checkInteger(value, 1, 1000) !== undefined) return [];
  if (!autoscaling) {
    return [
      {
        field: String(path),
        message: 'applies only to an autoscaled service: with fixed replicas both colours run the same count',
      },
    ];
  }
  if (value > autoscaling.maxReplicas || value < autoscaling.minReplicas) {
    return [
      {
        field: String(path),
        message: `${value} is outside the service's autoscaling range ${autoscaling.minReplicas} to ${autoscaling.maxReplicas}${autoscaling.defaults ? ` (${autoscaling.defaults})` : ''}: use a count in it`,
      },
    ];
  }
  return [];
}

function checkColor(value: unknown): string | undefined {
  return value === 'blue' || value === 'green' ? undefined : `${show(value)} is not a colour: use "blue" or "green"`;
}

/** Problems with Service-switch options. */
export function validateServiceSwitchOptions(o: Partial<ServiceSwitchOptions>, path: FieldPath = FieldPath.props()): Problem[] {
  const c = new ProblemCollector();
  c.check(path.child('activeColor'), checkColor(o.activeColor));
  c.check(path.child('blueImage'), checkImage(o.blueImage, o.allowLatestTag ?? false));
  c.check(path.child('greenImage'), checkImage(o.greenImage, o.allowLatestTag ?? false));
  if (o.smokeTest) c.add(validateSmokeTestOptions(o.smokeTest, o.allowLatestTag ?? false, path.child('smokeTest')));
  for (const field of ['blueConfig', 'greenConfig'] as const) {
    for (const key of Object.keys(o[field] ?? {})) c.check(path.child(`${field}.${key}`), checkEnvVarName(key));
  }
  if (o.releaseMinReplicas !== undefined) c.check(path.child('releaseMinReplicas'), checkInteger(o.releaseMinReplicas, 1, 1000));
  if (o.releaseColor !== undefined) {
    c.check(path.child('releaseColor'), checkColor(o.releaseColor));
    if (o.blueImage === o.greenImage && typeof o.blueImage === 'string') {
      c.check(
        path.child(`${o.releaseColor === 'blue' ? 'blue' : 'green'}Image`),
        `${show(o.blueImage)} is the image of both colours, but a release is staged on ${show(o.releaseColor)}: put the new version on the release colour, or remove releaseColor`,
      );
    }
  }
  return [...c.problems];
}

/** Problems with Argo Rollouts blue-green options. */
export function validateArgoBlueGreenOptions(
  o: Partial<ArgoBlueGreenOptions>,
  path: FieldPath = FieldPath.props(),
  imagePath: FieldPath = path.child('image'),
): Problem[] {
  const c = new ProblemCollector();
  c.check(imagePath, checkImage(o.image, o.allowLatestTag ?? false));
  if (o.scaleDownDelay !== undefined) c.check(path.seconds('scaleDownDelay'), checkDurationRange(o.scaleDownDelay, 0, 86400, path.spelling));
  if (o.analysis) c.add(validateAnalysisOptions(o.analysis, path.child('analysis')));
  if (o.analysis?.backgroundInconclusiveLimit !== undefined) {
    c.check(
      path.child('analysis.backgroundInconclusiveLimit'),
      'does not apply to blue-green, which has no background analysis: use inconclusiveLimit',
    );
  }
  if (o.smokeTest) c.add(validateSmokeTestOptions(o.smokeTest, o.allowLatestTag ?? false, path.child('smokeTest')));
  return [...c.problems];
}
