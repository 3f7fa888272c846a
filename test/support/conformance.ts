// Validates API responses against Synctera's OpenAPI spec: the operation is found by method and
// path, the status must be one the operation declares (or a cross-cutting platform status), and
// the body must match that response's schema. Uses the full spec from ../shared/reference when it
// is beside the checkout, else the trimmed copy Keel ships (derived from the same spec).
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { keelExtensions } from '../../src/sandbox/openapi.js'

type Json = any
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
const root = join(import.meta.dirname, '..', '..')
const fullSpec = join(root, '..', 'shared', 'reference', 'synctera-openapi-v0.153.yaml')

/** The spec, and Keel's own extensions (src/sandbox/openapi.ts) beside its paths. */
function loadSpec(): Json {
  const spec = existsSync(fullSpec) ? parse(readFileSync(fullSpec, 'utf8')) : JSON.parse(readFileSync(join(root, 'src', 'spec', 'openapi.json'), 'utf8'))
  return { ...spec, paths: { ...spec.paths, ...keelExtensions.paths }, components: { ...spec.components, schemas: { ...spec.components.schemas, ...keelExtensions.schemas } } }
}

/** OpenAPI 3.0 schema → JSON Schema that ajv 8 understands, with the spec's quirks handled. */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (node === null || typeof node !== 'object') return node
  const out: Json = {}
  for (const [k, v] of Object.entries<Json>(node)) {
    if (k === 'discriminator' || k === 'example' || k === 'examples' || k === 'xml' || k === 'externalDocs' || k.startsWith('x-')) continue
    if (k === 'nullable') continue
    if (k === '$ref' && typeof v === 'string') { out.$ref = 'spec' + v; continue }
    // Overlapping oneOf branches (reference README): validated as anyOf.
    if (k === 'oneOf') { out.anyOf = toJsonSchema(v); continue }
    if (k === 'exclusiveMinimum' && typeof v === 'boolean') { if (v) { out.exclusiveMinimum = node.minimum } continue }
    if (k === 'exclusiveMaximum' && typeof v === 'boolean') { if (v) { out.exclusiveMaximum = node.maximum } continue }
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries<Json>(v).map(([p, s]) => [p, toJsonSchema(s)])) : toJsonSchema(v)
  }
  if (node.exclusiveMinimum === true) delete out.minimum
  if (node.exclusiveMaximum === true) delete out.maximum
  if (node.nullable === true) return { anyOf: [out, { type: 'null' }] }
  return out
}

// Statuses any operation may answer, whether or not the operation lists them: they come from the
// platform (auth, body size, media type, idempotency, rate limits), and must still be problems.
const crossCutting = new Set([400, 401, 404, 413, 415, 422, 429])

interface Operation { method: string; pattern: RegExp; template: string; op: Json }

export class Conformance {
  private readonly ajv: Ajv
  private readonly ops: Operation[] = []
  private readonly cache = new Map<string, ValidateFunction>()
  readonly spec: Json

  constructor() {
    this.spec = loadSpec()
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true })
    addFormats(this.ajv)
    for (const f of ['int32', 'int64', 'float', 'double']) this.ajv.addFormat(f, { type: 'number', validate: () => true })
    this.ajv.addSchema({ $id: 'spec', components: { schemas: toJsonSchema(this.spec.components.schemas) } })
    for (const [template, item] of Object.entries<Json>(this.spec.paths)) {
      const pattern = new RegExp('^/v0' + template.replace(/\{[^}]+\}/g, '[^/]+') + '$')
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        if (item[method]) this.ops.push({ method: method.toUpperCase(), pattern, template, op: item[method] })
      }
    }
    // Literal paths (e.g. /persons/personal_ids) must win over templated siblings (/persons/{id}).
    this.ops.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0))
  }

  /** Throws with a readable reason when the response does not match the spec. */
  check(method: string, url: string, status: number, contentType: string | undefined, body: unknown): void {
    const path = url.split('?')[0]
    const found = this.ops.find((o) => o.method === method && o.pattern.test(path))
    if (!found) {
      if (status === 404 || status === 401) return this.checkProblem(`${method} ${path}`, status, contentType, body)
      throw new Error(`conformance: no operation in the spec for ${method} ${path}`)
    }
    const where = `${method} ${found.template} → ${status}`
    const response = found.op.responses[String(status)] ?? found.op.responses.default
    if (!response) {
      if (status >= 400 && crossCutting.has(status)) return this.checkProblem(where, status, contentType, body)
      throw new Error(`conformance: ${where} is not a status the spec declares (${Object.keys(found.op.responses).join(', ')})`)
    }
    if (status >= 400) return this.checkProblem(where, status, contentType, body)
    const content = response.content
    if (!content) {
      if (body !== undefined && body !== '' && body !== null) throw new Error(`conformance: ${where} must have no body`)
      return
    }
    const media = Object.keys(content)[0]
    if (!contentType?.startsWith(media)) throw new Error(`conformance: ${where} content-type ${contentType}, spec says ${media}`)
    this.validate(where, content[media].schema, body)
  }

  private checkProblem(where: string, status: number, contentType: string | undefined, body: Json): void {
    if (!contentType?.startsWith('application/problem+json')) throw new Error(`conformance: ${where} error content-type ${contentType}`)
    this.validate(where, { $ref: '#/components/schemas/error' }, body)
    for (const field of ['type', 'title', 'status', 'detail', 'code']) {
      if (body?.[field] === undefined) throw new Error(`conformance: ${where} problem lacks ${field}`)
    }
    if (body.status !== status) throw new Error(`conformance: ${where} problem.status ${body.status} differs from HTTP ${status}`)
  }

  /** Throws unless `body` matches the spec's component schema `name` (e.g. a webhook request body). */
  checkSchema(name: string, body: unknown): void {
    if (!this.spec.components.schemas[name]) throw new Error(`conformance: the spec has no schema ${name}`)
    this.validate(`schema ${name}`, { $ref: `#/components/schemas/${name}` }, body)
  }

  private validate(where: string, schema: Json, body: unknown): void {
    const key = JSON.stringify(schema)
    let fn = this.cache.get(key)
    if (!fn) { fn = this.ajv.compile(toJsonSchema(schema)); this.cache.set(key, fn) }
    if (!fn(body)) {
      const errs = (fn.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`).join('; ')
      throw new Error(`conformance: ${where} body does not match the spec: ${errs}\nbody: ${JSON.stringify(body).slice(0, 2000)}`)
    }
  }
}

let shared: Conformance | undefined
export const conformance = (): Conformance => (shared ??= new Conformance())
