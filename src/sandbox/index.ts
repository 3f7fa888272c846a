import type { Sql } from '../platform/db.js'
import { WorkspaceClock } from '../platform/clock.js'
import type { Services } from '../platform/http.js'
import type { Workspace } from '../platform/workspaces.js'
import { advanceClock, targetOf } from './service.js'
import type { Domain } from '../platform/wipe.js'
import type { DueWork } from '../platform/due-work.js'
import { registerSandboxRoutes } from './routes.js'
import { clockChangedChannel, clockOffset, clockOffsets, parseClockChange } from './store.js'

export { clockChangedChannel }

export { keelExtensions } from './openapi.js'

/**
 * Keel's sandbox tools: the workspace clock a test can move forward. `work` lists every domain's
 * due work, read when an advance runs (src/domains.ts hands it the list it is part of).
 */
export function sandboxDomain(work: () => readonly DueWork[]): Domain {
  return {
    name: 'sandbox',
    register: (api) => registerSandboxRoutes(api, work),
    // A wipe keeps the clock: time never goes back.
    wipeTables: [],
  }
}

/** Loads every workspace's clock offset, and keeps them current as any process moves one. */
export async function followClocks(sql: Sql, clock: WorkspaceClock): Promise<void> {
  for (const { workspace_id, offset_ms } of await clockOffsets(sql)) clock.setOffset(workspace_id, offset_ms)
  await sql.listen(clockChangedChannel, (payload) => {
    const change = parseClockChange(payload)
    if (change) clock.setOffset(change.workspaceId, change.offsetMs)
  })
}

/** A clock that reads this workspace's stored offset (for a process that does not follow every change). */
async function clockOf(sql: Sql, workspaceId: string): Promise<WorkspaceClock> {
  const clock = new WorkspaceClock()
  clock.setOffset(workspaceId, await clockOffset(sql, workspaceId))
  return clock
}

/** A workspace's clock as this process reads it, after loading the stored offset. */
export async function workspaceTime(sql: Sql, workspaceId: string): Promise<Date> {
  return (await clockOf(sql, workspaceId)).now(workspaceId)
}

/**
 * Moves a sandbox workspace's clock outside the server (the `keel clock` command): what falls due
 * runs here, and every server hears the new offset.
 */
export async function advanceWorkspaceClock(services: Omit<Services, 'clock'>, work: readonly DueWork[], workspace: Pick<Workspace, 'id' | 'mode'>, body: { to?: string; by?: string }): Promise<Date> {
  const clock = await clockOf(services.sql, workspace.id)
  const all: Services = { ...services, clock }
  return advanceClock(all, work, workspace, targetOf(body, clock.now(workspace.id)))
}
