// Names that lists sort and filter by are indexed, and an index entry holds at most 2,704 bytes:
// a longer last_name or entity_name answered 500. They are held to indexedNameBytesMax (1 KiB), on
// create and on change, with a 400 naming the field.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { indexedNameBytesMax } from '../../src/customers/request-fields.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

describe('indexed names', () => {
  it('refuses a last_name or entity_name over 1 KiB with 400, and takes one of exactly 1 KiB', async () => {
    const longest = 'é'.repeat(indexedNameBytesMax / 2) // two bytes each
    const over = longest + 'x'
    const person = { is_customer: true, status: 'ACTIVE', first_name: 'Ada' }
    for (const path of ['/v0/persons', '/v0/customers']) {
      const refused = await h.request('POST', path, { body: { ...person, last_name: over } })
      assert.equal(refused.status, 400, JSON.stringify(refused.body))
      assert.deepEqual(Object.keys(refused.body.invalid), ['last_name'])
    }
    const created = await h.request('POST', '/v0/persons', { body: { ...person, last_name: longest } })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const patched = await h.request('PATCH', `/v0/persons/${created.body.id}`, { body: { last_name: 'y'.repeat(3_000) } })
    assert.equal(patched.status, 400, JSON.stringify(patched.body))

    const business = { is_customer: true, status: 'ACTIVE' }
    const refused = await h.request('POST', '/v0/businesses', { body: { ...business, entity_name: over } })
    assert.deepEqual([refused.status, Object.keys(refused.body.invalid ?? {})], [400, ['entity_name']], JSON.stringify(refused.body))
    const made = await h.request('POST', '/v0/businesses', { body: { ...business, entity_name: longest } })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    assert.equal((await h.request('PATCH', `/v0/businesses/${made.body.id}`, { body: { entity_name: 'z'.repeat(3_000) } })).status, 400)
    assert.equal((await h.request('GET', `/v0/persons?last_name=${encodeURIComponent(longest)}`)).body.persons.length, 1)
  })
})
