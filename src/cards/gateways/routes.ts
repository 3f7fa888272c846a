// Authorization gateways: where the fintech wants card authorizations sent for its decision, per
// card product. Configuration records here; the authorization engine (a later part) calls them,
// through the platform's one outbound guard. Custom headers often carry the fintech's credentials
// for its gateway, so they are stored encrypted.

import { ApiError, badBody } from '../../platform/errors.js'
import type { Api } from '../../platform/http.js'
import { uuidv7 } from '../../platform/ids.js'
import { refuseUnsendableHeaders } from '../../platform/outbound.js'
import { listBody, readPage } from '../../platform/pagination.js'
import type { Workspace } from '../../platform/workspaces.js'
import { findProduct } from '../products.js'
import { getGateway, insertGateway, listGateways, updateGateway, type GatewayRow } from './store.js'
import type { Vault } from '../../platform/crypto.js'
import { declaredShape } from '../../platform/objects.js'
import { gateway_standin } from '../../spec/schemas.js'

type Json = Record<string, unknown>

export const gatewayUrlSchemes = ['https:', 'http:']

export function toGateway(row: GatewayRow, vault: Vault): Json {
  return {
    id: row.id, url: row.url, active: row.active, card_products: row.card_products,
    ...(row.custom_headers_encrypted ? { custom_headers: JSON.parse(vault.decrypt(row.custom_headers_encrypted)) } : {}),
    ...(row.standin ? { standin: row.standin } : {}),
    creation_time: row.created_at.toISOString(), last_modified_time: row.updated_at.toISOString(),
  }
}

function checkUrl(url: string): void {
  let parsed: URL
  try { parsed = new URL(url) } catch { throw badBody('url is not an absolute URL', { invalid: { url: 'not a URL' } }) }
  if (!gatewayUrlSchemes.includes(parsed.protocol)) throw badBody('a gateway url is http or https', { invalid: { url: 'http or https' } })
  if (parsed.username || parsed.password) throw badBody('put gateway credentials in custom_headers, not in the url', { invalid: { url: 'has credentials' } })
}

function checkProducts(workspace: Workspace, ids: string[]): void {
  const unknown = ids.filter((id) => !findProduct(workspace, id))
  if (unknown.length) throw badBody(`card_products names no card product of this workspace: ${unknown.join(', ')}`, { invalid: { card_products: 'unknown card product' } })
}

/** The stand-in settings as the spec declares them: kept and shown back, so nothing else of the request's. */
const standinOf = (standin: GatewayRow['standin'] | undefined): GatewayRow['standin'] | undefined => declaredShape(gateway_standin, standin)

export function registerGatewayRoutes(api: Api): void {
  const { sql, clock, vault } = api.services

  api.write('createGateway', async ({ tx, workspace, body }) => {
    checkUrl(body.url)
    refuseUnsendableHeaders(body.custom_headers)
    checkProducts(workspace, body.card_products)
    const now = clock.now(workspace.id)
    const row: GatewayRow = {
      workspace_id: workspace.id, id: uuidv7(), url: body.url, active: body.active ?? true, card_products: [...new Set(body.card_products)],
      custom_headers_encrypted: body.custom_headers ? vault.encrypt(JSON.stringify(body.custom_headers)) : null,
      standin: standinOf(body.standin) ?? null, created_at: now, updated_at: now,
    }
    await insertGateway(tx, row)
    return toGateway(row, vault)
  })

  api.read('getGateway', async ({ workspace, params }) => {
    const row = await getGateway(sql, workspace.id, params.gateway_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `gateway ${params.gateway_id} not found`)
    return toGateway(row, vault)
  })

  api.read('listGateways', async ({ workspace, query }) => {
    const page = readPage(query)
    return listBody('gateways', await listGateways(sql, workspace.id, page), page.limit, (r) => toGateway(r, vault))
  })

  api.write('updateGateway', async ({ tx, workspace, params, body }) => {
    const row = await getGateway(tx, workspace.id, params.gateway_id, true)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `gateway ${params.gateway_id} not found`)
    if (body.url !== undefined) checkUrl(body.url)
    if (body.card_products !== undefined) checkProducts(workspace, body.card_products)
    refuseUnsendableHeaders(body.custom_headers)
    const after: GatewayRow = {
      ...row,
      url: body.url ?? row.url,
      active: body.active ?? row.active,
      card_products: body.card_products ? [...new Set(body.card_products)] : row.card_products,
      custom_headers_encrypted: body.custom_headers !== undefined ? vault.encrypt(JSON.stringify(body.custom_headers)) : row.custom_headers_encrypted,
      standin: standinOf(body.standin) ?? row.standin,
      updated_at: clock.now(workspace.id),
    }
    await updateGateway(tx, after)
    return toGateway(after, vault)
  })
}
