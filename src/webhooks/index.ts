import type { Domain } from '../platform/wipe.js'
import { startDispatcher } from './dispatcher.js'
import { registerWebhookMetrics } from './metrics.js'
import { registerWebhookRoutes } from './routes.js'
import { getSecret, nextRetry, wakeDispatchers } from './store.js'
import { activeSecrets } from './service.js'
import type { Queryable } from '../platform/db.js'
import type { Vault } from '../platform/crypto.js'

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

// What other domains use to sign their outbound calls as webhooks are signed (the ACH gateway).
export { signatureHeader, signatureHeaderName, timestampHeaderName } from './signing.js'
/** The workspace's webhook secrets a request is signed with at `now` (none when it has no secret). */
export async function signingSecrets(db: Queryable, vault: Vault, workspaceId: string, now: Date): Promise<string[]> {
  return activeSecrets(await getSecret(db, workspaceId), vault, now)
}
