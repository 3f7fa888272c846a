import type { Domain } from '../platform/wipe.js'
import { startDispatcher } from './dispatcher.js'
import { registerWebhookMetrics } from './metrics.js'
import { registerWebhookRoutes } from './routes.js'
import { nextRetry, wakeDispatchers } from './store.js'

// What other domains may use of webhooks: signing a request of their own with the workspace's webhook secret (the card authorization and ACH gateways).
export { signingSecrets } from './service.js'
export { signatureHeader, signatureHeaderName, timestampHeaderName, verifySignature } from './signing.js'

export const webhooks: Domain = {
  name: 'webhooks',
  register(api) {
    registerWebhookRoutes(api)
    registerWebhookMetrics(api.services)
  },
  // Webhooks, secrets and the event log are configuration and history: /v0/wipe keeps them.
  wipeTables: [],
  // Retries fall due on the workspace clock; when a sandbox clock passes one, the dispatchers are woken to send it.
  dueWork: [{
    name: 'webhook retries',
    nextDue: (services, workspaceId, until) => nextRetry(services.sql, workspaceId, until),
    run: (services) => wakeDispatchers(services.sql),
  }],
  startWorkers(services, log) {
    const dispatcher = startDispatcher(services, log)
    return () => dispatcher.stop()
  },
}
