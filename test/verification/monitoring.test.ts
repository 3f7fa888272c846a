// Watchlist monitoring (subscriptions, alerts, re-screening after an import) and ad hoc payee screening.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { currentList } from '../../src/verification/watchlist/current.js'
import { importList } from '../../src/verification/watchlist/import.js'
import { ListFormatError, readListDir } from '../../src/verification/watchlist/list.js'
import { startHarness, type Harness } from '../support/harness.js'
import { eventsFor, seedBusiness, seedPerson } from './seed.js'

const smallDir = join(import.meta.dirname, '..', 'fixtures', 'ofac-small')

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const subscribe = (body: Record<string, unknown>, key?: string) => h.request('POST', '/v0/monitoring/subscriptions', { body, key })
const alertsOf = async (party: string, key?: string) => (await h.request('GET', `/v0/monitoring/alerts?person_id=${party}`, { key })).body.alerts

describe('monitoring subscriptions', () => {
  it('screens a party at once when it subscribes and raises one alert per listed entry', async () => {
    const person = await seedPerson(h, { first_name: 'Joaquin', last_name: 'Guzman Loera', dob: '1954-12-25', legal_address: { address_line_1: '1 Calle', city: 'Culiacan', state: 'SI', country_code: 'MX' } })
    const res = await subscribe({ person_id: person, metadata: { ref: 'r1' } })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.person_id, person)
    assert.deepEqual(res.body.metadata, { ref: 'r1' })
    const alerts = await alertsOf(person)
    assert.equal(alerts.length, 1)
    assert.equal(alerts[0].type, 'WATCHLIST')
    assert.equal(alerts[0].status, 'ACTIVE')
    assert.match(alerts[0].title, /GUZMAN LOERA/)
    assert.equal(alerts[0].vendor_info.json.entry.id, 6861)
    assert.deepEqual(alerts[0].urls, ['https://sanctionssearch.ofac.treas.gov/Details.aspx?id=6861'])
    // Subscribing again answers the same subscription and raises nothing new.
    const again = await subscribe({ person_id: person })
    assert.equal(again.body.id, res.body.id)
    assert.equal((await alertsOf(person)).length, 1)
    assert.deepEqual((await eventsFor(h, res.body.id)).map((e) => e.type), ['MONITORING_SUBSCRIPTION.CREATED'])
  })

  it('raises nothing for an ordinary party', async () => {
    const person = await seedPerson(h)
    assert.equal((await subscribe({ person_id: person })).status, 201)
    assert.deepEqual(await alertsOf(person), [])
    const business = await seedBusiness(h)
    assert.equal((await subscribe({ business_id: business })).status, 201)
    assert.deepEqual((await h.request('GET', `/v0/monitoring/alerts?business_id=${business}`)).body.alerts, [])
  })

  it('gets, lists, deletes, and keeps workspaces apart', async () => {
    const ws = await h.newWorkspace('monitoring-crud', 'sandbox')
    const [p1, p2] = [await seedPerson(h, {}, ws.id), await seedPerson(h, {}, ws.id)]
    const s1 = (await subscribe({ person_id: p1 }, ws.key)).body
    const s2 = (await subscribe({ person_id: p2 }, ws.key)).body
    assert.deepEqual((await h.request('GET', `/v0/monitoring/subscriptions/${s1.id}`, { key: ws.key })).body, s1)
    const list = await h.request('GET', '/v0/monitoring/subscriptions?limit=1', { key: ws.key })
    assert.deepEqual(list.body.subscriptions.map((s: any) => s.id), [s1.id])
    const next = await h.request('GET', `/v0/monitoring/subscriptions?limit=1&page_token=${list.body.next_page_token}`, { key: ws.key })
    assert.deepEqual(next.body.subscriptions.map((s: any) => s.id), [s2.id])
    assert.deepEqual((await h.request('GET', `/v0/monitoring/subscriptions?person_id=${p2}`, { key: ws.key })).body.subscriptions.map((s: any) => s.id), [s2.id])
    assert.equal((await h.request('GET', `/v0/monitoring/subscriptions/${s1.id}`)).status, 404)
    assert.equal((await h.request('DELETE', `/v0/monitoring/subscriptions/${s1.id}`)).status, 404)
    const deleted = await h.request('DELETE', `/v0/monitoring/subscriptions/${s1.id}`, { key: ws.key })
    assert.equal(deleted.status, 200)
    assert.deepEqual(deleted.body, { id: s1.id, resource: 'monitoring_subscription' })
    assert.equal((await h.request('GET', `/v0/monitoring/subscriptions/${s1.id}`, { key: ws.key })).status, 404)
    assert.equal((await h.request('DELETE', `/v0/monitoring/subscriptions/${s1.id}`, { key: ws.key })).status, 404)
  })

  it('refuses bad subscriptions with clean 400s', async () => {
    const person = await seedPerson(h)
    const business = await seedBusiness(h)
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['no party', {}, 'BAD_REQUEST_BODY'],
      ['two parties', { person_id: person, business_id: business }, 'BAD_REQUEST_BODY'],
      ['unknown person', { person_id: uuidv7() }, 'CUSTOMER_NOT_FOUND'],
      ['unknown business', { business_id: uuidv7() }, 'BUSINESS_NOT_FOUND'],
    ]
    for (const [label, body, code] of cases) {
      const res = await subscribe(body)
      assert.equal(res.status, 400, label)
      assert.equal(res.body.code, code, label)
    }
    assert.equal((await h.sql`select 1 from monitoring_subscriptions where person_id = ${person}`).length, 0)
  })
})

describe('monitoring alerts', () => {
  it('moves an alert between ACTIVE and SUPPRESSED, records the change, and refuses other edits', async () => {
    const person = await seedPerson(h, { first_name: 'Osama', last_name: 'bin Laden', dob: null })
    await subscribe({ person_id: person })
    const [alert] = await alertsOf(person)
    assert.ok(alert)
    const patched = await h.request('PATCH', `/v0/monitoring/alerts/${alert.id}`, { body: { status: 'SUPPRESSED', metadata: { reviewer: 'kim' } } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    const read = (await h.request('GET', `/v0/monitoring/alerts/${alert.id}`)).body
    assert.equal(read.status, 'SUPPRESSED')
    assert.deepEqual(read.metadata, { reviewer: 'kim' })
    // Sending back what GET returned, with the status changed, is accepted (readOnly fields unchanged).
    const { id: _id, creation_time: _c, last_updated_time: _u, type: _t, urls: _urls, ...editable } = read
    assert.equal((await h.request('PATCH', `/v0/monitoring/alerts/${alert.id}`, { body: { ...editable, status: 'ACTIVE' } })).status, 200)
    assert.equal((await h.request('GET', `/v0/monitoring/alerts/${alert.id}`)).body.status, 'ACTIVE')
    assert.equal((await h.request('PATCH', `/v0/monitoring/alerts/${alert.id}`, { body: { status: 'SUPPRESSED' } })).status, 200)
    const updated = (await eventsFor(h, alert.id)).find((e) => e.type === 'MONITORING_ALERT.UPDATED')
    assert.equal(updated?.changed_fields.status, 'ACTIVE')
    for (const [label, body] of [
      ['title', { title: 'nothing to see' }],
      ['type', { type: 'BANKRUPTCY' }],
      ['person', { person_id: uuidv7() }],
      ['bad status', { status: 'CLOSED' }],
    ] as const) {
      const res = await h.request('PATCH', `/v0/monitoring/alerts/${alert.id}`, { body })
      assert.equal(res.status, 400, label)
      assert.equal(res.body.code, 'BAD_REQUEST_BODY', label)
    }
    assert.equal((await h.request('GET', `/v0/monitoring/alerts/${alert.id}`)).body.status, 'SUPPRESSED')
    assert.equal((await h.request('GET', `/v0/monitoring/alerts/${alert.id}`, { key: h.keys.b })).status, 404)
    assert.equal((await h.request('PATCH', `/v0/monitoring/alerts/${uuidv7()}`, { body: { status: 'ACTIVE' } })).status, 404)
  })
})

describe('importing a list', () => {
  it('re-screens every subscription against the new list, never repeating an alert, and every screening uses it', async () => {
    // A subscriber who matches nothing on the bundled list but is on the 17-entry fixture.
    const person = await seedPerson(h, { first_name: 'Dmitry', last_name: 'Khoroshev', dob: '1993-04-17', legal_address: { address_line_1: 'Primorsky 1', city: 'Saint Petersburg', state: 'SP', country_code: 'RU' } })
    await subscribe({ person_id: person })
    assert.deepEqual(await alertsOf(person), [])
    const clock = { now: () => new Date() }
    const out = await importList(h.sql, readListDir(smallDir), { version: 'fixture-17', date: '2026-11-01' }, clock)
    assert.equal(out.entries, 17)
    assert.ok(out.rescreen.screened >= 1)
    const alerts = await alertsOf(person)
    assert.equal(alerts.length, 1)
    assert.equal(alerts[0].vendor_info.json.entry.id, 48603)
    assert.equal(alerts[0].vendor_info.json.list.version, 'fixture-17')
    const [meta] = await h.sql`select version, to_char(list_date, 'YYYY-MM-DD') as date, entry_count, rescreened_at from watchlist_lists where is_current`
    assert.deepEqual({ version: meta.version, date: meta.date, entry_count: meta.entry_count }, { version: 'fixture-17', date: '2026-11-01', entry_count: 17 })
    assert.ok(meta.rescreened_at)
    // Importing the same list again raises nothing new.
    const again = await importList(h.sql, readListDir(smallDir), { date: null }, clock)
    assert.equal(again.rescreen.alerts, 0)
    assert.equal((await alertsOf(person)).length, 1)
    // Screening in every request now uses the imported list.
    assert.equal((await currentList(h.sql)).version, again.list.version)
    const verify = await h.request('POST', '/v0/verifications/verify', { body: { customer_consent: true, person_id: person } })
    assert.equal(verify.body.verification_status, 'REJECTED')
    const payer = await seedPerson(h)
    const payee = await seedPerson(h, { first_name: 'Joaquin', last_name: 'Guzman Loera', is_customer: false })
    const adhoc = await h.request('POST', '/v0/verifications/adhoc', { body: { payer_id: payer, payee_id: payee } })
    assert.equal(adhoc.body.result, 'ACCEPTED', 'Guzman is not on the 17-entry list')
  })

  it('changes nothing when the files are malformed', async () => {
    const before = await h.sql`select id from watchlist_lists where is_current`
    const files = readListDir(smallDir)
    await assert.rejects(importList(h.sql, { ...files, alt: files.alt + '\n1,2,"aka"' }, { date: null }, { now: () => new Date() }), ListFormatError)
    assert.deepEqual(await h.sql`select id from watchlist_lists where is_current`, before)
  })
})
