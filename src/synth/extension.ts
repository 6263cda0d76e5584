/**
 * The extension point of environment-file projects: `environments/extend.ts` (or `.js`) default-exports
 * a function that receives each environment's chart before it is rendered, so a team adds its own
 * constructs without forking the loader. The file is compiled with esbuild, an optional peer dependency:
 * only a project with an extension installs it (and its install script, which npm asks every project to
 * review, is not needed: the binary comes from its platform package). `cdk8s-trading` inside it
 * (and `cdk8s-trading/toolkit`, cdk8s, cdk8s-plus-28, constructs) resolve to the modules that run it, so
 * its constructs and these share one tree.
 *
 * Whatever goes wrong in it is bad input of that file, reported like the environment files' problems: one
 * line each, at the line and column of the user's source (through esbuild's source map), never a stack
 * into the compiled code. A `.ts` extension is type-checked against the library's declarations when
 * `typescript` can be loaded, and the objects it adds are held to the library's rules (their namespace,
 * unique names, the policy gate) and reported against it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { compileFunction } from 'node:vm';
import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct, Node } from 'constructs';
import type { Environment } from '../config/environment';
import { ConfigurationError, show } from '../core/problems';
import { checkPolicies } from '../policy/policies';
import { PolicyGate } from '../policy/policy-gate';
import type { ManifestView } from '../policy/manifest-view';
import { filesUnder } from './files';
import { sharedSchemaValidator } from './strict-schemas';
import { checkDnsLabel, checkDnsSubdomain, checkLabelKey, checkLabelValue } from '../core/value-rules';

/** Receives each environment's chart (with its constructs built from the file) before it is rendered. */
export type EnvironmentExtension = (chart: Chart, environment: Environment) => void;

/** The extension files looked for in `environments/`, in order. */
export const EXTENSION_FILES = ['extend.ts', 'extend.js', 'extend.cjs'] as const;

/**
 * Problems of the extension, already reported against its file: callers pass them on as they are
 * instead of placing them in an environment file.
 */
export class ExtensionError extends ConfigurationError {}

/** Options of `loadExtension`. */
export interface LoadExtensionOptions {
  /** The folder paths in messages are relative to. @default process.cwd() */
  readonly cwd?: string;
  /** Receives a line worth telling that is not a problem (the extension was not type-checked). @default - dropped */
  readonly note?: (line: string) => void;
}

const requireHere = createRequire(__filename);
const SHARED = new Set(['cdk8s', 'cdk8s-plus-28', 'constructs']);
/** The file name the compiled extension runs under: its stack frames are found by it, and mapped back. */
const COMPILED_SUFFIX = '<cdk8s-trading compiled>';
/** \`console\` for an extension type-checked without \`@types/node\`. */
const CONSOLE = `declare var console: { ${['log', 'info', 'warn', 'error', 'debug'].map((m) => `${m}(...data: unknown[]): void;`).join(' ')} };`;
/** Stack frames kept while the extension runs (V8 keeps 10): enough to reach its own frame under the library's constructs. */
const STACK_DEPTH = 64;

/** A position in a source the user wrote, 1-based, as editors and compilers print it. */
interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** esbuild, loaded only for a project with an extension; a one-line problem when it is not installed. */
function esbuild(shown: string): typeof import('esbuild') {
  try {
    return requireHere('esbuild') as typeof import('esbuild');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !/'esbuild'/.test((e as Error).message)) throw e;
    throw new ConfigurationError([
      `${shown}: compiling it needs esbuild, which is not installed: run npm install --save-dev esbuild ` +
        '(an optional peer dependency of cdk8s-trading; its install script is not needed)',
    ]);
  }
}

/** The extension of the project at `root`, when it has one. */
export function loadExtension(root: string, options: LoadExtensionOptions = {}): EnvironmentExtension | undefined {
  const file = EXTENSION_FILES.map((f) => join(root, 'environments', f)).find((f) => existsSync(f));
  if (!file) return undefined;
  const cwd = options.cwd ?? process.cwd();
  const shownOf = (path: string): string => relative(cwd, path) || path;
  const shown = shownOf(file);
  const { code, map, inputs } = compile(file, shown);
  if (file.endsWith('.ts')) {
    const problems = typeCheck(root, file, inputs, shownOf);
    if (problems === undefined) options.note?.(`${shown}: not type-checked: typescript cannot be loaded from the project (npm i -D typescript)`);
    else if (problems.length > 0) throw new ExtensionError(problems);
  }
  const compiled = `${file}${COMPILED_SUFFIX}`;
  const where = (e: unknown): string => {
    const at = positionOf(e, compiled, map);
    return at ? `${shownOf(at.file)}:${at.line}:${at.column}` : shown;
  };

  const requireThere = createRequire(file);
  const library = requireHere('../index') as object;
  const module = { exports: {} as { default?: unknown; extend?: unknown } };
  // The library and its peers resolve to the very modules running now: one cdk8s, one construct tree.
  const toolkit = (): object => requireHere('../toolkit') as object;
  const requireFor = (id: string): unknown =>
    id === 'cdk8s-trading' ? library : id === 'cdk8s-trading/toolkit' ? toolkit() : SHARED.has(id.split('/')[0]) ? requireHere(id) : requireThere(id);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Math.max(limit, STACK_DEPTH);
  try {
    const load = compileFunction(code, ['module', 'exports', 'require', '__filename', '__dirname'], { filename: compiled });
    load(module, module.exports, requireFor, file, dirname(file));
  } catch (e) {
    throw new ExtensionError(linesOf(e).map((m) => `${where(e)}: while loading it: ${m}`));
  } finally {
    Error.stackTraceLimit = limit;
  }
  const fn = module.exports.default ?? module.exports.extend ?? module.exports;
  if (typeof fn !== 'function') {
    throw new ExtensionError([`${shown}: must export a function (export default function (chart, environment) { ... })`]);
  }
  const extension = fn as EnvironmentExtension;
  const run: EnvironmentExtension = (chart, environment) => {
    const before = new Set(chart.node.findAll());
    const sites = new Map<IConstruct, string>();
    const outside: string[] = [];
    const outsideRoots = new Set<IConstruct>();
    const superCalls = new Set<string>();
    // Where each construct the extension adds is created: the line of its `new`, for the problems of its
    // objects. Every construct registers with its scope through Node's (private) addChild; without it
    // (another constructs major), problems name the file only.
    const nodes = Node.prototype as unknown as { addChild?: (this: Node, child: Construct, childName: string) => void };
    const addChild = nodes.addChild;
    if (typeof addChild === 'function') {
      nodes.addChild = function (child, childName) {
        addChild.call(this, child, childName);
        // A class of the extension's own that extends a construct registers from its constructor's super(): the
        // line that makes the object is where that class is instantiated, so those super() calls are passed over,
        // for it and for what a library construct's constructor makes on its behalf (a Deployment's resource).
        const at = positionOf(new Error(), compiled, map, { classes: classNamesOf(child), superCalls });
        if (at) sites.set(child, `${shownOf(at.file)}:${at.line}:${at.column}`);
        // Only the environment's chart is rendered into its folder: a construct added anywhere else (a Chart of
        // its own under the App) would be silently missing from dist/.
        if (!this.scopes.includes(chart) && !this.scopes.some((c) => outsideRoots.has(c))) {
          outsideRoots.add(child);
          outside.push(
            `${at ? `${shownOf(at.file)}:${at.line}:${at.column}` : shown}: in environment ${environment.name}: ${show(childName)} is added ` +
              `under ${show(this.path || 'the App')}, outside the environment's chart ${show(chart.node.path)}: only that chart is written to ` +
              `dist/; add it to the chart the function receives`,
          );
        }
      };
    }
    // What the library made is its guarantee (a quota, container limits, the default-deny policy, budgets): an
    // extension adds to it and may patch it, but what it removes is refused, at the line that removes it.
    const removedAt = new Map<IConstruct, string>();
    const removing = Node.prototype as unknown as { tryRemoveChild?: (this: Node, childName: string) => boolean };
    const tryRemoveChild = removing.tryRemoveChild;
    if (typeof tryRemoveChild === 'function') {
      removing.tryRemoveChild = function (childName) {
        const child = this.tryFindChild(childName);
        const at = positionOf(new Error(), compiled, map);
        if (child && at) removedAt.set(child, `${shownOf(at.file)}:${at.line}:${at.column}`);
        return tryRemoveChild.call(this, childName);
      };
    }
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = Math.max(limit, STACK_DEPTH);
    let returned: unknown;
    try {
      returned = extension(chart, environment);
    } catch (e) {
      throw new ExtensionError(linesOf(e).map((m) => `${where(e)}: in environment ${environment.name}: ${m}`));
    } finally {
      nodes.addChild = addChild;
      removing.tryRemoveChild = tryRemoveChild;
      Error.stackTraceLimit = limit;
    }
    const present = new Set(chart.node.findAll());
    for (const o of before) {
      if (!(o instanceof ApiObject) || present.has(o)) continue;
      let site: string | undefined;
      for (let s: IConstruct | undefined = o; s && site === undefined; s = s.node.scope) site = removedAt.get(s);
      outside.push(
        `${site ?? shown}: in environment ${environment.name}: removes ${o.kind}/${o.name} (${o.node.path}), an object of the library: ` +
          'what the library makes (a quota, container limits, network policies, budgets) is kept; patch it (addJsonPatch) to change it',
      );
    }
    if (isThenable(returned)) {
      // Synthesis is synchronous: what an async function adds after its first await would be missing from
      // dist/, and what it throws there would surface after the output was written. It is refused, and its
      // eventual rejection is not left to crash the process.
      returned.then(undefined, () => undefined);
      throw new ExtensionError([
        `${shown}: in environment ${environment.name}: the function returned a Promise (an async function): a synth is synchronous, so objects added after an await would be lost and errors thrown there would come after dist/ was written; add the objects without async and await`,
      ]);
    }
    const siteOf = (c: IConstruct): string => {
      for (let s: IConstruct | undefined = c; s; s = s.node.scope) {
        const site = sites.get(s);
        if (site) return site;
      }
      return shown;
    };
    const problems = [...outside, ...addedObjectProblems(chart, environment, before, siteOf)];
    if (problems.length > 0) throw new ExtensionError(problems);
    // What a callback (a Promise's then, setTimeout) would add later cannot reach dist/: adding it throws, and
    // `settleExtension` reports it before anything is written.
    chart.node.lock();
  };
  const settle = async (): Promise<string[]> => {
    const caught: unknown[] = [];
    const onError = (e: unknown): void => void caught.push(e);
    process.on('unhandledRejection', onError);
    process.on('uncaughtException', onError);
    try {
      // Promise callbacks run first, then timers due now, then what setImmediate queued.
      await new Promise((done) => setTimeout(done, 0));
      await new Promise((done) => setImmediate(done));
    } finally {
      process.off('unhandledRejection', onError);
      process.off('uncaughtException', onError);
    }
    return caught.flatMap((e) => {
      const locked = e instanceof Error ? /^Cannot add children (?:to "([^"]*)" )?during synthesis/.exec(e.message) : null;
      const lines = locked
        ? [
            `in environment ${locked[1] ?? '?'}: adds a construct after the function returned (in a callback: a Promise's then, setTimeout), ` +
              'which a synth does not wait for: it would be missing from dist/; add it in the function itself',
          ]
        : linesOf(e).map((m) => `after the function returned (in a callback: a Promise's then, setTimeout): ${m}`);
      return lines.map((m) => `${where(e)}: ${m}`);
    });
  };
  return Object.assign(run, { [EXTENSION_FILE]: shown, [SETTLE]: settle });
}

/** The property of a loaded extension that waits for its callbacks and reports what they did. */
const SETTLE = Symbol('cdk8s-trading extension settle');

/**
 * Waits for what the extension's runs left to run (Promise callbacks, timers due now) and returns their problems,
 * one line each: a construct added to a chart after the function returned, or anything they threw. Called after
 * every environment is built and before anything is written.
 */
export async function settleExtension(extension: EnvironmentExtension): Promise<string[]> {
  const settle = (extension as { [SETTLE]?: () => Promise<string[]> })[SETTLE];
  return settle ? settle() : [];
}

/** The property of a loaded extension naming its file as messages show it. */
const EXTENSION_FILE = Symbol('cdk8s-trading extension file');

/** The file of a loaded extension, as messages show it. */
export function extensionFile(extension: EnvironmentExtension): string {
  const file = (extension as { [EXTENSION_FILE]?: unknown })[EXTENSION_FILE];
  return typeof file === 'string' ? file : 'environments/extend.ts';
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/** The extension bundled (its own relative imports inside, packages outside) with a source map back to its sources. */
function compile(file: string, shown: string): { code: string; map: SourceMap; inputs: string[] } {
  const { buildSync } = esbuild(shown);
  try {
    const out = buildSync({
      entryPoints: [file],
      outfile: `${file}.js`,
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
      sourcemap: 'external',
      sourcesContent: false,
      metafile: true,
    });
    const text = (suffix: string): string => out.outputFiles.find((f) => f.path.endsWith(suffix))?.text ?? '';
    const payload = JSON.parse(text('.map')) as { sources: string[] };
    // Sources as absolute paths, so a position found in any of the extension's own modules names that file.
    const map = new SourceMap({ ...payload, sources: payload.sources.map((s) => resolve(dirname(file), s)) } as never);
    const workingDir = process.cwd();
    const inputs = Object.keys(out.metafile.inputs).map((i) => resolve(workingDir, i));
    return { code: text('.js'), map, inputs };
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors ?? [];
    throw new ExtensionError(
      errors.length > 0
        ? errors.map((x) => `${x.location ? `${x.location.file}:${x.location.line}:${x.location.column + 1}` : shown}: ${x.text}`)
        : [`${shown}: cannot compile: ${(e as Error).message}`],
    );
  }
}

/** The names of the classes `o` is an instance of, its own class first. */
function classNamesOf(o: object): ReadonlySet<string> {
  const names = new Set<string>();
  for (let p: unknown = Object.getPrototypeOf(o); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const name = (p as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && name !== '') names.add(name);
  }
  return names;
}

/** A construct being registered: the classes it is an instance of, and the super() calls seen so far (compiled positions). */
interface Construction {
  readonly classes: ReadonlySet<string>;
  readonly superCalls: Set<string>;
}

/**
 * The innermost frame of `e`'s stack in the compiled extension, mapped back to the user's source. For a construct
 * being registered, the innermost frames inside the constructors of its own classes (`at new Name (…)`, each class
 * once, so a class that makes another of its kind keeps that line) are its super() calls: they are recorded in
 * `superCalls` and passed over, as is every super() call recorded before.
 */
function positionOf(e: unknown, compiled: string, map: SourceMap, construction?: Construction): SourcePosition | undefined {
  const stack = e instanceof Error && typeof e.stack === 'string' ? e.stack : '';
  const classes = new Set(construction?.classes);
  for (const line of stack.split('\n')) {
    const at = line.lastIndexOf(`${compiled}:`);
    if (at < 0) continue;
    const m = /^:(\d+):(\d+)/.exec(line.slice(at + compiled.length));
    if (!m) continue;
    if (construction) {
      const inside = /^\s*at new (\S+) \(/.exec(line)?.[1];
      const position = `${m[1]}:${m[2]}`;
      if (inside !== undefined && classes.delete(inside)) {
        construction.superCalls.add(position);
        continue;
      }
      if (construction.superCalls.has(position)) continue;
    }
    const entry = map.findEntry(Number(m[1]) - 1, Number(m[2]) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) continue;
    return { file: entry.originalSource, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
  }
  return undefined;
}

/** What was thrown, one line per problem: a ConfigurationError's own lines, otherwise the first line of the message. */
function linesOf(e: unknown): string[] {
  if (e instanceof ConfigurationError) return [...e.problems];
  if (!(e instanceof Error)) return [`threw ${show(e)}`];
  const code = (e as { code?: unknown }).code;
  const missing = code === 'MODULE_NOT_FOUND' ? /Cannot find module '([^']+)'/.exec(e.message)?.[1] : undefined;
  if (missing !== undefined) return [`cannot find module ${show(missing)}: install it in the project, or correct the import`];
  const first = e.message.split('\n')[0];
  // constructs names the scope by its class, which a bundle renames (\`_Chart\`): say it by its id instead.
  const taken = /^There is already a Construct with name '(.*)' in \S+(?: \[(.*)\])?$/.exec(first);
  if (taken)
    return [
      `construct id ${show(taken[1])} is already used in ${taken[2] ? show(taken[2]) : 'this scope'}: give each construct of a scope its own id`,
    ];
  return [e.name === 'Error' ? first : `${e.name}: ${first}`];
}

/** Kubernetes' cluster-scoped kinds, by the API group their apiVersion starts with. */
const CLUSTER_SCOPED = new Map<string, string>([
  ['ClusterRole', 'rbac.authorization.k8s.io/'],
  ['ClusterRoleBinding', 'rbac.authorization.k8s.io/'],
  ['CustomResourceDefinition', 'apiextensions.k8s.io/'],
  ['PersistentVolume', 'v1'],
  ['StorageClass', 'storage.k8s.io/'],
  ['PriorityClass', 'scheduling.k8s.io/'],
  ['IngressClass', 'networking.k8s.io/'],
  ['RuntimeClass', 'node.k8s.io/'],
  ['ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/'],
  ['MutatingWebhookConfiguration', 'admissionregistration.k8s.io/'],
  ['APIService', 'apiregistration.k8s.io/'],
  ['GatewayClass', 'gateway.networking.k8s.io/'],
]);

/**
 * The objects the extension added, held to the rules the library's own objects follow: in the environment's
 * namespace, a name of their own per kind and namespace, and no policy finding. Each problem names the line
 * that created the object.
 */
function addedObjectProblems(chart: Chart, environment: Environment, before: ReadonlySet<IConstruct>, siteOf: (c: IConstruct) => string): string[] {
  const namespace = environment.config.namespace;
  const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const added = new Set(objects.filter((o) => !before.has(o)));
  const problems: string[] = [];
  // An object that cannot render (a cdk8s-plus Deployment without containers) is one problem at the line that made
  // it; the rules below judge the objects that render.
  const manifests = new Map<ApiObject, ManifestView>();
  for (const o of objects) {
    try {
      manifests.set(o, o.toJson() as ManifestView);
    } catch (e) {
      const message = linesOf(e)[0].replace(/^Failed serializing construct at path '[^']*' with name '[^']*': (Error: )?/, '');
      problems.push(`${siteOf(o)}: in environment ${environment.name}: ${o.kind}/${o.name} (${o.node.path}): cannot be rendered: ${message}`);
    }
  }
  if (problems.length > 0) return problems;
  const report = (o: ApiObject, message: string): void => {
    const m = manifests.get(o) as ManifestView;
    problems.push(`${siteOf(o)}: in environment ${environment.name}: ${m.kind}/${m.metadata.name} (${o.node.path}): ${message}`);
  };
  const identity = (m: ManifestView): string =>
    `${m.apiVersion.split('/').slice(0, -1).join('/')}/${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
  const owners = new Map<string, ApiObject>();
  for (const o of objects.filter((x) => !added.has(x))) owners.set(identity(manifests.get(o) as ManifestView), o);
  // The library's own objects pass these rules as the library renders them; an extension can still change them
  // (a JSON patch, a renamed object): held to Kubernetes' names and the strict schemas too.
  const schemas = sharedSchemaValidator();
  for (const o of objects.filter((x) => !added.has(x) && manifests.has(x))) {
    const m = manifests.get(o) as ManifestView;
    const changed = (message: string): void => report(o, `${message} (an object of the library, as the extension changed it)`);
    for (const p of kubernetesNameProblems(m)) changed(p);
    if (schemas.knows(m.apiVersion, m.kind)) for (const p of schemas.validate(m)) changed(`${p.field ? `${p.field}: ` : ''}${p.message}`);
  }
  for (const o of added) {
    const m = manifests.get(o) as ManifestView;
    const other = m.metadata.namespace;
    if (CLUSTER_SCOPED.has(m.kind) && m.apiVersion.startsWith(CLUSTER_SCOPED.get(m.kind) as string)) {
      report(o, `${m.kind} is cluster-scoped: an environment's folder holds objects of its namespace only; apply it outside the environment`);
      continue;
    }
    for (const p of kubernetesNameProblems(m)) report(o, p);
    // The kinds validate knows are held to their schemas here too (validate would refuse them after the synth).
    if (schemas.knows(m.apiVersion, m.kind)) {
      for (const p of schemas.validate(m)) report(o, `${p.field ? `${p.field}: ` : ''}${p.message}`);
    }
    if (other !== undefined && other !== namespace) {
      report(
        o,
        `namespace: ${show(other)} is outside the environment's namespace ${show(namespace)}: an extension adds objects to its environment only`,
      );
    } else if (m.kind === 'Namespace' && m.metadata.name !== namespace) {
      report(
        o,
        `${show(m.metadata.name)} is a namespace other than the environment's ${show(namespace)}: an extension adds objects to its environment only`,
      );
    }
    const first = owners.get(identity(m));
    if (first) {
      const by = before.has(first) ? 'the library' : `the extension (${siteOf(first)})`;
      report(o, `name: ${show(m.metadata.name)} is already used by ${first.node.path}, made by ${by}: names must be unique per kind and namespace`);
    } else owners.set(identity(m), o);
  }
  const ids = new Map([...added].map((o) => [`${(manifests.get(o) as ManifestView).kind}/${o.name}`, o]));
  const findings = checkPolicies([...manifests.values()], PolicyGate.of(chart)?.options ?? {});
  for (const f of findings) {
    const o = ids.get(f.object);
    if (o && !f.waiver) report(o, `policy ${f.rule}: ${f.message}`);
  }
  return problems;
}

/**
 * The type errors of a `.ts` extension and the files it imports (`inputs`), checked against the library's
 * declarations, or undefined when no `typescript` can be loaded. Each is one line: file:line:column, the
 * message and its code. A clean result is remembered under the project's cache, keyed by the sources,
 * the library and the compiler, so an unchanged extension costs nothing on the next synth.
 */
function typeCheck(root: string, file: string, inputs: readonly string[], shownOf: (path: string) => string): string[] | undefined {
  const ts = loadTypeScript(root);
  if (!ts) return undefined;
  const library = libraryDeclarations();
  const own = inputs.filter((i) => !i.split(/[\\/]/).includes('node_modules'));
  const key = createHash('sha256')
    .update(JSON.stringify([ts.version, library.stamp, own.map((i) => [i, existsSync(i) ? readFileSync(i, 'utf8') : ''])]))
    .digest('hex')
    .slice(0, 24);
  const passed = join(root, 'node_modules', '.cache', 'cdk8s-trading', `extension-${key}.ok`);
  if (existsSync(passed)) return [];
  const peer = (name: string): string => dirname(requireHere.resolve(`${name}/package.json`));
  const paths: Record<string, string[]> = {
    'cdk8s-trading': [library.entry],
    'cdk8s-trading/toolkit': [join(dirname(library.entry), library.entry.endsWith('.d.ts') ? 'toolkit.d.ts' : 'toolkit.ts')],
  };
  for (const name of SHARED) {
    paths[name] = [peer(name)];
    paths[`${name}/*`] = [`${peer(name)}/*`];
  }
  // Node's types when the project has them, as its own editor sees the file (loading them costs a second);
  // without them, \`console\` still exists, as it does where the extension runs.
  const nodeTypes = resolveFrom(root, '@types/node/package.json');
  const options: import('typescript').CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    allowJs: false,
    paths,
    types: nodeTypes ? ['node'] : [],
    ...(nodeTypes ? { typeRoots: [dirname(dirname(nodeTypes))] } : {}),
  };
  const host = ts.createCompilerHost(options);
  const ambient = join(dirname(file), '__cdk8s-trading-console.d.ts');
  if (!nodeTypes) {
    const { getSourceFile, fileExists } = host;
    host.getSourceFile = (name, ...rest) =>
      name === ambient ? ts.createSourceFile(name, CONSOLE, ts.ScriptTarget.ES2022) : getSourceFile(name, ...rest);
    host.fileExists = (name) => name === ambient || fileExists(name);
  }
  const program = ts.createProgram(nodeTypes ? [file] : [file, ambient], options, host);
  const mine = new Set(own);
  const problems: string[] = [];
  for (const source of program.getSourceFiles().filter((s) => mine.has(resolve(s.fileName)))) {
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      problems.push(`${shownOf(resolve(source.fileName))}${at ? `:${at.line + 1}:${at.character + 1}` : ''}: ${text} (TS${d.code})`);
    }
  }
  if (problems.length === 0) {
    try {
      mkdirSync(dirname(passed), { recursive: true });
      writeFileSync(passed, '');
    } catch {
      // A read-only project checks every time.
    }
  }
  return problems;
}

/** The project's own `typescript`, else the one beside this package, else none. */
function loadTypeScript(root: string): typeof import('typescript') | undefined {
  for (const from of [root, __dirname]) {
    const entry = resolveFrom(from, 'typescript');
    if (entry) return requireHere(entry) as typeof import('typescript');
  }
  return undefined;
}

function resolveFrom(dir: string, id: string): string | undefined {
  try {
    return createRequire(join(dir, 'noop.js')).resolve(id);
  } catch {
    return undefined;
  }
}

/**
 * What `cdk8s-trading` means to the type checker (and `cdk8s-trading/toolkit`, beside it): the package's declarations (`lib/index.d.ts`) when this
 * code runs from the package, the sources (`src/index.ts`) when it runs from this repository; and a stamp
 * that changes when they do.
 */
function libraryDeclarations(): { entry: string; stamp: string } {
  let dir = __dirname;
  while (dirname(dir) !== dir && !isLibraryRoot(dir)) dir = dirname(dir);
  const declarations = join(dir, 'lib', 'index.d.ts');
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '';
  if (relative(join(dir, 'lib'), __dirname).startsWith('..') === false && existsSync(declarations)) {
    return { entry: declarations, stamp: `${version} ${statSync(declarations).mtimeMs}` };
  }
  const src = join(dir, 'src');
  const newest = Math.max(...filesUnder(src).map((f) => statSync(join(src, f)).mtimeMs));
  return { entry: join(src, 'index.ts'), stamp: `${version} src ${newest}` };
}

function isLibraryRoot(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'cdk8s-trading';
}

/**
 * What the API server's validation refuses in an object's names that no OpenAPI schema says: the name of its kind
 * (a Service's or Namespace's is an RFC 1035/1123 label, most others a DNS subdomain), its labels' keys and values,
 * and the keys of a ConfigMap's or Secret's data.
 */
function kubernetesNameProblems(m: ManifestView): string[] {
  const out: string[] = [];
  const name = m.metadata.name;
  if (m.kind === 'Service') {
    const bad =
      typeof name === 'string' && /^[0-9]/.test(name) ? `${show(name)} is not a Service name: it must start with a letter` : checkDnsLabel(name);
    if (bad) out.push(`metadata.name: ${bad}`);
  } else if (m.kind === 'Namespace') {
    const bad = checkDnsLabel(name);
    if (bad) out.push(`metadata.name: ${bad}`);
  } else {
    const bad = checkDnsSubdomain(name);
    if (bad) out.push(`metadata.name: ${bad}`);
  }
  const labelSets: Array<[string, unknown]> = [
    ['metadata.labels', m.metadata.labels],
    ['spec.template.metadata.labels', (m.spec as { template?: { metadata?: { labels?: unknown } } } | undefined)?.template?.metadata?.labels],
  ];
  for (const [at, labels] of labelSets) {
    if (labels === null || typeof labels !== 'object') continue;
    for (const [key, value] of Object.entries(labels)) {
      const badKey = checkLabelKey(key);
      if (badKey) out.push(`${at}: ${badKey}`);
      const badValue = checkLabelValue(value);
      if (badValue) out.push(`${at}.${key}: ${badValue}`);
    }
  }
  if (m.kind === 'ConfigMap' || m.kind === 'Secret') {
    const record = m as unknown as Record<string, unknown>;
    for (const field of ['data', 'binaryData', 'stringData']) {
      const data = record[field];
      if (data === null || typeof data !== 'object') continue;
      for (const key of Object.keys(data)) {
        if (!/^[-._a-zA-Z0-9]+$/.test(key) || key.length > 253 || key === '.' || key === '..') {
          out.push(`${field}: ${show(key)} is not a valid key: use letters, digits, "-", "_" and "."`);
        }
      }
    }
  }
  return out;
}
