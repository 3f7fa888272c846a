// A CLOSED account refuses every change but its nickname and metadata (an internal account, every
// change). The spec answers such a change with 461 "Account has been closed" (its `account_closed`
// response) on the account operations that declare it; the problem's code stays the catalogue's
// ACCOUNT_CLOSED, whose own status, 422, money movement on a closed account keeps.

import type { RouteOptions } from '../platform/http.js'

/** The status the spec's account operations declare for a closed account. */
export const accountClosedStatus = 461

/** For the writes whose operation declares 461: PATCH and PUT of an account, its relationships' POST, PUT and DELETE, PATCH of an internal account. */
export const closedAccountWrite: RouteOptions = { statuses: { ACCOUNT_CLOSED: accountClosedStatus } }
