/**
 * The programs of the local control plane, built from Go modules through the module proxy (never a
 * download of a binary) into a cache folder keyed by everything that decides the build: the wrapper
 * module's files, the Go version and the flags. A warm run finds them there; nothing is committed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const MODULES = join(__dirname, 'components');

/** One program and how it is built. */
interface Component {
  /** The wrapper module's folder under components/. */
  readonly module: string;
  /** The packages to build, each into a program of its last path element. */
  readonly packages: readonly string[];
  /** Build tags. */
  readonly tags?: readonly string[];
  /** Linker flags, given the module's go.mod. */
  readonly ldflags?: (goMod: string) => string;
}

/** The version a wrapper module requires of a module. */
export function requiredVersion(goMod: string, modulePath: string): string {
  const m = new RegExp(`^\\s*(?:require\\s+)?${modulePath.replace(/\./g, '\\.')}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!m) throw new Error(`components: no version of ${modulePath} in go.mod`);
  return m[1];
}

const COMPONENTS: readonly Component[] = [
  {
    module: 'kubernetes',
    packages: ['k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes/cmd/kube-controller-manager', 'k8s.io/kubernetes/cmd/kube-scheduler'],
    // No cloud provider code (as the project's own release builds); the version stamp is what the API
    // server reports and what PodSecurity's "latest" resolves against.
    tags: ['providerless'],
    ldflags: (goMod) => {
      const v = requiredVersion(goMod, 'k8s.io/kubernetes');
      const [major, minor] = v.slice(1).split('.');
      return [
        '-s',
        '-w',
        `-X k8s.io/component-base/version.gitVersion=${v}`,
        `-X k8s.io/component-base/version.gitMajor=${major}`,
        `-X k8s.io/component-base/version.gitMinor=${minor}`,
        '-X k8s.io/component-base/version.gitTreeState=clean',
      ].join(' ');
    },
  },
  { module: 'etcd', packages: ['.'], ldflags: () => '-s -w' },
  { module: 'kwok', packages: ['sigs.k8s.io/kwok/cmd/kwok'], ldflags: () => '-s -w' },
  // The release controllers, run out of the cluster by the release scenarios (test/cluster/controllers.ts).
  { module: 'argo-rollouts', packages: ['github.com/argoproj/argo-rollouts/cmd/rollouts-controller', './gatewayapi-plugin'], ldflags: () => '-s -w' },
  { module: 'cloudnative-pg', packages: ['github.com/cloudnative-pg/cloudnative-pg/cmd/manager'], ldflags: () => '-s -w' },
];

/** The Go modules whose versions the programs are built from, by wrapper module. */
const VERSIONED: Readonly<Record<string, string>> = {
  kubernetes: 'k8s.io/kubernetes',
  etcd: 'go.etcd.io/etcd/server/v3',
  kwok: 'sigs.k8s.io/kwok',
  'argo-rollouts': 'github.com/argoproj/argo-rollouts',
  'cloudnative-pg': 'github.com/cloudnative-pg/cloudnative-pg',
};

/** Every file of a wrapper module (sources of its own programs included), relative to it, sorted. */
function moduleFiles(dir: string, under = ''): string[] {
  return readdirSync(join(dir, under), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? moduleFiles(dir, join(under, e.name)) : [join(under, e.name)]))
    .sort();
}

/** Where the built programs are kept. */
export function cacheRoot(): string {
  if (process.env.CDK8S_TRADING_CLUSTER_CACHE) return process.env.CDK8S_TRADING_CLUSTER_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cdk8s-trading', 'cluster');
}

function goVersion(): string {
  return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
}

/** What a build took. */
export interface BuildReport {
  readonly component: string;
  /** Seconds spent building in this run; 0 when the cache had it. */
  readonly seconds: number;
  /** Seconds the build took when it was made. */
  readonly builtSeconds: number;
}

/** The built programs: name → absolute path. */
export interface Programs {
  readonly paths: Readonly<Record<string, string>>;
  readonly builds: readonly BuildReport[];
  /** The versions built, by module path. */
  readonly versions: Readonly<Record<string, string>>;
}

function programName(pkg: string, module: string): string {
  // '.' is the wrapper module itself, whose path ends in the component's name.
  return pkg === '.' ? module : (pkg.split('/').pop() as string);
}

/** Builds what the cache lacks; returns every program's path. */
export function ensurePrograms(log: (line: string) => void = () => undefined): Programs {
  const paths: Record<string, string> = {};
  const builds: BuildReport[] = [];
  const versions: Record<string, string> = Object.fromEntries(
    Object.entries(VERSIONED).map(([module, path]) => [path, requiredVersion(readFileSync(join(MODULES, module, 'go.mod'), 'utf8'), path)]),
  );
  const go = goVersion();
  for (const c of COMPONENTS) {
    const dir = join(MODULES, c.module);
    const goMod = readFileSync(join(dir, 'go.mod'), 'utf8');
    const ldflags = c.ldflags?.(goMod) ?? '';
    const hash = createHash('sha256');
    for (const f of moduleFiles(dir)) hash.update(`${f}\0${readFileSync(join(dir, f))}\0`);
    hash.update(`${go}\0${(c.tags ?? []).join(',')}\0${ldflags}\0${c.packages.join(',')}`);
    const target = join(cacheRoot(), `${c.module}-${hash.digest('hex').slice(0, 16)}`);
    const names = c.packages.map((p) => programName(p, c.module));
    const stamp = join(target, 'build.json');
    if (existsSync(stamp)) {
      const built = JSON.parse(readFileSync(stamp, 'utf8')) as { seconds: number };
      builds.push({ component: c.module, seconds: 0, builtSeconds: built.seconds });
    } else {
      log(`building ${c.module} (${c.packages.join(', ')}) with ${go}; first build only, kept in ${target}`);
      const started = Date.now();
      const scratch = `${target}.partial-${process.pid}`;
      rmSync(scratch, { recursive: true, force: true });
      mkdirSync(scratch, { recursive: true });
      const args = ['build', '-trimpath', '-o', `${scratch}/`];
      if (c.tags?.length) args.push('-tags', c.tags.join(','));
      if (ldflags) args.push('-ldflags', ldflags);
      const r = spawnSync('go', [...args, ...c.packages], {
        cwd: dir,
        env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      if (r.status !== 0) {
        rmSync(scratch, { recursive: true, force: true });
        throw new Error(`go build of ${c.module} failed:\n${(r.stderr || r.error?.message || '').slice(-4000)}`);
      }
      const seconds = (Date.now() - started) / 1000;
      writeFileSync(join(scratch, 'build.json'), JSON.stringify({ seconds, go, packages: c.packages }));
      mkdirSync(cacheRoot(), { recursive: true });
      rmSync(target, { recursive: true, force: true });
      renameSync(scratch, target);
      builds.push({ component: c.module, seconds, builtSeconds: seconds });
      log(`built ${c.module} in ${seconds.toFixed(0)} s`);
    }
    for (const n of names) paths[n] = join(target, n);
  }
  return { paths, builds, versions };
}
