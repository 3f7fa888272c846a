// One window for every rail: a spend control whose payment_types name no type (or name the card
// with a ledger rail) counts card messages, internal transfers and ACH together, whichever rail asks.
// The card rail adds the ledger's payments to its messages (card_spend_sums, ledger_spend_in); the
// ledger counts the card's holds among its records. Both read under the account's spend lock, so
// two Keel processes taking card messages and transfers on one account at once never fill its
// window past the limit.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { auditLedger } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { refused } from './support.js'
import { startKeel, type KeelProcess } from '../support/keel-process.js'
import { balances, fundingAccount, transfer } from '../support/accounts.js'
import { authorize, fundedCard, merchant, simulate, spendControl, stateOf } from '../card-authorization/support.js'
import { advanceTo } from '../ach/support.js'

/** The key a `keel start` process uses unless told otherwise (test/support/keel-process.ts): the cards' secrets are shared. */
const encryptionKey = '11'.repeat(32)
let h: Harness
before(async () => { h = await startHarness({ encryptionKey }) })
after(async () => {
  assert.deepEqual((await auditLedger(h.sql)).discrepancies, [])
  await h.close()
})

const week = { time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 7 } }
/** A card on an account funded with 100.00, and a spend control made with `control` attached to the account. */
const controlledCard = async (control: Record<string, unknown>) => {
  const sc = await spendControl(h, control)
  const { card, account } = await fundedCard(h, 100_000, { spendControlIds: [sc.id] })
  return { card, account, funding: await fundingAccount(h) }
}
const pay = (from: string, to: string, amount: number) => transfer(h, { amount, originating_account_id: from, receiving_account_id: to })

describe('a window that names no payment type', () => {
  it('declines a card message once internal transfers have filled it, and refuses a transfer once card holds have', async () => {
    const { card, account, funding } = await controlledCard({ amount_limit: 1_000, ...week })
    assert.equal((await pay(account.id, funding.id, 700)).status, 200)
    assert.equal(stateOf(await authorize(h, card.id, 400)), 'DECLINED SPEND_CONTROL_VIOLATION')
    assert.equal(stateOf(await authorize(h, card.id, 300)), 'PENDING')
    refused(await pay(account.id, funding.id, 1))
    assert.equal((await balances(h, account.id)).available, 100_000 - 700 - 300)
  })

  it('sums the transfers into the card rail\'s windows, in both its reads: the one under the lock and the bounds of a batch decided from memory', async () => {
    const { card, account, funding } = await controlledCard({ amount_limit: 1_000, ...week })
    assert.equal((await pay(account.id, funding.id, 800)).status, 200)
    assert.equal(stateOf(await authorize(h, card.id, 100)), 'PENDING')
    // What a message now asks the windows (sumsArgument in src/card-authorization/store.ts): the
    // window from a week ago, counting the ledger's payments of both its rails as debits.
    const at = Date.now()
    const queries = JSON.stringify([{
      i: 0, w: h.workspaces.a, a: account.id, c: card.id, at: new Date(at).toISOString(), since: new Date(at - 60_000).toISOString(),
      windows: [new Date(at - 7 * 86_400_000).toISOString()], pay: [{ d: 'DEBITS', k: ['ACH', 'INTERNAL_TRANSFER'], s: [] }],
    }])
    const sums = await h.sql<{ k: number; debits: string }[]>`select k, debits::text from card_spend_sums(${queries}::text::jsonb) where k = 0`
    assert.deepEqual(sums.map((r) => r.debits), ['900'], 'the card hold and the transfer')
    const over = (most: number) => h.sql<{ k: number }[]>`select k from card_spend_over(${queries}::text::jsonb, array['DEBITS'], array[null, ${most}]::int8[], 2)`
    assert.deepEqual((await over(899)).map((r) => r.k), [0], 'over a bound below what both rails spent')
    assert.deepEqual((await over(900)).map((r) => r.k), [], 'within a bound of what both rails spent')
    assert.equal(stateOf(await authorize(h, card.id, 101)), 'DECLINED SPEND_CONTROL_VIOLATION')
    assert.equal(stateOf(await authorize(h, card.id, 100)), 'PENDING')
  })

  it('counts only what the window names: a card-only window leaves transfers out, a transfer-only one does not govern the card', async () => {
    const cardOnly = await controlledCard({ amount_limit: 1_000, payment_types: ['CARD'], ...week })
    assert.equal((await pay(cardOnly.account.id, cardOnly.funding.id, 900)).status, 200)
    assert.equal(stateOf(await authorize(h, cardOnly.card.id, 1_000)), 'PENDING')
    const transfersOnly = await controlledCard({ amount_limit: 1_000, payment_types: ['INTERNAL_TRANSFER'], ...week })
    assert.equal(stateOf(await authorize(h, transfersOnly.card.id, 900)), 'PENDING')
    assert.equal((await pay(transfersOnly.account.id, transfersOnly.funding.id, 1_000)).status, 200, 'the card hold is not an internal transfer')
    refused(await pay(transfersOnly.account.id, transfersOnly.funding.id, 1))
    // Named together, the card and internal transfers share the window; a window listing merchant
    // codes counts card messages only (no transfer has a merchant).
    const both = await controlledCard({ amount_limit: 1_000, payment_types: ['CARD', 'INTERNAL_TRANSFER'], ...week })
    assert.equal((await pay(both.account.id, both.funding.id, 600)).status, 200)
    assert.equal(stateOf(await authorize(h, both.card.id, 401)), 'DECLINED SPEND_CONTROL_VIOLATION')
    const merchants = await controlledCard({ amount_limit: 1_000, merchant_category_codes: [merchant.mcc], ...week })
    assert.equal((await pay(merchants.account.id, merchants.funding.id, 900)).status, 200)
    assert.equal(stateOf(await authorize(h, merchants.card.id, 1_000)), 'PENDING')
  })

  it('frees its room as the card hold is reversed and as time moves past the transfers', async () => {
    const { card, account, funding } = await controlledCard({ amount_limit: 1_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 1 } })
    const held = await authorize(h, card.id, 600)
    assert.equal(stateOf(held), 'PENDING')
    assert.equal((await pay(account.id, funding.id, 400)).status, 200)
    refused(await pay(account.id, funding.id, 1))
    const reversal = await simulate(h, 'reversal', { original_transaction_id: held.body.transaction.token, amount: 600 })
    assert.equal(reversal.status, 201, JSON.stringify(reversal.body))
    assert.equal(stateOf(await authorize(h, card.id, 600)), 'PENDING')
    assert.equal(stateOf(await authorize(h, card.id, 1)), 'DECLINED SPEND_CONTROL_VIOLATION')
    const clock = await h.request('GET', '/v0/sandbox/clock')
    await advanceTo(h, new Date(Date.parse(clock.body.now) + 25 * 3600_000).toISOString())
    assert.equal(stateOf(await authorize(h, card.id, 1_000)), 'PENDING')
  })
})

describe('card messages and transfers at once', () => {
  const servers: KeelProcess[] = []
  after(async () => { await Promise.all(servers.map((s) => s.stop())) })

  it('never fill a window past its limit, on two Keel processes', async () => {
    servers.push(...(await Promise.all([startKeel(h.databaseUrl), startKeel(h.databaseUrl)])))
    const { card, account, funding } = await controlledCard({ amount_limit: 1_000, ...week })
    const post = async (server: KeelProcess, path: string, body: Record<string, unknown>) => {
      const res = await fetch(`${server.url}/v0${path}`, {
        method: 'POST', body: JSON.stringify(body),
        headers: { authorization: `Bearer ${h.keys.a}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      })
      return { status: res.status, body: await res.json() as any }
    }
    // Twelve card messages and twelve transfers of 1.00 against a window of 10.00, each rail on both processes.
    const asks = Array.from({ length: 24 }, (_, n) => {
      const server = servers[n % 2]
      return n % 4 < 2
        ? post(server, '/cards/transaction_simulations/authorization', { card_id: card.id, amount: 100, mid: 'MID-1', card_acceptor: merchant }).then((res) => {
          assert.equal(res.status, 201, JSON.stringify(res.body))
          return res.body.transaction.state === 'PENDING' ? 'approved' : res.body.transaction.decline_reason
        })
        : post(server, '/transactions/internal_transfer', { amount: 100, currency: 'USD', type: 'ACCOUNT_TO_ACCOUNT', originating_account_id: account.id, receiving_account_id: funding.id }).then((res) => {
          if (res.status === 200) return 'approved'
          assert.equal(res.status, 422, JSON.stringify(res.body))
          return res.body.code
        })
    })
    const outcomes = await Promise.all(asks)
    assert.equal(outcomes.filter((o) => o === 'approved').length, 10, outcomes.join(' '))
    assert.equal(outcomes.filter((o) => o === 'SPEND_CONTROL_VIOLATION').length, 14, outcomes.join(' '))
    assert.equal((await balances(h, account.id)).available, 100_000 - 1_000)
  })
})
