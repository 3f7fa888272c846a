// What other domains import from accounts under this path (src/transfers/resolve.ts), kept until
// they import from './index.js'.
export { holderTypes } from './customer-accounts/service.js'
