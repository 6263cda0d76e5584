/**
 * The pods an API service runs at its peak, for the namespace's quota: its workloads at full scale (as its release
 * engine reports them), the migration Job (with its backup-wait init containers), its on-demand rollback Job, the smoke check's Job and the wait
 * before a staged release. Both doors
 * count a service with this one function: the construct with what it built, the environment files with their plan.
 */
import { container, PodDemand } from '../core/pod-demand';
import { ResourceRequirements } from '../core/resources';
import { BACKUP_WAIT_RESOURCES } from './backup-wait';
import { Migration } from './migration';
import { RELEASE_WAIT_RESOURCES } from './release-after';
import { SMOKE_TEST_RESOURCES } from './smoke-test';

/** A Deployment's pods at full scale: `maxReplicas` plus its surge pod while it rolls (maxSurge 1, maxUnavailable 0). */
export function rollingPodsAtFullScale(maxReplicas: number): number {
  return maxReplicas + 1;
}

/** What a service's release runs beside its shared parts, as its engine reports it. */
export interface ReleasePods {
  /** Its workloads' pods at full scale when each runs `maxReplicas`. */
  podsAtFullScale(maxReplicas: number): number;
  /** Whether it runs the smoke check's Job. */
  readonly runsSmokeTest: boolean;
}

/** What a service's pods at its peak are judged from. */
export interface ServiceDemandInput {
  /** The service's name. */
  readonly name: string;
  /** Its workloads' pods at full scale, every colour, canary and surge pod counted (the engine's `podsAtFullScale`). */
  readonly podsAtFullScale: number;
  /** Requests and limits of its container. */
  readonly resources: ResourceRequirements;
  /** How it migrates: a Job runs one pod of the service's container. */
  readonly migration: Migration;
  /** Backups the migration Job waits for, each an init container. */
  readonly backupWaits: number;
  /** Whether its release runs the smoke check's Job (a PostSync Job, or an Argo Rollouts `job` metric). */
  readonly smokeTest: boolean;
  /** Whether it waits for another service with a Job before it releases (`releaseAfter` with a stabilization period). */
  readonly releaseWait: boolean;
}

/**
 * The service's pods at its peak. The Jobs are counted on top of the workloads' peak: a commit that stages the next
 * release while a canary or a colour is still at full size runs its migration (and then its smoke check) beside it,
 * and a Job's pod counts against the quota until it completes. The analysis's Prometheus metrics run no pod.
 */
export function serviceDemands(i: ServiceDemandInput): PodDemand[] {
  return [
    { who: i.name, pods: i.podsAtFullScale, containers: [container(i.resources)] },
    ...(i.migration.job
      ? [
          {
            who: `${i.name} migration`,
            pods: 1,
            containers: [container(i.resources)],
            initContainers: Array.from({ length: i.backupWaits }, () => container(BACKUP_WAIT_RESOURCES)),
          },
        ]
      : []),
    // A suspended Job runs no pod, but once an operator resumes it its pod must be admitted like the migration's.
    ...(i.migration.job?.rollbackCommand ? [{ who: `${i.name} migration rollback`, pods: 1, containers: [container(i.resources)] }] : []),
    ...(i.smokeTest ? [{ who: `${i.name} smoke-test`, pods: 1, containers: [container(SMOKE_TEST_RESOURCES)] }] : []),
    ...(i.releaseWait ? [{ who: `${i.name} release-wait`, pods: 1, containers: [container(RELEASE_WAIT_RESOURCES)] }] : []),
  ];
}
