// POST /v0/verifications (a vendor's result uploaded), GET list and get.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { eventsFor, seedBusiness, seedPerson, statusOf } from './seed.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const upload = (body: Record<string, unknown>, key?: string) =>
  h.request('POST', '/v0/verifications', { body: { verification_time: '2026-01-02T03:04:05Z', ...body }, key })

describe('POST /v0/verifications', () => {
  it('records a vendor result and rolls it up with the party\'s other current results', async () => {
    const id = await seedPerson(h)
    const identity = await upload({ person_id: id, verification_type: 'IDENTITY', result: 'ACCEPTED', vendor_info: { vendor: 'SOCURE', content_type: 'application/json', json: { reference: 'abc' } }, details: [{ category: 'CIP', result: 'PASS', description: 'ok' }] })
    assert.equal(identity.status, 201, JSON.stringify(identity.body))
    assert.equal(identity.body.person_id, id)
    assert.equal(identity.body.vendor_info.vendor, 'SOCURE')
    assert.equal(await statusOf(h, 'persons', id), 'ACCEPTED')
    await upload({ person_id: id, verification_type: 'WATCHLIST', result: 'REVIEW' })
    assert.equal(await statusOf(h, 'persons', id), 'REVIEW')
    // MANUAL_REVIEW overrides the other types.
    await upload({ person_id: id, verification_type: 'MANUAL_REVIEW', result: 'ACCEPTED' })
    assert.equal(await statusOf(h, 'persons', id), 'ACCEPTED')
    const types = (await eventsFor(h, id)).map((e) => e.type)
    assert.equal(types.filter((t) => t === 'PERSON.VERIFICATION_OUTCOME.UPDATED').length, 3)
    assert.equal(types.filter((t) => t === 'CUSTOMER.KYC_OUTCOME.UPDATED').length, 3)

    const got = await h.request('GET', `/v0/verifications/${identity.body.id}`)
    assert.equal(got.status, 200)
    assert.deepEqual(got.body, identity.body)
  })

  it('keeps of details and vendor_info only what the spec declares, and vendor_info\'s json whole', async () => {
    const id = await seedPerson(h)
    const res = await upload({
      person_id: id, verification_type: 'IDENTITY', result: 'ACCEPTED',
      vendor_info: { vendor: 'SOCURE', content_type: 'application/json', json: { reference: 'abc', nested: { any: 1 } }, internal: 'x' },
      details: [{ category: 'CIP', result: 'PASS', description: 'ok', score: 0.9, internal_note: 'x' }],
    })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.deepEqual(res.body.details, [{ category: 'CIP', result: 'PASS', description: 'ok', score: 0.9 }])
    assert.deepEqual(res.body.vendor_info, { vendor: 'SOCURE', content_type: 'application/json', json: { reference: 'abc', nested: { any: 1 } } })
  })

  it('records a business result', async () => {
    const id = await seedBusiness(h)
    const res = await upload({ business_id: id, verification_type: 'IDENTITY', result: 'REJECTED' })
    assert.equal(res.status, 201)
    assert.equal(await statusOf(h, 'businesses', id), 'REJECTED')
  })

  it('refuses bad uploads with clean 400s and changes nothing', async () => {
    const person = await seedPerson(h)
    const bare = await seedPerson(h, { dob: null, ssn: null, email: null, phone_number: null })
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['missing result', { person_id: person, verification_type: 'IDENTITY' }, 'BAD_REQUEST_BODY'],
      ['bad result', { person_id: person, verification_type: 'IDENTITY', result: 'MAYBE' }, 'BAD_REQUEST_BODY'],
      ['bad type', { person_id: person, verification_type: 'VIBES', result: 'ACCEPTED' }, 'BAD_REQUEST_BODY'],
      ['no party', { verification_type: 'IDENTITY', result: 'ACCEPTED' }, 'BAD_REQUEST_BODY'],
      ['future verification_time', { person_id: person, verification_type: 'IDENTITY', result: 'ACCEPTED', verification_time: '2999-01-01T00:00:00Z' }, 'BAD_REQUEST_BODY'],
      ['party missing fields', { person_id: bare, verification_type: 'IDENTITY', result: 'ACCEPTED' }, 'BAD_REQUEST_BODY'],
      ['unknown person', { person_id: uuidv7(), verification_type: 'IDENTITY', result: 'ACCEPTED' }, 'CUSTOMER_NOT_FOUND'],
    ]
    for (const [label, body, code] of cases) {
      const res = await upload(body)
      assert.equal(res.status, 400, label)
      assert.equal(res.body.code, code, label)
    }
    assert.equal(await statusOf(h, 'persons', person), 'UNVERIFIED')
    const missing = await upload({ person_id: bare, verification_type: 'IDENTITY', result: 'ACCEPTED' })
    assert.deepEqual(missing.body.missing, ['dob', 'email or phone_number', 'ssn or personal_ids'])
  })
})

describe('GET /v0/verifications', () => {
  it('filters, pages, hides history unless asked, and keeps workspaces apart', async () => {
    const ws = await h.newWorkspace('list-verifications', 'sandbox')
    const p1 = await seedPerson(h, {}, ws.id)
    const p2 = await seedPerson(h, {}, ws.id)
    const made: string[] = []
    for (const [person, type, result] of [[p1, 'IDENTITY', 'REVIEW'], [p1, 'IDENTITY', 'ACCEPTED'], [p1, 'WATCHLIST', 'ACCEPTED'], [p2, 'IDENTITY', 'REJECTED']]) {
      made.push((await upload({ person_id: person, verification_type: type, result }, ws.key)).body.id)
    }
    const ids = async (q: string) => (await h.request('GET', `/v0/verifications?${q}`, { key: ws.key })).body.verifications.map((v: any) => v.id)
    assert.deepEqual(await ids(''), [made[1], made[2], made[3]])
    assert.deepEqual(await ids('include_history=true'), made)
    assert.deepEqual(await ids(`person_id=${p1}`), [made[1], made[2]])
    assert.deepEqual(await ids('verification_type=IDENTITY'), [made[1], made[3]])
    assert.deepEqual(await ids('result=REJECTED,REVIEW&include_history=true'), [made[0], made[3]])
    const page1 = await h.request('GET', '/v0/verifications?limit=2&include_history=true', { key: ws.key })
    assert.equal(page1.body.verifications.length, 2)
    const page2 = await h.request('GET', `/v0/verifications?limit=2&include_history=true&page_token=${page1.body.next_page_token}`, { key: ws.key })
    assert.deepEqual(page2.body.verifications.map((v: any) => v.id), made.slice(2))
    assert.equal(page2.body.next_page_token, undefined)
    // Another workspace sees none of them, and cannot get one by id.
    assert.deepEqual((await h.request('GET', `/v0/verifications?person_id=${p1}`)).body.verifications, [])
    assert.equal((await h.request('GET', `/v0/verifications/${made[0]}`)).status, 404)
  })

  it('answers unknown and malformed ids with 404, bad filters with 400', async () => {
    for (const id of [uuidv7(), 'nope']) assert.equal((await h.request('GET', `/v0/verifications/${id}`)).status, 404)
    for (const q of ['result=MAYBE', 'verification_type=VIBES', 'person_id=nope', 'limit=0']) {
      const res = await h.request('GET', `/v0/verifications?${q}`)
      assert.equal(res.status, 400, q)
      assert.equal(res.body.code, 'BAD_QUERY_PARAMETER', q)
    }
  })
})
