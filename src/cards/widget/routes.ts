// The card widget: pages Keel serves for a cardholder's browser, embedded in the fintech's app in
// an iframe, so that the card number, CVV and PIN pass between Keel and the cardholder only.
//
//   GET  /widgets/cards/{workspace_id}/{show_card|set_pin|activate_card}#token=…   the page
//   POST /widgets/cards/{workspace_id}/api/{card|set_pin|activate}                  what it calls
//
// The pages send a strict Content-Security-Policy: their own script and style only, calls only to
// Keel, and framing only by the origins the workspace configured (none by default).

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../../platform/errors.js'
import type { Api } from '../../platform/http.js'
import { isUuid } from '../../platform/ids.js'
import type { Workspace } from '../../platform/workspaces.js'
import { groupedPan } from '../pan.js'
import { activateUnactivated, requireCard, setPin, type CardContext } from '../service.js'
import { getPanEncrypted, listCards, widgetOrigins, type CardRow } from '../store.js'
import { takeAccessToken, type TokenRefusal } from '../tokens.js'
import { loadWidgetWorkspace } from './workspace.js'

export const widgetPages = ['show_card', 'set_pin', 'activate_card'] as const
type WidgetPage = (typeof widgetPages)[number]
export const widgetBodyBytesMax = 4096

const assetsDir = join(import.meta.dirname, 'assets')
const assets: Record<string, { type: string; body: string }> = {
  'widget.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(join(assetsDir, 'widget.js'), 'utf8') },
  'widget.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(assetsDir, 'widget.css'), 'utf8') },
}

/** The absolute URL of a widget page, on the host the API was called at. */
export function widgetUrl(req: FastifyRequest, workspaceId: string, widgetType: string, query: Record<string, string>): string {
  const base = `${req.protocol}://${req.host}`
  return `${base}/widgets/cards/${workspaceId}/${widgetType}?${new URLSearchParams(query).toString()}`
}

/** The Content-Security-Policy of a widget page: nothing but Keel's own script, style and API. */
export function widgetCsp(frameAncestors: string[]): string {
  return [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self'",
    "form-action 'none'", "base-uri 'none'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ')
}

function secureHeaders(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer')
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function pageHtml(page: WidgetPage, apiBase: string): string {
  const content = {
    show_card: `<div class="card" aria-label="Card details">
  <div class="brand" id="brand"></div>
  <div class="pan" id="pan" aria-label="Card number">•••• •••• •••• ••••</div>
  <div class="row"><span>VALID THRU<b id="exp">••/••</b></span><span>CVV<b id="cvv">•••</b></span></div>
  <div class="name" id="name"></div>
</div>
<p id="message" class="message"></p>`,
    set_pin: `<form id="form" autocomplete="off">
  <label>New PIN <input id="pin" type="password" inputmode="numeric" pattern="[0-9]{4}" maxlength="4" required></label>
  <label>Confirm PIN <input id="pin2" type="password" inputmode="numeric" pattern="[0-9]{4}" maxlength="4" required></label>
  <button type="submit">Set PIN</button>
</form>
<p id="message" class="message"></p>`,
    activate_card: `<form id="form" autocomplete="off">
  <label>Security code (the 3 digits on the back of your card) <input id="cvv" type="password" inputmode="numeric" pattern="[0-9]{3}" maxlength="3" required></label>
  <button type="submit">Activate card</button>
</form>
<p id="message" class="message"></p>`,
  }[page]
  const title = { show_card: 'Your card', set_pin: 'Set your PIN', activate_card: 'Activate your card' }[page]
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/widgets/cards/assets/widget.css"></head>
<body data-widget="${page}" data-api="${escapeHtml(apiBase)}">
<main id="widget">
${content}
</main>
<script src="/widgets/cards/assets/widget.js"></script>
</body></html>
`
}

const refusalText: Record<TokenRefusal, string> = {
  unknown: 'This card link is not valid. Ask for a new one.',
  used: 'This card link has already been used. Ask for a new one.',
  expired: 'This card link has expired. Ask for a new one.',
}

class WidgetRefusal extends Error {
  constructor(readonly status: number, readonly reason: 'token' | 'input', message: string) { super(message) }
}

export function registerWidgetRoutes(api: Api): void {
  const { app, services } = api
  const { sql, clock, vault } = services

  app.get('/widgets/cards/assets/:name', async (req, reply) => {
    const asset = assets[(req.params as { name: string }).name]
    if (!asset) return reply.code(404).type('text/plain').send('not found')
    return reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').type(asset.type).send(asset.body)
  })

  app.get('/widgets/cards/:workspace_id/:page', async (req, reply) => {
    const { workspace_id: workspaceId, page } = req.params as { workspace_id: string; page: string }
    const workspace = isUuid(workspaceId) ? await loadWidgetWorkspace(sql, workspaceId) : undefined
    if (!workspace || !(widgetPages as readonly string[]).includes(page)) return secureHeaders(reply).code(404).type('text/plain').send('not found')
    const origins = await widgetOrigins(sql, workspaceId)
    return secureHeaders(reply).header('content-security-policy', widgetCsp(origins)).type('text/html; charset=utf-8')
      .send(pageHtml(page as WidgetPage, `/widgets/cards/${workspaceId}/api`))
  })

  app.post('/widgets/cards/:workspace_id/api/:action', { bodyLimit: widgetBodyBytesMax }, async (req, reply) => {
    const { workspace_id: workspaceId, action } = req.params as { workspace_id: string; action: string }
    const body = (req.body ?? {}) as Record<string, unknown>
    const workspace = isUuid(workspaceId) ? await loadWidgetWorkspace(sql, workspaceId) : undefined
    secureHeaders(reply)
    if (!workspace || !['card', 'set_pin', 'activate'].includes(action)) return reply.code(404).send({ reason: 'token', message: refusalText.unknown })
    const token = typeof body.token === 'string' ? body.token : ''
    const cardId = typeof body.card_id === 'string' && isUuid(body.card_id) ? body.card_id : undefined
    try {
      // The token is spent in a transaction of its own, whatever the action then does: a guess
      // at a security code or a refused PIN costs the link, so a token cannot be used to probe.
      const now = clock.now(workspace.id)
      const taken = await sql.begin((tx) => takeAccessToken(tx, workspace.id, token, now))
      if (!taken.ok) throw new WidgetRefusal(taken.refusal === 'unknown' ? 404 : 410, 'token', refusalText[taken.refusal])
      const result = await sql.begin(async (tx) => {
        const ctx: CardContext = { tx, services, workspace, now }
        const card = await cardForToken(ctx, taken.row, cardId, action)
        if (action === 'card') return showCard(ctx, card)
        if (action === 'set_pin') {
          if (typeof body.pin !== 'string') throw new WidgetRefusal(400, 'input', 'Enter a 4-digit PIN.')
          await setPin(ctx, card, body.pin)
          return { done: true }
        }
        const cvv = typeof body.cvv === 'string' ? body.cvv : ''
        const expected = Buffer.from(vault.decrypt(card.cvv_encrypted))
        if (cvv.length !== expected.length || !timingSafeEqual(Buffer.from(cvv), expected)) throw new WidgetRefusal(400, 'input', 'The security code does not match this card. Ask for a new link to try again.')
        await activateUnactivated(ctx, card, 'API')
        return { done: true }
      })
      return reply.code(200).send(result)
    } catch (err) {
      if (err instanceof WidgetRefusal) return reply.code(err.status).send({ reason: err.reason, message: err.message })
      if (err instanceof ApiError) return reply.code(err.status >= 500 ? 500 : err.status).send({ reason: 'input', message: `${err.message}. Ask for a new link to try again.` })
      throw err
    }
  })
}

/** The card a token opens: a client token's own card, or the customer's card on the account a single-use token names. */
async function cardForToken(ctx: CardContext, token: { kind: 'CLIENT' | 'SINGLE_USE'; card_id: string | null; account_id: string | null; customer_id: string | null }, cardId: string | undefined, action: string): Promise<CardRow> {
  if (token.kind === 'CLIENT') {
    if (cardId !== undefined && cardId !== token.card_id) throw new WidgetRefusal(403, 'token', refusalText.unknown)
    return requireCard(ctx.tx, ctx.workspace.id, token.card_id!, true)
  }
  // Showing the full card number takes a client token, bound to the card itself.
  if (action === 'card') throw new WidgetRefusal(403, 'token', refusalText.unknown)
  if (cardId !== undefined) {
    const card = await requireCard(ctx.tx, ctx.workspace.id, cardId, true).catch(() => undefined)
    if (!card || card.account_id !== token.account_id || card.customer_id !== token.customer_id) throw new WidgetRefusal(403, 'token', refusalText.unknown)
    return card
  }
  const cards = (await listCards(ctx.tx, ctx.workspace.id, { accountIds: [token.account_id!], customerId: token.customer_id!, ...(action === 'activate' ? { cardStatus: 'UNACTIVATED' } : {}) }, { limit: 2, afterId: undefined }))
    .filter((c) => c.card_status !== 'TERMINATED')
  if (cards.length !== 1) throw new WidgetRefusal(400, 'input', 'Open this page from the card you mean (the link names no single card).')
  return requireCard(ctx.tx, ctx.workspace.id, cards[0].id, true)
}

async function showCard(ctx: CardContext, card: CardRow): Promise<Record<string, string>> {
  if (card.card_status === 'TERMINATED' || card.expiration_time.getTime() < ctx.now.getTime()) throw new WidgetRefusal(410, 'input', 'This card is no longer valid.')
  const pan = ctx.services.vault.decrypt((await getPanEncrypted(ctx.tx, ctx.workspace.id, card.pan_id))!)
  const exp = card.expiration_time
  return {
    pan: groupedPan(pan),
    cvv: ctx.services.vault.decrypt(card.cvv_encrypted),
    expiration: `${String(exp.getUTCMonth() + 1).padStart(2, '0')}/${String(exp.getUTCFullYear() % 100).padStart(2, '0')}`,
    name: card.emboss_name?.line_1 ?? '',
    brand: card.card_brand,
  }
}

export type { Workspace }
