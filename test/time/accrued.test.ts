// The accrued-not-paid interest figure (ACCRUED_INTEREST_MTD) among an account's balances, on an
// advanced sandbox clock: it follows the interest arithmetic day by day, drops to the carried
// remainder at the month's payout, and is absent on an account without an INTEREST product. Shown
// the same by GET one, GET the list, PATCH and the account's events.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { WorkspaceClock } from '../../src/platform/clock.js'
import { auditLedger } from '../../src/ledger/index.js'
import { accruedOf } from '../../src/interest/index.js'
import { accruedMicroMax, accruedShownMinor, apyBpsMax, runDays, type Rate } from '../../src/interest/arithmetic.js'
import { isMonthEnd } from '../../src/statements/calendar.js'
import { startHarness, type Harness } from '../support/harness.js'
import { balances, fundingAccount, openAccount, transfer } from '../support/accounts.js'

// 10 December 2031, 10:00 in New York.
const baseMs = Date.parse('2031-12-10T15:00:00Z')
let h: Harness
let ws: { id: string; key: string }
before(async () => {
  h = await startHarness({ clock: new WorkspaceClock(() => baseMs) })
  ws = await h.newWorkspace('accrued', 'sandbox')
})
after(async () => {
  assert.deepEqual((await auditLedger(h.sql)).discrepancies, [])
  await h.close()
})

const rates: Rate[] = [{ rate: 500, valid_from: '2031-01-01' }]
const interestProduct = { product_type: 'INTEREST', calculation_method: 'COMPOUNDED_DAILY', accrual_payout_schedule: 'MONTHLY', rates: rates.map((r) => ({ ...r, accrual_period: 'DAILY' })) }
const daysOf = (from: string, n: number, balance: bigint) => Array.from({ length: n }, (_, i) => ({ day: new Date(Date.parse(from + 'T00:00:00Z') + i * 86_400_000).toISOString().slice(0, 10), balance }))
const accruedIn = (account: any): number | undefined => account.balances.find((b: any) => b.type === 'ACCRUED_INTEREST_MTD')?.balance
const advance = async (to: string) => {
  const res = await h.request('POST', '/v0/sandbox/clock/advance', { body: { to }, key: ws.key })
  assert.equal(res.status, 200, JSON.stringify(res.body))
}
const getAccount = async (id: string) => {
  const res = await h.request('GET', `/v0/accounts/${id}`, { key: ws.key })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body
}

describe('accrued interest among an account\'s balances', () => {
  let saver: any
  let plain: any

  it('is 0 on an account with an INTEREST product before any day closes, and absent without one', async () => {
    const product = await h.request('POST', '/v0/accounts/products', { body: interestProduct, key: ws.key })
    assert.equal(product.status, 201, JSON.stringify(product.body))
    saver = await openAccount(h, { interest_product_id: product.body.id }, ws.key)
    plain = await openAccount(h, {}, ws.key)
    assert.equal(accruedIn(saver), 0)
    assert.deepEqual(plain.balances.map((b: any) => b.type), ['ACCOUNT_BALANCE', 'AVAILABLE_BALANCE'])
    const [created] = await h.sql`select resource from events where workspace_id = ${ws.id} and resource_id = ${saver.id} and type = 'ACCOUNT.CREATED'`
    assert.equal(accruedIn(created.resource), 0)
    const funding = await fundingAccount(h, ws.key)
    for (const a of [saver, plain]) {
      const funded = await transfer(h, { amount: 1_000_000, originating_account_id: funding.id, receiving_account_id: a.id }, { key: ws.key })
      assert.equal(funded.status, 200, JSON.stringify(funded.body))
    }
    assert.equal(accruedIn(await getAccount(saver.id)), 0)
  })

  it('follows the arithmetic day by day, on one account and on the list', async () => {
    // Noon in New York on the 20th: the days 10 to 19 have closed.
    await advance('2031-12-20T17:00:00Z')
    const r = runDays('COMPOUNDED_DAILY', 'MONTHLY', rates, daysOf('2031-12-10', 10, 1_000_000n), isMonthEnd)
    assert.equal(await accruedOf(h.sql, ws.id, saver.id), r.accruedMicro)
    const expected = Number(accruedShownMinor(r.accruedMicro))
    // $10,000 at 5%: about 137 cents a day.
    assert.ok(expected > 1300 && expected < 1400, String(expected))
    assert.equal(accruedIn(await getAccount(saver.id)), expected)

    const list = await h.request('GET', '/v0/accounts', { key: ws.key })
    assert.equal(list.status, 200, JSON.stringify(list.body))
    const byId = new Map(list.body.accounts.map((a: any) => [a.id, a]))
    assert.equal(accruedIn(byId.get(saver.id)), expected)
    assert.equal(accruedIn(byId.get(plain.id)), undefined)
    assert.equal((byId.get(plain.id) as any).balances.length, 2)

    // A change renders it too, in the response and in the ACCOUNT.UPDATED event.
    const patched = await h.request('PATCH', `/v0/accounts/${saver.id}`, { body: { nickname: 'saver' }, key: ws.key })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.equal(accruedIn(patched.body), expected)
    const [updated] = await h.sql`select resource from events where workspace_id = ${ws.id} and resource_id = ${saver.id} and type = 'ACCOUNT.UPDATED' order by id desc limit 1`
    assert.equal(accruedIn(updated.resource), expected)
  })

  it('drops to the carried remainder at the month\'s payout, then accrues again', async () => {
    // Seven in the morning in New York on 1 January: 31 December has closed and December's interest is paid.
    await advance('2032-01-01T12:00:00Z')
    const december = runDays('COMPOUNDED_DAILY', 'MONTHLY', rates, daysOf('2031-12-10', 22, 1_000_000n), isMonthEnd)
    assert.equal(december.paidCents.length, 1)
    assert.equal(await accruedOf(h.sql, ws.id, saver.id), december.accruedMicro)
    // The carry is below half a cent either way: what shows is 0, as a payout of it would pay.
    assert.ok(december.accruedMicro > -500_000n && december.accruedMicro < 500_000n)
    const paidOut = await getAccount(saver.id)
    assert.equal(accruedIn(paidOut), Number(accruedShownMinor(december.accruedMicro)))
    assert.equal(accruedIn(paidOut), 0)
    const balance = 1_000_000n + december.paidCents[0]
    assert.equal((await balances(h, saver.id, ws.key)).posted, Number(balance))

    // The days 1 to 4 of January accrue on the paid-up balance, from the carry.
    await advance('2032-01-05T17:00:00Z')
    const january = runDays('COMPOUNDED_DAILY', 'MONTHLY', rates, daysOf('2032-01-01', 4, balance), isMonthEnd, { accruedMicro: december.accruedMicro, capitalisedMicro: december.capitalisedMicro })
    assert.equal(await accruedOf(h.sql, ws.id, saver.id), january.accruedMicro)
    assert.equal(accruedIn(await getAccount(saver.id)), Number(accruedShownMinor(january.accruedMicro)))
    assert.equal(accruedIn(await getAccount(plain.id)), undefined)
  })
  it('takes any rate the spec allows on a large balance: accrual stops at what the position keeps, and a month closes', async () => {
    const own = await h.newWorkspace('accrued-highest-rate', 'sandbox')
    // The spec's rate is an int32 of basis points: one past it is refused.
    const tooHigh = await h.request('POST', '/v0/accounts/products', { body: { ...interestProduct, rates: [{ ...interestProduct.rates[0], rate: 2 ** 31 }] }, key: own.key })
    assert.equal(tooHigh.status, 400, JSON.stringify(tooHigh.body))
    const product = await h.request('POST', '/v0/accounts/products', { body: { ...interestProduct, rates: [{ ...interestProduct.rates[0], rate: 2 ** 31 - 1 }] }, key: own.key })
    assert.equal(product.status, 201, JSON.stringify(product.body))
    const account = await openAccount(h, { interest_product_id: product.body.id }, own.key)
    const funded = await transfer(h, { amount: 10_000_000_000, originating_account_id: (await fundingAccount(h, own.key)).id, receiving_account_id: account.id }, { key: own.key })
    assert.equal(funded.status, 200, JSON.stringify(funded.body))
    // Past a month's end: every day accrues (the first few reach the most a position keeps), the month pays out, a statement is issued.
    const moved = await h.request('POST', '/v0/sandbox/clock/advance', { body: { by: 'P35D' }, key: own.key })
    assert.equal(moved.status, 200, JSON.stringify(moved.body))
    const accrued = await accruedOf(h.sql, own.id, account.id)
    assert.ok(accrued > 0n && accrued <= accruedMicroMax, String(accrued))
    const statements = await h.request('GET', `/v0/statements?account_id=${account.id}`, { key: own.key })
    assert.equal(statements.status, 200, JSON.stringify(statements.body))
    assert.equal(statements.body.statements.length, 1)
    const [stored] = await h.sql<{ apy_bps: number; interest_paid: string }[]>`select apy_bps, interest_paid::text from statements where workspace_id = ${own.id}`
    assert.equal(stored.apy_bps, apyBpsMax)
    assert.ok(BigInt(stored.interest_paid) > 0n)
    assert.ok((await balances(h, account.id, own.key)).posted > 10_000_000_000)
  })
})
