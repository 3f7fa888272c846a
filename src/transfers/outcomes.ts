// The ledger's result codes, mapped once to the error catalogue for the internal-transfer rail.

import { ApiError } from '../platform/errors.js'
import type { ResultCode } from '../ledger/index.js'
import type { ErrorCode } from '../platform/errors.js'

const codes: Record<Exclude<ResultCode, 'exists'>, ErrorCode> = {
  amount_must_be_positive: 'BAD_REQUEST_BODY',
  amount_exceeds_limit: 'BAD_REQUEST_BODY',
  legs_too_few: 'BAD_REQUEST_BODY',
  accounts_must_be_different: 'BAD_REQUEST_BODY',
  legs_must_balance: 'BAD_REQUEST_BODY',
  partner_not_verified: 'PARTNER_NOT_VERIFIED',
  pending_not_found: 'RESOURCE_NOT_FOUND',
  pending_already_closed: 'INVALID_STATUS',
  pending_expired: 'INVALID_STATUS',
  pending_not_expired: 'INVALID_STATUS',
  amount_exceeds_pending: 'BAD_REQUEST_BODY',
  account_not_found: 'ACCOUNT_NOT_FOUND',
  currency_mismatch: 'UNABLE_TO_TRANSACT',
  account_closed: 'ACCOUNT_CLOSED',
  account_not_active: 'IMPROPER_ACCOUNT_STATUS',
  account_frozen: 'IMPROPER_ACCOUNT_ACCESS_STATUS',
  customer_not_verified: 'CUSTOMER_NOT_VERIFIED',
  business_not_verified: 'BUSINESS_NOT_VERIFIED',
  spend_control_violation: 'SPEND_CONTROL_VIOLATION',
  insufficient_funds: 'INSUFFICIENT_FUNDS',
  ceiling_exceeded: 'BALANCE_VIOLATION',
  balance_overflow: 'BALANCE_VIOLATION',
}

/** The ledger's names for a hold's states, in the words the internal transfer resource shows. */
const apiStatusWords: Record<string, string> = { CLEARED: 'COMPLETE', RELEASED: 'CANCELED' }

/** The API error of a refused ledger command ('exists' never reaches here: transfer ids are new). */
export function transferError(code: ResultCode, detail: string): ApiError {
  if (code === 'exists') return new ApiError('IDEMPOTENCY_INVALID_REUSE', detail)
  // A detail names a hold's state as the API shows it: a canceled transfer is CANCELED, not RELEASED.
  const spoken = code.startsWith('pending_') ? detail.replace(/\b(CLEARED|RELEASED)\b/g, (w) => apiStatusWords[w]) : detail
  return new ApiError(codes[code], spoken)
}
