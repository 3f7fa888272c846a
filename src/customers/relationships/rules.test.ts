import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { judge, ownershipUnitsMax, toOwnershipUnits, type Candidate, type Facts, type Party } from './rules.js'

const person: Party = { kind: 'person', id: 'p1' }
const otherPerson: Party = { kind: 'person', id: 'p2' }
const company: Party = { kind: 'business', id: 'b1' }
const holding: Party = { kind: 'business', id: 'b2' }

const owner = (from: Party, percent: number, to: Party = company): Candidate =>
  ({ relationship_type: from.kind === 'person' ? 'BENEFICIAL_OWNER_OF' : 'OWNER_OF', from, to, ownershipUnits: toOwnershipUnits(percent)! })
const manager = (from: Party, to: Party = company): Candidate => ({ relationship_type: 'MANAGING_PERSON_OF', from, to, ownershipUnits: null })
const facts = (siblings: Candidate[] = [], exists: Partial<Facts> = {}): Facts => ({ fromExists: true, toExists: true, siblings, ...exists })

interface Case { name: string; candidate: Candidate; facts: Facts; code?: string; invalid?: string }

// In precedence order: each row breaks the rule it names and every rule below it, so the row
// proves that rule wins over all the later ones.
const cases: Case[] = [
  { name: 'self-ownership beats every other refusal', candidate: owner(company, 60), facts: facts([owner(company, 60), owner(person, 50)], { fromExists: false, toExists: false }), code: 'BAD_REQUEST_BODY', invalid: 'to_business_id' },
  { name: 'a payer paying itself', candidate: { relationship_type: 'PAYER_PAYEE', from: person, to: person, ownershipUnits: null }, facts: facts(), code: 'BAD_REQUEST_BODY', invalid: 'to_person_id' },
  { name: 'missing from-person beats a missing target, a duplicate and over-ownership', candidate: owner(person, 60), facts: facts([owner(person, 50)], { fromExists: false, toExists: false }), code: 'CUSTOMER_NOT_FOUND' },
  { name: 'missing from-business', candidate: owner(holding, 10), facts: facts([], { fromExists: false }), code: 'BUSINESS_NOT_FOUND' },
  { name: 'missing target beats a duplicate and over-ownership', candidate: owner(person, 60), facts: facts([owner(person, 50)], { toExists: false }), code: 'BUSINESS_NOT_FOUND' },
  { name: 'missing payee person', candidate: { relationship_type: 'PAYER_PAYEE', from: company, to: otherPerson, ownershipUnits: null }, facts: facts([], { toExists: false }), code: 'CUSTOMER_NOT_FOUND' },
  { name: 'duplicate beats over-ownership', candidate: owner(person, 60), facts: facts([owner(person, 50)]), code: 'DUPLICATE_RESOURCE' },
  { name: 'duplicate manager', candidate: manager(person), facts: facts([manager(person)]), code: 'DUPLICATE_RESOURCE' },
  { name: 'over 100% across person and business owners', candidate: owner(person, 30.0001), facts: facts([owner(otherPerson, 40), owner(holding, 30)]), code: 'BAD_REQUEST_BODY', invalid: 'additional_data.percent_ownership' },
  { name: 'one owner over a full owner', candidate: owner(holding, 0.0001), facts: facts([owner(person, 100)]), code: 'BAD_REQUEST_BODY', invalid: 'additional_data.percent_ownership' },
  // Allowed.
  { name: 'exactly 100% in total', candidate: owner(person, 30), facts: facts([owner(otherPerson, 40), owner(holding, 30)]) },
  { name: 'thirds to four decimals', candidate: owner(person, 33.3334), facts: facts([owner(otherPerson, 33.3333), owner(holding, 33.3333)]) },
  { name: 'managers hold no share', candidate: owner(person, 100), facts: facts([manager(person), manager(otherPerson)]) },
  { name: 'the same parties in another type', candidate: manager(person), facts: facts([owner(person, 100)]) },
  { name: 'the same owner of another business', candidate: owner(person, 100, holding), facts: facts([]) },
  { name: 'a payer may pay many payees', candidate: { relationship_type: 'PAYER_PAYEE', from: person, to: company, ownershipUnits: null }, facts: facts([{ relationship_type: 'PAYER_PAYEE', from: otherPerson, to: company, ownershipUnits: null }]) },
]

describe('relationship rules', () => {
  for (const c of cases) {
    it(c.name, () => {
      const refusal = judge(c.candidate, c.facts)
      assert.equal(refusal?.code, c.code)
      if (c.invalid) assert.deepEqual(Object.keys(refusal?.extra.invalid as object), [c.invalid])
    })
  }

  it('counts ownership in whole ten-thousandths of a percent', () => {
    assert.equal(toOwnershipUnits(100), ownershipUnitsMax)
    assert.equal(toOwnershipUnits(35.75), 357_500)
    assert.equal(toOwnershipUnits(0.0001), 1)
    assert.equal(toOwnershipUnits(33.33333), undefined)
    assert.equal(toOwnershipUnits(0.1 + 0.2), 3000, 'binary rounding noise is not a fifth decimal')
  })
})
