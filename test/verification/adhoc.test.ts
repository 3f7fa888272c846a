// POST /v0/verifications/adhoc: a payee screened for a paying customer, against the bundled list.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { seedBusiness, seedPerson } from './seed.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const adhoc = (body: Record<string, unknown>, key?: string) => h.request('POST', '/v0/verifications/adhoc', { body, key })

describe('POST /v0/verifications/adhoc', () => {
  it('answers result and matching_watchlists for payees', async () => {
    const payer = await seedPerson(h)
    const cases: Array<[string, string, string, string[]]> = [
      ['an ordinary person', await seedPerson(h, { is_customer: false }), 'ACCEPTED', []],
      ['a listed person', await seedPerson(h, { is_customer: false, first_name: 'Joaquin', last_name: 'Guzman Loera', dob: null }), 'REJECTED', ['US_OFAC']],
      ['a listed person, misspelt', await seedPerson(h, { is_customer: false, first_name: 'Dmitri', last_name: 'Kozack', dob: null }), 'REVIEW', ['US_OFAC']],
      ['a listed business', await seedBusiness(h, { entity_name: 'Banco Nacional de Cuba' }), 'REJECTED', ['US_OFAC']],
      ['an ordinary business', await seedBusiness(h), 'ACCEPTED', []],
    ]
    for (const [label, payee, result, lists] of cases) {
      const res = await adhoc({ payer_id: payer, payee_id: payee })
      assert.equal(res.status, 200, label)
      assert.equal(res.body.result, result, label)
      assert.deepEqual(res.body.matching_watchlists, lists, label)
      assert.equal(res.body.vendor_info.vendor, 'KEEL_WATCHLIST')
    }
    const [{ n }] = await h.sql`select count(*)::int as n from adhoc_verifications where payer_id = ${payer}`
    assert.equal(n, cases.length)
  })

  it('refuses unknown parties and bad bodies, in the caller\'s workspace only', async () => {
    const payer = await seedPerson(h)
    const payee = await seedPerson(h, { is_customer: false })
    const foreign = await seedPerson(h, {}, h.workspaces.b)
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['missing payee', { payer_id: payer }, 'BAD_REQUEST_BODY'],
      ['malformed payer', { payer_id: 'x', payee_id: payee }, 'BAD_REQUEST_BODY'],
      ['unknown payer', { payer_id: uuidv7(), payee_id: payee }, 'CUSTOMER_NOT_FOUND'],
      ['unknown payee', { payer_id: payer, payee_id: uuidv7() }, 'CUSTOMER_NOT_FOUND'],
      ['another workspace\'s payee', { payer_id: payer, payee_id: foreign }, 'CUSTOMER_NOT_FOUND'],
    ]
    for (const [label, body, code] of cases) {
      const res = await adhoc(body)
      assert.equal(res.status, 400, label)
      assert.equal(res.body.code, code, label)
    }
  })
})

describe('POST /v0/wipe', () => {
  it('empties verifications, ad hoc screenings, subscriptions and alerts with the parties', async () => {
    const ws = await h.newWorkspace('wipe-verification', 'sandbox')
    const person = await seedPerson(h, { first_name: 'Joaquin', last_name: 'Guzman Loera', dob: '1954-12-25' }, ws.id)
    const payer = await seedPerson(h, {}, ws.id)
    const business = await seedBusiness(h, {}, ws.id)
    assert.equal((await h.request('POST', '/v0/verifications/verify', { key: ws.key, body: { customer_consent: true, person_id: person } })).status, 201)
    assert.equal((await h.request('POST', '/v0/verifications/verify', { key: ws.key, body: { customer_consent: true, business_id: business } })).status, 201)
    assert.equal((await h.request('POST', '/v0/monitoring/subscriptions', { key: ws.key, body: { person_id: person } })).status, 201)
    assert.equal((await adhoc({ payer_id: payer, payee_id: person }, ws.key)).status, 200)
    const keptPerson = await seedPerson(h)
    await h.request('POST', '/v0/verifications/verify', { body: { customer_consent: true, person_id: keptPerson } })
    const wipe = await h.request('POST', '/v0/wipe', { key: ws.key })
    assert.equal(wipe.status, 204, JSON.stringify(wipe.body))
    for (const table of ['verifications', 'adhoc_verifications', 'monitoring_subscriptions', 'monitoring_alerts', 'persons', 'businesses']) {
      const [{ n }] = await h.sql`select count(*)::int as n from ${h.sql(table)} where workspace_id = ${ws.id}`
      assert.equal(n, 0, table)
    }
    // Another workspace keeps its verifications.
    assert.equal((await h.request('GET', `/v0/verifications?person_id=${keptPerson}`)).body.verifications.length, 2)
  })
})
