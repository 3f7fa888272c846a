import { ApiError } from './errors.js'
import { materializeEventResources } from './events.js'
import { materializeOutcomeViews } from './idempotency.js'
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
 * How long one wipe attempt waits for a row a concurrent change holds before it lets go and tries
 * again, and how many attempts it makes before answering 503. Below PostgreSQL's deadlock_timeout
 * (1 s), so a wipe and a change waiting on each other always resolve in the change's favour.
 */
export const wipeLockWaitMs = 200
export const wipeAttemptsMax = 20

/**
 * POST /v0/wipe: in a sandbox workspace, deletes the customer and account data the spec lists
 * (every domain's wipeTables, children first) and keeps configuration (workspaces, keys, account
 * templates, webhooks, events). One transaction: all of it goes, or none.
 *
 * Atomic with respect to concurrent changes of the workspace: every change writes an event, and
 * writing an event takes a shared advisory lock on the workspace (migrations/0500_wipe_guard.sql).
 * The wipe takes it exclusively first, so no change commits between the rendering of events (and
 * Idempotency-Key outcomes) stored by view and the deletion of the rows they render from, which
 * would leave an event without its resource. A wipe that meets a change holding rows it must delete
 * gives way (its savepoint rolls back, freeing the workspace) and tries again.
 */
export function registerWipe(api: Api, domains: readonly Domain[]): void {
  const tables = domains.flatMap((d) => d.wipeTables).reverse()
  api.write('wipeWorkspace', async ({ tx, workspace }) => {
    if (workspace.mode !== 'sandbox') throw new ApiError('WIPE_NOT_ENABLED', 'wipe is available in sandbox workspaces only')
    await tx`select set_config('lock_timeout', ${`${wipeLockWaitMs}ms`}, true)`
    for (let attempt = 1; ; attempt++) {
      try {
        await tx.savepoint(async (sp) => {
          await sp`select pg_advisory_xact_lock(${wipeLockClass}, hashtext(${workspace.id}::text))`
          // Events and Idempotency-Key outcomes stay; those that render their resource from rows about
          // to go get it written in first.
          await materializeEventResources(sp, workspace.id)
          await materializeOutcomeViews(sp, workspace.id)
          for (const table of tables) await sp`delete from ${sp(table)} where workspace_id = ${workspace.id}`
        })
        break
      } catch (err) {
        if ((err as { code?: string }).code !== lockNotAvailable) throw err
        if (attempt >= wipeAttemptsMax) throw new ApiError('SERVICE_UNAVAILABLE', 'the workspace is busy with other changes; retry the wipe', {}, { retryAfterSeconds: 1 })
      }
    }
    await tx`select set_config('lock_timeout', '0', true)`
    return undefined
  })
}

/** The first key of the workspace lock events take shared and a wipe exclusively (migration 0500). */
const wipeLockClass = 1262832972
/** PostgreSQL's lock_not_available: a lock_timeout expired. */
const lockNotAvailable = '55P03'
