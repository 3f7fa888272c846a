import type { Logger } from 'pino'
import type { Api, Services } from '../platform/http.js'
import { startPolling } from '../platform/due-work.js'
import { cardExpiryBatchMax, cardExpiryPollMs, expireDueCards, nextCardExpiry } from './expiry.js'
import type { Domain } from '../platform/wipe.js'
import { registerGatewayRoutes } from './gateways/routes.js'
import { registerCardImageRoutes } from './images/routes.js'
import { registerProductRoutes } from './products.js'
import { registerCardRoutes } from './routes.js'
import { registerWalletRoutes } from './wallets/routes.js'
import { registerWidgetRoutes } from './widget/routes.js'
import type { Vault } from '../platform/crypto.js'
import { timingSafeEqual } from 'node:crypto'
import { effectiveStatus } from './lifecycle.js'
import { pinMatches } from './service.js'
import type { CardRow } from './store.js'

/** What card authorization needs of a gateway row read elsewhere (in its one read of the facts): where to send, its headers, its stand-in. */
export function gatewayTarget(vault: Vault, row: { url: string; custom_headers_encrypted: string | null; standin: { enabled?: boolean } | null }): { url: string; headers: Record<string, string>; standin: boolean } {
  return { url: row.url, headers: row.custom_headers_encrypted ? JSON.parse(vault.decrypt(row.custom_headers_encrypted)) : {}, standin: row.standin?.enabled === true }
}

/** What card authorization needs to know of a card: its account, product and status at `now` (an expired card reads as such). */
export interface CardForAuthorization {
  id: string
  accountId: string
  productId: string
  cardType: string
  status: string
  expired: boolean
}

/** The card's columns card authorization reads (its one read of the facts selects these). */
export type CardAuthorizationColumns = Pick<CardRow, 'id' | 'account_id' | 'card_product_id' | 'card_type' | 'card_status' | 'status_reason' | 'expiration_time' | 'cvv_encrypted' | 'pin_hash'>

/**
 * The card as an authorization sees it from its columns, and the checks the message asked for
 * (each true when it matched, absent when the message did not carry it): CVV, expiration (MMYY),
 * PIN. A card with no PIN set fails a PIN check.
 */
export async function cardChecks(
  vault: Vault, row: CardAuthorizationColumns, now: Date, message: { cvv?: string; expiration?: string; pin?: string },
): Promise<{ card: CardForAuthorization; checks: { cvv?: boolean; expiration?: boolean; pin?: boolean } }> {
  const effective = effectiveStatus({ status: row.card_status, reason: row.status_reason, expiresAt: row.expiration_time }, now)
  const checks: { cvv?: boolean; expiration?: boolean; pin?: boolean } = {}
  if (message.cvv !== undefined) {
    const actual = Buffer.from(vault.decrypt(row.cvv_encrypted))
    const given = Buffer.from(message.cvv)
    checks.cvv = actual.length === given.length && timingSafeEqual(actual, given)
  }
  if (message.expiration !== undefined) {
    const e = row.expiration_time
    checks.expiration = message.expiration === String(e.getUTCMonth() + 1).padStart(2, '0') + String(e.getUTCFullYear() % 100).padStart(2, '0')
  }
  if (message.pin !== undefined) checks.pin = row.pin_hash !== null && (await pinMatches(message.pin, row.pin_hash))
  return { card: { id: row.id, accountId: row.account_id, productId: row.card_product_id, cardType: row.card_type, status: effective.status, expired: effective.expired }, checks }
}

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
    return startPolling('card expiry', cardExpiryPollMs, async () => {
      const n = await expireDueCards(services)
      if (n) log.info({ expired: n }, 'recorded expired cards')
    }, log)
  },
  wipeTables: ['card_pans', 'card_images', 'cards', 'card_changes', 'card_access_tokens', 'digital_wallet_tokens'],
}
