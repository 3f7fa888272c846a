// The card lifecycle as pure decisions: which status changes are allowed, what a reissue does to
// the old card, how fulfilment moves, and when a card has expired. Closed outcomes, no I/O.

export type CardStatus = 'ACTIVE' | 'IMAGE_PENDING' | 'IMAGE_REJECTED' | 'PENDING' | 'REJECTED' | 'SUSPENDED' | 'TERMINATED' | 'UNACTIVATED'
export type RequestedStatus = 'ACTIVE' | 'SUSPENDED' | 'TERMINATED'
export type ReissueReason = 'APPEARANCE' | 'DAMAGED' | 'EXPIRATION' | 'LOST' | 'NAME_CHANGE' | 'PRODUCT_CHANGE' | 'STOLEN' | 'VIRTUAL_TO_PHYSICAL'
export type FulfillmentStatus = 'DIGITALLY_PRESENTED' | 'ISSUED' | 'ORDERED' | 'REISSUED' | 'REJECTED' | 'REORDERED' | 'SHIPPED'

/**
 * Status changes a PATCH may ask for, by current status. TERMINATED is final. An UNACTIVATED card
 * becomes ACTIVE through activation (POST /cards/activate, the widget, or this PATCH).
 */
export const statusTransitions: Readonly<Record<CardStatus, readonly RequestedStatus[]>> = {
  UNACTIVATED: ['ACTIVE', 'SUSPENDED', 'TERMINATED'],
  ACTIVE: ['SUSPENDED', 'TERMINATED'],
  SUSPENDED: ['ACTIVE', 'TERMINATED'],
  PENDING: ['TERMINATED'],
  IMAGE_PENDING: ['TERMINATED'],
  IMAGE_REJECTED: ['TERMINATED'],
  REJECTED: [],
  TERMINATED: [],
}

/** The status_reason a change records when the request names none. */
export const defaultReason: Readonly<Record<RequestedStatus, string>> = { ACTIVE: 'NEW', SUSPENDED: 'REQ', TERMINATED: 'REQ' }

export type StatusDecision =
  | { ok: true }
  | { ok: false; code: 'expired' | 'final' | 'unchanged' | 'not_allowed' | 'no_customer'; allowed: readonly RequestedStatus[] }

/**
 * Whether a card in `current` may move to `requested`, in this precedence: an expired card
 * changes no more; a final status allows nothing; asking for the status it has is refused (so a
 * retry without Idempotency-Key cannot record a second change); then the transition table; and a
 * business card becomes ACTIVE only once a customer holds it.
 */
export function decideStatusChange(current: CardStatus, requested: RequestedStatus, card: { expired: boolean; hasCustomer: boolean }): StatusDecision {
  const allowed = statusTransitions[current]
  if (card.expired) return { ok: false, code: 'expired', allowed: [] }
  if (allowed.length === 0) return { ok: false, code: 'final', allowed }
  if (current === requested) return { ok: false, code: 'unchanged', allowed }
  if (!allowed.includes(requested)) return { ok: false, code: 'not_allowed', allowed }
  if (requested === 'ACTIVE' && !card.hasCustomer) return { ok: false, code: 'no_customer', allowed }
  return { ok: true }
}

/**
 * The spec's reissue table: LOST and STOLEN get a new PAN and end the old card at once; every
 * other reason keeps the PAN and ends the old card when the new one is activated.
 */
export function reissueEffect(reason: ReissueReason): { samePan: boolean; terminateOld: 'now' | 'on_activation'; oldReason: string } {
  if (reason === 'LOST') return { samePan: false, terminateOld: 'now', oldReason: 'LOS' }
  if (reason === 'STOLEN') return { samePan: false, terminateOld: 'now', oldReason: 'STO' }
  return { samePan: true, terminateOld: 'on_activation', oldReason: reason === 'EXPIRATION' ? 'EXP' : 'REQ' }
}

export type ReissueDecision = { ok: true } | { ok: false; code: 'already_reissued' | 'terminated' | 'form_mismatch'; detail: string }

/**
 * Whether `from` can be reissued for `reason`. A card is replaced once. A terminated card can be
 * replaced only with a new PAN (it was reported lost or stolen): its PAN must not live on.
 */
export function decideReissue(from: { status: CardStatus; reissuedToId: string | null; expired: boolean }, reason: ReissueReason): ReissueDecision {
  if (from.reissuedToId !== null) return { ok: false, code: 'already_reissued', detail: `the card was already reissued as ${from.reissuedToId}` }
  const effect = reissueEffect(reason)
  if ((from.status === 'TERMINATED' || from.expired) && effect.samePan && reason !== 'EXPIRATION') {
    return { ok: false, code: 'terminated', detail: `a terminated card is reissued only as LOST or STOLEN (with a new PAN) or on EXPIRATION; ${reason} keeps the PAN of a card that has ended` }
  }
  return { ok: true }
}

/** Fulfilment moves forward as the card producer reports it; SHIPPED and DIGITALLY_PRESENTED end it, REJECTED can be reordered. */
export const fulfillmentTransitions: Readonly<Record<FulfillmentStatus, readonly FulfillmentStatus[]>> = {
  ISSUED: ['ORDERED', 'REJECTED', 'SHIPPED', 'DIGITALLY_PRESENTED'],
  REISSUED: ['ORDERED', 'REJECTED', 'SHIPPED', 'DIGITALLY_PRESENTED'],
  ORDERED: ['SHIPPED', 'REJECTED'],
  REORDERED: ['ORDERED', 'SHIPPED', 'REJECTED'],
  REJECTED: ['REORDERED'],
  SHIPPED: [],
  DIGITALLY_PRESENTED: [],
}

export function decideFulfillment(current: FulfillmentStatus, next: FulfillmentStatus): { ok: true } | { ok: false; allowed: readonly FulfillmentStatus[] } {
  const allowed = fulfillmentTransitions[current]
  return allowed.includes(next) ? { ok: true } : { ok: false, allowed }
}

/** A card past its expiration time reads as TERMINATED with reason EXP, whatever was stored. */
export function effectiveStatus(stored: { status: CardStatus; reason: string | null; expiresAt: Date }, now: Date): { status: CardStatus; reason: string | null; expired: boolean } {
  const expired = now.getTime() > stored.expiresAt.getTime()
  if (expired && stored.status !== 'TERMINATED') return { status: 'TERMINATED', reason: 'EXP', expired }
  return { status: stored.status, reason: stored.reason, expired }
}
