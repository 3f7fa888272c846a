// The posting rules: whether and how money moves, as plain functions over plain data. The SQL path
// (store.ts) locks the accounts a batch touches, hands their state here, and writes back exactly
// what these functions decide; nothing else decides whether a transfer may post.

import { assert } from '../platform/assert.js'

/** The only account status that may send or receive money. */
export const transactableStatus = 'ACTIVE_OR_DISBURSED'
export const closedStatus = 'CLOSED'
export const frozenAccessStatus = 'FROZEN'

/** What the ledger knows of one account, as locked for a batch. */
export interface AccountState {
  id: string
  currency: string
  status: string
  accessStatus: string
  /** Settled balance, minor units. */
  posted: bigint
  /** Sum of this account's PENDING holds, minor units, >= 0. */
  held: bigint
  /** Lowest available balance (posted - held) a debit may leave; null: unbounded. */
  floor: bigint | null
  /** Highest posted balance a credit may leave; null: none. */
  ceiling: bigint | null
}

export const available = (a: AccountState): bigint => a.posted - a.held

/** The expected ways a posting fails, each a code of the error catalogue. */
export type RejectionCode =
  | 'ACCOUNT_NOT_FOUND'
  | 'UNABLE_TO_TRANSACT'
  | 'ACCOUNT_CLOSED'
  | 'IMPROPER_ACCOUNT_STATUS'
  | 'IMPROPER_ACCOUNT_ACCESS_STATUS'
  | 'INSUFFICIENT_FUNDS'
  | 'BALANCE_VIOLATION'
  | 'INVALID_STATUS'

export interface Rejection { code: RejectionCode; detail: string }

/** A movement of `amount` from one account to another: two postings that sum to zero. */
export interface Movement { debitAccountId: string; creditAccountId: string; amount: bigint; currency: string }

/** The operations the ledger applies. A hold reserves a movement's funds; capture posts it. */
export type Operation =
  | { kind: 'post'; movement: Movement }
  | { kind: 'hold'; movement: Movement }
  | { kind: 'capture'; movement: Movement; holdStatus: string }
  | { kind: 'release'; movement: Movement; holdStatus: string }

/** One posting as applied: the account, the signed amount, and its balances right after. */
export interface AppliedPosting { accountId: string; amount: bigint; postedAfter: bigint; availableAfter: bigint }

export type Outcome =
  | { ok: true; postings: AppliedPosting[]; hold?: { accountId: string; amount: bigint; postedAfter: bigint; availableAfter: bigint } }
  | { ok: false; rejection: Rejection }

/** The accounts an operation locks and reads. */
export const accountsOf = (op: Operation): string[] => [op.movement.debitAccountId, op.movement.creditAccountId]

function reject(code: RejectionCode, detail: string): Outcome {
  return { ok: false, rejection: { code, detail } }
}

/** Why an account may not take part in a movement right now, or undefined when it may. */
function statusRejection(a: AccountState, role: 'originating' | 'receiving'): Outcome | undefined {
  if (a.status === closedStatus) return reject('ACCOUNT_CLOSED', `the ${role} account ${a.id} is closed`)
  if (a.status !== transactableStatus) return reject('IMPROPER_ACCOUNT_STATUS', `the ${role} account ${a.id} is ${a.status}; only ${transactableStatus} accounts transact`)
  if (a.accessStatus === frozenAccessStatus) return reject('IMPROPER_ACCOUNT_ACCESS_STATUS', `the ${role} account ${a.id} is frozen`)
  return undefined
}

/**
 * Decides one operation against the current states and, when it is accepted, applies it to them
 * (the caller passes the batch's working copy, so later operations see earlier ones). A rejected
 * operation leaves the states exactly as they were.
 *
 * Precedence, first failure wins: the accounts exist → currencies match → the originating
 * account's status → the receiving account's status → funds (floor) → ceiling.
 * Capture and release apply to a hold that exists; a hold no longer PENDING is INVALID_STATUS.
 * Releasing needs no status or funds checks: it only gives reserved money back.
 */
export function decide(states: Map<string, AccountState>, op: Operation): Outcome {
  const m = op.movement
  assert(m.amount > 0n, 'a movement moves a positive amount')
  assert(m.debitAccountId !== m.creditAccountId, 'a movement is between two accounts')
  if (op.kind === 'capture' || op.kind === 'release') {
    if (op.holdStatus !== 'PENDING') return reject('INVALID_STATUS', `the transfer is ${op.holdStatus}, not PENDING`)
  }
  const from = states.get(m.debitAccountId)
  if (!from) return reject('ACCOUNT_NOT_FOUND', `originating account ${m.debitAccountId} does not exist`)
  // A release only gives the originating account its reserved money back: the receiving account
  // plays no part (and need not be locked).
  if (op.kind === 'release') {
    assert(from.held >= m.amount, 'a pending hold is covered by the account\'s held total')
    from.held -= m.amount
    return { ok: true, postings: [], hold: { accountId: from.id, amount: m.amount, postedAfter: from.posted, availableAfter: available(from) } }
  }
  const to = states.get(m.creditAccountId)
  if (!to) return reject('ACCOUNT_NOT_FOUND', `receiving account ${m.creditAccountId} does not exist`)

  if (from.currency !== m.currency) return reject('UNABLE_TO_TRANSACT', `the originating account holds ${from.currency}, not ${m.currency}`)
  if (to.currency !== m.currency) return reject('UNABLE_TO_TRANSACT', `the receiving account holds ${to.currency}, not ${m.currency}`)
  const fromStatus = statusRejection(from, 'originating')
  if (fromStatus) return fromStatus
  const toStatus = statusRejection(to, 'receiving')
  if (toStatus) return toStatus

  // Capturing spends funds the hold already reserved, so available does not move; a new debit must fit.
  const reserved = op.kind === 'capture' ? m.amount : 0n
  if (from.floor !== null && available(from) + reserved - m.amount < from.floor) {
    return reject('INSUFFICIENT_FUNDS', `the originating account has ${available(from) + reserved} available; ${m.amount} would take it below its floor of ${from.floor}`)
  }
  if (to.ceiling !== null && to.posted + m.amount > to.ceiling) {
    return reject('BALANCE_VIOLATION', `the receiving account's balance would exceed its ceiling of ${to.ceiling}`)
  }

  if (op.kind === 'hold') {
    from.held += m.amount
    return { ok: true, postings: [], hold: { accountId: from.id, amount: m.amount, postedAfter: from.posted, availableAfter: available(from) } }
  }
  if (op.kind === 'capture') from.held -= m.amount
  from.posted -= m.amount
  to.posted += m.amount
  const postings: AppliedPosting[] = [
    { accountId: from.id, amount: -m.amount, postedAfter: from.posted, availableAfter: available(from) },
    { accountId: to.id, amount: m.amount, postedAfter: to.posted, availableAfter: available(to) },
  ]
  assert(postings.reduce((s, p) => s + p.amount, 0n) === 0n, 'postings sum to zero')
  assert(from.held >= 0n, 'held never goes negative')
  return { ok: true, postings }
}

/** Where a state breaks the account's own limits, or undefined: what `keel ledger check` asserts too. */
export function limitBreach(a: AccountState): string | undefined {
  if (a.held < 0n) return `held ${a.held} is negative`
  if (a.floor !== null && available(a) < a.floor) return `available ${available(a)} is below the floor ${a.floor}`
  if (a.ceiling !== null && a.posted > a.ceiling) return `posted ${a.posted} is above the ceiling ${a.ceiling}`
  return undefined
}

/** The ledger floor of a customer account: balance_floor (default 0) less the overdraft allowed. */
export function floorOf(balanceFloor: bigint | null | undefined, overdraftLimit: bigint | null | undefined): bigint {
  return (balanceFloor ?? 0n) - (overdraftLimit ?? 0n)
}
