// The sandbox identity provider: deterministic rules, documented in docs/verification.md.
//
// Businesses follow Synctera's published KYB sandbox values exactly (synctera-sandbox-notes.md §2).
// Synctera publishes no person values, so persons follow Keel's own: SSNs in the 900-00-000x
// range, which the SSA never issues (9xx is the ITIN range), so no real customer can hit them.
// Every other input is ACCEPTED.
import type { BusinessFacts, Detail, PersonFacts, PostalAddress, ProviderOutcome, VerificationProvider, VerificationResult } from './provider.js'

export const sandboxVendor = 'KEEL_SANDBOX'

interface Rule { result: Exclude<VerificationResult, 'ACCEPTED'>; detail: Detail }

/** Keel's person test SSNs (digits only). */
export const sandboxPersonSsns: Record<string, Rule> = {
  '900000002': { result: 'REVIEW', detail: { category: 'CIP', result: 'WARN', label: 'SSN', description: 'SSN was issued before the date of birth', vendor_code: 'KEEL-KYC-SSN-ISSUED-BEFORE-DOB' } },
  '900000003': { result: 'REJECTED', detail: { category: 'SYNTHETIC', result: 'FAIL', label: 'SSN', description: 'SSN is reported as belonging to a deceased person', vendor_code: 'KEEL-KYC-SSN-DECEASED' } },
  '900000004': { result: 'VENDOR_ERROR', detail: { category: 'OTHER', result: 'FAIL', label: 'Provider', description: 'the identity provider failed to answer (sandbox provider failure)', vendor_code: 'KEEL-KYC-PROVIDER-FAILURE' } },
}

/** Synctera's KYB sandbox business names. */
export const sandboxBusinessNames: Record<string, Rule> = {
  'unregistered business': { result: 'REJECTED', detail: { category: 'SOS_FILINGS', result: 'FAIL', label: 'Secretary of State', description: 'no Secretary of State filings found', vendor_code: 'KYB-SOS-NOT-FOUND' } },
  'similar name business': { result: 'REVIEW', detail: { category: 'BUSINESS_NAME', result: 'WARN', label: 'Name', description: 'Secretary of State filing found with a similar name', vendor_code: 'KYB-NAME-SIMILAR' } },
}

/** Synctera's KYB sandbox office addresses (line 1, at New York, NY 10013). */
export const sandboxBusinessAddresses: Record<string, Rule> = {
  '123 grand st': { result: 'REJECTED', detail: { category: 'OFFICE_ADDRESS', result: 'FAIL', label: 'Office address', description: 'office address not matched', vendor_code: 'KYB-ADDRESS-NOT-MATCHED' } },
  '223 grand st': { result: 'REVIEW', detail: { category: 'OFFICE_ADDRESS', result: 'WARN', label: 'Office address', description: 'similar address found', vendor_code: 'KYB-ADDRESS-SIMILAR' } },
  '423 grand st': { result: 'REVIEW', detail: { category: 'OFFICE_ADDRESS', result: 'WARN', label: 'Office address', description: 'approximate address found (within 0.2 mi)', vendor_code: 'KYB-ADDRESS-APPROXIMATE' } },
}

/** Synctera's KYB sandbox address substrings, anywhere in the address. */
export const sandboxBusinessAddressWords: Array<[string, Rule]> = [
  ['undeliverable', { result: 'REJECTED', detail: { category: 'OFFICE_ADDRESS', result: 'FAIL', label: 'Office address', description: 'USPS reports the address undeliverable', vendor_code: 'KYB-ADDRESS-UNDELIVERABLE' } }],
  ['cmra', { result: 'REVIEW', detail: { category: 'OFFICE_ADDRESS', result: 'WARN', label: 'Office address', description: 'address is a Commercial Mail Receiving Agency', vendor_code: 'KYB-ADDRESS-CMRA' } }],
  ['registered agent', { result: 'REVIEW', detail: { category: 'OFFICE_ADDRESS', result: 'WARN', label: 'Office address', description: 'address is a registered agent\'s, not the business\'s', vendor_code: 'KYB-ADDRESS-REGISTERED-AGENT' } }],
]

/** Synctera's KYB sandbox TINs. */
export const sandboxBusinessTins: Record<string, Rule> = {
  '110000099': { result: 'REJECTED', detail: { category: 'TIN_MATCH', result: 'FAIL', label: 'TIN', description: 'TIN and name mismatch: the TIN belongs to another entity', vendor_code: 'KYB-TIN-MISMATCH' } },
  '111222333': { result: 'REJECTED', detail: { category: 'TIN_MATCH', result: 'FAIL', label: 'TIN', description: 'TIN and name unknown', vendor_code: 'KYB-TIN-UNKNOWN' } },
}

/** The worse of two results: REJECTED, then VENDOR_ERROR, then REVIEW, then ACCEPTED. */
const severity: Record<string, number> = { ACCEPTED: 0, REVIEW: 1, VENDOR_ERROR: 2, REJECTED: 3 }

function outcome(rules: Rule[], passes: Detail[]): ProviderOutcome {
  let result: VerificationResult = 'ACCEPTED'
  for (const r of rules) if (severity[r.result] > severity[result]) result = r.result
  return { result, details: [...rules.map((r) => r.detail), ...passes], raw: { sandbox: true, result, rules: rules.map((r) => r.detail.vendor_code) } }
}

const digits = (s: string) => s.replace(/\D/g, '')
const normalLine = (s: string | undefined) => (s ?? '').toLowerCase().replace(/[.,]/g, '').replace(/\s+/g, ' ').trim()

function isSandboxGrandStreet(address: PostalAddress): boolean {
  return normalLine(address.city) === 'new york' && (address.state ?? '').toUpperCase() === 'NY' && (address.postal_code ?? '').startsWith('10013')
}

export function sandboxPersonOutcome(person: PersonFacts): ProviderOutcome {
  const rule = sandboxPersonSsns[digits(person.ssn)]
  if (rule?.result === 'VENDOR_ERROR') return { result: 'VENDOR_ERROR', details: [rule.detail], raw: { sandbox: true, error: 'provider failure' } }
  return outcome(rule ? [rule] : [], rule ? [] : [
    { category: 'CIP', result: 'PASS', label: 'Identity', description: 'name, date of birth and SSN are correlated', vendor_code: 'KEEL-KYC-CIP-PASS' },
    { category: 'ADDRESS', result: 'PASS', label: 'Address', description: 'legal address is correlated with the identity', vendor_code: 'KEEL-KYC-ADDRESS-PASS' },
  ])
}

export function sandboxBusinessOutcome(business: BusinessFacts): ProviderOutcome {
  const rules: Rule[] = []
  const name = sandboxBusinessNames[business.entity_name.trim().toLowerCase()]
  if (name) rules.push(name)
  const line1 = normalLine(business.legal_address.address_line_1)
  const address = isSandboxGrandStreet(business.legal_address) ? sandboxBusinessAddresses[line1] : undefined
  if (address) rules.push(address)
  const fullAddress = normalLine([business.legal_address.address_line_1, business.legal_address.address_line_2].join(' '))
  for (const [word, rule] of sandboxBusinessAddressWords) if (fullAddress.includes(word)) rules.push(rule)
  const tin = business.ein ? sandboxBusinessTins[digits(business.ein)] : undefined
  if (tin) rules.push(tin)
  const passes: Detail[] = []
  if (!name) passes.push({ category: 'SOS_FILINGS', result: 'PASS', label: 'Secretary of State', description: 'active Secretary of State filing found', vendor_code: 'KYB-SOS-PASS' })
  if (!rules.some((r) => r.detail.category === 'OFFICE_ADDRESS')) passes.push({ category: 'OFFICE_ADDRESS', result: 'PASS', label: 'Office address', description: 'office address verified', vendor_code: 'KYB-ADDRESS-PASS' })
  if (business.ein && !tin) passes.push({ category: 'TIN_MATCH', result: 'PASS', label: 'TIN', description: 'TIN matches the business name', vendor_code: 'KYB-TIN-PASS' })
  return outcome(rules, passes)
}

export const sandboxProvider: VerificationProvider = {
  vendor: sandboxVendor,
  async verifyPerson(person) { return sandboxPersonOutcome(person) },
  async verifyBusiness(business) { return sandboxBusinessOutcome(business) },
}
