import type { Api } from '../platform/http.js'
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
  wipeTables: ['card_pans', 'card_images', 'cards', 'card_changes', 'card_access_tokens', 'digital_wallet_tokens'],
}
