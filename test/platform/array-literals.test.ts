// The array literals the set-based statements send (src/platform/db.ts) read back in PostgreSQL as
// exactly the values written, whatever the text holds.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { plainArray, textArray } from '../../src/platform/db.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

describe('array literals', () => {
  it('carry any text, NULL and the empty string through unnest unchanged', async () => {
    const texts = ['plain', '', 'NULL', 'null', ' spaced ', 'a,b', '{braces}', 'quote " inside', 'back\\slash', '\\"both\\"', 'ünïcödé 🏦', '{"json": "body", "n": [1, 2]}', null, undefined,
      // Quoted through JSON.stringify, or not where it would write an escape the literal reads otherwise.
      JSON.stringify({ memo: 'line\nbreak "quoted" back\\slash', s: '\u2028 sep' }), 'quote " and a\nnewline', 'quote " and a\ttab \u0001', 'quote " and 🏦 emoji', '"\\u00e9" as written']
    const rows = await h.sql<{ n: number; v: string | null }[]>`select n::int, v from unnest(${textArray(texts)}::text[]) with ordinality as x(v, n) order by n`
    assert.deepEqual(rows.map((r) => r.v), texts.map((t) => t ?? null))
  })

  it('carry uuids, integers, bigints and timestamps, with NULLs', async () => {
    const ids = [uuidv7(), null, uuidv7()]
    const ints = [0, -7, null, 2147483647]
    const bigs = [9007199254740993n, -1n, null]
    const times = [new Date('2026-11-29T19:00:00.123Z').toISOString(), null]
    // Each element read back as a row of its own (row NULLs are unambiguous), as text.
    const read = async (literal: string, type: string) =>
      (await h.sql.unsafe<{ v: string | null }[]>(`select v::text from unnest($1::${type}[]) with ordinality as x(v, n) order by n`, [literal])).map((r) => r.v)
    assert.deepEqual(await read(plainArray(ids), 'uuid'), ids)
    assert.deepEqual(await read(plainArray(ints), 'int4'), ints.map((i) => (i === null ? null : String(i))))
    assert.deepEqual(await read(plainArray(bigs), 'int8'), bigs.map((b) => (b === null ? null : String(b))))
    const [t0, t1] = await read(plainArray(times), 'timestamptz')
    assert.deepEqual([new Date(t0!).toISOString(), t1], times)
    assert.deepEqual(await read(plainArray([]), 'uuid'), [])
  })
})
