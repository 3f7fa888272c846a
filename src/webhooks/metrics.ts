import { defineGauge } from '../platform/metrics.js'
import type { Services } from '../platform/http.js'
import { deliveryBacklog } from './store.js'

/** Webhook backlog and delivery lag, read from the database when metrics are scraped. */
export function registerWebhookMetrics({ sql, clock }: Services): void {
  let last: Promise<{ due: number; oldestDueAt: Date | null }> | undefined
  // Both gauges come from one query per scrape.
  const backlog = () => (last ??= deliveryBacklog(sql, clock.now()).finally(() => { setImmediate(() => { last = undefined }) }))
  defineGauge({ name: 'keel_webhook_backlog', help: 'Webhook deliveries due and not yet made, across all workspaces' }, async (g) => {
    g.set((await backlog()).due)
  })
  defineGauge({ name: 'keel_webhook_lag_seconds', help: 'How long the oldest due webhook delivery has been waiting (0: none waiting)' }, async (g) => {
    const { oldestDueAt } = await backlog()
    g.set(oldestDueAt ? Math.max(0, (clock.now().getTime() - oldestDueAt.getTime()) / 1000) : 0)
  })
}
