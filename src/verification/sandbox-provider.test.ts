import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { BusinessFacts, PersonFacts, VerificationResult } from './provider.js'
import { sandboxBusinessOutcome, sandboxPersonOutcome } from './sandbox-provider.js'

const person = (ssn: string): PersonFacts => ({
  id: 'p', first_name: 'Ada', last_name: 'Lovelace', dob: '1985-12-10', email: 'ada@example.com', phone_number: '+14155550100',
  legal_address: { address_line_1: '1 Main St', city: 'Springfield', state: 'IL', postal_code: '62701', country_code: 'US' }, ssn,
})

const business = (overrides: Partial<BusinessFacts> & { line1?: string; city?: string; postal?: string } = {}): BusinessFacts => ({
  id: 'b', entity_name: overrides.entity_name ?? 'Acme Widgets',
  legal_address: { address_line_1: overrides.line1 ?? '500 Market St', city: overrides.city ?? 'San Francisco', state: overrides.city === 'New York' ? 'NY' : 'CA', postal_code: overrides.postal ?? '94105', country_code: 'US' },
  ...(overrides.ein !== undefined ? { ein: overrides.ein } : { ein: '123456789' }),
})

describe('sandbox provider: persons (Keel\'s test SSNs)', () => {
  const table: Array<[string, VerificationResult, string | undefined]> = [
    ['123-45-6789', 'ACCEPTED', 'KEEL-KYC-CIP-PASS'],
    ['900-00-0001', 'ACCEPTED', 'KEEL-KYC-CIP-PASS'],
    ['900-00-0002', 'REVIEW', 'KEEL-KYC-SSN-ISSUED-BEFORE-DOB'],
    ['900000003', 'REJECTED', 'KEEL-KYC-SSN-DECEASED'],
    ['900-00-0004', 'VENDOR_ERROR', 'KEEL-KYC-PROVIDER-FAILURE'],
  ]
  for (const [ssn, result, code] of table) {
    it(`${ssn} → ${result}`, () => {
      const out = sandboxPersonOutcome(person(ssn))
      assert.equal(out.result, result)
      assert.equal(out.details[0].vendor_code, code)
      assert.ok(!JSON.stringify(out).includes(ssn.replace(/\D/g, '')), 'the SSN never leaves the provider')
    })
  }
})

describe('sandbox provider: businesses (Synctera\'s KYB values)', () => {
  const ny = (line1: string) => ({ line1, city: 'New York', postal: '10013' })
  const table: Array<[string, Parameters<typeof business>[0], VerificationResult, string[]]> = [
    ['ordinary', {}, 'ACCEPTED', []],
    ['Unregistered Business', { entity_name: 'Unregistered Business' }, 'REJECTED', ['KYB-SOS-NOT-FOUND']],
    ['Similar Name Business (any case)', { entity_name: 'similar name business' }, 'REVIEW', ['KYB-NAME-SIMILAR']],
    ['123 Grand St.', ny('123 Grand St.'), 'REJECTED', ['KYB-ADDRESS-NOT-MATCHED']],
    ['223 Grand St.', ny('223 Grand St.'), 'REVIEW', ['KYB-ADDRESS-SIMILAR']],
    ['423 Grand St', ny('423 Grand St'), 'REVIEW', ['KYB-ADDRESS-APPROXIMATE']],
    ['123 Grand St. outside 10013', { line1: '123 Grand St.' }, 'ACCEPTED', []],
    ['cmra', ny('991 cmra st.'), 'REVIEW', ['KYB-ADDRESS-CMRA']],
    ['registered agent', { line1: 'c/o Registered Agent Inc, 1 Main St' }, 'REVIEW', ['KYB-ADDRESS-REGISTERED-AGENT']],
    ['undeliverable', { line1: '1 Undeliverable Way' }, 'REJECTED', ['KYB-ADDRESS-UNDELIVERABLE']],
    ['TIN 110000099', { ein: '11-0000099' }, 'REJECTED', ['KYB-TIN-MISMATCH']],
    ['TIN 111222333', { ein: '111222333' }, 'REJECTED', ['KYB-TIN-UNKNOWN']],
    ['rejected beats review', { entity_name: 'Similar Name Business', ein: '111222333' }, 'REJECTED', ['KYB-NAME-SIMILAR', 'KYB-TIN-UNKNOWN']],
  ]
  for (const [label, facts, result, codes] of table) {
    it(`${label} → ${result}`, () => {
      const out = sandboxBusinessOutcome(business(facts))
      assert.equal(out.result, result)
      const failing = out.details.filter((d) => d.result !== 'PASS').map((d) => d.vendor_code)
      assert.deepEqual(failing, codes)
    })
  }
})
