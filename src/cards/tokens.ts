// Widget access tokens: what lets a cardholder's browser reach one card's data without the
// fintech's servers handling it. A client token is bound to one card; a single-use token to one
// account and customer. Both last five minutes, work once, and belong to one workspace. Only the
// token's SHA-256 is stored.

import { randomBytes } from 'node:crypto'
import { sha256Hex } from '../platform/crypto.js'
import type { Queryable } from '../platform/db.js'
import { insertAccessToken, lockAccessToken, markAccessTokenUsed, type AccessTokenRow } from './store.js'

export const accessTokenLifetimeMs = 5 * 60 * 1000
const accessTokenBytes = 32

export async function issueAccessToken(db: Queryable, workspaceId: string, now: Date, binding: { kind: 'CLIENT'; cardId: string } | { kind: 'SINGLE_USE'; accountId: string; customerId: string }): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(accessTokenBytes).toString('base64url')
  const expiresAt = new Date(now.getTime() + accessTokenLifetimeMs)
  await insertAccessToken(db, {
    workspace_id: workspaceId, token_hash: sha256Hex(token), kind: binding.kind,
    card_id: binding.kind === 'CLIENT' ? binding.cardId : null,
    account_id: binding.kind === 'SINGLE_USE' ? binding.accountId : null,
    customer_id: binding.kind === 'SINGLE_USE' ? binding.customerId : null,
    expires_at: expiresAt, used_at: null, created_at: now,
  })
  return { token, expiresAt }
}

export type TokenRefusal = 'unknown' | 'used' | 'expired'

/**
 * Takes a token for one use, in the caller's transaction: refused when unknown, already used or
 * expired. It is marked used now; if the transaction rolls back, so does that.
 */
export async function takeAccessToken(db: Queryable, workspaceId: string, token: string, now: Date): Promise<{ ok: true; row: AccessTokenRow } | { ok: false; refusal: TokenRefusal }> {
  const row = token.length > 0 && token.length <= 100 ? await lockAccessToken(db, workspaceId, sha256Hex(token)) : undefined
  if (!row) return { ok: false, refusal: 'unknown' }
  if (row.used_at) return { ok: false, refusal: 'used' }
  if (now.getTime() >= row.expires_at.getTime()) return { ok: false, refusal: 'expired' }
  await markAccessTokenUsed(db, workspaceId, row.token_hash, now)
  return { ok: true, row }
}
