// A payment on an account with spend controls runs its ledger batch locking, so that its windows
// are read under the account's lock. Payments on accounts without controls waiting beside it go in
// a batch of their own, decided from memory as before, instead of being locked with it.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { LedgerBatcher, type LedgerRequest } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { openLedgerAccount, transferRequest } from '../support/ledger-accounts.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const payment = (from: string, to: string, amount: bigint): LedgerRequest => ({ ...transferRequest(h.workspaces.a, from, to, amount), payment: { type: 'INTERNAL_TRANSFER' }, mintedIds: true })

describe('payments on accounts with spend controls', () => {
  it('go in batches of their own: the payments beside them are decided from memory', async () => {
    const [controlled, other, p, q] = [await openLedgerAccount(h.sql, h.workspaces.a), await openLedgerAccount(h.sql, h.workspaces.a), await openLedgerAccount(h.sql, h.workspaces.a), await openLedgerAccount(h.sql, h.workspaces.a)]
    await h.sql`insert into ledger_account_holders (workspace_id, account_id, spend_controls)
      values (${h.workspaces.a}, ${controlled}, ${h.sql.json([{ id: controlled, amount_limit: 1_000, window_days: null, direction: 'DEBITS', payment_types: [], payment_sub_types: [] }])})`
    const batcher = new LedgerBatcher(h.sql, { nowOf: () => new Date() })
    // Known to the process, as read: the controlled account with its controls.
    for (const r of [payment(controlled, other, 10n), payment(p, q, 10n)]) assert.equal((await batcher.submit({ request: r })).result?.ok, true)
    const before = { ...batcher.stats }
    const outcomes = await Promise.all([payment(controlled, other, 10n), payment(p, q, 1n), payment(p, q, 2n), payment(controlled, other, 5_000n)].map((request) => batcher.submit({ request })))
    assert.deepEqual(outcomes.map((o) => (o.result!.ok ? 'ok' : o.result!.code)), ['ok', 'ok', 'ok', 'spend_control_violation'])
    assert.equal(batcher.stats.batches - before.batches, 2, 'one batch of each kind')
    assert.equal(batcher.stats.fromMemory - before.fromMemory, 1, 'the payments without controls went from memory')
  })
})
