// SQL for custom card images.

import type { Queryable } from '../../platform/db.js'

export type CardImageStatus = 'NOT_UPLOADED' | 'UNREVIEWED' | 'APPROVED' | 'REJECTED'

export interface CardImageRow {
  workspace_id: string
  id: string
  card_product_id: string
  customer_id: string
  status: CardImageStatus
  rejection_reason: string | null
  rejection_memo: string | null
  width: number | null
  height: number | null
  created_at: Date
  updated_at: Date
}

const columns = (db: Queryable) => db`workspace_id, id, card_product_id, customer_id, status, rejection_reason, rejection_memo, width, height, created_at, updated_at`

export async function insertCardImage(db: Queryable, row: CardImageRow): Promise<void> {
  await db`insert into card_images ${db(row as never)}`
}

export async function getCardImage(db: Queryable, workspaceId: string, id: string, lock = false): Promise<CardImageRow | undefined> {
  const [row] = lock
    ? await db<CardImageRow[]>`select ${columns(db)} from card_images where workspace_id = ${workspaceId} and id = ${id} for update`
    : await db<CardImageRow[]>`select ${columns(db)} from card_images where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

export async function updateCardImage(db: Queryable, row: CardImageRow, data?: Buffer): Promise<void> {
  await db`update card_images set status = ${row.status}, rejection_reason = ${row.rejection_reason}, rejection_memo = ${row.rejection_memo},
             width = ${row.width}, height = ${row.height}, updated_at = ${row.updated_at}
             ${data ? db`, data = ${data}` : db``}
           where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

export async function cardImageData(db: Queryable, workspaceId: string, id: string): Promise<Buffer | null | undefined> {
  const [row] = await db<{ data: Buffer | null }[]>`select data from card_images where workspace_id = ${workspaceId} and id = ${id}`
  return row ? row.data : undefined
}

export async function cardImagesOf(db: Queryable, workspaceId: string, customerId: string, limit: number): Promise<CardImageRow[]> {
  return db<CardImageRow[]>`select ${columns(db)} from card_images where workspace_id = ${workspaceId} and customer_id = ${customerId} order by id limit ${limit}`
}
