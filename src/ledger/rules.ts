// The posting rules: whether and how money moves, as plain functions over plain data. The SQL path
// (store.ts) locks what a batch touches, hands its state here, and writes back exactly what these
// functions decide; nothing else decides whether money may move.
//
// A command is one of six kinds (after TigerBeetle):
//   post            N legs (account, signed amount, currency) summing to zero per currency
//   pending         a hold: reserves `amount` on the debit account until captured, voided or expired
//   post_pending    captures part or all of what a pending transfer still holds; `final` releases the rest
//   adjust_pending  raises (incremental authorization) or lowers (advice) what a pending transfer holds
//   void_pending    releases what a pending transfer still holds
//   expire_pending  the same, written by the clock once the hold is past its expires_at
//   decline         a hold refused: a record and a DECLINED hold that reserves nothing (a card
//                   network's declined authorization, listed with the pending transactions)
// Each is a new record: a pending transfer is never rewritten. What a hold still reserves lives in
// its HoldState (the ledger_holds row), which changes as balances do.
//
// Commands arrive in groups: a group applies all or nothing (a fee with its principal, an ACH
// entry with its offset). A rejected command leaves every state exactly as it was.

import { assert } from '../platform/assert.js'

/** The only account status that may send or receive money. */
export const transactableStatus = 'ACTIVE_OR_DISBURSED'
export const closedStatus = 'CLOSED'
export const frozenAccessStatus = 'FROZEN'
/** The largest amount, and balance, the ledger keeps: what a JSON integer holds exactly (2^53 - 1). */
export const amountMax = BigInt(Number.MAX_SAFE_INTEGER)

/** What the ledger knows of one account, as locked for a batch. */
export interface AccountState {
  id: string
  currency: string
  status: string
  accessStatus: string
  /** Settled balance, minor units. */
  posted: bigint
  /**
   * What PENDING holds reserve on this account, >= 0. A batch expires the holds past their expiry on
   * the accounts it locks before it decides anything, so none of them is counted here.
   */
  held: bigint
  /** Lowest available balance (posted - held) a debit may leave; null: unbounded. */
  floor: bigint | null
  /** Highest posted balance a credit may leave; null: none. */
  ceiling: bigint | null
  /** The kind of a holder not verified (the KYC/KYB gate), or null when every holder is. */
  unverifiedHolder: 'PERSON' | 'BUSINESS' | null
  /**
   * The account's spend controls that may govern a payment the ledger checks (DecideContext.payment),
   * with what each rolling window has spent, read under the account's lock; undefined: none (the
   * batch read none for it, and reads them for every account a payment names that has some).
   */
  spendLimits?: SpendLimit[]
}

/** The spec's payment types: the kinds of record a spend control's window counts when its payment_types are empty. */
export const paymentTypes = ['ACH', 'CARD', 'CASH', 'CHECK', 'EFT_CA', 'EXTERNAL_CARD', 'INTERNAL_TRANSFER', 'SYNCTERA_PAY', 'WIRE'] as const

/**
 * The payment types whose payments the ledger's own rails make (internal transfers, ACH): those its
 * spend controls govern (ledger_spend_controls_of in migration 1660 names the same two), the card
 * rail deciding its own messages.
 */
export const ledgerRails = ['ACH', 'INTERNAL_TRANSFER'] as const

/**
 * What a spend control's window counts of the payments the ledger's rails make, besides a card
 * rail's own messages: the control's payment types among ledgerRails (every one when it names none);
 * none when it lists merchant codes (no such payment has one), or declines nothing (inactive, or
 * without action_decline), as ledger_spend_controls_of (migration 1660) keeps only the others. The
 * card rail adds these to what its messages spent (ledger_spend_in), so a window no payment type
 * bounds counts every rail.
 */
export function ledgerKindsCounted(c: { isActive: boolean; actionDecline: boolean; paymentTypes: readonly string[]; merchantCategoryCodes: readonly string[] }): string[] {
  if (!c.isActive || !c.actionDecline || c.merchantCategoryCodes.length > 0) return []
  return ledgerRails.filter((t) => c.paymentTypes.length === 0 || c.paymentTypes.includes(t))
}

/** A request's payment, in the words of the spec's spend controls: its payment type and sub-type. */
export interface Payment { type: (typeof paymentTypes)[number]; subType?: string }

/** The way money flows through an account, as a spend control names it: out of it (DEBITS) or into it. */
export type SpendDirection = 'DEBITS' | 'CREDITS'

/** One spend control of an account as the ledger decides it, and what its rolling window has spent. */
export interface SpendLimit {
  id: string
  amountLimit: bigint
  /** null: a limit on each transaction; else the rolling window in days. */
  windowDays: number | null
  direction: SpendDirection
  /** Empty: every payment type (and every sub-type). */
  paymentTypes: readonly string[]
  paymentSubTypes: readonly string[]
  /** What the window holds already, in its direction (0 for a per-transaction limit). */
  spent: bigint
}

export const available = (a: AccountState): bigint => a.posted - a.held

export type HoldStatus = 'PENDING' | 'CLEARED' | 'RELEASED' | 'EXPIRED' | 'DECLINED'

/** What one pending transfer reserves: the debit account holds `amount - captured` while PENDING. */
export interface HoldState {
  id: string
  debitAccountId: string
  creditAccountId: string
  currency: string
  /** What it authorizes now: the pending amount, as adjusted. */
  amount: bigint
  /** What captures have posted so far. */
  captured: bigint
  status: HoldStatus
  expiresAt: Date | null
}

export const remainingOf = (h: HoldState): bigint => (h.status === 'PENDING' ? h.amount - h.captured : 0n)
export const holdIsPastExpiry = (h: { expiresAt: Date | null }, now: Date): boolean => h.expiresAt !== null && h.expiresAt.getTime() <= now.getTime()

export interface Leg { accountId: string; amount: bigint; currency: string }

export type Command = { id: string } & (
  | { kind: 'post'; legs: Leg[] }
  | { kind: 'pending'; debitAccountId: string; creditAccountId: string; amount: bigint; currency: string; expiresAt: Date | null }
  /** amount undefined: all that remains. final: release what remains after this capture. */
  | { kind: 'post_pending'; pendingId: string; amount?: bigint; final: boolean }
  /** delta > 0 raises the hold, delta < 0 lowers it. */
  | { kind: 'adjust_pending'; pendingId: string; delta: bigint }
  | { kind: 'void_pending'; pendingId: string }
  | { kind: 'expire_pending'; pendingId: string }
  /**
   * A hold refused by the rail (a declined card authorization): moves and reserves nothing, and
   * needs nothing of its accounts but that they exist. `amount` is what was asked, possibly 0.
   */
  | { kind: 'decline'; debitAccountId: string; creditAccountId: string; amount: bigint; currency: string })

export type CommandKind = Command['kind']

/**
 * Every way a command fails, in the precedence it is checked (first failure wins):
 * the id → the command's own shape → the partner gate → the pending transfer it names → the
 * accounts exist → currencies → each account's status, then access status (legs in order) → the
 * holders' verification → spend controls → funds (floors and overdraft) → ceilings → balances
 * within what the ledger keeps.
 */
export const resultCodes = [
  'exists',
  'amount_must_be_positive',
  'amount_exceeds_limit',
  'legs_too_few',
  'accounts_must_be_different',
  'legs_must_balance',
  'partner_not_verified',
  'pending_not_found',
  'pending_already_closed',
  'pending_expired',
  'pending_not_expired',
  'amount_exceeds_pending',
  'account_not_found',
  'currency_mismatch',
  'account_closed',
  'account_not_active',
  'account_frozen',
  'customer_not_verified',
  'business_not_verified',
  'spend_control_violation',
  'insufficient_funds',
  'ceiling_exceeded',
  'balance_overflow',
] as const
export type ResultCode = (typeof resultCodes)[number]

export interface Rejection { code: ResultCode; detail: string }

/** One posting as applied: the account, the signed amount, and its balances right after. */
export interface AppliedPosting { accountId: string; amount: bigint; postedAfter: bigint; availableAfter: bigint }

/** What an accepted command did. */
export interface Applied {
  command: Command
  /** The entries it wrote (post, post_pending), in leg order: debits first for a pending's capture. */
  postings: AppliedPosting[]
  /** The hold it created or changed, as it is after (pending and the commands that name one). */
  hold?: HoldState
  /** The currency and the amount the record shows: total debited, or what was held, captured, adjusted or released. */
  currency: string
  amount: bigint
  /** The accounts it names: debit and credit side (first of each side for N legs). */
  debitAccountId: string
  creditAccountId: string
  /** The held account's balances right after (commands that name a hold). */
  heldAfter?: { accountId: string; postedAfter: bigint; availableAfter: bigint }
}

export type Decision = { ok: true; applied: Applied } | { ok: false; rejection: Rejection }

/** What one batch may touch, for one workspace: the locked accounts and holds, and the ids in use. */
export interface LedgerState {
  accounts: Map<string, AccountState>
  holds: Map<string, HoldState>
  /** Transfer ids already written (found by the batch, or accepted earlier in it). */
  taken: Set<string>
}

export interface DecideContext {
  now: Date
  /** A live workspace moves money only once the fintech's own KYB has passed. */
  partnerVerified: boolean
  /** Money moves on the holders' behalf: each account's holders must be verified (LedgerRequest.holderGate). */
  holderGate?: boolean
  /** The request is a payment its accounts' spend controls govern (LedgerRequest.payment). */
  payment?: Payment
}

const reject = (code: ResultCode, detail: string): Decision => ({ ok: false, rejection: { code, detail } })

/** Which kinds move money toward someone (and so meet the partner gate); the others only give reserved money back. */
const movesMoney = (c: Command): boolean =>
  c.kind === 'post' || c.kind === 'pending' || c.kind === 'post_pending' || (c.kind === 'adjust_pending' && c.delta > 0n)

function shapeRejection(c: Command): Decision | undefined {
  const amountCheck = (amount: bigint, what: string): Decision | undefined => {
    if (amount <= 0n) return reject('amount_must_be_positive', `${what} must be positive, not ${amount}`)
    if (amount > amountMax) return reject('amount_exceeds_limit', `${what} ${amount} is more than the ledger keeps (${amountMax})`)
    return undefined
  }
  switch (c.kind) {
    case 'post': {
      for (const leg of c.legs) {
        const r = amountCheck(leg.amount < 0n ? -leg.amount : leg.amount, `leg amount on ${leg.accountId}`)
        if (r) return r
      }
      if (c.legs.length < 2) return reject('legs_too_few', `a transfer has two or more legs, not ${c.legs.length}`)
      if (new Set(c.legs.map((l) => l.accountId)).size !== c.legs.length) return reject('accounts_must_be_different', 'each leg names a different account')
      const sums = new Map<string, bigint>()
      for (const leg of c.legs) sums.set(leg.currency, (sums.get(leg.currency) ?? 0n) + leg.amount)
      for (const [currency, sum] of sums) if (sum !== 0n) return reject('legs_must_balance', `the legs in ${currency} sum to ${sum}, not 0`)
      return undefined
    }
    case 'pending':
      return amountCheck(c.amount, 'amount') ??
        (c.debitAccountId === c.creditAccountId ? reject('accounts_must_be_different', 'a hold is between two accounts') : undefined)
    case 'decline':
      // What was asked may be nothing (a zero-amount authorization); never less, never past the limit.
      return (c.amount === 0n ? undefined : amountCheck(c.amount, 'amount')) ??
        (c.debitAccountId === c.creditAccountId ? reject('accounts_must_be_different', 'a hold is between two accounts') : undefined)
    case 'post_pending':
      return c.amount === undefined ? undefined : amountCheck(c.amount, 'amount')
    case 'adjust_pending':
      return c.delta === 0n ? reject('amount_must_be_positive', 'an adjustment changes the held amount') : amountCheck(c.delta < 0n ? -c.delta : c.delta, 'adjustment')
    default:
      return undefined
  }
}

function holdRejection(c: Extract<Command, { pendingId: string }>, hold: HoldState | undefined, now: Date): Decision | undefined {
  if (!hold) return reject('pending_not_found', `pending transfer ${c.pendingId} does not exist`)
  if (hold.status !== 'PENDING') return reject('pending_already_closed', `pending transfer ${c.pendingId} is ${hold.status} already`)
  const past = holdIsPastExpiry(hold, now)
  if (c.kind === 'expire_pending') return past ? undefined : reject('pending_not_expired', `pending transfer ${c.pendingId} expires at ${hold.expiresAt?.toISOString() ?? 'no time'}`)
  if (past) return reject('pending_expired', `pending transfer ${c.pendingId} expired at ${hold.expiresAt!.toISOString()}`)
  const remaining = remainingOf(hold)
  if (c.kind === 'post_pending' && c.amount !== undefined && c.amount > remaining) {
    return reject('amount_exceeds_pending', `${c.amount} is more than the ${remaining} pending transfer ${c.pendingId} still holds`)
  }
  if (c.kind === 'adjust_pending' && c.delta < 0n && -c.delta >= remaining) {
    return reject('amount_exceeds_pending', `lowering by ${-c.delta} would leave nothing of the ${remaining} held; void it instead`)
  }
  if (c.kind === 'adjust_pending' && c.delta > 0n && hold.amount + c.delta > amountMax) {
    return reject('amount_exceeds_limit', `the hold would exceed ${amountMax}`)
  }
  return undefined
}

function statusRejection(a: AccountState): Decision | undefined {
  if (a.status === closedStatus) return reject('account_closed', `account ${a.id} is closed`)
  if (a.status !== transactableStatus) return reject('account_not_active', `account ${a.id} is ${a.status}; only ${transactableStatus} accounts transact`)
  if (a.accessStatus === frozenAccessStatus) return reject('account_frozen', `account ${a.id} is frozen`)
  return undefined
}

/** A debit of `amount` that also frees `reserved` of the account's own hold, checked against its floor. */
function fundsRejection(a: AccountState, amount: bigint, reserved: bigint): Decision | undefined {
  if (a.floor !== null && available(a) + reserved - amount < a.floor) {
    return reject('insufficient_funds', `account ${a.id} has ${available(a) + reserved} available; ${amount} would take it below its floor of ${a.floor}`)
  }
  return undefined
}

/**
 * The KYC/KYB gate, kept for the account's life: money moves on a holder's behalf only while it is
 * verified. Exported for a rail that promises to move money before it asks the ledger to (an ACH
 * debit, posted at settlement).
 */
export function holderRejection(a: Pick<AccountState, 'id' | 'unverifiedHolder'>): Decision & { ok: false } | undefined {
  if (a.unverifiedHolder === 'PERSON') return { ok: false, rejection: { code: 'customer_not_verified', detail: `account ${a.id} has a holder whose verification is not ACCEPTED` } }
  if (a.unverifiedHolder === 'BUSINESS') return { ok: false, rejection: { code: 'business_not_verified', detail: `account ${a.id} has a business holder whose verification is not ACCEPTED` } }
  return undefined
}

/** Whether a spend control governs money moving through its account in this direction, for this payment. */
function limitGoverns(s: SpendLimit, direction: SpendDirection, p: Payment): boolean {
  return s.direction === direction && (s.paymentTypes.length === 0 || s.paymentTypes.includes(p.type)) &&
    (s.paymentSubTypes.length === 0 || (p.subType !== undefined && s.paymentSubTypes.includes(p.subType)))
}

/**
 * The first of the account's spend controls that `amount` moving in `direction` would break.
 * Exported for a rail that promises a payment before it asks the ledger to move it (an ACH debit,
 * posted at settlement).
 */
export function spendRejection(a: Pick<AccountState, 'id' | 'spendLimits'>, direction: SpendDirection, amount: bigint, p: Payment): Decision & { ok: false } | undefined {
  for (const s of a.spendLimits ?? []) {
    if (!limitGoverns(s, direction, p)) continue
    if (s.windowDays === null && amount > s.amountLimit) {
      return { ok: false, rejection: { code: 'spend_control_violation', detail: `account ${a.id}: ${amount} is more than spend control ${s.id} allows in one transaction (${s.amountLimit})` } }
    }
    if (s.windowDays !== null && s.spent + amount > s.amountLimit) {
      return { ok: false, rejection: { code: 'spend_control_violation', detail: `account ${a.id}: spend control ${s.id} allows ${s.amountLimit} in ${s.windowDays} days; ${s.spent} is spent, and ${amount} more would pass it` } }
    }
  }
  return undefined
}

/** What an accepted payment adds to the rolling windows that govern it. */
function addSpend(a: AccountState, direction: SpendDirection, amount: bigint, p: Payment): void {
  for (const s of a.spendLimits ?? []) if (s.windowDays !== null && limitGoverns(s, direction, p)) s.spent += amount
}

/**
 * What a command moves through each of its accounts that spend controls count, by index into the
 * accounts it names, as the windows count it when read (spendLimitsOf in store.ts): a transfer's
 * legs; a hold (or a raise of one) on the account it reserves on, while it holds; a capture on the
 * account the money reaches, once it arrives (what it takes from the held account was counted
 * while held). Releases and declines count nothing.
 */
function spendLegsOf(c: Command, legs: Leg[]): { index: number; direction: SpendDirection; amount: bigint }[] {
  if (c.kind === 'post') return legs.map((l, index) => ({ index, direction: l.amount < 0n ? 'DEBITS' : 'CREDITS', amount: l.amount < 0n ? -l.amount : l.amount }))
  if (c.kind === 'pending') return [{ index: 0, direction: 'DEBITS', amount: c.amount }]
  if (c.kind === 'adjust_pending' && c.delta > 0n) return [{ index: 0, direction: 'DEBITS', amount: c.delta }]
  if (c.kind === 'post_pending') return [{ index: 1, direction: 'CREDITS', amount: legs[1].amount }]
  return []
}

function ceilingRejection(a: AccountState, credit: bigint): Decision | undefined {
  if (a.ceiling !== null && a.posted + credit > a.ceiling) return reject('ceiling_exceeded', `account ${a.id}'s balance would exceed its ceiling of ${a.ceiling}`)
  return undefined
}

function overflowRejection(a: AccountState, change: bigint): Decision | undefined {
  const after = a.posted + change
  if (after > amountMax || after < -amountMax) return reject('balance_overflow', `account ${a.id}'s balance would pass ${amountMax}`)
  return undefined
}

/** The accounts a command needs and how it moves them: signed changes to posted, in leg order. */
function movementOf(c: Command, hold: HoldState | undefined): { legs: Leg[]; reserved: Map<string, bigint> } {
  switch (c.kind) {
    case 'post':
      return { legs: c.legs, reserved: new Map() }
    case 'pending':
      return { legs: [{ accountId: c.debitAccountId, amount: -c.amount, currency: c.currency }, { accountId: c.creditAccountId, amount: c.amount, currency: c.currency }], reserved: new Map() }
    case 'decline':
      return { legs: [{ accountId: c.debitAccountId, amount: 0n, currency: c.currency }, { accountId: c.creditAccountId, amount: 0n, currency: c.currency }], reserved: new Map() }
    case 'post_pending': {
      const h = hold!
      const amount = c.amount ?? remainingOf(h)
      return {
        legs: [{ accountId: h.debitAccountId, amount: -amount, currency: h.currency }, { accountId: h.creditAccountId, amount, currency: h.currency }],
        reserved: new Map([[h.debitAccountId, amount]]),
      }
    }
    default: {
      const h = hold!
      return { legs: [{ accountId: h.debitAccountId, amount: 0n, currency: h.currency }, { accountId: h.creditAccountId, amount: 0n, currency: h.currency }], reserved: new Map() }
    }
  }
}

/**
 * Decides one command against the states and, when it is accepted, applies it to them (the caller
 * passes the batch's working copy, so later commands see earlier ones). A rejected command leaves
 * the states exactly as they were.
 */
export function decide(state: LedgerState, c: Command, ctx: DecideContext): Decision {
  if (state.taken.has(c.id)) return reject('exists', `transfer ${c.id} exists`)
  const shape = shapeRejection(c)
  if (shape) return shape
  if (movesMoney(c) && !ctx.partnerVerified) return reject('partner_not_verified', 'money moves in a live workspace once the fintech\'s own KYB has passed')
  const hold = 'pendingId' in c ? state.holds.get(c.pendingId) : undefined
  if ('pendingId' in c) {
    const r = holdRejection(c, hold, ctx.now)
    if (r) return r
  }
  const { legs, reserved } = movementOf(c, hold)
  // Releasing needs only the held account: the credit side plays no part (and need not be locked).
  const releases = c.kind === 'void_pending' || c.kind === 'expire_pending' || (c.kind === 'adjust_pending' && c.delta < 0n)
  const named = releases ? legs.slice(0, 1) : legs
  const accounts: AccountState[] = []
  for (const leg of named) {
    const a = state.accounts.get(leg.accountId)
    if (!a) return reject('account_not_found', `account ${leg.accountId} does not exist`)
    accounts.push(a)
  }
  for (const [i, leg] of named.entries()) {
    if (accounts[i].currency !== leg.currency) return reject('currency_mismatch', `account ${leg.accountId} holds ${accounts[i].currency}, not ${leg.currency}`)
  }
  // A decline moves nothing: whatever the accounts' status, funds or limits, it is recorded.
  if (!releases && c.kind !== 'decline') {
    for (const a of accounts) {
      const r = statusRejection(a)
      if (r) return r
    }
    if (ctx.holderGate && movesMoney(c)) {
      for (const a of accounts) {
        const r = holderRejection(a)
        if (r) return r
      }
    }
    const spendLegs = ctx.payment ? spendLegsOf(c, legs) : []
    for (const leg of spendLegs) {
      const r = spendRejection(accounts[leg.index], leg.direction, leg.amount, ctx.payment!)
      if (r) return r
    }
    for (const [i, leg] of legs.entries()) {
      // A raise reserves more on the held account; every other debit is a leg (a hold's leg debits what it reserves).
      const r = c.kind === 'adjust_pending' && i === 0 ? fundsRejection(accounts[i], c.delta, 0n)
        : leg.amount < 0n ? fundsRejection(accounts[i], -leg.amount, reserved.get(leg.accountId) ?? 0n) : undefined
      if (r) return r
    }
    for (const [i, leg] of legs.entries()) {
      if (leg.amount <= 0n) continue
      const r = ceilingRejection(accounts[i], leg.amount) ?? overflowRejection(accounts[i], leg.amount)
      if (r) return r
    }
    for (const [i, leg] of legs.entries()) {
      const r = leg.amount < 0n ? overflowRejection(accounts[i], leg.amount) : undefined
      if (r) return r
    }
    for (const leg of spendLegs) addSpend(accounts[leg.index], leg.direction, leg.amount, ctx.payment!)
  }
  return { ok: true, applied: apply(state, c, legs, accounts, hold) }
}

/** Applies an accepted command to the working states; asserts what the rules above guarantee. */
function apply(state: LedgerState, c: Command, legs: Leg[], accounts: AccountState[], hold: HoldState | undefined): Applied {
  state.taken.add(c.id)
  const first = (sign: 1n | -1n) => legs.find((l) => l.amount * sign > 0n)?.accountId ?? legs[sign === 1n ? 1 : 0].accountId
  const debitAccountId = first(-1n), creditAccountId = first(1n)
  // The command's fields first: a literal that opens with a spread makes a hidden class per call (platform/objects.ts).
  const applied = <R extends object>(rest: R) => ({ command: c, debitAccountId, creditAccountId, ...rest })
  const heldAfter = (a: AccountState) => ({ accountId: a.id, postedAfter: a.posted, availableAfter: available(a) })
  switch (c.kind) {
    case 'post': {
      const postings = legs.map((leg, i): AppliedPosting => {
        const a = accounts[i]
        a.posted += leg.amount
        return { accountId: a.id, amount: leg.amount, postedAfter: a.posted, availableAfter: available(a) }
      })
      const sums = new Map<string, bigint>()
      for (const leg of legs) sums.set(leg.currency, (sums.get(leg.currency) ?? 0n) + leg.amount)
      assert([...sums.values()].every((v) => v === 0n), 'postings sum to zero per currency')
      const debited = legs.filter((l) => l.amount < 0n).reduce((s, l) => s - l.amount, 0n)
      return applied({ postings, currency: legs[0].currency, amount: debited })
    }
    case 'pending': {
      const [from] = accounts
      from.held += c.amount
      const created: HoldState = { id: c.id, debitAccountId: c.debitAccountId, creditAccountId: c.creditAccountId, currency: c.currency, amount: c.amount, captured: 0n, status: 'PENDING', expiresAt: c.expiresAt }
      state.holds.set(c.id, created)
      return applied({ postings: [], hold: { ...created }, currency: c.currency, amount: c.amount, heldAfter: heldAfter(from) })
    }
    case 'decline': {
      const [from] = accounts
      const declined: HoldState = { id: c.id, debitAccountId: c.debitAccountId, creditAccountId: c.creditAccountId, currency: c.currency, amount: 0n, captured: 0n, status: 'DECLINED', expiresAt: null }
      state.holds.set(c.id, declined)
      return applied({ postings: [], hold: { ...declined }, currency: c.currency, amount: c.amount, heldAfter: heldAfter(from) })
    }
    case 'post_pending': {
      const h = hold!
      const [from, to] = accounts
      const amount = c.amount ?? remainingOf(h)
      const released = c.final ? remainingOf(h) - amount : 0n
      from.held -= amount + released
      from.posted -= amount
      to.posted += amount
      h.captured += amount
      if (c.final || h.captured === h.amount) h.status = 'CLEARED'
      assert(from.held >= 0n, 'held never goes negative')
      const postings: AppliedPosting[] = [
        { accountId: from.id, amount: -amount, postedAfter: from.posted, availableAfter: available(from) },
        { accountId: to.id, amount, postedAfter: to.posted, availableAfter: available(to) },
      ]
      return applied({ postings, hold: { ...h }, currency: h.currency, amount, heldAfter: heldAfter(from) })
    }
    case 'adjust_pending': {
      const h = hold!
      const [from] = accounts
      from.held += c.delta
      h.amount += c.delta
      assert(from.held >= 0n && h.amount > h.captured, 'an adjustment leaves something held')
      return applied({ postings: [], hold: { ...h }, currency: h.currency, amount: c.delta, heldAfter: heldAfter(from) })
    }
    case 'void_pending':
    case 'expire_pending': {
      const h = hold!
      const [from] = accounts
      const released = remainingOf(h)
      from.held -= released
      h.status = c.kind === 'void_pending' ? 'RELEASED' : 'EXPIRED'
      assert(from.held >= 0n, 'held never goes negative')
      return applied({ postings: [], hold: { ...h }, currency: h.currency, amount: released, heldAfter: heldAfter(from) })
    }
  }
}

export type GroupDecision = { ok: true; applied: Applied[] } | { ok: false; rejection: Rejection; index: number }

/**
 * Decides a group of commands that succeed or fail together, in order: each sees the ones before
 * it, and when one fails, the states are put back as they were before the group.
 */
export function decideGroup(state: LedgerState, commands: Command[], ctx: DecideContext): GroupDecision {
  assert(commands.length > 0, 'a group has a command')
  if (commands.length === 1) {
    const d = decide(state, commands[0], ctx)
    return d.ok ? { ok: true, applied: [d.applied] } : { ok: false, rejection: d.rejection, index: 0 }
  }
  // What the group may change, as it was before it: put back when a later command fails. A command
  // changes only the accounts it names (or its hold's), its hold, and the ids taken.
  const accountsBefore = new Map<string, AccountState>()
  const holdsBefore = new Map<string, HoldState | undefined>()
  const idsTaken: string[] = []
  const keepAccount = (id: string) => {
    const a = state.accounts.get(id)
    // The windows' spent amounts are put back too: each limit is copied, not shared.
    if (a && !accountsBefore.has(id)) accountsBefore.set(id, { ...a, spendLimits: a.spendLimits?.map((s) => ({ ...s })) })
  }
  const keepHold = (id: string) => {
    if (holdsBefore.has(id)) return
    const h = state.holds.get(id)
    holdsBefore.set(id, h && { ...h })
    if (h) { keepAccount(h.debitAccountId); keepAccount(h.creditAccountId) }
  }
  const applied: Applied[] = []
  for (const [index, c] of commands.entries()) {
    keepHold('pendingId' in c ? c.pendingId : c.id)
    for (const id of accountsNamed(c)) keepAccount(id)
    const d = decide(state, c, ctx)
    if (!d.ok) {
      for (const [id, a] of accountsBefore) Object.assign(state.accounts.get(id)!, a)
      for (const [id, h] of holdsBefore) {
        if (h === undefined) state.holds.delete(id)
        else Object.assign(state.holds.get(id)!, h)
      }
      for (const id of idsTaken) state.taken.delete(id)
      return { ok: false, rejection: d.rejection, index }
    }
    idsTaken.push(c.id)
    applied.push(d.applied)
  }
  return { ok: true, applied }
}

/** Where a state breaks the account's own limits, or undefined: what `keel ledger check` asserts too. */
export function limitBreach(a: Pick<AccountState, 'posted' | 'held' | 'floor' | 'ceiling'>): string | undefined {
  if (a.held < 0n) return `held ${a.held} is negative`
  if (a.floor !== null && a.posted - a.held < a.floor) return `available ${a.posted - a.held} is below the floor ${a.floor}`
  if (a.ceiling !== null && a.posted > a.ceiling) return `posted ${a.posted} is above the ceiling ${a.ceiling}`
  return undefined
}

/** The ledger floor of a customer account: balance_floor (default 0) less the overdraft allowed. */
export function floorOf(balanceFloor: bigint | null | undefined, overdraftLimit: bigint | null | undefined): bigint {
  return (balanceFloor ?? 0n) - (overdraftLimit ?? 0n)
}

/** The accounts a command names before its hold is known (post, pending); the ones naming a hold take the hold's. */
export function accountsNamed(c: Command, hold?: Pick<HoldState, 'debitAccountId' | 'creditAccountId'>): string[] {
  if (c.kind === 'post') return c.legs.map((l) => l.accountId)
  if (c.kind === 'pending' || c.kind === 'decline') return [c.debitAccountId, c.creditAccountId]
  return hold ? [hold.debitAccountId, hold.creditAccountId] : []
}
