// Interest accrual and payout on the workspace clock (docs/time.md). Driven by the day close of
// src/statements/; no routes of its own.

import type { Domain } from '../platform/wipe.js'

export { accrueDay, interestKind, interestPayoutType, payMonth } from './service.js'
export { accruedOf } from './store.js'
export { apyBps, microPerMinor } from './arithmetic.js'

export const interest: Domain = {
  name: 'interest',
  register() {},
  wipeTables: ['interest_positions'],
}
