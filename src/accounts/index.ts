import type { Domain } from '../platform/wipe.js'
import type { Api } from '../platform/http.js'
import { registerAccountRoutes } from './customer-accounts/routes.js'
import { registerInternalAccountRoutes } from './internal-accounts/routes.js'
import { registerProductRoutes } from './products/routes.js'
import { registerAccountRelationshipRoutes } from './relationships/routes.js'
import { registerTemplateRoutes } from './templates/routes.js'

// What other domains may use of accounts.
export { getAccount, partiesWithAccounts, transferAccountCandidates, type TransferAccountCandidate } from './customer-accounts/store.js'
export { relationshipsOf } from './relationships/store.js'
export { bankRouting, holderTypes } from './customer-accounts/service.js'
export { ensureSandboxFunding, sandboxFundingAccountId, sandboxFundingCurrency } from './internal-accounts/service.js'

/**
 * Templates, products, accounts, account relationships and internal accounts. Wipe deletes the
 * accounts and keeps templates and products (configuration). The ledger rows of the accounts are
 * the transfers domain's to wipe, after the transfers that reference them.
 */
export const accounts: Domain = {
  name: 'accounts',
  register(api: Api) {
    registerProductRoutes(api)
    registerTemplateRoutes(api)
    registerAccountRoutes(api)
    registerAccountRelationshipRoutes(api)
    registerInternalAccountRoutes(api)
  },
  wipeTables: ['ledger_accounts', 'accounts', 'account_relationships', 'internal_accounts'],
}
