// Validates API responses against Synctera's OpenAPI spec: the operation is found by method and
// path, the status must be one the operation declares (or a cross-cutting platform status), and
// the body must match that response's schema. Uses the full spec from ../shared/reference when it
// is beside the checkout, else the trimmed copy Keel ships (derived from the same spec).
//
// Success bodies are checked strictly, as a generated client decodes them: no property may appear
// that the response schema does not declare. A property counts as declared when any branch of an
// allOf declares it, or the branch of an anyOf/oneOf that the body matches; an object schema that
// declares no properties at all (e.g. `metadata`) stays free-form. Problem bodies are closed too:
// the spec's `error` members, and only the extension members (`missing`, `invalid`, `retry_after`…)
// that the error catalogue's extra_fields declare for the body's code (test/support/problems.ts).
import { Ajv2019 as Ajv, type ValidateFunction } from 'ajv/dist/2019.js'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { keelExtensions } from '../../src/sandbox/openapi.js'
import { achExtensions } from '../../src/ach/openapi.js'
import { withSpecFormats } from '../../src/platform/validation.js'
import { undeclaredProblemMembers } from './problems.js'

type Json = any
const root = join(import.meta.dirname, '..', '..')
const fullSpec = join(root, '..', 'shared', 'reference', 'synctera-openapi-v0.153.yaml')

/**
 * The spec as parsed from its file. `npm test` parses it once for the run and hands every test
 * file the result as JSON (KEEL_TEST_SPEC_JSON, scripts/run-tests.ts): parsing the YAML took each
 * file about a second, reading the JSON about 15 ms.
 */
export function parsedSpec(): Json {
  const parsed = process.env.KEEL_TEST_SPEC_JSON
  if (parsed) return JSON.parse(readFileSync(parsed, 'utf8'))
  return existsSync(fullSpec) ? parse(readFileSync(fullSpec, 'utf8')) : JSON.parse(readFileSync(join(root, 'src', 'spec', 'openapi.json'), 'utf8'))
}

/** The spec, and Keel's own extensions (src/sandbox/openapi.ts) beside its paths. */
function loadSpec(): Json {
  const spec = parsedSpec()
  return { ...spec, paths: { ...spec.paths, ...keelExtensions.paths, ...achExtensions.paths }, components: { ...spec.components, schemas: { ...spec.components.schemas, ...keelExtensions.schemas, ...achExtensions.schemas } } }
}

/** The ids of the spec's components, lenient (as declared) and closed (no undeclared property). */
const lenientId = 'spec'
const closedId = 'closed'

/**
 * OpenAPI 3.0 schema → JSON Schema that ajv 8 understands, with the spec's quirks handled. Refs
 * point into the component set `refBase`.
 */
function toJsonSchema(node: Json, refBase = lenientId): Json {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, refBase))
  if (node === null || typeof node !== 'object') return node
  const out: Json = {}
  for (const [k, v] of Object.entries<Json>(node)) {
    if (k === 'discriminator' || k === 'example' || k === 'examples' || k === 'xml' || k === 'externalDocs' || k.startsWith('x-')) continue
    if (k === 'nullable') continue
    if (k === '$ref' && typeof v === 'string') { out.$ref = refBase + v; continue }
    // Overlapping oneOf branches (reference README): validated as anyOf.
    if (k === 'oneOf') { out.anyOf = toJsonSchema(v, refBase); continue }
    if (k === 'exclusiveMinimum' && typeof v === 'boolean') { if (v) { out.exclusiveMinimum = node.minimum } continue }
    if (k === 'exclusiveMaximum' && typeof v === 'boolean') { if (v) { out.exclusiveMaximum = node.maximum } continue }
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries<Json>(v).map(([p, s]) => [p, toJsonSchema(s, refBase)])) : toJsonSchema(v, refBase)
  }
  if (node.exclusiveMinimum === true) delete out.minimum
  if (node.exclusiveMaximum === true) delete out.maximum
  if (node.nullable === true) return { anyOf: [out, { type: 'null' }] }
  return out
}

/**
 * Closes a converted schema: every place a value is described (the root, a property, array items,
 * map values) refuses properties that nothing evaluated declares. `unevaluatedProperties` sees
 * through $ref, allOf and the matching anyOf branches, so composed schemas close as a whole; the
 * branches of a composition are never closed on their own (each would refuse its siblings' fields).
 */
class Closer {
  private readonly shaped = new Map<string, boolean>()
  constructor(private readonly components: Json) {}

  /** True when the schema declares properties somewhere (itself, a ref, a branch): it has a shape to close. */
  declaresShape(node: Json, seen: Set<string> = new Set()): boolean {
    if (node === null || typeof node !== 'object') return false
    if (node.properties) return true
    if (typeof node.$ref === 'string') {
      const name = node.$ref.split('/').pop()!
      if (seen.has(name)) return false
      const known = this.shaped.get(name)
      if (known !== undefined) return known
      seen.add(name)
      const shaped = this.declaresShape(this.components[name], seen)
      this.shaped.set(name, shaped)
      return shaped
    }
    return ['allOf', 'anyOf', 'oneOf'].some((k) => Array.isArray(node[k]) && node[k].some((b: Json) => this.declaresShape(b, seen)))
  }

  /** A schema in a value position: closed when it has a shape. */
  value(node: Json): Json {
    const inner = this.within(node)
    return inner && typeof inner === 'object' && !Array.isArray(inner) && this.declaresShape(inner) ? { ...inner, unevaluatedProperties: false } : inner
  }

  /** Closes the value positions inside a schema, leaving the schema itself open (a component or a branch). */
  within(node: Json): Json {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return node
    const out: Json = { ...node }
    if (node.properties) out.properties = Object.fromEntries(Object.entries<Json>(node.properties).map(([p, s]) => [p, this.value(s)]))
    if (node.items && typeof node.items === 'object' && !Array.isArray(node.items)) out.items = this.value(node.items)
    if (node.additionalProperties && typeof node.additionalProperties === 'object') out.additionalProperties = this.value(node.additionalProperties)
    for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(node[k])) out[k] = node[k].map((b: Json) => this.within(b))
    return out
  }
}

// Statuses any operation may answer, whether or not the operation lists them: they come from the
// platform (auth, body size, media type, idempotency, rate limits, load shedding and an unreachable
// database), and must still be problems.
const crossCutting = new Set([400, 401, 404, 413, 415, 422, 429, 503])

// Statuses one operation answers though its spec lists no such response: a catalogue outcome the
// operation's spec has no place for. An account relationship's POST and PUT list only 201/200,
// 401, 404 and 461, yet refuse a second relationship of the same type to the same party with the
// catalogue's 409 DUPLICATE_RESOURCE, as POST /relationships declares it (docs/accounts.md).
const undeclaredByOperation: Readonly<Record<string, ReadonlySet<number>>> = {
  createAccountRelationship: new Set([409]),
  updateAccountRelationship: new Set([409]),
}

interface Operation { method: string; pattern: RegExp; template: string; op: Json }

export class Conformance {
  private readonly ajv: Ajv
  private readonly ops: Operation[] = []
  private readonly cache = new Map<string, ValidateFunction>()
  private readonly closer: Closer
  readonly spec: Json

  constructor() {
    this.spec = loadSpec()
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true })
    // The formats Keel's own validation knows, the spec's misused ones (format "US") included.
    withSpecFormats(this.ajv as never)
    this.ajv.addSchema({ $id: lenientId, components: { schemas: toJsonSchema(this.spec.components.schemas, lenientId) } })
    const closedComponents = toJsonSchema(this.spec.components.schemas, closedId)
    this.closer = new Closer(closedComponents)
    this.ajv.addSchema({ $id: closedId, components: { schemas: Object.fromEntries(Object.entries<Json>(closedComponents).map(([n, s]) => [n, this.closer.within(s)])) } })
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
      if (status >= 400 && (crossCutting.has(status) || undeclaredByOperation[found.op.operationId]?.has(status))) return this.checkProblem(where, status, contentType, body)
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
    const operationId: string | undefined = found.op.operationId
    this.validate(where, content[media].schema, body, true)
  }

  /** Whether `body` matches `schema` closed (no undeclared property), without throwing. */
  conforms(schema: Json, body: unknown): boolean {
    return this.compiled(schema, true)(body) as boolean
  }

  private checkProblem(where: string, status: number, contentType: string | undefined, body: Json): void {
    if (!contentType?.startsWith('application/problem+json')) throw new Error(`conformance: ${where} error content-type ${contentType}`)
    this.validate(where, { $ref: '#/components/schemas/error' }, body)
    for (const field of ['type', 'title', 'status', 'detail', 'code']) {
      if (body?.[field] === undefined) throw new Error(`conformance: ${where} problem lacks ${field}`)
    }
    if (body.status !== status) throw new Error(`conformance: ${where} problem.status ${body.status} differs from HTTP ${status}`)
    const undeclared = undeclaredProblemMembers(body)
    if (undeclared.length) throw new Error(`conformance: ${where} problem ${body.code} carries ${undeclared.join(', ')}, which the catalogue does not declare for it: ${JSON.stringify(body).slice(0, 600)}`)
  }

  /** Throws unless `body` matches the spec's component schema `name` (e.g. a webhook request body). */
  checkSchema(name: string, body: unknown): void {
    if (!this.spec.components.schemas[name]) throw new Error(`conformance: the spec has no schema ${name}`)
    this.validate(`schema ${name}`, { $ref: `#/components/schemas/${name}` }, body, true)
  }

  private compiled(schema: Json, closed: boolean): ValidateFunction {
    const key = `${closed}:${JSON.stringify(schema)}`
    let fn = this.cache.get(key)
    if (!fn) {
      fn = this.ajv.compile(closed ? this.closer.value(toJsonSchema(schema, closedId)) : toJsonSchema(schema, lenientId))
      this.cache.set(key, fn)
    }
    return fn
  }

  private validate(where: string, schema: Json, body: unknown, closed = false): void {
    const fn = this.compiled(schema, closed)
    if (!fn(body)) {
      const errs = (fn.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`).join('; ')
      throw new Error(`conformance: ${where} body does not match the spec: ${errs}\nbody: ${JSON.stringify(body).slice(0, 2000)}`)
    }
  }
}

let shared: Conformance | undefined
export const conformance = (): Conformance => (shared ??= new Conformance())
