// How a party's verification results roll up into its verification_status and the customer's
// kyc_status. Pure functions, table-tested in rollup.test.ts.
//
// The spec's rules: MANUAL_REVIEW "overrides the outcome of other verification types"; a party is
// ACCEPTED only when its checks are; REJECTED "should not be allowed to take certain actions".
// Among the other types the worst current result wins, in this order:
//   REJECTED > REVIEW > VENDOR_ERROR > PENDING > PROVISIONAL > UNVERIFIED > ACCEPTED
// (an UNVERIFIED check, "the absence of a verification", keeps a party from ACCEPTED).
// verification_status has no VENDOR_ERROR (a check that did not run verifies nothing): it shows
// UNVERIFIED, and the customer's kyc_status shows PROVIDER_FAILURE.
import type { Static } from 'typebox'
import type { verification_status } from '../spec/schemas.js'
import type { VerificationResult } from './provider.js'

export type VerificationStatus = Static<typeof verification_status>
export type KycStatus = VerificationStatus | 'PROVIDER_FAILURE'

export const resultPrecedence: readonly VerificationResult[] = ['REJECTED', 'REVIEW', 'VENDOR_ERROR', 'PENDING', 'PROVISIONAL', 'UNVERIFIED', 'ACCEPTED']

export interface CurrentResult { verification_type: string; result: VerificationResult }

/** The result that decides: MANUAL_REVIEW's if there is one, else the worst; UNVERIFIED when there are none. */
export function decidingResult(current: readonly CurrentResult[]): VerificationResult {
  const manual = current.find((r) => r.verification_type === 'MANUAL_REVIEW')
  if (manual) return manual.result
  if (current.length === 0) return 'UNVERIFIED'
  return worst(current.map((r) => r.result))
}

function worst(results: readonly VerificationResult[]): VerificationResult {
  let out: VerificationResult = 'ACCEPTED'
  for (const r of results) if (resultPrecedence.indexOf(r) < resultPrecedence.indexOf(out)) out = r
  return out
}

export function verificationStatusOf(current: readonly CurrentResult[]): VerificationStatus {
  const r = decidingResult(current)
  return r === 'VENDOR_ERROR' ? 'UNVERIFIED' : r
}

export function kycStatusOf(current: readonly CurrentResult[]): KycStatus {
  const r = decidingResult(current)
  return r === 'VENDOR_ERROR' ? 'PROVIDER_FAILURE' : r
}

/**
 * A business's RELATED_ENTITIES result from its owners' statuses: every owner must be ACCEPTED for
 * it to pass; the worst owner decides otherwise. A business with no owners to verify passes.
 */
export function relatedEntitiesResult(ownerStatuses: readonly KycStatus[]): VerificationResult {
  return worst(ownerStatuses.map((s) => (s === 'PROVIDER_FAILURE' ? 'VENDOR_ERROR' : s)))
}
