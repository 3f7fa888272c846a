// Digital wallet tokens: Apple Pay and Google Pay provisioning, and the token lifecycle.
//
// Apple's in-app provisioning encrypts the card for the wallet with the leaf certificate Apple
// sends: an ephemeral P-256 key agrees a secret with the certificate's public key (ECDH), and the
// pass data is sealed with AES-256-GCM under a key derived from it. Keel does the same, so the
// PAN leaves only sealed for the holder of that certificate's private key.

import { createCipheriv, createECDH, createHash, randomBytes, X509Certificate } from 'node:crypto'
import { ApiError, badBody } from '../../platform/errors.js'
import { changedFields, recordEvent } from '../../platform/events.js'
import { uuidv7 } from '../../platform/ids.js'
import type { CardContext } from '../service.js'
import type { CardRow } from '../store.js'
import { getPanEncrypted } from '../store.js'
import { getWalletToken, insertWalletToken, liveWalletTokensOf, updateWalletTokenState, type WalletTokenRow, type WalletTokenState } from './store.js'

type Json = Record<string, unknown>

/** The spec: ACTIVE ↔ SUSPENDED, and either to TERMINATED, which is final. */
export const walletTokenTransitions: Readonly<Record<WalletTokenState, readonly WalletTokenState[]>> = {
  REQUESTED: ['ACTIVE', 'TERMINATED'],
  ACTIVE: ['SUSPENDED', 'TERMINATED'],
  SUSPENDED: ['ACTIVE', 'TERMINATED'],
  REQUEST_DECLINED: [],
  TERMINATED: [],
}

export const toWalletToken = (r: WalletTokenRow): Json => ({
  id: r.id,
  card_id: r.card_id,
  type: r.type,
  state: r.state,
  device_type: r.device_type,
  ...(r.device_id ? { device_id: r.device_id } : {}),
  token_reference_id: r.token_reference_id,
  requested_time: r.requested_time.toISOString(),
  ...(r.approved_time ? { approved_time: r.approved_time.toISOString() } : {}),
  last_modified_time: r.updated_at.toISOString(),
})

async function saveToken(ctx: CardContext, before: WalletTokenRow, after: WalletTokenRow): Promise<Json> {
  await updateWalletTokenState(ctx.tx, after)
  const [b, a] = [toWalletToken(before), toWalletToken(after)]
  await recordEvent(ctx.tx, { at: after.updated_at, workspaceId: ctx.workspace.id, type: 'CARD.DIGITALWALLETTOKEN.UPDATED', resourceId: after.id, resource: a, changedFields: changedFields(b, a) })
  return a
}

export async function changeWalletTokenState(ctx: CardContext, id: string, state: WalletTokenState): Promise<Json> {
  const token = await getWalletToken(ctx.tx, ctx.workspace.id, id, true)
  if (!token) throw new ApiError('RESOURCE_NOT_FOUND', `digital wallet token ${id} not found`)
  const allowed = walletTokenTransitions[token.state]
  if (!allowed.includes(state)) throw new ApiError('INVALID_STATUS', `digital wallet token ${id} cannot go from ${token.state} to ${state}`, { valid_status: allowed })
  return saveToken(ctx, token, { ...token, state, updated_at: ctx.now })
}

/** A terminated card's tokens end with it. */
export async function terminateWalletTokens(ctx: CardContext, cardId: string): Promise<void> {
  for (const t of await liveWalletTokensOf(ctx.tx, ctx.workspace.id, cardId)) await saveToken(ctx, t, { ...t, state: 'TERMINATED', updated_at: ctx.now })
}

/** The spec: on reissue, a card's wallet tokens move to the card that replaces it. */
export async function reassignWalletTokens(ctx: CardContext, fromCardId: string, toCardId: string): Promise<void> {
  for (const t of await liveWalletTokensOf(ctx.tx, ctx.workspace.id, fromCardId)) await saveToken(ctx, t, { ...t, card_id: toCardId, updated_at: ctx.now })
}

function requireProvisionable(card: CardRow, now: Date): void {
  if (card.card_status !== 'ACTIVE' || card.expiration_time.getTime() < now.getTime()) {
    throw new ApiError('INVALID_STATUS', `card ${card.id} is ${card.card_status}; only an ACTIVE card is added to a wallet`, { valid_status: ['ACTIVE'] })
  }
}

async function newToken(ctx: CardContext, card: CardRow, type: WalletTokenRow['type'], deviceType: string, deviceId: string | null): Promise<WalletTokenRow> {
  // Sandbox provisioning is approved at once: there is no network token service to wait for.
  const row: WalletTokenRow = {
    workspace_id: ctx.workspace.id, id: uuidv7(), card_id: card.id, type, state: 'ACTIVE', device_type: deviceType, device_id: deviceId,
    token_reference_id: `DNITHE${randomBytes(12).toString('hex').toUpperCase()}`,
    requested_time: ctx.now, approved_time: ctx.now, created_at: ctx.now, updated_at: ctx.now,
  }
  await insertWalletToken(ctx.tx, row)
  await recordEvent(ctx.tx, { at: ctx.now, workspaceId: ctx.workspace.id, type: 'CARD.DIGITALWALLETTOKEN.CREATED', resourceId: row.id, resource: toWalletToken(row) })
  return row
}

/** The leaf certificate's P-256 public key, or a bad-request error. */
function leafPublicKey(certificates: string[]): Buffer {
  let cert: X509Certificate
  try {
    cert = new X509Certificate(Buffer.from(certificates[0] ?? '', 'base64'))
  } catch {
    throw badBody('certificates[0] is not a base64 DER X.509 certificate', { invalid: { 'certificates[0]': 'not a certificate' } })
  }
  const key = cert.publicKey
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw badBody('the leaf certificate must carry a P-256 (prime256v1) public key', { invalid: { 'certificates[0]': 'not a P-256 key' } })
  }
  const jwk = key.export({ format: 'jwk' }) as { x: string; y: string }
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')])
}

/** Key derivation of the sealed pass data: SHA-256 over the shared secret and a fixed label. */
export const passKeyLabel = 'keel apple pay pass data v1'

export async function provisionApple(ctx: CardContext, card: CardRow, body: { certificates: string[]; device_type: string; nonce: string; nonce_signature: string }): Promise<Json> {
  requireProvisionable(card, ctx.now)
  const leaf = leafPublicKey(body.certificates)
  const ephemeral = createECDH('prime256v1')
  ephemeral.generateKeys()
  const key = createHash('sha256').update(ephemeral.computeSecret(leaf)).update(passKeyLabel).digest()
  const pan = ctx.services.vault.decrypt((await getPanEncrypted(ctx.tx, ctx.workspace.id, card.pan_id))!)
  const exp = card.expiration_time
  const pass = JSON.stringify({
    primaryAccountNumber: pan,
    expiration: `${String(exp.getUTCMonth() + 1).padStart(2, '0')}/${String(exp.getUTCFullYear() % 100).padStart(2, '0')}`,
    name: card.emboss_name?.line_1 ?? '',
    nonce: body.nonce,
    nonceSignature: body.nonce_signature,
  })
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const sealed = Buffer.concat([iv, cipher.update(pass, 'utf8'), cipher.final(), cipher.getAuthTag()])
  const token = await newToken(ctx, card, 'APPLE_PAY', body.device_type, null)
  return {
    card_id: card.id,
    encrypted_pass_data: sealed.toString('base64'),
    ephemeral_public_key: ephemeral.getPublicKey().toString('base64'),
    activation_data: randomBytes(24).toString('base64'),
    created_time: token.created_at.toISOString(),
    last_modified_time: token.updated_at.toISOString(),
  }
}

export async function provisionGoogle(ctx: CardContext, card: CardRow, body: { device_id: string; device_type: string; wallet_account_id: string }): Promise<Json> {
  requireProvisionable(card, ctx.now)
  const token = await newToken(ctx, card, 'ANDROID_PAY', body.device_type, body.device_id)
  return {
    card_id: card.id,
    created_time: token.created_at.toISOString(),
    last_modified_time: token.updated_at.toISOString(),
    push_tokenize_request_data: {
      display_name: `${card.card_brand === 'VISA' ? 'Visa' : 'Mastercard'} •••• ${card.last_four}`,
      last_digits: card.last_four,
      network: card.card_brand,
      token_service_provider: card.card_brand === 'VISA' ? 'TOKEN_PROVIDER_VISA' : 'TOKEN_PROVIDER_MASTERCARD',
      // A reference the token service resolves, never the card number.
      opaque_payment_card: Buffer.from(JSON.stringify({ token_reference_id: token.token_reference_id })).toString('base64'),
    },
  }
}
