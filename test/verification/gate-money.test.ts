// The gate kept for an account's life: once a holder's verification leaves ACCEPTED (a vendor's
// result uploaded, a watchlist hit), money stops moving on its behalf: internal transfers to and
// from the account, ACH it originates and new card authorizations; the bank's own postings and
// what gives money back go on. Verified again, the account moves money again. Decided by the
// ledger's rules (customer_not_verified, business_not_verified) from the account's row, which the
// database keeps whichever path changes a verification or a relationship (migration 1650).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { auditLedger } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { balanceOf, createTemplate, fundingAccount, transfer } from '../support/accounts.js'
import { customer, originate } from '../ach/support.js'
import { authorize, fundedCard } from '../card-authorization/support.js'
import { createVerifiedBusiness, createVerifiedPerson } from '../support/parties.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => {
  assert.deepEqual((await auditLedger(h.sql)).discrepancies, [])
  await h.close()
})

const upload = async (party: Record<string, string>, result: string) => {
  const res = await h.request('POST', '/v0/verifications', { body: { verification_time: '2026-01-02T03:04:05Z', verification_type: 'MANUAL_REVIEW', result, ...party } })
  assert.equal(res.status, 201, JSON.stringify(res.body))
}
const account = async (id: string) => (await h.request('GET', `/v0/accounts/${id}`)).body

describe('money moves for a holder only while it is verified', () => {
  it('stops internal transfers and ACH for a business holder in REVIEW, and starts them again once it is ACCEPTED', async () => {
    const c = await customer(h, 10_000)
    const funding = await fundingAccount(h)
    // Decided from memory first: the batcher knows the account as it was before the change.
    assert.equal((await transfer(h, { amount: 100, originating_account_id: c.account.id, receiving_account_id: funding.id })).status, 200)
    await upload({ business_id: c.business.id }, 'REVIEW')
    const before = balanceOf(await account(c.account.id), 'ACCOUNT_BALANCE')
    for (const body of [
      { amount: 100, originating_account_id: c.account.id, receiving_account_id: funding.id },
      { amount: 100, originating_account_id: funding.id, receiving_account_id: c.account.id },
      { amount: 100, originating_account_id: c.account.id, receiving_account_id: funding.id, capture_mode: 'MANUAL' },
    ]) {
      const res = await transfer(h, body)
      assert.equal(res.status, 422, JSON.stringify(res.body))
      assert.equal(res.body.code, 'BUSINESS_NOT_VERIFIED')
    }
    for (const dc_sign of ['credit', 'debit']) {
      const res = await originate(h, c, { amount: 100, dc_sign })
      assert.equal(res.status, 422, `${dc_sign}: ${JSON.stringify(res.body)}`)
      assert.equal(res.body.code, 'BUSINESS_NOT_VERIFIED')
    }
    assert.equal(balanceOf(await account(c.account.id), 'ACCOUNT_BALANCE'), before, 'nothing moved')

    await upload({ business_id: c.business.id }, 'ACCEPTED')
    assert.equal((await transfer(h, { amount: 100, originating_account_id: c.account.id, receiving_account_id: funding.id })).status, 200)
    assert.equal((await originate(h, c, { amount: 100, dc_sign: 'credit' })).status, 201)
  })

  it('declines a person\'s new card authorizations, and lets a hold made before be captured or released', async () => {
    const { card, account: acct, person } = await fundedCard(h, 5_000)
    const earlier = await authorize(h, card.id, 300)
    assert.equal(earlier.status, 201, JSON.stringify(earlier.body))
    const manual = await transfer(h, { amount: 200, originating_account_id: acct.id, receiving_account_id: (await fundingAccount(h)).id, capture_mode: 'MANUAL' })
    assert.equal(manual.status, 200, JSON.stringify(manual.body))
    await upload({ person_id: person.id }, 'REJECTED')

    const declined = await authorize(h, card.id, 300)
    assert.equal(declined.status, 201, JSON.stringify(declined.body))
    assert.equal(declined.body.transaction.state, 'DECLINED')
    assert.equal(declined.body.transaction.decline_reason, 'IMPROPER_CUSTOMER_VERIFICATION_STATUS')
    // What was authorized before still clears; a held transfer can be canceled (it gives money back) but not completed.
    const cleared = await h.request('POST', '/v0/cards/transaction_simulations/clearing', { body: { original_transaction_id: earlier.body.transaction.token, amount: 300 } })
    assert.equal(cleared.status, 201, JSON.stringify(cleared.body))
    assert.equal(cleared.body.transaction.state, 'CLEARED')
    const completed = await h.request('PATCH', `/v0/transactions/internal_transfer/${manual.body.id}`, { body: { status: 'COMPLETE' } })
    assert.equal(completed.status, 422, JSON.stringify(completed.body))
    assert.equal(completed.body.code, 'CUSTOMER_NOT_VERIFIED')
    const canceled = await h.request('PATCH', `/v0/transactions/internal_transfer/${manual.body.id}`, { body: { status: 'CANCELED' } })
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body))
    assert.equal(balanceOf(await account(acct.id), 'AVAILABLE_BALANCE'), 5_000 - 300)
  })

  it('counts holders only: an unverified signer stops nothing, its removal starts nothing', async () => {
    const c = await customer(h, 1_000)
    const funding = await fundingAccount(h)
    const other = await h.request('POST', '/v0/businesses', { body: { is_customer: true, status: 'ACTIVE', entity_name: 'Later Holder LLC' } })
    assert.equal(other.status, 201)
    // An unverified party may sign but not hold: as a signer, money still moves.
    const signer = await h.request('POST', `/v0/accounts/${c.account.id}/relationships`, { body: { relationship_type: 'AUTHORIZED_SIGNER', business_id: other.body.id } })
    assert.equal(signer.status, 201, JSON.stringify(signer.body))
    assert.equal((await transfer(h, { amount: 10, originating_account_id: c.account.id, receiving_account_id: funding.id })).status, 200)
    // The holder's verification put back to REVIEW, then the relationship removed and the holder verified again.
    await upload({ business_id: c.business.id }, 'REVIEW')
    assert.equal((await transfer(h, { amount: 10, originating_account_id: c.account.id, receiving_account_id: funding.id })).body.code, 'BUSINESS_NOT_VERIFIED')
    assert.equal((await h.request('DELETE', `/v0/accounts/${c.account.id}/relationships/${signer.body.id}`)).status, 200)
    assert.equal((await transfer(h, { amount: 10, originating_account_id: c.account.id, receiving_account_id: funding.id })).body.code, 'BUSINESS_NOT_VERIFIED')
    await upload({ business_id: c.business.id }, 'ACCEPTED')
    assert.equal((await transfer(h, { amount: 10, originating_account_id: c.account.id, receiving_account_id: funding.id })).status, 200)
  })

  // Two verifications of different holders of one account at once, each seeing the other's change
  // uncommitted: the second waits for the first's lock on the account's holder row, then works the
  // value out from what the first committed, so the account ends gated.
  it('works the gate out from both of two concurrent changes to different holders of one account', async () => {
    const [p, q] = [await createVerifiedPerson(h), await createVerifiedPerson(h)]
    const opened = await h.request('POST', '/v0/accounts', { body: { account_template_id: (await createTemplate(h)).id, relationships: [
      { relationship_type: 'PRIMARY_ACCOUNT_HOLDER', customer_id: p.id }, { relationship_type: 'ACCOUNT_HOLDER', customer_id: q.id }] } })
    assert.equal(opened.status, 201, JSON.stringify(opened.body))
    const funding = await fundingAccount(h)
    assert.equal((await transfer(h, { amount: 1_000, originating_account_id: funding.id, receiving_account_id: opened.body.id })).status, 200)
    await upload({ person_id: q.id }, 'REJECTED')
    const [first, second] = [await h.sql.reserve(), await h.sql.reserve()]
    try {
      await first`begin`
      await first`update persons set verification_status = 'ACCEPTED' where id = ${q.id}`
      await second`begin`
      const pid = (await second<{ pid: number }[]>`select pg_backend_pid() as pid`)[0].pid
      let done = false
      const rejecting = second`update persons set verification_status = 'REJECTED' where id = ${p.id}`.then(() => { done = true })
      // The second either waits on the first's lock (as it must) or, were it to take none, finishes alone.
      for (;;) {
        if (done) break
        const [row] = await h.sql<{ waiting: boolean }[]>`select wait_event_type = 'Lock' as waiting from pg_stat_activity where pid = ${pid}`
        if (row?.waiting) break
        await new Promise((r) => setImmediate(r))
      }
      await first`commit`
      await rejecting
      await second`commit`
    } finally {
      first.release()
      second.release()
    }
    const res = await transfer(h, { amount: 10, originating_account_id: opened.body.id, receiving_account_id: funding.id })
    assert.deepEqual([res.status, res.body.code], [422, 'CUSTOMER_NOT_VERIFIED'], JSON.stringify(res.body))
  })

  // A business's verification changes its owner and then the business in one transaction. Ledger
  // batches never wait on it: the gate's rows are not the accounts' rows they lock.
  it('lets a transfer between a business and its owner go on while a verification of both is open', async () => {
    const owner = await createVerifiedPerson(h)
    const business = await createVerifiedBusiness(h)
    const template = (await createTemplate(h)).id
    const open = async (rel: Record<string, string>) => {
      const res = await h.request('POST', '/v0/accounts', { body: { account_template_id: template, relationships: [{ relationship_type: 'PRIMARY_ACCOUNT_HOLDER', ...rel }] } })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      return res.body.id as string
    }
    const [personal, corporate] = [await open({ customer_id: owner.id }), await open({ business_id: business.id })]
    const funding = await fundingAccount(h)
    for (const id of [personal, corporate]) assert.equal((await transfer(h, { amount: 1_000, originating_account_id: funding.id, receiving_account_id: id })).status, 200)
    const run = await h.sql.reserve()
    try {
      await run`begin`
      await run`update persons set verification_status = 'REVIEW' where id = ${owner.id}`
      // While the run holds what it locked, transfers both ways between the two accounts answer.
      for (const [from, to] of [[corporate, personal], [personal, corporate]]) {
        const res = await transfer(h, { amount: 10, originating_account_id: from, receiving_account_id: to })
        assert.equal(res.status, 200, JSON.stringify(res.body))
      }
      await run`update businesses set verification_status = 'REVIEW' where id = ${business.id}`
      await run`commit`
    } finally {
      run.release()
    }
    const res = await transfer(h, { amount: 10, originating_account_id: corporate, receiving_account_id: personal })
    assert.deepEqual([res.status, res.body.code], [422, 'BUSINESS_NOT_VERIFIED'], JSON.stringify(res.body))
  })
})
