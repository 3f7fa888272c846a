// An Idempotency-Key's stored outcome, read back from PostgreSQL: its answer's text, or the view and
// resource it is rendered from (src/platform/resource-views.ts).
import assert from 'node:assert/strict'
import type { Sql } from '../../src/platform/db.js'

export interface KeyRow { response_status: number; response_body: string | null; response_view: string | null; response_resource_id: string | null }

export async function keyRow(sql: Sql, workspaceId: string, key: string): Promise<KeyRow> {
  const [row] = await sql<KeyRow[]>`
    select response_status, response_body, response_view, response_resource_id from idempotency_keys where workspace_id = ${workspaceId} and key = ${key}`
  assert.ok(row, `key ${key} is stored`)
  return row
}
