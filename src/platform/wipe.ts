import { ApiError } from './errors.js'
import { materializeEventResources } from './events.js'
import type { Logger } from 'pino'
import type { Api, Services } from './http.js'
import type { DueWork } from './due-work.js'

/** A part of the bank: its routes, and the tables POST /v0/wipe empties (parents before children). */
export interface Domain {
  name: string
  register(api: Api): void
  wipeTables: readonly string[]
  /**
   * Background work this domain runs while the server is up (webhook delivery, hold expiry…).
   * Started after the server listens; the returned function stops it and waits for in-flight work.
   */
  startWorkers?(services: Services, log: Logger): () => Promise<void>
  /** What falls due on a workspace's clock, for a sandbox clock advance to run in time order. */
  dueWork?: readonly DueWork[]
}

/**
 * POST /v0/wipe: in a sandbox workspace, deletes the customer and account data the spec lists
 * (every domain's wipeTables, children first) and keeps configuration (workspaces, keys, account
 * templates, webhooks, events). One transaction: all of it goes, or none.
 */
export function registerWipe(api: Api, domains: readonly Domain[]): void {
  const tables = domains.flatMap((d) => d.wipeTables).reverse()
  api.write('wipeWorkspace', async ({ tx, workspace }) => {
    if (workspace.mode !== 'sandbox') throw new ApiError('WIPE_NOT_ENABLED', 'wipe is available in sandbox workspaces only')
    // Events stay; those that render their resource from rows about to go get it written in first.
    await materializeEventResources(tx, workspace.id)
    for (const table of tables) await tx`delete from ${tx(table)} where workspace_id = ${workspace.id}`
    return undefined
  })
}
