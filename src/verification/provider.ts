// What an identity-verification vendor is to Keel: facts about a party in, an IDENTITY result with
// detail lines out. Watchlist screening is Keel's own (src/verification/watchlist/) and runs
// whichever provider verifies identity. Only the sandbox provider ships; a real vendor implements
// this interface and is chosen in providerFor().
import type { Static } from 'typebox'
import type { detail, verification_result } from '../spec/schemas.js'
import type { WorkspaceMode } from '../platform/workspaces.js'
import { sandboxProvider } from './sandbox-provider.js'

export type Detail = Static<typeof detail>
export type VerificationResult = Static<typeof verification_result>

export interface PostalAddress {
  address_line_1?: string
  address_line_2?: string
  city?: string
  state?: string
  postal_code?: string
  country_code?: string
}

export interface PersonFacts {
  id: string
  first_name: string
  middle_name?: string
  last_name: string
  /** YYYY-MM-DD. */
  dob: string
  email: string
  phone_number: string
  legal_address: PostalAddress
  /** Decrypted for the call only; never stored or logged by a provider. */
  ssn: string
}

export interface BusinessFacts {
  id: string
  entity_name: string
  legal_address: PostalAddress
  /** Nine digits, decrypted for the call only; absent for sole proprietorships. */
  ein?: string
  structure?: string
}

export interface ProviderOutcome {
  result: VerificationResult
  details: Detail[]
  /** What the vendor answered, kept as vendor_info.json. */
  raw: Record<string, unknown>
}

export interface VerificationProvider {
  /** vendor_info.vendor on the results it produces. */
  readonly vendor: string
  verifyPerson(person: PersonFacts): Promise<ProviderOutcome>
  verifyBusiness(business: BusinessFacts): Promise<ProviderOutcome>
}

/**
 * A live workspace has no identity vendor until one is plugged in: its identity checks answer
 * VENDOR_ERROR (the customer's kyc_status shows PROVIDER_FAILURE) rather than pretending to
 * verify anyone. Live integrators upload their own vendor's results with POST /v0/verifications.
 */
export const noLiveProvider: VerificationProvider = {
  vendor: 'NONE',
  async verifyPerson() { return unconfigured() },
  async verifyBusiness() { return unconfigured() },
}

function unconfigured(): ProviderOutcome {
  return {
    result: 'VENDOR_ERROR',
    details: [{ category: 'OTHER', result: 'FAIL', label: 'Identity vendor', description: 'no identity verification vendor is configured for live workspaces; upload your vendor\'s results with POST /v0/verifications', vendor_code: 'KEEL-NO-VENDOR' }],
    raw: { error: 'no identity vendor configured' },
  }
}

export function providerFor(mode: WorkspaceMode): VerificationProvider {
  return mode === 'sandbox' ? sandboxProvider : noLiveProvider
}
