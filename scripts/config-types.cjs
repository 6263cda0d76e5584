'use strict';
// The TypeScript types of the configuration files, generated from their JSON Schemas: the schema is the
// one definition of each file's format (what `validate` checks, what editors complete), and the types the
// adapters read are derived from it, so the two cannot drift. `node scripts/config-types.cjs` rewrites the
// generated files; the fast tests regenerate them in memory and fail when a committed one differs.
//
// A schema's root becomes the file's type; each entry of `definitions` becomes `<Name>Config`; descriptions
// become JSDoc (the conversion itself is scripts/schema-types.cjs, shared with crd-types.cjs).
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { doc, schemaTypes } = require('./schema-types.cjs');

const root = join(__dirname, '..');

/** The generated files: schema → TypeScript, the name of the root type, and the file's own comment. */
const FILES = [
  {
    schema: 'src/config/environment.schema.json',
    out: 'src/config/types.ts',
    rootName: 'EnvironmentConfig',
    about: 'The shapes of the environment files (`environments/<env>.yaml`).',
  },
  {
    schema: 'src/config/gitops.schema.json',
    out: 'src/config/gitops-types.ts',
    rootName: 'GitOpsConfig',
    about: 'The shape of `environments/gitops.yaml`.',
  },
];

const pascal = (name) => name.charAt(0).toUpperCase() + name.slice(1);
const typeName = (definition) => `${pascal(definition)}Config`;
const { typeOf } = schemaTypes({ refName: typeName, docs: true });

/** A named declaration: an interface for an object with properties, a type alias for anything else. */
function declaration(name, s) {
  const body = typeOf(s, '');
  const head = doc(s.description ?? s.title, '');
  const union = s.then || s.else;
  return s.type === 'object' && s.properties && !union ? `${head}export interface ${name} ${body}\n` : `${head}export type ${name} = ${body};\n`;
}

/** The generated module of one schema. */
function generate(schema, rootName, about) {
  const parts = [
    doc(`${about} Generated from the JSON Schema by scripts/config-types.cjs: edit the schema and run it.`, ''),
    declaration(rootName, schema),
    ...Object.entries(schema.definitions ?? {}).map(([name, s]) => declaration(typeName(name), s)),
  ];
  return parts.join('\n');
}

/** Every generated file: its path and the text it should have. */
function generatedFiles() {
  return FILES.map((f) => ({
    out: f.out,
    text: generate(JSON.parse(readFileSync(join(root, f.schema), 'utf8')), f.rootName, f.about),
  }));
}

module.exports = { generatedFiles };

if (require.main === module) {
  for (const f of generatedFiles()) writeFileSync(join(root, f.out), f.text);
}
