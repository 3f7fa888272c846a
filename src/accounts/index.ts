import type { Domain } from '../platform/wipe.js'
import type { Api } from '../platform/http.js'
import { registerAccountRoutes } from './accounts.js'
import { registerInternalAccountRoutes } from './internal.js'
import { registerProductRoutes } from './products.js'
import { registerAccountRelationshipRoutes } from './relationships.js'
import { registerTemplateRoutes } from './templates.js'

export { partiesWithAccounts } from './store.js'

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
