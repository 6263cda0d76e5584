'use strict';
// JSON Schema to TypeScript, for both generators: crd-types.cjs (the CRD models, from the strict schemas)
// and config-types.cjs (the configuration files, from their schemas). The subset they use: type (with
// `null`, which is left out as the models do), properties, required, additionalProperties, items, enum, const,
// anyOf/oneOf, $ref to `#/definitions/<name>`, if/then/else whose branches are whole schemas (the type is the
// union of the branches), and Kubernetes' int-or-string and preserve-unknown-fields markers.

const WIDTH = 120;

const key = (k) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k));

/** A string literal in the codebase's quotes. */
const literal = (v) => (typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(v));

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

/**
 * The converter: `typeOf(schema, indent)` and `objectType(schema, indent)`. `refName` names the type of a
 * `#/definitions/<name>` reference; `docs` writes each property's description as JSDoc.
 */
function schemaTypes({ refName, docs = false } = {}) {
  function typeOf(s, indent) {
    if (s.$ref) {
      const m = /^#\/definitions\/(.+)$/.exec(s.$ref);
      if (!m || !refName) throw new Error(`unsupported $ref ${s.$ref}`);
      return refName(m[1]);
    }
    if (s.then || s.else)
      return [s.then, s.else]
        .filter(Boolean)
        .map((x) => typeOf(x, indent))
        .join(' | ');
    if (s['x-kubernetes-int-or-string']) return 'number | string';
    if ('const' in s) return literal(s.const);
    if (Array.isArray(s.enum)) {
      const values = s.enum.filter((v) => v !== null);
      if (values.length > 0) {
        const one = values.map(literal).join(' | ');
        return indent.length + one.length + 40 <= WIDTH ? one : values.map((v) => `\n${indent}  | ${literal(v)}`).join('');
      }
    }
    for (const k of ['anyOf', 'oneOf']) {
      if (Array.isArray(s[k]) && !s.type && !s.properties) return [...new Set(s[k].map((x) => typeOf(x, indent)))].join(' | ');
    }
    const types = (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []).filter((t) => t !== 'null');
    if (types.length === 0) return s.properties ? objectType(s, indent) : 'unknown';
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
            return `Array<${s.items ? typeOf(s.items, indent) : 'unknown'}>`;
          case 'object':
            return objectType(s, indent);
          default:
            throw new Error(`unexpected schema type ${t}`);
        }
      })
      .join(' | ');
  }

  /** Its properties (optional unless required) and what else it admits: a record of `additionalProperties`, or anything. */
  function objectType(s, indent) {
    const props = Object.entries(s.properties ?? {});
    const extra = s.additionalProperties;
    const open = extra !== false && (s['x-kubernetes-preserve-unknown-fields'] || props.length === 0);
    if (props.length === 0)
      return extra && typeof extra === 'object'
        ? `Record<string, ${typeOf(extra, indent)}>`
        : open
          ? 'Record<string, unknown>'
          : 'Record<string, never>';
    const required = new Set(s.required ?? []);
    const inner = `${indent}  `;
    const lines = props.map(([k, v]) => {
      const type = typeOf(v, inner);
      const comment = docs ? doc(v.description, inner) : '';
      return `${comment}${inner}${key(k)}${required.has(k) ? '' : '?'}:${type.startsWith('\n') ? '' : ' '}${type};\n`;
    });
    if (extra && typeof extra === 'object') lines.push(`${inner}[key: string]: ${typeOf(extra, inner)};\n`);
    else if (open) lines.push(`${inner}[key: string]: unknown;\n`);
    return `{\n${lines.join('')}${indent}}`;
  }

  return { typeOf, objectType };
}

module.exports = { doc, schemaTypes };
