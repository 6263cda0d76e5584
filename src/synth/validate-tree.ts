/**
 * `cdk8s-trading validate`: every object under a folder checked strictly against the Kubernetes 1.28 and
 * CRD schemas, the policy rules run on the objects of each namespace, and, in a project, the environment
 * files checked and rendered too (what the next synth would write must pass the same rules).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CORE_SCHEMA, load } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { TIER_DEFAULTS } from '../config/tiers';
import type { Environment } from '../config/environment';
import { ConfigurationError } from '../core/validation';
import { checkPolicies, unusedWaivers } from '../policy/policies';
import { ManifestView } from '../policy/manifest-view';
import { emitYaml, JsonValue } from './emit-yaml';
import { filesUnder } from './files';
import { Manifest } from './layout';
import { ENVIRONMENTS_DIR, readProject, renderEnvironment } from './project';
import { SchemaValidator } from './strict-schemas';

/** The result of a validation. */
export interface TreeValidation {
  /** One line per problem, each naming the file (or environment file) it is in. */
  readonly problems: readonly string[];
  /** Objects read. */
  readonly documents: number;
}

let shared: SchemaValidator | undefined;
/** One validator per process: the generated validators are loaded (or compiled) once. */
function strictValidator(): SchemaValidator {
  shared ??= new SchemaValidator();
  return shared;
}

/**
 * The documents of a manifest file as Kubernetes reads them (YAML 1.1). A file as this tool writes it is
 * read with js-yaml, several times faster than `yaml`, and taken when emitting what was read gives back the
 * file byte for byte: the emitter writes only what YAML 1.1 reads back unchanged (emit-yaml.ts, tested on
 * all of dist/ and adversarial strings), so the result is the same. Anything else (edited by hand, several
 * documents, comments, other quoting) is read by `yaml` in YAML 1.1 mode.
 */
function readDocuments(text: string): Array<{ value: unknown } | { errors: string[] }> {
  try {
    const value = load(text, { schema: CORE_SCHEMA });
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && emitYaml(value as JsonValue) === text) return [{ value }];
  } catch {
    // not in the emitter's form: the full reader below decides
  }
  return parseAllDocuments(text, { version: '1.1', uniqueKeys: true })
    .map((doc) => (doc.errors.length > 0 ? { errors: doc.errors.map((e) => e.message.split('\n')[0]) } : { value: doc.toJS() }));
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
  for (const path of filesUnder(dir).filter((f) => /\.ya?ml$/.test(f) && !KUSTOMIZE_FILES.test(f) && !f.split('/').some((s) => s.startsWith('.')))) {
    const shown = relative(cwd, join(dir, path)) || path;
    readDocuments(readFileSync(join(dir, path), 'utf8')).forEach((doc, i) => {
      if ('errors' in doc) {
        problems.push(...doc.errors.map((e) => `${shown}: document ${i + 1}: cannot parse YAML: ${e}`));
        return;
      }
      const m = doc.value as Manifest | null;
      if (!m) return;
      documents++;
      const id = `${m.kind}/${m.metadata?.name ?? `#${i + 1}`}`;
      for (const p of schemas.validate(m)) problems.push(`${shown}: ${id}: ${p.field ? `${p.field}: ` : ''}${p.message}`);
      const namespace = m.metadata?.namespace ?? '';
      const key = `${m.apiVersion}/${m.kind}/${namespace}/${m.metadata?.name}`;
      const first = seen.get(key);
      if (first) problems.push(`${shown}: ${id}: duplicate object, also in ${first}`);
      seen.set(key, shown);
      const entries = byNamespace.get(namespace);
      if (entries) entries.push({ manifest: m, file: shown });
      else byNamespace.set(namespace, [{ manifest: m, file: shown }]);
    });
  }

  let environments: readonly Environment[] = [];
  const inProject = root !== undefined && existsSync(join(root, ENVIRONMENTS_DIR));
  if (inProject) {
    const project = readProject(root);
    environments = project.environments;
    problems.push(...project.problems);
  }
  // Selectors, NetworkPolicies and PDBs act within a namespace, so the rules judge one namespace at a time.
  for (const [namespace, entries] of byNamespace) {
    const environment = environments.find((e) => e.config.namespace === namespace);
    const waivers = environment?.config.waivers ?? [];
    const findings = checkPolicies(entries.map((e) => e.manifest) as unknown as ManifestView[], {
      allowLatestTag: environment ? TIER_DEFAULTS[environment.config.tier].allowLatestTag : false,
      waivers,
    });
    const fileOf = new Map(entries.map((e) => [`${e.manifest.kind}/${e.manifest.metadata?.name}`, e.file]));
    for (const f of findings.filter((x) => !x.waiver)) problems.push(`${fileOf.get(f.object) ?? relative(cwd, dir)}: policy ${f.rule}: ${f.object}: ${f.message}`);
    if (environment) {
      for (const w of unusedWaivers(findings, waivers)) problems.push(`${environment.file}: waivers: ${w.rule} for ${w.object} accepts nothing in ${relative(cwd, dir) || '.'}; remove it`);
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
  return { problems, documents };
}
