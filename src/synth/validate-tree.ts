/**
 * `cdk8s-trading validate`: every object under a folder checked strictly against the Kubernetes 1.28 and
 * CRD schemas, the policy rules run on the objects of each namespace, and, in a project, the environment
 * files checked and rendered too (what the next synth would write must pass the same rules).
 */
import { credentialPaths } from '../core/secrets';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { runbookLinkWarnings } from '../config/runbook-links';
import { TIER_DEFAULTS } from '../config/tiers';
import type { Environment } from '../config/environment';
import { ConfigurationError, show } from '../core/problems';
import { checkPolicies, unusedWaivers } from '../policy/policies';
import { ManifestView } from '../policy/manifest-view';
import { emitYaml, JsonValue } from './emit-yaml';
import { filesUnder, Unreadable } from './files';
import { Manifest } from './layout';
import { ENVIRONMENTS_DIR, readProject, renderEnvironment } from './project';
import { sharedSchemaValidator } from './strict-schemas';
import { describeFsError } from './write';

/** The result of a validation. */
export interface TreeValidation {
  /** One line per problem, each naming the file (or environment file) it is in. */
  readonly problems: readonly string[];
  /** Objects read. */
  readonly documents: number;
  /** What is valid but probably not meant, one line each (a team's alerts linking to this library's runbooks). */
  readonly warnings: readonly string[];
}

const strictValidator = sharedSchemaValidator;

/**
 * The documents of a manifest file as Kubernetes reads them (YAML 1.1). A file as this tool writes it is read
 * by `readEmitted`, a reader of exactly the emitter's output (a fraction of a full YAML parser's time, most of
 * which is its start-up in a short process), and taken when emitting what was read gives back the file byte
 * for byte: the emitter writes only what YAML 1.1 reads back unchanged (emit-yaml.ts, tested on all of dist/
 * and adversarial strings), so the result is the same, whatever the reader got wrong. Anything else (edited
 * by hand, several documents, comments, other quoting) is read by `yaml` in YAML 1.1 mode.
 */
function readDocuments(text: string): Array<{ value: unknown } | { errors: string[] }> {
  const value = readEmitted(text);
  if (value !== undefined && emitYaml(value) === text) return [{ value }];
  return parseAllDocuments(text, { version: '1.1', uniqueKeys: true }).map((doc) =>
    // The yaml package ends its first line with "at line 3, column 18:" before a code excerpt: the position goes first.
    doc.errors.length > 0
      ? {
          errors: doc.errors.map((e) => {
            const text = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
            return e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}: ${text}` : text;
          }),
        }
      : { value: doc.toJS() },
  );
}

/**
 * A mapping as emit-yaml.ts writes it (block collections, two-space indentation), or undefined.
 * @internal exported for tests
 */
export function readEmitted(text: string): JsonValue | undefined {
  if (!text.endsWith('\n')) return undefined;
  const lines = text.slice(0, -1).split('\n');
  let at = 0;
  const indentOf = (line: string): number => line.length - line.trimStart().length;

  // `key: value`, `key:` (a block follows) or `"quoted key": ...`; undefined when the line is not one.
  const entry = (rest: string): { key: string; value: string | undefined } | undefined => {
    let key: string;
    let after: string;
    if (rest.startsWith('"')) {
      const end = endOfQuoted(rest);
      if (end < 0) return undefined;
      key = JSON.parse(rest.slice(0, end + 1)) as string;
      after = rest.slice(end + 1);
    } else {
      const colon = rest.indexOf(':');
      if (colon <= 0) return undefined;
      key = rest.slice(0, colon);
      after = rest.slice(colon);
    }
    if (after === ':') return { key, value: undefined };
    return after.startsWith(': ') ? { key, value: after.slice(2) } : undefined;
  };

  // A value on the line, or a literal block starting there, owned by a line at `indent`.
  const scalar = (raw: string, indent: number): JsonValue | undefined => {
    if (raw === 'null') return null;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    if (raw === '[]') return [];
    if (raw === '{}') return {};
    if (raw.startsWith('"')) return endOfQuoted(raw) === raw.length - 1 ? (JSON.parse(raw) as string) : undefined;
    if (raw === '|' || raw === '|-') {
      const pad = ' '.repeat(indent + 2);
      const body: string[] = [];
      while (at < lines.length && (lines[at] === '' || lines[at].startsWith(pad))) body.push(lines[at++].slice(pad.length));
      return `${body.join('\n')}${raw === '|' ? '\n' : ''}`;
    }
    if (/^-?\d+(?:\.\d+)?(?:e[+-]\d+)?$/.test(raw)) return Number(raw);
    return raw;
  };

  // The collection whose first line is lines[at], at `indent` (that line may have been rewritten).
  const block = (indent: number): JsonValue | undefined => {
    const first = lines[at];
    if (first === undefined || indentOf(first) !== indent) return undefined;
    return first.startsWith('- ', indent) ? sequence(indent) : mapping(indent);
  };

  const mapping = (indent: number): { [key: string]: JsonValue } | undefined => {
    const map: { [key: string]: JsonValue } = {};
    while (at < lines.length && indentOf(lines[at]) === indent && !lines[at].startsWith('- ', indent)) {
      const e = entry(lines[at].slice(indent));
      if (!e || e.key in map) return undefined;
      at++;
      const value = e.value === undefined ? block(indent + 2) : scalar(e.value, indent);
      if (value === undefined) return undefined;
      map[e.key] = value;
    }
    return map;
  };

  const sequence = (indent: number): JsonValue[] | undefined => {
    const seq: JsonValue[] = [];
    while (at < lines.length && indentOf(lines[at]) === indent && lines[at].startsWith('- ', indent)) {
      const rest = lines[at].slice(indent + 2);
      let value: JsonValue | undefined;
      if (rest.startsWith('- ') || entry(rest) !== undefined) {
        // A collection whose first line shares the dash's line: read it as if on a line of its own.
        lines[at] = `${' '.repeat(indent + 2)}${rest}`;
        value = block(indent + 2);
      } else {
        at++;
        value = scalar(rest, indent);
      }
      if (value === undefined) return undefined;
      seq.push(value);
    }
    return seq;
  };

  const value = mapping(0);
  return value !== undefined && at === lines.length ? value : undefined;
}

/** The index of the quote that closes the JSON string opening `s`, or -1. */
function endOfQuoted(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

/** kustomize's own files: not Kubernetes objects. */
const KUSTOMIZE_FILES = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

/** Options of `validateTree`. */
export interface ValidateTreeOptions {
  /** A project root (holding `environments/`): its waivers and tiers apply, and its environment files are checked too. @default - none */
  readonly root?: string;
  /** Paths in messages are relative to this folder. @default process.cwd() */
  readonly cwd?: string;
}

/** Whether the project at `root` is this library's own repository (its package.json is cdk8s-trading's). */
function isThisLibrary(root: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: unknown }).name === 'cdk8s-trading';
  } catch {
    return false;
  }
}

/**
 * Validates the manifests under `dir`. With a project `root`, policy findings in an environment's
 * namespace use that environment's waivers and tier, and the environment files are checked and rendered
 * as well; without it, the rules run with no waivers.
 */
export function validateTree(dir: string, options: ValidateTreeOptions = {}): TreeValidation {
  const root = options.root;
  const cwd = options.cwd ?? process.cwd();
  const schemas = strictValidator();
  const problems: string[] = [];
  let documents = 0;
  const byNamespace = new Map<string, Array<{ manifest: Manifest; file: string }>>();
  const seen = new Map<string, string>();
  const unreadable: Unreadable[] = [];
  const all = filesUnder(dir, unreadable).filter((f) => !f.split('/').some((s) => s.startsWith('.')));
  for (const folder of unreadable) {
    const shown = relative(cwd, join(dir, folder.path)) || folder.path || '.';
    problems.push(
      `${shown}${folder.folder ? '/' : ''}: cannot be read (${describeFsError(folder.error)}): validate reads every manifest under ${relative(cwd, dir) || '.'}; make it readable`,
    );
  }
  /** Files holding at least one Kubernetes object, which a kustomization.yaml must list to have them applied. */
  const manifests: string[] = [];
  for (const path of all.filter((f) => /\.ya?ml$/.test(f) && !KUSTOMIZE_FILES.test(f))) {
    const shown = relative(cwd, join(dir, path)) || path;
    let objects = 0;
    let text: string;
    try {
      text = readFileSync(join(dir, path), 'utf8');
    } catch (e) {
      problems.push(
        `${shown}: cannot be read (${describeFsError(e)}): validate reads every manifest under ${relative(cwd, dir) || '.'}; make it readable`,
      );
      continue;
    }
    readDocuments(text).forEach((doc, i) => {
      if ('errors' in doc) {
        problems.push(...doc.errors.map((e) => `${shown}: document ${i + 1}: cannot parse YAML: ${e}`));
        return;
      }
      if (doc.value === null || doc.value === undefined) return;
      const notObject = notAnObject(doc.value);
      if (notObject) {
        problems.push(`${shown}: document ${i + 1}: ${notObject}`);
        return;
      }
      const m = doc.value as Manifest;
      objects++;
      documents++;
      const id = `${m.kind}/${typeof m.metadata.name === 'string' ? m.metadata.name : `#${i + 1}`}`;
      for (const p of schemas.validate(m)) problems.push(`${shown}: ${id}: ${p.field ? `${p.field}: ` : ''}${p.message}`);
      const namespace = typeof m.metadata.namespace === 'string' ? m.metadata.namespace : '';
      const key = `${m.apiVersion}/${m.kind}/${namespace}/${m.metadata.name}`;
      const first = seen.get(key);
      if (first) problems.push(`${shown}: ${id}: duplicate object, also in ${first}`);
      seen.set(key, shown);
      const entries = byNamespace.get(namespace);
      if (entries) entries.push({ manifest: m, file: shown });
      else byNamespace.set(namespace, [{ manifest: m, file: shown }]);
    });
    if (objects > 0) manifests.push(path);
  }
  problems.push(...kustomizationProblems(dir, all, manifests, cwd, unreadable));

  let environments: readonly Environment[] = [];
  const inProject = root !== undefined && existsSync(join(root, ENVIRONMENTS_DIR));
  if (inProject) {
    const project = readProject(root, cwd);
    environments = project.environments;
    problems.push(...project.problems);
  }
  // Selectors, NetworkPolicies and PDBs act within a namespace, so the rules judge one namespace at a time.
  for (const [namespace, entries] of byNamespace) {
    const environment = environments.find((e) => e.config.namespace === namespace);
    const waivers = environment?.config.waivers ?? [];
    let findings: ReturnType<typeof checkPolicies>;
    try {
      findings = checkPolicies(entries.map((e) => e.manifest) as unknown as ManifestView[], {
        allowLatestTag: environment ? TIER_DEFAULTS[environment.config.tier].allowLatestTag : false,
        waivers,
      });
    } catch (e) {
      // The rules read objects as the schemas describe them: one that is not (a string where a list belongs)
      // can stop them. That is the schema problem already reported; without one, it is a bug and keeps its trace.
      const files = new Set(entries.map((x) => x.file));
      if (!problems.some((p) => files.has(p.split(': ')[0]))) throw e;
      problems.push(
        `${relative(cwd, dir) || '.'}: policy rules: not run on namespace ${show(namespace)}: its objects have the schema problems above; fix those first`,
      );
      continue;
    }
    const fileOf = new Map(entries.map((e) => [`${e.manifest.kind}/${e.manifest.metadata?.name}`, e.file]));
    for (const f of findings.filter((x) => !x.waiver))
      problems.push(`${fileOf.get(f.object) ?? relative(cwd, dir)}: policy ${f.rule}: ${f.object}: ${f.message}`);
    if (environment) {
      for (const w of unusedWaivers(findings, waivers))
        problems.push(`${environment.file}: waivers: ${w.rule} for ${w.object} accepts nothing in ${relative(cwd, dir) || '.'}; remove it`);
    }
  }
  for (const environment of environments) {
    try {
      renderEnvironment(environment);
    } catch (e) {
      if (!(e instanceof ConfigurationError)) throw e;
      problems.push(...e.problems);
    }
  }
  // This repository's own environments may link to its runbooks; any other project's alerts should not.
  const warnings = inProject && !isThisLibrary(root) ? runbookLinkWarnings(environments) : [];
  return { problems, documents, warnings };
}

const WHAT_BELONGS = 'only Kubernetes objects (apiVersion, kind and metadata) belong in a folder of manifests; move other files out of it';

/** Why a YAML document is not a Kubernetes object (a values file, a list, a string), or undefined when it is one. */
function notAnObject(value: unknown): string | undefined {
  if (Array.isArray(value)) return `a list, not a Kubernetes object: ${WHAT_BELONGS}`;
  if (typeof value !== 'object' || value === null) return `${show(value)} is not a Kubernetes object: ${WHAT_BELONGS}`;
  const o = value as Record<string, unknown>;
  const wrong = [
    ...(['apiVersion', 'kind'] as const).filter((k) => typeof o[k] !== 'string' || o[k] === '').map((k) => `${k}: ${show(o[k])}`),
    ...(typeof o.metadata !== 'object' || o.metadata === null || Array.isArray(o.metadata) ? [`metadata: ${show(o.metadata)}`] : []),
  ];
  if (wrong.length === 0) return undefined;
  const keys = Object.keys(o);
  const found = keys.length === 0 ? 'no keys' : `keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', ...' : ''}`;
  return `not a Kubernetes object (${wrong.join(', ')}; ${found}): ${WHAT_BELONGS}`;
}

/** A kustomize reference that is not a local path (a Git or HTTP URL), which only kustomize can check. */
const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)|\?ref=/i;

/** Every local path a kustomization names, with the field it is in (`resources[2]`, `patches[0].path`). */
function referencedPaths(k: Record<string, unknown>): Array<{ field: string; value: string }> {
  const out: Array<{ field: string; value: string }> = [];
  const add = (field: string, value: unknown): void => {
    // A multi-line string is an inline patch, not a path.
    if (typeof value === 'string' && value !== '' && !value.includes('\n') && !REMOTE.test(value)) out.push({ field, value });
  };
  const list = (key: string): unknown[] => (Array.isArray(k[key]) ? (k[key] as unknown[]) : []);
  for (const key of ['resources', 'components', 'crds', 'configurations', 'generators', 'transformers', 'validators', 'patchesStrategicMerge'])
    list(key).forEach((v, i) => add(`${key}[${i}]`, v));
  for (const key of ['patches', 'patchesJson6902']) list(key).forEach((v, i) => add(`${key}[${i}].path`, (v as { path?: unknown } | null)?.path));
  for (const key of ['configMapGenerator', 'secretGenerator']) {
    list(key).forEach((g, i) => {
      const gen = (g ?? {}) as { files?: unknown; envs?: unknown };
      (Array.isArray(gen.files) ? gen.files : []).forEach((f: unknown, j) =>
        add(`${key}[${i}].files[${j}]`, typeof f === 'string' ? f.slice(f.indexOf('=') + 1) : f),
      );
      (Array.isArray(gen.envs) ? gen.envs : []).forEach((f: unknown, j) => add(`${key}[${i}].envs[${j}]`, f));
    });
  }
  return out;
}

/**
 * kustomization.yaml files against the files beside them, both ways: an entry naming a file or folder that is not
 * there (kustomize, Argo CD and Flux then cannot build the folder), and a manifest that the kustomization.yaml of
 * its folder (or of the nearest folder above it) does not reach, so that none of them ever applies it.
 */
function kustomizationProblems(
  dir: string,
  files: readonly string[],
  manifests: readonly string[],
  cwd: string,
  unreadable: readonly Unreadable[],
): string[] {
  const problems: string[] = [];
  // What is in a folder that cannot be listed is unknown, not missing: its own problem says so.
  const unknown = (p: string): boolean => unreadable.some((u) => u.path === '' || p === u.path || p.startsWith(`${u.path}/`));
  const shownOf = (p: string): string => relative(cwd, join(dir, p)) || p;
  const folderOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
  const kustomizations = new Map<string, string>(); // folder → its kustomization file
  const covered = new Set<string>();
  // Folders whose files a problem of their own already accounts for (a kustomization that cannot be read, a
  // listed folder without one): their files are not also reported one by one as not listed.
  const accounted = new Set<string>();
  for (const file of files.filter((f) => KUSTOMIZE_FILES.test(f))) {
    const folder = folderOf(file);
    kustomizations.set(folder, file);
    let text: string;
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch (e) {
      problems.push(
        `${shownOf(file)}: cannot be read (${describeFsError(e)}): validate reads every kustomization under ${relative(cwd, dir) || '.'}; make it readable`,
      );
      accounted.add(folder);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = parse(text, { version: '1.1' }) as unknown;
    } catch (e) {
      problems.push(`${shownOf(file)}: cannot parse YAML: ${(e as Error).message.split('\n')[0]}`);
      accounted.add(folder);
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      problems.push(`${shownOf(file)}: ${show(parsed)} is not a kustomization: kustomize reads a mapping with resources, patches and the like`);
      accounted.add(folder);
      continue;
    }
    const k = parsed as Record<string, unknown>;
    // What kustomize adds to every object (commonAnnotations, a configMapGenerator's literals) is committed too.
    for (const field of credentialPaths(k)) {
      problems.push(
        `${shownOf(file)}: ${field}: looks like a credential (a token, or a URL with a password or a token): it would be committed with ` +
          `${relative(cwd, dir) || '.'}/; keep it in a Secret and reference it (the value is not shown here)`,
      );
    }
    if (k.resources !== undefined && !(Array.isArray(k.resources) && k.resources.every((r) => typeof r === 'string'))) {
      problems.push(`${shownOf(file)}: resources: ${show(k.resources)} is not a list of paths: kustomize cannot build ${shownOf(folder) || '.'}/`);
      accounted.add(folder);
    }
    const seen = new Set<string>();
    for (const { field, value } of referencedPaths(k)) {
      const target = join(dir, folder, value);
      const inside = relative(dir, target);
      covered.add(inside);
      if (field.startsWith('resources[')) {
        if (seen.has(inside)) {
          problems.push(`${shownOf(file)}: ${field}: ${show(value)} is listed twice: kustomize refuses an object it already has; remove one entry`);
        }
        seen.add(inside);
      }
      if (!existsSync(target)) {
        if (!unknown(inside)) {
          problems.push(
            `${shownOf(file)}: ${field}: ${show(value)} does not exist: kustomize, Argo CD and Flux cannot build ${shownOf(folder)}/ ` +
              `without it; restore it (a synth writes it again) or remove the entry`,
          );
        }
        continue;
      }
      const isFolder = statSync(target).isDirectory();
      if (!isFolder && relative(join(dir, folder), target).startsWith('..')) {
        problems.push(
          `${shownOf(file)}: ${field}: ${show(value)} is a file outside ${shownOf(folder) || '.'}/: kustomize loads files only from its own folder ` +
            '(a base elsewhere is a folder with its own kustomization.yaml); move it in or list its folder',
        );
      }
      if (isFolder && !unknown(inside) && !files.some((f) => KUSTOMIZE_FILES.test(f) && folderOf(f) === inside)) {
        problems.push(
          `${shownOf(file)}: ${field}: ${show(value)} is a folder without a kustomization.yaml: kustomize, Argo CD and Flux cannot build ` +
            `${shownOf(folder) || '.'}/; restore it (a synth writes it again) or remove the entry`,
        );
        accounted.add(inside);
      }
    }
  }
  const isAccounted = (file: string): boolean => [...accounted].some((a) => a === '' || file === a || file.startsWith(`${a}/`));
  for (const file of manifests) {
    if (covered.has(file) || isAccounted(file)) continue;
    let folder = folderOf(file);
    while (!kustomizations.has(folder) && folder !== '') folder = folderOf(folder);
    const k = kustomizations.get(folder);
    if (k === undefined) continue; // a folder of manifests without kustomize: every file in it is applied
    problems.push(
      `${shownOf(file)}: not listed in ${shownOf(k)}: kustomize, Argo CD and Flux never apply it; ` +
        `add ${show(relative(join(dir, folder), join(dir, file)))} to its resources, or move the file out of ${shownOf(folder)}/`,
    );
  }
  return problems;
}
