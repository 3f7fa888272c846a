// A ledger batch plans each read and update for its own values, but its inserts (the records with
// their entries, the new holds), which read no table, run on the plan cached on the connection:
// planning them afresh for every batch cost more than running them. The batch brackets them with
// `set local plan_cache_mode`, which only works if they reach the server between the two settings.
// PostgreSQL's own count of each prepared statement's plans (pg_prepared_statements, on the one
// connection the batcher uses) shows which way each statement ran.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { applyInTransaction, insertLedgerAccount, LedgerBatcher, type LedgerRequest } from '../../src/ledger/index.js'
import { connect, type Sql } from '../../src/platform/db.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
let one: Sql
before(async () => {
  h = await startHarness()
  one = connect(h.databaseUrl, 1)
})
after(async () => {
  await one.end()
  await h.close()
})

async function ledgerAccount(): Promise<string> {
  const id = uuidv7()
  await insertLedgerAccount(h.sql, {
    workspace_id: h.workspaces.a, id, kind: 'ACCOUNT', account_number: String(Date.now()).slice(-9) + String(Math.floor(Math.random() * 1000)).padStart(3, '0'),
    currency: 'USD', status: 'ACTIVE_OR_DISBURSED', access_status: 'ACTIVE', floor: null, ceiling: null, created_at: new Date(),
  })
  return id
}

const meta = { kind: 'TEST', type: 'ACCOUNT_TO_ACCOUNT', details: {} }
const post = (from: string, to: string): LedgerRequest => ({
  workspaceId: h.workspaces.a, now: new Date(), partnerVerified: true,
  commands: [{ id: uuidv7(), kind: 'post', legs: [{ accountId: from, amount: -1n, currency: 'USD' }, { accountId: to, amount: 1n, currency: 'USD' }], meta }],
})
const hold = (from: string, to: string): LedgerRequest => ({
  workspaceId: h.workspaces.a, now: new Date(), partnerVerified: true,
  commands: [{ id: uuidv7(), kind: 'pending', debitAccountId: from, creditAccountId: to, amount: 1n, currency: 'USD', expiresAt: new Date(Date.now() + 86_400_000), meta }],
})

it('runs a batch\'s inserts on the connection\'s cached plan and plans its reads and updates for their values', async () => {
  const a = await ledgerAccount()
  const b = await ledgerAccount()
  await h.sql.begin((tx) => applyInTransaction(tx, [post(b, a)], { nowOf: () => new Date() }))
  const batcher = new LedgerBatcher(one, { nowOf: () => new Date() })
  const batches = 6
  for (let i = 0; i < batches; i++) {
    const [posted, held] = await Promise.all([batcher.submit({ request: post(a, b) }), batcher.submit({ request: hold(a, b) })])
    assert.ok(posted.result?.ok && held.result?.ok, 'both applied')
  }
  assert.equal(batcher.stats.batches, batches, 'one batch per round')

  const plans = await one<{ statement: string; generic_plans: number; custom_plans: number }[]>`
    select statement, generic_plans::int, custom_plans::int from pg_prepared_statements`
  const of = (start: RegExp) => {
    const found = plans.filter((p) => start.test(p.statement.trim()))
    assert.equal(found.length, 1, `one prepared statement ${start}`)
    return { generic: found[0].generic_plans, custom: found[0].custom_plans }
  }
  assert.deepEqual(of(/^with transfers as \(\s*insert into ledger_transfers/), { generic: batches, custom: 0 }, 'records and entries')
  assert.deepEqual(of(/^insert into ledger_holds/), { generic: batches, custom: 0 }, 'new holds')
  assert.deepEqual(of(/^update ledger_accounts l set posted/), { generic: 0, custom: batches }, 'balances')
  assert.deepEqual(of(/^select ledger_expect_rows\(count\(\*\), \$1\) from \(\s*select 1 from ledger_accounts/), { generic: 0, custom: batches }, 'the accounts\' lock')
})
