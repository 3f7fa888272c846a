// The sandbox clocks: how far each sandbox workspace's clock runs ahead of real time.

import type { Queryable, Sql } from '../platform/db.js'

/** Told of every offset change, by every Keel process (the payload is the workspace id). */
export const clockChangedChannel = 'keel_clock_changed'

export async function clockOffsets(db: Queryable): Promise<{ workspace_id: string; offset_ms: number }[]> {
  return db<{ workspace_id: string; offset_ms: number }[]>`select workspace_id, offset_ms::float8 as offset_ms from workspace_clocks`
}

export async function clockOffset(db: Queryable, workspaceId: string): Promise<number> {
  const [row] = await db<{ offset_ms: number }[]>`select offset_ms::float8 as offset_ms from workspace_clocks where workspace_id = ${workspaceId}`
  return row?.offset_ms ?? 0
}

/** Stores a larger offset (never a smaller one) and tells every process. */
export async function storeClockOffset(sql: Sql, workspaceId: string, offsetMs: number, realNow: Date): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`insert into workspace_clocks (workspace_id, offset_ms, updated_at) values (${workspaceId}, ${Math.round(offsetMs)}, ${realNow})
             on conflict (workspace_id) do update set offset_ms = greatest(workspace_clocks.offset_ms, excluded.offset_ms), updated_at = excluded.updated_at`
    await tx`select pg_notify(${clockChangedChannel}, ${workspaceId})`
  })
}
