import { badBody } from '../../platform/errors.js'
import { isCountryAlpha2 } from './countries.js'
import type { AddressFields } from './store.js'

/** An address as a client describes it: what a create body or a stored address merged with a patch holds. */
export interface AddressDraft {
  address_line_1?: string
  address_line_2?: string
  city?: string
  state?: string
  postal_code?: string
  country_code?: string
  nickname?: string
  is_registered_agent?: boolean
}

export const addressFieldNames = ['address_line_1', 'address_line_2', 'city', 'state', 'postal_code', 'country_code', 'nickname', 'is_registered_agent'] as const

// The spec's postal_code description: US takes 12345 or 12345-1234; CA takes A1A 1A1 or A1A1A1 in
// any case and stores A1A 1A1. Other countries' formats are not stated, so they are kept as sent.
const usPostalCode = /^\d{5}(-\d{4})?$/
const caPostalCode = /^([A-Z]\d[A-Z]) ?(\d[A-Z]\d)$/i
// The spec's state description: the ISO 3166-2 subdivision code without the country prefix, two
// letters for the US (and, by ISO 3166-2:CA, for Canada's provinces and territories).
const twoLetterSubdivision = /^[A-Z]{2}$/

const required = ['address_line_1', 'city', 'state', 'country_code'] as const

/**
 * Checks a complete address and returns it as stored: CA postal codes in A1A 1A1 form, a registered
 * agent flag only when true (the spec omits it otherwise). Throws 400 BAD_REQUEST_BODY naming every
 * field at fault. Never changes its input.
 */
export function checkAddress(draft: AddressDraft): AddressFields {
  const missing: string[] = []
  const invalid: Record<string, string> = {}
  for (const name of required) {
    const value = draft[name]
    if (value === undefined) missing.push(name)
    else if (value.trim() === '') invalid[name] = 'must not be blank'
  }
  const country = draft.country_code
  if (country !== undefined && !invalid.country_code && !isCountryAlpha2(country)) invalid.country_code = 'must be an assigned ISO 3166-1 alpha-2 country code'

  let postalCode = draft.postal_code
  if (postalCode !== undefined && country === 'US' && !usPostalCode.test(postalCode)) invalid.postal_code = 'must be a US ZIP code: 12345 or 12345-1234'
  if (postalCode !== undefined && country === 'CA') {
    const match = caPostalCode.exec(postalCode)
    if (match) postalCode = `${match[1]} ${match[2]}`.toUpperCase()
    else invalid.postal_code = 'must be a Canadian postal code: A1A 1A1'
  }
  if (draft.state !== undefined && !invalid.state && (country === 'US' || country === 'CA') && !twoLetterSubdivision.test(draft.state)) {
    invalid.state = `must be the two-letter ISO 3166-2 subdivision code for ${country}, without the country prefix`
  }

  if (missing.length || Object.keys(invalid).length) {
    const parts: string[] = []
    if (missing.length) parts.push(`missing required fields: ${missing.join(', ')}`)
    if (Object.keys(invalid).length) parts.push(`invalid fields: ${Object.entries(invalid).map(([k, m]) => `${k} (${m})`).join(', ')}`)
    throw badBody(parts.join('; '), { missing, invalid })
  }
  return {
    address_line_1: draft.address_line_1!,
    ...(draft.address_line_2 !== undefined ? { address_line_2: draft.address_line_2 } : {}),
    city: draft.city!,
    state: draft.state!,
    ...(postalCode !== undefined ? { postal_code: postalCode } : {}),
    country_code: country!,
    ...(draft.nickname !== undefined ? { nickname: draft.nickname } : {}),
    ...(draft.is_registered_agent === true ? { is_registered_agent: true as const } : {}),
  }
}

/** Picks the address fields out of a request body, leaving anything else behind. */
export function addressDraftOf(body: Record<string, unknown>): AddressDraft {
  const draft: Record<string, unknown> = {}
  for (const name of addressFieldNames) if (body[name] !== undefined) draft[name] = body[name]
  return draft as AddressDraft
}
