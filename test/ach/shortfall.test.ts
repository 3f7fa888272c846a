// A settled debit's return the account cannot cover: the account gives what it has above its floor,
// the bank's returns receivable account the rest, and the account owes it until funds arrive and the
// end-of-day collection takes it, oldest first. The books stay clean throughout (no account below
// its floor) and the receivable account nets to zero once all is collected.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { receivableAccountNumber } from '../../src/ach/ledger.js'
import { shortfallOwed } from '../../src/ach/shortfalls/store.js'
import { ledgerAccountByNumber } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { fundingAccount, transfer } from '../support/accounts.js'
import { advanceTo, assertBooksClean, customer, expectBalances, getAch, originate } from './support.js'

let h: Harness
before(async () => {
  h = await startHarness()
  await advanceTo(h, '2031-06-04T12:00:00Z') // Wednesday 08:00 ET
})
after(async () => { await h.close() })

const receivable = async () => (await ledgerAccountByNumber(h.sql, h.workspaces.a, receivableAccountNumber))?.posted ?? 0n
const owed = (accountId: string) => shortfallOwed(h.sql, h.workspaces.a, accountId)

it('takes a settled debit\'s return the account cannot cover, and collects the shortfall as funds arrive', async () => {
  const c = await customer(h, 1_000)
  const payee = await customer(h, 0)
  const funding = await fundingAccount(h)
  const first = await originate(h, c, { amount: 5_000, dc_sign: 'debit', is_same_day: true })
  const second = await originate(h, c, { amount: 2_000, dc_sign: 'debit', is_same_day: true })
  assert.equal(first.status, 201, JSON.stringify(first.body))
  assert.equal(second.status, 201, JSON.stringify(second.body))
  await advanceTo(h, '2031-06-04T17:01:00Z') // 13:01 ET: cut at 10:30, settled at 13:00
  assert.equal((await getAch(h, first.body.id)).status, 'COMPLETE')
  await expectBalances(h, c.account.id, { posted: 8_000, available: 8_000 })

  // The customer spends all but 500.
  assert.equal((await transfer(h, { amount: 7_500, originating_account_id: c.account.id, receiving_account_id: payee.account.id })).status, 200)

  // Thursday: the receiving bank returns the 5,000 debit (R01). The account gives its 500; 4,500 is owed.
  await advanceTo(h, '2031-06-05T13:00:00Z')
  assert.equal((await h.request('POST', '/v0/ach/transaction_simulations/receiving_return', { body: { ach_id: first.body.id, return_code: 'R01' } })).status, 201)
  const returned = await getAch(h, first.body.id)
  assert.deepEqual([returned.status, returned.return_data.code], ['DECLINED', 'R01'])
  const incoming = (await h.request('GET', '/v0/ach/incoming')).body.transactions.find((t: any) => t.outgoing_ach_id === first.body.id)
  assert.equal(incoming.status, 'POSTED')
  assert.ok(incoming.external_id)
  await expectBalances(h, c.account.id, { posted: 0, available: 0 })
  assert.equal(await owed(c.account.id), 4_500n)
  assert.equal(await receivable(), -4_500n)
  await assertBooksClean(h)

  // The second debit comes back too, with nothing left: all 2,000 owed, after the first.
  assert.equal((await h.request('POST', '/v0/ach/transaction_simulations/receiving_return', { body: { ach_id: second.body.id, return_code: 'R01' } })).status, 201)
  assert.equal((await getAch(h, second.body.id)).status, 'DECLINED')
  assert.equal(await owed(c.account.id), 6_500n)
  await assertBooksClean(h)

  // Funds arrive: 3,000. Nothing is taken before the day ends; at its end, 3,000 of the oldest debt.
  assert.equal((await transfer(h, { amount: 3_000, originating_account_id: funding.id, receiving_account_id: c.account.id })).status, 200)
  await advanceTo(h, '2031-06-05T20:00:00Z')
  await expectBalances(h, c.account.id, { posted: 3_000, available: 3_000 })
  await advanceTo(h, '2031-06-06T04:01:00Z') // 00:01 ET Friday
  await expectBalances(h, c.account.id, { posted: 0, available: 0 })
  assert.equal(await owed(c.account.id), 3_500n)
  await assertBooksClean(h)

  // An end of day with nothing above the floor collects nothing; the next with enough clears the rest.
  await advanceTo(h, '2031-06-07T04:01:00Z')
  assert.equal(await owed(c.account.id), 3_500n)
  assert.equal((await transfer(h, { amount: 4_000, originating_account_id: funding.id, receiving_account_id: c.account.id })).status, 200)
  await advanceTo(h, '2031-06-08T04:01:00Z')
  await expectBalances(h, c.account.id, { posted: 500, available: 500 })
  assert.equal(await owed(c.account.id), 0n)
  assert.equal(await receivable(), 0n)

  // The collections show in the account's posted transactions as ACH records of the returned entries.
  const posted = await h.request('GET', `/v0/transactions/posted?account_id=${c.account.id}&limit=100`)
  assert.equal(posted.status, 200, JSON.stringify(posted.body))
  const collections = posted.body.result.filter((t: any) => /^ACH return shortfall, owed since 2031-06-05$/.test(t.data.memo))
  assert.equal(collections.length, 3, JSON.stringify(posted.body.result.map((t: any) => t.data.memo)))
  for (const t of collections) assert.equal(t.data.lines[0].network, 'ACH')
  await assertBooksClean(h)
})
