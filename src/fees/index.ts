// Fees on the workspace clock and with the movements that cause them (docs/time.md). Monthly fees
// are charged by the day close of src/statements/; rails call transactionFees.

import type { Domain } from '../platform/wipe.js'

export { chargeFee, collectOwedFees, feeKind, recordOwed, transactionFees, type FeeCharge, type FeeType } from './service.js'
export { accountsOwing, owedTotal } from './store.js'
export { proRated, waivedByMinimumBalance } from './arithmetic.js'

export const fees: Domain = {
  name: 'fees',
  register() {},
  wipeTables: ['fees_owed'],
}
