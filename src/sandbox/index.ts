import type { Sql } from '../platform/db.js'
import type { WorkspaceClock } from '../platform/clock.js'
import type { Domain } from '../platform/wipe.js'
import { domains } from '../domains.js'
import { registerSandboxRoutes } from './routes.js'
import { clockChangedChannel, clockOffset, clockOffsets } from './store.js'

export { keelExtensions } from './openapi.js'

/** Keel's sandbox tools: the workspace clock a test can move forward. */
export const sandbox: Domain = {
  name: 'sandbox',
  // Every domain's due work, read when an advance runs (the list includes this domain itself).
  register: (api) => registerSandboxRoutes(api, () => domains.flatMap((d) => d.dueWork ?? [])),
  // A wipe keeps the clock: time never goes back.
  wipeTables: [],
}

/** Loads every workspace's clock offset, and keeps them current as any process moves one. */
export async function followClocks(sql: Sql, clock: WorkspaceClock): Promise<void> {
  for (const { workspace_id, offset_ms } of await clockOffsets(sql)) clock.setOffset(workspace_id, offset_ms)
  await sql.listen(clockChangedChannel, (workspaceId) => {
    void clockOffset(sql, workspaceId).then((ms) => clock.setOffset(workspaceId, ms), () => {})
  })
}
