import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ApiError } from '../platform/errors.js'
import { uuidv7 } from '../platform/ids.js'
import { startHarness, type Harness } from '../../test/support/harness.js'
import { seedBusiness, seedPerson } from '../../test/verification/seed.js'
import { requireVerifiedParty } from './gate.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

async function outcome(parties: Parameters<typeof requireVerifiedParty>[2]): Promise<string> {
  try {
    await requireVerifiedParty(h.sql, h.workspaces.a, parties)
    return 'PASS'
  } catch (err) {
    if (err instanceof ApiError) return `${err.status} ${err.code}`
    throw err
  }
}

describe('the verification gate', () => {
  const table: Array<[string, string, string]> = [
    ['ACCEPTED', 'PASS', 'PASS'],
    ['UNVERIFIED', '422 CUSTOMER_NOT_VERIFIED', '422 BUSINESS_NOT_VERIFIED'],
    ['PENDING', '422 CUSTOMER_NOT_VERIFIED', '422 BUSINESS_NOT_VERIFIED'],
    ['PROVISIONAL', '422 CUSTOMER_NOT_VERIFIED', '422 BUSINESS_NOT_VERIFIED'],
    ['REVIEW', '422 CUSTOMER_NOT_VERIFIED', '422 BUSINESS_NOT_VERIFIED'],
    ['REJECTED', '422 CUSTOMER_NOT_VERIFIED', '422 BUSINESS_NOT_VERIFIED'],
  ]
  for (const [status, personOutcome, businessOutcome] of table) {
    it(`${status}: person ${personOutcome}, business ${businessOutcome}`, async () => {
      const person = await seedPerson(h, { verification_status: status })
      const business = await seedBusiness(h)
      await h.sql`update businesses set verification_status = ${status} where id = ${business}`
      assert.equal(await outcome({ customerId: person }), personOutcome)
      assert.equal(await outcome({ businessId: business }), businessOutcome)
    })
  }

  it('checks both parties when given both, and refuses parties it cannot find', async () => {
    const verified = await seedPerson(h, { verification_status: 'ACCEPTED' })
    const business = await seedBusiness(h)
    assert.equal(await outcome({ customerId: verified, businessId: business }), '422 BUSINESS_NOT_VERIFIED')
    assert.equal(await outcome({ customerId: uuidv7() }), '400 CUSTOMER_NOT_FOUND')
    assert.equal(await outcome({ businessId: uuidv7() }), '400 BUSINESS_NOT_FOUND')
    const elsewhere = await seedPerson(h, { verification_status: 'ACCEPTED' }, h.workspaces.b)
    assert.equal(await outcome({ customerId: elsewhere }), '400 CUSTOMER_NOT_FOUND')
    assert.equal(await outcome({}), 'PASS')
  })
})
