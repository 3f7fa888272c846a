// Planning a batch, purely: from what the batch locked and read, decide every request (rules.ts)
// and build the rows to write. No SQL here; store.ts writes what this returns.

import { assert } from '../platform/assert.js'
import { uuidv7 } from '../platform/ids.js'
import { withFields } from '../platform/objects.js'
import { available, decideGroup, holderRejection, spendRejection, type AccountState, type Rejection, type Applied, type Command, type HoldState, type LedgerState, type Payment, type ResultCode, type SpendDirection, type SpendLimit } from './rules.js'
import { keyOf, newKey } from './keys.js'
import type { EntryRow, HoldRow, LockedAccount, SpendLimitRow, TransferRow, Writes } from './store.js'

/** How a rail describes the records a command writes: its name for them, and what the API shows back. */
export interface TransferMeta {
  kind: string
  type: string
  idempotencyKey?: string | null
  referenceId?: string | null
  memo?: string | null
  details?: Record<string, unknown>
}

export type LedgerCommand = Command & { meta: TransferMeta }

/** What a rail asks of the ledger: commands that succeed or fail together, at its workspace's time. */
export interface LedgerRequest {
  workspaceId: string
  /** The workspace clock's time, read by the caller. The ledger never reads a clock. */
  now: Date
  partnerVerified: boolean
  /**
   * The request moves money on its accounts' holders' behalf (an internal transfer, an ACH the
   * fintech originates, a new card authorization): the KYC/KYB gate applies, and an account whose
   * holder is not verified refuses it. Unset for the bank's own postings and for what arrives from
   * outside (fees, interest, closure sweeps, incoming ACH and returns, card clearings).
   */
  holderGate?: boolean
  /**
   * The request is a payment the accounts' spend controls govern (an internal transfer, an ACH
   * credit the fintech originates): its type and sub-type as the spec's spend controls name them.
   * Unset for what the ledger does not decide by spend controls (card messages, which their rail
   * decides; the bank's own postings; what arrives from outside).
   */
  payment?: Payment
  commands: LedgerCommand[]
  /**
   * Every command's id was minted for this request (a new uuidv7), so no record can have it yet:
   * the batch does not look for one. (Were one there after all, its insert would fail, and only
   * this request with it.) Without it, a command whose id is taken is refused with 'exists'.
   */
  mintedIds?: boolean
  /**
   * What to record instead when the group is refused with this code: a `decline` of the first
   * command's id (the batch looked that id up and reserved its sequence number) (a card
   * authorization the ledger refused for funds is listed as a declined hold), or undefined to
   * answer the refusal. Decided in the same batch, on the state the refusal left.
   */
  otherwise?: (code: ResultCode) => (LedgerCommand & { kind: 'decline' }) | undefined
}

export type LedgerResult =
  | {
    ok: true
    /** One record per command, in order. */
    transfers: TransferRow[]
    entries: EntryRow[]
    /** The holds the commands created or changed, as they are after, by pending transfer id. */
    holds: Map<string, HoldRow>
    /**
     * An account the request touched, as the request left it; undefined for any other. Made when
     * asked (only some rails ask): each is a copy of the account's row.
     */
    accountAfter(id: string): LockedAccount | undefined
  }
  | { ok: false; code: ResultCode; detail: string; /** The command that failed. */ index: number; /** For 'exists': the record with that id. */ existing?: TransferRow }

/** Holds a batch expired on the accounts it locked, before deciding anything: records and holds after. */
export interface Expired { transfer: TransferRow; hold: HoldRow }

const toSpendLimit = (r: SpendLimitRow): SpendLimit => ({
  id: r.id, amountLimit: r.amount_limit, windowDays: r.window_days, direction: r.direction, paymentTypes: r.payment_types, paymentSubTypes: r.payment_sub_types, spent: r.spent,
})
const toAccountState = (r: LockedAccount, limits: SpendLimitRow[] | undefined): AccountState => ({
  id: r.id, currency: r.currency, status: r.status, accessStatus: r.access_status, posted: r.posted, held: r.held, floor: r.floor, ceiling: r.ceiling,
  unverifiedHolder: r.unverified_holder, spendLimits: limits?.map(toSpendLimit),
})
const toHoldState = (r: HoldRow): HoldState => ({ id: r.id, debitAccountId: r.account_id, creditAccountId: r.credit_account_id, currency: r.currency, amount: r.amount, captured: r.captured, status: r.status, expiresAt: r.expires_at })

const recordStatus = { post: 'POSTED', pending: 'PENDING', post_pending: 'POSTED', adjust_pending: 'PENDING', void_pending: 'CANCELED', expire_pending: 'EXPIRED', decline: 'DECLINED' } as const


/**
 * A spend control's refusal of a payment a rail promises now and moves later (an ACH debit, posted
 * at settlement), for an account the caller holds locked, with its controls as read
 * (spendLimitsOfAccount: the windows count the promises that stand, promises.ts).
 */
export function spendRefusal(row: LockedAccount, limits: SpendLimitRow[], move: { direction: SpendDirection; amount: bigint; payment: Payment }): Rejection | undefined {
  return spendRejection({ id: row.id, spendLimits: limits.map(toSpendLimit) }, move.direction, move.amount, move.payment)?.rejection
}

/** The KYC/KYB gate's refusal of a request on the holders' behalf for this account (rules.ts), if any. */
export const holderRefusal = (row: LockedAccount): Rejection | undefined => holderRejection({ id: row.id, unverifiedHolder: row.unverified_holder })?.rejection

/** The kind the ledger gives the records it writes itself (expiries). */
export const ledgerKind = 'LEDGER'

export interface BatchInput {
  requests: LedgerRequest[]
  locked: Map<string, LockedAccount>
  holds: Map<string, HoldRow>
  /** PENDING holds past their expiry on the locked accounts: expired first, by the ledger itself. */
  due: HoldRow[]
  /** Records that exist already with ids the requests use. */
  existing: Map<string, TransferRow>
  seqs: bigint[]
  /** The spend controls of the accounts payments move (spendLimitsOf), by account key: an account read and not listed has none. */
  spendLimits?: Map<string, SpendLimitRow[]>
  /** The time of the expiries (each workspace's), by workspace. */
  nowOf(workspaceId: string): Date
}

/**
 * Decides each request in order against the locked state; accepted ones change the state the next
 * one sees, rejected ones change nothing. Returns each result, the holds expired, and the rows to write.
 */
export function planBatch(input: BatchInput): { results: LedgerResult[]; expired: Expired[]; writes: Writes } {
  const states = new Map<string, LedgerState>()
  const stateOf = (workspaceId: string): LedgerState => {
    let s = states.get(workspaceId)
    if (!s) {
      s = { accounts: new Map(), holds: new Map(), taken: new Set() }
      states.set(workspaceId, s)
    }
    return s
  }
  for (const [key, row] of input.locked) stateOf(row.workspace_id).accounts.set(row.id, toAccountState(row, input.spendLimits?.get(key)))
  for (const row of [...input.holds.values(), ...input.due]) stateOf(row.workspace_id).holds.set(row.id, toHoldState(row))
  for (const row of input.existing.values()) stateOf(row.workspace_id).taken.add(row.id)

  const holdRows = new Map<string, HoldRow>([...input.holds.values(), ...input.due].map((h) => [keyOf(h.workspace_id, h.id), h]))
  const newHolds = new Map<string, HoldRow>()
  const changedHolds = new Map<string, HoldRow>()
  const touched = new Set<string>()
  const writes: Writes = { transfers: [], entries: [], newHolds: [], changedHolds: [], balances: [] }
  let seqAt = 0
  const nextSeq = () => {
    assert(seqAt < input.seqs.length, 'a sequence number for every record')
    return input.seqs[seqAt++]
  }

  /** The rows of one accepted command. */
  const record = (workspaceId: string, a: Applied, meta: TransferMeta, now: Date, groupId: string | null): { transfer: TransferRow; entries: EntryRow[]; hold?: HoldRow } => {
    const c = a.command
    const state = stateOf(workspaceId)
    const transfer: TransferRow = {
      workspace_id: workspaceId, id: c.id, seq: nextSeq(), kind: meta.kind, type: meta.type, action: c.kind, status: recordStatus[c.kind],
      currency: a.currency, amount: a.amount, debit_account_id: a.debitAccountId, credit_account_id: a.creditAccountId,
      pending_id: 'pendingId' in c ? c.pendingId : null, group_id: groupId,
      idempotency_key: meta.idempotencyKey ?? null, reference_id: meta.referenceId ?? null, memo: meta.memo ?? null,
      expires_at: c.kind === 'pending' ? c.expiresAt : null, details: meta.details ?? {},
      created_at: now, updated_at: now, posted_at: recordStatus[c.kind] === 'POSTED' ? now : null,
    }
    const entries = a.postings.map((p, line): EntryRow => ({
      workspace_id: workspaceId, transfer_id: c.id, line, account_id: p.accountId, currency: a.currency,
      amount: p.amount, posted_after: p.postedAfter, available_after: p.availableAfter, created_at: now,
    }))
    for (const p of a.postings) touched.add(keyOf(workspaceId, p.accountId))
    let hold: HoldRow | undefined
    if (a.hold) {
      // A hold this command makes (it bears the command's id) is named here and seldom again: not kept (keys.ts).
      const key = a.hold.id === c.id ? newKey(workspaceId, a.hold.id) : keyOf(workspaceId, a.hold.id)
      const prior = holdRows.get(key)
      const account = state.accounts.get(a.hold.debitAccountId)!
      // A declined hold changes no balance.
      if (c.kind !== 'decline') touched.add(keyOf(workspaceId, account.id))
      hold = {
        workspace_id: workspaceId, id: a.hold.id, account_id: a.hold.debitAccountId, credit_account_id: a.hold.creditAccountId,
        amount: a.hold.amount, captured: a.hold.captured, currency: a.hold.currency, status: a.hold.status, expires_at: a.hold.expiresAt,
        posted_after: account.posted, available_after: available(account),
        // As made: kept through every later change (a hold made and changed in one batch included).
        created_posted_after: prior ? prior.created_posted_after : account.posted, created_available_after: prior ? prior.created_available_after : available(account),
        created_at: prior?.created_at ?? now, updated_at: now,
      }
      holdRows.set(key, hold)
      if (newHolds.has(key) || !prior) newHolds.set(key, hold)
      else changedHolds.set(key, hold)
    }
    writes.transfers.push(transfer)
    writes.entries.push(...entries)
    return { transfer, entries, hold }
  }

  // Holds past their expiry give their funds back before anything is decided: no request of the
  // batch finds them still reserved, whatever the expiry worker's pace.
  const expired: Expired[] = []
  // A hold a request of the batch expires itself is left to that request.
  const expiredByRequest = new Set(input.requests.flatMap((r) => r.commands.flatMap((c) => (c.kind === 'expire_pending' ? [keyOf(r.workspaceId, c.pendingId)] : []))))
  for (const due of input.due) {
    if (expiredByRequest.has(keyOf(due.workspace_id, due.id))) continue
    const now = input.nowOf(due.workspace_id)
    const command: Command = { id: uuidv7(), kind: 'expire_pending', pendingId: due.id }
    const d = decideGroup(stateOf(due.workspace_id), [command], { now, partnerVerified: true })
    assert(d.ok, 'a PENDING hold past its expiry can always be expired')
    const { transfer, hold } = record(due.workspace_id, d.applied[0], { kind: ledgerKind, type: 'EXPIRY' }, now, null)
    expired.push({ transfer, hold: hold! })
  }

  const results = input.requests.map((request): LedgerResult => {
    const state = stateOf(request.workspaceId)
    const ctx = { now: request.now, partnerVerified: request.partnerVerified, holderGate: request.holderGate === true, payment: request.payment }
    let commands = request.commands
    let d = decideGroup(state, commands, ctx)
    const instead = !d.ok && d.rejection.code !== 'exists' ? request.otherwise?.(d.rejection.code) : undefined
    if (instead) {
      assert(instead.id === commands[0].id, 'a decline instead of a refused group takes its first command\'s id')
      commands = [instead]
      d = decideGroup(state, commands, ctx)
    }
    if (!d.ok) {
      const failed = commands[d.index]
      const existing = d.rejection.code === 'exists' ? input.existing.get(keyOf(request.workspaceId, failed.id)) : undefined
      return { ok: false, code: d.rejection.code, detail: d.rejection.detail, index: d.index, existing }
    }
    const groupId = commands.length > 1 ? commands[0].id : null
    const transfers: TransferRow[] = []
    const entries: EntryRow[] = []
    const holds = new Map<string, HoldRow>()
    d.applied.forEach((a, i) => {
      const r = record(request.workspaceId, a, commands[i].meta, request.now, groupId)
      transfers.push(r.transfer)
      entries.push(...r.entries)
      if (r.hold) holds.set(r.hold.id, r.hold)
    })
    // The balances of the accounts touched as this request leaves them (later requests change them).
    const after: { id: string; posted: bigint; held: bigint }[] = []
    const note = (id: string) => {
      if (after.some((x) => x.id === id)) return
      const s = state.accounts.get(id)
      if (s) after.push({ id, posted: s.posted, held: s.held })
    }
    for (const a of d.applied) {
      note(a.debitAccountId)
      note(a.creditAccountId)
      for (const p of a.postings) note(p.accountId)
    }
    const workspaceId = request.workspaceId
    const accountAfter = (id: string): LockedAccount | undefined => {
      const x = after.find((y) => y.id === id)
      const row = x ? input.locked.get(keyOf(workspaceId, id)) : undefined
      return x && row ? withFields(row, { posted: x.posted, held: x.held }) : undefined
    }
    return { ok: true, transfers, entries, holds, accountAfter }
  })

  writes.newHolds = [...newHolds.values()]
  writes.changedHolds = [...changedHolds.values()]
  for (const key of touched) {
    const row = input.locked.get(key)
    assert(row, 'every account a batch changes is locked')
    const s = states.get(row.workspace_id)!.accounts.get(row.id)!
    writes.balances.push(withFields(row, { posted: s.posted, held: s.held }))
  }
  return { results, expired, writes }
}

/** How many records a batch writes at most: one per command (and one for a decline instead), one per due hold. */
export const recordsOf = (requests: LedgerRequest[]): number => requests.reduce((n, r) => n + r.commands.length + (r.otherwise ? 1 : 0), 0)
