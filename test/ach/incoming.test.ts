// Incoming ACH on an advanced sandbox clock: credits and debits to known and unknown accounts (the
// automatic return goes out in the next file), returns of Keel's own entries by simulation and by an
// ingested file (applied once), a NOC, future-dated entries, the gateway approving, declining and
// timing out, the file endpoints, and an IAT entry's iat_info. Every scenario ends with the books audited.
import assert from 'node:assert/strict'
import { uuidv7 } from '../../src/platform/ids.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { getGateway, getOutgoing, updateGateway } from '../../src/ach/store.js'
import { nocFile, returnFile } from '../../src/ach/simulations/build.js'
import { completeControls, parseNacha, validateNacha, writeNacha } from '../../src/ach/nacha/index.js'
import { externalAccountForTransfer } from '../../src/external-accounts/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { advanceTo, assertBooksClean, customer, expectBalances, getAch, incomingByAccount, originate } from './support.js'

let h: Harness
before(async () => {
  h = await startHarness()
  await advanceTo(h, '2031-05-22T12:00:00Z') // Thursday 08:00 ET
})
after(async () => { await h.close() })

const simulate = (body: Record<string, unknown>, key?: string) => h.request('POST', '/v0/ach/transaction_simulations/receiving_transaction', { body, key })
const today = '2031-05-22'

/** A credit sent and settled: the return tests start from it. */
async function settledCredit(amount: number) {
  const c = await customer(h, 10_000)
  const res = await originate(h, c, { amount, dc_sign: 'credit', is_same_day: true })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return { c, ach: res.body }
}

describe('incoming credits and debits', () => {
  it('posts a credit and a debit to a known account, by account number', async () => {
    const c = await customer(h, 1_000)
    const credit = await simulate({ account_number: c.account.account_number, amount: 5_000, dc_sign: 'credit', effective_date: today })
    assert.equal(credit.status, 201, JSON.stringify(credit.body))
    assert.deepEqual(credit.body, {})
    await expectBalances(h, c.account.id, { posted: 6_000, available: 6_000 })
    const debit = await simulate({ account_number: c.account.account_number, amount: 2_000, dc_sign: 'debit', effective_date: today })
    assert.equal(debit.status, 201)
    await expectBalances(h, c.account.id, { posted: 4_000, available: 4_000 })
    const entries = await incomingByAccount(h, c.account.account_number)
    assert.deepEqual(entries.map((e) => [e.dc_sign, e.status, e.amount, e.account_id]).sort(), [['credit', 'POSTED', 5_000, c.account.id], ['debit', 'POSTED', 2_000, c.account.id]])
    const one = await h.request('GET', `/v0/ach/incoming/${entries[0].id}`)
    assert.equal(one.status, 200)
    assert.ok(one.body.external_id)
    await assertBooksClean(h)
  })

  it('returns an entry to an unknown account (R03) and a debit over the balance (R01) in the next file', async () => {
    const c = await customer(h, 1_000)
    assert.equal((await simulate({ account_number: '99999999999', amount: 700, dc_sign: 'credit', effective_date: today })).status, 201)
    assert.equal((await simulate({ account_number: c.account.account_number, amount: 1_500, dc_sign: 'debit', effective_date: today })).status, 201)
    const [unknown] = await incomingByAccount(h, '99999999999')
    assert.equal(unknown.status, 'RETURNED')
    assert.match(unknown.decline_reason, /^R03/)
    const [nsf] = await incomingByAccount(h, c.account.account_number)
    assert.equal(nsf.status, 'RETURNED')
    assert.match(nsf.decline_reason, /^R01/)
    await expectBalances(h, c.account.id, { posted: 1_000, available: 1_000 })

    const returns = await h.request('GET', `/v0/ach?incoming_ach_id=${unknown.id}`)
    assert.equal(returns.status, 200)
    assert.equal(returns.body.transactions.length, 1)
    const ret = returns.body.transactions[0]
    assert.equal(ret.return_data.code, 'R03')
    assert.equal(ret.return_data.original_trace, unknown.trace_no)
    assert.equal(ret.status, 'INIT')
    await advanceTo(h, '2031-05-22T14:31:00Z') // past the 10:30 window
    const sent = await getAch(h, ret.id)
    assert.equal(sent.status, 'PENDING')
    const files = await h.request('GET', '/v0/ach/files?direction=OUTGOING')
    const withReturn = []
    for (const f of files.body.files) {
      const d = await h.request('GET', `/v0/ach/files/${f.id}`)
      if (d.body.outgoing_ach_ids.includes(ret.id)) withReturn.push(d.body)
    }
    assert.equal(withReturn.length, 1)
    const entry = parseNacha(withReturn[0].content).file!.batches.flatMap((b) => b.entries).find((e) => e.addenda.some((a) => a.typeCode === '99' && a.originalTraceNumber === unknown.trace_no))
    assert.ok(entry, 'the return entry with its addenda 99')
    assert.equal(entry.detail.transactionCode, 21)
    await assertBooksClean(h)
  })

  it('records a prenote and moves nothing', async () => {
    const c = await customer(h, 0)
    assert.equal((await simulate({ account_number: c.account.account_number, amount: 0, dc_sign: 'credit', effective_date: today })).status, 201)
    const [pre] = await incomingByAccount(h, c.account.account_number)
    assert.equal(pre.status, 'POSTED')
    assert.equal(pre.amount, 0)
    await expectBalances(h, c.account.id, { posted: 0, available: 0 })
  })

  it('keeps a future-dated entry until its date, with ACH.INCOMING.FUTURE_DATED', async () => {
    const c = await customer(h, 0)
    assert.equal((await simulate({ account_number: c.account.account_number, amount: 3_000, dc_sign: 'credit', effective_date: '2031-06-03' })).status, 201)
    const [entry] = await incomingByAccount(h, c.account.account_number)
    assert.equal(entry.status, 'INIT')
    assert.equal(entry.is_future_dated, true)
    // It names its account already: a list of the account's incoming entries shows it on its way.
    assert.equal(entry.account_id, c.account.id)
    const listed = await h.request('GET', `/v0/ach/incoming?account_id=${c.account.id}`)
    assert.deepEqual(listed.body.transactions.map((e: { id: string }) => e.id), [entry.id])
    const events = await h.sql`select 1 from events where resource_id = ${entry.id} and type = 'ACH.INCOMING.FUTURE_DATED'`
    assert.equal(events.length, 1)
    await expectBalances(h, c.account.id, { posted: 0, available: 0 })
    await advanceTo(h, '2031-06-03T07:00:00Z') // 03:00 ET on its date: processed at 02:15
    const [applied] = await incomingByAccount(h, c.account.account_number)
    assert.equal(applied.status, 'POSTED')
    await expectBalances(h, c.account.id, { posted: 3_000, available: 3_000 })
    await assertBooksClean(h)
  })

  it('refuses simulations in a live workspace', async () => {
    const res = await simulate({ account_number: '123', amount: 1, dc_sign: 'credit', effective_date: today }, h.keys.live)
    assert.equal(res.status, 400)
    assert.equal(res.body.code, 'FEATURE_NOT_AVAILABLE')
  })
})

describe('returns of entries Keel sent', () => {
  it('by simulation: a settled credit returned R10 comes back, the entry DECLINED with its return_data', async () => {
    await advanceTo(h, '2031-06-04T12:00:00Z') // Wednesday 08:00 ET
    const { c, ach } = await settledCredit(2_000)
    await advanceTo(h, '2031-06-04T17:01:00Z') // settled at 13:00 ET
    assert.equal((await getAch(h, ach.id)).status, 'COMPLETE')
    await expectBalances(h, c.account.id, { posted: 8_000, available: 8_000 })
    const bad = await h.request('POST', '/v0/ach/transaction_simulations/receiving_return', { body: { ach_id: ach.id, return_code: 'R99' } })
    assert.equal(bad.status, 400)
    const res = await h.request('POST', '/v0/ach/transaction_simulations/receiving_return', { body: { ach_id: ach.id, return_code: 'R10' } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const returned = await getAch(h, ach.id)
    assert.equal(returned.status, 'DECLINED')
    assert.equal(returned.return_data.code, 'R10')
    assert.equal(returned.return_data.original_trace, ach.trace_no)
    await expectBalances(h, c.account.id, { posted: 10_000, available: 10_000 })
    const again = await h.request('POST', '/v0/ach/transaction_simulations/receiving_return', { body: { ach_id: ach.id } })
    assert.equal(again.status, 201, 'sent: Keel dishonors it as a duplicate (dishonor.test.ts)')
    await expectBalances(h, c.account.id, { posted: 10_000, available: 10_000 })
    await assertBooksClean(h)
  })

  it('by simulation: an R01 past two banking days is dishonored, not applied; a credit still in its file releases the reservation', async () => {
    const { c, ach } = await settledCredit(1_000)
    await advanceTo(h, '2031-06-04T19:00:00Z') // cut at 16:45 (same-day 3 window), not yet settled
    assert.equal((await getAch(h, ach.id)).status, 'PENDING')
    const res = await h.request('POST', '/v0/ach/transaction_simulations/receiving_return', { body: { ach_id: ach.id, return_code: 'R01' } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal((await getAch(h, ach.id)).status, 'DECLINED')
    await expectBalances(h, c.account.id, { posted: 10_000, available: 10_000 })

    const late = await settledCredit(500)
    await advanceTo(h, '2031-06-09T15:00:00Z') // Monday: three banking days after Wednesday's settlement
    const refused = await h.request('POST', '/v0/ach/transaction_simulations/receiving_return', { body: { ach_id: late.ach.id, return_code: 'R01' } })
    assert.equal(refused.status, 201)
    assert.equal((await getAch(h, late.ach.id)).status, 'COMPLETE', 'an untimely return is dishonored (R68): the entry stands')
    await expectBalances(h, late.c.account.id, { posted: 9_500, available: 9_500 })
    const extended = await h.request('POST', '/v0/ach/transaction_simulations/receiving_return', { body: { ach_id: late.ach.id, return_code: 'R10' } })
    assert.equal(extended.status, 201, 'R10 has 60 days')
    await expectBalances(h, late.c.account.id, { posted: 10_000, available: 10_000 })
    await assertBooksClean(h)
  })

  it('by an ingested return file, applied once', async () => {
    const { c, ach } = await settledCredit(1_500)
    await advanceTo(h, '2031-06-10T17:01:00Z')
    assert.equal((await getAch(h, ach.id)).status, 'COMPLETE')
    const original = (await getOutgoing(h.sql, h.workspaces.a, ach.id))!
    const content = returnFile(original, 'R02', { sequence: 4242, now: new Date('2031-06-10T17:01:00Z') })
    const res = await h.request('POST', '/v0/ach/files', { payload: content, headers: { 'content-type': 'text/plain' } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.already_applied, false)
    assert.equal(res.body.entries[0].status, 'POSTED')
    assert.equal(res.body.entries[0].outgoing_ach_id, ach.id)
    assert.equal(res.body.entries[0].return_data.code, 'R02')
    await expectBalances(h, c.account.id, { posted: 10_000, available: 10_000 })
    const again = await h.request('POST', '/v0/ach/files', { payload: content, headers: { 'content-type': 'text/plain' } })
    assert.equal(again.status, 200)
    assert.equal(again.body.already_applied, true)
    assert.equal(again.body.file.id, res.body.file.id)
    await expectBalances(h, c.account.id, { posted: 10_000, available: 10_000 })
    await assertBooksClean(h)
  })

  it('a NOC corrects the external account', async () => {
    const { c, ach } = await settledCredit(300)
    const original = (await getOutgoing(h.sql, h.workspaces.a, ach.id))!
    const res = await h.request('POST', '/v0/ach/files', { payload: nocFile(original, 'C01', '55512345', { sequence: 777, now: new Date() }), headers: { 'content-type': 'text/plain' } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.entries[0].notification_of_change.change_code, 'C01')
    assert.equal(res.body.entries[0].status, 'POSTED')
    const ext = await externalAccountForTransfer(h.sql, h.services.vault, h.workspaces.a, c.external.id)
    assert.equal(ext!.account_number, '55512345')
    const events = await h.sql`select 1 from events where resource_id = ${c.external.id} and type = 'EXTERNAL_ACCOUNT.UPDATED'`
    assert.equal(events.length, 1)
  })
})

describe('the ACH gateway', () => {
  let server: http.Server
  let answer: 'approve' | 'decline' | 'hang' = 'approve'
  const seen: http.IncomingHttpHeaders[] = []
  let gatewayId = ''
  before(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers)
      req.resume()
      req.on('end', () => {
        if (answer === 'approve') res.writeHead(200).end('{}')
        else if (answer === 'decline') res.writeHead(402).end('{}')
        // hang: never answer
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as AddressInfo
    // A receiver on loopback, as a sandbox user's own would be: the outbound guard allows loopback while Keel listens on it.
    const created = await h.request('POST', '/v0/ach/gateways', { body: { url: `http://127.0.0.1:${port}/ach`, max_wait_ms: 300, custom_headers: { 'X-Fintech': ['yes'] } } })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.equal(created.body.disabled, false)
    gatewayId = created.body.id
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  it('approves (200), declines (402: returned R10) and times out (the default: approved)', async () => {
    await h.request('POST', '/v0/webhook_secrets', { body: {} })
    const c = await customer(h, 10_000)
    answer = 'approve'
    await simulate({ account_number: c.account.account_number, amount: 1_000, dc_sign: 'debit', effective_date: today })
    answer = 'decline'
    await simulate({ account_number: c.account.account_number, amount: 2_000, dc_sign: 'debit', effective_date: today })
    answer = 'hang'
    await simulate({ account_number: c.account.account_number, amount: 3_000, dc_sign: 'debit', effective_date: today })
    const entries = await incomingByAccount(h, c.account.account_number)
    const byAmount = Object.fromEntries(entries.map((e) => [e.amount, e]))
    assert.equal(byAmount[1_000].status, 'POSTED')
    assert.equal(byAmount[2_000].status, 'RETURNED')
    assert.match(byAmount[2_000].decline_reason, /^R10/)
    assert.equal(byAmount[3_000].status, 'POSTED')
    await expectBalances(h, c.account.id, { posted: 6_000, available: 6_000 })
    assert.equal(seen.length, 3)
    for (const headers of seen) {
      assert.ok(headers['request-timestamp'])
      assert.ok(headers['synctera-signature'], 'signed with the workspace webhook secret')
      assert.equal(headers['x-fintech'], 'yes')
    }
    await assertBooksClean(h)
  })

  it('refuses custom headers Node could not send; one stored before that check is no answer (the default decision), not a 500', async () => {
    const bad = await h.request('PATCH', `/v0/ach/gateways/${gatewayId}`, { body: { custom_headers: { 'X-Test': ['a\r\nInjected: 1'] } } })
    assert.equal(bad.status, 400, JSON.stringify(bad.body))
    assert.deepEqual(Object.keys(bad.body.invalid), ['custom_headers.X-Test'])
    assert.equal((await h.request('POST', '/v0/ach/gateways', { body: { url: 'https://fintech.example.com/ach', custom_headers: { 'bad name': ['x'] } } })).status, 400)
    const row = (await getGateway(h.sql, h.workspaces.a, gatewayId))!
    await updateGateway(h.sql, { ...row, custom_headers_encrypted: h.services.vault.encrypt(JSON.stringify({ 'X-Test': ['a\r\nb'] })) })
    try {
      const c = await customer(h, 10_000)
      const res = await simulate({ account_number: c.account.account_number, amount: 111, dc_sign: 'debit', effective_date: today })
      assert.equal(res.status, 201, JSON.stringify(res.body))
    } finally {
      await updateGateway(h.sql, row)
    }
  })

  it('is read, listed, patched and deleted', async () => {
    const got = await h.request('GET', `/v0/ach/gateways/${gatewayId}`)
    assert.equal(got.status, 200)
    const list = await h.request('GET', '/v0/ach/gateways')
    assert.equal(list.body.length, 1)
    const patched = await h.request('PATCH', `/v0/ach/gateways/${gatewayId}`, { body: { disabled: true } })
    assert.equal(patched.body.disabled, true)
    assert.equal((await h.request('GET', `/v0/ach/gateways/${gatewayId}`, { key: h.keys.b })).status, 404)
    assert.equal((await h.request('POST', '/v0/ach/gateways', { body: { url: 'ftp://x' } })).status, 400)
    assert.equal((await h.request('DELETE', `/v0/ach/gateways/${gatewayId}`)).status, 200)
    assert.equal((await h.request('GET', `/v0/ach/gateways/${gatewayId}`)).status, 404)
  })
})

describe('file endpoints', () => {
  it('takes incoming files and resolutions from a sandbox only: a live key may not credit its own accounts', async () => {
    const file = readFileSync(join(import.meta.dirname, '../../data/ach/samples/ppd-debit.ach'), 'utf8')
    const before = await h.sql`select count(*)::int as n from ach_incoming`
    const ingest = await h.request('POST', '/v0/ach/files', { key: h.keys.live, payload: file, headers: { 'content-type': 'text/plain' } })
    assert.equal(ingest.status, 400, JSON.stringify(ingest.body))
    assert.equal(ingest.body.code, 'FEATURE_NOT_AVAILABLE')
    assert.deepEqual(await h.sql`select count(*)::int as n from ach_incoming`, before, 'nothing applied')
    const resolve = await h.request('POST', `/v0/ach/incoming/${uuidv7()}/resolve`, { key: h.keys.live, body: { action: 'RETURN' } })
    assert.deepEqual([resolve.status, resolve.body.code], [400, 'FEATURE_NOT_AVAILABLE'])
    // Validating applies nothing: both modes.
    assert.equal((await h.request('POST', '/v0/ach/files/validate', { key: h.keys.live, payload: file, headers: { 'content-type': 'text/plain' } })).status, 200)
  })

  it('validates without applying: 200 for a valid file, 422 with every error, 400 for no file', async () => {
    const good = readFileSync(join(import.meta.dirname, '../../data/ach/samples/ppd-debit.ach'), 'utf8')
    const ok = await h.request('POST', '/v0/ach/files/validate', { payload: good, headers: { 'content-type': 'text/plain' } })
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    assert.equal(ok.body.valid, true)
    assert.ok(ok.body.summary.bySecCode.PPD)
    const broken = good.replace(/^8(.{19})(\d{12})/m, (_m, a: string, debit: string) => `8${a}${String(Number(debit) + 1).padStart(12, '0')}`)
    const bad = await h.request('POST', '/v0/ach/files/validate', { payload: broken, headers: { 'content-type': 'text/plain' } })
    assert.equal(bad.status, 422)
    assert.equal(bad.body.code, 'NACHA_FILE_INVALID')
    assert.ok(bad.body.errors.length >= 1)
    assert.ok(bad.body.errors.every((e: any) => typeof e.line === 'number' && typeof e.field === 'string' && typeof e.record === 'string'))
    const ingestBad = await h.request('POST', '/v0/ach/files', { payload: broken, headers: { 'content-type': 'text/plain' } })
    assert.equal(ingestBad.status, 422)
    assert.equal((await h.request('POST', '/v0/ach/files/validate', { payload: '', headers: { 'content-type': 'text/plain' } })).status, 400)
    // Any other media type is 415, and says which one to send: a JSON string is not a file either.
    for (const path of ['/v0/ach/files', '/v0/ach/files/validate']) {
      for (const [payload, type] of [['"x"', 'application/json'], ['{}', 'application/json'], [good, 'application/octet-stream'], [good, 'text/csv']]) {
        const res = await h.request('POST', path, { payload, headers: { 'content-type': type } })
        assert.equal(res.status, 415, `${path} ${type} ${payload.slice(0, 10)}: ${JSON.stringify(res.body)}`)
        assert.equal(res.body.code, 'UNSUPPORTED_MEDIA_TYPE')
        assert.match(res.body.detail, /text\/plain/)
      }
    }
    // Elsewhere the detail names what that operation takes.
    const asText = await h.request('POST', '/v0/persons', { payload: 'Ada', headers: { 'content-type': 'application/octet-stream' } })
    assert.equal(asText.status, 415)
    assert.equal(asText.body.detail, 'send the request body as application/json')
    assert.equal((await h.request('GET', '/v0/ach/files/0190a0b0-0000-7000-8000-000000000000')).status, 404)
    assert.equal((await h.request('GET', '/v0/ach/files?direction=SIDEWAYS')).status, 400)
  })
})

describe('incoming IAT entries', () => {
  it('posts an IAT credit and shows its addenda 10-16 as iat_info', async () => {
    const c = await customer(h, 0)
    const sample = readFileSync(join(import.meta.dirname, '../../data/ach/samples/iat-credit.ach'), 'utf8')
    // The sample's entry, to a Keel account: the account number is positions 40-74 of the entry record.
    const content = sample.split('\n').map((line) => (line.startsWith('6') ? line.slice(0, 39) + c.account.account_number.padEnd(35) + line.slice(74) : line)).join('\n')
    const res = await h.request('POST', '/v0/ach/files', { payload: content, headers: { 'content-type': 'text/plain' } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const [entry] = res.body.entries
    assert.equal(entry.status, 'POSTED', JSON.stringify(entry))
    assert.equal(entry.sec_code, 'IAT')
    assert.equal(entry.amount, 100_000)
    assert.equal(entry.company_name, 'BEK Solutions')
    assert.deepEqual(entry.reference_info, ['This is an international payment'])
    const expected = {
      foreign_payment_amount: 100_000, foreign_trace_number: '928383-23938', name: 'BEK Enterprises', transaction_type_code: 'ANN',
      originator_name: 'BEK Solutions', originator_address: { street: '15 West Place Street', city_state_province: 'JacobsTown*PA', country_postal_code: 'US*19305' },
      odfi_name: 'Wells Fargo', odfi_id_number_qualifier: '01', odfi_identification: '231380104', odfi_branch_country_code: 'US',
      rdfi_name: 'Citadel Bank', rdfi_id_number_qualifier: '01', rdfi_identification: '121042882', rdfi_branch_country_code: 'CA',
      receiver_id_number: '987465493213987', receiver_address: { street: '2121 Front Street', city_state_province: 'LetterTown*AB', country_postal_code: 'CA*80014' },
    }
    assert.deepEqual(entry.iat_info, expected)
    const one = await h.request('GET', `/v0/ach/incoming/${entry.id}`)
    assert.equal(one.status, 200)
    assert.deepEqual(one.body.iat_info, expected)
    const list = await h.request('GET', '/v0/ach/incoming')
    assert.deepEqual(list.body.transactions.find((t: any) => t.id === entry.id).iat_info, expected)
    await expectBalances(h, c.account.id, { posted: 100_000, available: 100_000 })
    await assertBooksClean(h)
  })

  it('returns an IAT entry to an unknown account (R03) in an IAT batch, with its addenda 10-16 and a valid file', async () => {
    const sample = readFileSync(join(import.meta.dirname, '../../data/ach/samples/iat-credit.ach'), 'utf8')
    const res = await h.request('POST', '/v0/ach/files', { payload: sample, headers: { 'content-type': 'text/plain' } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const [entry] = res.body.entries
    assert.equal(entry.status, 'RETURNED')
    assert.match(entry.decline_reason, /^R03/)
    const [ours] = (await h.request('GET', `/v0/ach?incoming_ach_id=${entry.id}`)).body.transactions
    await advanceTo(h, '2031-06-10T23:00:00Z') // 19:00 ET: every window of the day cut and settled
    assert.equal((await getAch(h, ours.id)).status, 'COMPLETE')
    const files = (await h.request('GET', '/v0/ach/files?direction=OUTGOING&limit=1000')).body.files
    let content = ''
    for (const f of files) {
      const detail = await h.request('GET', `/v0/ach/files/${f.id}`)
      if (detail.body.outgoing_ach_ids.includes(ours.id)) content = detail.body.content
    }
    const verdict = validateNacha(content)
    assert.ok(verdict.ok, JSON.stringify(verdict.errors))
    assert.deepEqual(verdict.warnings, [])
    const batch = parseNacha(content).file!.batches.find((b) => b.header.secCode === 'IAT')!
    assert.equal((batch.header as { originatingDfi: string }).originatingDfi, '08410676')
    assert.equal((batch.header as { isoDestinationCurrencyCode: string }).isoDestinationCurrencyCode, 'USD')
    const [returned] = batch.entries
    assert.equal(returned.detail.transactionCode, 21)
    assert.equal(returned.detail.amount, 100_000)
    assert.deepEqual(returned.addenda.map((a) => a.typeCode), ['10', '11', '12', '13', '14', '15', '16', '99'])
    assert.equal((returned.addenda[7] as { returnReasonCode: string }).returnReasonCode, 'R03')

    await assertBooksClean(h)
  })

  it('contests a dishonor of its timely IAT return (R68 → R73) in an IAT batch, in a valid file', async () => {
    // The sample entry again, in a new file effective today (19:00 ET, 2031-06-10), to an unknown account.
    const sample = parseNacha(readFileSync(join(import.meta.dirname, '../../data/ach/samples/iat-credit.ach'), 'utf8')).file!
    const today = { ...sample, header: { ...sample.header, fileIdModifier: 'K' }, batches: sample.batches.map((b) => ({ ...b, header: { ...b.header, effectiveEntryDate: '310610' } })) }
    const res = await h.request('POST', '/v0/ach/files', { payload: writeNacha(completeControls(today)), headers: { 'content-type': 'text/plain' } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    const [entry] = res.body.entries
    assert.match(entry.decline_reason, /^R03/)
    const [ours] = (await h.request('GET', `/v0/ach?incoming_ach_id=${entry.id}`)).body.transactions
    await advanceTo(h, '2031-06-11T23:00:00Z')
    assert.equal((await getAch(h, ours.id)).status, 'COMPLETE')
    // The sending bank dishonors that timely return as untimely, in an IAT batch as its entry came.
    const dishonored = await h.request('POST', '/v0/ach/transaction_simulations/receiving_return', { body: { ach_id: ours.id, return_code: 'R68' } })
    assert.equal(dishonored.status, 201, JSON.stringify(dishonored.body))
    const dishonor = (await h.request('GET', '/v0/ach/incoming')).body.transactions.filter((t: any) => t.outgoing_ach_id === ours.id).at(-1)
    assert.match(dishonor.decline_reason, /^R73/, JSON.stringify(dishonor))
    const [contest] = (await h.request('GET', `/v0/ach?incoming_ach_id=${dishonor.id}`)).body.transactions
    assert.equal(contest.return_data.code, 'R73')
    await advanceTo(h, '2031-06-12T23:00:00Z')
    let content = ''
    for (const f of (await h.request('GET', '/v0/ach/files?direction=OUTGOING&limit=1000')).body.files) {
      const detail = await h.request('GET', `/v0/ach/files/${f.id}`)
      if (detail.body.outgoing_ach_ids.includes(contest.id)) content = detail.body.content
    }
    const verdict = validateNacha(content)
    assert.ok(verdict.ok, JSON.stringify(verdict.errors))
    const [contested] = parseNacha(content).file!.batches.find((b) => b.header.secCode === 'IAT')!.entries
    assert.deepEqual(contested.addenda.map((a) => a.typeCode), ['10', '11', '12', '13', '14', '15', '16', '99'])
    assert.equal((contested.addenda[7] as { contestedReturnReasonCode: string }).contestedReturnReasonCode, 'R73')
    await assertBooksClean(h)
  })
})
