import type { Domain } from '../platform/wipe.js'
import { registerVerificationRoutes } from './routes.js'
import { startWatchlistWorker } from './worker.js'

export const verification: Domain = {
  name: 'verification',
  register: registerVerificationRoutes,
  // Children of persons and businesses: listed after them, so wipe (which reverses) empties these first.
  wipeTables: ['verifications', 'adhoc_verifications', 'monitoring_subscriptions', 'monitoring_alerts'],
  startWorkers: startWatchlistWorker,
}
