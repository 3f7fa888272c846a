// Many authorizations on one account at once never approve beyond the available balance: each
// approval is a hold the ledger applies under the account's lock, whatever the decision read before.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { auditLedger } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { authorize, available, fundedCard, merchant, simulate } from './support.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => {
  assert.deepEqual((await auditLedger(h.sql)).discrepancies, [])
  await h.close()
})

describe('concurrent authorizations on one account', () => {
  it('approve exactly what the balance holds, the rest declined INSUFFICIENT_FUNDS', async () => {
    const { card, account } = await fundedCard(h, 1_000)
    const answers = await Promise.all(Array.from({ length: 60 }, () => authorize(h, card.id, 100)))
    const states = answers.map((r) => { assert.equal(r.status, 201); return r.body.transaction.state })
    assert.equal(states.filter((s) => s === 'PENDING').length, 10)
    assert.ok(answers.filter((r) => r.body.transaction.state === 'DECLINED').every((r) => r.body.transaction.decline_reason === 'INSUFFICIENT_FUNDS'))
    assert.deepEqual(await available(h, account.id), { posted: 1_000, available: 0 })
  })

  it('holds, PIN debits and partial approvals at once never overdraw it', async () => {
    const first = await fundedCard(h, 2_000)
    const requests = Array.from({ length: 40 }, (_, i) => i % 3 === 0
      ? simulate(h, 'financial', { card_id: first.card.id, amount: 150, mid: 'M', card_acceptor: merchant })
      : authorize(h, first.card.id, 170, { card_acceptor: { ...merchant, partial_approval_capable: i % 2 === 0 } }))
    const answers = await Promise.all(requests)
    const approved = answers.reduce((sum, r) => sum + (r.body.transaction.state === 'DECLINED' ? 0 : r.body.transaction.amount), 0)
    const b = await available(h, first.account.id)
    assert.ok(approved <= 2_000, `approved ${approved}`)
    assert.ok(b.available >= 0)
    assert.equal(b.available, 2_000 - approved)
  })
})
