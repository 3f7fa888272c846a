import type { Logger } from 'pino'
import type { Api, Services } from '../platform/http.js'
import { cardExpiryBatchMax, cardExpiryPollMs, expireDueCards, nextCardExpiry } from './expiry.js'
import type { Domain } from '../platform/wipe.js'
import { registerGatewayRoutes } from './gateways/routes.js'
import { registerCardImageRoutes } from './images/routes.js'
import { registerProductRoutes } from './products.js'
import { registerCardRoutes } from './routes.js'
import { registerWalletRoutes } from './wallets/routes.js'
import { registerWidgetRoutes } from './widget/routes.js'

/**
 * Card products (a fixed sandbox catalogue), cards and their lifecycle, custom images, the card
 * widget, authorization gateways and digital wallet tokens. Wipe deletes cards, their PANs,
 * history, tokens and images; it keeps gateways and widget origins (configuration), as Synctera's
 * wipe keeps card products.
 */
export const cards: Domain = {
  name: 'cards',
  register(api: Api) {
    registerProductRoutes(api)
    registerCardImageRoutes(api)
    registerCardRoutes(api)
    registerWalletRoutes(api)
    registerGatewayRoutes(api)
    registerWidgetRoutes(api)
  },
  dueWork: [{
    name: 'card expiry',
    nextDue: (services, workspaceId, until) => nextCardExpiry(services.sql, workspaceId, until),
    run: async (services, workspaceId) => {
      while ((await expireDueCards(services, cardExpiryBatchMax, workspaceId)) === cardExpiryBatchMax);
    },
  }],
  startWorkers(services: Services, log: Logger) {
    let stopped = false
    let running: Promise<unknown> = Promise.resolve()
    const tick = () => {
      if (stopped) return
      running = expireDueCards(services)
        .then((n) => { if (n) log.info({ expired: n }, 'recorded expired cards') })
        .catch((err) => log.error({ err }, 'card expiry failed'))
        .finally(() => { if (!stopped) timer = setTimeout(tick, cardExpiryPollMs) })
    }
    let timer = setTimeout(tick, cardExpiryPollMs)
    return async () => {
      stopped = true
      clearTimeout(timer)
      await running
    }
  },
  wipeTables: ['card_pans', 'card_images', 'cards', 'card_changes', 'card_access_tokens', 'digital_wallet_tokens'],
}
