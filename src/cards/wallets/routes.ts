// Digital wallet tokens over HTTP: Apple Pay and Google Pay provisioning, listing, reading and state changes.

import { ApiError } from '../../platform/errors.js'
import type { Api } from '../../platform/http.js'
import { listBody, readPage } from '../../platform/pagination.js'
import { requireCard, type CardContext } from '../service.js'
import { changeWalletTokenState, provisionApple, provisionGoogle, toWalletToken } from './service.js'
import { getWalletToken, listWalletTokens } from './store.js'

export function registerWalletRoutes(api: Api): void {
  const { services } = api
  const { sql, clock } = services
  const ctxOf = (tx: CardContext['tx'], workspace: CardContext['workspace']): CardContext => ({ tx, services, workspace, now: clock.now(workspace.id) })

  api.write('createDigitalWalletApple', async ({ tx, workspace, params, body }) => {
    const card = await requireCard(tx, workspace.id, params.card_id, true)
    return provisionApple(ctxOf(tx, workspace), card, body)
  })

  api.write('createDigitalWalletGoogle', async ({ tx, workspace, params, body }) => {
    const card = await requireCard(tx, workspace.id, params.card_id, true)
    return provisionGoogle(ctxOf(tx, workspace), card, body)
  })

  api.read('getDigitalWalletToken', async ({ workspace, params }) => {
    const row = await getWalletToken(sql, workspace.id, params.digital_wallet_token_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `digital wallet token ${params.digital_wallet_token_id} not found`)
    return toWalletToken(row)
  })

  api.read('listDigitalWalletTokens', async ({ workspace, query }) => {
    const page = readPage(query)
    const rows = await listWalletTokens(sql, workspace.id, { cardId: query.card_id, state: query.token_state }, page)
    return listBody('digital_wallet_tokens', rows, page.limit, toWalletToken)
  })

  api.write('updateDigitalWalletTokenStatus', async ({ tx, workspace, params, body }) =>
    changeWalletTokenState(ctxOf(tx, workspace), params.digital_wallet_token_id, body.token_status))
}
