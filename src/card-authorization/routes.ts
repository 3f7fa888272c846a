// The Card Transaction Simulations (sandbox only): each drives the engine as a network message would.

import type { FastifyRequest } from 'fastify'
import { ApiError } from '../platform/errors.js'
import { sendOutcome, type Api } from '../platform/http.js'
import { identityOf, keyClaimOf, type Outcome } from '../platform/idempotency.js'
import { isUuid } from '../platform/ids.js'
import { registerResourceView } from '../platform/resource-views.js'
import type { OperationId } from '../spec/schemas.js'
import type { LedgerBatcher } from '../ledger/index.js'
import type { CardSubType } from './decide.js'
import { cardMessageView, followUp, newMessage, renderMessages, type FollowUpMessage, type MessageContext, type NewMessage } from './service.js'

type Json = Record<string, any>

const amountOf = (body: Json, field = 'amount'): bigint => {
  const v = body[field]
  if (!Number.isSafeInteger(v)) throw new ApiError('BAD_REQUEST_BODY', `${field} must be an integer number of cents within 2^53 - 1`, { invalid: { [field]: 'not a safe integer' } })
  return BigInt(v)
}

/** A new message's common fields from a simulation body. */
function newFrom(body: Json, over: Partial<NewMessage> & Pick<NewMessage, 'type' | 'direction' | 'immediate'>): NewMessage {
  const acceptor = (body.card_acceptor as Json | undefined) ?? null
  const cashBack = body.cash_back_amount as number | undefined
  return {
    cardId: body.card_id, amount: over.inquiry ? 0n : amountOf(body), mid: body.mid ?? null, cardAcceptor: acceptor,
    partialAllowed: acceptor?.partial_approval_capable === true,
    subType: cashBack !== undefined && cashBack > 0 ? 'CARD.POS_CASHBACK' as CardSubType : null,
    cvv: body.card_options?.cvv, expiration: body.card_options?.expiration, pin: body.pin,
    ...over,
  }
}

export function registerSimulationRoutes(api: Api, batcher: () => LedgerBatcher): void {
  const { clock } = api.services
  // A message's answer, rendered again from its row: its Idempotency-Key outcome is stored by this view (service.ts, byView).
  registerResourceView(cardMessageView, renderMessages)

  const contextOf = (req: FastifyRequest): MessageContext => {
    const workspace = req.workspace
    const now = clock.now(workspace.id)
    const request = identityOf(req)
    return { services: api.services, batcher: batcher(), workspace, now, claim: keyClaimOf(workspace.id, req.headers['idempotency-key'], request, now), request, group: req.raw.socket }
  }

  const simulation = (id: OperationId, run: (ctx: MessageContext, body: Json) => Promise<Outcome>) => {
    api.route(id, async (req, reply) => sendOutcome(reply, await run(contextOf(req), req.body as Json)), { sandboxOnly: 'card transaction simulations' })
  }

  simulation('simulateAuthorization', (ctx, body) => {
    const incrementOf = body.transaction_options?.transaction_id as string | undefined
    if (incrementOf !== undefined && !isUuid(incrementOf)) {
      throw new ApiError('BAD_REQUEST_BODY', 'transaction_options.transaction_id names the authorization to raise by its token (a uuid)', { invalid: { 'transaction_options.transaction_id': 'not a uuid' } })
    }
    return newMessage(ctx, newFrom(body, { type: 'authorization', direction: 'DEBITS', immediate: false, incrementOf }))
  })
  simulation('simulateFinancial', (ctx, body) => newMessage(ctx, newFrom(body, { type: 'pindebit', direction: 'DEBITS', immediate: true })))
  simulation('simulateWithdrawal', (ctx, body) => newMessage(ctx, newFrom(body, { type: 'pindebit.atm.withdrawal', direction: 'DEBITS', immediate: true, subType: 'CARD.ATM_WITHDRAWAL' })))
  simulation('simulateOriginalCredit', (ctx, body) => newMessage(ctx, newFrom(body, { type: 'original.credit', direction: 'CREDITS', immediate: true })))
  simulation('simulateBalanceInquiry', (ctx, body) => newMessage(ctx, newFrom(body, { type: 'pindebit.balanceinquiry', direction: 'DEBITS', immediate: true, inquiry: true })))

  const follow = (body: Json, m: Pick<FollowUpMessage, 'kind' | 'type'> & Partial<FollowUpMessage>): FollowUpMessage => ({
    originalId: body.original_transaction_id, amount: m.kind === 'l2l3' ? 0n : amountOf(body), mid: body.mid ?? null, cardAcceptor: body.card_acceptor ?? null, ...m,
  })
  simulation('simulateAuthorizationAdvice', (ctx, body) => followUp(ctx, follow(body, { kind: 'advice', type: 'authorization.advice' })))
  simulation('simulateFinancialAdvice', (ctx, body) => followUp(ctx, follow(body, { kind: 'advice', type: 'pindebit.advice' })))
  simulation('simulateReversal', (ctx, body) => followUp(ctx, follow(body, { kind: 'reversal', type: 'authorization.reversal' })))
  simulation('simulateClearing', (ctx, body) => followUp(ctx, body.is_refund === true
    ? follow(body, { kind: 'refund', type: 'refund' })
    // `is_multi_clearing` (a Keel extension the spec's model leaves room for): more clearings follow, so the rest of the hold stays.
    : follow(body, { kind: 'clearing', type: 'authorization.clearing', moreToCome: body.is_multi_clearing === true })))
  simulation('simulatel2l3', (ctx, body) => {
    if (typeof body.original_transaction_id !== 'string') throw new ApiError('BAD_REQUEST_BODY', 'missing required fields: original_transaction_id', { missing: ['original_transaction_id'] })
    return followUp(ctx, follow(body, { kind: 'l2l3', type: 'l2l3' }))
  })
}
