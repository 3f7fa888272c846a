// The facts of the cards a message names are read before its batch (factsRows), on the main pool,
// where a statement that runs often ends up on the plan PostgreSQL caches for any values. That plan
// must look each card up by its key: one joining the keys to the cards, estimated for ten keys,
// read every card of the table through a hash join while the table was small (500 rows a call in
// bench:card-auth). The check runs the statement as the driver prepared it, on a session that keeps
// generic plans, under EXPLAIN ANALYZE, and counts the card rows its scans read.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { factsRows } from '../../src/card-authorization/store.js'
import { connect, type Sql } from '../../src/platform/db.js'
import { startHarness, type Harness } from '../support/harness.js'
import { fundedCard, rowsScanned, type PlanNode } from './support.js'

let h: Harness
let one: Sql
before(async () => {
  h = await startHarness()
  one = connect(h.databaseUrl, 1, { plan_cache_mode: 'force_generic_plan' })
})
after(async () => {
  await one.end()
  await h.close()
})

it('reads one card row for each card asked for, on the plan cached for any number of them', async () => {
  const cards: string[] = []
  for (let i = 0; i < 12; i++) cards.push((await fundedCard(h, 0)).card.id)
  // A table of 500 cards, as under bench:card-auth, analyzed: on the dozen issued alone, once
  // autovacuum had analyzed them, a scan of the table's one page was rightly the cheaper plan.
  await h.sql`
    insert into cards select (jsonb_populate_record(null::cards, to_jsonb(c) || jsonb_build_object('id', gen_random_uuid(), 'activation_code_fingerprint', null))).*
    from cards c cross join generate_series(1, 41)`
  await h.sql`analyze cards`
  const asked = cards.slice(0, 3).map((cardId) => ({ workspaceId: h.workspaces.a, cardId }))
  const facts = await factsRows(one, asked)
  assert.deepEqual([...facts.keys()].sort(), asked.map((k) => `${k.workspaceId}/${k.cardId}`).sort(), 'the facts of the cards asked for')

  const prepared = await one<{ name: string; statement: string }[]>`select name, statement from pg_prepared_statements`
  const statement = prepared.filter((p) => /\bunnest\(/.test(p.statement) && /\bcards c\b/.test(p.statement))
  assert.equal(statement.length, 1, 'the facts read is prepared on the session')
  const array = (values: string[]) => `'{${values.join(',')}}'::uuid[]`
  const [row] = await one.unsafe(`explain (analyze, format json) execute "${statement[0].name}"(${array(asked.map((k) => k.workspaceId))}, ${array(asked.map((k) => k.cardId))})`)
  const plan = (row['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan
  const read = rowsScanned(plan).cards
  assert.ok(read, 'the cards are read')
  const total = Math.round(read.kept + read.removed)
  assert.ok(total <= asked.length, `read ${Math.round(read.kept)} card rows and threw away ${Math.round(read.removed)}, for ${asked.length} cards asked for`)
})
