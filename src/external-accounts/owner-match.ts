// Owner matching for `verify_owner`: the account owners a vendor reports against the customer or
// business Keel holds. The spec's rule: at least 2 of name, phone number, email and address match.

export const ownerFieldsToMatchMin = 2

export interface PartyContact {
  /** A person's first and last names, or a business's legal and trade names. */
  names: { first: string | null; last: string | null }[] | string[]
  email: string | null
  phone: string | null
  address: { line1: string | null; postalCode: string | null } | null
}

export interface VendorOwner {
  names: string[]
  emails: string[]
  phones: string[]
  addresses: { street: string | null; postalCode: string | null }[]
}

export type OwnerField = 'name' | 'phone' | 'email' | 'address'
export interface OwnerMatch { matched: OwnerField[]; verified: boolean }

const words = (s: string): string[] => s.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9 ]+/g, ' ').split(/\s+/).filter(Boolean)

// Words a business name may carry or drop without naming another business.
const businessSuffixes = new Set(['inc', 'incorporated', 'llc', 'ltd', 'limited', 'co', 'corp', 'corporation', 'company', 'lp', 'llp', 'pc', 'the'])

function nameMatches(party: PartyContact['names'], vendorName: string): boolean {
  const vendor = words(vendorName)
  if (vendor.length === 0) return false
  return party.some((n) => {
    if (typeof n === 'string') {
      const a = words(n).filter((w) => !businessSuffixes.has(w))
      const b = vendor.filter((w) => !businessSuffixes.has(w))
      return a.length > 0 && a.join(' ') === b.join(' ')
    }
    // A person: first and last name both present among the vendor's words (a middle name may sit between).
    const first = words(n.first ?? '')
    const last = words(n.last ?? '')
    return first.length > 0 && last.length > 0 && [...first, ...last].every((w) => vendor.includes(w))
  })
}

/** The last ten digits: "+1 (202) 555-0123" and "2025550123" are one number. */
const phoneDigits = (s: string): string => s.replace(/[^0-9]/g, '').slice(-10)

// Street spellings that differ between a bank's records and a customer's form.
const streetWords: Record<string, string> = { street: 'st', avenue: 'ave', road: 'rd', drive: 'dr', lane: 'ln', boulevard: 'blvd', court: 'ct', place: 'pl', suite: 'ste', north: 'n', south: 's', east: 'e', west: 'w' }
const street = (s: string): string => words(s).map((w) => streetWords[w] ?? w).join(' ')
const zip5 = (s: string | null): string => (s ?? '').replace(/[^0-9]/g, '').slice(0, 5)

/** Which fields of one vendor owner match the party; verified when at least two do. */
export function matchOwner(party: PartyContact, owner: VendorOwner): OwnerMatch {
  const matched: OwnerField[] = []
  if (owner.names.some((n) => nameMatches(party.names, n))) matched.push('name')
  const phone = party.phone ? phoneDigits(party.phone) : ''
  if (phone.length === 10 && owner.phones.some((p) => phoneDigits(p) === phone)) matched.push('phone')
  const email = party.email?.trim().toLowerCase()
  if (email && owner.emails.some((e) => e.trim().toLowerCase() === email)) matched.push('email')
  const address = party.address
  if (address?.line1 && zip5(address.postalCode).length === 5 &&
      owner.addresses.some((a) => a.street !== null && street(a.street) === street(address.line1!) && zip5(a.postalCode) === zip5(address.postalCode))) {
    matched.push('address')
  }
  return { matched, verified: matched.length >= ownerFieldsToMatchMin }
}

/** The best match among an account's owners (an account may have several). */
export function matchOwners(party: PartyContact, owners: VendorOwner[]): OwnerMatch {
  let best: OwnerMatch = { matched: [], verified: false }
  for (const owner of owners) {
    const m = matchOwner(party, owner)
    if (m.matched.length > best.matched.length) best = m
  }
  return best
}
