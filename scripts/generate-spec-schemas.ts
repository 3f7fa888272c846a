// Generates Keel's TypeBox schemas from Synctera's OpenAPI spec, so that request validation and
// static types come from the contract itself rather than from a hand-made copy that can drift.
//
//   npm run generate:spec [-- path/to/synctera-openapi.yaml]
//
// Inputs: the spec (default ../shared/reference/synctera-openapi-v0.153.yaml) and
// src/spec/operations.json (the operationIds Keel implements). Outputs, both committed:
//   src/spec/schemas.ts       TypeBox consts for every component those operations reach
//   src/spec/openapi.json     the spec trimmed to those operations, served at /v0/openapi.json
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

type Json = any

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const specPath = process.argv[2] ?? join(root, '..', 'shared', 'reference', 'synctera-openapi-v0.153.yaml')
const spec: Json = parse(readFileSync(specPath, 'utf8'))
const wanted: string[] = JSON.parse(readFileSync(join(root, 'src/spec/operations.json'), 'utf8'))
const methods = ['get', 'post', 'put', 'patch', 'delete'] as const

// --- select operations and the components they reach -------------------------------------
const refName = (ref: string) => ref.replace('#/components/schemas/', '')
const paramName = (ref: string) => ref.replace('#/components/parameters/', '')
const reached = new Set<string>()
const reachedParams = new Set<string>()
function walk(node: Json): void {
  if (Array.isArray(node)) return node.forEach(walk)
  if (node === null || typeof node !== 'object') return
  if (typeof node.$ref === 'string') {
    if (node.$ref.startsWith('#/components/schemas/')) {
      const name = refName(node.$ref)
      if (!reached.has(name)) { reached.add(name); walk(spec.components.schemas[name]) }
    } else if (node.$ref.startsWith('#/components/parameters/')) {
      const name = paramName(node.$ref)
      if (!reachedParams.has(name)) { reachedParams.add(name); walk(spec.components.parameters[name]) }
    }
    return
  }
  Object.values(node).forEach(walk)
}
const trimmedPaths: Json = {}
const found = new Set<string>()
for (const [path, item] of Object.entries<Json>(spec.paths)) {
  for (const method of methods) {
    const op = item[method]
    if (!op || !wanted.includes(op.operationId)) continue
    found.add(op.operationId)
    trimmedPaths[path] ??= item.parameters ? { parameters: item.parameters } : {}
    trimmedPaths[path][method] = op
    walk(op)
    walk(item.parameters ?? [])
  }
}
const missing = wanted.filter((id) => !found.has(id))
if (missing.length) throw new Error(`operations not in the spec: ${missing.join(', ')}`)
walk({ $ref: '#/components/schemas/error' })

// --- order components so each const is declared after what it references -----------------
const order: string[] = []
const state = new Map<string, 'visiting' | 'done'>()
const cyclic = new Set<string>()
function deps(node: Json, out: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => deps(n, out))
  else if (node && typeof node === 'object') {
    if (typeof node.$ref === 'string' && node.$ref.startsWith('#/components/schemas/')) out.add(refName(node.$ref))
    else Object.values(node).forEach((n) => deps(n, out))
  }
  return out
}
function visit(name: string): void {
  if (state.get(name) === 'done') return
  if (state.get(name) === 'visiting') { cyclic.add(name); return }
  state.set(name, 'visiting')
  for (const d of deps(spec.components.schemas[name], new Set())) visit(d)
  state.set(name, 'done')
  order.push(name)
}
;[...reached].sort().forEach(visit)

// --- emit TypeBox --------------------------------------------------------------------------
const reserved = new Set(['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else',
  'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return',
  'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'let', 'static', 'yield', 'await', 'Type'])
const ident = (name: string) => {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1')
  return reserved.has(id) ? `${id}_schema` : id
}
const keep = ['format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems',
  'uniqueItems', 'readOnly', 'writeOnly', 'default', 'multipleOf', 'minProperties', 'maxProperties'] as const

function options(s: Json, extra: Json = {}): string {
  const o: Json = { ...extra }
  for (const k of keep) if (s[k] !== undefined) o[k] = s[k]
  // OpenAPI 3.0's boolean exclusiveMinimum/exclusiveMaximum become JSON Schema's numeric form.
  if (s.exclusiveMinimum === true && s.minimum !== undefined) { o.exclusiveMinimum = s.minimum; delete o.minimum }
  if (s.exclusiveMaximum === true && s.maximum !== undefined) { o.exclusiveMaximum = s.maximum; delete o.maximum }
  if (typeof s.exclusiveMinimum === 'number') o.exclusiveMinimum = s.exclusiveMinimum
  if (typeof s.exclusiveMaximum === 'number') o.exclusiveMaximum = s.exclusiveMaximum
  return Object.keys(o).length ? ', ' + JSON.stringify(o) : ''
}

function emit(s: Json, current: string): string {
  const out = emitInner(s, current)
  return s.nullable ? `Type.Union([${out}, Type.Null()])` : out
}

function emitInner(s: Json, current: string): string {
  if (s === undefined || s === null || s === true || (typeof s === 'object' && Object.keys(s).length === 0)) return 'Type.Unknown()'
  if (s.$ref) {
    const name = refName(s.$ref)
    // A back-edge of a recursive schema: validated loosely rather than not at all.
    if (name === current || (cyclic.has(name) && order.indexOf(name) >= order.indexOf(current))) return 'Type.Unknown()'
    return ident(name)
  }
  if (s.allOf) {
    const parts = s.allOf.map((p: Json) => emit(p, current))
    if (s.properties || s.required) parts.push(emitObject({ ...s, allOf: undefined }, current))
    return parts.length === 1 ? parts[0] : `Type.Intersect([${parts.join(', ')}])`
  }
  const union = s.oneOf ?? s.anyOf
  // The spec's oneOf branches overlap (see the reference README); they are validated as anyOf.
  if (union) {
    const base = s.properties ? emitObject({ ...s, oneOf: undefined, anyOf: undefined }, current) : null
    const u = `Type.Union([${union.map((p: Json) => emit(p, current)).join(', ')}])`
    return base ? `Type.Intersect([${base}, ${u}])` : u
  }
  if (s.enum) {
    const values = s.enum.filter((v: Json) => v !== null)
    return values.length === 1 ? `Type.Literal(${JSON.stringify(values[0])}${options(s)})`
      : `Type.Union([${values.map((v: Json) => `Type.Literal(${JSON.stringify(v)})`).join(', ')}]${options(s)})`
  }
  switch (s.type) {
    case 'string': return `Type.String(${options(s).slice(2)})`
    case 'integer': return `Type.Integer(${options(s).slice(2)})`
    case 'number': return `Type.Number(${options(s).slice(2)})`
    case 'boolean': return `Type.Boolean(${options(s).slice(2)})`
    case 'array': return `Type.Array(${emit(s.items ?? {}, current)}${options(s)})`
    case 'object': case undefined: return emitObject(s, current)
    default: throw new Error(`unhandled type ${s.type}`)
  }
}

function emitObject(s: Json, current: string): string {
  const required = new Set<string>(s.required ?? [])
  const props = Object.entries<Json>(s.properties ?? {})
  const extra: Json = {}
  if (s.additionalProperties === false) extra.additionalProperties = false
  const body = props.map(([k, v]) => {
    const t = emit(v, current)
    return `${JSON.stringify(k)}: ${required.has(k) ? t : `Type.Optional(${t})`}`
  })
  // Required names with no property of their own here (allOf siblings) still must be present.
  const bare = [...required].filter((k) => !(s.properties ?? {})[k])
  // Typed {} so that, intersected with the optional sibling, the static type loses `undefined`.
  for (const k of bare) body.push(`${JSON.stringify(k)}: Type.Unsafe<{}>({})`)
  let obj = `Type.Object({ ${body.join(', ')} }${options(s, extra)})`
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    obj = props.length ? obj : `Type.Record(Type.String(), ${emit(s.additionalProperties, current)})`
  }
  return obj
}

const lines = [
  '// Generated by scripts/generate-spec-schemas.ts from Synctera\'s OpenAPI spec v' + spec.info.version + '. Do not edit.',
  '/* eslint-disable */',
  "import Type from 'typebox'",
  '',
]
for (const name of order) lines.push(`export const ${ident(name)} = ${emit(spec.components.schemas[name], name)}`)

// Per operation: its method and path, and schemas for its path parameters, query and body.
const resolveParam = (p: Json): Json => (p.$ref ? spec.components.parameters[paramName(p.$ref)] : p)
const table: string[] = []
lines.push('', '// --- operations ---')
for (const [path, item] of Object.entries<Json>(trimmedPaths)) {
  for (const method of methods) {
    const op = item[method]
    if (!op) continue
    const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(resolveParam)
    const group = (where: string) => params.filter((p: Json) => p.in === where)
    const objectOf = (ps: Json[]) => `Type.Object({ ${ps.map((p: Json) => {
      const t = emit(p.schema ?? {}, '')
      return `${JSON.stringify(p.name)}: ${p.required ? t : `Type.Optional(${t})`}`
    }).join(', ')} })`
    const id = op.operationId
    lines.push(`export const ${id}Params = ${objectOf(group('path'))}`)
    lines.push(`export const ${id}Query = ${objectOf(group('query'))}`)
    const body = op.requestBody?.content?.['application/json']?.schema
    lines.push(`export const ${id}Body = ${body ? emit(body, '') : 'undefined'}`)
    // Lists a query sends as one comma-separated value (or the name repeated), their schema inline or named.
    const schemaOf = (s: Json | undefined): Json | undefined => (s?.$ref ? spec.components.schemas[refName(s.$ref)] : s)
    const arrays = group('query').filter((p: Json) => schemaOf(p.schema)?.type === 'array').map((p: Json) => p.name)
    const success = Object.keys(op.responses).find((c) => c.startsWith('2')) ?? '200'
    table.push(`  ${id}: { method: '${method.toUpperCase()}', path: '${path.replace(/\{([^}]+)\}/g, ':$1')}', status: ${success}, params: ${id}Params, query: ${id}Query, body: ${id}Body, commaListQuery: ${JSON.stringify(arrays)} },`)
  }
}
lines.push('', 'export const operations = {', ...table, '} as const', 'export type OperationId = keyof typeof operations')
lines.push('')
writeFileSync(join(root, 'src/spec/schemas.ts'), lines.join('\n'))

// --- the trimmed document --------------------------------------------------------------------
const components: Json = { schemas: {}, parameters: {}, securitySchemes: spec.components.securitySchemes }
for (const name of [...reached].sort()) components.schemas[name] = spec.components.schemas[name]
for (const name of [...reachedParams].sort()) components.parameters[name] = spec.components.parameters[name]
const doc = {
  openapi: spec.openapi,
  info: { ...spec.info, title: 'Keel (Synctera v0 compatible)', description: 'The Synctera v0 operations Keel implements.' },
  servers: [{ url: '/v0' }],
  security: spec.security,
  tags: (spec.tags ?? []).filter((t: Json) => Object.values<Json>(trimmedPaths).some((item) => methods.some((m) => item[m]?.tags?.includes(t.name)))),
  paths: trimmedPaths,
  components,
}
writeFileSync(join(root, 'src/spec/openapi.json'), JSON.stringify(doc))
console.log(`${found.size} operations, ${order.length} schemas (${cyclic.size} recursive), ${Object.keys(components.parameters).length} parameters`)

// --- the error catalogue ---------------------------------------------------------------------
const catalogue: Json = parse(readFileSync(join(dirname(specPath), 'synctera-errorcodes-v0.yml'), 'utf8'))
const titleCase = (s: string) => s.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ')
const codes = catalogue.error_codes.map((e: Json) => {
  const type = e.error_type ?? e.code.toLowerCase().replace(/_/g, '-')
  // The extension members a body with this code may carry beside the spec's own (type, title,
  // status, detail, code): the catalogue's extra_fields, by name.
  return { code: e.code, status: e.status, type, title: e.title ?? titleCase(type), extraFields: Object.keys(e.extra_fields ?? {}) }
})
writeFileSync(join(root, 'src/spec/error-codes.ts'), [
  "// Generated by scripts/generate-spec-schemas.ts from Synctera's synctera-errorcodes-v0.yml. Do not edit.",
  'export const syncteraErrorCodes = ' + JSON.stringify(codes, null, 2) + ' as const',
  '',
].join('\n'))
console.log(`${codes.length} error codes`)
