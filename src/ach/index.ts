import type { Domain } from '../platform/wipe.js'
import { achDueWork, startAchWorker } from './due.js'
import { registerAchRoutes } from './routes.js'

export { achExtensions } from './openapi.js'

/**
 * ACH: outgoing entries cut into NACHA files at the windows, settled on the workspace clock;
 * incoming files applied; returns, NOCs, gateways and the sandbox simulations. docs/ach.md tells it.
 * Wipe deletes entries and files; gateways and ODFI settings are configuration and stay.
 */
export const ach: Domain = {
  name: 'ach',
  register: registerAchRoutes,
  wipeTables: ['ach_incoming', 'ach_outgoing', 'ach_files', 'ach_shortfalls'],
  dueWork: [achDueWork],
  startWorkers: startAchWorker,
}
