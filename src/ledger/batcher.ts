// Group commit, for every rail. Concurrent ledger requests are gathered into one database
// transaction: the accounts and holds locked with one statement each, every request decided in
// memory by rules.ts (plan.ts), and transfers, entries, holds and balances written with one
// set-based statement each, pipelined, then one durable commit. Each request still gets its own
// result: a rejected one changes nothing and does not affect its neighbours.
//
// The ledger knows nothing of HTTP, Idempotency-Key or events. A rail that needs its own rows in
// the same transaction (its idempotency records, its events) hands a Participant with its request:
// the batch lets it read in its first round trip (and settle a request before the ledger sees it,
// e.g. a replayed key) and write with the batch's writes, from the results.
//
// Without group commit (batchSizeMax 1) every request is its own transaction through the same code.

import { randomInt } from 'node:crypto'
import postgres from 'postgres'
import { allOf, oneStatement, type Queryable, type Sql, type Unsent } from '../platform/db.js'
import { withFields } from '../platform/objects.js'
import { planBatch, recordsOf, type Expired, type LedgerRequest, type LedgerResult } from './plan.js'
import { accountsNamed } from './rules.js'
import { KnownAccounts, knownAccountsCoolMsDefault, knownAccountsMaxDefault } from './known-accounts.js'
import { awaitBatches, dueHoldsOn, existingTransfers, holdAccounts, lockAccounts, lockHolds, lockSpend, openBatch, plannedStateChanged, plansOutgrown, renewPlans, reserveSeqs, seqBlockSize, spendLimitsOf, verifyAccounts, verifyHolds, writeParts, type BatchOpened, type HoldRow, type LockedAccount, type SpendLimitRow, type TransferRow, type Writes } from './store.js'
import { keyOf, newKey, type Key } from './keys.js'
import { SpareSeqs } from './spare-seqs.js'

/** Most requests in one transaction: large enough to amortise a commit, small enough to keep p99 low. */
export const batchSizeMaxDefault = 256
/**
 * How long a batch waits for company while another batch is in flight (once only that batch's
 * commit is left, enough waiting go at once: LedgerBatcher.committing). It seldom costs latency:
 * the next batch mostly needs accounts the one in flight has locked, so it would wait for that
 * commit anyway; larger batches spread each transaction's fixed cost (measured: 5 ms over 2 ms gave
 * about 5% more uniform throughput in the bench, p99 at 80% of peak unchanged).
 */
export const batchWaitMsDefault = 5
/**
 * Batches in flight at once per process: two lets one commit (fsync) while the next is decided and
 * written; more only queue on the same row locks (hot account) or overlap and make each batch smaller.
 */
export const batchesInFlightMaxDefault = 2
/**
 * See BatcherOptions.plansCheckMs: a table grows by at most a second's writes past twice the size
 * its session's plans were made for. Made again every second instead, the plans cost the batch after
 * each renewal its statements' planning (measured: 7.8 ms against 3.3 for the others, a card
 * authorization's, at 1,000/s); the tables double ever more rarely as they grow.
 */
export const plansCheckMsDefault = 1000
/** See BatcherOptions.plansKeptMaxMs. */
export const plansKeptMaxMsDefault = 600_000
/**
 * Requests waiting that go at once while the batch in flight only commits (LedgerBatcher.committing).
 * Fewer wait for the commit's end as before: deciding a few costs little to overlap, and a batch of
 * a few more spreads a transaction's fixed cost (at 1,000 card authorizations/s, going at once with
 * one waiting made batches of 2.3 answers instead of 2.7–3.0 and cost about 10% more CPU an authorization
 * in the server and in PostgreSQL alike).
 */
export const committingCompanyMinDefault = 16
/** Results handed back per turn of the event loop once a batch commits. */
const answerSliceSize = 64

/** A rail's part of the batch transaction. C is what the rail attaches to each of its requests. */
export interface Participant<C = unknown, A = unknown> {
  /**
   * Reads in the batch's first round trip, for this participant's requests; a defined entry settles
   * that request with this answer before the ledger sees it (it is not applied). It may instead
   * narrow a request it leaves to the ledger to one `decline` of its first command's id naming
   * accounts the request named (`request.commands`, read again when the batch is decided): the card
   * rail's declines under its spend lock.
   */
  open(tx: Queryable, contexts: C[]): Promise<(A | undefined)[]>
  /**
   * What the batch writes for these requests, not yet sent, and each request's answer. The writes
   * go as one statement with the ledger's own (oneStatement in src/platform/db.ts says what such a
   * part may be).
   */
  close(tx: Queryable, done: { context: C; request: LedgerRequest; result: LedgerResult }[]): { writes: Unsent[]; answers: A[] }
  /**
   * For a batch decided from memory, which has no first round trip (LedgerBatcher, "Batches
   * decided from memory"): checks that fail its transaction unless open() would have settled none
   * of these requests and left nothing to narrow, each a select not yet sent (allOf in
   * src/platform/db.ts says what such a check may be). `opening`'s run in the batch's opening
   * statement, and may take locks; `later`'s in a statement after it, with the accounts' check, so
   * they read what those locks let through. A participant without it keeps its batches on the round
   * trip that reads.
   */
  expectUnsettled?(tx: Queryable, contexts: C[]): { opening: Unsent[]; later?: Unsent[] }
}

export interface Job<C = unknown, A = unknown> {
  request: LedgerRequest
  participant?: Participant<C, A>
  context?: C
  /**
   * What the request came on (an HTTP connection): requests that share one are answered in the same
   * turn, so that their responses can leave together. Opaque to the ledger.
   */
  group?: object
  /**
   * Accounts whose spend windows the participant reads for this request before the batch locks
   * their rows (a card message's account): the batch takes their spend locks (lockSpend) in its
   * opening statement and holds them to its commit, so the read counts every payment committed on
   * them before and none commits meanwhile. The request never joins a batch while another batch in
   * flight holds one of them, since it would only wait there for that commit; requests sharing one
   * may share a batch.
   */
  spendLocks?: Key[]
}

/** A request's outcome: the ledger's result (absent when its participant settled it first) and the participant's answer. */
export interface JobOutcome<A = unknown> { result?: LedgerResult; answer?: A }

interface Pending { job: Job; resolve(r: JobOutcome): void; reject(e: unknown): void }

/** A batch in flight; `committing` once its statements have all run and only its commit is left. */
interface Flight { committing: boolean }

export interface BatcherOptions {
  batchSizeMax?: number
  batchWaitMs?: number
  batchesInFlightMax?: number
  /**
   * How often, in real time, a session looks at its tables' sizes after a batch: its plans are made
   * again once a table has doubled since they were made (plansOutgrown in store.ts).
   */
  plansCheckMs?: number
  /** How old a session's plans may grow, whatever the tables' sizes, before they are made again. */
  plansKeptMaxMs?: number
  /**
   * Called, outside any batch transaction, when requests name accounts that do not exist; it may
   * create some (the sandbox funding account is made on first use) and says whether it did.
   */
  createMissing?(workspaceId: string, accountIds: string[]): Promise<boolean>
  /** The statements that record holds a batch expired (their events), written with the batch's writes as one (oneStatement). */
  expiredStatements?(tx: Queryable, expired: Expired[]): Unsent[]
  /** Each workspace's time, for the holds a batch expires. */
  nowOf(workspaceId: string): Date
  /** Told the size of each committed batch (metrics). */
  onBatch?(size: number): void
  /** Told of each batch that found rows it decided on changed, and runs again locking first (metrics). */
  onRelock?(): void
  /** Told of each batch committed decided from memory (metrics). */
  onFromMemory?(): void
  /** Told of each batch decided from memory that failed and runs again reading (metrics). */
  onReread?(): void
  /**
   * How many accounts the process keeps as it last read or changed them, to decide batches from
   * memory (LedgerBatcher); 0 turns that off, and every batch reads first. knownAccountsMaxDefault.
   */
  knownAccountsMax?: number
  /** How long accounts a batch decided from memory found not as known stay unknown (KnownAccounts). knownAccountsCoolMsDefault. */
  knownAccountsCoolMs?: number
}

/** How a batch runs: decided from what the process knows, when it can; on what it reads; on what it locks first. */
type Mode = 'memory' | 'read' | 'lock'

/** A batch decided from memory failed in the database: it runs again, reading first. */
class DecidedFromMemoryFailed extends Error {
  constructor(readonly cause: unknown) { super('a batch decided from memory failed') }
}

/**
 * The holds and the accounts requests name. A command that names a hold locks the hold's accounts,
 * so those are read first (they never change); none is read when no command names a hold. With
 * them, the accounts the payments name (LedgerRequest.payment), each at its request's time: those
 * whose spend controls a batch that locks reads.
 */
async function keysNamed(db: Queryable, requests: LedgerRequest[]): Promise<{ holdKeys: Key[]; accountKeys: Key[]; paymentKeys: (Key & { at: Date })[] }> {
  const holdKeys: Key[] = requests.flatMap((r) => r.commands.flatMap((c) => ('pendingId' in c ? [{ workspaceId: r.workspaceId, id: c.pendingId }] : [])))
  const holdSides = holdKeys.length ? await holdAccounts(db, holdKeys) : new Map<string, { account_id: string; credit_account_id: string }>()
  const payments = new Map<string, Key & { at: Date }>()
  const accountKeys: Key[] = requests.flatMap((r) => r.commands.flatMap((c) => {
    const side = 'pendingId' in c ? holdSides.get(keyOf(r.workspaceId, c.pendingId)) : undefined
    return accountsNamed(c, side && { debitAccountId: side.account_id, creditAccountId: side.credit_account_id }).map((id) => {
      if (r.payment && !payments.has(keyOf(r.workspaceId, id))) payments.set(keyOf(r.workspaceId, id), { workspaceId: r.workspaceId, id, at: r.now })
      return { workspaceId: r.workspaceId, id }
    })
  }))
  return { holdKeys, accountKeys, paymentKeys: [...payments.values()] }
}

/** What a keyed session's plans need after a batch: to be made again, or a look at the tables' sizes. */
type PlansCare = 'renew' | 'check'

/** A session's plans after a batch: made again when due, or when its tables have outgrown them. */
async function keepPlans(tx: Queryable, care: PlansCare): Promise<void> {
  const now = Date.now()
  if (care === 'renew' || await plansOutgrown(tx, now)) await renewPlans(tx, now)
}

/** The command ids that may be taken already (not minted for their request). */
function keysToLookUp(requests: LedgerRequest[]): Key[] {
  return requests.flatMap((r) => (r.mintedIds ? [] : r.commands.map((c) => ({ workspaceId: r.workspaceId, id: c.id }))))
}

/**
 * A payment names an account with spend controls: its windows are read once the account is locked,
 * so its batch runs locking first (a batch decided from memory or on what it read would decide on
 * windows another batch may be filling). A batch that locks reads the controls of every account a
 * payment names, after its locks: what it read of the accounts (`spend_controlled`, a row not
 * locked) may be older than the locks.
 */
class SpendNeedsLock extends Error {
  constructor() { super('a payment names an account with spend controls') }
}

/** Whether any account a payment names has spend controls, as the batch knows or read it. */
const spendControlled = (paymentKeys: Key[], accounts: ReadonlyMap<string, LockedAccount>): boolean =>
  paymentKeys.some((k) => accounts.get(keyOf(k.workspaceId, k.id))?.spend_controlled === true)

const noAccounts: readonly string[] = []

/** A batch found accounts the createMissing hook may create: roll back, create them, run again. */
class MissingAccounts extends Error {
  constructor(readonly missing: Map<string, string[]>) { super('accounts missing') }
}

/**
 * Group commit: requests submitted meanwhile are decided and written together, in one transaction.
 * Give it keyed sessions (connectKeyed in src/platform/db.ts): every statement of a batch reads and
 * writes rows by key, so each runs on a plan made once per session (made again as its tables grow: plansCheckMs)
 * instead of being planned for every batch. On an ordinary pool it works the same, planning as
 * that pool's sessions do.
 */
export class LedgerBatcher {
  private queue: Pending[] = []
  private inFlight = 0
  /** Batches in flight whose commit is all that is left (Flight). */
  private committingNow = 0
  /** The accounts (keyOf) whose spend locks batches in flight hold for their requests (Job.spendLocks, and the controlled accounts payments name). */
  private readonly spendingInFlight = new Set<string>()
  private timer: NodeJS.Timeout | undefined
  private scheduled = false
  private readonly sizeMax: number
  private readonly waitMs: number
  private readonly inFlightMax: number
  private readonly plansCheckMs: number
  private readonly plansKeptMaxMs: number
  /**
   * Batches committed and requests in them, for the bench and tests; of those batches, how many were
   * decided from memory, and how many batches decided from memory failed and ran again reading.
   */
  readonly stats = { batches: 0, jobs: 0, relocked: 0, fromMemory: 0, reread: 0 }
  private readonly planned = new PlannedStates()
  private readonly known: KnownAccounts
  /** Sequence numbers reserved and not yet used, for batches decided from memory (they reserve with their writes). */
  private readonly spareSeqs = new SpareSeqs()

  constructor(private readonly sql: Sql, private readonly options: BatcherOptions) {
    this.sizeMax = options.batchSizeMax ?? batchSizeMaxDefault
    this.waitMs = options.batchWaitMs ?? batchWaitMsDefault
    this.inFlightMax = options.batchesInFlightMax ?? batchesInFlightMaxDefault
    this.plansCheckMs = options.plansCheckMs ?? plansCheckMsDefault
    this.plansKeptMaxMs = options.plansKeptMaxMs ?? plansKeptMaxMsDefault
    this.known = new KnownAccounts(options.knownAccountsMax ?? knownAccountsMaxDefault, options.knownAccountsCoolMs ?? knownAccountsCoolMsDefault)
  }

  submit<C, A>(job: Job<C, A>): Promise<JobOutcome<A>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job: job as Job, resolve: resolve as (r: JobOutcome) => void, reject })
      this.pump()
    })
  }

  /**
   * Starts a batch when there is work and room: at once when full, when none is in flight, or when
   * enough wait and the batches in flight only commit; else after the wait.
   */
  private pump(): void {
    if (this.queue.length === 0 || this.inFlight >= this.inFlightMax) return
    if (this.queue.length >= this.sizeMax) return this.flush()
    if (this.inFlight === 0 || (this.inFlight === this.committingNow && this.queue.length >= committingCompanyMinDefault)) {
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
    // Two requests with one transfer id in one batch: the second waits for the next batch, where
    // it meets the first as 'exists' (its participant may replay it).
    const batch: Pending[] = []
    const later: Pending[] = []
    const ids = new Set<string>()
    const spending = new Set<string>()
    // Payments on accounts known to have spend controls run their batch locking (SpendNeedsLock): a
    // batch holds either only those or none of them, so the others are not locked with them.
    let locking: boolean | undefined
    for (const p of this.queue) {
      // Not keyOf: a record's id is named here once, and keyOf would keep every one of them.
      const mine = p.job.request.commands.map((c) => `${p.job.request.workspaceId}/${c.id}`)
      const controlled = this.controlledPaid(p.job.request)
      const names = p.job.spendLocks ? [...p.job.spendLocks.map((k) => keyOf(k.workspaceId, k.id)), ...controlled] : controlled
      const locks = controlled.length > 0
      locking ??= locks
      if (batch.length >= this.sizeMax || locks !== locking || mine.some((k) => ids.has(k)) || names.some((n) => this.spendingInFlight.has(n))) { later.push(p); continue }
      for (const k of mine) ids.add(k)
      for (const n of names) spending.add(n)
      batch.push(p)
    }
    // Everything queued waits on a batch in flight: the next flush comes when one ends.
    if (batch.length === 0) return
    this.queue = later
    this.inFlight++
    for (const n of spending) this.spendingInFlight.add(n)
    const flight: Flight = { committing: false }
    void this.run(batch, flight).then((results) => {
      this.inFlight--
      if (flight.committing) this.committingNow--
      for (const n of spending) this.spendingInFlight.delete(n)
      this.pump()
      this.answer(batch, results)
    })
    this.pump()
  }

  /**
   * The accounts (keyOf) this process knows to have spend controls that the request pays through, if
   * it is a payment. Run for every queued request at every flush: no array is made for one without.
   */
  private controlledPaid(r: LedgerRequest): readonly string[] {
    if (r.payment === undefined) return noAccounts
    let out: string[] | undefined
    for (const c of r.commands) for (const id of accountsNamed(c)) if (this.known.spendControlled(r.workspaceId, id)) (out ??= []).push(keyOf(r.workspaceId, id))
    return out ?? noAccounts
  }

  /**
   * A batch's statements have all run and its commit is on its way: the requests waiting for company
   * go now, as they would once it ended, when there are committingCompanyMinDefault of them. Their
   * batch is decided and built meanwhile, so its statements reach the database as this commit ends
   * instead of after it: at the uniform peak of bench:transfers:realistic a batch took about 1.3 ms
   * to decide and build, 6.5 ms for its statements and 1.5 ms for its commit, one after another, and
   * for about a sixth of the time no batch was in the database (docs/throughput/ledger.md, "The next batch
   * during a commit").
   */
  private committing(flight: Flight): void {
    if (flight.committing) return
    flight.committing = true
    this.committingNow++
    this.pump()
  }

  /** What a session's plans need after this batch: made again, a look at the tables' sizes, or nothing. */
  private plansCare(opened: BatchOpened): PlansCare | undefined {
    const now = Date.now()
    if (opened.renewedAt === undefined || now - opened.renewedAt >= this.plansKeptMaxMs) return 'renew'
    if (opened.checkedAt === undefined || now - opened.checkedAt >= this.plansCheckMs) return 'check'
    return undefined
  }

  /**
   * Answers a committed batch's requests a slice at a time, each slice in a later turn of the event
   * loop: the next batch, whose locks this commit has just released, is waiting on its database
   * reply, and a few hundred answers handed out in one go would keep it (and its locks) waiting.
   * Requests of one group are never split across slices.
   */
  private answer(batch: Pending[], results: (JobOutcome | Error)[]): void {
    const byGroup = new Map<object, number[]>()
    const alone: number[][] = []
    batch.forEach((p, i) => {
      const g = p.job.group
      if (!g) return alone.push([i])
      const members = byGroup.get(g)
      if (members) members.push(i)
      else byGroup.set(g, [i])
    })
    const slices: number[][] = []
    let slice: number[] = []
    for (const members of [...byGroup.values(), ...alone]) {
      if (slice.length > 0 && slice.length + members.length > answerSliceSize) { slices.push(slice); slice = [] }
      slice.push(...members)
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

  /**
   * Commits a batch; each request's outcome or error, in order. Never throws. A batch first runs
   * decided from memory where it can, else on the state it reads; one decided from memory that fails
   * runs again reading, and one that finds what it read changed when it locks it runs again, locking
   * first.
   */
  private async run(batch: Pending[], flight: Flight, offerMissing = true, mode: Mode = 'memory'): Promise<(JobOutcome | Error)[]> {
    try {
      const results = await this.commit(batch, flight, offerMissing, mode)
      this.stats.batches++
      this.stats.jobs += batch.length
      this.options.onBatch?.(batch.length)
      return results
    } catch (err) {
      if (err instanceof MissingAccounts) {
        // Offer the missing ids once, then decide the batch again: an account still missing is
        // account_not_found for the requests naming it, and only for them.
        for (const [workspaceId, ids] of err.missing) await this.options.createMissing!(workspaceId, ids).catch(() => false)
        return this.run(batch, flight, false, mode)
      }
      if (err instanceof SpendNeedsLock) return this.run(batch, flight, offerMissing, 'lock')
      if (err instanceof DecidedFromMemoryFailed) {
        this.stats.reread++
        this.options.onReread?.()
        return this.run(batch, flight, offerMissing, 'read')
      }
      if (err instanceof postgres.PostgresError && err.code === plannedStateChanged) {
        this.stats.relocked++
        this.options.onRelock?.()
        return this.run(batch, flight, offerMissing, 'lock')
      }
      // A statement failed the whole transaction (not a rule: rules reject one request), and the
      // server rolled it back: run each request on its own so only the one that causes it fails.
      // One after another, in the batch's order: a request may need what an earlier one brings (the
      // funds of the transfer before it), as it had when the batch decided them in that order; run
      // all at once, whichever took the accounts' locks first went first.
      // Any other failure (the connection lost, perhaps after the commit was sent) leaves it unknown
      // whether the batch committed: running it again could move money twice, so every request of
      // it fails, and a client retrying with its Idempotency-Key gets the outcome that did land.
      if (batch.length > 1 && err instanceof postgres.PostgresError) {
        const outcomes: (JobOutcome | Error)[] = []
        for (const p of batch) outcomes.push(...await this.run([p], flight, false, 'lock'))
        return outcomes
      }
      return batch.map(() => (err instanceof Error ? err : new Error(String(err))))
    }
  }

  /**
   * One transaction for the batch, on a reserved connection in two round trips (three when a
   * request names a hold: its accounts are read first): begin, the participants' reads, the
   * accounts and holds, the due holds, the ids in use and the sequence numbers go out together;
   * then, once every request is decided, all the writes and the commit.
   *
   * Where the locks go decides how long a batch keeps others waiting. `locking`: the first round
   * trip locks what it reads, so the batch holds its rows while it is decided and written, and a
   * batch that shares an account waits all that time. Otherwise the first round trip only reads:
   * each account and hold as last committed, or as a batch of this process still in flight has
   * planned it. The second round trip first waits for those batches' transactions to end (each
   * holds an advisory lock on its id from its first round trip), then locks the rows with the
   * writes, only if still as decided on (verifyAccounts, verifyHolds), so rows are held just while
   * the writes run and commit. State another process or path changed meanwhile, or a batch decided
   * on that did not commit, fails the transaction before anything lands, and the batch runs again,
   * locking.
   *
   * Batches decided from memory: one round trip. A batch whose accounts this process knows (as it
   * last read them or committed a change to them, KnownAccounts), that names no hold and no id that
   * may be taken, and whose participants can check their part with the writes, is decided on what
   * is known, with no read first: begin, the participants' checks (their keys free, a card's spend
   * windows within what its approval allows), the check that no hold on its accounts is past its
   * expiry, the sequence numbers for a later batch, then the writes locking each account only if
   * still as known, and the commit, all in one go. If anything is not as known, the transaction
   * fails before anything lands and the batch runs again, reading; where its accounts were not as
   * known (or a hold was due), it forgets them first.
   */
  private async commit(batch: Pending[], flight: Flight, offerMissing: boolean, mode: Mode): Promise<(JobOutcome | Error)[]> {
    // A batch run again (read, locked or a request at a time) is back before its statements.
    if (flight.committing) { flight.committing = false; this.committingNow-- }
    const locking = mode === 'lock'
    const requests = batch.map((p) => p.job.request)
    const { holdKeys, accountKeys, paymentKeys } = await keysNamed(this.sql, requests)
    // Holds past their expiry by each workspace's time (the first request's, for a workspace's accounts).
    const nowOfWorkspace = new Map<string, Date>()
    for (const r of requests) if (!nowOfWorkspace.has(r.workspaceId)) nowOfWorkspace.set(r.workspaceId, r.now)
    const dueKeys = [...new Map(accountKeys.map((k) => [keyOf(k.workspaceId, k.id), { workspaceId: k.workspaceId, id: k.id, now: nowOfWorkspace.get(k.workspaceId)! }])).values()]
    const transferKeys = keysToLookUp(requests)

    // Participants, each with the indexes of its requests.
    const byParticipant = new Map<Participant, number[]>()
    batch.forEach((p, i) => {
      if (!p.job.participant) return
      byParticipant.set(p.job.participant, [...(byParticipant.get(p.job.participant) ?? []), i])
    })

    const recordCount = recordsOf(requests)
    const known = mode === 'memory' && holdKeys.length === 0 && transferKeys.length === 0 && this.spareSeqs.length >= recordCount &&
      this.known.enabled && [...byParticipant.keys()].every((p) => p.expectUnsettled) ? this.known.all(accountKeys) : undefined
    if (known && spendControlled(paymentKeys, known)) throw new SpendNeedsLock()

    const tx = await this.sql.reserve()
    const self = this.planned.begin()
    let open = false
    let plans: PlansCare | undefined
    try {
      const outcomes: (JobOutcome | Error | undefined)[] = batch.map(() => undefined)
      open = true
      // Statements go out in the order they are started: begin first, accounts before holds.
      const begin = tx`begin`.execute()
      // The batch's advisory lock, held until this transaction ends (a batch that decides on this
      // one's plans waits on it), and when the session's plans were made: on a keyed session every
      // statement runs on the plan the session made for it, made again once its tables outgrow it, after
      // this batch (below). Decided from memory, the same statement checks that no hold on its
      // accounts is due and takes the sequence numbers for a later batch.
      // Decided from memory, the participants' checks go with it, and those that read after its
      // locks with the accounts' check.
      const expected = { opening: [] as Unsent[], later: [] as Unsent[] }
      if (known) {
        for (const [participant, idx] of byParticipant) {
          const e = participant.expectUnsettled!(tx, idx.map((i) => batch[i].job.context))
          expected.opening.push(...e.opening)
          expected.later.push(...(e.later ?? []))
        }
      }
      // The spend locks: of the accounts whose windows participants read (taken before they read
      // them) and, locking, of every account a payment names (taken before the rows are locked).
      const spendKeys = batch.flatMap((p) => p.job.spendLocks ?? [])
      if (locking) spendKeys.push(...paymentKeys)
      const opening = openBatch(tx, this.planned.lockClass, self, spendKeys, known ? { due: dueKeys, seqCount: recordCount } : undefined, expected.opening)
      const checks: Promise<unknown>[] = []
      let settledAnswers: (unknown[] | undefined)[], readAccounts: Map<string, LockedAccount>, readHolds: Map<string, HoldRow>, readDue: HoldRow[], existingRows: Map<string, TransferRow>, seqList: bigint[]
      let spendLimits: Map<string, SpendLimitRow[]> | undefined
      if (known) {
        // The numbers taken are this process's to use, whatever becomes of the transaction.
        checks.push(opening.then((o) => { this.spareSeqs.add(o.seqs) }))
        seqList = this.spareSeqs.take(recordCount)
        ;[settledAnswers, readAccounts, readHolds, readDue, existingRows] = [[], known, new Map(), [], new Map()]
      } else {
        const opened = [...byParticipant].map(([participant, idx]) => participant.open(tx, idx.map((i) => batch[i].job.context)))
        const accountsRead = lockAccounts(tx, accountKeys, locking)
        // Locking, the payments' spend controls are read in a statement after the locks (so with
        // what was committed by the time they were held), whatever the accounts said of them.
        const spendRead = locking ? spendLimitsOf(tx, paymentKeys) : undefined
        const holdsRead = lockHolds(tx, holdKeys, locking)
        const dueRead = dueHoldsOn(tx, dueKeys, locking)
        const existing = existingTransfers(tx, transferKeys)
        // A spare block for the batches decided from memory that follow, while there is none.
        const spare = this.known.enabled && this.spareSeqs.length < seqBlockSize ? seqBlockSize : 0
        const seqs = reserveSeqs(tx, recordCount + spare)
        let batchOpened: BatchOpened, reserved: bigint[]
        ;[, batchOpened, settledAnswers, readAccounts, readHolds, readDue, existingRows, reserved, spendLimits] = await settled([begin, opening, Promise.all(opened), accountsRead, holdsRead, dueRead, existing, seqs, spendRead] as const)
        plans = this.plansCare(batchOpened)
        seqList = reserved.slice(0, recordCount)
        this.spareSeqs.add(reserved.slice(recordCount))
        this.known.learn(readAccounts)
        if (!locking && spendControlled(paymentKeys, readAccounts)) throw new SpendNeedsLock()
      }
      // What batches in flight will have changed by the time this one's writes run. (Rows locked
      // are as last committed: a batch in flight that has not locked them yet will find them changed.)
      const { locked, holdRows, dueRows, after } = this.planned.over(self, readAccounts, readHolds, readDue, !locking)
      // Expiring due holds writes records too: rare enough to cost a round trip of its own.
      if (dueRows.length) seqList.push(...await reserveSeqs(tx, dueRows.length))
      ;[...byParticipant.values()].forEach((idx, n) => idx.forEach((i, k) => {
        const answer = settledAnswers[n]?.[k]
        if (answer !== undefined) outcomes[i] = { answer }
      }))
      const runnable = batch.flatMap((_p, i) => (outcomes[i] === undefined ? [i] : []))
      if (offerMissing && this.options.createMissing) {
        const missing = new Map<string, string[]>()
        for (const i of runnable) {
          const r = requests[i]
          for (const c of r.commands) {
            if ('pendingId' in c) continue
            for (const id of accountsNamed(c)) if (!locked.has(keyOf(r.workspaceId, id))) missing.set(r.workspaceId, [...(missing.get(r.workspaceId) ?? []), id])
          }
        }
        if (missing.size > 0) throw new MissingAccounts(missing)
      }
      const { results, expired, writes } = planBatch({
        requests: runnable.map((i) => requests[i]), locked, holds: holdRows, due: dueRows, existing: existingRows, seqs: seqList, spendLimits, nowOf: (w) => nowOfWorkspace.get(w) ?? this.options.nowOf(w),
      })
      runnable.forEach((i, n) => { outcomes[i] = { result: results[n] } })
      this.planned.record(self, writes)
      const statements: Promise<unknown>[] = []
      // The batches whose plans this one decided on: their writes first (their transactions end).
      if (after.length) statements.push(awaitBatches(tx, this.planned.lockClass, after))
      // The rows decided on, locked only if still as they were (accounts, then holds), and the
      // participants' later checks: one statement.
      const verified: Unsent[] = []
      if (!locking) {
        if (locked.size) verified.push(verifyAccounts(tx, [...locked.values()], new Set(writes.balances.map((a) => keyOf(a.workspace_id, a.id)))))
        const holdsDecidedOn = new Map([...holdRows.values(), ...dueRows].map((h) => [keyOf(h.workspace_id, h.id), h]))
        if (holdsDecidedOn.size) verified.push(verifyHolds(tx, [...holdsDecidedOn.values()]))
      }
      verified.push(...expected.later)
      if (verified.length) statements.push(allOf(tx, verified).execute())
      // Every write of the batch, the ledger's and its participants', as one statement.
      const parts = writeParts(tx, writes)
      if (expired.length && this.options.expiredStatements) parts.push(...this.options.expiredStatements(tx, expired))
      for (const [participant, idx] of byParticipant) {
        const done = idx.filter((i) => (outcomes[i] as JobOutcome).result !== undefined)
        if (done.length === 0) continue
        const closed = participant.close(tx, done.map((i) => ({ context: batch[i].job.context, request: requests[i], result: (outcomes[i] as JobOutcome).result! })))
        parts.push(...closed.writes)
        done.forEach((i, k) => { (outcomes[i] as JobOutcome).answer = closed.answers[k] })
      }
      if (parts.length) statements.push(oneStatement(tx, parts))
      // Their answers come before the commit's: from then the commit is all that is left.
      void Promise.all(statements).then(() => this.committing(flight), () => {})
      // Sent with the writes: if one fails, the transaction is aborted and PostgreSQL answers this
      // commit with a rollback, so nothing of the batch lands; settled() then reports the failure.
      open = false
      if (known) {
        let batchOpened: BatchOpened
        try {
          ;[, batchOpened] = await settled([begin, opening, ...checks, ...statements, tx`commit`] as const)
        } catch (err) {
          if (!(err instanceof postgres.PostgresError)) throw err
          // Accounts found not as known (or with a hold due) are forgotten, and cool. A participant's
          // check that failed (a key in use, a card's spend window full) says nothing against them.
          if (err.code === plannedStateChanged) this.known.forget(accountKeys)
          throw new DecidedFromMemoryFailed(err)
        }
        plans = this.plansCare(batchOpened)
        this.stats.fromMemory++
        this.options.onFromMemory?.()
      } else {
        await settled([...statements, tx`commit`])
      }
      // What this batch leaves is known, unless a batch planned on it since (that one's is newer).
      for (const a of writes.balances) if (this.planned.lastPlannedBy(keyOf(a.workspace_id, a.id)) === self) this.known.committed(a)
      this.planned.end(self, true)
      return outcomes as JobOutcome[]
    } finally {
      this.planned.end(self, false)
      if (open) await tx`rollback`.catch(() => {})
      // A plan made while a table was small (every estimate one row) may have picked an index that
      // matches only the workspace; made again once the table has grown, it picks the primary key.
      // The batch's answers do not wait for that: the session is released once it is done.
      if (plans) void keepPlans(tx, plans).catch(() => {}).finally(() => tx.release())
      else tx.release()
    }
  }
}

/**
 * What the batches in flight in this process have decided and not yet committed: each account's
 * balances and each hold as that batch's writes leave them. A batch that reads while another is in
 * flight decides on these instead of what it read, so it need not wait for that commit to decide.
 * A batch's plans are kept, once it commits, for as long as a batch that read before that commit
 * is still to decide (its read missed them); a batch that fails takes them back at once.
 */
class PlannedStates {
  /**
   * The first key of the transaction-scoped advisory lock each batch holds, with its id as the
   * second: random per process, so batches of different processes do not share keys.
   */
  readonly lockClass = randomInt(-(2 ** 31), 2 ** 31 - 1)
  private batchSeq = 0
  /** Commits so far: what a batch read was committed as of the count when it read. */
  private commits = 0
  private readonly accounts = new Map<string, { batch: number; posted: bigint; held: bigint }>()
  private readonly holds = new Map<string, { batch: number; row: HoldRow }>()
  /** Per batch: the keys it planned, and once committed, the commit count after it. */
  private readonly batches = new Map<number, { accounts: string[]; holds: string[]; committedAt?: number }>()
  /** Batches between their read and their decision: the commit count when each read. */
  private readonly reading = new Map<number, number>()

  /** A batch starts: its id (an int4). It reads next. */
  begin(): number {
    const id = this.batchSeq = (this.batchSeq % (2 ** 31 - 1)) + 1
    this.reading.set(id, this.commits)
    this.batches.set(id, { accounts: [], holds: [] })
    return id
  }

  /**
   * What batch `id` read, with the plans of the batches it must see laid over it (when `overlay`),
   * and which of those batches are still in flight: this one's writes must wait for them to end.
   */
  over(id: number, accounts: Map<string, LockedAccount>, holds: Map<string, HoldRow>, due: HoldRow[], overlay: boolean): { locked: Map<string, LockedAccount>; holdRows: Map<string, HoldRow>; dueRows: HoldRow[]; after: number[] } {
    const readAt = this.reading.get(id)!
    this.reading.delete(id)
    if (!overlay) {
      this.prune()
      return { locked: accounts, holdRows: holds, dueRows: due, after: [] }
    }
    // Plans of batches still in flight, or committed after this batch read.
    const after = new Set<number>()
    const visible = (batch: number) => {
      const b = this.batches.get(batch)
      const seen = batch !== id && b !== undefined && (b.committedAt === undefined || b.committedAt > readAt)
      if (seen && b.committedAt === undefined) after.add(batch)
      return seen
    }
    const locked = new Map(accounts)
    for (const [k, a] of accounts) {
      const p = this.accounts.get(k)
      if (p && visible(p.batch)) locked.set(k, withFields(a, { posted: p.posted, held: p.held }))
    }
    const holdRows = new Map(holds)
    for (const [k, h] of holds) {
      const p = this.holds.get(k)
      if (p && visible(p.batch)) holdRows.set(k, p.row)
    }
    const dueRows = due.flatMap((h) => {
      const p = this.holds.get(keyOf(h.workspace_id, h.id))
      if (!p || !visible(p.batch)) return [h]
      return p.row.status === 'PENDING' ? [p.row] : []
    })
    this.prune()
    return { locked, holdRows, dueRows, after: [...after] }
  }

  /** Batch `id`'s decisions: the balances and holds its writes leave. */
  record(id: number, writes: Writes): void {
    const b = this.batches.get(id)!
    for (const a of writes.balances) {
      const k = keyOf(a.workspace_id, a.id)
      this.accounts.set(k, { batch: id, posted: a.posted, held: a.held })
      b.accounts.push(k)
    }
    // A hold the batch makes is keyed without being kept (keys.ts, newKey).
    for (const [holds, keyFor] of [[writes.newHolds, newKey], [writes.changedHolds, keyOf]] as const) {
      for (const h of holds) {
        const k = keyFor(h.workspace_id, h.id)
        this.holds.set(k, { batch: id, row: h })
        b.holds.push(k)
      }
    }
  }

  /** The batch whose plan for this account is the latest, while plans for it are kept. */
  lastPlannedBy(key: string): number | undefined {
    return this.accounts.get(key)?.batch
  }

  /** Batch `id` is over: committed (its plans are the database's now) or not (they never happened). Once per batch. */
  end(id: number, committed: boolean): void {
    const b = this.batches.get(id)
    if (!b || b.committedAt !== undefined) return
    this.reading.delete(id)
    if (committed) b.committedAt = ++this.commits
    else this.forget(id)
    this.prune()
  }

  private forget(id: number): void {
    const b = this.batches.get(id)!
    for (const k of b.accounts) if (this.accounts.get(k)?.batch === id) this.accounts.delete(k)
    for (const k of b.holds) if (this.holds.get(k)?.batch === id) this.holds.delete(k)
    this.batches.delete(id)
  }

  /** Drops the plans of committed batches that every batch still to decide read after. */
  private prune(): void {
    const oldestRead = Math.min(...this.reading.values())
    for (const [id, b] of this.batches) if (b.committedAt !== undefined && b.committedAt <= oldestRead) this.forget(id)
  }
}

/** SQLSTATE of a statement refused because an earlier one failed its transaction: never the cause. */
const inFailedTransaction = '25P02'

/**
 * Waits for every promise (statements pipelined on one connection), then throws the failure that
 * failed the transaction: none is left to reject unobserved. A query is sent when first awaited
 * unless started before, so the one that failed need not be the first in the list; the statements
 * sent after it fail with inFailedTransaction.
 */
async function settled<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const outcomes = await Promise.allSettled(promises)
  const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []))
  if (failures.length) throw failures.find((e) => !(e instanceof postgres.PostgresError && e.code === inFailedTransaction)) ?? failures[0]
  return outcomes.map((o) => (o as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> }
}

/**
 * Applies requests in the caller's transaction, without group commit: for changes that are part of
 * a larger one (an account closure's sweep, an opening deposit) and for the clock (expiries). Locks
 * what they name, expires the due holds it meets, decides and writes, as a batch does.
 */
export async function applyInTransaction(tx: Queryable, requests: LedgerRequest[], options: Pick<BatcherOptions, 'expiredStatements' | 'nowOf'>): Promise<LedgerResult[]> {
  if (requests.length === 0) return []
  const { holdKeys, accountKeys, paymentKeys } = await keysNamed(tx, requests)
  const nowOf = (w: string) => requests.find((r) => r.workspaceId === w)?.now ?? options.nowOf(w)
  // The payments' spend locks before their rows, as a batch that locks takes them: sent together,
  // the statements run in turn, so the rows are locked once the spend locks are held.
  const [, locked] = await Promise.all([paymentKeys.length ? lockSpend(tx, paymentKeys).execute() : undefined, lockAccounts(tx, accountKeys)])
  const [holdRows, dueRows, existingRows] = await Promise.all([
    lockHolds(tx, holdKeys),
    dueHoldsOn(tx, [...locked.values()].map((a) => ({ workspaceId: a.workspace_id, id: a.id, now: nowOf(a.workspace_id) }))),
    existingTransfers(tx, keysToLookUp(requests)),
  ])
  const spendLimits = await spendLimitsOf(tx, paymentKeys)
  const seqList = await reserveSeqs(tx, recordsOf(requests) + dueRows.length)
  const { results, expired, writes } = planBatch({ requests, locked, holds: holdRows, due: dueRows, existing: existingRows, seqs: seqList, spendLimits, nowOf })
  const parts = writeParts(tx, writes)
  if (expired.length && options.expiredStatements) parts.push(...options.expiredStatements(tx, expired))
  if (parts.length) await oneStatement(tx, parts)
  return results
}

/**
 * Locks accounts for a change of their terms (status, limits, closure) in the caller's transaction,
 * expiring first the holds past their expiry on them, with their events, so that what is checked
 * and written next counts no expired hold. Returns the locked accounts as they are after.
 */
export async function lockAccountsForChange(tx: Queryable, workspaceId: string, ids: string[], now: Date, options: Pick<BatcherOptions, 'expiredStatements'>): Promise<Map<string, LockedAccount>> {
  const keys = ids.map((id) => ({ workspaceId, id }))
  const locked = await lockAccounts(tx, keys)
  const due = await dueHoldsOn(tx, [...locked.values()].map((a) => ({ workspaceId, id: a.id, now })))
  if (due.length === 0) return new Map([...locked.values()].map((a) => [a.id, a]))
  const seqs = await reserveSeqs(tx, due.length)
  const { expired, writes } = planBatch({ requests: [], locked, holds: new Map(), due, existing: new Map(), seqs, nowOf: () => now })
  const parts = writeParts(tx, writes)
  if (options.expiredStatements) parts.push(...options.expiredStatements(tx, expired))
  if (parts.length) await oneStatement(tx, parts)
  const after = new Map([...locked.values()].map((a) => [a.id, a]))
  for (const b of writes.balances) after.set(b.id, b)
  return after
}
