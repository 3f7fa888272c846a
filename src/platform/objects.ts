/**
 * `{ ...base, ...fields }`, for objects built per request.
 *
 * Node's V8 (11.3), once a literal's inline cache is warm, gives the copy a literal that opens with
 * a spread starts from a hidden class outside the tree classes are shared through (its map log
 * calls such a class detached), so every property the literal adds after the spread makes a new
 * hidden class, on every evaluation: `{ ...key, now }` run a million times makes a million classes.
 * That costs about seven times the time of a plain literal, the classes live in the old generation
 * until the next full collection, and through them much of what the objects hold outlives the
 * young generation's collections too (measured in docs/throughput/ledger.md, "Hidden classes").
 * `Object.assign` onto a fresh literal adds the same properties through shared classes. A literal
 * whose spread is not first (`{ id, ...rest }`), or that only copies (`{ ...row }`), is not affected.
 *
 * `base` must not have an own `__proto__` key, which `Object.assign` would take as the prototype
 * (rows and literals of ours never do; request bodies with one are refused when parsed).
 */
export function withFields<T extends object, F extends object>(base: T, fields: F): Omit<T, keyof F> & F {
  return Object.assign({}, base, fields)
}

/**
 * `value` with every object's keys in the order PostgreSQL's jsonb keeps them: shorter keys first
 * (by their length in UTF-8), keys of one length by their bytes. An answer that carries an object
 * the client sent, where the same answer is rendered again later from a jsonb column (a replay by
 * view, a GET), has the same text both times when the first is built from this.
 */
export function jsonbKeyOrder<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => jsonbKeyOrder(v)) as T
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(value).sort(jsonbKeyCompare)) out[k] = jsonbKeyOrder((value as Record<string, unknown>)[k])
  return out as T
}

/**
 * jsonb's order of two keys, without encoding either (it runs for every card message): UTF-8's byte
 * order is the order of code points, which a comparison of UTF-16 code units (`<`) is not past
 * U+FFFF, so they are compared a code point at a time.
 */
function jsonbKeyCompare(a: string, b: string): number {
  const byLength = Buffer.byteLength(a) - Buffer.byteLength(b)
  if (byLength !== 0) return byLength
  for (let i = 0; i < a.length;) {
    const x = a.codePointAt(i)!
    const y = b.codePointAt(i)!
    if (x !== y) return x - y
    i += x > 0xffff ? 2 : 1
  }
  return 0
}

/**
 * Whether two values say the same as JSON, whatever the order of an object's keys: jsonb gives an
 * object back with its keys in its own order. Dates and buffers compare as JSON writes them (their
 * toJSON), which jsonbKeyOrder, reordering the objects themselves, would not keep.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}
const canonicalJson = (value: unknown): string | undefined => JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v)
  ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  : v))

/** The parts of a JSON schema (as src/spec/schemas.ts holds the spec's) that say which properties an object declares. */
export interface DeclaringSchema {
  type?: string
  properties?: Record<string, DeclaringSchema>
  items?: DeclaringSchema
  allOf?: DeclaringSchema[]
  anyOf?: DeclaringSchema[]
}

/** Every property the schema declares for an object, each with its schema (the first part of an allOf or anyOf that declares it with one). */
function declaredProperties(schema: DeclaringSchema): Map<string, DeclaringSchema> | undefined {
  const parts = schema.allOf ?? schema.anyOf
  if (parts) {
    const all = parts.map(declaredProperties).filter((p): p is Map<string, DeclaringSchema> => p !== undefined)
    if (all.length === 0) return undefined
    const out = new Map<string, DeclaringSchema>()
    for (const m of all) for (const [name, s] of m) if (!out.has(name) || Object.keys(out.get(name)!).length === 0) out.set(name, s)
    return out
  }
  if (schema.type !== 'object' || !schema.properties) return undefined
  return new Map(Object.entries(schema.properties))
}

/**
 * A request's value as kept: at every depth, only the properties its schema declares. The spec's
 * request schemas leave room for undeclared properties, so a request with them is accepted; kept
 * and shown back, they would put in an answer what its schema does not declare. An object whose
 * schema declares none is free-form (metadata) and kept whole.
 */
export function declaredShape<T>(schema: object, value: T): T {
  const s = schema as DeclaringSchema
  if (Array.isArray(value)) return (s.items ? value.map((v) => declaredShape(s.items!, v)) : value) as T
  if (value === null || typeof value !== 'object') return value
  const declared = declaredProperties(s)
  if (declared === undefined || declared.size === 0) return value
  const out: Record<string, unknown> = {}
  for (const [name, v] of Object.entries(value)) {
    const property = declared.get(name)
    if (property !== undefined) out[name] = declaredShape(property, v)
  }
  return out as T
}
