// SQL for digital wallet tokens.

import type { Queryable } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'

export type WalletTokenState = 'ACTIVE' | 'REQUESTED' | 'REQUEST_DECLINED' | 'SUSPENDED' | 'TERMINATED'

export interface WalletTokenRow {
  workspace_id: string
  id: string
  card_id: string
  type: 'APPLE_PAY' | 'ANDROID_PAY'
  state: WalletTokenState
  device_type: string
  device_id: string | null
  token_reference_id: string
  requested_time: Date
  approved_time: Date | null
  created_at: Date
  updated_at: Date
}

export async function insertWalletToken(db: Queryable, row: WalletTokenRow): Promise<void> {
  await db`insert into digital_wallet_tokens ${db(row as never)}`
}

export async function getWalletToken(db: Queryable, workspaceId: string, id: string, lock = false): Promise<WalletTokenRow | undefined> {
  const [row] = lock
    ? await db<WalletTokenRow[]>`select * from digital_wallet_tokens where workspace_id = ${workspaceId} and id = ${id} for update`
    : await db<WalletTokenRow[]>`select * from digital_wallet_tokens where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

export async function updateWalletTokenState(db: Queryable, row: WalletTokenRow): Promise<void> {
  await db`update digital_wallet_tokens set state = ${row.state}, card_id = ${row.card_id}, updated_at = ${row.updated_at} where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

/** Tokens of a card that can still be used (locked for the caller's change). */
export async function liveWalletTokensOf(db: Queryable, workspaceId: string, cardId: string): Promise<WalletTokenRow[]> {
  return db<WalletTokenRow[]>`select * from digital_wallet_tokens where workspace_id = ${workspaceId} and card_id = ${cardId} and state in ('ACTIVE', 'REQUESTED', 'SUSPENDED') order by id for update`
}

/** The spec: on reissue, a card's wallet tokens move to the card that replaces it. */
export async function reassignWalletTokens(db: Queryable, workspaceId: string, fromCardId: string, toCardId: string, now: Date): Promise<void> {
  await db`update digital_wallet_tokens set card_id = ${toCardId}, updated_at = ${now} where workspace_id = ${workspaceId} and card_id = ${fromCardId} and state <> 'TERMINATED'`
}

export async function listWalletTokens(db: Queryable, workspaceId: string, f: { cardId?: string; state?: string }, page: Page): Promise<WalletTokenRow[]> {
  return db<WalletTokenRow[]>`
    select * from digital_wallet_tokens where workspace_id = ${workspaceId}
      ${f.cardId ? db`and card_id = ${f.cardId}` : db``}
      ${f.state ? db`and state = ${f.state}` : db``}
      ${page.afterId ? db`and id > ${page.afterId}` : db``}
    order by id limit ${page.limit + 1}`
}
