// Reads that show balances release the MANUAL holds past their expiry first, so that no balance
// counts one, whatever the expiry worker's pace. Releasing a hold also writes its events, which
// the transfers domain renders: it installs the releaser here when it registers, and the accounts
// domain calls it through here without depending on transfers (which depends on accounts).

import { assert } from '../platform/assert.js'
import type { Clock } from '../platform/clock.js'
import type { Sql } from '../platform/db.js'

/** Releases the due holds on these accounts, each in its own transaction; returns how many it released. */
export type DueHoldReleaser = (sql: Sql, clock: Clock, workspaceId: string, accountIds: string[]) => Promise<number>

let releaser: DueHoldReleaser | undefined

export function installDueHoldReleaser(release: DueHoldReleaser): void {
  releaser = release
}

/** Before reading balances: releases the holds on these accounts that are past their expiry. */
export function releaseDueHolds(sql: Sql, clock: Clock, workspaceId: string, accountIds: string[]): Promise<number> {
  assert(releaser !== undefined, 'the transfers domain installs the due-hold releaser when it registers')
  return releaser(sql, clock, workspaceId, accountIds)
}
