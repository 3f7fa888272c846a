// Whether a card network's request for money is approved, and for how much, as one pure function
// over plain data. The engine (service.ts) gathers the facts (the card, its account, the spend
// controls attached, what their windows have spent, the card's recent count, the available
// balance), hands them here, and does exactly what this decides; the ledger then applies the hold
// or posting under its account lock, so a race between two approvals ends in the ledger's own
// insufficient_funds, never in an overdraft. The windows and velocity are decided again inside the
// ledger batch, under a lock per account (decideUnderLock), so a race never overfills a window.
//
// The checks run in one precedence (first failure wins), as the ledger's rules do:
//   1. the card: terminated, expired, not active (unactivated or suspended);
//   2. what the message carries: CVV, expiration date, PIN;
//   3. the account: closed, not active, frozen;
//   4. spend controls: per transaction, rolling N-day windows, MCC lists and ranges, direction;
//   5. velocity: authorizations per card in a rolling window;
//   6. funds: the available balance (partial approval when the message allows it), or the
//      fintech's authorization gateway when one is configured for the card's product.

/** Why a message is declined: the spec's enums where it spells one (SPEND_CONTROL_VIOLATION, INSUFFICIENT_FUNDS, ACCOUNT_CLOSED, …), else Synctera's words. */
export const declineReasons = [
  'CARD_TERMINATED',
  'CARD_EXPIRED',
  'CARD_NOT_ACTIVE',
  'INVALID_CVV',
  'INVALID_EXPIRATION',
  'INVALID_PIN',
  'ACCOUNT_CLOSED',
  'IMPROPER_ACCOUNT_STATUS',
  'IMPROPER_ACCOUNT_ACCESS_STATUS',
  'SPEND_CONTROL_VIOLATION',
  'BALANCE_VIOLATION',
  'IMPROPER_CUSTOMER_VERIFICATION_STATUS',
  'SUSPECTED_FRAUD',
  'INSUFFICIENT_FUNDS',
  'GATEWAY_DECLINED',
  'GATEWAY_ERROR',
] as const
export type DeclineReason = (typeof declineReasons)[number]

/** Authorizations one card may have approved in `velocityWindowMs` before further ones are declined as SUSPECTED_FRAUD. */
export const velocityCountMax = 600
export const velocityWindowMs = 60_000

export type Direction = 'DEBITS' | 'CREDITS'
/** The spec's card payment sub-types a spend control may name. */
export type CardSubType = 'CARD.ATM_WITHDRAWAL' | 'CARD.POS_CASHBACK'

export interface SpendControlFacts {
  id: string
  isActive: boolean
  actionDecline: boolean
  amountLimit: bigint
  direction: Direction | null
  /** `5411` or a range `5811-5814`; when non-empty, the control applies only to these MCCs. */
  merchantCategoryCodes: readonly string[]
  paymentTypes: readonly string[]
  paymentSubTypes: readonly string[]
  /** null: a single transaction; else the rolling window in days. */
  windowDays: number | null
  /** What the approved card messages the window counts (windowCounts) and the ledger's payments it counts have spent already (for a rolling window). */
  spentInWindow: bigint
}

export interface AuthorizationFacts {
  direction: Direction
  amount: bigint
  /** The merchant said it accepts less than it asked for. */
  partialAllowed: boolean
  mcc: string | null
  subType: CardSubType | null
  card: { status: string; expired: boolean }
  /** Each check the message asked for: true when it matched. Absent: the message did not carry it. */
  checks: { cvv?: boolean; expiration?: boolean; pin?: boolean }
  account: { status: string; accessStatus: string }
  controls: readonly SpendControlFacts[]
  /** Authorizations the card had approved in the velocity window. */
  recentCount: number
  /**
   * The available balance, or null when the engine did not read it: a message that cannot be
   * approved in part needs no figure, since the ledger checks the funds under the account's lock.
   */
  available: bigint | null
  /** The card's product has an active authorization gateway. */
  gateway: boolean
}

export type Decision =
  | { outcome: 'approve'; amount: bigint; partial: boolean }
  | { outcome: 'decline'; reason: DeclineReason; detail: string }
  /** Everything Keel checks passed; the fintech's gateway decides the funds. */
  | { outcome: 'ask_gateway' }

const decline = (reason: DeclineReason, detail: string): Decision => ({ outcome: 'decline', reason, detail })

/**
 * A control's MCC list as inclusive numeric ranges: a code (`5411`) is the range of itself, a range
 * (`5811-5814`) its two ends. The one reading of the list, for mccListed and for the card windows'
 * read in PostgreSQL (card_message_counted, migration 1690), which compares the same numbers.
 */
export function mccRanges(list: readonly string[]): [number, number][] {
  return list.map((entry) => {
    const [low, high] = entry.split('-')
    return [Number(low), Number(high ?? low)]
  })
}

/** A message's MCC as a number, or null when it is not one: digits only (the spec allows five at most). */
export function mccCode(mcc: string | null): number | null {
  return mcc !== null && /^\d{1,5}$/.test(mcc) ? Number(mcc) : null
}

/** Whether an MCC is in a control's list: a code (`5411`) or an inclusive range (`5811-5814`). */
export function mccListed(list: readonly string[], mcc: string | null): boolean {
  const code = mccCode(mcc)
  return code !== null && mccRanges(list).some(([low, high]) => low <= code && code <= high)
}

/** The way money flows that a spend control limits. The spec: "If this is not set, the spend control applies to debits (ie spending) only." */
export const controlDirection = (c: Pick<SpendControlFacts, 'direction'>): Direction => c.direction ?? 'DEBITS'

/** Whether a spend control governs this message at all. */
export function controlApplies(c: Pick<SpendControlFacts, 'isActive' | 'actionDecline' | 'direction' | 'paymentTypes' | 'paymentSubTypes' | 'merchantCategoryCodes'>, f: Pick<AuthorizationFacts, 'direction' | 'mcc' | 'subType'>): boolean {
  if (!c.isActive || !c.actionDecline) return false
  if (controlDirection(c) !== f.direction) return false
  if (c.paymentTypes.length > 0 && !c.paymentTypes.includes('CARD')) return false
  return windowCounts(c, f)
}

/**
 * Whether a control's rolling window counts an approved card message of its account, in the
 * message's direction: the control's MCCs and payment sub-types narrow what it counts as they narrow
 * what it governs. A control for groceries (`5411`) limited to 300.00 a week counts the week's
 * grocery purchases, not the fuel beside them. card_message_counted (migration 1690) is the same
 * rule for the messages already written.
 */
export function windowCounts(c: Pick<SpendControlFacts, 'merchantCategoryCodes' | 'paymentSubTypes'>, m: Pick<AuthorizationFacts, 'mcc' | 'subType'>): boolean {
  return (c.merchantCategoryCodes.length === 0 || mccListed(c.merchantCategoryCodes, m.mcc)) &&
    (c.paymentSubTypes.length === 0 || (m.subType !== null && c.paymentSubTypes.includes(m.subType)))
}

/** The first control the amount would break, if any: a limit of 0 for the MCCs it lists is a block list. */
export function violatedControl(f: AuthorizationFacts, amount: bigint): SpendControlFacts | undefined {
  return f.controls.find((c) => controlApplies(c, f) && (c.windowDays === null ? amount : c.spentInWindow + amount) > c.amountLimit)
}

export function decide(f: AuthorizationFacts): Decision {
  if (f.card.status === 'TERMINATED' && !f.card.expired) return decline('CARD_TERMINATED', 'the card is terminated')
  if (f.card.expired) return decline('CARD_EXPIRED', 'the card is past its expiration date')
  if (f.card.status !== 'ACTIVE') return decline('CARD_NOT_ACTIVE', `the card is ${f.card.status}`)
  if (f.checks.cvv === false) return decline('INVALID_CVV', 'the CVV does not match the card')
  if (f.checks.expiration === false) return decline('INVALID_EXPIRATION', 'the expiration date does not match the card')
  if (f.checks.pin === false) return decline('INVALID_PIN', 'the PIN does not match the card')
  if (f.account.status === 'CLOSED') return decline('ACCOUNT_CLOSED', 'the card\'s account is closed')
  if (f.account.status !== 'ACTIVE_OR_DISBURSED') return decline('IMPROPER_ACCOUNT_STATUS', `the card's account is ${f.account.status}`)
  if (f.account.accessStatus !== 'ACTIVE') return decline('IMPROPER_ACCOUNT_ACCESS_STATUS', `the card's account access is ${f.account.accessStatus}`)
  const violated = violatedControl(f, f.amount)
  // A partial approval may still fit a rolling window the full amount breaks; it never fits a per-transaction limit less than what it approves.
  if (violated && !(f.partialAllowed && f.direction === 'DEBITS' && violated.windowDays !== null && violated.amountLimit > violated.spentInWindow)) {
    return decline('SPEND_CONTROL_VIOLATION', `spend control ${violated.id} does not allow ${f.amount}`)
  }
  if (f.direction === 'DEBITS' && f.recentCount >= velocityCountMax) return decline('SUSPECTED_FRAUD', `more than ${velocityCountMax} authorizations on the card within ${velocityWindowMs / 1000} s`)
  if (f.direction === 'CREDITS') return { outcome: 'approve', amount: f.amount, partial: false }
  if (f.gateway) return { outcome: 'ask_gateway' }
  return fundsDecision(f)
}

/** What the funds allow: all of it, part of it when the message allows partial approval, or a decline. */
export function fundsDecision(f: AuthorizationFacts): Decision {
  let allowed = f.available === null || f.available >= f.amount ? f.amount : f.available
  for (const c of f.controls) {
    if (!controlApplies(c, f) || c.windowDays === null) continue
    const room = c.amountLimit - c.spentInWindow
    if (room < allowed) allowed = room
  }
  if (allowed >= f.amount) return { outcome: 'approve', amount: f.amount, partial: false }
  if (f.partialAllowed && allowed > 0n) return { outcome: 'approve', amount: allowed, partial: true }
  if (violatedControl(f, f.amount)) return decline('SPEND_CONTROL_VIOLATION', 'a rolling spend control window does not allow the amount')
  return decline('INSUFFICIENT_FUNDS', `available balance ${f.available} is less than ${f.amount}`)
}

/**
 * Rows 10 and 11 again, for the amount the engine is about to hold or post, with what the rolling
 * windows and the card's velocity window hold now: the engine calls it inside the ledger batch's
 * transaction, under the account's spend lock, so that two approvals at once cannot both fit a
 * window with room for one. Everything before row 10 is the card's and the account's, decided
 * already; the funds (row 13) are the ledger's own check, made after this one.
 */
export function decideUnderLock(f: AuthorizationFacts, amount: bigint): Decision {
  const violated = violatedControl(f, amount)
  if (violated) return decline('SPEND_CONTROL_VIOLATION', `spend control ${violated.id} does not allow ${amount}`)
  if (f.direction === 'DEBITS' && f.recentCount >= velocityCountMax) return decline('SUSPECTED_FRAUD', `more than ${velocityCountMax} authorizations on the card within ${velocityWindowMs / 1000} s`)
  return { outcome: 'approve', amount, partial: amount < f.amount }
}

/**
 * The most the windows and the velocity count may hold for decideUnderLock to approve `amount`:
 * by control, the most its window may have spent in the message's direction (`spentInWindow`;
 * null where the control leaves the window free: no window, or it does not govern the message),
 * and the most approvals the card may have had (`recentCount`; null when velocity does not apply).
 * Undefined when decideUnderLock declines whatever they hold (a per-transaction limit broken).
 * decideUnderLock approves exactly when every figure is within its bound; a batch decided from
 * memory sends these bounds instead of reading the windows (expectSpendWithin in store.ts).
 */
export function approvalBounds(f: AuthorizationFacts, amount: bigint): { spent: (bigint | null)[]; recentCount: number | null } | undefined {
  const spent: (bigint | null)[] = []
  for (const c of f.controls) {
    if (!controlApplies(c, f)) { spent.push(null); continue }
    if (c.windowDays === null) {
      if (amount > c.amountLimit) return undefined
      spent.push(null)
      continue
    }
    spent.push(c.amountLimit - amount)
  }
  return { spent, recentCount: f.direction === 'DEBITS' ? velocityCountMax - 1 : null }
}

/** What a gateway answered, made a decision: its approval is capped by what the message asked. */
export function gatewayDecision(f: AuthorizationFacts, answer: { kind: 'approve'; amount?: bigint } | { kind: 'decline' } | { kind: 'unavailable'; standin: boolean }): Decision {
  if (answer.kind === 'decline') return decline('GATEWAY_DECLINED', 'the authorization gateway declined')
  if (answer.kind === 'unavailable') return answer.standin ? fundsDecision(f) : decline('GATEWAY_ERROR', 'the authorization gateway did not answer in time or answered with an error')
  const amount = answer.amount === undefined || answer.amount > f.amount ? f.amount : answer.amount
  if (amount <= 0n) return decline('GATEWAY_DECLINED', 'the authorization gateway approved nothing')
  if (amount < f.amount && !f.partialAllowed) return decline('GATEWAY_DECLINED', 'the gateway approved part of an amount the merchant cannot take in part')
  return { outcome: 'approve', amount, partial: amount < f.amount }
}
