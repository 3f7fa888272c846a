// The card authorization engine: a network message in, ledger commands out. Each message is
// decided (decide.ts), turned into ledger commands (an approval is a hold; an incremental
// authorization raises it, an advice or reversal lowers or releases it, a clearing captures it in
// part or in full, a PIN debit or ATM withdrawal posts at once, a refund or original credit credits
// the account), applied through the ledger's group commit, and recorded with its events and its
// Idempotency-Key outcome in the same transaction. A message the ledger refuses for funds (two
// approvals racing for one balance) is recorded as declined INSUFFICIENT_FUNDS: the ledger's account
// lock is what makes concurrent approvals safe, not the decision read before it. Every declined
// authorization, PIN debit or ATM withdrawal is a `decline` in the ledger: a DECLINED hold that
// reserves nothing, listed with the pending transactions with its reason.

import { getAccount, sandboxFundingAccountId } from '../accounts/index.js'
import { cardChecks, gatewayTarget, type CardForAuthorization } from '../cards/index.js'
import {
  amountToJson, getHold, getTransfer, ledgerAccountAt, ledgerKindsCounted, pendingCreatedEvents, postedEvents, settledHoldEvents,
  type LedgerBatcher, type LedgerCommand, type LedgerRequest, type LedgerResult, type Participant, type ResultCode, type TransferRow,
} from '../ledger/index.js'
import { assert } from '../platform/assert.js'
import { dayMs, isoString as iso } from '../platform/clock.js'
import { ApiError, badBody } from '../platform/errors.js'
import { recordEvents, type EventInput } from '../platform/events.js'
import { recordOwed, transactionFees, type FeeCharge } from '../fees/index.js'
import { oneStatement, type Queryable, type Unsent } from '../platform/db.js'
import type { Services } from '../platform/http.js'
import { claimKeys, expectKeysFree, runMutation, storedOutcome, storeOutcomes, type KeyClaim, type Outcome, type RequestIdentity, type StoredOutcome } from '../platform/idempotency.js'
import { isUuid, uuidv7 } from '../platform/ids.js'
import { jsonbKeyOrder, withFields } from '../platform/objects.js'
import { readCoalescer } from '../platform/read-coalescer.js'
import type { Workspace } from '../platform/workspaces.js'
import { toPendingTransaction } from '../transfers/index.js'
import { approvalBounds, controlApplies, controlDirection, decide, decideUnderLock, gatewayDecision, mccListed, mccRanges, velocityWindowMs, windowCounts, type AuthorizationFacts, type CardSubType, type Decision, type DeclineReason, type SpendControlFacts } from './decide.js'
import { askGateway, type GatewayTarget } from './gateway.js'
import { FactsCache } from './facts-cache.js'
import { changedFacts, changeNetAmounts, expectFactsUnchanged, expectSpendWithin, factsRows, getMessage, insertMessages, lockedActivity, messagesByIds, recentActivity, type Activity, type ActivityQuery, type FactsKept, type FactsRow, type Direction, type MessageRow, type MessageState, type SpendBounds, type SpendWindow } from './store.js'

type Json = Record<string, unknown>

/** An authorization no clearing has captured expires this many days after it was approved, on the workspace clock. */
export const authorizationExpiryDays = 7
/** …and this many for the merchants networks let hold longer: lodging, vehicle rental, cruise lines. */
export const extendedAuthorizationExpiryDays = 30
export const extendedExpiryMccs: readonly string[] = ['3351-3500', '3501-3999', '4411', '7011', '7512', '7513', '7519']

/** How card records name themselves in the ledger and the transaction views. */
export const cardTransferKind = 'CARD'
export const cardNetwork = 'CARD'
export const cardCurrency = 'USD'

export function authorizationExpiry(now: Date, mcc: string | null): Date {
  const days = mccListed(extendedExpiryMccs, mcc) ? extendedAuthorizationExpiryDays : authorizationExpiryDays
  return new Date(now.getTime() + days * dayMs)
}

/**
 * A control's rolling window as of `now`, for a message it governs (controlApplies; null for one it
 * does not, or a control without a window: nothing to read, since no decision looks at its sum):
 * where it starts, which card messages it counts (those of its MCCs and payment sub-types when it
 * lists any: windowCounts), and what it counts of the payments the ledger's rails made besides the
 * card messages (ledgerKindsCounted), in the control's direction.
 */
function spendWindow(now: Date, c: Pick<SpendControlFacts, 'isActive' | 'actionDecline' | 'windowDays' | 'direction' | 'paymentTypes' | 'paymentSubTypes' | 'merchantCategoryCodes'>, m: Pick<AuthorizationFacts, 'direction' | 'mcc' | 'subType'>): SpendWindow | null {
  if (c.windowDays === null || !controlApplies(c, m)) return null
  const kinds = ledgerKindsCounted(c)
  return {
    start: new Date(now.getTime() - c.windowDays * dayMs),
    cards: c.merchantCategoryCodes.length || c.paymentSubTypes.length ? { mccs: mccRanges(c.merchantCategoryCodes), subTypes: c.paymentSubTypes } : null,
    payments: kinds.length ? { direction: controlDirection(c), kinds, subTypes: c.paymentSubTypes } : null,
  }
}

/** Where a request came from, for the engine: the workspace, its clock's time, its key, its connection. */
export interface MessageContext {
  services: Services
  batcher: LedgerBatcher
  workspace: Workspace
  now: Date
  claim?: KeyClaim
  request: RequestIdentity
  group?: object
}

/** A message that may start a transaction (not one that names an original). */
export interface NewMessage {
  type: string
  direction: Direction
  /** Posts at once (PIN debit, ATM, OCT) rather than holding. */
  immediate: boolean
  /** Only checks the card and account (balance inquiry): moves nothing. */
  inquiry?: boolean
  cardId: string
  amount: bigint
  mid: string | null
  cardAcceptor: Json | null
  partialAllowed: boolean
  subType: CardSubType | null
  cvv?: string
  expiration?: string
  pin?: string
  /** An incremental authorization: the token of the authorization it raises. */
  incrementOf?: string
}

/** The simulation response: the transaction with its token and state (the spec's model is free-form; it mirrors the processor's). */
function responseOf(row: MessageRow, balances?: { available: bigint; posted: bigint }): Json {
  const approved = row.state !== 'DECLINED'
  const partial = approved && row.amount < row.requested_amount
  return {
    transaction: {
      token: row.id,
      type: row.type,
      state: row.state,
      card_id: row.card_id,
      account_id: row.account_id,
      amount: amountToJson(row.amount),
      request_amount: amountToJson(row.requested_amount),
      currency_code: row.currency,
      network: row.network,
      created_time: iso(row.created_at),
      user_transaction_time: iso(row.created_at),
      ...(row.original_id ? { preceding_related_transaction_token: row.original_id } : {}),
      ...(row.hold_id ? { pending_transaction_id: row.hold_id } : {}),
      response: approved ? { code: partial ? '0010' : '0000', memo: partial ? 'Partial approval' : 'Approved or completed successfully' } : { code: responseCodes[row.decline_reason as DeclineReason] ?? '0005', memo: row.decline_reason },
      ...(row.decline_reason ? { decline_reason: row.decline_reason } : {}),
      ...(row.mid || row.card_acceptor ? { card_acceptor: withFields(row.card_acceptor ?? {}, row.mid ? { mid: row.mid } : {}) } : {}),
      ...(balances ? { balances: { available_balance: amountToJson(balances.available), ledger_balance: amountToJson(balances.posted) } } : {}),
    },
  }
}

/** What a message answers: its row as the API shows it, or the answer it was written with. */
function answerOf(w: Written): Json {
  return w.body ?? responseOf(w.rows[0])
}

/**
 * The view an answer that is its message's row is stored by (Idempotency-Key outcomes,
 * src/platform/resource-views.ts): the row's columns the answer shows never change once written
 * (what changes later, net_amount, it does not show), so a replay renders the same answer from the
 * row, and the key's row carries no copy of it. Only for a message that writes an event too: the
 * event's insert takes the workspace's wipe lock (migration 0500), so a wipe cannot delete the row
 * between this transaction and its writing of the rendered answers in. The others (a decline,
 * which writes no event) store the answer as sent.
 */
export const cardMessageView = 'card_transaction'

function byView(w: Written): boolean {
  return w.body === undefined && w.rows.length === 1 && w.events.length > 0
}

/** The answers of a workspace's messages of these ids, as their views render them (registered in routes.ts). */
export async function renderMessages(db: Queryable, workspaceId: string, ids: string[]): Promise<Map<string, unknown>> {
  return new Map((await messagesByIds(db, workspaceId, ids)).map((row) => [row.id, responseOf(row)]))
}

/** ISO 8583 response codes for a decline, as a processor's answer carries them. */
const responseCodes: Partial<Record<DeclineReason, string>> = {
  INSUFFICIENT_FUNDS: '0051', CARD_EXPIRED: '0054', INVALID_PIN: '0055', INVALID_CVV: '0082', INVALID_EXPIRATION: '0054',
  SPEND_CONTROL_VIOLATION: '0061', BALANCE_VIOLATION: '0061', IMPROPER_CUSTOMER_VERIFICATION_STATUS: '0057', SUSPECTED_FRAUD: '0059', CARD_NOT_ACTIVE: '0078', CARD_TERMINATED: '0043', GATEWAY_DECLINED: '0005', GATEWAY_ERROR: '0091',
}

/** The ledger's refusals of a new debit, as decline reasons. */
const ledgerDeclines: Partial<Record<ResultCode, DeclineReason>> = {
  insufficient_funds: 'INSUFFICIENT_FUNDS', account_closed: 'ACCOUNT_CLOSED', account_not_active: 'IMPROPER_ACCOUNT_STATUS', account_frozen: 'IMPROPER_ACCOUNT_ACCESS_STATUS', ceiling_exceeded: 'BALANCE_VIOLATION',
  customer_not_verified: 'IMPROPER_CUSTOMER_VERIFICATION_STATUS', business_not_verified: 'IMPROPER_CUSTOMER_VERIFICATION_STATUS',
}

/** The ledger's refusals of a message about a hold, as API errors. */
function followUpError(code: ResultCode, detail: string): ApiError {
  if (code === 'pending_already_closed' || code === 'pending_expired') return new ApiError('INVALID_STATUS', `the original authorization is no longer pending: ${detail}`)
  if (code === 'amount_exceeds_pending') return badBody(`amount exceeds what the authorization holds: ${detail}`, { invalid: { amount: 'more than the authorization holds' } })
  if (code === 'partner_not_verified') return new ApiError('PARTNER_NOT_VERIFIED', detail)
  if (code === 'insufficient_funds') return new ApiError('INSUFFICIENT_FUNDS', detail)
  if (code === 'account_frozen') return new ApiError('IMPROPER_ACCOUNT_ACCESS_STATUS', detail)
  if (code === 'account_not_active') return new ApiError('IMPROPER_ACCOUNT_STATUS', detail)
  if (code === 'account_closed') return new ApiError('ACCOUNT_CLOSED', detail)
  return new ApiError('UNABLE_TO_TRANSACT', `${code}: ${detail}`)
}

// Writing

/**
 * What a message writes once the ledger has answered: its rows, the spend-window changes and its
 * events. Its answer is its one row as the API shows it (answerOf), unless `body` says otherwise (a
 * balance inquiry's, which carries the balances of the moment).
 */
interface Written {
  rows: MessageRow[]; net: { id: string; delta: bigint }[]; body?: Json; events: EventInput[]
  /** Fees the message caused that the account could not pay with it: owed from `at` (src/fees/). */
  owed?: { fees: FeeCharge[]; at: Date }
}

interface EngineContext {
  claim?: KeyClaim
  /** The ledger request this context goes with, and the commands it was made with (a decline under the spend lock replaces them). */
  request: LedgerRequest
  commands: LedgerCommand[]
  /** A new message's spend controls and velocity, decided again under the account's spend lock before the ledger applies it. */
  spend?: SpendCheck
  /** The card's facts the message was decided on, when kept from an earlier read (FactsCache): checked unchanged in the batch. */
  facts?: FactsKept
  accepted(result: Extract<LedgerResult, { ok: true }>): Written
  refused(code: ResultCode, detail: string): Written | ApiError
}

interface SpendCheck {
  workspaceId: string
  accountId: string
  cardId: string
  now: Date
  /** The facts the decision read before the batch; their windows and velocity count are read again. */
  facts: AuthorizationFacts
  /** What the ledger command holds or posts. */
  amount: bigint
  /** Counts toward the card's velocity (a new transaction, not an increment of one). */
  counts: boolean
  /** The decline the ledger records instead when the windows or velocity refuse it. */
  decline(reason: DeclineReason): DeclineCommand
}

type DeclineCommand = LedgerCommand & { kind: 'decline' }

/**
 * Decides, in the batch's order, the spend controls and velocity of each new message of the batch,
 * with what the windows held when the lock was taken plus what the batch's earlier approvals on the
 * same account and card add. Returns the declines, by the contexts' index. An approval counted here
 * that the ledger then refuses for funds leaves its room unused for the rest of this batch: a
 * window is never overfilled, and at worst a later message of the same batch is declined.
 */
function spendDecisions(checks: { i: number; check: SpendCheck }[], activity: Activity[], settledAlready: (i: number) => boolean): Map<number, DeclineReason> {
  const declines = new Map<number, DeclineReason>()
  walkBatch(checks.map((c) => c.check), (check, extras, count, n) => {
    const { i } = checks[n]
    if (settledAlready(i)) return false
    const f = check.facts
    const facts: AuthorizationFacts = withFields(f, {
      controls: f.controls.map((c, k) => withFields(c, { spentInWindow: c.windowDays === null ? 0n : activity[n].spent[k][f.direction] + (extras?.[k] ?? 0n) })),
      recentCount: activity[n].cardCount + count,
    })
    const decision = decideUnderLock(facts, check.amount)
    if (decision.outcome === 'decline') { declines.set(i, decision.reason); return false }
    return true
  })
  return declines
}

/**
 * Visits a batch's new messages in order, each with what the earlier ones `visit` approved add: by
 * control (as its facts list them; undefined when none was approved on the account), what they
 * spent on the same account in the message's direction that the control's window counts
 * (windowCounts), and approvals of the same card (new transactions only). `visit` says whether this
 * one is approved. The one account of these sums for spendDecisions and spendBounds, which must agree.
 */
function walkBatch(checks: SpendCheck[], visit: (check: SpendCheck, extras: readonly bigint[] | undefined, count: number, n: number) => boolean): void {
  const approvedOn = new Map<string, SpendCheck[]>()
  const countInBatch = new Map<string, number>()
  checks.forEach((check, n) => {
    const f = check.facts
    const accountKey = `${check.workspaceId}/${check.accountId}`
    const cardKey = `${check.workspaceId}/${check.cardId}`
    const earlier = approvedOn.get(accountKey)
    const extras = earlier && f.controls.map((c) => {
      let spent = 0n
      if (c.windowDays !== null) for (const e of earlier) if (e.facts.direction === f.direction && windowCounts(c, e.facts)) spent += e.amount
      return spent
    })
    const count = countInBatch.get(cardKey) ?? 0
    if (!visit(check, extras, count, n)) return
    if (earlier) earlier.push(check)
    else approvedOn.set(accountKey, [check])
    if (check.counts) countInBatch.set(cardKey, count + 1)
  })
}

/**
 * spendDecisions for a batch decided from memory, which reads nothing first: each new message's
 * bounds on what its windows and its card's count may hold (approvalBounds), less what the batch's
 * earlier messages on the same account and card add, every one of them taken as approved (as the
 * batch decides them). The windows within these bounds are exactly those spendDecisions approves
 * every message on.
 */
function spendBounds(checks: SpendCheck[]): (SpendBounds | undefined)[] {
  const out: (SpendBounds | undefined)[] = []
  walkBatch(checks, (check, extras, count) => {
    const bounds = approvalBounds(check.facts, check.amount)
    out.push(bounds && {
      direction: check.facts.direction,
      spent: bounds.spent.map((most, k) => (most === null ? null : most - (extras?.[k] ?? 0n))),
      cardCount: bounds.recentCount === null ? null : bounds.recentCount - count,
    })
    return true
  })
  return out
}

/** What a message's windows and velocity are read for: the windows of its controls as of its time. */
function activityQuery(c: SpendCheck): ActivityQuery {
  return {
    workspaceId: c.workspaceId, accountId: c.accountId, cardId: c.cardId,
    at: c.now, windows: c.facts.controls.map((control) => spendWindow(c.now, control, c.facts)),
    velocitySince: new Date(c.now.getTime() - velocityWindowMs),
  }
}

/**
 * What messages wrote, not yet sent, one statement per kind of row whatever the number of messages:
 * the messages, their window changes, their events and the fees they left owed, to be sent as one
 * statement with the rest of the batch's writes.
 */
function writeParts(tx: Parameters<typeof insertMessages>[0], written: Written[]): Unsent[] {
  const rows = written.flatMap((w) => w.rows)
  const net = written.flatMap((w) => w.net.map((n) => withFields(n, { workspaceId: w.rows[0].workspace_id })))
  const events = written.flatMap((w) => w.events)
  const writes: Unsent[] = []
  if (rows.length) writes.push(insertMessages(tx, rows))
  if (net.length) writes.push(changeNetAmounts(tx, net))
  if (events.length) writes.push(...recordEvents(tx, events))
  for (const w of written) if (w.owed?.fees.length) writes.push(recordOwed(tx, w.owed.fees, w.owed.at))
  return writes
}

/**
 * An ATM withdrawal's fees (the account's ATM_WITHDRWAL_FEE products): in the withdrawal's linked
 * group when what the account has left after it (`room`) covers them; otherwise the withdrawal posts
 * alone and they are owed, collected when funds arrive. A fee never turns an approved withdrawal
 * into a decline.
 */
async function atmFees(ctx: MessageContext, accountId: string, causeId: string, room: bigint): Promise<{ commands: LedgerCommand[]; owed: FeeCharge[] }> {
  const account = await getAccount(ctx.services.sql, ctx.workspace.id, accountId)
  if (!account) return { commands: [], owed: [] }
  const fees = await transactionFees(ctx.services.sql, { workspaceId: ctx.workspace.id, account, feeType: 'ATM_WITHDRWAL_FEE', currency: cardCurrency, causeId, now: ctx.now })
  const total = fees.owedIfRefused.reduce((sum, f) => sum + f.amount, 0n)
  return total <= room ? { commands: fees.commands, owed: [] } : { commands: [], owed: fees.owedIfRefused }
}

/** A new message's answer when the card's facts it was decided on (kept) were found changed: it is decided again. */
class FactsChanged extends Error {
  constructor() { super('the card\'s facts changed since they were read') }
}

/** The card rail's part of a ledger batch: claims keys first, then writes the batch's messages, events and stored outcomes. */
const cardParticipant: Participant<EngineContext, Outcome | ApiError | FactsChanged> = {
  async open(tx, contexts) {
    const keyed = contexts.flatMap((c, i) => (c.claim ? [{ i, claim: c.claim }] : []))
    const checks = contexts.flatMap((c, i) => (c.spend ? [{ i, check: c.spend }] : []))
    const kept = contexts.flatMap((c, i) => (c.facts ? [{ i, facts: c.facts }] : []))
    const answers: (Outcome | ApiError | FactsChanged | undefined)[] = contexts.map(() => undefined)
    // Pipelined with the batch's first round trip: the keys claimed, the windows read (the batch's
    // opening statement took the spend locks), and the kept facts checked.
    const [claimed, activity, changed] = await Promise.all([
      keyed.length ? claimKeys(tx, keyed.map((k) => k.claim)) : Promise.resolve([]),
      checks.length ? lockedActivity(tx, checks.map(({ check }) => activityQuery(check))) : Promise.resolve([]),
      kept.length ? changedFacts(tx, kept.map((k) => k.facts)) : Promise.resolve([]),
    ])
    keyed.forEach((k, n) => { answers[k.i] = claimed[n] })
    // A replay or a refusal of the key stands; otherwise a message decided on changed facts is decided again.
    for (const n of changed) answers[kept[n].i] ??= new FactsChanged()
    if (checks.length === 0) return answers
    // A decline under the lock: the ledger records a decline of the same id, naming the same
    // accounts, instead of the approval (the batch read them already). Set on every run of the batch:
    // one run again after its state changed decides afresh.
    const declines = spendDecisions(checks, activity, (i) => answers[i] !== undefined)
    for (const { i, check } of checks) {
      const reason = declines.get(i)
      contexts[i].request.commands = reason ? [check.decline(reason)] : contexts[i].commands
    }
    return answers
  },
  expectUnsettled(tx, contexts) {
    // The keys free, every new message's windows and velocity within what its approval allows, and
    // the kept facts unchanged.
    const claims = contexts.flatMap((c) => (c.claim ? [c.claim] : []))
    const checks = contexts.flatMap((c) => (c.spend ? [c.spend] : []))
    const kept = contexts.flatMap((c) => (c.facts ? [c.facts] : []))
    const bounds = spendBounds(checks)
    // The spend locks are taken in the ledger's opening statement (Job.spendLocks); the windows are
    // read in a later one, so they count what a transaction that held a lock wrote before letting it go.
    const within = checks.length ? expectSpendWithin(tx, checks.map((check, n) => withFields(activityQuery(check), { bounds: bounds[n] }))) : undefined
    return {
      opening: [...(claims.length ? [expectKeysFree(tx, claims)] : []), ...(kept.length ? [expectFactsUnchanged(tx, kept)] : [])],
      later: within ? [within] : [],
    }
  },
  close(tx, done) {
    // One statement for all the batch's messages, one for their window changes, one (or two) for their events.
    const written: Written[] = []
    const stored: (KeyClaim & StoredOutcome)[] = []
    const answers = done.map(({ context, result }): Outcome | ApiError => {
      const w = result.ok ? context.accepted(result) : context.refused(result.code, result.detail)
      if (w instanceof ApiError) return w
      written.push(w)
      // Serialized once, for the reply and the stored outcome alike.
      const body = answerOf(w)
      const json = JSON.stringify(body)
      if (context.claim) stored.push(withFields(context.claim, byView(w) ? { status: 201, view: { name: cardMessageView, resourceId: w.rows[0].id } } : { status: 201, json }))
      return { status: 201, body, json }
    })
    const writes = writeParts(tx, written)
    if (stored.length) writes.push(storeOutcomes(tx, stored))
    return { writes, answers }
  },
}

/**
 * `mintedIds`: every command's id is new (uuidv7), minted for this message (LedgerRequest.mintedIds).
 * `holderGate`: a new message moves money on the holder's behalf (LedgerRequest.holderGate); a
 * message about an earlier one (a clearing, a refund) settles what was decided then.
 */
async function submit(ctx: MessageContext, commands: LedgerCommand[], engine: Omit<EngineContext, 'claim' | 'request' | 'commands'>, options: Pick<LedgerRequest, 'otherwise' | 'mintedIds' | 'holderGate'> = {}): Promise<Outcome> {
  const request: LedgerRequest = { workspaceId: ctx.workspace.id, now: ctx.now, partnerVerified: ctx.workspace.partnerVerified, commands, otherwise: options.otherwise, mintedIds: options.mintedIds ?? false, holderGate: options.holderGate ?? false }
  const outcome = await ctx.batcher.submit<EngineContext, Outcome | ApiError | FactsChanged>({
    request, participant: cardParticipant, context: withFields(engine, { claim: ctx.claim, request, commands }), group: ctx.group,
    // The account's spend lock, taken in the batch's opening statement before the windows are read
    // and held to its commit.
    spendLocks: engine.spend ? [{ workspaceId: engine.spend.workspaceId, id: engine.spend.accountId }] : undefined,
  })
  const answer = outcome.answer!
  if (answer instanceof ApiError || answer instanceof FactsChanged) throw answer
  return answer
}

/** A message that moves no money (a decline, a balance inquiry, enhanced data): one transaction with its key. */
function withoutLedger(ctx: MessageContext, w: Written): Promise<Outcome> {
  return runMutation(ctx.services.sql, ctx.workspace.id, ctx.claim?.key, ctx.request, ctx.now, async (tx) => {
    await oneStatement(tx, writeParts(tx, [w]))
    return { status: 201, body: answerOf(w) }
  })
}

// Reading the facts

function cardAcceptorFacts(m: { mid: string | null; cardAcceptor: Json | null }): { mcc: string | null } {
  const mcc = m.cardAcceptor?.mcc
  return { mcc: typeof mcc === 'string' && mcc !== '' ? mcc : null }
}

/**
 * Everything the decision reads before the batch. The card, its account, the spend controls the
 * account names and the card product's gateway come in one statement. The balance is read only
 * when the decision needs a figure: a partial approval, a balance inquiry, an ATM withdrawal's
 * fees; otherwise the ledger checks the funds under its account lock. The windows and velocity are
 * read here only before asking a gateway (which is asked only once Keel's own checks pass) or
 * approving in part (which approves at most a window's room); either way they are decided again
 * inside the batch, under the account's spend lock (spendDecisions).
 */
async function factsOf(ctx: MessageContext, row: FactsRow, card: CardForAuthorization, checks: AuthorizationFacts['checks'], m: NewMessage): Promise<{ facts: AuthorizationFacts; available: bigint | null; posted: bigint | null; gateway?: GatewayTarget }> {
  const { sql, vault } = ctx.services
  if (row.account_status === null || row.account_access_status === null) throw new ApiError('ACCOUNT_NOT_FOUND', `the card's account ${card.accountId} is not found`)
  const gateway = m.direction === 'DEBITS' && !m.inquiry && row.gateway ? gatewayTarget(vault, row.gateway) : undefined
  const needsBalance = m.partialAllowed || m.inquiry === true || m.subType === 'CARD.ATM_WITHDRAWAL'
  const needsActivity = m.partialAllowed || gateway !== undefined
  const mcc = cardAcceptorFacts(m).mcc
  const controls: SpendControlFacts[] = row.controls.map((c) => ({
    id: c.id, isActive: c.is_active, actionDecline: c.action_decline, amountLimit: BigInt(c.amount_limit), direction: c.direction,
    merchantCategoryCodes: c.merchant_category_codes, paymentTypes: c.payment_types, paymentSubTypes: c.payment_sub_types,
    windowDays: c.window_days, spentInWindow: 0n,
  }))
  const windows = needsActivity ? controls.map((c) => spendWindow(ctx.now, c, { direction: m.direction, mcc, subType: m.subType })) : []
  const [ledger, activity] = await Promise.all([
    needsBalance ? ledgerAccountAt(sql, ctx.workspace.id, card.accountId, ctx.now) : undefined,
    needsActivity ? recentActivity(sql, [{ workspaceId: ctx.workspace.id, accountId: card.accountId, cardId: card.id, at: ctx.now, windows, velocitySince: new Date(ctx.now.getTime() - velocityWindowMs) }]).then(([a]) => a) : undefined,
  ])
  if (activity) controls.forEach((c, i) => { if (windows[i]) c.spentInWindow = activity.spent[i][m.direction] })
  const posted = needsBalance ? ledger?.posted ?? 0n : null
  const available = needsBalance ? (ledger ? ledger.posted - ledger.held : 0n) : null
  const facts: AuthorizationFacts = {
    direction: m.direction, amount: m.amount, partialAllowed: m.partialAllowed, mcc, subType: m.subType,
    card: { status: card.status, expired: card.expired }, checks,
    account: { status: row.account_status, accessStatus: row.account_access_status },
    controls,
    recentCount: activity?.cardCount ?? 0, available, gateway: gateway !== undefined,
  }
  return { facts, available, posted, gateway }
}

function rowOf(ctx: MessageContext, m: { type: string; subType?: CardSubType | null; cardId: string; accountId: string; direction: Direction; requested: bigint; mid: string | null; cardAcceptor: Json | null }, over: Partial<MessageRow>): MessageRow {
  return {
    workspace_id: ctx.workspace.id, id: uuidv7(), card_id: m.cardId, account_id: m.accountId, type: m.type, state: 'DECLINED', direction: m.direction,
    requested_amount: m.requested, amount: 0n, net_amount: 0n, currency: cardCurrency, decline_reason: null, original_id: null, hold_id: null,
    mid: m.mid, mcc: cardAcceptorFacts(m).mcc, sub_type: m.subType ?? null, network: cardNetwork, card_acceptor: m.cardAcceptor && jsonbKeyOrder(m.cardAcceptor), created_at: ctx.now, ...over,
  }
}

/** How the ledger records name a card message, and what the views show of it. */
function metaOf(ctx: MessageContext, row: MessageRow, card: { id: string; cardType?: string }) {
  return {
    kind: cardTransferKind, type: row.type, idempotencyKey: ctx.claim?.key ?? null, referenceId: row.id, memo: null,
    details: {
      card_id: card.id, network: cardNetwork,
      // What the views show of a declined hold: why, and (a declined refund or original credit) that it would have credited.
      ...(row.decline_reason ? { decline_reason: row.decline_reason, ...(row.direction === 'CREDITS' ? { dc_sign: 'credit' } : {}) } : {}),
      external_data: { card_id: card.id, ...(card.cardType ? { card_type: card.cardType } : {}), transaction_token: row.id, type: row.type, mid: row.mid, mcc: row.mcc, card_acceptor: row.card_acceptor },
    },
  }
}

/** The events of the records a message wrote: a change to a hold still pending carries its pending transaction; holds made, posted records and settled holds name their views. */
function eventsOf(result: Extract<LedgerResult, { ok: true }>, now: Date, pending?: TransferRow): EventInput[] {
  const events: EventInput[] = []
  for (const t of result.transfers) {
    events.push(...postedEvents(t))
    const hold = result.holds.get(t.pending_id ?? t.id)
    if (!hold || (t.action !== 'pending' && t.action !== 'adjust_pending' && t.action !== 'void_pending' && t.action !== 'post_pending')) continue
    if (hold.status !== 'PENDING') { if (t.action !== 'pending') events.push(...settledHoldEvents(hold)); continue }
    if (t.action === 'pending') { events.push(...pendingCreatedEvents(hold)); continue }
    // A change to a hold that can still change carries its pending transaction as it is now.
    assert(pending !== undefined && pending.id === hold.id, 'a change to a live hold comes with its pending record')
    const from = result.accountAfter(hold.account_id)!
    const to = result.accountAfter(hold.credit_account_id)!
    const resource = toPendingTransaction(pending, hold, from.account_number, to.account_number, now)
    events.push({ at: now, workspaceId: t.workspace_id, resourceId: hold.id, type: 'TRANSACTION.PENDING.UPDATED', resource })
  }
  // A settled hold's update is named once even when two records of the message touched it.
  const seen = new Set<string>()
  return events.filter((e) => { const k = `${e.type}/${e.resourceId}`; if (seen.has(k) && e.type === 'TRANSACTION.PENDING.UPDATED') return false; seen.add(k); return true })
}

// New messages: authorization, incremental authorization, PIN debit, ATM withdrawal, original credit, balance inquiry

type CardKey = { workspaceId: string; cardId: string }
const cardKeyOf = (k: CardKey) => `${k.workspaceId}/${k.cardId.toLowerCase()}`

/**
 * A card's facts (factsRows), read with those of the other cards asked for in the same turn of the
 * event loop, and the facts last read of each card (FactsCache): one of each per database. On a
 * keyed session (connectKeyed), like the batch after it: the statement reads every table by key,
 * and there it runs on one plan per session, where an ordinary session planned it afresh on most
 * calls (PostgreSQL's plan cache judged a plan for the call's own keys cheaper), which cost more
 * than running it.
 */
interface FactsSource { read: (key: CardKey) => Promise<FactsRow | undefined>; kept: FactsCache }
const factsSources = new WeakMap<Services['sql'], FactsSource>()
function factsSource(sql: Services['sql']): FactsSource {
  let source = factsSources.get(sql)
  if (!source) {
    const kept = new FactsCache()
    const read = readCoalescer(async (keys: CardKey[]) => {
      const found = await factsRows(sql, keys)
      for (const [key, row] of found) kept.keep(key, row)
      return found
    }, cardKeyOf)
    source = { read, kept }
    factsSources.set(sql, source)
  }
  return source
}

/**
 * A new message on a card seen before is decided on the card's facts as last read, and its batch
 * checks them unchanged; one whose facts have changed is decided again on facts read afresh, as a
 * card not seen before is. Read afresh too: a balance inquiry's (it has no batch to check them in),
 * and a card's whose product has a gateway (the gateway is not to be asked on facts that may have
 * changed, e.g. after it was turned off).
 */
export async function newMessage(ctx: MessageContext, m: NewMessage): Promise<Outcome> {
  if (!Number.isSafeInteger(Number(m.amount)) || m.amount < 0n || (m.amount === 0n && !m.inquiry)) throw badBody('amount must be a positive number of cents', { invalid: { amount: 'positive, at most 2^53 - 1' } })
  if (typeof m.cardId !== 'string' || !isUuid(m.cardId)) throw badBody(`card_id: card ${m.cardId} not found`, { invalid: { card_id: 'no such card' } })
  const key: CardKey = { workspaceId: ctx.workspace.id, cardId: m.cardId }
  const source = factsSource(ctx.services.keyedSql)
  const kept = m.inquiry ? undefined : source.kept.get(cardKeyOf(key))
  if (kept && kept.gateway === null) {
    try {
      return await decideMessage(ctx, m, kept, { workspaceId: key.workspaceId, cardId: kept.id, version: kept.facts_version })
    } catch (err) {
      if (!(err instanceof FactsChanged)) throw err
      source.kept.forget(cardKeyOf(key))
    }
  }
  const found = await source.read(key)
  if (!found) throw badBody(`card_id: card ${m.cardId} not found`, { invalid: { card_id: 'no such card' } })
  return decideMessage(ctx, m, found, undefined)
}

/** A new message decided on these facts of its card; `kept` when they were kept from an earlier read, for its batch to check. */
async function decideMessage(ctx: MessageContext, m: NewMessage, found: FactsRow, kept: FactsKept | undefined): Promise<Outcome> {
  const { card, checks } = await cardChecks(ctx.services.vault, found, ctx.now, { cvv: m.cvv, expiration: m.expiration, pin: m.pin })
  let original: { holdId: string; rootId: string } | undefined
  let pendingRecord: TransferRow | undefined
  if (m.incrementOf !== undefined) {
    const prior = await getMessage(ctx.services.sql, ctx.workspace.id, m.incrementOf)
    if (!prior || prior.card_id !== card.id || !prior.hold_id || prior.state === 'DECLINED') throw badBody(`transaction_options.transaction_id ${m.incrementOf} names no authorization of this card`, { invalid: { 'transaction_options.transaction_id': 'not an authorization of this card' } })
    original = { holdId: prior.hold_id, rootId: prior.original_id ?? prior.id }
    pendingRecord = await getTransfer(ctx.services.sql, ctx.workspace.id, prior.hold_id)
  }
  const { facts, available, posted, gateway } = await factsOf(ctx, found, card, checks, m)
  let decision: Decision = decide(m.inquiry ? { ...facts, amount: 0n, recentCount: 0 } : facts)
  const base = { type: original ? 'authorization.incremental' : m.type, subType: m.subType, cardId: card.id, accountId: card.accountId, direction: m.direction, requested: m.amount, mid: m.mid, cardAcceptor: m.cardAcceptor }
  if (decision.outcome === 'ask_gateway') {
    const answer = await askGateway(ctx.services, ctx.workspace.id, ctx.now, gateway!, {
      type: base.type, transaction_id: null, card_id: card.id, account_id: card.accountId, amount: amountToJson(m.amount), currency: cardCurrency,
      partial_approval_capable: m.partialAllowed, mid: m.mid, card_acceptor: m.cardAcceptor, ...(original ? { original_transaction_id: original.rootId } : {}),
    })
    decision = gatewayDecision(facts, answer)
  }
  const settlement = sandboxFundingAccountId(ctx.workspace.id)
  /** A declined message's row, naming the declined hold the ledger records for it, and that decline. */
  const declineOf = (id: string, reason: DeclineReason): { row: MessageRow; command: DeclineCommand } => {
    const row = rowOf(ctx, base, { id, decline_reason: reason, original_id: original?.rootId ?? null, hold_id: id })
    const command: DeclineCommand = { id, kind: 'decline', debitAccountId: card.accountId, creditAccountId: settlement, amount: m.amount, currency: cardCurrency, meta: metaOf(ctx, row, card) }
    return { row, command }
  }
  const declinedBy = (result: Extract<LedgerResult, { ok: true }>): Written | undefined => {
    const [t] = result.transfers
    if (t.action !== 'decline') return undefined
    const { row } = declineOf(t.id, t.details.decline_reason as DeclineReason)
    return { rows: [row], net: [], events: [] }
  }
  if (decision.outcome === 'decline' && m.inquiry) {
    const row = rowOf(ctx, base, { decline_reason: decision.reason })
    return withoutLedger(ctx, { rows: [row], net: [], events: [] })
  }
  if (decision.outcome === 'decline') {
    const { command } = declineOf(uuidv7(), decision.reason)
    return submit(ctx, [command], { facts: kept, accepted: (result) => declinedBy(result)!, refused: followUpError }, { mintedIds: true })
  }
  if (m.inquiry) {
    const row = rowOf(ctx, base, { state: 'COMPLETION' })
    assert(available !== null && posted !== null, 'a balance inquiry reads the balance')
    return withoutLedger(ctx, { rows: [row], net: [], body: responseOf(row, { available, posted }), events: [] })
  }
  const amount = decision.outcome === 'approve' ? decision.amount : m.amount
  const state: MessageState = m.immediate ? 'COMPLETION' : 'PENDING'
  const row = rowOf(ctx, base, { state, amount, net_amount: original ? 0n : amount, original_id: original?.rootId ?? null })
  const meta = metaOf(ctx, row, card)
  let command: LedgerCommand
  if (original) {
    row.hold_id = original.holdId
    command = { id: row.id, kind: 'adjust_pending', pendingId: original.holdId, delta: amount, meta }
  } else if (!m.immediate) {
    row.hold_id = row.id
    command = { id: row.id, kind: 'pending', debitAccountId: card.accountId, creditAccountId: settlement, amount, currency: cardCurrency, expiresAt: authorizationExpiry(ctx.now, facts.mcc), meta }
  } else {
    const sign = m.direction === 'DEBITS' ? -1n : 1n
    command = { id: row.id, kind: 'post', legs: [{ accountId: card.accountId, amount: sign * amount, currency: cardCurrency }, { accountId: settlement, amount: -sign * amount, currency: cardCurrency }], meta }
  }
  const fees = m.immediate && m.subType === 'CARD.ATM_WITHDRAWAL' ? await atmFees(ctx, card.accountId, row.id, available! - amount) : { commands: [], owed: [] }
  // Declined under the spend lock, or refused by the ledger for funds or status: the ledger records a decline of the same id instead.
  const decline = (reason: DeclineReason) => declineOf(row.id, reason).command
  return submit(ctx, [command, ...fees.commands], {
    spend: { workspaceId: ctx.workspace.id, accountId: card.accountId, cardId: card.id, now: ctx.now, facts, amount, counts: !original, decline },
    facts: kept,
    accepted: (result) => declinedBy(result) ?? {
      rows: [row], net: original ? [{ id: original.rootId, delta: amount }] : [], events: eventsOf(result, ctx.now, pendingRecord),
      owed: { fees: fees.owed, at: ctx.now },
    },
    refused: followUpError,
  }, {
    otherwise: (code) => {
      const reason = ledgerDeclines[code]
      return reason ? decline(reason) : undefined
    },
    mintedIds: original === undefined,
    holderGate: true,
  })
}

// Messages about an earlier one: advice, clearing, reversal, enhanced data

export type FollowUp = 'advice' | 'clearing' | 'refund' | 'reversal' | 'l2l3'

export interface FollowUpMessage {
  kind: FollowUp
  type: string
  originalId: string
  amount: bigint
  mid: string | null
  cardAcceptor: Json | null
  /** A clearing the network says more clearings will follow: the rest of the hold stays. */
  moreToCome?: boolean
}

export async function followUp(ctx: MessageContext, m: FollowUpMessage): Promise<Outcome> {
  try {
    return await decideFollowUp(ctx, m)
  } catch (err) {
    // A refusal read from the original as it is now, which a first try of this request may have
    // changed (a reversal that released the hold): a retry is answered with what was done then.
    // Looked up only on a refusal: an accepted retry is replayed by its batch.
    if (err instanceof ApiError && ctx.claim) {
      const prior = await storedOutcome(ctx.services.sql, ctx.claim)
      if (prior) return prior
    }
    throw err
  }
}

async function decideFollowUp(ctx: MessageContext, m: FollowUpMessage): Promise<Outcome> {
  const { sql } = ctx.services
  if (m.kind !== 'l2l3' && (!Number.isSafeInteger(Number(m.amount)) || m.amount <= 0n)) throw badBody('amount must be a positive number of cents', { invalid: { amount: 'positive, at most 2^53 - 1' } })
  // The enhanced-data simulation declares the id a plain string: one that is no uuid names nothing either.
  const original = isUuid(m.originalId) ? await getMessage(sql, ctx.workspace.id, m.originalId) : undefined
  if (!original || original.state === 'DECLINED') throw badBody(`original_transaction_id: ${m.originalId} names no approved card transaction`, { invalid: { original_transaction_id: 'no approved card transaction' } })
  const rootId = original.original_id ?? original.id
  const root = rootId === original.id ? original : (await getMessage(sql, ctx.workspace.id, rootId))!
  const base = { type: m.type, cardId: original.card_id, accountId: original.account_id, direction: 'DEBITS' as Direction, requested: m.amount, mid: m.mid ?? original.mid, cardAcceptor: m.cardAcceptor ?? original.card_acceptor }
  if (m.kind === 'l2l3') {
    const row = rowOf(ctx, base, { state: original.state, original_id: rootId, requested_amount: 0n })
    return withoutLedger(ctx, { rows: [row], net: [], events: [] })
  }
  const settlement = sandboxFundingAccountId(ctx.workspace.id)
  const card = { id: original.card_id }
  const credit = (id: string, amount: bigint, meta: ReturnType<typeof metaOf>): LedgerCommand =>
    ({ id, kind: 'post', legs: [{ accountId: original.account_id, amount, currency: cardCurrency }, { accountId: settlement, amount: -amount, currency: cardCurrency }], meta })
  const debit = (id: string, amount: bigint, meta: ReturnType<typeof metaOf>): LedgerCommand =>
    ({ id, kind: 'post', legs: [{ accountId: original.account_id, amount: -amount, currency: cardCurrency }, { accountId: settlement, amount, currency: cardCurrency }], meta })

  if (m.kind === 'refund') {
    const row = rowOf(ctx, { ...base, direction: 'CREDITS' }, { state: 'COMPLETION', amount: m.amount, original_id: rootId })
    return submit(ctx, [credit(row.id, m.amount, metaOf(ctx, row, card))], {
      accepted: (result) => ({ rows: [row], net: [], events: eventsOf(result, ctx.now) }),
      refused: followUpError,
    })
  }

  // A message about money already posted (a PIN debit, an ATM withdrawal): an advice or reversal gives back what it names.
  if (!root.hold_id) {
    if (m.kind === 'clearing') throw new ApiError('INVALID_STATUS', `${rootId} posted at once; it has nothing to clear`)
    if (m.amount > root.net_amount) throw badBody(`amount ${m.amount} exceeds the ${root.net_amount} the original still has`, { invalid: { amount: 'more than the original' } })
    // What went out comes back; what came in (an original credit) goes back out.
    const givesBack = root.direction === 'DEBITS'
    const row = rowOf(ctx, { ...base, direction: givesBack ? 'CREDITS' : 'DEBITS' }, { state: 'COMPLETION', amount: m.amount, original_id: rootId })
    const meta = metaOf(ctx, row, card)
    return submit(ctx, [givesBack ? credit(row.id, m.amount, meta) : debit(row.id, m.amount, meta)], {
      accepted: (result) => ({ rows: [row], net: [{ id: rootId, delta: -m.amount }], events: eventsOf(result, ctx.now) }),
      refused: followUpError,
    })
  }

  const [hold, pendingRecord] = await Promise.all([getHold(sql, ctx.workspace.id, root.hold_id), getTransfer(sql, ctx.workspace.id, root.hold_id)])
  if (!hold) throw new ApiError('INVALID_STATUS', `the hold of ${rootId} is not found`)
  const open = hold.status === 'PENDING' && (hold.expires_at === null || hold.expires_at.getTime() > ctx.now.getTime())
  const remaining = open ? hold.amount - hold.captured : 0n
  const row = rowOf(ctx, base, { state: m.kind === 'clearing' ? 'CLEARED' : 'PENDING', amount: m.amount, original_id: rootId, hold_id: hold.id })
  const meta = metaOf(ctx, row, card)

  if (m.kind === 'clearing') {
    let commands: LedgerCommand[]
    let netDelta = 0n
    if (remaining === 0n) {
      // A late clearing (the hold expired or was released): the network's capture posts on its own.
      commands = [debit(row.id, m.amount, meta)]
      netDelta = m.amount
    } else if (m.amount <= remaining) {
      const final = !m.moreToCome
      commands = [{ id: row.id, kind: 'post_pending', pendingId: hold.id, amount: m.amount, final, meta }]
      if (final) netDelta = -(remaining - m.amount)
    } else {
      // Over-clearing (a tip, a fuel pump's final amount): capture all the hold and post the difference, together or not at all.
      commands = [{ id: row.id, kind: 'post_pending', pendingId: hold.id, final: true, meta }, debit(uuidv7(), m.amount - remaining, meta)]
      netDelta = m.amount - remaining
    }
    return submit(ctx, commands, {
      accepted: (result) => ({ rows: [row], net: netDelta ? [{ id: rootId, delta: netDelta }] : [], events: eventsOf(result, ctx.now, pendingRecord) }),
      refused: (code, detail) => {
        if (code !== 'insufficient_funds') return followUpError(code, detail)
        const declined: MessageRow = { ...row, state: 'DECLINED', amount: 0n, decline_reason: 'INSUFFICIENT_FUNDS' }
        return { rows: [declined], net: [], events: [] }
      },
    })
  }

  // Advice and reversal lower the hold, or release it when they name all it still holds.
  if (remaining === 0n) throw new ApiError('INVALID_STATUS', `the authorization ${rootId} no longer holds anything (${hold.status})`)
  const release = m.amount >= remaining
  const taken = release ? remaining : m.amount
  row.amount = taken
  const command: LedgerCommand = release ? { id: row.id, kind: 'void_pending', pendingId: hold.id, meta } : { id: row.id, kind: 'adjust_pending', pendingId: hold.id, delta: -taken, meta }
  return submit(ctx, [command], {
    accepted: (result) => ({ rows: [row], net: [{ id: rootId, delta: -taken }], events: eventsOf(result, ctx.now, pendingRecord) }),
    refused: followUpError,
  })
}
