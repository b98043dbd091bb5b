import { PROBLEM_TYPES, type ProblemCode, problemType } from './problem-details.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const inlineCode = (text: string) =>
  escapeHtml(text).replace(/`([^`]+)`/g, (_match, code: string) => `<code>${code}</code>`);

/** A short, linked description of a JSON schema's type. */
function typeOf(schema: Json | undefined): string {
  if (!isObject(schema)) return 'any';
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop() ?? '';
    return `<a href="#schema-${escapeHtml(name)}">${escapeHtml(name)}</a>`;
  }
  if (Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf)) {
    const options = (schema.oneOf ?? schema.anyOf) as Json[];
    return options.map(typeOf).join(' | ');
  }
  if (Array.isArray(schema.enum))
    return schema.enum
      .map((value) => `<code>${escapeHtml(JSON.stringify(value))}</code>`)
      .join(' | ');
  if (schema.const !== undefined) return `<code>${escapeHtml(JSON.stringify(schema.const))}</code>`;
  const types = Array.isArray(schema.type)
    ? schema.type.map(String)
    : [String(schema.type ?? 'any')];
  return types
    .map((type) => {
      if (type === 'array') return `${typeOf(schema.items)}[]`;
      if (type === 'string' && typeof schema.format === 'string')
        return `string (${escapeHtml(schema.format)})`;
      return escapeHtml(type);
    })
    .join(' | ');
}

function limitsOf(schema: JsonObject): string {
  const parts: string[] = [];
  if (schema.minimum !== undefined && schema.maximum !== undefined)
    parts.push(`${schema.minimum}…${schema.maximum}`);
  else if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  else if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined || schema.maxLength !== undefined)
    parts.push(`length ${schema.minLength ?? 0}…${schema.maxLength ?? '∞'}`);
  if (schema.minItems !== undefined || schema.maxItems !== undefined)
    parts.push(`${schema.minItems ?? 0}…${schema.maxItems ?? '∞'} items`);
  return parts.join(', ');
}

/** Property rows of an object schema, nested objects flattened with dotted names. */
function propertyRows(schema: Json | undefined, prefix = ''): string {
  if (!isObject(schema)) return '';
  if (Array.isArray(schema.oneOf)) {
    return schema.oneOf
      .map(
        (option, index) =>
          `<tr><td colspan="4"><em>variant ${index + 1}</em></td></tr>${propertyRows(option, prefix)}`,
      )
      .join('');
  }
  if (!isObject(schema.properties)) return '';
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  return Object.entries(schema.properties)
    .map(([name, property]) => {
      const item = isObject(property) ? property : {};
      const nested =
        isObject(item.items) && isObject(item.items.properties)
          ? item.items
          : isObject(item.properties)
            ? item
            : undefined;
      const row = `<tr><td><code>${escapeHtml(prefix + name)}</code></td><td>${typeOf(property)}</td><td>${required.has(name) ? 'yes' : ''}</td><td>${inlineCode(String(item.description ?? ''))}${limitsOf(item) ? ` <span class="limits">${escapeHtml(limitsOf(item))}</span>` : ''}</td></tr>`;
      const suffix = item.type === 'array' ? '[].' : '.';
      return nested ? row + propertyRows(nested, `${prefix}${name}${suffix}`) : row;
    })
    .join('');
}

function table(rows: string): string {
  return rows
    ? `<table><thead><tr><th>field</th><th>type</th><th>required</th><th>notes</th></tr></thead><tbody>${rows}</tbody></table>`
    : '';
}

function operationHtml(method: string, path: string, operation: JsonObject): string {
  const id = String(operation.operationId ?? `${method}-${path}`);
  const parameters = Array.isArray(operation.parameters)
    ? operation.parameters.filter(isObject)
    : [];
  const parameterRows = parameters
    .map(
      (parameter) =>
        `<tr><td><code>${escapeHtml(String(parameter.name))}</code> <span class="in">${escapeHtml(String(parameter.in))}</span></td><td>${typeOf(parameter.schema)}</td><td>${parameter.required ? 'yes' : ''}</td><td>${inlineCode(String(parameter.description ?? (isObject(parameter.schema) ? (parameter.schema.description ?? '') : '')))}${isObject(parameter.schema) && limitsOf(parameter.schema) ? ` <span class="limits">${escapeHtml(limitsOf(parameter.schema))}</span>` : ''}</td></tr>`,
    )
    .join('');
  const body =
    isObject(operation.requestBody) && isObject(operation.requestBody.content)
      ? operation.requestBody.content['application/json']
      : undefined;
  const bodySchema = isObject(body) ? body.schema : undefined;
  const responses = isObject(operation.responses) ? operation.responses : {};
  const responseRows = Object.entries(responses)
    .map(([status, response]) => {
      const content = isObject(response) && isObject(response.content) ? response.content : {};
      const [mediaType, media] = Object.entries(content)[0] ?? ['', null];
      return `<tr><td><code>${escapeHtml(status)}</code></td><td>${isObject(response) ? inlineCode(String(response.description ?? '')) : ''}</td><td>${isObject(media) ? typeOf(media.schema) : ''} <span class="in">${escapeHtml(mediaType)}</span></td></tr>`;
    })
    .join('');
  const roles = Array.isArray(operation['x-roles']) ? operation['x-roles'].map(String) : [];
  return `<section class="operation" id="op-${escapeHtml(id)}">
<h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
<p>${inlineCode(String(operation.summary ?? ''))}</p>
${roles.length > 0 ? `<p class="roles">Roles: ${roles.map((role) => `<code>${escapeHtml(role)}</code>`).join(', ')}</p>` : '<p class="roles">No API key needed.</p>'}
${isObject(operation.description) || typeof operation.description !== 'string' ? '' : `<p>${inlineCode(operation.description.split('\n\n')[0] ?? '')}</p>`}
${parameterRows ? `<h4>Parameters</h4><table><thead><tr><th>name</th><th>type</th><th>required</th><th>notes</th></tr></thead><tbody>${parameterRows}</tbody></table>` : ''}
${bodySchema ? `<h4>Body</h4><p>${typeOf(bodySchema)}</p>${table(propertyRows(bodySchema))}` : ''}
<h4>Responses</h4><table><thead><tr><th>status</th><th>meaning</th><th>body</th></tr></thead><tbody>${responseRows}</tbody></table>
</section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafbfc}
main{max-width:1040px;margin:0 auto;padding:24px 32px}nav{columns:3;font-size:14px}
h1{margin-bottom:0}h2{border-bottom:1px solid #d8dde6;padding-bottom:4px;margin-top:40px}
.operation{background:#fff;border:1px solid #e2e6ee;border-radius:8px;padding:4px 18px 12px;margin:16px 0}
.method{display:inline-block;min-width:56px;text-align:center;border-radius:4px;color:#fff;font-size:13px;padding:2px 6px}
.get{background:#2f6fdf}.post{background:#1f9d55}.put{background:#b7791f}.patch{background:#805ad5}
table{border-collapse:collapse;width:100%;font-size:14px;margin:6px 0}td,th{border-bottom:1px solid #eef0f4;text-align:left;padding:4px 8px;vertical-align:top}
code{font-family:ui-monospace,monospace;font-size:13px;background:#f1f3f7;padding:0 3px;border-radius:3px}
.in,.limits{color:#6b7385;font-size:12px}.roles{color:#444}a{color:#2f6fdf}`;

/** Renders the OpenAPI document as one self-contained HTML page (no scripts, no CDN). */
export function renderDocsPage(document: object): string {
  const doc = document as JsonObject;
  const info = isObject(doc.info) ? doc.info : {};
  const paths = isObject(doc.paths) ? doc.paths : {};
  const byTag = new Map<string, string[]>();
  const index = new Map<string, string[]>();
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!isObject(operation)) continue;
      const tag = Array.isArray(operation.tags) ? String(operation.tags[0]) : 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, operation)]);
      index.set(tag, [
        ...(index.get(tag) ?? []),
        `<a href="#op-${escapeHtml(String(operation.operationId))}">${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</a>`,
      ]);
    }
  }
  const schemas =
    isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  const schemaHtml = Object.entries(schemas)
    .map(
      ([name, schema]) =>
        `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${isObject(schema) && schema.description ? `<p>${inlineCode(String(schema.description))}</p>` : ''}${table(propertyRows(schema)) || `<p>${typeOf(schema)}</p>`}</section>`,
    )
    .join('');
  const problems = (
    Object.entries(PROBLEM_TYPES) as [ProblemCode, { status: number; title: string }][]
  )
    .map(
      ([code, entry]) =>
        `<tr id="${escapeHtml(problemType(code).split('#')[1] ?? code)}"><td><code>${code}</code></td><td>${entry.status}</td><td>${escapeHtml(entry.title)}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(String(info.title ?? 'API'))}</title><style>${STYLE}</style></head><body><main>
<h1>${escapeHtml(String(info.title ?? 'API'))} <small>${escapeHtml(String(info.version ?? ''))}</small></h1>
<p>${inlineCode(String(info.description ?? ''))}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Authenticate with <code>Authorization: Bearer &lt;api key&gt;</code>.</p>
<nav>${[...index.entries()].map(([tag, links]) => `<p><strong>${escapeHtml(tag)}</strong><br>${links.join('<br>')}</p>`).join('')}</nav>
${[...byTag.entries()].map(([tag, operations]) => `<h2>${escapeHtml(tag)}</h2>${operations.join('')}`).join('')}
<h2 id="problems">Problem codes</h2><p>Every error is <code>application/problem+json</code>: <code>{ type, title, status, detail, code, errors?, shortfalls?, failed? }</code>.</p>
<table><thead><tr><th>code</th><th>status</th><th>meaning</th></tr></thead><tbody>${problems}</tbody></table>
<h2>Schemas</h2>${schemaHtml}
</main></body></html>`;
}
