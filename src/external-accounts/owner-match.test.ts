import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { matchOwner, matchOwners, type PartyContact, type VendorOwner } from './owner-match.js'

// The owner Plaid's sandbox documents for user_good.
const alberta: VendorOwner = {
  names: ['Alberta Bobbeth Charleson'],
  emails: ['accounts1@example.com', 'accounts2@example.com'],
  phones: ['2025550123', '1112224444'],
  addresses: [{ street: '2992 Cameron Road', postalCode: '14236' }, { street: '2493 Leisure Lane', postalCode: '93405-2255' }],
}

const person = (over: Partial<PartyContact> = {}): PartyContact => ({
  names: [{ first: 'Nobody', last: 'Else' }], email: 'other@example.com', phone: '+14155550100',
  address: { line1: '1 Main St', postalCode: '62701' }, ...over,
})

describe('owner matching', () => {
  const table: Array<{ name: string; party: PartyContact; matched: string[] }> = [
    { name: 'nothing in common', party: person(), matched: [] },
    { name: 'name only (middle name skipped, case and accents ignored)', party: person({ names: [{ first: 'ALBÉRTA', last: 'charleson' }] }), matched: ['name'] },
    { name: 'name and email', party: person({ names: [{ first: 'Alberta', last: 'Charleson' }], email: 'Accounts2@Example.com ' }), matched: ['name', 'email'] },
    { name: 'phone with country code and punctuation, and address with abbreviations', party: person({ phone: '+1 (202) 555-0123', address: { line1: '2992 Cameron Rd.', postalCode: '14236-0001' } }), matched: ['phone', 'address'] },
    { name: 'all four', party: { names: [{ first: 'Alberta', last: 'Charleson' }], email: 'accounts1@example.com', phone: '202-555-0123', address: { line1: '2493 Leisure Lane', postalCode: '93405' } }, matched: ['name', 'phone', 'email', 'address'] },
    { name: 'a first name alone is not a name match', party: person({ names: [{ first: 'Alberta', last: null }] }), matched: [] },
    { name: 'same street, other zip', party: person({ address: { line1: '2992 Cameron Road', postalCode: '14237' } }), matched: [] },
    { name: 'short phone never matches', party: person({ phone: '0123' }), matched: [] },
    { name: 'missing fields match nothing', party: { names: [], email: null, phone: null, address: null }, matched: [] },
  ]
  for (const row of table) {
    it(row.name, () => {
      const m = matchOwner(row.party, alberta)
      assert.deepEqual(m.matched, row.matched)
      assert.equal(m.verified, row.matched.length >= 2)
    })
  }

  it('a business name matches without its legal suffix, or through a trade name', () => {
    const owner: VendorOwner = { names: ['ACME WIDGETS, INC.'], emails: ['ops@acme.example'], phones: [], addresses: [] }
    assert.deepEqual(matchOwner({ names: ['Acme Widgets LLC'], email: 'ops@acme.example', phone: null, address: null }, owner).matched, ['name', 'email'])
    assert.deepEqual(matchOwner({ names: ['Other Name', 'Acme Widgets'], email: null, phone: null, address: null }, owner).matched, ['name'])
    assert.deepEqual(matchOwner({ names: ['Acme Gadgets'], email: null, phone: null, address: null }, owner).matched, [])
  })

  it('takes the best of several owners', () => {
    const other: VendorOwner = { names: ['Someone Else'], emails: [], phones: [], addresses: [] }
    const party = person({ names: [{ first: 'Alberta', last: 'Charleson' }], email: 'accounts1@example.com' })
    assert.deepEqual(matchOwners(party, [other, alberta]), { matched: ['name', 'email'], verified: true })
    assert.deepEqual(matchOwners(party, []), { matched: [], verified: false })
  })
})
