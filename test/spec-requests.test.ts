// Requests the spec allows, drawn at random for every operation: path ids that exist and ids that
// do not, query parameters and bodies built from the operation's schemas (every property's type,
// format, bounds and enums as the spec declares them, optional properties present or not, readOnly
// ones left out). Whatever Keel decides, it never answers 5xx, every refusal is
// application/problem+json with a catalogue code, and every answer is one the spec declares, with
// only the properties it declares (the harness checks each response against the spec).
// fast-check with a fixed seed: a failure names the smallest request it found, and runs again alike.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import fc from 'fast-check'
import { operations, type OperationId } from '../src/spec/schemas.js'
import { startHarness, type Harness } from './support/harness.js'
import { errorCatalogue } from './support/problems.js'
import { createVerifiedBusiness, createVerifiedPerson } from './support/parties.js'
import { createTemplate, fundingAccount, openAccount } from './support/accounts.js'

let h: Harness
/** Ids of what exists in the workspace (seeded below, and whatever a request makes), drawn for uuid properties and path parameters beside random ones. */
const known: string[] = []

before(async () => {
  h = await startHarness()
  // Listening, so the built-in Plaid sandbox (served on Keel's own port) answers the linking operations.
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const person = await createVerifiedPerson(h)
  const business = await createVerifiedBusiness(h)
  const template = await createTemplate(h)
  const account = await openAccount(h, { customer_id: person.id, account_template_id: template.id })
  const funding = await fundingAccount(h)
  known.push(person.id, business.id, template.id, account.id, funding.id)
})
after(async () => { await h.close() })

type Schema = {
  type?: string; const?: unknown; anyOf?: Schema[]; allOf?: Schema[]; properties?: Record<string, Schema>; required?: string[]
  items?: Schema; minItems?: number; maxItems?: number; format?: string; pattern?: string; minLength?: number; maxLength?: number
  minimum?: number; maximum?: number; readOnly?: boolean
}

const safe = Number.MAX_SAFE_INTEGER
const isoDates = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true })

/** Values the schema allows. */
function arbitrary(s: Schema): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const)
  if (s.anyOf) return fc.oneof(...s.anyOf.map(arbitrary))
  if (s.allOf) {
    // The object parts as one object: each property as the part that says most of it declares it
    // (a part may only list it as required, with no schema), required by any part. The other parts
    // (unions of objects) drawn on their own, their values merged into it as a client builds one.
    const objects = s.allOf.filter((p) => p.type === 'object' && !p.anyOf && !p.allOf)
    const others = s.allOf.filter((p) => !objects.includes(p))
    const properties: Record<string, Schema> = {}
    for (const o of objects) {
      for (const [name, p] of Object.entries(o.properties ?? {})) if (!properties[name] || Object.keys(properties[name]).length === 0) properties[name] = p
    }
    const merged: Schema = { type: 'object', properties, required: objects.flatMap((o) => o.required ?? []) }
    return fc.tuple(arbitrary(merged), ...others.map(arbitrary))
      .map(([own, ...rest]) => Object.assign({}, ...rest.filter((p) => p !== null && typeof p === 'object'), own))
  }
  switch (s.type) {
    case 'object': {
      // An object that declares no property is free-form (metadata): a few keys of the client's own.
      if (s.properties && Object.keys(s.properties).length === 0) return fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean()), { maxKeys: 3 })
      const props = Object.entries(s.properties ?? {}).filter(([, p]) => !p.readOnly)
      const required = (s.required ?? []).filter((k) => props.some(([name]) => name === k))
      const record = fc.record(Object.fromEntries(props.map(([name, p]) => [name, arbitrary(p)])), { requiredKeys: required })
      // Now and then a property the schema does not declare: the spec's schemas leave room for them.
      const undeclared = fc.option(fc.record({ keel_test_extra: fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean()) }), { freq: 8 })
      return fc.tuple(record, undeclared).map(([r, extra]) => (extra ? { ...r, ...extra } : r))
    }
    case 'array':
      return fc.array(arbitrary(s.items ?? {}), { minLength: s.minItems ?? 0, maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3)) })
    case 'string':
      return strings(s)
    case 'integer': {
      const min = Math.max(s.minimum ?? -safe, -safe)
      const max = Math.min(s.maximum ?? safe, safe)
      // Small values most of the time, the bounds and the int64 range's safe ends some of the time.
      return fc.oneof({ arbitrary: fc.integer({ min: Math.max(min, -1_000_000), max: Math.min(max, 1_000_000) }), weight: 4 }, fc.constantFrom(min, max), fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }))
    }
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: s.minimum ?? -1e15, max: s.maximum ?? 1e15 })
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    default:
      return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null))
  }
}

function strings(s: Schema): fc.Arbitrary<string> {
  const fits = (v: string) => v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? Infinity)
  switch (s.format) {
    case 'uuid': return fc.oneof(fc.constantFrom(...known), fc.uuid())
    case 'date-time': return isoDates.map((d) => d.toISOString())
    case 'date': return isoDates.map((d) => d.toISOString().slice(0, 10))
    case 'email': return fc.emailAddress().filter(fits)
  }
  // A word boundary at either end (fast-check's generator has none) as an anchor: what matches one matches the other.
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern.replace(/^\\b/, '^').replace(/\\b$/, '$'))).filter(fits)
  const minLength = s.minLength ?? 0
  const maxLength = Math.max(minLength, Math.min(s.maxLength ?? 40, 40))
  // Mostly printable ASCII; some strings of any code point (accents, emoji, NUL, controls).
  return fc.oneof({ arbitrary: fc.string({ minLength, maxLength }), weight: 3 }, fc.string({ minLength, maxLength, unit: 'binary' }))
}

/** Every operation but the wipe, which would empty the workspace the others draw their ids from (its own tests cover it); deletions last. */
const ids = (Object.keys(operations) as OperationId[]).filter((id) => id !== 'wipeWorkspace')
  .sort((a, b) => Number(operations[a].method === 'DELETE') - Number(operations[b].method === 'DELETE'))

/** Path or query parameters: only those declared (a body's object with none declared is free-form; these are not). */
const declared = (s: Schema): fc.Arbitrary<unknown> => (Object.keys(s.properties ?? {}).length ? arbitrary(s) : fc.constant({}))

/** A query string as a client sends it: comma-separated where the operation reads lists so, else the name repeated. */
function queryString(id: OperationId, q: Record<string, unknown>): string {
  const commaLists: readonly string[] = operations[id].commaListQuery
  const pairs = Object.entries(q).flatMap(([k, v]) => (Array.isArray(v) && !commaLists.includes(k) ? v.map((x) => [k, String(x)]) : [[k, String(v)]]))
  return new URLSearchParams(pairs).toString()
}

/** A fixed seed, so a run is repeatable; another (SPEC_REQUESTS_SEED, SPEC_REQUESTS_RUNS) to look further. */
/**
 * What the tables hold, as rows and the newest row version in each: a request that inserts,
 * updates or deletes a row changes it. Left out: the built-in Plaid sandbox's own tables (the
 * vendor's side, not Keel's: a public token Keel then refuses is spent at the vendor all the same).
 */
async function tablesNow(): Promise<Record<string, string>> {
  const tables = await h.sql<{ name: string }[]>`select c.relname::text as name from pg_class c
    where c.relnamespace = to_regnamespace(current_schema()) and c.relkind in ('r', 'p')
      and c.relname not like 'plaid_sandbox_%' order by 1`
  const [row] = await h.sql.unsafe(`select ${tables.map((t, i) => `(select count(*)::text || '/' || coalesce(max(xmin::text::int8), 0)::text from "${t.name}") as t${i}`).join(', ')}`)
  return Object.fromEntries(tables.map((t, i) => [t.name, row[`t${i}`] as string]))
}
const changedTables = (before: Record<string, string>, after: Record<string, string>) => Object.keys(after).filter((t) => before[t] !== after[t])

const seed = Number(process.env.SPEC_REQUESTS_SEED ?? 20261205)
const numRuns = Number(process.env.SPEC_REQUESTS_RUNS ?? 25)

it('answers requests the spec allows, drawn at random for every operation, without a 5xx and as the spec declares', async (t) => {
  assert.ok(ids.length >= 150, `${ids.length} operations`)
  // The check below sees a row changed in place.
  const first = await tablesNow()
  await h.sql`update workspaces set name = name where id = ${h.workspaces.b}`
  assert.deepEqual(changedTables(first, await tablesNow()), ['workspaces'])
  const statuses = new Map<number, number>()
  const failures: string[] = []
  for (const id of ids) {
    const op = operations[id]
    const body = op.body as Schema | undefined
    const run = await fc.check(
      fc.asyncProperty(declared(op.params as Schema), declared(op.query as Schema), body ? arbitrary(body) : fc.constant(undefined), async (p, q, b) => {
        const path = '/v0' + op.path.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(String((p as Record<string, unknown>)[name])))
        const search = queryString(id, q as Record<string, unknown>)
        const headers = op.method === 'POST' ? { 'idempotency-key': crypto.randomUUID() } : undefined
        const before = await tablesNow()
        const res = await h.request(op.method, search ? `${path}?${search}` : path, { body: b, headers })
        // A read writes nothing, and a refusal leaves nothing half done.
        if (op.method === 'GET' || res.status >= 400) {
          const changed = changedTables(before, await tablesNow())
          assert.deepEqual(changed, [], `${op.method} answered ${res.status} ${String(JSON.stringify(res.body)).slice(0, 200)} and changed ${changed.join(', ')}`)
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        // What a request made, later operations may name.
        if (res.status < 300 && typeof res.body?.id === 'string' && !known.includes(res.body.id)) known.push(res.body.id)
        assert.ok(res.status < 500, `${res.status} ${String(JSON.stringify(res.body)).slice(0, 300)}`)
        if (res.status >= 400) assert.ok(errorCatalogue.has(res.body.code), `code ${res.body.code} is not in the catalogue`)
      }),
      { seed, numRuns },
    )
    // Every operation is tried, and each failure named with the smallest request found for it.
    if (run.failed) failures.push(`${id}: ${JSON.stringify(run.counterexample)}\n  ${String((run.errorInstance as Error)?.message ?? run.errorInstance).split('\n').slice(0, 2).join('\n  ')}`)
  }
  // Not every request refused: some of these are answered as asked.
  const answered = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0)
  t.diagnostic(`seed ${seed}, ${numRuns} requests an operation; answers by status: ${JSON.stringify([...statuses].sort((a, b) => a[0] - b[0]))}`)
  assert.deepEqual(failures, [], failures.join('\n'))
  assert.ok(answered > numRuns * 10, `statuses ${JSON.stringify([...statuses])}`)
})
