// Group commit. Concurrent transfer requests are gathered into one database transaction: the
// idempotency keys of the whole batch are claimed with one statement, the accounts locked with one,
// every transfer decided in memory by rules.ts, and transfers, entries, holds, balances, events and
// idempotency records written with one set-based statement each, pipelined, then one durable
// commit. Each request still gets its own outcome: a rejected transfer changes nothing and does not
// affect its neighbours. Without group commit (batchSizeMax 1) every request is its own transaction
// through the very same code.

import postgres from 'postgres'
import { systemClock, type Clock } from '../platform/clock.js'
import type { Queryable, Sql } from '../platform/db.js'
import { ApiError } from '../platform/errors.js'
import { recordEvents, type EventInput } from '../platform/events.js'
import { dueHoldsOn, lockAccounts, planTransfers, reserveSeqs, rowsJson, writeStatements, type HoldRow, type LockedAccount, type NewTransfer, type TransferOutcome, type TransferRow } from './store.js'
import { accountsOf } from './rules.js'

/** Most transfers in one transaction: large enough to amortise a commit, small enough to keep p99 low. */
export const batchSizeMaxDefault = 256
/**
 * How long a batch waits for company while another batch is in flight. It seldom costs latency:
 * the next batch mostly needs accounts the one in flight has locked, so it would wait for that
 * commit anyway; larger batches spread each transaction's fixed cost (measured: 5 ms over 2 ms gave
 * about 5% more uniform throughput in the bench, p99 at 80% of peak unchanged).
 */
export const batchWaitMsDefault = 5
/**
 * Batches in flight at once per process: two lets one commit (fsync) while the next is decided and
 * written; more only queue on the same row locks (hot account) or overlap (a 256-transfer batch
 * touches ~500 accounts) and make each batch smaller.
 */
export const batchesInFlightMaxDefault = 2
/** Responses written per turn of the event loop once a batch commits (more when one connection has more). */
const answerSliceSize = 64

/** What one request asks of the batch, and how its answer is built. */
export interface TransferJob {
  transfer: NewTransfer
  /** Idempotency-Key and the request's hash, when the client sent a key. */
  idempotency?: { key: string; requestHash: string }
  /** The response body and the outbox events of an accepted transfer (accounts keyed workspace/id). */
  render(outcome: Extract<TransferOutcome, { ok: true }>, accounts: Map<string, LockedAccount>): { status: number; body: unknown; events: EventInput[] }
  /**
   * The client connection the request came on, if any: requests that share one are answered in the
   * same turn, so that their responses can leave together (see answer()).
   */
  connection?: object
}

export interface JobResult { status: number; body: unknown; replayed: boolean }

interface Pending { job: TransferJob; resolve(r: JobResult): void; reject(e: unknown): void }

export interface BatcherOptions {
  batchSizeMax?: number
  batchWaitMs?: number
  batchesInFlightMax?: number
  clock?: Clock
  /**
   * Called, outside any batch transaction, when transfers name accounts that do not exist; it may
   * create some (the sandbox funding account is made on first use) and says whether it did.
   */
  createMissing?(workspaceId: string, accountIds: string[]): Promise<boolean>
  /** The outbox events of a hold the batch released because it had passed its expiry. */
  expiredEvents?(transfer: TransferRow, hold: HoldRow): EventInput[]
}

/** A batch found accounts the createMissing hook may create: roll back, create them, run again. */
class MissingAccounts extends Error {
  constructor(readonly missing: Map<string, string[]>) { super('accounts missing') }
}

export class TransferBatcher {
  private queue: Pending[] = []
  private inFlight = 0
  private timer: NodeJS.Timeout | undefined
  private scheduled = false
  private readonly sizeMax: number
  private readonly waitMs: number
  private readonly inFlightMax: number
  private readonly clock: Clock
  /** Batches committed and transfers in them, for the bench and tests. */
  readonly stats = { batches: 0, jobs: 0 }

  constructor(private readonly sql: Sql, private readonly options: BatcherOptions = {}) {
    this.sizeMax = options.batchSizeMax ?? batchSizeMaxDefault
    this.waitMs = options.batchWaitMs ?? batchWaitMsDefault
    this.inFlightMax = options.batchesInFlightMax ?? batchesInFlightMaxDefault
    this.clock = options.clock ?? systemClock
  }

  submit(job: TransferJob): Promise<JobResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject })
      this.pump()
    })
  }

  /** Starts a batch when there is work and room: at once when full or idle, else after the wait. */
  private pump(): void {
    if (this.queue.length === 0 || this.inFlight >= this.inFlightMax) return
    if (this.queue.length >= this.sizeMax) return this.flush()
    if (this.inFlight === 0) {
      // Idle: gather whatever else arrives in this turn of the event loop, then go.
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => { this.scheduled = false; this.flush() })
      }
      return
    }
    this.timer ??= setTimeout(() => { this.timer = undefined; this.flush() }, this.waitMs)
  }

  private flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined }
    if (this.queue.length === 0 || this.inFlight >= this.inFlightMax) return
    // A second request with the same workspace and key waits for the next batch, where it replays.
    const batch: Pending[] = []
    const later: Pending[] = []
    const keys = new Set<string>()
    for (const p of this.queue) {
      const key = p.job.idempotency && `${p.job.transfer.workspaceId}/${p.job.idempotency.key}`
      if (batch.length >= this.sizeMax || (key && keys.has(key))) { later.push(p); continue }
      if (key) keys.add(key)
      batch.push(p)
    }
    this.queue = later
    this.inFlight++
    void this.run(batch).then((results) => {
      this.inFlight--
      this.pump()
      this.answer(batch, results)
    })
    this.pump()
  }

  /**
   * Answers a committed batch's requests a slice at a time, each slice in a later turn of the event
   * loop: the next batch, whose locks this commit has just released, is waiting on its database
   * reply, and a few hundred responses written in one go would keep it (and its locks) waiting.
   * Requests are grouped by connection (in order within each), and a connection's requests are
   * never split across slices, so responses pipelined on one connection leave in one write.
   */
  private answer(batch: Pending[], results: (JobResult | Error)[]): void {
    const byConnection = new Map<object, number[]>()
    const alone: number[][] = []
    batch.forEach((p, i) => {
      const c = p.job.connection
      if (!c) return alone.push([i])
      const group = byConnection.get(c)
      if (group) group.push(i)
      else byConnection.set(c, [i])
    })
    const slices: number[][] = []
    let slice: number[] = []
    for (const group of [...byConnection.values(), ...alone]) {
      if (slice.length > 0 && slice.length + group.length > answerSliceSize) { slices.push(slice); slice = [] }
      slice.push(...group)
    }
    if (slice.length > 0) slices.push(slice)
    const next = (k: number) => setImmediate(() => {
      for (const i of slices[k]) {
        const r = results[i]
        if (r instanceof Error) batch[i].reject(r)
        else batch[i].resolve(r)
      }
      if (k + 1 < slices.length) next(k + 1)
    })
    if (slices.length > 0) next(0)
  }

  /** Commits a batch; each request's result or error, in order. Never throws. */
  private async run(batch: Pending[], offerMissing = true): Promise<(JobResult | Error)[]> {
    try {
      const results = await this.commit(batch, offerMissing)
      this.stats.batches++
      this.stats.jobs += batch.length
      return results
    } catch (err) {
      if (err instanceof MissingAccounts) {
        // Offer the missing ids once, then decide the batch again: an account still missing is
        // ACCOUNT_NOT_FOUND for the transfers naming it, and only for them.
        for (const [workspaceId, ids] of err.missing) await this.options.createMissing!(workspaceId, ids).catch(() => false)
        return this.run(batch, false)
      }
      // A statement failed the whole transaction (not a rule: rules reject one transfer), and the
      // server rolled it back: run each request on its own so only the one that causes it fails.
      // Any other failure (the connection lost, perhaps after the commit was sent) leaves it unknown
      // whether the batch committed: running it again could move money twice, so every request of
      // it fails, and a client retrying with its Idempotency-Key gets the outcome that did land.
      if (batch.length > 1 && err instanceof postgres.PostgresError) return (await Promise.all(batch.map((p) => this.run([p], false)))).flat()
      return batch.map(() => (err instanceof Error ? err : new Error(String(err))))
    }
  }

  /**
   * One transaction for the batch, on a reserved connection in two round trips: begin, the key
   * claims, the account locks and the sequence numbers go out together; then, once every transfer is
   * decided, all the writes and the commit. Returns each request's result or its error, in order.
   */
  private async commit(batch: Pending[], offerMissing: boolean): Promise<(JobResult | Error)[]> {
    const tx = await this.sql.reserve()
    let open = false
    try {
      const results: (JobResult | Error | undefined)[] = batch.map(() => undefined)
      const transfers = batch.map((p) => p.job.transfer)
      open = true
      const now = this.clock.now()
      const accountKeys = transfers.flatMap((t) => accountsOf({ kind: 'post', movement: t.movement }).map((id) => ({ workspaceId: t.workspaceId, id })))
      // Statements go out in the order they are started: begin first.
      const begin = tx`begin`.execute()
      const [, claims, locked, due, seqs] = await settled([
        begin,
        this.claimKeys(tx, batch),
        lockAccounts(tx, accountKeys),
        dueHoldsOn(tx, accountKeys, now),
        reserveSeqs(tx, transfers.length),
      ] as const)
      claims.forEach((claim, i) => { results[i] = claim })
      const runnable = batch.flatMap((p, i) => (results[i] === undefined ? [i] : []))
      if (offerMissing && this.options.createMissing) {
        const missing = new Map<string, string[]>()
        for (const i of runnable) {
          const t = transfers[i]
          for (const id of [t.movement.debitAccountId, t.movement.creditAccountId]) {
            if (!locked.has(`${t.workspaceId}/${id}`)) missing.set(t.workspaceId, [...(missing.get(t.workspaceId) ?? []), id])
          }
        }
        if (missing.size > 0) throw new MissingAccounts(missing)
      }
      const { outcomes, writes } = planTransfers(locked, runnable.map((i) => transfers[i]), seqs, now, due)
      const events: EventInput[] = writes.expired.flatMap((e) => this.options.expiredEvents?.(e.transfer, e.hold) ?? [])
      const stored: { workspace_id: string; key: string; request_hash: string; response_status: number; response_body: unknown }[] = []
      outcomes.forEach((outcome, n) => {
        const i = runnable[n]
        const { job } = batch[i]
        if (!outcome.ok) {
          results[i] = new ApiError(outcome.rejection.code, outcome.rejection.detail)
          return
        }
        const rendered = job.render(outcome, locked)
        for (const e of rendered.events) events.push(e)
        results[i] = { status: rendered.status, body: rendered.body, replayed: false }
        if (job.idempotency) stored.push({ workspace_id: job.transfer.workspaceId, key: job.idempotency.key, request_hash: job.idempotency.requestHash, response_status: rendered.status, response_body: rendered.body })
      })
      const statements = writeStatements(tx, writes)
      if (events.length) statements.push(...recordEvents(tx, events))
      if (stored.length) {
        // The outcome commits with the transfer: a retry after a crash replays it or runs it for the first time.
        statements.push(tx`
          insert into idempotency_keys (workspace_id, key, request_hash, response_status, response_body)
          select workspace_id, key, request_hash, response_status, response_body
          from jsonb_to_recordset(${rowsJson(stored)}::text::jsonb)
            as x(workspace_id uuid, key text, request_hash text, response_status int4, response_body jsonb)`)
      }
      // Sent with the writes: if one fails, the transaction is aborted and PostgreSQL answers this
      // commit with a rollback, so nothing of the batch lands; settled() then reports the failure.
      // (A statement the driver could not even send would not abort it: every parameter above is
      // a string, a date or an array of strings, built before anything goes, so none is refused.)
      open = false
      await settled([...statements, tx`commit`])
      return results as (JobResult | Error)[]
    } finally {
      if (open) await tx`rollback`.catch(() => {})
      tx.release()
    }
  }

  /**
   * Claims the batch's Idempotency-Keys as runMutation does for one request: a transaction-scoped
   * advisory lock per key (held: another request with it is in flight → IDEMPOTENCY_CONCURRENT_USE),
   * then the stored outcome, read after the lock so a just-committed one is seen (→ replay, or
   * IDEMPOTENCY_INVALID_REUSE for a different request).
   */
  private async claimKeys(tx: Queryable, batch: Pending[]): Promise<(JobResult | Error | undefined)[]> {
    const claims: (JobResult | Error | undefined)[] = batch.map(() => undefined)
    const keyed = batch.flatMap((p, i) => (p.job.idempotency ? [{ i, workspaceId: p.job.transfer.workspaceId, ...p.job.idempotency }] : []))
    if (keyed.length === 0) return claims
    const workspaceIds = keyed.map((k) => k.workspaceId)
    const keys = keyed.map((k) => k.key)
    const [locks, prior] = await settled([
      tx<{ n: number; locked: boolean }[]>`
        select n::int, pg_try_advisory_xact_lock(hashtextextended(w::text || '/' || k, 0)) as locked
        from unnest(${workspaceIds}::uuid[], ${keys}::text[]) with ordinality as x(w, k, n) order by n`,
      tx<{ workspace_id: string; key: string; request_hash: string; response_status: number; response_body: unknown }[]>`
        select i.workspace_id, i.key, i.request_hash, i.response_status, i.response_body
        from idempotency_keys i join unnest(${workspaceIds}::uuid[], ${keys}::text[]) as x(w, k) on i.workspace_id = x.w and i.key = x.k`,
    ] as const)
    const priorByKey = new Map(prior.map((r) => [`${r.workspace_id}/${r.key}`, r]))
    for (const [n, k] of keyed.entries()) {
      if (!locks[n].locked) { claims[k.i] = new ApiError('IDEMPOTENCY_CONCURRENT_USE', 'a request with this Idempotency-Key is still in progress'); continue }
      const p = priorByKey.get(`${k.workspaceId}/${k.key}`)
      if (!p) continue
      if (p.request_hash !== k.requestHash) claims[k.i] = new ApiError('IDEMPOTENCY_INVALID_REUSE', 'this Idempotency-Key was used with a different request')
      else claims[k.i] = { status: p.response_status, body: p.response_body, replayed: true }
    }
    return claims
  }
}

/**
 * Waits for every promise (statements pipelined on one connection), then throws the first failure:
 * none is left to reject unobserved.
 */
async function settled<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const outcomes = await Promise.allSettled(promises)
  for (const o of outcomes) if (o.status === 'rejected') throw o.reason
  return outcomes.map((o) => (o as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> }
}
