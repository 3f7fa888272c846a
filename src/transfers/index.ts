import type { Logger } from 'pino'
import { ensureSandboxFunding, sandboxFundingAccountId } from '../accounts/index.js'
import type { Api, Services } from '../platform/http.js'
import { startPolling } from '../platform/due-work.js'
import { countBatchFromMemory, countBatchRelocked, countBatchReread, observeBatchSize } from '../platform/metrics.js'
import type { Domain } from '../platform/wipe.js'
import { batchesInFlightMaxDefault, expireDueHolds, expiredStatements, holdExpiryBatchMax, LedgerBatcher, nextHoldExpiry } from '../ledger/index.js'
import { registerTransferRoutes } from './routes.js'

// What other rails may use: the pending transaction view, for the events of holds they make.
export { toPendingTransaction } from './views.js'

/**
 * Group commit is on unless KEEL_GROUP_COMMIT=off: then every transfer is its own transaction (the
 * bench measures both). Off, more transactions run at once, as many as the pool allows.
 */
export const groupCommitEnabled = () => process.env.KEEL_GROUP_COMMIT !== 'off'
const transactionsInFlightUngroupedMax = 16
/**
 * Batches in flight at once (KEEL_LEDGER_BATCHES_IN_FLIGHT, 1 to 8; the ledger's default otherwise):
 * for an operator tuning a larger machine, and for the bench.
 */
export function batchesInFlight(): number {
  const n = Number(process.env.KEEL_LEDGER_BATCHES_IN_FLIGHT)
  return Number.isInteger(n) && n >= 1 && n <= 8 ? n : batchesInFlightMaxDefault
}
/** How often the worker looks for holds past their expires_at (in real time; a sandbox clock advance runs them itself). */
export const holdExpiryPollMs = 1000

/** The batcher of the most recently registered app: for tests and the bench, which read its stats. */
export let currentBatcher: LedgerBatcher | undefined

export function newBatcher(services: Services): LedgerBatcher {
  const grouped = groupCommitEnabled()
  return new LedgerBatcher(services.keyedSql, {
    nowOf: (workspaceId) => services.clock.now(workspaceId),
    onBatch: observeBatchSize,
    onRelock: countBatchRelocked,
    onFromMemory: countBatchFromMemory,
    onReread: countBatchReread,
    ...(grouped ? { batchesInFlightMax: batchesInFlight() } : { batchSizeMax: 1, batchesInFlightMax: transactionsInFlightUngroupedMax }),
    // The sandbox funding account is made on first use; a transfer naming it may be that use.
    createMissing: async (workspaceId, ids) => ids.includes(sandboxFundingAccountId(workspaceId)) && ensureSandboxFunding(services.sql, services.clock, workspaceId),
    // A batch expires the holds past their expiry on the accounts it locks, with their events.
    expiredStatements,
  })
}

/** Internal transfers and the transaction views; wipe deletes the ledger's transfers, entries and holds. */
export const transfers: Domain = {
  name: 'transfers',
  register(api: Api) {
    currentBatcher = newBatcher(api.services)
    registerTransferRoutes(api, currentBatcher)
  },
  wipeTables: ['ledger_transfers', 'ledger_entries', 'ledger_holds', 'ledger_spend_days', 'ledger_promises'],
  dueWork: [{
    name: 'hold expiry',
    nextDue: (services, workspaceId, until) => nextHoldExpiry(services.sql, workspaceId, until),
    run: async (services, workspaceId) => { await expireDueHolds(services.sql, services.clock, holdExpiryBatchMax, workspaceId) },
  }],
  startWorkers(services: Services, log: Logger) {
    return startPolling('hold expiry', holdExpiryPollMs, async () => {
      const n = await expireDueHolds(services.sql, services.clock, holdExpiryBatchMax)
      if (n) log.info({ released: n }, 'expired MANUAL transfer holds')
    }, log)
  },
}
