// SQL for authorization gateway configurations.

import type { Queryable } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'

export interface GatewayRow {
  workspace_id: string
  id: string
  url: string
  active: boolean
  card_products: string[]
  custom_headers_encrypted: string | null
  standin: { enabled?: boolean } | null
  created_at: Date
  updated_at: Date
}

export async function insertGateway(db: Queryable, row: GatewayRow): Promise<void> {
  await db`insert into card_gateways ${db({ ...row, standin: row.standin === null ? null : db.json(row.standin as never) } as never)}`
}

export async function updateGateway(db: Queryable, row: GatewayRow): Promise<void> {
  await db`update card_gateways set url = ${row.url}, active = ${row.active}, card_products = ${row.card_products}::uuid[],
             custom_headers_encrypted = ${row.custom_headers_encrypted}, standin = ${row.standin === null ? null : db.json(row.standin as never)},
             updated_at = ${row.updated_at}
           where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

export async function getGateway(db: Queryable, workspaceId: string, id: string, lock = false): Promise<GatewayRow | undefined> {
  const [row] = lock
    ? await db<GatewayRow[]>`select * from card_gateways where workspace_id = ${workspaceId} and id = ${id} for update`
    : await db<GatewayRow[]>`select * from card_gateways where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

export async function listGateways(db: Queryable, workspaceId: string, page: Page): Promise<GatewayRow[]> {
  return db<GatewayRow[]>`select * from card_gateways where workspace_id = ${workspaceId} ${page.afterId ? db`and id > ${page.afterId}` : db``} order by id limit ${page.limit + 1}`
}
