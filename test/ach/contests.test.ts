// NACHA's R69 field errors 04-06 both ways, the corrected return (R74) and R77, on an advanced
// sandbox clock, through the API:
// - as ODFI, a return whose individual identification number (04), transaction code (05) or company
//   identification (06) is not the entry's is dishonored R69 naming those fields ("04*06");
// - as RDFI, an R69 naming fields Keel's return has right is contested R76; naming a field Keel's
//   return had wrong, Keel sends the corrected return (R74) with the field put right; an R62 of
//   Keel's return of a debit the account still cannot pay is contested R77; a dishonor from another
//   bank than the one Keel returned to is contested R71. Every file is valid NACHA; books clean.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, it } from 'node:test'
import { dishonoredReturnFile, returnFile } from '../../src/ach/simulations/build.js'
import { parseNacha, validateNacha, type Addenda99 } from '../../src/ach/nacha/index.js'
import { getOutgoing } from '../../src/ach/store.js'
import { startHarness, type Harness } from '../support/harness.js'
import { advanceTo, assertBooksClean, customer, expectBalances, getAch, incomingByAccount, originate, ingestFile, simulateReturn } from './support.js'

let h: Harness
before(async () => {
  h = await startHarness()
  await advanceTo(h, '2031-06-04T12:00:00Z') // Wednesday 08:00 ET
})
after(async () => { await h.close() })

const sentAbout = async (incomingId: string) => (await h.request('GET', `/v0/ach?incoming_ach_id=${incomingId}`)).body.transactions
const latestAbout = async (outgoingId: string) => (await h.request('GET', '/v0/ach/incoming')).body.transactions.filter((t: any) => t.outgoing_ach_id === outgoingId).at(-1)

/** An incoming entry Keel returns: the entry and Keel's return. */
async function keelReturnOf(accountNo: string, amount: number, dc_sign: 'credit' | 'debit') {
  assert.equal((await h.request('POST', '/v0/ach/transaction_simulations/receiving_transaction', { body: { account_number: accountNo, amount, dc_sign, effective_date: '2031-06-04' } })).status, 201)
  const received = (await incomingByAccount(h, accountNo)).at(-1)
  assert.equal(received.status, 'RETURNED')
  const [ours] = await sentAbout(received.id)
  return { received, ours }
}

/** Every outgoing file is valid NACHA; the entries by trace, with their addenda 99 and identification number. */
async function sentEntries(): Promise<Map<string, { identification: string; accountNo: string; a99?: Addenda99 }>> {
  const out = new Map<string, { identification: string; accountNo: string; a99?: Addenda99 }>()
  for (const f of (await h.request('GET', '/v0/ach/files?direction=OUTGOING&limit=1000')).body.files) {
    const content = (await h.request('GET', `/v0/ach/files/${f.id}`)).body.content as string
    const verdict = validateNacha(content)
    assert.ok(verdict.ok, JSON.stringify(verdict.errors))
    for (const batch of parseNacha(content).file!.batches) for (const entry of batch.entries) {
      const d = entry.detail as { traceNumber: string; identificationNumber: string; accountNumber: string }
      out.set(d.traceNumber, { identification: d.identificationNumber.trim(), accountNo: d.accountNumber.trim(), a99: entry.addenda.find((x): x is Addenda99 => x.typeCode === '99') })
    }
  }
  return out
}

it('dishonors returns with field errors 04-06, and contests dishonors with R76, R74, R77 and R71', async () => {
  // Keel's credit, sent and settled; five incoming entries Keel returns.
  const c = await customer(h, 10_000)
  const credit = await originate(h, c, { amount: 1_000, dc_sign: 'credit', is_same_day: true })
  assert.equal(credit.status, 201, JSON.stringify(credit.body))
  const right = await keelReturnOf('99999999970', 700, 'credit')
  const legacy = await keelReturnOf('99999999971', 800, 'credit')
  const payer = await customer(h, 1_000)
  const unpaid = await keelReturnOf(payer.account.account_number, 5_000, 'debit')
  const elsewhere = await keelReturnOf('99999999972', 900, 'credit')
  assert.equal(right.ours.amount, 700)
  // A return recorded before Keel copied identification numbers into what it sends back carried its own id.
  await h.sql`update ach_outgoing set identification_number = null where id = ${legacy.ours.id}`
  await advanceTo(h, '2031-06-04T17:01:00Z') // 13:01 ET: cut at 10:30, settled at 13:00
  assert.equal((await getAch(h, credit.body.id)).status, 'COMPLETE')

  // As ODFI: returns that did not copy the entry's identification number, transaction code or company id.
  const original = (await getOutgoing(h.sql, h.workspaces.a, credit.body.id))!
  const cases: [string, typeof original, string][] = [
    ['04', { ...original, id: randomUUID() }, '04'],
    ['05', { ...original, account_type: 'SAVINGS' }, '05'],
    ['06', { ...original, company_id: '9999999999' }, '06'],
    ['04*06', { ...original, id: randomUUID(), company_id: '9999999999' }, '04*06'],
  ]
  let sequence = 9100
  for (const [name, altered, fields] of cases) {
    const res = await ingestFile(h, returnFile(altered, 'R01', { sequence: sequence++, now: new Date() }))
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const entry = res.body.entries[0]
    assert.equal(entry.status, 'RETURNED', name)
    assert.match(entry.decline_reason, /^R69: field errors/, name)
    const [dishonor] = await sentAbout(entry.id)
    assert.deepEqual([dishonor.return_data.code, dishonor.return_data.field_errors], ['R69', fields], name)
  }
  assert.equal((await getAch(h, credit.body.id)).status, 'COMPLETE', 'the entry stands')
  await expectBalances(h, c.account.id, { posted: 9_000, available: 9_000 })

  // As RDFI. R69 naming the identification number, transaction code and company id, all right in Keel's return: R76.
  for (const fields of ['04', '05', '06', '04*05*06']) {
    assert.equal((await simulateReturn(h, { ach_id: right.ours.id, return_code: 'R69', field_errors: fields })).status, 201, fields)
    assert.match((await latestAbout(right.ours.id)).decline_reason, /^R76: no errors found/, fields)
  }
  assert.equal((await simulateReturn(h, { ach_id: right.ours.id, return_code: 'R69', field_errors: '07' })).status, 400, '07 is not one of NACHA\'s field error codes')
  // R69 naming 04 of the return that carried Keel's own id: Keel sends the corrected return (R74).
  assert.equal((await simulateReturn(h, { ach_id: legacy.ours.id, return_code: 'R69', field_errors: '04' })).status, 201)
  const legacyDishonor = await latestAbout(legacy.ours.id)
  assert.deepEqual([legacyDishonor.status, legacyDishonor.decline_reason.slice(0, 4)], ['RETURNED', 'R74:'])
  const [corrected] = await sentAbout(legacyDishonor.id)
  assert.deepEqual([corrected.return_data.code, corrected.return_data.dishonored_return_code, corrected.amount], ['R74', '69', 800])
  assert.equal((await getAch(h, legacy.ours.id)).status, 'COMPLETE', 'Keel\'s return stands')
  // R62 of Keel's return of a debit the account still cannot pay: R77.
  assert.equal((await simulateReturn(h, { ach_id: unpaid.ours.id, return_code: 'R62' })).status, 201)
  assert.match((await latestAbout(unpaid.ours.id)).decline_reason, /^R77: the debit's funds cannot be recovered/)
  assert.equal((await h.request('GET', `/v0/ach/incoming/${unpaid.received.id}`)).body.status, 'RETURNED')
  await expectBalances(h, payer.account.id, { posted: 1_000, available: 1_000 })
  // A dishonor that comes from another bank than the one Keel's return went to: R71.
  const ours = (await getOutgoing(h.sql, h.workspaces.a, elsewhere.ours.id))!
  const misrouted = await ingestFile(h, dishonoredReturnFile({ ...ours, routing_no: '021000021' }, 'R61', '', { sequence: sequence++, now: new Date() }))
  assert.equal(misrouted.status, 201, JSON.stringify(misrouted.body))
  assert.match(misrouted.body.entries[0].decline_reason, /^R71: misrouted dishonored return: it comes from another bank/)

  // Everything goes out by 18:01 ET; the corrected return carries the entry's identification number.
  await advanceTo(h, '2031-06-04T22:01:00Z')
  const entries = await sentEntries()
  const receivedRow = (await h.sql`select identification_number from ach_incoming where id = ${legacy.received.id}`)[0]
  assert.match(receivedRow.identification_number, /^SIM\d{7}$/)
  assert.equal(entries.get(legacy.ours.trace_no)!.identification, legacy.ours.id.replace(/-/g, '').slice(0, 15).toUpperCase(), 'the legacy return carried Keel\'s own id')
  const correctedOut = entries.get(corrected.trace_no)!
  assert.equal(correctedOut.a99?.kind, 'contested')
  assert.equal(correctedOut.a99?.kind === 'contested' && correctedOut.a99.contestedReturnReasonCode, 'R74')
  assert.equal(correctedOut.identification, receivedRow.identification_number)
  assert.equal(entries.get(right.ours.trace_no)!.identification, (await h.sql`select identification_number from ach_incoming where id = ${right.received.id}`)[0].identification_number, 'returns now carry the entry\'s identification number')
  const dishonors = [...entries.values()].filter((e) => e.a99?.kind === 'dishonored' && e.a99.dishonoredReturnReasonCode === 'R69')
  assert.deepEqual(dishonors.map((e) => e.a99!.kind === 'dishonored' && e.a99!.addendaInformation.trim()).sort(), ['04', '04*06', '05', '06'])
  await assertBooksClean(h)
})
