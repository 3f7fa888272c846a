import { assert } from '../platform/assert.js'
import type { Api } from '../platform/http.js'
import type { Domain } from '../platform/wipe.js'
import { currentBatcher } from '../transfers/index.js'
import { registerSimulationRoutes } from './routes.js'

export { authorizationExpiry, authorizationExpiryDays, extendedAuthorizationExpiryDays, followUp, newMessage } from './service.js'
export { decide, declineReasons } from './decide.js'
export { gatewayTimeoutMs } from './gateway.js'
export { auditCardSpend, type CardSpendReport } from './audit/store.js'

/**
 * Card authorization: the engine that decides a card network's messages and moves the money
 * through the ledger (its group commit, shared with every rail), and the Card Transaction
 * Simulations that drive it. Wipe deletes the messages; hold expiry is the ledger's (each approval's
 * hold carries its expires_at, so the transfers domain's due work and worker expire it on the clock).
 */
export const cardAuthorization: Domain = {
  name: 'card-authorization',
  register(api: Api) {
    registerSimulationRoutes(api, () => {
      assert(currentBatcher !== undefined, 'the transfers domain registers the ledger batcher before card authorization')
      return currentBatcher
    })
  },
  wipeTables: ['card_authorizations', 'card_spend_days', 'card_spend_kinds', 'card_spend_kinds_kept', 'card_velocity_minutes'],
}
