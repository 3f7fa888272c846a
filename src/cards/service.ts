// Issuing and changing cards: the rules between a request and the rows. Every change of a card
// writes its /changes entry and its CARD.* event in the caller's transaction.

import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { assert } from '../platform/assert.js'
import type { Queryable, Tx } from '../platform/db.js'
import { ApiError, badBody } from '../platform/errors.js'
import { changedFields, recordEvent } from '../platform/events.js'
import type { Services } from '../platform/http.js'
import { uuidv7 } from '../platform/ids.js'
import { declaredShape, sameJson } from '../platform/objects.js'
import { emboss_name, shipping } from '../spec/schemas.js'
import { requirePartnerVerified, type Workspace } from '../platform/workspaces.js'
import { cardAccount } from './accounts-port.js'
import { getCardImage } from './images/store.js'
import { decideReissue, decideStatusChange, defaultReason, effectiveStatus, reissueEffect, type CardStatus, type ReissueReason, type RequestedStatus } from './lifecycle.js'
import { expirationOf, newActivationCode, newCvv, newPan } from './pan.js'
import { holderDetails, requireBusiness, requirePerson, requireVerifiedParty } from './parties-port.js'
import { findProduct } from './products.js'
import { cardByActivationCode, getCard, insertCard, insertChange, insertPan, liveCardsOfHolder, lockHolder, updateCard, type CardChangeRow, type CardRow } from './store.js'
import { reassignWalletTokens, terminateWalletTokens } from './wallets/service.js'

type Json = Record<string, unknown>

/** Synctera: one physical and up to nine active virtual cards per account holder. */
export const physicalCardsPerHolderMax = 1
export const virtualCardsPerHolderMax = 9
/** Attempts at a PAN not yet used in the workspace (a collision needs ~10^7 cards under one BIN). */
export const panAttemptsMax = 8
export const embossLineLengthMax = 21
const recipientNameLengthMax = 30
const embossCharacters = /^[A-Za-z0-9 .,/\-&']+$/
/** Relationships that let a party hold a card on an account. An authorized signer signs, but is issued no card. */
export const cardHolderRelationships: ReadonlySet<string> = new Set(['PRIMARY_ACCOUNT_HOLDER', 'ACCOUNT_HOLDER', 'JOINT_ACCOUNT_HOLDER', 'AUTHORIZED_USER'])
/** The account states a card can be issued or activated on. */
const openAccountStatus = 'ACTIVE_OR_DISBURSED'
const openAccessStatus = 'ACTIVE'
export const pinDigits = 4
/** The status_reason of a card issued and not yet activated: initiated by the issuer. */
const issuedReason = 'ISS'

export interface CardContext { tx: Tx; services: Services; workspace: Workspace; now: Date }

// Views

export function toCard(row: CardRow, workspace: Workspace, now: Date): Json {
  const status = effectiveStatus({ status: row.card_status, reason: row.status_reason, expiresAt: row.expiration_time }, now)
  const exp = row.expiration_time
  const product = findProduct(workspace, row.card_product_id)
  return {
    id: row.id,
    form: row.form,
    type: row.card_type,
    card_product_id: row.card_product_id,
    card_brand: row.card_brand,
    bin: row.bin,
    tenant: workspace.id,
    account_id: row.account_id,
    ...(row.customer_id ? { customer_id: row.customer_id } : {}),
    ...(row.business_id ? { business_id: row.business_id } : {}),
    last_four: row.last_four,
    expiration_month: String(exp.getUTCMonth() + 1).padStart(2, '0'),
    expiration_year: String(exp.getUTCFullYear() % 100).padStart(2, '0'),
    expiration_time: exp.toISOString(),
    card_status: status.status,
    ...(status.reason ? { status_reason: status.reason } : {}),
    ...(row.memo !== null ? { memo: row.memo } : {}),
    is_pin_set: row.pin_hash !== null,
    ...(row.pin_set_at ? { timestamp_pin_set: row.pin_set_at.toISOString() } : {}),
    ...(row.emboss_name ? { emboss_name: row.emboss_name } : {}),
    ...(row.metadata ? { metadata: row.metadata } : {}),
    ...(row.reissue_reason ? { reissue_reason: row.reissue_reason } : {}),
    ...(row.reissued_from_id ? { reissued_from_id: row.reissued_from_id } : {}),
    ...(row.reissued_to_id ? { reissued_to_id: row.reissued_to_id } : {}),
    creation_time: row.created_at.toISOString(),
    last_modified_time: row.updated_at.toISOString(),
    ...(row.form === 'PHYSICAL' ? {
      physical_card_format: product?.physicalFormat ?? 'CHIP',
      card_fulfillment_status: row.fulfillment_status,
      ...(row.fulfillment_details ? { fulfillment_details: row.fulfillment_details } : {}),
      ...(row.shipping ? { shipping: row.shipping } : {}),
      ...(row.card_image_id ? { card_image_id: row.card_image_id } : {}),
    } : {}),
  }
}

export const toChange = (c: CardChangeRow): Json => ({
  id: c.id, change_type: c.change_type, channel: c.channel, state: c.state,
  ...(c.reason ? { reason: c.reason } : {}), ...(c.memo ? { memo: c.memo } : {}),
  updated_by: c.updated_by, updated_at: c.updated_at.toISOString(),
})

// Recording

type Channel = CardChangeRow['channel']

async function recordChange(ctx: CardContext, card: CardRow, change: { type: CardChangeRow['change_type']; state: string; reason?: string | null; memo?: string | null; channel: Channel }): Promise<void> {
  await insertChange(ctx.tx, {
    workspace_id: ctx.workspace.id, id: uuidv7(), card_id: card.id, change_type: change.type, channel: change.channel,
    state: change.state, reason: change.reason ?? null, memo: change.memo ?? null,
    updated_by: change.channel === 'SYSTEM' ? 'system' : 'api', updated_at: ctx.now,
  })
}

/**
 * Writes the changed card and its CARD.UPDATED event; a card whose every column but its time is as
 * it was is answered as it is, with no write and no event.
 */
export async function saveCard(ctx: CardContext, before: CardRow, after: CardRow): Promise<Json> {
  if (sameJson({ ...before, updated_at: null }, { ...after, updated_at: null })) return toCard(before, ctx.workspace, ctx.now)
  await updateCard(ctx.tx, after)
  const [b, a] = [toCard(before, ctx.workspace, ctx.now), toCard(after, ctx.workspace, ctx.now)]
  await recordEvent(ctx.tx, { at: ctx.now, workspaceId: ctx.workspace.id, type: 'CARD.UPDATED', resourceId: after.id, resource: a, changedFields: changedFields(b, a) })
  return a
}

export async function requireCard(db: Queryable, workspaceId: string, id: string, lock = false): Promise<CardRow> {
  const row = await getCard(db, workspaceId, id, lock)
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `card ${id} not found`)
  return row
}

// Holders

/** The account must be open and the holder related to it and verified. */
async function checkHolder(db: Queryable, workspaceId: string, accountId: string, holder: { customerId: string | null; businessId: string | null }): Promise<void> {
  const account = await cardAccount(db, workspaceId, accountId)
  if (!account) throw new ApiError('ACCOUNT_NOT_FOUND', `account_id ${accountId} names no account in this workspace`)
  if (account.status !== openAccountStatus) throw new ApiError('IMPROPER_ACCOUNT_STATUS', `account ${accountId} is ${account.status}; cards are issued on ${openAccountStatus} accounts`)
  if (account.accessStatus !== openAccessStatus) throw new ApiError('IMPROPER_ACCOUNT_ACCESS_STATUS', `account ${accountId} access is ${account.accessStatus}; cards are issued on ${openAccessStatus} accounts`)
  if (holder.customerId) {
    await requirePerson(db, workspaceId, holder.customerId, 'customer_id')
    if (!account.relationships.some((r) => r.personId === holder.customerId && cardHolderRelationships.has(r.type))) {
      throw new ApiError('IMPROPER_ACCOUNT_CUSTOMER_RELATIONSHIP', `customer ${holder.customerId} holds no relationship on account ${accountId} that allows a card (${[...cardHolderRelationships].join(', ')})`)
    }
    await requireVerifiedParty(db, workspaceId, { customerId: holder.customerId })
  }
  if (holder.businessId) {
    await requireBusiness(db, workspaceId, holder.businessId, 'business_id')
    if (!account.relationships.some((r) => r.businessId === holder.businessId && cardHolderRelationships.has(r.type))) {
      throw new ApiError('IMPROPER_ACCOUNT_CUSTOMER_RELATIONSHIP', `business ${holder.businessId} holds no relationship on account ${accountId} that allows a card`)
    }
    await requireVerifiedParty(db, workspaceId, { businessId: holder.businessId })
  }
}

function checkEmboss(emboss: Json | undefined): void {
  if (!emboss) return
  for (const line of ['line_1', 'line_2']) {
    const v = emboss[line]
    if (v === undefined) continue
    if (typeof v !== 'string' || v.length === 0 || v.length > embossLineLengthMax || !embossCharacters.test(v)) {
      throw badBody(`emboss_name.${line} is 1 to ${embossLineLengthMax} of A-Z a-z 0-9 space . , / - & '`, { invalid: { [`emboss_name.${line}`]: 'invalid emboss text' } })
    }
  }
}

/** What the spec makes every card show: an emboss name, and for a physical card where it ships. */
async function defaults(db: Queryable, workspaceId: string, holder: { customerId: string | null; businessId: string | null }): Promise<{ emboss: NonNullable<CardRow['emboss_name']>; shipping: Json }> {
  const details = await holderDetails(db, workspaceId, holder)
  const text = details.name.replace(/[^A-Za-z0-9 .,/\-&']/g, '').slice(0, embossLineLengthMax).trim()
  return {
    emboss: { line_1: text || 'CARDHOLDER' },
    shipping: {
      method: 'LOCAL_MAIL', is_expedited_fulfillment: false,
      ...(details.address ? { address: details.address } : {}),
      ...(details.recipient ? { recipient_name: { first_name: details.recipient.first_name.slice(0, recipientNameLengthMax), last_name: details.recipient.last_name.slice(0, recipientNameLengthMax) } } : {}),
    },
  }
}

async function newPanId(ctx: CardContext, bin: string): Promise<{ panId: string; lastFour: string }> {
  const { vault } = ctx.services
  for (let attempt = 0; attempt < panAttemptsMax; attempt++) {
    const pan = newPan(bin)
    const id = uuidv7()
    if (await insertPan(ctx.tx, { workspace_id: ctx.workspace.id, id, fingerprint: vault.fingerprint(pan), pan_encrypted: vault.encrypt(pan), created_at: ctx.now })) {
      return { panId: id, lastFour: pan.slice(-4) }
    }
  }
  throw new Error(`no unused PAN under BIN ${bin} after ${panAttemptsMax} attempts`)
}

export const activationFingerprint = (services: Services, code: string): string => services.vault.fingerprint(`activation-code:${code}`)

// Issuing

export async function issueCard(ctx: CardContext, body: Json): Promise<Json> {
  requirePartnerVerified(ctx.workspace)
  const form = body.form as 'PHYSICAL' | 'VIRTUAL'
  const product = body.card_product_id === undefined ? undefined : findProduct(ctx.workspace, body.card_product_id as string)
  if (body.card_product_id === undefined) throw badBody('card_product_id is required', { missing: ['card_product_id'] })
  if (!product) throw badBody(`card_product_id ${body.card_product_id} names no card product of this workspace (GET /v0/cards/products)`, { invalid: { card_product_id: 'no such card product' } })
  if (body.type !== undefined && body.type !== product.cardType) throw badBody(`card product ${product.id} issues ${product.cardType} cards, not ${body.type}`, { invalid: { type: `must be ${product.cardType} for this product` } })
  if (product.form !== form) throw badBody(`card product ${product.id} issues ${product.form} cards, not ${form}`, { invalid: { form: `must be ${product.form} for this product` } })
  if ((body.reissued_from_id === undefined) !== (body.reissue_reason === undefined)) {
    throw badBody('reissued_from_id and reissue_reason go together', { missing: [body.reissued_from_id === undefined ? 'reissued_from_id' : 'reissue_reason'] })
  }

  let from: CardRow | undefined
  if (body.reissued_from_id !== undefined) {
    from = await getCard(ctx.tx, ctx.workspace.id, body.reissued_from_id as string, true)
    if (!from) throw badBody(`reissued_from_id ${body.reissued_from_id} names no card`, { invalid: { reissued_from_id: 'no such card' } })
    for (const f of ['account_id', 'customer_id', 'business_id'] as const) {
      if (body[f] !== undefined && body[f] !== from[f]) throw badBody(`a reissued card keeps the ${f} of the card it replaces`, { invalid: { [f]: 'differs from the replaced card' } })
    }
    const status = effectiveStatus({ status: from.card_status, reason: from.status_reason, expiresAt: from.expiration_time }, ctx.now)
    const decision = decideReissue({ status: status.status, reissuedToId: from.reissued_to_id, expired: status.expired }, body.reissue_reason as ReissueReason)
    if (!decision.ok) throw new ApiError('INVALID_STATUS', decision.detail)
  }
  const accountId = (body.account_id as string | undefined) ?? from?.account_id
  if (!accountId) throw badBody('account_id is required', { missing: ['account_id'] })
  const holder = { customerId: (body.customer_id as string | undefined) ?? from?.customer_id ?? null, businessId: (body.business_id as string | undefined) ?? from?.business_id ?? null }
  if (!holder.customerId && !holder.businessId) throw badBody('a card is issued to a customer_id, or to a business_id', { missing: ['customer_id'] })
  checkEmboss(body.emboss_name as Json | undefined)
  await checkHolder(ctx.tx, ctx.workspace.id, accountId, holder)

  // Limits per holder and account; one holder's issues are serialized so two at once cannot both pass.
  await lockHolder(ctx.tx, ctx.workspace.id, accountId, holder)
  const live = (await liveCardsOfHolder(ctx.tx, ctx.workspace.id, accountId, holder)).filter((c) => c.id !== from?.id && !effectiveStatus({ status: c.card_status, reason: c.status_reason, expiresAt: c.expiration_time }, ctx.now).expired)
  const sameForm = live.filter((c) => c.form === form).length
  const max = form === 'PHYSICAL' ? physicalCardsPerHolderMax : virtualCardsPerHolderMax
  if (sameForm >= max) {
    throw new ApiError('INVALID_STATUS', `the holder already has ${sameForm} ${form.toLowerCase()} card(s) on account ${accountId} that are not terminated; the limit is ${max} (terminate or reissue one)`)
  }

  const imageId = body.card_image_id as string | undefined
  if (form === 'VIRTUAL' && imageId !== undefined) throw badBody('card_image_id is for physical cards', { invalid: { card_image_id: 'virtual cards have no image' } })
  if (product.imageMode && imageId === undefined) throw badBody(`card product ${product.id} requires a custom card image (card_image_id), uploaded and approved first`, { missing: ['card_image_id'] })
  if (!product.imageMode && imageId !== undefined) throw badBody(`card product ${product.id} takes no custom card images`, { invalid: { card_image_id: 'product has no custom images' } })
  if (imageId !== undefined) {
    const image = await getCardImage(ctx.tx, ctx.workspace.id, imageId)
    if (!image) throw badBody(`card_image_id ${imageId} names no card image`, { invalid: { card_image_id: 'no such image' } })
    if (image.card_product_id !== product.id || image.customer_id !== holder.customerId) {
      throw badBody(`card image ${imageId} was made for another card product or customer`, { invalid: { card_image_id: 'other product or customer' } })
    }
    if (image.status !== 'APPROVED') throw new ApiError('INVALID_STATUS', `card image ${imageId} is ${image.status}; the product issues only with an APPROVED image`, { valid_status: ['APPROVED'] })
  }

  const effect = from ? reissueEffect(body.reissue_reason as ReissueReason) : undefined
  const pan = effect?.samePan && from ? { panId: from.pan_id, lastFour: from.last_four } : await newPanId(ctx, product.bin)
  if (effect?.samePan && from && from.bin !== product.bin) throw badBody(`reissue reason ${body.reissue_reason} keeps the PAN, whose BIN ${from.bin} is not the product's (${product.bin}); use a product with the same BIN`, { invalid: { card_product_id: 'BIN differs' } })
  const { vault } = ctx.services
  const activationCode = form === 'PHYSICAL' ? newActivationCode() : undefined
  const status: CardStatus = form === 'VIRTUAL' ? 'ACTIVE' : 'UNACTIVATED'
  const fallback = await defaults(ctx.tx, ctx.workspace.id, holder)
  const row: CardRow = {
    workspace_id: ctx.workspace.id, id: uuidv7(), pan_id: pan.panId, card_product_id: product.id, form,
    card_type: product.cardType, card_brand: product.brand, bin: product.bin, last_four: pan.lastFour,
    account_id: accountId, customer_id: holder.customerId, business_id: holder.businessId,
    card_status: status, status_reason: status === 'ACTIVE' ? 'NEW' : issuedReason, memo: null,
    fulfillment_status: form === 'PHYSICAL' ? (from ? 'REISSUED' : 'ISSUED') : null, fulfillment_details: null,
    cvv_encrypted: vault.encrypt(newCvv()), expiration_time: expirationOf(ctx.now),
    activation_code_encrypted: activationCode ? vault.encrypt(activationCode) : null,
    activation_code_fingerprint: activationCode ? activationFingerprint(ctx.services, activationCode) : null,
    // The spec: a reissued card keeps the PIN of the card it replaces.
    pin_hash: from?.pin_hash ?? null, pin_set_at: from?.pin_set_at ?? null,
    reissue_reason: (body.reissue_reason as ReissueReason | undefined) ?? null, reissued_from_id: from?.id ?? null, reissued_to_id: null,
    card_image_id: imageId ?? null,
    // Kept as the spec declares them: undeclared properties a request gives are not shown back.
    emboss_name: (declaredShape(emboss_name, body.emboss_name) as CardRow['emboss_name']) ?? from?.emboss_name ?? fallback.emboss,
    shipping: form === 'PHYSICAL' ? ((declaredShape(shipping, body.shipping) as Json | undefined) ?? from?.shipping ?? fallback.shipping) : null,
    metadata: (body.metadata as Record<string, string> | undefined) ?? null,
    created_at: ctx.now, updated_at: ctx.now,
  }
  await insertCard(ctx.tx, row)
  await recordChange(ctx, row, { type: 'STATUS', state: row.card_status, reason: row.status_reason, channel: 'API' })
  if (row.fulfillment_status) await recordChange(ctx, row, { type: 'FULFILLMENT', state: row.fulfillment_status, channel: 'SYSTEM' })
  const resource = toCard(row, ctx.workspace, ctx.now)
  await recordEvent(ctx.tx, { at: ctx.now, workspaceId: ctx.workspace.id, type: 'CARD.CREATED', resourceId: row.id, resource })

  if (from && effect) {
    const replaced: CardRow = { ...from, reissued_to_id: row.id, updated_at: ctx.now }
    // A virtual replacement is active at once, so "on activation" is now.
    if (effect.terminateOld === 'now' || row.card_status === 'ACTIVE') await endReplacedCard(ctx, from, replaced, row)
    else await saveCard(ctx, from, replaced)
  }
  return resource
}

/** Terminates the card a reissue replaced, moving its digital wallet tokens to the new card. */
async function endReplacedCard(ctx: CardContext, before: CardRow, replaced: CardRow, successor: CardRow): Promise<void> {
  const reason = reissueEffect(successor.reissue_reason!).oldReason
  const after: CardRow = replaced.card_status === 'TERMINATED' ? replaced : { ...replaced, card_status: 'TERMINATED', status_reason: reason, updated_at: ctx.now }
  if (after !== replaced) await recordChange(ctx, after, { type: 'STATUS', state: 'TERMINATED', reason, channel: 'SYSTEM' })
  await saveCard(ctx, before, after)
  await reassignWalletTokens(ctx, before.id, successor.id)
}

// Status changes

function statusError(decision: Exclude<ReturnType<typeof decideStatusChange>, { ok: true }>, card: CardRow, requested: string): ApiError {
  const detail = {
    expired: `card ${card.id} has expired; reissue it (reissue_reason EXPIRATION)`,
    final: `card ${card.id} is ${card.card_status}, which is final`,
    unchanged: `card ${card.id} is already ${requested}`,
    not_allowed: `card ${card.id} cannot go from ${card.card_status} to ${requested}`,
    no_customer: `card ${card.id} is held by a business with no customer yet; assign a customer_id before activating it`,
  }[decision.code]
  return new ApiError('INVALID_STATUS', detail, { valid_status: decision.allowed })
}

/** Activation: UNACTIVATED → ACTIVE; a reissue's predecessor ends now if it was waiting for this. */
async function activate(ctx: CardContext, card: CardRow, channel: Channel, memo: string | null, changed: CardRow = card): Promise<Json> {
  const after: CardRow = { ...changed, card_status: 'ACTIVE', status_reason: 'NEW', memo: memo ?? changed.memo, updated_at: ctx.now }
  await recordChange(ctx, after, { type: 'STATUS', state: 'ACTIVE', reason: 'NEW', memo, channel })
  const view = await saveCard(ctx, card, after)
  if (card.reissued_from_id) {
    const old = await getCard(ctx.tx, ctx.workspace.id, card.reissued_from_id, true)
    if (old && old.card_status !== 'TERMINATED') await endReplacedCard(ctx, old, old, after)
  }
  return view
}

export async function activateUnactivated(ctx: CardContext, card: CardRow, channel: Channel): Promise<Json> {
  const status = effectiveStatus({ status: card.card_status, reason: card.status_reason, expiresAt: card.expiration_time }, ctx.now)
  if (status.status !== 'UNACTIVATED') throw new ApiError('INVALID_STATUS', `card ${card.id} is ${status.status}; only an UNACTIVATED card is activated`, { valid_status: ['UNACTIVATED'] })
  if (!card.customer_id) throw new ApiError('INVALID_STATUS', `card ${card.id} has no customer yet; assign a customer_id before activating it`)
  await checkHolder(ctx.tx, ctx.workspace.id, card.account_id, { customerId: card.customer_id, businessId: null })
  return activate(ctx, card, channel, null)
}

/** POST /cards/activate: the code printed with the card proves the customer holds it. */
export async function activateByCode(ctx: CardContext, body: { activation_code: string; customer_id: string }): Promise<Json> {
  await requirePerson(ctx.tx, ctx.workspace.id, body.customer_id, 'customer_id')
  const card = /^[0-9]+$/.test(body.activation_code) ? await cardByActivationCode(ctx.tx, ctx.workspace.id, activationFingerprint(ctx.services, body.activation_code)) : undefined
  if (!card || card.customer_id !== body.customer_id) throw badBody('activation_code matches no card of this customer', { invalid: { activation_code: 'no matching card' } })
  return activateUnactivated(ctx, card, 'API')
}

export async function changeCard(ctx: CardContext, cardId: string, body: Json): Promise<Json> {
  const card = await requireCard(ctx.tx, ctx.workspace.id, cardId, true)
  const status = effectiveStatus({ status: card.card_status, reason: card.status_reason, expiresAt: card.expiration_time }, ctx.now)
  if (body.reason !== undefined && body.card_status === undefined) throw badBody('reason goes with a card_status change', { invalid: { reason: 'needs card_status' } })
  const onlyMetadata = Object.keys(body).every((k) => k === 'metadata')
  if ((status.status === 'TERMINATED' || status.expired) && !onlyMetadata) {
    throw new ApiError('INVALID_STATUS', `card ${card.id} is ${status.status}${status.expired ? ' (expired)' : ''}; only its metadata can change`, { valid_status: [] })
  }
  let next: CardRow = { ...card, updated_at: ctx.now }
  if (body.metadata !== undefined) next.metadata = body.metadata as Record<string, string>
  if (body.emboss_name !== undefined) { checkEmboss(body.emboss_name as Json); next.emboss_name = declaredShape(emboss_name, body.emboss_name) as CardRow['emboss_name'] }
  if (body.memo !== undefined && body.card_status === undefined) next.memo = body.memo as string
  if (body.customer_id !== undefined && body.customer_id !== card.customer_id) {
    if (card.customer_id !== null) throw badBody(`card ${card.id} already belongs to customer ${card.customer_id}; a card's customer does not change (issue a new card)`, { invalid: { customer_id: 'cannot change' } })
    await checkHolder(ctx.tx, ctx.workspace.id, card.account_id, { customerId: body.customer_id as string, businessId: null })
    next.customer_id = body.customer_id as string
  }
  const requested = body.card_status as RequestedStatus | undefined
  if (requested === undefined) return saveCard(ctx, card, next)

  const decision = decideStatusChange(status.status, requested, { expired: status.expired, hasCustomer: next.customer_id !== null })
  if (!decision.ok) throw statusError(decision, card, requested)
  const reason = (body.reason as string | undefined) ?? defaultReason[requested]
  const memo = (body.memo as string | undefined) ?? null
  if (requested === 'ACTIVE' && status.status === 'UNACTIVATED') {
    // Activation asks what activating by code asks: the account still open, the holder still verified.
    await checkHolder(ctx.tx, ctx.workspace.id, next.account_id, { customerId: next.customer_id, businessId: null })
    return activate(ctx, card, 'API', memo, next)
  }
  next = { ...next, card_status: requested, status_reason: reason, memo: memo ?? next.memo }
  await recordChange(ctx, next, { type: 'STATUS', state: requested, reason, memo, channel: 'API' })
  if (requested === 'TERMINATED') await terminateWalletTokens(ctx, card.id)
  return saveCard(ctx, card, next)
}

// PIN

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number }) => Promise<Buffer>
const pinScrypt = { N: 16384, r: 8, p: 1 }
const pinSaltBytes = 16
const pinHashBytes = 32

/** A PIN that anyone would guess first: one digit repeated, or a run up or down. */
export function isWeakPin(pin: string): boolean {
  const d = [...pin].map(Number)
  const step = d[1] - d[0]
  return (step === 0 || step === 1 || step === -1) && d.every((x, i) => i === 0 || x - d[i - 1] === step)
}

export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(pinSaltBytes)
  const hash = await scrypt(pin, salt, pinHashBytes, pinScrypt)
  return `scrypt$${pinScrypt.N}$${salt.toString('base64')}$${hash.toString('base64')}`
}

export async function pinMatches(pin: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, hash] = stored.split('$')
  assert(scheme === 'scrypt' && Number(n) === pinScrypt.N, 'stored PIN hash has a known form')
  const candidate = await scrypt(pin, Buffer.from(salt, 'base64'), pinHashBytes, pinScrypt)
  return timingSafeEqual(candidate, Buffer.from(hash, 'base64'))
}

/** Sets or changes the PIN (only the widget calls this): stored as a salted scrypt hash. */
export async function setPin(ctx: CardContext, card: CardRow, pin: string): Promise<Json> {
  if (!new RegExp(`^[0-9]{${pinDigits}}$`).test(pin)) throw badBody(`a PIN is ${pinDigits} digits`, { invalid: { pin: `${pinDigits} digits` } })
  if (isWeakPin(pin)) throw badBody('choose a PIN that is not one digit repeated or a run of digits', { invalid: { pin: 'too easy to guess' } })
  const status = effectiveStatus({ status: card.card_status, reason: card.status_reason, expiresAt: card.expiration_time }, ctx.now)
  if (status.status === 'TERMINATED') throw new ApiError('INVALID_STATUS', `card ${card.id} is TERMINATED`)
  const after: CardRow = { ...card, pin_hash: await hashPin(pin), pin_set_at: ctx.now, updated_at: ctx.now }
  await recordChange(ctx, after, { type: 'PIN', state: card.pin_hash ? 'CHANGED' : 'SET', channel: 'API' })
  return saveCard(ctx, card, after)
}
