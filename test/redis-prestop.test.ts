import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAILOVER_WAIT_SECONDS, SENTINEL_GRACE_SECONDS } from '../src/redis/engines/sentinel';
import { RedisCache } from '../src/redis/redis-cache';
import { RedisCredentials } from '../src/redis/redis-credentials';
import { RedisEngine } from '../src/redis/redis-engine';
import { TradingBackend } from '../src/trading-backend/trading-backend';
import { restrictedViolations, podSpecOf } from '../src/policy/pod-security-standards';
import { asManifest, KindView, one, Obj, render } from './support/render';

// kwok runs no containers, so the hook cannot run in the cluster suite. Its script runs here instead, under
// sh, against a fake redis-cli that plays the local Redis, the Sentinels of the other pods and the promoted
// replica (and fake date/sleep/timeout, so a 30 s wait takes no time).

const sentinelCache = (props: { masterName?: string; replicas?: number } = {}): Obj[] =>
  render((s) => {
    const cache = new RedisCache(s, 'trading-cache', {
      engine: RedisEngine.sentinel({ masterName: props.masterName }),
      replicas: props.replicas,
      credentials: RedisCredentials.fromSecret('redis-auth'),
    });
    new TradingBackend(s, 'trading-api', { image: 'ghcr.io/acme/api:1.0.0' }).connectTo(cache);
  });
const podOf = (objects: Obj[]): KindView<'StatefulSet'>['spec']['template']['spec'] => one(objects, 'StatefulSet').spec.template.spec;
const scriptOf = (objects: Obj[]): string => (one(objects, 'ConfigMap', 'trading-cache-config').data as Record<string, string>)['prestop-redis.sh'];

const HEADLESS = 'trading-cache-headless.trading-test.svc';
const pod = (i: number): string => `trading-cache-${i}.${HEADLESS}`;

/**
 * The fake tools. redis-cli logs its arguments (and whether REDISCLI_AUTH was set) and answers from the
 * scenario's variables: LOCAL_ROLE; FAILOVER_<i> (the reply of pod i's Sentinel, empty: no answer);
 * PROMOTED (what the Sentinels name after SWITCH_AFTER polls, before that this pod); PROMOTED_ROLE.
 */
const FAKES: Record<string, string> = {
  'redis-cli': `#!/bin/sh
echo "auth=\${REDISCLI_AUTH:+set} $*" >> "$FAKE_DIR/log"
host=""; port=""
while [ $# -gt 0 ]; do case "$1" in -h) host=$2; shift 2 ;; -p) port=$2; shift 2 ;; *) break ;; esac; done
[ -n "\${REDISCLI_AUTH:-}" ] || { echo "NOAUTH Authentication required."; exit 1; }
n=\${host%%.*}; n=\${n##*-}
case "$port $*" in
  "6379 role") if [ "$host" = 127.0.0.1 ]; then echo "$LOCAL_ROLE"; else echo "$PROMOTED_ROLE"; fi ;;
  "26379 sentinel failover "*) eval "r=\\\${FAILOVER_$n:-}"; [ -n "$r" ] || exit 1; echo "$r" ;;
  "26379 sentinel get-master-addr-by-name "*)
    c=$(cat "$FAKE_DIR/polls" 2>/dev/null || echo 0); c=$((c + 1)); echo $c > "$FAKE_DIR/polls"
    if [ $c -gt "$SWITCH_AFTER" ]; then echo "$PROMOTED"; else echo "$HOSTNAME.${HEADLESS}"; fi; echo 6379 ;;
  *) echo "ERR unexpected"; exit 1 ;;
esac
`,
  timeout: '#!/bin/sh\nshift\nexec "$@"\n',
  // The clock only moves when the script sleeps (each redis-cli call takes no time).
  sleep: '#!/bin/sh\necho "sleep $*" >> "$FAKE_DIR/log"\nc=$(cat "$FAKE_DIR/clock" 2>/dev/null || echo 1000); echo $((c + $1)) > "$FAKE_DIR/clock"\n',
  date: '#!/bin/sh\ncat "$FAKE_DIR/clock" 2>/dev/null || echo 1000\n',
};

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The fake redis-cli's calls, `auth=set <arguments>`. */
  calls: string[];
  /** Calls to sleep. */
  sleeps: number;
}

function runHook(script: string, scenario: Record<string, string>): Run {
  const dir = mkdtempSync(join(tmpdir(), 'redis-prestop-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(FAKES)) {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  }
  writeFileSync(join(dir, 'prestop-redis.sh'), script);
  const result = spawnSync('sh', [join(dir, 'prestop-redis.sh')], {
    encoding: 'utf8',
    timeout: 20_000,
    env: {
      PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      FAKE_DIR: dir,
      POD_NAMESPACE: 'trading-test',
      HOSTNAME: 'trading-cache-0',
      REDISCLI_AUTH: 's3cret',
      LOCAL_ROLE: 'master',
      PROMOTED: pod(2),
      PROMOTED_ROLE: 'master',
      SWITCH_AFTER: '2',
      FAILOVER_0: 'OK',
      FAILOVER_1: 'OK',
      FAILOVER_2: 'OK',
      ...scenario,
    },
  });
  let log = '';
  try {
    log = readFileSync(join(dir, 'log'), 'utf8');
  } catch {
    log = '';
  }
  const lines = log.split('\n').filter((l) => l !== '');
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    calls: lines.filter((l) => l.startsWith('auth=')),
    sleeps: lines.filter((l) => l.startsWith('sleep')).length,
  };
}

describe('the Sentinel engine hands the primary over before a pod stops', () => {
  const objects = sentinelCache();
  const spec = podOf(objects);
  const redis = spec.containers.find((c) => c.name === 'redis');
  const script = scriptOf(objects);

  it('runs prestop-redis.sh from the ConfigMap as a preStop exec hook of the Redis container only', () => {
    expect(redis?.lifecycle).toEqual({ preStop: { exec: { command: ['sh', '/config/prestop-redis.sh'] } } });
    expect(spec.containers.filter((c) => c.lifecycle !== undefined).map((c) => c.name)).toEqual(['redis']);
    // The hook runs as the container does: its restricted context holds (no new volume, no write but stdout).
    expect(restrictedViolations(podSpecOf(asManifest(one(objects, 'StatefulSet'))))).toEqual([]);
    expect(redis?.env.find((e) => e.name === 'REDISCLI_AUTH')?.valueFrom?.secretKeyRef).toEqual({ name: 'redis-auth', key: 'password' });
  });

  it('gives the pods a grace period that covers the wait and Redis stopping after it', () => {
    expect(spec.terminationGracePeriodSeconds).toBe(SENTINEL_GRACE_SECONDS);
    expect(SENTINEL_GRACE_SECONDS - FAILOVER_WAIT_SECONDS).toBeGreaterThanOrEqual(15);
    expect(script).toContain(`$(($(date +%s) + ${FAILOVER_WAIT_SECONDS}))`);
  });

  it('keeps the standalone engine as it was: no hook, 30 s', () => {
    const standalone = render((s) =>
      new TradingBackend(s, 'trading-api', { image: 'ghcr.io/acme/api:1.0.0' }).connectTo(
        new RedisCache(s, 'trading-cache', { credentials: RedisCredentials.fromSecret('redis-auth') }),
      ),
    );
    expect(podOf(standalone).terminationGracePeriodSeconds).toBe(30);
    expect(podOf(standalone).containers.every((c) => c.lifecycle === undefined)).toBe(true);
    expect(Object.keys(one(standalone, 'ConfigMap', 'trading-cache-config').data as object)).not.toContain('prestop-redis.sh');
  });

  it('lets a replica stop at once, asking no Sentinel', () => {
    const run = runHook(script, { LOCAL_ROLE: 'slave' });
    expect(run.status).toBe(0);
    expect(run.calls).toEqual(['auth=set -h 127.0.0.1 -p 6379 role']);
  });

  it("has the primary ask another pod's Sentinel to fail over, and wait until the promoted pod answers as the primary", () => {
    const run = runHook(script, {});
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${pod(2)} is the primary now`);
    expect(run.calls).toEqual([
      'auth=set -h 127.0.0.1 -p 6379 role',
      `auth=set -h ${pod(1)} -p 26379 sentinel failover mymaster`,
      `auth=set -h ${pod(1)} -p 26379 sentinel get-master-addr-by-name mymaster`,
      `auth=set -h ${pod(1)} -p 26379 sentinel get-master-addr-by-name mymaster`,
      `auth=set -h ${pod(1)} -p 26379 sentinel get-master-addr-by-name mymaster`,
      `auth=set -h ${pod(2)} -p 6379 role`,
    ]);
    expect(run.sleeps).toBe(2);
    // The password is in the environment only.
    expect(run.calls.join('\n')).not.toContain('s3cret');
  });

  it('waits while the named pod is not the primary yet', () => {
    const run = runHook(script, { SWITCH_AFTER: '0', PROMOTED_ROLE: 'slave' });
    expect(run.status).toBe(1);
    expect(run.calls.filter((c) => c.endsWith(`${pod(2)} -p 6379 role`))).toHaveLength(FAILOVER_WAIT_SECONDS);
  });

  it('skips its own Sentinel and one that does not answer; an in-progress failover counts as taken', () => {
    const run = runHook(script, { HOSTNAME: 'trading-cache-1', FAILOVER_0: '', FAILOVER_2: 'INPROG Failover already in progress' });
    expect(run.status, run.stderr).toBe(0);
    const asked = run.calls.filter((c) => c.includes('sentinel failover'));
    expect(asked).toEqual([`auth=set -h ${pod(0)} -p 26379 sentinel failover mymaster`, `auth=set -h ${pod(2)} -p 26379 sentinel failover mymaster`]);
    expect(run.stderr).toContain(`Sentinel on ${pod(0)} did not fail over: no answer`);
  });

  it('gives up with exit 1 (a FailedPreStopHook event) when no Sentinel can fail over', () => {
    const run = runHook(script, {
      FAILOVER_1: 'NOGOODSLAVE No suitable replica to promote',
      FAILOVER_2: 'NOGOODSLAVE No suitable replica to promote',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no Sentinel took the failover; stopping as the primary');
    expect(run.calls.some((c) => c.includes('get-master-addr-by-name'))).toBe(false);
  });

  it(`waits at most ${FAILOVER_WAIT_SECONDS} s for the failover, then lets the pod stop`, () => {
    const run = runHook(script, { SWITCH_AFTER: '1000' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`no other pod became the primary within ${FAILOVER_WAIT_SECONDS} s`);
    expect(run.calls.filter((c) => c.includes('get-master-addr-by-name'))).toHaveLength(FAILOVER_WAIT_SECONDS);
  });

  it('names the master set and every pod of the StatefulSet', () => {
    const custom = scriptOf(sentinelCache({ masterName: 'trading', replicas: 5 }));
    expect(custom).toContain('for i in 0 1 2 3 4; do');
    const run = runHook(custom, { HOSTNAME: 'trading-cache-4', FAILOVER_0: '', FAILOVER_1: '', FAILOVER_2: '', FAILOVER_3: 'OK' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls.filter((c) => c.includes('sentinel failover')).at(-1)).toBe(`auth=set -h ${pod(3)} -p 26379 sentinel failover trading`);
  });
});
