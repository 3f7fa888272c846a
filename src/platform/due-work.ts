import type { Logger } from 'pino'
import type { Services } from './http.js'
import { inLanes } from './lanes.js'

/**
 * Work that falls due at a time on a workspace's clock (hold expiry; later ACH windows, interest,
 * statements). Real time drives it through each domain's worker; a sandbox clock advance
 * (src/sandbox/) drives it through this, in time order, before the advance answers.
 */
export interface DueWork {
  name: string
  /** When this work next falls due in the workspace, if at or before `until`. */
  nextDue(services: Services, workspaceId: string, until: Date): Promise<Date | undefined>
  /** Does what is due in the workspace at its clock's time now. */
  run(services: Services, workspaceId: string): Promise<void>
}

/**
 * A domain's worker at real time: runs `round` every `intervalMs` (the first after `firstAfterMs`),
 * one round at a time; a round that fails is logged and the next comes on time. Returns the
 * function that stops it and waits for the round in flight.
 */
export function startPolling(what: string, intervalMs: number, round: () => Promise<unknown>, log: Logger, firstAfterMs = intervalMs): () => Promise<void> {
  let stopped = false
  let running: Promise<unknown> = Promise.resolve()
  const tick = () => {
    if (stopped) return
    running = round()
      .catch((err) => log.error({ err }, `${what} failed`))
      .finally(() => { if (!stopped) timer = setTimeout(tick, intervalMs) })
  }
  let timer = setTimeout(tick, firstAfterMs)
  return async () => {
    stopped = true
    clearTimeout(timer)
    await running
  }
}

/**
 * One round of a worker over workspaces: each goes on its own, `atOnce` at a time (in order with
 * one), so one whose run fails (logged with its id) or is slow (a gateway waiting out its time
 * limit) holds up no other; a failed one is tried again next round. Returns what the runs that
 * succeeded returned.
 */
export async function eachWorkspace<T>(what: string, workspaceIds: Iterable<string>, run: (workspaceId: string) => Promise<T>, log: Logger, atOnce = 1): Promise<T[]> {
  const done: T[] = []
  await inLanes(workspaceIds, atOnce, async (workspaceId) => {
    try {
      done.push(await run(workspaceId))
    } catch (err) {
      log.error({ err, workspace: workspaceId }, `${what} failed`)
    }
  })
  return done
}
