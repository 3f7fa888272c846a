// HTTP ↔ card rules: issuing, reading, changing and activating cards, their history, the sandbox
// barcode and fulfilment simulation, and the tokens that open the card widget.

import type { FastifyRequest } from 'fastify'
import { ApiError } from '../platform/errors.js'
import { recordEvent, changedFields } from '../platform/events.js'
import type { Api } from '../platform/http.js'
import { uuidv7 } from '../platform/ids.js'
import { listBody, readPage } from '../platform/pagination.js'
import { parseSortBy } from '../platform/sorting.js'
import type { Workspace } from '../platform/workspaces.js'
import { cardAccount } from './accounts-port.js'
import { decideFulfillment, type FulfillmentStatus } from './lifecycle.js'
import { partiesAtPostalCode, requirePerson } from './parties-port.js'
import { activateByCode, activationFingerprint, cardHolderRelationships, changeCard, issueCard, requireCard, toCard, toChange, type CardContext } from './service.js'
import { cardSortFields, cardSortValues, changesOf, insertChange, listCards, updateCard, type CardRow } from './store.js'
import { issueAccessToken } from './tokens.js'
import { widgetUrl } from './widget/routes.js'

/** /changes has no paging in the spec: a card's history is listed whole, up to this many entries. */
export const cardChangesListedMax = 1000

export function registerCardRoutes(api: Api): void {
  const { services } = api
  const { sql, clock } = services
  const ctxOf = (tx: CardContext['tx'], workspace: Workspace): CardContext => ({ tx, services, workspace, now: clock.now(workspace.id) })

  api.write('issueCard', async ({ tx, workspace, body }) => issueCard(ctxOf(tx, workspace), body as Record<string, unknown>))

  api.read('getCard', async ({ workspace, params }) => toCard(await requireCard(sql, workspace.id, params.card_id), workspace, clock.now(workspace.id)))

  api.read('listCards', async ({ workspace, query }) => {
    const page = readPage(query)
    const sort = parseSortBy(query.sort_by, cardSortFields)
    let anchor: string[] = []
    if (page.afterId && sort.length) {
      const values = await cardSortValues(sql, workspace.id, page.afterId, sort)
      if (!values) throw new ApiError('BAD_QUERY_PARAMETER', 'page_token names a card that no longer exists; start again without it')
      anchor = values
    }
    const rows = await listCards(sql, workspace.id, {
      accountIds: query.account_id, customerId: query.customer_id, cardProductId: query.card_product_id, cardStatus: query.card_status,
      form: query.form, cardType: query.card_type, cardBrand: query.card_brand, lastFour: query.last_four, binPrefix: query.bin_prefix,
      embossName: query.emboss_name, expirationDate: query.expiration_date,
      postalCode: query.postal_code === undefined ? undefined : { code: query.postal_code, ...partiesAtPostalCode(sql, workspace.id, query.postal_code) },
      activationCodeFingerprint: query.barcode === undefined ? undefined : activationFingerprint(services, query.barcode),
    }, page, sort, anchor)
    const now = clock.now(workspace.id)
    return listBody('cards', rows, page.limit, (r) => toCard(r, workspace, now))
  })

  api.write('updateCard', async ({ tx, workspace, params, body }) => changeCard(ctxOf(tx, workspace), params.card_id, body as Record<string, unknown>))

  api.write('activateCard', async ({ tx, workspace, body }) => activateByCode(ctxOf(tx, workspace), body))

  api.read('listChanges', async ({ workspace, params }) => {
    await requireCard(sql, workspace.id, params.card_id)
    return { changes: (await changesOf(sql, workspace.id, params.card_id, cardChangesListedMax)).map(toChange) }
  })

  // Sandbox test aids (a test card's barcode, the fulfillment simulation) are refused in a live workspace.
  api.read('getCardBarcode', async ({ workspace, params }) => {
    const card = await requireCard(sql, workspace.id, params.card_id)
    if (!card.activation_code_encrypted) throw new ApiError('INVALID_STATUS', `card ${card.id} is ${card.form}; only physical cards carry a barcode`)
    return { barcode: services.vault.decrypt(card.activation_code_encrypted) }
  }, { sandboxOnly: 'the barcodes of test cards' })

  api.write('simulateCardFulfillmentEvent', async ({ tx, workspace, params, body }) => {
    const card = await requireCard(tx, workspace.id, params.card_id, true)
    if (card.form !== 'PHYSICAL' || card.fulfillment_status === null) throw new ApiError('INVALID_STATUS', `card ${card.id} is VIRTUAL; only physical cards are fulfilled`)
    const next = body.card_fulfillment_status as FulfillmentStatus
    const decision = decideFulfillment(card.fulfillment_status, next)
    if (!decision.ok) throw new ApiError('INVALID_STATUS', `card ${card.id} fulfillment cannot go from ${card.fulfillment_status} to ${next}`, { valid_status: decision.allowed })
    const now = clock.now(workspace.id)
    const after: CardRow = {
      ...card, fulfillment_status: next, updated_at: now,
      fulfillment_details: next === 'SHIPPED'
        ? { ship_date: now.toISOString().slice(0, 10), shipping_method: (card.shipping?.method as string | undefined) ?? 'LOCAL_MAIL', tracking_number: `KEEL${card.id.replace(/-/g, '').slice(-16).toUpperCase()}` }
        : card.fulfillment_details,
    }
    await insertChange(tx, { workspace_id: workspace.id, id: uuidv7(), card_id: card.id, change_type: 'FULFILLMENT', channel: 'SYSTEM', state: next, reason: null, memo: null, updated_by: 'system', updated_at: now })
    await updateCard(tx, after)
    const [b, a] = [toCard(card, workspace, now), toCard(after, workspace, now)]
    await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'CARD.UPDATED', resourceId: card.id, resource: a, changedFields: changedFields(b, a) })
    return { card_fulfillment_status: next }
  }, { sandboxOnly: 'card fulfillment simulations' })

  api.write('getClientAccessToken', async ({ tx, workspace, params }) => {
    const card = await requireCard(tx, workspace.id, params.card_id)
    if (card.card_status === 'TERMINATED') throw new ApiError('INVALID_STATUS', `card ${card.id} is TERMINATED`)
    const { token } = await issueAccessToken(tx, workspace.id, clock.now(workspace.id), { kind: 'CLIENT', cardId: card.id })
    return { client_token: token }
  })

  api.write('getClientSingleUseToken', async ({ tx, workspace, body }) => {
    await requireCustomerOnAccount(tx, workspace.id, body.account_id, body.customer_id)
    const { token, expiresAt } = await issueAccessToken(tx, workspace.id, clock.now(workspace.id), { kind: 'SINGLE_USE', accountId: body.account_id, customerId: body.customer_id })
    return { token, expires: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z') }
  })

  // A read with the request at hand: the widget URL is absolute, on the host the client called.
  api.route('getCardWidgetURL', async (req: FastifyRequest, reply) => {
    const query = req.query as { account_id: string; customer_id: string; widget_type: string; card_id?: string }
    const workspace = req.workspace
    await requireCustomerOnAccount(sql, workspace.id, query.account_id, query.customer_id)
    if (query.card_id !== undefined) {
      const card = await requireCard(sql, workspace.id, query.card_id)
      if (card.account_id !== query.account_id || card.customer_id !== query.customer_id) throw new ApiError('BAD_QUERY_PARAMETER', `card_id ${card.id} is not a card of customer_id ${query.customer_id} on account_id ${query.account_id}`)
    }
    return reply.code(200).send({ url: widgetUrl(req, workspace.id, query.widget_type, { account_id: query.account_id, customer_id: query.customer_id, ...(query.card_id ? { card_id: query.card_id } : {}) }) })
  })
}

/** The account exists, the customer exists, and the customer may hold a card on the account. */
async function requireCustomerOnAccount(db: CardContext['tx'] | Api['services']['sql'], workspaceId: string, accountId: string, customerId: string): Promise<void> {
  const account = await cardAccount(db, workspaceId, accountId)
  if (!account) throw new ApiError('ACCOUNT_NOT_FOUND', `account_id ${accountId} names no account in this workspace`)
  await requirePerson(db, workspaceId, customerId, 'customer_id')
  if (!account.relationships.some((r) => r.personId === customerId && cardHolderRelationships.has(r.type))) {
    throw new ApiError('IMPROPER_ACCOUNT_CUSTOMER_RELATIONSHIP', `customer ${customerId} holds no card-holding relationship on account ${accountId}`)
  }
}
