// While the server runs: load the current list at start (so the first screening does not pay for
// parsing and indexing), and finish any re-screen an import left undone (the importing process
// re-screens itself; this covers an import interrupted before it finished).
import type { Logger } from 'pino'
import type { Services } from '../platform/http.js'
import { rescreenSubscriptions } from './monitoring/service.js'
import { currentList } from './watchlist/current.js'
import { currentListMeta } from './watchlist/store.js'

/** How often the server looks for an import whose re-screen has not finished. */
export const rescreenPollMs = 60_000
/** An import younger than this is left to its own process to re-screen. */
export const rescreenGraceMs = 5 * 60_000

export function startWatchlistWorker(services: Services, log: Logger): () => Promise<void> {
  let stopped = false
  let running: Promise<unknown> = Promise.resolve()
  const tick = async () => {
    const list = await currentList(services.sql)
    const meta = await currentListMeta(services.sql)
    if (meta && meta.rescreened_at === null && services.clock.now().getTime() - meta.imported_at.getTime() > rescreenGraceMs && !stopped) {
      const out = await rescreenSubscriptions(services.sql, list, services.clock)
      log.info({ list: list.version, ...out }, 'finished an interrupted watchlist re-screen')
    }
  }
  const guarded = () => { running = tick().catch((err) => log.error({ err }, 'watchlist worker failed')) }
  guarded()
  const timer = setInterval(() => { if (!stopped) guarded() }, rescreenPollMs)
  timer.unref()
  return async () => {
    stopped = true
    clearInterval(timer)
    await running
  }
}
