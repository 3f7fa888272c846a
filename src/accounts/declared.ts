// What the spec declares, and nothing else. The spec's request schemas allow properties they do
// not declare, so Keel accepts them, and ignores them: they are never stored and never shown. A
// generated client decodes responses strictly, so an echoed undeclared field (say a string where
// the response schema has an object of the same name) would break it for every list it appears in.

type Json = Record<string, unknown>

/** A JSON Schema, as TypeBox builds it (objects, intersections as allOf, unions as anyOf). */
export type Schema = object

/** The keywords read here; TypeBox's types describe the static value, not the schema's keywords. */
interface Keywords {
  properties?: Readonly<Record<string, Schema>>
  allOf?: readonly Schema[]
  anyOf?: readonly Schema[]
  oneOf?: readonly Schema[]
  items?: Schema | readonly Schema[]
}
const keywords = (s: Schema): Keywords => s

const compositions = ['allOf', 'anyOf', 'oneOf'] as const
const declaredCache = new WeakMap<Schema, ReadonlyMap<string, readonly Schema[]>>()

/**
 * The properties a schema declares, each with the schemas that describe it: its own properties and
 * those of every branch of its compositions (a union's branches are all taken: a value keeps what
 * any branch declares; picking one branch is the caller's business, as account types do).
 */
export function declaredProperties(schema: Schema): ReadonlyMap<string, readonly Schema[]> {
  const cached = declaredCache.get(schema)
  if (cached) return cached
  const out = new Map<string, Schema[]>()
  const add = (name: string, s: Schema) => out.set(name, [...(out.get(name) ?? []), s])
  const k0 = keywords(schema)
  for (const [name, s] of Object.entries(k0.properties ?? {})) add(name, s)
  for (const k of compositions) for (const branch of k0[k] ?? []) for (const [name, list] of declaredProperties(branch)) for (const s of list) add(name, s)
  declaredCache.set(schema, out)
  return out
}

/** True when a schema declares any property (an object with none declared, like `metadata`, is free-form). */
const hasShape = (schemas: readonly Schema[]) => schemas.some((s) => declaredProperties(s).size > 0)

const itemSchemas = (schemas: readonly Schema[]): Schema[] =>
  schemas.map(keywords).flatMap((s) => [
    ...(s.items && !Array.isArray(s.items) ? [s.items as Schema] : []),
    ...compositions.flatMap((k) => itemSchemas(s[k] ?? [])),
  ])

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * The value with only the properties the schemas declare, at every depth: undeclared properties
 * of an object with a declared shape are dropped; free-form objects and scalars are kept as they are.
 */
export function keepDeclared<T>(schemas: Schema | readonly Schema[], value: T): T {
  const list: readonly Schema[] = Array.isArray(schemas) ? schemas : [schemas as Schema]
  if (Array.isArray(value)) {
    const items = itemSchemas(list)
    return (items.length ? value.map((v) => keepDeclared(items, v)) : value) as T
  }
  if (!isObject(value) || !hasShape(list)) return value
  const declared = new Map<string, Schema[]>()
  for (const s of list) for (const [name, subs] of declaredProperties(s)) declared.set(name, [...(declared.get(name) ?? []), ...subs])
  const out: Json = {}
  for (const [name, v] of Object.entries(value)) {
    const subs = declared.get(name)
    if (subs) out[name] = keepDeclared(subs, v)
  }
  return out as T
}

/** The names of the properties a schema declares. */
export const declaredNames = (schema: Schema): ReadonlySet<string> => new Set(declaredProperties(schema).keys())
