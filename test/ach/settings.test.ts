// The workspace's ACH settings (GET/PUT /v0/ach/settings, a Keel extension): defaults, clean 400s
// that save nothing, files cut after a change carrying the new file and batch headers, and the
// gateway time-out decision, driven by a receiver that never answers until the test releases it
// (so the time-out does not depend on the machine's speed).
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { getGateway, updateGateway } from '../../src/ach/store.js'
import { parseNacha } from '../../src/ach/nacha/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { advanceTo, assertBooksClean, customer, expectBalances, incomingByAccount, originate } from './support.js'

let h: Harness
before(async () => {
  h = await startHarness()
  await advanceTo(h, '2031-05-22T12:00:00Z') // Thursday 08:00 ET
})
after(async () => { await h.close() })

const today = '2031-05-22'

describe('ACH settings', () => {
  it('answers the defaults, with the ODFI routing number the accounts show', async () => {
    const res = await h.request('GET', '/v0/ach/settings', { key: h.keys.b })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const c = await customer(h, 0, { key: h.keys.b })
    assert.equal(res.body.odfi_routing_number, c.account.bank_routing)
    assert.equal(res.body.immediate_origin, c.account.bank_routing)
    assert.equal(res.body.immediate_destination, '011000015')
    assert.equal(res.body.company_id, `1${c.account.bank_routing}`)
    assert.equal(res.body.gateway_timeout_decision, 'APPROVE')
    assert.equal(res.body.last_updated_time, undefined)
  })

  it('refuses invalid fields with a 400 naming each, and saves nothing', async () => {
    const before = (await h.request('GET', '/v0/ach/settings')).body
    const bad = await h.request('PUT', '/v0/ach/settings', {
      body: { immediate_destination: '011000016', company_id: 'abc', company_name: 'A NAME FAR TOO LONG FOR NACHA', gateway_timeout_decision: 'MAYBE', odfi_routing_number: '123456789', immediate_origin_name: 'OK NAME', colour: 'red' },
    })
    assert.equal(bad.status, 400, JSON.stringify(bad.body))
    assert.equal(bad.body.code, 'BAD_REQUEST_BODY')
    assert.deepEqual(Object.keys(bad.body.invalid).sort(), ['colour', 'company_id', 'company_name', 'gateway_timeout_decision', 'immediate_destination', 'odfi_routing_number'])
    assert.equal((await h.request('PUT', '/v0/ach/settings', { body: { immediate_origin: 12 } })).status, 400)
    assert.deepEqual((await h.request('GET', '/v0/ach/settings')).body, before)
  })

  it('files cut after a change carry the new file header and batch header', async () => {
    const set = await h.request('PUT', '/v0/ach/settings', {
      body: { immediate_origin: '1987654320', immediate_origin_name: 'Acme Fintech', immediate_destination: '021000021', immediate_destination_name: 'JPMORGAN CHASE', company_id: '1987654320', company_name: 'ACME PAYROLL' },
    })
    assert.equal(set.status, 200, JSON.stringify(set.body))
    assert.equal(set.body.immediate_origin_name, 'ACME FINTECH')
    assert.ok(set.body.last_updated_time)
    assert.deepEqual((await h.request('GET', '/v0/ach/settings')).body, set.body)
    assert.equal((await h.request('GET', '/v0/ach/settings', { key: h.keys.b })).body.company_id, `1${set.body.odfi_routing_number}`, 'another workspace keeps its own')

    const c = await customer(h, 5_000)
    const ach = await originate(h, c, { amount: 1_000, dc_sign: 'credit', is_same_day: true })
    assert.equal(ach.status, 201, JSON.stringify(ach.body))
    assert.equal(ach.body.company_name, 'ACME PAYROLL')
    await advanceTo(h, '2031-05-22T14:31:00Z') // 10:31 ET: the first same-day window is cut
    const files = await h.request('GET', '/v0/ach/files?direction=OUTGOING')
    let content = ''
    for (const f of files.body.files) {
      const detail = await h.request('GET', `/v0/ach/files/${f.id}`)
      if (detail.body.outgoing_ach_ids.includes(ach.body.id)) content = detail.body.content
    }
    assert.ok(content, 'the entry went out in a file')
    const file = parseNacha(content).file!
    assert.equal(file.header.immediateOrigin, '1987654320')
    assert.equal(file.header.immediateOriginName.trim(), 'ACME FINTECH')
    assert.equal(file.header.immediateDestination, '021000021')
    assert.equal(file.header.immediateDestinationName.trim(), 'JPMORGAN CHASE')
    const batch = file.batches.find((b) => b.entries.some((e) => (e.detail as { traceNumber: string }).traceNumber === ach.body.trace_no))!
    assert.equal((batch.header as { companyName: string }).companyName.trim(), 'ACME PAYROLL')
    assert.equal((batch.header as { companyIdentification: string }).companyIdentification, '1987654320')
    assert.equal((batch.header as { originatingDfi: string }).originatingDfi, set.body.odfi_routing_number.slice(0, 8), 'the ODFI stays the accounts\' bank routing')
    assert.match(ach.body.trace_no, new RegExp(`^${set.body.odfi_routing_number.slice(0, 8)}`))
    await assertBooksClean(h)
  })
})

describe('the ACH gateway time-out decision', () => {
  let server: http.Server
  /** Requests the receiver holds: it answers none of them until the test releases them. */
  const held: http.ServerResponse[] = []
  const release = () => { for (const res of held.splice(0)) res.writeHead(200).end('{}') }
  before(async () => {
    server = http.createServer((req, res) => { req.resume(); held.push(res) })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const created = await h.request('POST', '/v0/ach/gateways', { body: { url: 'https://fintech.example.com/ach/auth', max_wait_ms: 20 } })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    // The spec's url format refuses loopback hosts: the receiver is set behind the API's back.
    const row = (await getGateway(h.sql, h.workspaces.a, created.body.id))!
    await updateGateway(h.sql, { ...row, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ach` })
  })
  after(async () => {
    release()
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  const simulate = (accountNumber: string, amount: number) =>
    h.request('POST', '/v0/ach/transaction_simulations/receiving_transaction', { body: { account_number: accountNumber, amount, dc_sign: 'debit', effective_date: today } })

  it('approves on time-out by default, and declines (returned R10) once the workspace says DECLINE', async () => {
    const c = await customer(h, 10_000)
    assert.equal((await simulate(c.account.account_number, 1_000)).status, 201)
    const set = await h.request('PUT', '/v0/ach/settings', { body: { gateway_timeout_decision: 'DECLINE' } })
    assert.equal(set.status, 200)
    assert.equal(set.body.gateway_timeout_decision, 'DECLINE')
    assert.equal((await simulate(c.account.account_number, 2_000)).status, 201)
    release() // answers far too late: nothing changes
    const byAmount = Object.fromEntries((await incomingByAccount(h, c.account.account_number)).map((e) => [e.amount, e]))
    assert.equal(byAmount[1_000].status, 'POSTED')
    assert.equal(byAmount[2_000].status, 'RETURNED')
    assert.match(byAmount[2_000].decline_reason, /^R10: the ACH gateway gave no decision \(no answer within 20 ms\)/)
    await expectBalances(h, c.account.id, { posted: 9_000, available: 9_000 })
    const back = await h.request('PUT', '/v0/ach/settings', { body: { gateway_timeout_decision: 'APPROVE' } })
    assert.equal(back.body.gateway_timeout_decision, 'APPROVE')
    assert.equal((await simulate(c.account.account_number, 3_000)).status, 201)
    release()
    await expectBalances(h, c.account.id, { posted: 6_000, available: 6_000 })
    await assertBooksClean(h)
  })
})
