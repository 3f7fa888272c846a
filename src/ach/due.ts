// ACH on the workspace clock. What falls due: an outgoing window's cut, a sent entry's settlement,
// a future-dated incoming entry's processing time, the end-of-day collection of a returned debit's
// shortfall (shortfalls/). A sandbox clock advance runs them in time order
// (DueWork); in real time, the worker below runs whatever fell due in any workspace.

import type { Logger } from 'pino'
import { eachWorkspace, startPolling, type DueWork } from '../platform/due-work.js'
import type { Services } from '../platform/http.js'
import { applyIncoming, gatewayDecisions } from './files/apply.js'
import { cutDue } from './files/outgoing.js'
import { settleDue } from './settle.js'
import { collectShortfallsDue } from './shortfalls/service.js'
import { incomingDue, nextAchDue, workspacesWithAchDue } from './store.js'

/** How often the real-time worker looks for ACH work that fell due. */
export const achPollMs = 1000
/**
 * Workspaces whose due ACH work the real-time worker runs at once: a workspace waiting on its
 * gateway (up to its max_wait_ms for each debit) holds up one of them, not every workspace.
 */
export const achWorkspacesAtOnceMax = 4

/** Runs everything of ACH due in the workspace at its clock's time: settlements, cuts, then incoming entries. */
export async function runAchDue(services: Services, workspaceId: string): Promise<void> {
  const { sql, clock } = services
  await sql.begin(async (tx) => {
    await settleDue(tx, clock, workspaceId)
    await cutDue(tx, clock, workspaceId)
    await collectShortfallsDue(tx, clock, workspaceId)
  })
  // Debits are offered to the gateway before the transaction that applies them.
  const waiting = await incomingDue(sql, workspaceId, clock.now(workspaceId), false)
  if (waiting.length === 0) return
  const decisions = await gatewayDecisions(services, workspaceId, waiting)
  await sql.begin(async (tx) => {
    const due = await incomingDue(tx, workspaceId, clock.now(workspaceId), true)
    await applyIncoming(tx, services, workspaceId, due, decisions)
  })
}

export const achDueWork: DueWork = {
  name: 'ACH windows',
  nextDue: (services, workspaceId, until) => nextAchDue(services.sql, workspaceId, until),
  run: runAchDue,
}

export function startAchWorker(services: Services, log: Logger): () => Promise<void> {
  return startPolling('ACH window run', achPollMs, () => achWorkerRound(services, log), log)
}

/**
 * One round of the real-time worker: what fell due in every workspace. Each workspace goes on its
 * own, achWorkspacesAtOnceMax at a time: one whose run fails (logged) or waits on its gateway holds
 * up no other, and a failed one is tried again next round.
 */
export async function achWorkerRound(services: Services, log: Logger): Promise<void> {
  await eachWorkspace('ACH window run', await workspacesWithAchDue(services.sql, services.clock.now()), (id) => runAchDue(services, id), log, achWorkspacesAtOnceMax)
}
