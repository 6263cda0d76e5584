'use strict';
// The TypeScript types of the configuration files, generated from their JSON Schemas: the schema is the
// one definition of each file's format (what `validate` checks, what editors complete), and the types the
// adapters read are derived from it, so the two cannot drift. `node scripts/config-types.cjs` rewrites the
// generated files; the fast tests regenerate them in memory and fail when a committed one differs.
//
// A schema's root becomes the file's type; each entry of `definitions` becomes `<Name>Config`. The subset of
// JSON Schema the configuration schemas use: type, properties, required, additionalProperties, items, enum,
// const, oneOf, $ref, and if/then/else whose branches are whole schemas (a discriminated union: the type is
// the union of the branches); descriptions become JSDoc.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

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
const key = (k) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k));

const WIDTH = 120;

/** A JSDoc block at `indent`, its words wrapped within WIDTH columns; or nothing. */
function doc(description, indent) {
  if (!description) return '';
  const text = description.replace(/\*\//g, '*\\/');
  if (indent.length + text.length + 7 <= WIDTH) return `${indent}/** ${text} */\n`;
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent.length + 3 + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}\n`).join('')}${indent} */\n`;
}

/** A string literal in the codebase's quotes. */
const literal = (v) => (typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(v));

/** The TypeScript type of schema `s`, its nested lines indented by `indent`. */
function typeOf(s, indent) {
  if (s.$ref) {
    const m = /^#\/definitions\/(.+)$/.exec(s.$ref);
    if (!m) throw new Error(`unsupported $ref ${s.$ref}`);
    return typeName(m[1]);
  }
  // A conditional schema whose branches are complete: the value is one of them.
  if (s.then || s.else)
    return [s.then, s.else]
      .filter(Boolean)
      .map((x) => typeOf(x, indent))
      .join(' | ');
  if ('const' in s) return literal(s.const);
  if (Array.isArray(s.enum)) {
    const one = s.enum.map(literal).join(' | ');
    return indent.length + one.length + 40 <= WIDTH ? one : s.enum.map((v) => `\n${indent}  | ${literal(v)}`).join('');
  }
  if (Array.isArray(s.oneOf)) return s.oneOf.map((x) => typeOf(x, indent)).join(' | ');
  const types = Array.isArray(s.type) ? s.type : [s.type];
  return types
    .map((t) => {
      switch (t) {
        case 'string':
          return 'string';
        case 'integer':
        case 'number':
          return 'number';
        case 'boolean':
          return 'boolean';
        case 'array':
          return `Array<${typeOf(s.items ?? {}, indent)}>`;
        case 'object':
          return objectType(s, indent);
        case undefined:
          return 'unknown';
        default:
          throw new Error(`unsupported type ${t}`);
      }
    })
    .join(' | ');
}

/** An object type: its properties (optional unless required), or a record of `additionalProperties`. */
function objectType(s, indent) {
  const props = Object.entries(s.properties ?? {});
  const extra = s.additionalProperties;
  if (props.length === 0) {
    return extra && typeof extra === 'object' ? `Record<string, ${typeOf(extra, indent)}>` : 'Record<string, never>';
  }
  const required = new Set(s.required ?? []);
  const inner = `${indent}  `;
  const lines = props.map(([k, v]) => {
    const type = typeOf(v, inner);
    return `${doc(v.description, inner)}${inner}${key(k)}${required.has(k) ? '' : '?'}:${type.startsWith('\n') ? '' : ' '}${type};\n`;
  });
  return `{\n${lines.join('')}${indent}}`;
}

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
