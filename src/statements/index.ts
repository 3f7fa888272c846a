// Statements, and the day close that drives interest, fees and statements on the workspace clock
// (docs/time.md): a DueWork for sandbox clock advances, a worker at real end of day in live.

import type { Logger } from 'pino'
import type { Api, Services } from '../platform/http.js'
import { startPolling } from '../platform/due-work.js'
import type { Domain } from '../platform/wipe.js'
import { closeDueDays, dayCloseRound, dayClosePollMs, nextDayClose } from './day-close.js'
import { registerStatementRoutes } from './routes.js'

export { closeDueDays, dayCloseRound, nextDayClose, monthlyFeeWaiverKey } from './day-close.js'
export { withStatementPdf } from './openapi.js'

export const statements: Domain = {
  name: 'statements',
  register(api: Api) { registerStatementRoutes(api) },
  wipeTables: ['statements', 'time_account_days', 'time_cursors'],
  dueWork: [{
    name: 'day close (interest, fees, statements)',
    nextDue: (services, workspaceId, until) => nextDayClose(services.sql, workspaceId, until),
    run: async (services, workspaceId) => { await closeDueDays(services.sql, services.clock, workspaceId) },
  }],
  startWorkers(services: Services, log: Logger) {
    return startPolling('day close', dayClosePollMs, async () => {
      const n = await dayCloseRound(services.sql, services.clock, log)
      if (n) log.info({ days: n }, 'closed days: interest, fees, statements')
    }, log, 0)
  },
}
