import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ApiError } from '../../platform/errors.js'
import { countryAlpha2, isCountryAlpha2 } from './countries.js'
import { checkAddress, type AddressDraft } from './service.js'

const us: AddressDraft = { address_line_1: '1 Main St', city: 'Springfield', state: 'IL', postal_code: '62701', country_code: 'US' }

function refusal(draft: AddressDraft): { missing?: string[]; invalid?: Record<string, string> } {
  try {
    checkAddress(draft)
  } catch (err) {
    assert.ok(err instanceof ApiError)
    assert.equal(err.code, 'BAD_REQUEST_BODY')
    return err.extra as { missing?: string[]; invalid?: Record<string, string> }
  }
  assert.fail(`accepted ${JSON.stringify(draft)}`)
}

describe('checkAddress', () => {
  it('accepts a complete address and keeps it as sent', () => {
    assert.deepEqual(checkAddress({ ...us, address_line_2: 'Apt 2', nickname: 'Home' }), { ...us, address_line_2: 'Apt 2', nickname: 'Home' })
    assert.equal(checkAddress({ ...us, postal_code: '62701-1234' }).postal_code, '62701-1234')
    assert.equal(checkAddress({ ...us, postal_code: undefined }).postal_code, undefined)
  })

  it('writes Canadian postal codes as A1A 1A1 whatever the case and spacing', () => {
    const ca = { address_line_1: '1 Rue', city: 'Montréal', state: 'QC', country_code: 'CA' }
    for (const sent of ['h2x 1y4', 'H2X1Y4', 'h2X1y4']) assert.equal(checkAddress({ ...ca, postal_code: sent }).postal_code, 'H2X 1Y4')
  })

  it('keeps the registered agent flag only when true', () => {
    assert.equal(checkAddress({ ...us, is_registered_agent: true }).is_registered_agent, true)
    assert.ok(!('is_registered_agent' in checkAddress({ ...us, is_registered_agent: false })))
  })

  const refused: [string, AddressDraft, { missing?: string[]; invalid?: string[] }][] = [
    ['no line 1, city, state or country', { postal_code: '62701' }, { missing: ['address_line_1', 'city', 'state', 'country_code'] }],
    ['blank line 1 and city', { ...us, address_line_1: ' ', city: '' }, { invalid: ['address_line_1', 'city'] }],
    ['unassigned country', { ...us, country_code: 'ZZ', postal_code: 'anything' }, { invalid: ['country_code'] }],
    ['US ZIP too short', { ...us, postal_code: '6270' }, { invalid: ['postal_code'] }],
    ['US ZIP+4 without dash', { ...us, postal_code: '627011234' }, { invalid: ['postal_code'] }],
    ['CA postal code in US form', { ...us, country_code: 'CA', state: 'ON' }, { invalid: ['postal_code'] }],
    ['US state spelled out', { ...us, state: 'Illinois' }, { invalid: ['state'] }],
    ['US state with country prefix', { ...us, state: 'US-IL' }, { invalid: ['state'] }],
  ]
  for (const [name, draft, expected] of refused) {
    it(`refuses: ${name}`, () => {
      const extra = refusal(draft)
      assert.deepEqual(extra.missing ?? [], expected.missing ?? [])
      assert.deepEqual(Object.keys(extra.invalid ?? {}).sort(), (expected.invalid ?? []).sort())
    })
  }

  it('does not judge postal codes or states of countries whose formats the spec does not give', () => {
    assert.equal(checkAddress({ address_line_1: '10 Downing St', city: 'London', state: 'LND', postal_code: 'SW1A 2AA', country_code: 'GB' }).postal_code, 'SW1A 2AA')
  })
})

describe('countries', () => {
  it('maps alpha-3 to alpha-2 and knows only assigned codes', () => {
    assert.equal(countryAlpha2('USA'), 'US')
    assert.equal(countryAlpha2('CAN'), 'CA')
    assert.equal(countryAlpha2('GB'), 'GB')
    assert.equal(countryAlpha2('ZZ'), undefined)
    assert.equal(countryAlpha2('ZZZ'), undefined)
    assert.ok(isCountryAlpha2('MX'))
    assert.ok(!isCountryAlpha2('UK'))
  })
})
