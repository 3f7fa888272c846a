// postgres.js builds each query's text, and its signature (its parameters' types and the text), to
// find the statement it prepared on the connection. As published (3.4.9) it built both again for
// every execution: two copies of a statement of a few KB and a hash of the second. Keel installs it
// with patches/postgres+3.4.9.patch, which keeps them per call site for a query whose every value
// is a parameter (`parameterText` in its types.js). These tests read the module as installed.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Sql } from '../../src/platform/db.js'
import { startHarness, type Harness } from '../support/harness.js'

interface Built { string: string; signature: string }
type ParameterText = (q: { strings: readonly string[]; args: unknown[] }, parameters: unknown[], types: unknown[], options: unknown) => Built | null
const installed = new URL('../../node_modules/postgres/src/types.js', import.meta.url).href
const { parameterText } = await import(installed) as { parameterText?: ParameterText }

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

/** The template strings of one call site, and a query made from them with these values. */
const site = (strings: TemplateStringsArray, ..._values: unknown[]) => strings
const oneSite = site`select ${1}::int as n, ${'a'}::text as t`
const options = { transform: { undefined: undefined } }

describe('the statement text of a call site', () => {
  it('is built once per call site, and its signature once per list of types', () => {
    assert.equal(typeof parameterText, 'function', 'postgres.js as installed has no parameterText: is patches/postgres+3.4.9.patch applied?')
    const build = (args: unknown[]) => {
      const parameters: unknown[] = []
      const types: unknown[] = []
      const built = parameterText!({ strings: oneSite, args }, parameters, types, options)!
      return { built, parameters, types }
    }
    const a = build([1, 'a'])
    const b = build([2, 'b'])
    assert.equal(a.built.string, 'select $1::int as n, $2::text as t')
    assert.deepEqual(a.parameters, [1, 'a'])
    assert.deepEqual(b.parameters, [2, 'b'])
    // The same objects, not equal copies: nothing is concatenated or hashed again.
    assert.ok(Object.is(a.built.string, b.built.string))
    assert.ok(Object.is(a.built.signature, b.built.signature))
    assert.equal(a.built.signature, `${a.types.join(',')}${a.built.string}`)
    // Other types of values: another signature for the same text.
    const c = build([1n, null])
    assert.ok(Object.is(c.built.string, a.built.string))
    assert.equal(c.built.signature, `${c.types.join(',')}${c.built.string}`)
  })

  it('is left to postgres.js when a value is a fragment, a helper or an identifier', () => {
    const fragment = h.sql`where true`
    assert.equal(parameterText!({ strings: oneSite, args: [fragment, 'a'] }, [], [], options), null)
    assert.equal(parameterText!({ strings: oneSite, args: [h.sql('a_column'), 'a'] }, [], [], options), null)
    assert.equal(parameterText!({ strings: oneSite, args: [[h.sql`x`], 'a'] }, [], [], options), null)
  })

  it('runs each query with its own values and types, on one connection, through one call site', async () => {
    const tx = await h.sql.reserve()
    try {
      const read = (db: Sql, v: unknown, filtered: boolean) => db<{ t: string | null; n: number }[]>`
        select ${v as never}::text as t, 1 as n ${filtered ? db`where ${v as never}::text is not null` : db``}`
      const cases: [unknown, boolean, string | null, number][] = [
        ['text', false, 'text', 1], [42, false, '42', 1], [null, true, null, 0], [7n, true, '7', 1], ['again', true, 'again', 1], [null, false, null, 1],
      ]
      for (const [v, filtered, t, count] of cases) {
        const rows = await read(tx as unknown as Sql, v, filtered)
        assert.equal(rows.length, count, `${String(v)} ${filtered}`)
        if (count) assert.equal(rows[0].t, t)
      }
      // A statement whose values are all parameters is prepared once per list of types, and reused.
      const ids = ['a', 'b', 'c', 'd']
      for (const id of ids) await (tx as unknown as Sql)`select ${id}::text as kept_site_probe`
      for (const n of [1n, 2n, 3n]) await (tx as unknown as Sql)`select ${n}::text as kept_site_probe`
      const prepared = await (tx as unknown as Sql)<{ n: number }[]>`select count(*)::int as n from pg_prepared_statements where statement like '%as kept_site_probe'`
      assert.equal(prepared[0].n, 2)
    } finally {
      tx.release()
    }
  })
})
