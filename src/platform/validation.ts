import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { badBody } from './errors.js'

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

/**
 * The formats Synctera's spec uses, for any ajv that validates against it (requests here, responses
 * in tests). Of the numeric ones, int32 bounds the value; the others describe storage width.
 * `US` is a quirk: the spec writes `format: US` on some `country_code` properties (an example value
 * put in the wrong keyword). It constrains nothing, so it is declared as accepting anything, and
 * ajv does not warn "unknown format" on every start.
 */
export function withSpecFormats(ajv: Ajv): Ajv {
  addFormats(ajv)
  // ajv-formats' `url` is a regex that also refuses private and loopback hosts and names without a
  // dot: a network policy, which is the outbound guard's to decide (a sandbox may call a receiver
  // on localhost: docs/operations.md). A `url` here is any absolute http or https URL.
  ajv.addFormat('url', { type: 'string', validate: isHttpUrl })
  // ajv-formats' `uuid` also takes a `urn:uuid:` prefix, which no id column reads: an id is the
  // 36 characters alone.
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
  // int32 bounds the value (Synctera's server reads it into 32 bits); the others only name a width
  // the type keyword and Keel's own checks already bound (integers past 2^53 are refused anyway).
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => n >= -(2 ** 31) && n <= 2 ** 31 - 1 })
  for (const f of ['int64', 'float', 'double']) ajv.addFormat(f, { type: 'number', validate: () => true })
  for (const f of specMisusedFormats) ajv.addFormat(f, true)
  return ajv
}
export const specMisusedFormats = ['US'] as const

function isHttpUrl(s: string): boolean {
  if (!URL.canParse(s)) return false
  const { protocol, hostname } = new URL(s)
  return (protocol === 'http:' || protocol === 'https:') && hostname !== ''
}
const withFormats = withSpecFormats

// Bodies are checked as sent: a string is not coerced into a number, unknown fields are not
// silently dropped. Queries and path parameters arrive as strings and are coerced.
export const bodyAjv = withFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false, removeAdditional: false }))
export const queryAjv = withFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: 'array', useDefaults: true, removeAdditional: false }))

export function compileBody(schema: object): ValidateFunction { return bodyAjv.compile(schema) }
/**
 * A query or path schema's validator. Values arrive as text, and coercion would take any text
 * `Number()` reads (`Infinity`, `0x10`, `1e2`, ` 5`): numeric parameters must be written as
 * decimals before they are coerced. Integers: optional minus sign and digits only.
 */
export function compileQuery(schema: object): ValidateFunction {
  const validate = queryAjv.compile(schema)
  const numeric = Object.entries((schema as { properties?: Record<string, { type?: unknown; items?: { type?: unknown } }> }).properties ?? {})
    .flatMap(([name, s]) => {
      const type = s.type === 'array' ? s.items?.type : s.type
      return type === 'integer' || type === 'number' ? [[name, type === 'integer' ? decimalInteger : decimalNumber] as const] : []
    })
  if (numeric.length === 0) return validate
  const checked = ((data: Record<string, unknown>) => {
    const errors: ErrorObject[] = []
    for (const [name, pattern] of numeric) {
      const v = data?.[name]
      for (const x of Array.isArray(v) ? v : [v]) {
        if (typeof x === 'string' && !pattern.test(x)) errors.push({ instancePath: `/${name}`, schemaPath: '#/properties', keyword: 'type', params: {}, message: pattern === decimalInteger ? 'must be a decimal integer' : 'must be a decimal number' })
      }
    }
    if (errors.length) { checked.errors = errors; return false }
    const ok = validate(data)
    checked.errors = validate.errors
    return ok
  }) as ValidateFunction
  return checked
}

const decimalInteger = /^-?[0-9]+$/
const decimalNumber = /^-?[0-9]+(\.[0-9]+)?$/

const fieldPath = (instancePath: string): string =>
  instancePath.replace(/^\//, '').split('/').filter(Boolean).map((p) => (/^\d+$/.test(p) ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[')

const join = (parent: string, child: string) => (parent ? `${parent}.${child}` : child)

/**
 * Turns ajv's errors into the `missing` and `invalid` fields of a BAD_REQUEST_BODY problem, or the
 * parameters a BAD_QUERY_PARAMETER's detail names (badQuery in errors.ts).
 */
export function describeErrors(errors: ErrorObject[]): { missing: string[]; invalid: Record<string, string> } {
  const missing = new Set<string>()
  const invalid: Record<string, string> = {}
  const allowed = new Map<string, Set<unknown>>()
  for (const e of errors) {
    const at = fieldPath(e.instancePath)
    switch (e.keyword) {
      case 'required': missing.add(join(at, (e.params as { missingProperty: string }).missingProperty)); break
      case 'additionalProperties': invalid[join(at, (e.params as { additionalProperty: string }).additionalProperty)] = 'unknown field'; break
      case 'const': {
        const set = allowed.get(at) ?? new Set()
        set.add((e.params as { allowedValue: unknown }).allowedValue)
        allowed.set(at, set)
        break
      }
      case 'enum': invalid[at || '(body)'] = `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`; break
      case 'anyOf': case 'oneOf': case 'allOf': case 'if': break
      default: invalid[at || '(body)'] ??= e.message ?? 'invalid'
    }
  }
  for (const [at, values] of allowed) invalid[at || '(body)'] = `must be one of: ${[...values].join(', ')}`
  // A field reported missing in one branch of a union but present is not missing; keep what is consistent.
  for (const m of missing) if (invalid[m]) missing.delete(m)
  return { missing: [...missing].sort(), invalid }
}

export function bodyError(errors: ErrorObject[]) {
  const { missing, invalid } = describeErrors(errors)
  const parts: string[] = []
  if (missing.length) parts.push(`missing required fields: ${missing.join(', ')}`)
  const bad = Object.keys(invalid)
  if (bad.length) parts.push(`invalid fields: ${bad.map((k) => `${k} (${invalid[k]})`).join(', ')}`)
  return badBody(parts.join('; ') || 'request body is not valid', { missing, invalid })
}
