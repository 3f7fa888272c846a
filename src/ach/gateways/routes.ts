// /v0/ach/gateways: where the fintech wants incoming ACH debits offered for its decision. Custom
// headers often carry the fintech's credentials for its endpoint, so they are stored encrypted.

import type { Vault } from '../../platform/crypto.js'
import { ApiError, badBody } from '../../platform/errors.js'
import type { Api } from '../../platform/http.js'
import { uuidv7 } from '../../platform/ids.js'
import { refuseUnsendableHeaders } from '../../platform/outbound.js'
import { deleteGateway, getGateway, insertGateway, listGateways, updateGateway, type GatewayRow } from '../store.js'

type Json = Record<string, unknown>

/** The spec's default wait for the gateway's answer. */
export const gatewayMaxWaitMsDefault = 1500
export const gatewayUrlLengthMax = 2000
const gatewayUrlSchemes = ['https:', 'http:']

export function toGatewayConfig(row: GatewayRow, vault: Vault): Json {
  return {
    id: row.id, tenant: row.workspace_id, url: row.url, disabled: row.disabled, max_wait_ms: row.max_wait_ms,
    ...(row.custom_headers_encrypted ? { custom_headers: JSON.parse(vault.decrypt(row.custom_headers_encrypted)) } : {}),
    created: row.created_at.toISOString(), updated: row.updated_at.toISOString(),
  }
}

function checkUrl(url: string): void {
  let parsed: URL
  try { parsed = new URL(url) } catch { throw badBody('url is not an absolute URL', { invalid: { url: 'not a URL' } }) }
  if (!gatewayUrlSchemes.includes(parsed.protocol)) throw badBody('a gateway url is http or https', { invalid: { url: 'http or https' } })
  if (parsed.username || parsed.password) throw badBody('put gateway credentials in custom_headers, not in the url', { invalid: { url: 'has credentials' } })
  if (url.length > gatewayUrlLengthMax) throw badBody(`url is longer than ${gatewayUrlLengthMax} characters`, { invalid: { url: 'too long' } })
}

export function registerAchGatewayRoutes(api: Api): void {
  const { sql, clock, vault } = api.services

  api.write('addGatewayConfig', async ({ tx, workspace, body }) => {
    checkUrl(body.url)
    refuseUnsendableHeaders(body.custom_headers)
    const now = clock.now(workspace.id)
    const row: GatewayRow = {
      workspace_id: workspace.id, id: uuidv7(), url: body.url, disabled: body.disabled ?? false, max_wait_ms: body.max_wait_ms ?? gatewayMaxWaitMsDefault,
      custom_headers_encrypted: body.custom_headers ? vault.encrypt(JSON.stringify(body.custom_headers)) : null, created_at: now, updated_at: now,
    }
    await insertGateway(tx, row)
    return toGatewayConfig(row, vault)
  })

  api.read('getAllGatewayConfigs', async ({ workspace }) => (await listGateways(sql, workspace.id)).map((r) => toGatewayConfig(r, vault)))

  api.read('getGatewayConfigByID', async ({ workspace, params }) => {
    const row = await getGateway(sql, workspace.id, params.id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `gateway ${params.id} not found`)
    return toGatewayConfig(row, vault)
  })

  api.write('patchGatewayConfigByID', async ({ tx, workspace, params, body }) => {
    const row = await getGateway(tx, workspace.id, params.id, true)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `gateway ${params.id} not found`)
    if (body.url !== undefined) checkUrl(body.url)
    refuseUnsendableHeaders(body.custom_headers)
    if (body.max_wait_ms !== undefined && body.max_wait_ms > 32000) throw badBody('max_wait_ms is at most 32000', { invalid: { max_wait_ms: 'at most 32000' } })
    const after: GatewayRow = {
      ...row,
      url: body.url ?? row.url,
      disabled: body.disabled ?? row.disabled,
      max_wait_ms: body.max_wait_ms ?? row.max_wait_ms,
      custom_headers_encrypted: body.custom_headers === undefined ? row.custom_headers_encrypted : body.custom_headers === null ? null : vault.encrypt(JSON.stringify(body.custom_headers)),
      updated_at: clock.now(workspace.id),
    }
    await updateGateway(tx, after)
    return toGatewayConfig(after, vault)
  })

  api.write('deleteGatewayConfigByID', async ({ tx, workspace, params }) => {
    if (!(await deleteGateway(tx, workspace.id, params.id))) throw new ApiError('RESOURCE_NOT_FOUND', `gateway ${params.id} not found`)
    return undefined
  })
}
