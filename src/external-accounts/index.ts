import type { Domain } from '../platform/wipe.js'
import { registerExternalAccountRoutes } from './routes.js'

export { externalAccountForTransfer, type ExternalAccountForTransfer } from './for-transfers.js'
export { checkAchRoutingNumber, abaChecksumValid, fedAchDirectory } from './routing-directory.js'

export const externalAccounts: Domain = {
  name: 'external-accounts',
  register: registerExternalAccountRoutes,
  // The built-in Plaid sandbox's tables are the vendor's, not the workspace's: wipe keeps them.
  wipeTables: ['external_account_items', 'external_accounts'],
}
export { applyNotificationOfChange, type NotificationOfChange } from './notification-of-change.js'
