// oneStatement and allOf (src/platform/db.ts): a batch's writes sent as one statement, and its
// checks as one. Read back from PostgreSQL: what each wrote, in which transaction, and which text.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { allOf, connect, oneStatement, type Queryable } from '../../src/platform/db.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
before(async () => {
  h = await startHarness()
  await h.sql`create table composed_a (id int primary key, v text)`
  await h.sql`create table composed_b (id int primary key, n int8)`
})
after(async () => { await h.close() })

const intoA = (tx: Queryable, id: number, v: string) => tx`insert into composed_a (id, v) values (${id}, ${v})`
const intoB = (tx: Queryable, id: number, n: bigint) => tx`insert into composed_b (id, n) values (${id}, ${n})`
const bumpB = (tx: Queryable, id: number) => tx`update composed_b set n = n + 1 where id = ${id}`

describe('oneStatement', () => {
  it('writes every part, in one statement of the transaction, with each part\'s values', async () => {
    await h.sql.begin((tx) => oneStatement(tx, [intoA(tx, 1, 'one'), intoB(tx, 1, 10n), intoA(tx, 2, 'two')]))
    const a = await h.sql`select id, v, xmin::text as x from composed_a order by id`
    const [b] = await h.sql`select n, xmin::text as x from composed_b`
    assert.deepEqual(a.map((r) => [r.id, r.v]), [[1, 'one'], [2, 'two']])
    assert.equal(b.n, 10n)
    assert.deepEqual(new Set([...a.map((r) => r.x), b.x]).size, 1, 'one transaction')
  })

  it('lands nothing when a part fails', async () => {
    await assert.rejects(h.sql.begin((tx) => oneStatement(tx, [intoA(tx, 3, 'three'), intoB(tx, 1, 0n)])), /duplicate key/)
    assert.equal((await h.sql`select count(*)::int as n from composed_a where id = 3`)[0].n, 0)
  })

  it('is prepared once on a connection and run again with other values', async () => {
    const one = connect(h.databaseUrl, 1)
    try {
      const before = (await one`select n from composed_b where id = 1`)[0].n as bigint
      for (const id of [10, 11, 12]) await one.begin((tx) => oneStatement(tx, [bumpB(tx, 1), intoA(tx, id, `v${id}`)]))
      assert.equal((await one`select n from composed_b where id = 1`)[0].n, before + 3n, 'each run changed the row once')
      assert.deepEqual((await one`select v from composed_a where id >= 10 order by id`).map((r) => r.v), ['v10', 'v11', 'v12'])
      const [{ n }] = await one`select count(*)::int as n from pg_prepared_statements where statement like 'with w0 as (update composed_b%'`
      assert.equal(n, 1, 'one prepared statement for the three runs')
    } finally {
      await one.end()
    }
  })
})

describe('allOf', () => {
  const ok = (tx: Queryable) => tx`select 1 from generate_series(1, 3)`
  const fails = (tx: Queryable) => tx`select 1 / 0`
  it('answers its base\'s row after running every check', async () => {
    const [row] = await h.sql.begin((tx) => allOf(tx, [ok(tx), ok(tx)], tx`select ${7}::int as seven, 'b' as name`))
    assert.equal(row.seven, 7)
    assert.equal(row.name, 'b')
  })

  it('fails when one check fails, with or without a base', async () => {
    await assert.rejects(h.sql.begin((tx) => allOf(tx, [ok(tx), fails(tx)], tx`select 1 as one`)), /division by zero/)
    await assert.rejects(h.sql.begin((tx) => allOf(tx, [fails(tx), ok(tx)])), /division by zero/)
  })

  it('runs a check whose rows nobody reads, and the checks in order', async () => {
    await h.sql.begin(async (tx) => {
      await allOf(tx, [tx`select set_config('composed.first', '1', true)`, tx`select set_config('composed.second', current_setting('composed.first', true) || '2', true)`])
      const [{ v }] = await tx`select current_setting('composed.second', true) as v`
      assert.equal(v, '12')
    })
  })
})
