// The card rail's statements run in ledger batches, on a keyed session (connectKeyed): each on the
// one plan the session keeps for it, with scans ruled out. Each must find its rows by key through an
// index; this reads back every plan the session kept after the rail's kinds of messages and checks
// that every table is read through an index condition, none whole.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { keptPlans } from '../support/plans.js'
import { fundedCard, merchant, simulate, spendControl } from './support.js'

let h: Harness
before(async () => { h = await startHarness({ keyedSessions: 1 }) })
after(async () => { await h.close() })

it('reads every table of an authorization batch through an index condition', async () => {
  const perTransaction = await spendControl(h, { name: 'per transaction', amount_limit: 50_000 })
  const rolling = await spendControl(h, { name: 'month', amount_limit: 500_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 31 } })
  const blocked = await spendControl(h, { name: 'no bars', amount_limit: 0, merchant_category_codes: ['5813'] })
  const { card } = await fundedCard(h, 1_000_000, { spendControlIds: [perTransaction.id, rolling.id, blocked.id] })
  const authorize = (amount: number, key = randomUUID()) => h.request('POST', '/v0/cards/transaction_simulations/authorization', {
    headers: { 'idempotency-key': key }, body: { card_id: card.id, amount, mid: 'MID-1', card_acceptor: merchant },
  })
  // Several at once (batched together), a retry of one, a decline, then a clearing and a reversal.
  const key = randomUUID()
  const approved = await Promise.all([authorize(1_000, key), authorize(2_000), authorize(3_000), authorize(4_000)])
  for (const res of approved) assert.equal(res.status, 201, JSON.stringify(res.body))
  assert.equal((await authorize(1_000, key)).headers['idempotent-replayed'], 'true')
  assert.equal((await authorize(60_000)).body.transaction.decline_reason, 'SPEND_CONTROL_VIOLATION')
  assert.equal((await simulate(h, 'clearing', { original_transaction_id: approved[1].body.transaction.token, amount: 2_000 })).status, 201)
  assert.equal((await simulate(h, 'reversal', { original_transaction_id: approved[2].body.transaction.token, amount: 3_000 })).status, 201)
  assert.equal((await simulate(h, 'financial/withdrawal', { card_id: card.id, amount: 500, mid: 'ATM-1', card_acceptor: merchant, pin: '1357' })).status, 201)

  const plans = await keptPlans(h.services.keyedSql)
  // Keel's tables (the driver's own reads of pg_catalog, when it connects, are not a batch's).
  const scans = plans.flatMap((p) => p.scans.filter((s) => !s.relation.startsWith('pg_')).map((s) => ({ ...s, statement: p.statement.trim().replace(/\s+/g, ' ').slice(0, 90) })))
  assert.ok(plans.some((p) => /card_authorizations/.test(p.statement)), 'the card rail\'s statements ran on the keyed session')
  assert.ok(scans.length >= 8, `tables read (${scans.length})`)
  for (const s of scans) {
    const where = `${s.statement}…: ${s.node} on ${s.relation} via ${s.index ?? '-'}`
    assert.notEqual(s.node, 'Seq Scan', where)
    assert.ok(s.cond, `read through an index condition, not whole: ${where}`)
  }

  // The spend sums (card_spend_sums, inlined into the batch's statement) once the workspace has
  // thousands of authorizations on other accounts, without an ANALYZE: made on the tables as they
  // were, a plan may read them by workspace alone (every estimate is one row); the session's plans
  // are made again (as a batch does every plansRenewMs), and the sums then read each account's own
  // days and authorizations.
  await h.sql`
    insert into card_authorizations (workspace_id, id, card_id, account_id, type, state, direction, requested_amount, amount, net_amount, currency, network, created_at)
    select ${h.workspaces.a}, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'authorization', 'PENDING', 'DEBITS', 100, 100, 100, 'USD', 'CARD', now() - g * interval '1 minute'
    from generate_series(1, 4000) as g`
  await h.services.keyedSql`discard plans`
  assert.equal((await authorize(5_000)).status, 201)
  const sums = (await keptPlans(h.services.keyedSql)).filter((p) => /card_spend_sums/.test(p.statement))
    .flatMap((p) => p.scans.filter((s) => /^card_(authorizations|spend_days)$/.test(s.relation)))
  assert.ok(sums.length >= 3, `the spend sums ran on the keyed session (${sums.length} scans)`)
  for (const s of sums) assert.match(s.cond ?? '', /account_id = /, `${s.node} on ${s.relation} via ${s.index ?? '-'}: ${s.cond}`)
})
