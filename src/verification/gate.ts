// The KYC/KYB gate: money may move for a party only once it is verified. Opening an account checks
// every customer and business it names here, in sandbox as in live.
import type { Queryable } from '../platform/db.js'
import { ApiError } from '../platform/errors.js'
import { verificationStatusOf } from './store.js'

export interface GatedParties { customerId?: string; businessId?: string }

/** Only ACCEPTED passes; PROVISIONAL, REVIEW, PENDING, REJECTED and UNVERIFIED do not. */
export const passingStatus = 'ACCEPTED'

/**
 * Throws 422 CUSTOMER_NOT_VERIFIED / BUSINESS_NOT_VERIFIED for a party that is not ACCEPTED, and
 * 400 CUSTOMER_NOT_FOUND / BUSINESS_NOT_FOUND for one that does not exist in the workspace.
 */
export async function requireVerifiedParty(db: Queryable, workspaceId: string, parties: GatedParties): Promise<void> {
  if (parties.customerId !== undefined) {
    const row = await verificationStatusOf(db, workspaceId, 'person', parties.customerId)
    if (!row) throw new ApiError('CUSTOMER_NOT_FOUND', `customer ${parties.customerId} names no person in this workspace`)
    if (row.verification_status !== passingStatus) {
      throw new ApiError('CUSTOMER_NOT_VERIFIED', `customer ${parties.customerId} is not verified (verification_status ${row.verification_status}); verify it with POST /v0/verifications/verify`)
    }
  }
  if (parties.businessId !== undefined) {
    const row = await verificationStatusOf(db, workspaceId, 'business', parties.businessId)
    if (!row) throw new ApiError('BUSINESS_NOT_FOUND', `business ${parties.businessId} names no business in this workspace`)
    if (row.verification_status !== passingStatus) {
      throw new ApiError('BUSINESS_NOT_VERIFIED', `business ${parties.businessId} is not verified (verification_status ${row.verification_status}); verify it with POST /v0/verifications/verify`)
    }
  }
}
