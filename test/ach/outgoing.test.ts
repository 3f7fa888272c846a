// Outgoing ACH on an advanced sandbox clock: a credit and a debit from origination through the
// window's file to settlement, cancel before the cut, same-day versus next-day across Memorial Day
// weekend, and the file itself (listed, shown as text, valid by the NACHA library). Every scenario
// ends with the books audited and the held and posted amounts checked.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parseNacha, validateNacha } from '../../src/ach/nacha/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { advanceTo, assertBooksClean, customer, expectBalances, getAch, originate } from './support.js'

let h: Harness
before(async () => {
  h = await startHarness()
  // Thursday 22 May 2031, 8:00 ET.
  await advanceTo(h, '2031-05-22T12:00:00Z')
})
after(async () => { await h.close() })

describe('an ACH credit', () => {
  it('reserves the amount, goes out in the 10:30 same-day file, and settles at 13:00 ET', async () => {
    const c = await customer(h, 10_000)
    const res = await originate(h, c, { amount: 2_500, dc_sign: 'credit', is_same_day: true, memo: 'rent', company_entry_description: 'RENT', reference_info: 'invoice 7' })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const ach = res.body
    assert.equal(ach.status, 'INIT')
    assert.equal(ach.is_same_day, true)
    assert.equal(ach.effective_date, '2031-05-22')
    assert.match(ach.trace_no, /^08410676\d{7}$/)
    assert.match(ach.account_no, /^1\d{5}$/, 'the full external account number')
    await expectBalances(h, c.account.id, { posted: 10_000, available: 7_500 })
    const pending = await h.request('GET', '/v0/transactions/pending')
    assert.ok(pending.body.result.some((p: any) => p.account_id === c.account.id && p.data.amount === 2_500 && p.data.network === 'ACH'))

    await advanceTo(h, '2031-05-22T14:31:00Z') // 10:31 ET: cut
    assert.equal((await getAch(h, ach.id)).status, 'PENDING')
    await expectBalances(h, c.account.id, { posted: 10_000, available: 7_500 })
    const files = await h.request('GET', '/v0/ach/files?direction=OUTGOING')
    assert.equal(files.status, 200)
    const file = files.body.files.find((f: any) => f.window === 'SAME_DAY_1')
    assert.ok(file, JSON.stringify(files.body))
    assert.equal(file.status, 'CUT')
    assert.ok(file.credit_total >= 2_500)

    const detail = await h.request('GET', `/v0/ach/files/${file.id}`)
    assert.equal(detail.status, 200)
    assert.ok(detail.body.outgoing_ach_ids.includes(ach.id))
    const text = await h.request('GET', `/v0/ach/files/${file.id}`, { headers: { accept: 'text/plain' }, unchecked: true })
    assert.equal(text.status, 200)
    assert.match(String(text.headers['content-type']), /^text\/plain/)
    assert.equal(text.body, detail.body.content)
    const verdict = validateNacha(text.body)
    assert.deepEqual(verdict.errors, [])
    const parsed = parseNacha(text.body).file!
    const entry = parsed.batches.flatMap((b) => b.entries).find((e) => 'traceNumber' in e.detail && e.detail.traceNumber === ach.trace_no)!
    assert.equal(entry.detail.transactionCode, 22)
    assert.equal(entry.detail.amount, 2_500)
    assert.equal(entry.addenda[0]?.typeCode, '05')
    assert.equal(text.body.split('\n').filter((l: string) => l.length > 0).length % 10, 0, 'blocked to 10 records')

    await advanceTo(h, '2031-05-22T17:01:00Z') // 13:01 ET: settled
    const settled = await getAch(h, ach.id)
    assert.equal(settled.status, 'COMPLETE')
    await expectBalances(h, c.account.id, { posted: 7_500, available: 7_500 })
    const after = await h.request('GET', `/v0/ach/files/${file.id}`)
    assert.equal(after.body.status, 'SETTLED')
    await assertBooksClean(h)
  })

  it('is refused when the account cannot cover it, and nothing is recorded', async () => {
    const c = await customer(h, 1_000)
    const res = await originate(h, c, { amount: 1_001, dc_sign: 'credit' })
    assert.equal(res.status, 422)
    assert.equal(res.body.code, 'INSUFFICIENT_FUNDS')
    await expectBalances(h, c.account.id, { posted: 1_000, available: 1_000 })
    const list = await h.request('GET', '/v0/ach')
    assert.ok(!list.body.transactions.some((t: any) => t.source_account_id === c.account.id))
    await assertBooksClean(h)
  })
})

describe('an ACH debit', () => {
  it('needs a verified external account', async () => {
    const c = await customer(h, 0, { verified: false })
    const res = await originate(h, c, { amount: 500, dc_sign: 'debit' })
    assert.equal(res.status, 422)
    assert.equal(res.body.code, 'UNABLE_TO_TRANSACT')
  })

  it('brings the funds in at settlement, held until the hold\'s availability time', async () => {
    const c = await customer(h, 0)
    const res = await originate(h, c, { amount: 4_000, dc_sign: 'debit', hold: { amount: 4_000, duration: 2 } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.is_same_day, false)
    const effective = res.body.effective_date
    assert.ok(effective > '2031-05-22')
    assert.equal(res.body.hold.amount, 4_000)
    await expectBalances(h, c.account.id, { posted: 0, available: 0 })
    await advanceTo(h, `${effective}T12:31:00Z`) // 08:31 ET on the effective date: settled
    assert.equal((await getAch(h, res.body.id)).status, 'COMPLETE')
    await expectBalances(h, c.account.id, { posted: 4_000, available: 0 })
    await advanceTo(h, new Date(Date.parse(res.body.hold.availability_time) + 1000).toISOString())
    await expectBalances(h, c.account.id, { posted: 4_000, available: 4_000 })
    await assertBooksClean(h)
  })
})

describe('funds availability', () => {
  it('releases a settled debit\'s hold at once when PATCHed to now, and refuses a later time', async () => {
    const c = await customer(h, 0)
    const res = await originate(h, c, { amount: 2_000, dc_sign: 'debit', hold: { amount: 1_500, duration: 5 } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const credit = await originate(h, c, { amount: 100, dc_sign: 'credit' })
    assert.equal(credit.status, 422, 'nothing to send before the debit settles')
    await advanceTo(h, `${res.body.effective_date}T12:31:00Z`)
    await expectBalances(h, c.account.id, { posted: 2_000, available: 500 })
    const now = (await h.request('GET', '/v0/sandbox/clock')).body.now
    const later = await h.request('PATCH', `/v0/ach/${res.body.id}`, { body: { funds_availability_time: new Date(Date.parse(now) + 86_400_000).toISOString() } })
    assert.equal(later.status, 422)
    const patched = await h.request('PATCH', `/v0/ach/${res.body.id}`, { body: { funds_availability_time: now } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.ok(Date.parse(patched.body.hold.availability_time) >= Date.parse(now), 'available from the time of the change')
    await expectBalances(h, c.account.id, { posted: 2_000, available: 2_000 })
    await assertBooksClean(h)
  })
})

describe('cancel', () => {
  it('releases a credit before its file is cut, and is refused once it is', async () => {
    const c = await customer(h, 3_000)
    const res = await originate(h, c, { amount: 1_200, dc_sign: 'credit' })
    assert.equal(res.status, 201)
    await expectBalances(h, c.account.id, { posted: 3_000, available: 1_800 })
    const canceled = await h.request('PATCH', `/v0/ach/${res.body.id}`, { body: { status: 'CANCELED' } })
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body))
    assert.equal(canceled.body.status, 'CANCELED')
    await expectBalances(h, c.account.id, { posted: 3_000, available: 3_000 })
    const again = await h.request('PATCH', `/v0/ach/${res.body.id}`, { body: { status: 'CANCELED' } })
    assert.equal(again.status, 422)
    assert.equal(again.body.code, 'INVALID_STATUS')

    const second = await originate(h, c, { amount: 700, dc_sign: 'credit' })
    const ach = await getAch(h, second.body.id)
    const cut = new Date(Date.parse(`${ach.effective_date}T06:16:00Z`)).toISOString() // 02:16 ET (EDT) on its date
    await advanceTo(h, cut)
    assert.equal((await getAch(h, ach.id)).status, 'PENDING')
    const late = await h.request('PATCH', `/v0/ach/${ach.id}`, { body: { status: 'CANCELED' } })
    assert.equal(late.status, 422)
    await expectBalances(h, c.account.id, { posted: 3_000, available: 2_300 })
    assert.equal((await h.request('PATCH', '/v0/ach/0190a0b0-0000-7000-8000-000000000000', { body: { status: 'CANCELED' } })).status, 404)
    await assertBooksClean(h)
  })
})

describe('bad requests', () => {
  it('answers 400 for what the spec or the rail refuses, and changes nothing', async () => {
    const c = await customer(h, 1_000)
    const table: [Record<string, unknown>, number, string][] = [
      [{ amount: 100, dc_sign: 'credit', currency: 'EUR' }, 400, 'BAD_REQUEST_BODY'],
      [{ amount: 100, dc_sign: 'credit', is_same_day: true, effective_date: '2031-06-02' }, 400, 'BAD_REQUEST_BODY'],
      [{ amount: 100, dc_sign: 'credit', effective_date: '2020-01-01' }, 400, 'BAD_REQUEST_BODY'],
      [{ amount: 0, dc_sign: 'credit' }, 400, 'BAD_REQUEST_BODY'],
      [{ amount: 100, dc_sign: 'sideways' }, 400, 'BAD_REQUEST_BODY'],
      [{ amount: 100, dc_sign: 'credit', originating_account_id: '0190a0b0-0000-7000-8000-000000000000' }, 400, 'ACCOUNT_NOT_FOUND'],
      [{ amount: 100, dc_sign: 'credit', receiving_account_id: '0190a0b0-0000-7000-8000-000000000000' }, 400, 'ACCOUNT_NOT_FOUND'],
      [{ amount: 100, dc_sign: 'credit', customer_id: '0190a0b0-0000-7000-8000-000000000000' }, 422, 'IMPROPER_ACCOUNT_CUSTOMER_RELATIONSHIP'],
      // A hold whose availability time would have a year of five digits, which no date-time holds;
      // the spec sets no maximum (found by spec-requests, seed 31337).
      [{ amount: 100, dc_sign: 'debit', hold: { amount: 0, duration: 2_912_067 } }, 400, 'BAD_REQUEST_BODY'],
      [{ amount: 100, dc_sign: 'debit', hold: { amount: 0, duration: Number.MAX_SAFE_INTEGER } }, 400, 'BAD_REQUEST_BODY'],
    ]
    for (const [body, status, code] of table) {
      const res = await originate(h, c, body)
      assert.equal(res.status, status, JSON.stringify([body, res.body]))
      assert.equal(res.body.code, code)
    }
    await expectBalances(h, c.account.id, { posted: 1_000, available: 1_000 })
    const list = await h.request('GET', '/v0/ach')
    assert.ok(!list.body.transactions.some((t: any) => t.source_account_id === c.account.id), 'no entry recorded')
  })

  it('keeps workspaces apart', async () => {
    const c = await customer(h, 1_000)
    const res = await originate(h, c, { amount: 100, dc_sign: 'credit' })
    assert.equal((await h.request('GET', `/v0/ach/${res.body.id}`, { key: h.keys.b })).status, 404)
    const other = await h.request('GET', '/v0/ach', { key: h.keys.b })
    assert.ok(!other.body.transactions.some((t: any) => t.id === res.body.id))
  })
})

describe('same-day versus next-day across a holiday weekend', () => {
  it('moves a same-day credit asked for after Friday\'s cut-off to Tuesday, past Memorial Day', async () => {
    const c = await customer(h, 5_000)
    await advanceTo(h, '2031-05-30T21:00:00Z') // Friday 30 May 17:00 ET: not a holiday weekend, sanity
    const fri = await originate(h, c, { amount: 100, dc_sign: 'credit', is_same_day: true })
    assert.equal(fri.body.is_same_day, false)
    assert.equal(fri.body.effective_date, '2031-06-02')
    const big = await originate(h, c, { amount: 100_000_001, dc_sign: 'credit', is_same_day: true })
    assert.equal(big.status, 422, 'over the balance anyway; the limit itself is a table row in calendar.test.ts')
    await assertBooksClean(h)
  })

  it('on the holiday weekend itself: Friday 23 May after 16:45 ET → Tuesday 27 May', async () => {
    const h2 = await startHarness()
    try {
      await advanceTo(h2, '2031-05-23T20:50:00Z') // Friday 16:50 ET, before Memorial Day
      const c = await customer(h2, 5_000)
      const res = await originate(h2, c, { amount: 900, dc_sign: 'credit', is_same_day: true })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      assert.equal(res.body.is_same_day, false)
      assert.equal(res.body.effective_date, '2031-05-27')
      await advanceTo(h2, '2031-05-26T23:00:00Z') // Monday 19:00 ET, the holiday: nothing cut
      assert.equal((await getAch(h2, res.body.id)).status, 'INIT')
      assert.equal((await h2.request('GET', '/v0/ach/files?direction=OUTGOING')).body.files.length, 0)
      await advanceTo(h2, '2031-05-27T13:00:00Z') // Tuesday 09:00 ET: cut at 02:15, settled at 08:30
      assert.equal((await getAch(h2, res.body.id)).status, 'COMPLETE')
      await expectBalances(h2, c.account.id, { posted: 4_100, available: 4_100 })
      await assertBooksClean(h2)
    } finally {
      await h2.close()
    }
  })
})

describe('ACH fees', () => {
  it('charges the account\'s ACH_FEE with the settlement, in its linked group; a fee it cannot pay is owed', async () => {
    const fee = await h.request('POST', '/v0/accounts/products', { body: { product_type: 'FEE', fee_type: 'ACH_FEE', amount: 150, currency: 'USD' } })
    assert.equal(fee.status, 201, JSON.stringify(fee.body))
    const paying = await customer(h, 10_000, { terms: { fee_product_ids: [fee.body.id] } })
    const short = await customer(h, 2_500, { terms: { fee_product_ids: [fee.body.id] } })
    const sent = await originate(h, paying, { amount: 2_500, dc_sign: 'credit', is_same_day: true })
    const emptied = await originate(h, short, { amount: 2_500, dc_sign: 'credit', is_same_day: true })
    assert.equal(sent.status, 201, JSON.stringify(sent.body))
    assert.equal(emptied.status, 201, JSON.stringify(emptied.body))
    // Four days on: past the settlement of whichever window took them.
    assert.equal((await h.request('POST', '/v0/sandbox/clock/advance', { body: { by: 'P4D' } })).status, 200)
    assert.equal((await getAch(h, sent.body.id)).status, 'COMPLETE')
    assert.equal((await getAch(h, emptied.body.id)).status, 'COMPLETE', 'the entry settles; only its fee waits')
    await expectBalances(h, paying.account.id, { posted: 10_000 - 2_500 - 150, available: 10_000 - 2_500 - 150 })
    await expectBalances(h, short.account.id, { posted: 0, available: 0 })

    const posted = await h.request('GET', `/v0/transactions/posted?account_id=${paying.account.id}`)
    assert.equal(posted.status, 200)
    const feeRecord = posted.body.result.find((t: any) => t.data.lines.some((l: any) => l.is_fee))
    const settlement = posted.body.result.find((t: any) => t.type === 'ACH.OUTGOING_CREDIT' && t.status === 'POSTED' && !t.data.lines.some((l: any) => l.is_fee))
    assert.ok(feeRecord && settlement, JSON.stringify(posted.body.result.map((t: any) => [t.type, t.subtype])))
    assert.equal(feeRecord.type, 'ACH_FEE')
    assert.equal(feeRecord.data.lines.find((l: any) => l.account_id === paying.account.id).amount, 150)
    const [group] = await h.sql`select group_id from ledger_transfers where id = ${feeRecord.uuid}`
    assert.ok(group.group_id !== null, 'the fee posted in the settlement\'s linked group')

    const owed = await h.sql`select fee_type, amount, remaining, cause_id from fees_owed where account_id = ${short.account.id}`
    assert.deepEqual(owed.map((o) => [o.fee_type, o.amount, o.remaining, o.cause_id]), [['ACH_FEE', 150n, 150n, emptied.body.id]])
    await assertBooksClean(h)
  })
})
