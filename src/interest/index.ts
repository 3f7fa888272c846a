// Interest accrual and payout on the workspace clock (docs/time.md). Driven by the day close of
// src/statements/; no routes of its own.

import { provideAccruedInterest } from '../accounts/index.js'
import type { Domain } from '../platform/wipe.js'
import { accruedShownMinor } from './arithmetic.js'
import { accruedOfMany } from './store.js'

export { accrueDay, interestKind, interestPayoutType, payMonth } from './service.js'
export { accruedOf } from './store.js'
export { apyBps, microPerMinor } from './arithmetic.js'

export const interest: Domain = {
  name: 'interest',
  // Accounts show ACCRUED_INTEREST_MTD through a port this domain provides (accounts must not import
  // interest, which depends on accounts): the positions of a page's accounts in one read, rounded as a payout rounds.
  register() {
    provideAccruedInterest(async (db, workspaceId, accountIds) => {
      const accrued = await accruedOfMany(db, workspaceId, accountIds)
      return new Map([...accrued].map(([id, micro]) => [id, accruedShownMinor(micro)]))
    })
  },
  wipeTables: ['interest_positions'],
}
