// Every session Keel opens starts with sessionSettingsDefault (src/platform/db.ts): JIT compilation
// off, on the main pool and on the keyed sessions alike. A statement estimated past jit_above_cost
// runs without a JIT section in its plan, where the server has JIT (PostgreSQL 15 from Debian, in
// CI: without the setting, the plan has one) and where it has not (the embedded one).
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { connect, connectKeyed, type Sql } from '../../src/platform/db.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
let pools: { name: string; sql: Sql }[]
// Four one-element jsonb arrays, each estimated at a set-returning function's default of 100 rows
// (as a batch's jsonb is): 100 million rows by the estimate, far past jit_above_cost (100,000).
const costly = `select count(*) from ${['a', 'b', 'c', 'd'].map((x) => `jsonb_array_elements('[1]') ${x}`).join(', ')}`
before(async () => {
  h = await startHarness()
  pools = [{ name: 'main pool', sql: connect(h.databaseUrl, 1) }, { name: 'keyed session', sql: connectKeyed(h.databaseUrl, 1) }]
})
after(async () => {
  await Promise.all(pools.map((p) => p.sql.end()))
  await h.close()
})

it('starts every session with JIT off, so no statement pays for compiling itself', async () => {
  for (const { name, sql } of pools) {
    const [settings] = await sql<{ jit: string; application_name: string; above: string }[]>`
      select current_setting('jit') as jit, current_setting('application_name') as application_name, current_setting('jit_above_cost') as above`
    assert.deepEqual([settings.jit, settings.application_name], ['off', 'keel'], name)
    const [{ 'QUERY PLAN': [plan] }] = await sql.unsafe(`explain (analyze, format json) ${costly}`)
    assert.ok(plan.Plan['Total Cost'] > Number(settings.above), `${name}: the statement is estimated past jit_above_cost (${plan.Plan['Total Cost']})`)
    assert.equal(plan.JIT, undefined, `${name}: no JIT section in the plan`)
  }
})
