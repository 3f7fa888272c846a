// The sandbox clocks: how far each sandbox workspace's clock runs ahead of real time.

import type { Queryable, Sql } from '../platform/db.js'

/** Told of every offset change, by every Keel process (the payload: clockChangePayload). */
export const clockChangedChannel = 'keel_clock_changed'

/** A change as notified: the workspace and its stored offset, so that listeners need no query. */
export const clockChangePayload = (workspaceId: string, offsetMs: number): string => `${workspaceId} ${offsetMs}`
export function parseClockChange(payload: string): { workspaceId: string; offsetMs: number } | undefined {
  const [workspaceId, ms] = payload.split(' ')
  const offsetMs = Number(ms)
  return workspaceId && Number.isSafeInteger(offsetMs) ? { workspaceId, offsetMs } : undefined
}

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
    const [stored] = await tx<{ offset_ms: number }[]>`
      insert into workspace_clocks (workspace_id, offset_ms, updated_at) values (${workspaceId}, ${Math.round(offsetMs)}, ${realNow})
      on conflict (workspace_id) do update set offset_ms = greatest(workspace_clocks.offset_ms, excluded.offset_ms), updated_at = excluded.updated_at
      returning offset_ms::float8 as offset_ms`
    await tx`select pg_notify(${clockChangedChannel}, ${clockChangePayload(workspaceId, stored.offset_ms)})`
  })
}
