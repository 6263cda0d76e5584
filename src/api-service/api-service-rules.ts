import { FieldPath } from '../core/field-path';
import { Duration } from 'cdk8s';
import { checkDurationRange, durationText } from '../core/duration';
import { validatePlacement } from '../core/placement';
import { validateSecretRotation } from '../core/secret-rotation';
import { checkDnsLabel, checkEnvVarName, checkImage, checkInteger, checkPort, ResourceField, validateResources } from '../core/value-rules';
import { Problem, ProblemCollector, show } from '../core/problems';
import { validateObservabilityOptions } from '../monitoring/settings';
import type { ApiServiceProps } from './api-service-props';
import { checkDrainHook } from './drain-hook';

/** Longest service name, so that every derived name (`<name>-secrets`, `<name>-migrate`) stays a valid label. */
export const MAX_SERVICE_NAME_LENGTH = 50;

const HTTP_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/** Message for an HTTP path that is not absolute. */
export function checkHttpPath(value: unknown): string | undefined {
  return typeof value === 'string' && HTTP_PATH.test(value) ? undefined : `${show(value)} is not an HTTP path: use an absolute path like "/health"`;
}

const RESTART_TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,62}$/;

/** Message for a restart token that would not make a tidy annotation value. */
export function checkRestartToken(value: unknown): string | undefined {
  return typeof value === 'string' && RESTART_TOKEN.test(value)
    ? undefined
    : `${show(value)} is not a restart token: use up to 63 letters, digits, ".", "_", ":", "+" or "-", starting with a letter or digit, like a date ("2026-05-01T10.00Z") or a build id`;
}

/** The fewest pods an API service runs in production unless told otherwise: one pod is down through every drain. */
export const MIN_HA_API_REPLICAS = 2;

/** A service's lowest pod count (`minReplicas`, or its fixed replicas) when high availability is required. */
export function checkApiHighAvailability(minReplicas: number): string | undefined {
  return minReplicas < MIN_HA_API_REPLICAS
    ? `${show(minReplicas)} is below ${MIN_HA_API_REPLICAS}, the minimum for high availability (one pod is down through every node drain and ` +
        'restart); to run fewer on purpose, say so (requireHighAvailability: false in props, allowFewerReplicas: true in an environment file)'
    : undefined;
}

/**
 * Every problem with the props of an API service (TradingBackend, BlueGreenService, CanaryRollout)
 * that can be judged from the props alone, at `path` (the store, which a file names once for every service,
 * at `secretStorePath`). Factories (`Scaling`, `Exposure`, `Migration`, `SecretRef`) have already checked
 * their own arguments; an image left out is one an engine has checked.
 */
export function validateApiServiceProps(
  id: string,
  props: Omit<ApiServiceProps, 'image'> & { readonly image?: string },
  path: FieldPath = FieldPath.props(),
  secretStorePath: FieldPath = path.child('secretStore'),
  scalingPath: FieldPath = path.child('scaling'),
  /** Who set a request or limit the user did not write (an environment file's tier). */
  resourceDefaults?: (field: ResourceField) => string | undefined,
): Problem[] {
  const c = new ProblemCollector();
  if (props.requireHighAvailability && props.scaling !== undefined) c.check(scalingPath, checkApiHighAvailability(props.scaling.minReplicas));
  c.check(path.name(), checkDnsLabel(props.name ?? id, MAX_SERVICE_NAME_LENGTH));
  if ('image' in props) c.check(path.child('image'), checkImage(props.image, props.allowLatestTag ?? false));
  if (props.partOf !== undefined) c.check(path.child('partOf'), checkDnsLabel(props.partOf));
  if (props.instance !== undefined) c.check(path.child('instance'), checkDnsLabel(props.instance));
  if (props.port !== undefined) c.check(path.child('port'), checkPort(props.port));
  if (props.metricsPort !== undefined) c.check(path.child('metricsPort'), checkPort(props.metricsPort));
  if ((props.port ?? 8080) === (props.metricsPort ?? 9090)) {
    c.check(path.child('metricsPort'), `${show(props.metricsPort ?? 9090)} is the HTTP port too: metrics need their own port`);
  }
  if (props.healthCheck?.readinessPath !== undefined) {
    c.check(path.child('healthCheck.readinessPath'), checkHttpPath(props.healthCheck.readinessPath));
  }
  if (props.healthCheck?.livenessPath !== undefined) {
    c.check(path.child('healthCheck.livenessPath'), checkHttpPath(props.healthCheck.livenessPath));
  }
  if (props.resources !== undefined) {
    c.add(validateResources(props.resources, path.child('resources'), resourceDefaults));
  }
  for (const key of Object.keys(props.config ?? {})) {
    c.check(path.child(`config.${key}`), checkEnvVarName(key));
  }
  const secretEnv = props.secretEnv ?? {};
  for (const key of Object.keys(secretEnv)) {
    c.check(path.child(`secretEnv.${key}`), checkEnvVarName(key));
    if (props.config && key in props.config) {
      c.check(path.child(`secretEnv.${key}`), `${show(key)} is also set in config: a variable is either config or secret`);
    }
  }
  if (!props.secretStore && Object.values(secretEnv).some((ref) => ref.isExternal)) {
    const names = Object.entries(secretEnv)
      .filter(([, ref]) => ref.isExternal)
      .map(([k]) => k);
    c.check(secretStorePath, `is required because ${names.join(', ')} ${names.length === 1 ? 'comes' : 'come'} from an external store`);
  }
  if (props.monitoring?.interval !== undefined) c.check(path.child('monitoring.interval'), checkDurationRange(props.monitoring.interval, 1, 3600));
  if (props.monitoring?.path !== undefined) c.check(path.child('monitoring.path'), checkHttpPath(props.monitoring.path));
  if (props.monitoring?.namespace !== undefined) c.check(path.child('monitoring.namespace'), checkDnsLabel(props.monitoring.namespace));
  if (props.monitoring) c.add(validateObservabilityOptions(props.monitoring, path.child('monitoring')));
  const r = props.rollout ?? {};
  const ranges = [
    ['minReady', r.minReady, 0, 3600],
    ['drain', r.drain, 0, 600],
    ['terminationGracePeriod', r.terminationGracePeriod, 1, 3600],
  ] as const;
  const bad = ranges.filter(
    ([field, value, min, max]) =>
      value !== undefined && c.check(path.child('rollout').seconds(field), checkDurationRange(value, min, max, path.spelling)) !== undefined,
  );
  const drain = r.drain ?? Duration.seconds(10);
  const grace = r.terminationGracePeriod ?? Duration.seconds(45);
  if (bad.length === 0 && grace.toMilliseconds() <= drain.toMilliseconds()) {
    c.check(
      path.child('rollout').seconds('terminationGracePeriod'),
      `${durationText(grace)} must be longer than the drain (${durationText(drain)}), or in-flight requests are cut off`,
    );
  }
  if (r.restartToken !== undefined) c.check(path.child('rollout.restartToken'), checkRestartToken(r.restartToken));
  if (r.drainHook !== undefined) c.check(path.child('rollout.drainHook'), checkDrainHook(r.drainHook));
  if (props.runAsUser !== undefined) c.check(path.child('runAsUser'), checkInteger(props.runAsUser, 1, 2147483647));
  if (props.placement !== undefined) c.add(validatePlacement(props.placement, path.child('placement')));
  if (props.secretRotation !== undefined) c.add(validateSecretRotation(props.secretRotation, path.child('secretRotation')));
  return [...c.problems];
}
