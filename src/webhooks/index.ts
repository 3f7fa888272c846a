import type { Domain } from '../platform/wipe.js'
import { startDispatcher } from './dispatcher.js'
import { registerWebhookMetrics } from './metrics.js'
import { registerWebhookRoutes } from './routes.js'

export const webhooks: Domain = {
  name: 'webhooks',
  register(api) {
    registerWebhookRoutes(api)
    registerWebhookMetrics(api.services)
  },
  // Webhooks, secrets and the event log are configuration and history: /v0/wipe keeps them.
  wipeTables: [],
  startWorkers(services, log) {
    const dispatcher = startDispatcher(services, log)
    return () => dispatcher.stop()
  },
}
