// What other domains import from accounts under this path (src/transfers/index.ts, resolve.ts),
// kept until they import from './index.js'.
export { ensureSandboxFunding, sandboxFundingAccountId, sandboxFundingCurrency } from './internal-accounts/service.js'
