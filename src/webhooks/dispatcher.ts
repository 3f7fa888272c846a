import http from 'node:http'
import https from 'node:https'
import type { Logger } from 'pino'
import type { Services } from '../platform/http.js'
import { isOutboundRefused } from '../platform/outbound.js'
import { afterFailure, deliveryTimeoutMs } from './schedule.js'
import { activeSecrets, deliveryBody, responseBodyKeptBytes, responseHistoryEntriesMax } from './service.js'
import { signatureHeader, signatureHeaderName, timestampHeaderName } from './signing.js'
import {
  claimDue, deliveryNotifyChannel, findDueLanes, getSecret, getWebhook, recordAttempts, tryLockLane,
  type AttemptRecord, type AttemptResult, type DeliveryRow, type Lane,
} from './store.js'

// The webhook dispatcher: every Keel process runs one. Delivery rows are written by the fan-out
// trigger in the event's own transaction (migrations/0400_webhooks.sql); dispatchers find
// webhooks with due deliveries, take one webhook (a lane) at a time under a transaction-scoped
// lock, send its due deliveries in event order, and record the outcomes in that same transaction.
// A crash rolls the transaction back and frees the lane: the deliveries stay due and another
// dispatcher (or the restarted one) sends them again. Delivery is therefore at least once.

/** A fallback for missed notifications, and the granularity of scheduled retries and resends. */
export const dispatcherPollMs = 1_000
/** Webhooks one process sends to at the same time; each holds one database connection. */
export const dispatcherLanesMax = 8
/** Deliveries one lane transaction sends before it commits and lets others in. */
export const laneBatchDeliveriesMax = 100
/** A lane stops taking further deliveries of its batch after this long, so its locks stay short. */
export const laneBatchMs = 500

export interface DispatcherOptions {
  deliveryTimeoutMs?: number
  pollMs?: number
  lanesMax?: number
}

export interface Dispatcher {
  /** Look for due deliveries now (after a notification, or a test moving the clock). */
  wake(): void
  /**
   * Sends every delivery due now, and what falls due as they are recorded, and waits until all of
   * it is recorded: for a caller that has moved the clock and must see what followed, without
   * waiting on the poll interval or on wall-clock time.
   */
  drain(): Promise<void>
  /** Stops taking work and waits for in-flight deliveries to be recorded. */
  stop(): Promise<void>
}

/** Rounds of drain() before it gives up on a lane that stays due (another process holds it). */
export const drainRoundsMax = 100

interface HttpOutcome { code: number; body: string }

export function startDispatcher(services: Services, log: Logger, options: DispatcherOptions = {}): Dispatcher {
  const { sql, clock, vault } = services
  const timeoutMs = options.deliveryTimeoutMs ?? deliveryTimeoutMs
  const lanesMax = options.lanesMax ?? dispatcherLanesMax
  // Through the outbound guard: a receiver's name is resolved and its address checked at connect time.
  const agents = { http: services.outbound.httpAgent({ keepAlive: true, maxSockets: lanesMax }), https: services.outbound.httpsAgent({ keepAlive: true, maxSockets: lanesMax }) }
  const active = new Map<string, Promise<void>>()
  let scanning: Promise<void> | undefined
  let rescan = false
  let stopped = false

  const laneKey = (lane: Lane) => `${lane.workspace_id}/${lane.webhook_id}`

  function wake(): void {
    if (stopped) return
    if (scanning) { rescan = true; return }
    scanning = scan()
  }

  async function scan(): Promise<void> {
    try {
      do {
        rescan = false
        if (active.size >= lanesMax) break // a finishing lane wakes the dispatcher again
        const lanes = await findDueLanes(sql, clock.now(), lanesMax + active.size)
        for (const lane of lanes) {
          if (stopped || active.size >= lanesMax) break
          const key = laneKey(lane)
          if (active.has(key)) continue
          active.set(key, runLane(lane).then(
            (sent) => { active.delete(key); if (sent > 0) wake() },
            (err) => { active.delete(key); log.error({ err, lane }, 'webhook lane failed') },
          ))
        }
      } while (rescan && !stopped)
    } catch (err) {
      log.error({ err }, 'webhook dispatcher scan failed')
    } finally {
      scanning = undefined
    }
  }

  async function drain(): Promise<void> {
    for (let round = 0; round < drainRoundsMax; round++) {
      while (scanning || active.size) await Promise.all([scanning, ...active.values()])
      if ((await findDueLanes(sql, clock.now(), 1)).length === 0) return
      wake()
    }
  }

  /** Sends a lane's due deliveries; returns how many attempts it made (0: nothing to do or taken). */
  async function runLane(lane: Lane): Promise<number> {
    return sql.begin(async (tx) => {
      if (!(await tryLockLane(tx, lane))) return 0
      // Issued together, the three reads share one round trip on the transaction's connection.
      // (The lock is taken first, on its own: a claim made without it would hold rows the lane's
      // owner must not skip, or its next batch could overtake them.)
      const [hook, rows, secret] = await Promise.all([
        getWebhook(tx, lane.workspace_id, lane.webhook_id), claimDue(tx, lane, clock.now(lane.workspace_id), laneBatchDeliveriesMax), getSecret(tx, lane.workspace_id),
      ])
      if (!hook || !hook.is_enabled || rows.length === 0) return 0
      const secrets = activeSecrets(secret, vault, clock.now(lane.workspace_id))
      const url = new URL(hook.url)
      const results: AttemptResult[] = []
      const startedMs = performance.now()
      for (const row of rows) {
        const result = await attempt(url, hook, row, secrets, lane.workspace_id)
        results.push(result)
        // After a failure the receiver is likely down or slow: stop the batch rather than spend
        // a time-out on each remaining delivery; they stay due for the next pass.
        if (result.status !== 'SUCCESS' || stopped || performance.now() - startedMs > laneBatchMs) break
      }
      await recordAttempts(tx, lane, results)
      return results.length
    }) as Promise<number>
  }

  async function attempt(url: URL, hook: { url: string; metadata: string | null }, row: DeliveryRow, secrets: string[], workspaceId: string): Promise<AttemptResult> {
    const body = deliveryBody(row, hook)
    // Wall-clock seconds, not the workspace clock: the receiver checks it against its own clock.
    const timestamp = String(Math.floor(Date.now() / 1000))
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Keel-Webhooks/1', [timestampHeaderName]: timestamp }
    if (secrets.length) headers[signatureHeaderName] = signatureHeader(secrets, timestamp, body)
    // The attempt's times and its retry schedule follow the workspace clock (a sandbox may move it).
    const sentAt = clock.now(workspaceId)
    const outcome = await post(url, body, headers)
    const respondedAt = clock.now(workspaceId)
    const entry: AttemptRecord = { sent_time: sentAt.toISOString(), response_time: respondedAt.toISOString(), code: outcome.code, response_body: outcome.body }
    const attempts = row.attempts + 1
    const roundStartedAt = row.round_started_at ?? sentAt
    const history = [...row.response_history, entry].slice(-responseHistoryEntriesMax)
    const base = { event_id: row.event_id, attempts, round_started_at: roundStartedAt, response_history: history }
    if (outcome.code >= 200 && outcome.code < 300) return { ...base, status: 'SUCCESS', next_attempt_at: null }
    const next = afterFailure({ attemptsMade: attempts, roundStartedAt, now: respondedAt, random: Math.random() })
    if (next.status === 'FAILED') {
      log.warn({ webhookId: row.webhook_id, eventId: row.event_id, attempts, code: outcome.code }, 'webhook delivery failed for good')
      return { ...base, status: 'FAILED', next_attempt_at: null }
    }
    log.debug({ webhookId: row.webhook_id, eventId: row.event_id, attempts, code: outcome.code, retryAt: next.at }, 'webhook delivery failed; will retry')
    return { ...base, status: 'RETRYING', next_attempt_at: next.at }
  }

  /** POSTs one delivery. Code 0 stands for no HTTP answer (refused, reset, timed out). */
  function post(url: URL, body: string, headers: Record<string, string>): Promise<HttpOutcome> {
    return new Promise((resolve) => {
      let settled = false
      const finish = (o: HttpOutcome) => { if (!settled) { settled = true; clearTimeout(timer); resolve(o) } }
      const transport = url.protocol === 'https:' ? https : http
      const req = transport.request(url, {
        method: 'POST', agent: url.protocol === 'https:' ? agents.https : agents.http,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      }, (res) => {
        const kept: Buffer[] = []
        let keptBytes = 0
        res.on('data', (chunk: Buffer) => {
          if (keptBytes < responseBodyKeptBytes) { kept.push(chunk.subarray(0, responseBodyKeptBytes - keptBytes)); keptBytes += Math.min(chunk.length, responseBodyKeptBytes - keptBytes) }
        })
        res.on('end', () => finish({ code: res.statusCode ?? 0, body: Buffer.concat(kept).toString('utf8') }))
        res.on('error', (err) => finish({ code: 0, body: `response failed: ${err.message}` }))
      })
      // One deadline for connecting, sending and reading the whole answer.
      const timer = setTimeout(() => { req.destroy(); finish({ code: 0, body: `no complete answer within ${timeoutMs} ms` }) }, timeoutMs)
      req.on('error', (err) => finish({ code: 0, body: isOutboundRefused(err) ? `refused by the outbound network policy: ${err.message}` : `request failed: ${err.message}` }))
      req.end(body)
    })
  }

  const pollTimer = setInterval(wake, options.pollMs ?? dispatcherPollMs)
  pollTimer.unref()
  const listening = sql.listen(deliveryNotifyChannel, wake).catch((err) => {
    log.error({ err }, 'webhook dispatcher could not LISTEN; polling only')
    return undefined
  })
  wake()

  return {
    wake,
    drain,
    async stop() {
      stopped = true
      clearInterval(pollTimer)
      const listener = await listening
      await listener?.unlisten().catch(() => {})
      while (scanning || active.size) await Promise.all([...active.values(), new Promise((r) => setTimeout(r, 10))])
      agents.http.destroy()
      agents.https.destroy()
    },
  }
}
