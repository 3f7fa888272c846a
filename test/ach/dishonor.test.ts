// Dishonored and contested returns on an advanced sandbox clock, both ways:
// - as ODFI, Keel dishonors returns of its entries that are late (R68), duplicates (R67), of wrong
//   amount (R69 03), misrouted (R61) or not asked for (R70): the entry stands, and a DISHONOR goes out
//   in the next file with the return's money; a contest of Keel's dishonor makes the return final;
// - as RDFI, a dishonored return of a return Keel sent is accepted (Keel's return is reversed: the
//   entry posts, or waits in suspense) or contested (R73, R76, R72) with a CONTEST in the next file.
// Every file Keel cuts is valid NACHA; the books are audited and the suspense account nets out.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { contestedDishonorFile, returnFile } from '../../src/ach/simulations/build.js'
import { isValidRouting, parseNacha, validateNacha, type Addenda99 } from '../../src/ach/nacha/index.js'
import { suspenseAccountNumber } from '../../src/ach/ledger.js'
import { getOutgoing } from '../../src/ach/store.js'
import { ledgerAccountByNumber } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { fundingAccount, transfer } from '../support/accounts.js'
import { advanceTo, assertBooksClean, customer, expectBalances, getAch, incomingByAccount, originate, type Customer, ingestFile, simulateReturn } from './support.js'

let h: Harness
before(async () => {
  h = await startHarness()
  await advanceTo(h, '2031-06-04T12:00:00Z') // Wednesday 08:00 ET
})
after(async () => { await h.close() })

const simulateIncoming = (account_number: string, amount: number, dc_sign: 'credit' | 'debit') =>
  h.request('POST', '/v0/ach/transaction_simulations/receiving_transaction', { body: { account_number, amount, dc_sign, effective_date: '2031-06-04' } })

async function sentCredit(amount: number): Promise<{ c: Customer; ach: any }> {
  const c = await customer(h, 10_000)
  const res = await originate(h, c, { amount, dc_sign: 'credit', is_same_day: true })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return { c, ach: res.body }
}

/** The outgoing entries Keel sent back about an incoming entry. */
async function sentAbout(incomingId: string): Promise<any[]> {
  const res = await h.request('GET', `/v0/ach?incoming_ach_id=${incomingId}`)
  assert.equal(res.status, 200)
  return res.body.transactions
}

/** The latest incoming entry to an account number. */
const latestIncoming = async (accountNo: string) => (await incomingByAccount(h, accountNo)).at(-1)

/** Keel's RETURN of an incoming entry to an unknown account (R03), or of a debit it could not pay (R01). */
async function keelReturnOf(accountNo: string, amount: number, dcSign: 'credit' | 'debit') {
  assert.equal((await simulateIncoming(accountNo, amount, dcSign)).status, 201)
  const received = await latestIncoming(accountNo)
  assert.equal(received.status, 'RETURNED')
  const [ours] = await sentAbout(received.id)
  assert.ok(ours.return_data, JSON.stringify(ours))
  return { received, ours }
}

const suspensePosted = async () => (await ledgerAccountByNumber(h.sql, h.workspaces.a, suspenseAccountNumber))?.posted ?? 0n

it('dishonors and contests returns both ways, sends them in valid files, and the suspense account nets out', async () => {
  // Wednesday: three credits sent; five incoming entries Keel returns.
  const a = await sentCredit(1_000)
  const b = await sentCredit(2_000)
  const c = await sentCredit(3_000)
  const x = await keelReturnOf('99999999990', 700, 'credit') // R03: no such account
  const payer = await customer(h, 1_000)
  const y = await keelReturnOf(payer.account.account_number, 5_000, 'debit') // R01: not enough funds
  assert.match(y.received.decline_reason, /^R01/)
  const z = await keelReturnOf('99999999991', 800, 'credit')
  const q = await keelReturnOf('99999999992', 900, 'credit')
  const u = await keelReturnOf('99999999993', 600, 'credit')
  await advanceTo(h, '2031-06-04T17:01:00Z') // 13:01 ET: all of it cut at 10:30 and settled at 13:00
  for (const e of [a, b, c]) assert.equal((await getAch(h, e.ach.id)).status, 'COMPLETE')
  for (const e of [x, y, z, q, u]) assert.equal((await getAch(h, e.ours.id)).status, 'COMPLETE')

  // Friday 08:00 ET: returns of Keel's entries, within their deadline.
  await advanceTo(h, '2031-06-06T12:00:00Z')
  assert.equal((await simulateReturn(h, { ach_id: b.ach.id, return_code: 'R10' })).status, 201)
  assert.equal((await getAch(h, b.ach.id)).status, 'DECLINED')
  await expectBalances(h, b.c.account.id, { posted: 10_000, available: 10_000 })
  // The same entry returned again: a duplicate, R67. Nothing moves on the account.
  assert.equal((await simulateReturn(h, { ach_id: b.ach.id, return_code: 'R01' })).status, 201)
  const duplicate = (await h.request('GET', '/v0/ach/incoming')).body.transactions.filter((t: any) => t.outgoing_ach_id === b.ach.id).at(-1)
  assert.equal(duplicate.status, 'RETURNED')
  assert.match(duplicate.decline_reason, /^R67: duplicate return/)
  await expectBalances(h, b.c.account.id, { posted: 10_000, available: 10_000 })
  const [dishonorB] = await sentAbout(duplicate.id)
  assert.equal(dishonorB.return_data.code, 'R67')
  assert.equal(dishonorB.return_data.return_code, '01')

  // A return of the wrong amount (R69, field 03), one misrouted (R61), and an R06 Keel never asked for (R70).
  const original = (await getOutgoing(h.sql, h.workspaces.a, c.ach.id))!
  const wrongAmount = await ingestFile(h, returnFile({ ...original, amount: original.amount - 1n }, 'R01', { sequence: 9001, now: new Date() }))
  assert.equal(wrongAmount.status, 201, JSON.stringify(wrongAmount.body))
  assert.equal(wrongAmount.body.entries[0].status, 'RETURNED')
  assert.match(wrongAmount.body.entries[0].decline_reason, /^R69/)
  const [dishonorAmount] = await sentAbout(wrongAmount.body.entries[0].id)
  assert.deepEqual([dishonorAmount.return_data.code, dishonorAmount.return_data.field_errors, dishonorAmount.amount], ['R69', '03', 2_999])
  const misrouted = await ingestFile(h, returnFile({ ...original, trace_no: '011401539999999' }, 'R01', { sequence: 9002, now: new Date() }))
  assert.match(misrouted.body.entries[0].decline_reason, /^R61/)
  assert.equal(misrouted.body.entries[0].outgoing_ach_id, undefined)
  assert.equal((await simulateReturn(h, { ach_id: c.ach.id, return_code: 'R06' })).status, 201)
  assert.match((await latestReturnOf(c.ach.id)).decline_reason, /^R70/)
  assert.equal((await getAch(h, c.ach.id)).status, 'COMPLETE', 'the entry stands')
  await expectBalances(h, c.c.account.id, { posted: 7_000, available: 7_000 })

  // Dishonored returns of Keel's returns.
  // R61 of the return to an unknown account: accepted; the entry is Keel's again and, with no account, waits in suspense.
  assert.equal((await simulateReturn(h, { ach_id: x.ours.id, return_code: 'R61' })).status, 201)
  assert.equal((await getAch(h, x.ours.id)).status, 'DECLINED')
  assert.equal((await getAch(h, x.ours.id)).return_data.code, 'R61')
  const xAfter = (await h.request('GET', `/v0/ach/incoming/${x.received.id}`)).body
  assert.equal(xAfter.status, 'IN_SUSPENSE')
  assert.ok(xAfter.external_id)
  // R62 of the return of a debit the account could not pay: accepted once the account can; the debit posts.
  const funding = await fundingAccount(h)
  assert.equal((await transfer(h, { amount: 5_000, originating_account_id: funding.id, receiving_account_id: payer.account.id })).status, 200)
  assert.equal((await simulateReturn(h, { ach_id: y.ours.id, return_code: 'R62' })).status, 201)
  assert.equal((await h.request('GET', `/v0/ach/incoming/${y.received.id}`)).body.status, 'POSTED')
  await expectBalances(h, payer.account.id, { posted: 1_000, available: 1_000 })
  // R68 of Keel's timely return: contested R73. R69 naming the amount, which was right: contested R76.
  assert.equal((await simulateReturn(h, { ach_id: z.ours.id, return_code: 'R68' })).status, 201)
  const zDishonor = await latestReturnOf(z.ours.id)
  assert.equal(zDishonor.status, 'RETURNED')
  assert.match(zDishonor.decline_reason, /^R73: Keel's return was timely/)
  assert.equal((await getAch(h, z.ours.id)).status, 'COMPLETE', 'Keel\'s return stands')
  const [contestZ] = await sentAbout(zDishonor.id)
  assert.deepEqual([contestZ.return_data.code, contestZ.return_data.dishonored_return_code, contestZ.return_data.return_trace], ['R73', '68', z.ours.trace_no])
  assert.equal((await simulateReturn(h, { ach_id: q.ours.id, return_code: 'R69', field_errors: '03' })).status, 201)
  assert.match((await latestReturnOf(q.ours.id)).decline_reason, /^R76/)
  assert.equal((await simulateReturn(h, { ach_id: q.ours.id, return_code: 'R99' })).status, 400)
  assert.equal((await simulateReturn(h, { ach_id: q.ours.id, return_code: 'R69', field_errors: 'amount' })).status, 400)
  assert.equal((await simulateReturn(h, { ach_id: a.ach.id, return_code: 'R68' })).status, 400, 'a dishonor answers a return Keel sent')

  // Monday 11:00 ET: R01 of A, settled Wednesday, is three banking days late: dishonored R68.
  await advanceTo(h, '2031-06-09T15:00:00Z')
  assert.equal((await simulateReturn(h, { ach_id: a.ach.id, return_code: 'R01' })).status, 201)
  const lateA = await latestReturnOf(a.ach.id)
  assert.match(lateA.decline_reason, /^R68: untimely return: R01 must be returned within 2 banking days/)
  const [dishonorA] = await sentAbout(lateA.id)
  assert.deepEqual([dishonorA.status, dishonorA.return_data.code, dishonorA.return_data.return_trace, dishonorA.amount], ['INIT', 'R68', lateA.trace_no, 1_000])
  await expectBalances(h, a.c.account.id, { posted: 9_000, available: 9_000 })

  // Thursday: a dishonor six banking days after Keel's return settled is contested R72.
  await advanceTo(h, '2031-06-12T12:00:00Z')
  assert.equal((await simulateReturn(h, { ach_id: u.ours.id, return_code: 'R67' })).status, 201)
  assert.match((await latestReturnOf(u.ours.id)).decline_reason, /^R72/)

  // Everything Keel sent back goes out and settles by 18:01 ET; each file is valid NACHA.
  await advanceTo(h, '2031-06-12T22:01:00Z')
  const sentBack = [dishonorB, dishonorAmount, dishonorA, contestZ]
  for (const e of sentBack) assert.equal((await getAch(h, e.id)).status, 'COMPLETE', e.id)
  const kinds = new Map<string, string>()
  for (const f of (await h.request('GET', '/v0/ach/files?direction=OUTGOING&limit=1000')).body.files) {
    const content = (await h.request('GET', `/v0/ach/files/${f.id}`)).body.content as string
    const verdict = validateNacha(content)
    assert.ok(verdict.ok, JSON.stringify(verdict.errors))
    for (const batch of parseNacha(content).file!.batches) for (const entry of batch.entries) {
      const a99 = entry.addenda.find((x): x is Addenda99 => x.typeCode === '99')
      if (a99) kinds.set((entry.detail as { traceNumber: string }).traceNumber, a99.kind === 'dishonored' ? a99.dishonoredReturnReasonCode : a99.kind === 'contested' ? a99.contestedReturnReasonCode : a99.returnReasonCode)
    }
  }
  assert.equal(kinds.get(dishonorA.trace_no), 'R68')
  assert.equal(kinds.get(dishonorAmount.trace_no), 'R69')
  assert.equal(kinds.get(contestZ.trace_no), 'R73')
  // What suspense holds now: only the entry Keel took back and could not post (700).
  assert.equal(await suspensePosted(), 700n)

  // The bank contests Keel's dishonor of A's late return (R73): final, so the return applies after all.
  const dishonorRow = (await getOutgoing(h.sql, h.workspaces.a, dishonorA.id))!
  const contested = await ingestFile(h, contestedDishonorFile(dishonorRow, 'R73', { sequence: 9003, now: new Date() }))
  assert.equal(contested.status, 201, JSON.stringify(contested.body))
  assert.equal(contested.body.entries[0].status, 'POSTED')
  assert.equal(contested.body.entries[0].outgoing_ach_id, a.ach.id)
  const returnedA = await getAch(h, a.ach.id)
  assert.deepEqual([returnedA.status, returnedA.return_data.code], ['DECLINED', 'R01'])
  assert.equal((await getAch(h, dishonorA.id)).status, 'DECLINED')
  await expectBalances(h, a.c.account.id, { posted: 10_000, available: 10_000 })
  assert.equal(await suspensePosted(), 700n)
  // Every return's original DFI is shown as a whole routing number (its check digit too), whether
  // Keel wrote the return or read it from an addenda, which carries only the first 8 digits.
  const shown = [...(await h.request('GET', '/v0/ach')).body.transactions, ...(await h.request('GET', '/v0/ach/incoming')).body.transactions]
    .flatMap((t: any) => (t.return_data ? [t.return_data.original_dfi_no] : []))
  assert.ok(shown.length >= 6, `returns seen: ${shown.length}`)
  for (const dfi of shown) assert.ok(isValidRouting(dfi), `${dfi}: a 9-digit routing number`)
  await assertBooksClean(h)
})

/** The latest incoming entry linked to an outgoing one (its returns and dishonors). */
async function latestReturnOf(outgoingId: string): Promise<any> {
  const all = (await h.request('GET', '/v0/ach/incoming')).body.transactions
  const linked = all.filter((t: any) => t.outgoing_ach_id === outgoingId)
  assert.ok(linked.length, `no incoming entry about ${outgoingId}`)
  return linked.at(-1)
}
