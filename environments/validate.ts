/**
 * `npm run validate [-- DIR]`: strict schema validation of every object under DIR (default dist/)
 * against the vendored Kubernetes 1.28 and CRD schemas, plus the policy rules (with the environments'
 * waivers) on every environment folder and on what the environment files would synthesize now.
 * Offline. Exits 1 on any problem.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigurationError } from '../src';
import { filesUnder } from './app/compare';
import { SCHEMA_DIR, SchemaValidator } from './app/schemas';
import { loadEnvironments, policyProblems, renderEnvironment } from './app/synth';
import { Manifest } from './app/write';

/** Validates a tree; returns the problem lines and the number of documents. */
export function validateTree(root: string, dir: string): { problems: string[]; documents: number } {
  const schemas = new SchemaValidator(join(root, SCHEMA_DIR));
  const problems: string[] = [];
  let documents = 0;
  const byFolder = new Map<string, Manifest[]>();
  const seen = new Map<string, string>();
  for (const file of filesUnder(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f))) {
    const shown = relative(root, file);
    const folder = relative(dir, file).split('/')[0];
    parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1', uniqueKeys: true }).forEach((doc, i) => {
      if (doc.errors.length > 0) {
        problems.push(...doc.errors.map((e) => `${shown}: document ${i + 1}: cannot parse YAML: ${e.message.split('\n')[0]}`));
        return;
      }
      const m = doc.toJS() as Manifest | null;
      if (!m) return;
      documents++;
      const id = `${m.kind}/${m.metadata?.name ?? `#${i + 1}`}`;
      for (const p of schemas.validate(m)) problems.push(`${shown}: ${id}: ${p.field ? `${p.field}: ` : ''}${p.message}`);
      const key = `${folder}/${m.apiVersion}/${m.kind}/${m.metadata?.namespace ?? ''}/${m.metadata?.name}`;
      const first = seen.get(key);
      if (first) problems.push(`${shown}: ${id}: duplicate object, also in ${first}`);
      seen.set(key, shown);
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), m]);
    });
  }
  let environments: ReturnType<typeof loadEnvironments> = [];
  try {
    environments = loadEnvironments(root);
  } catch (e) {
    if (!(e instanceof ConfigurationError)) throw e;
    problems.push(...e.problems);
  }
  for (const env of environments) {
    const manifests = byFolder.get(env.name);
    if (manifests) problems.push(...policyProblems(env, manifests).map((p) => p.replace(env.file, relative(root, join(dir, env.name)))));
    // The configuration too: what the next synth would write must pass the same rules.
    try {
      renderEnvironment(env);
    } catch (e) {
      if (!(e instanceof ConfigurationError)) throw e;
      problems.push(...e.problems);
    }
  }
  return { problems, documents };
}

function main(): number {
  const root = process.cwd();
  const dir = resolve(process.argv[2] ?? 'dist');
  if (!existsSync(dir)) {
    console.error(`${relative(root, dir) || dir}: no such folder; run npm run synth first`);
    return 2;
  }
  const { problems, documents } = validateTree(root, dir);
  for (const p of problems) console.error(p);
  console.log(`validated ${documents} documents under ${relative(root, dir) || '.'}: ${problems.length} problem(s)`);
  return problems.length > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main();
