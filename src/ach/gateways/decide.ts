// Offering an incoming ACH debit to the fintech's gateway. Keel POSTs the entry, signed as webhooks
// are (Request-Timestamp, Synctera-Signature with the workspace's webhook secret), through the one
// outbound guard, and waits up to the gateway's max_wait_ms:
// - 200: approved, the debit posts;
// - 402: declined, the debit is returned (R29 for a business's entry, R10 for a consumer's);
// - anything else, no answer in time, or a refused connection: the workspace's time-out decision
//   (ACH setting gateway_timeout_decision, APPROVE unless set to DECLINE: settings.ts).

import http from 'node:http'
import https from 'node:https'
import type { Services } from '../../platform/http.js'
import { isOutboundRefused } from '../../platform/outbound.js'
import { signatureHeader, signatureHeaderName, signingSecrets, timestampHeaderName } from '../../webhooks/index.js'
import type { GatewayRow } from '../store.js'

export type GatewayDecision = 'APPROVED' | 'DECLINED' | 'DEFAULT'
/** SEC codes of entries to a business's account: a decline returns them R29, others R10. */
const corporateSecCodes = new Set(['CCD', 'CTX'])
export const declineReturnCode = (secCode: string): string => (corporateSecCodes.has(secCode) ? 'R29' : 'R10')

export interface GatewayOffer {
  id: string
  account_id: string
  account_no: string
  amount: number
  dc_sign: 'debit'
  sec_code: string
  company_name: string
  company_entry_description: string
  originating_routing_number: string
  trace_no: string
  effective_date: string
}

export interface GatewayOutcome { decision: GatewayDecision; status: number; detail: string }

export async function askGateway(services: Services, gateway: GatewayRow, offer: GatewayOffer): Promise<GatewayOutcome> {
  const body = JSON.stringify({ type: 'ACH.INCOMING_DEBIT', transaction: offer })
  // Wall-clock seconds: the receiver checks them against its own clock.
  const timestamp = String(Math.floor(Date.now() / 1000))
  const secrets = await signingSecrets(services.sql, services.vault, gateway.workspace_id, services.clock.now(gateway.workspace_id))
  const custom: Record<string, string> = {}
  if (gateway.custom_headers_encrypted) {
    for (const [k, v] of Object.entries(JSON.parse(services.vault.decrypt(gateway.custom_headers_encrypted)) as Record<string, string[]>)) custom[k.toLowerCase()] = v.join(', ')
  }
  const headers: Record<string, string> = {
    ...custom, 'content-type': 'application/json', 'user-agent': 'Keel-ACH-Gateway/1', [timestampHeaderName]: timestamp,
    ...(secrets.length ? { [signatureHeaderName]: signatureHeader(secrets, timestamp, body) } : {}),
  }
  const { code, detail } = await post(services, new URL(gateway.url), body, headers, gateway.max_wait_ms)
  if (code === 200) return { decision: 'APPROVED', status: code, detail }
  if (code === 402) return { decision: 'DECLINED', status: code, detail }
  return { decision: 'DEFAULT', status: code, detail }
}

function post(services: Services, url: URL, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{ code: number; detail: string }> {
  return new Promise((resolve) => {
    let settled = false
    const finish = (o: { code: number; detail: string }) => { if (!settled) { settled = true; clearTimeout(timer); resolve(o) } }
    const secure = url.protocol === 'https:'
    const agent = secure ? services.outbound.httpsAgent() : services.outbound.httpAgent()
    let req: http.ClientRequest
    try {
      req = (secure ? https : http).request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        res.resume()
        res.on('end', () => finish({ code: res.statusCode ?? 0, detail: `answered ${res.statusCode}` }))
        res.on('error', (err) => finish({ code: 0, detail: `response failed: ${err.message}` }))
      })
    } catch (err) {
      // A request Node will not make (a header stored before headers were checked): no answer, as for a network failure.
      agent.destroy()
      resolve({ code: 0, detail: `request not sent: ${(err as Error).message}` })
      return
    }
    const timer = setTimeout(() => { req.destroy(); finish({ code: 0, detail: `no answer within ${timeoutMs} ms` }) }, timeoutMs)
    req.on('error', (err) => finish({ code: 0, detail: isOutboundRefused(err) ? `refused by the outbound network policy: ${err.message}` : `request failed: ${err.message}` }))
    req.on('close', () => agent.destroy())
    req.end(body)
  })
}
