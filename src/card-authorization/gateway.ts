// The fintech's authorization gateway: for a card whose product has an active gateway, Keel sends
// the authorization, signed like a webhook (Synctera-Signature over `Request-Timestamp.body` with
// the workspace's webhook secret), through the one outbound guard, and waits at most
// gatewayTimeoutMs for the answer.
//
// The contract (docs/card-authorization.md):
//   200 {"decision": "APPROVE"}                 approve the amount asked
//   200 {"decision": "PARTIAL", "amount": n}    approve n (at most the amount asked)
//   402, or 200 {"decision": "DECLINE"}         decline (GATEWAY_DECLINED)
//   anything else, no answer in time, a refused address, no webhook secret to sign with:
//     unavailable: the gateway's stand-in decides (Keel on the balance) or the message is declined GATEWAY_ERROR.

import http from 'node:http'
import https from 'node:https'
import type { Services } from '../platform/http.js'
import { signatureHeader, signatureHeaderName, signingSecrets, timestampHeaderName } from '../webhooks/index.js'

/** How long Keel waits for a gateway's whole answer (Marqeta's JIT gateway allows 3 s, then declines). */
export const gatewayTimeoutMs = 3000
/** The most of a gateway's answer Keel reads. */
export const gatewayAnswerBytesMax = 16 * 1024
/** Idle keep-alive sockets kept per gateway host. */
const gatewaySocketsMax = 64

export interface GatewayTarget { url: string; headers: Record<string, string>; standin: boolean }

export type GatewayAnswer = { kind: 'approve'; amount?: bigint } | { kind: 'decline' } | { kind: 'unavailable'; standin: boolean; why: string }

let agents: { http: http.Agent; https: https.Agent } | undefined
const agentsOf = (services: Services) => (agents ??= { http: services.outbound.httpAgent({ keepAlive: true, maxSockets: gatewaySocketsMax }), https: services.outbound.httpsAgent({ keepAlive: true, maxSockets: gatewaySocketsMax }) })

/** Reads a gateway's answer: what it decided, or why it counts as no answer. */
export function readGatewayAnswer(status: number, body: string, standin: boolean): GatewayAnswer {
  if (status === 402) return { kind: 'decline' }
  if (status !== 200) return { kind: 'unavailable', standin, why: `answered HTTP ${status}` }
  let parsed: { decision?: unknown; amount?: unknown }
  try { parsed = JSON.parse(body) } catch { return { kind: 'unavailable', standin, why: 'answered with a body that is not JSON' } }
  if (parsed?.decision === 'APPROVE') return { kind: 'approve' }
  if (parsed?.decision === 'DECLINE') return { kind: 'decline' }
  if (parsed?.decision === 'PARTIAL' && Number.isSafeInteger(parsed.amount) && (parsed.amount as number) >= 0) return { kind: 'approve', amount: BigInt(parsed.amount as number) }
  return { kind: 'unavailable', standin, why: 'answered without a decision this contract knows' }
}

/** Sends one authorization to the gateway and reads its decision. Never throws. */
export async function askGateway(services: Services, workspaceId: string, now: Date, target: GatewayTarget, payload: Record<string, unknown>): Promise<GatewayAnswer> {
  const secrets = await signingSecrets(services.sql, services.vault, workspaceId, now)
  if (secrets.length === 0) return { kind: 'unavailable', standin: target.standin, why: 'the workspace has no webhook secret to sign with' }
  const body = JSON.stringify(payload)
  // Real time, as for webhooks: the receiver compares it with its own clock to refuse replays.
  const timestamp = String(Math.floor(Date.now() / 1000))
  const url = new URL(target.url)
  const headers: Record<string, string> = {
    ...target.headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    [timestampHeaderName]: timestamp,
    [signatureHeaderName]: signatureHeader(secrets, timestamp, body),
  }
  const a = agentsOf(services)
  return new Promise((resolve) => {
    let settled = false
    const finish = (answer: GatewayAnswer) => { if (!settled) { settled = true; clearTimeout(timer); resolve(answer) } }
    let req: http.ClientRequest
    try {
      req = request()
    } catch (err) {
      // A request Node will not make (a header stored before headers were checked): the gateway is unavailable.
      resolve({ kind: 'unavailable', standin: target.standin, why: `request not sent: ${(err as Error).message}` })
      return
    }
    function request(): http.ClientRequest {
      return (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', agent: url.protocol === 'https:' ? a.https : a.http, headers }, onAnswer)
    }
    function onAnswer(res: http.IncomingMessage): void {
      const chunks: Buffer[] = []
      let bytes = 0
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        if (bytes > gatewayAnswerBytesMax) { req.destroy(); finish({ kind: 'unavailable', standin: target.standin, why: `answered more than ${gatewayAnswerBytesMax} bytes` }) } else chunks.push(chunk)
      })
      res.on('end', () => finish(readGatewayAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), target.standin)))
      res.on('error', (err) => finish({ kind: 'unavailable', standin: target.standin, why: `answer failed: ${err.message}` }))
    }
    const timer = setTimeout(() => { req.destroy(); finish({ kind: 'unavailable', standin: target.standin, why: `no answer within ${gatewayTimeoutMs} ms` }) }, gatewayTimeoutMs)
    req.on('error', (err) => finish({ kind: 'unavailable', standin: target.standin, why: `request failed: ${err.message}` }))
    req.end(body)
  })
}
