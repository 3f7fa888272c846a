// Moving a sandbox workspace's clock forward. The clock is an offset from real time, so it runs on
// at real speed from where it was moved to. Advancing runs everything that falls due on the way, in
// time order (each domain's DueWork), before it answers: a test that advances eight days sees every
// hold expired and its events written.

import { assert } from '../platform/assert.js'
import { clockLatestMs, WorkspaceClock } from '../platform/clock.js'
import type { DueWork } from '../platform/due-work.js'
import { ApiError } from '../platform/errors.js'
import type { Services } from '../platform/http.js'
import { requireSandbox, type Workspace } from '../platform/workspaces.js'
import { durationMs } from './duration.js'
import { storeClockOffset } from './store.js'

/** Distinct due times one advance stops at; past it, what remains runs at the target time. */
export const advanceStepsMax = 10_000

export function movableClock(services: Services): WorkspaceClock {
  assert(services.clock instanceof WorkspaceClock, 'the sandbox clock needs a WorkspaceClock')
  return services.clock
}

/** The time an advance request names: `to` a date-time, or `by` an ISO 8601 duration. */
export function targetOf(body: { to?: string; by?: string }, now: Date): Date {
  if ((body.to === undefined) === (body.by === undefined)) {
    throw new ApiError('BAD_REQUEST_BODY', 'send one of to (a date-time) and by (an ISO 8601 duration)', { invalid: { to: 'exactly one of to, by' } })
  }
  if (body.to !== undefined) {
    const at = Date.parse(body.to)
    if (!/^\d{4}-\d\d-\d\dT/.test(body.to) || Number.isNaN(at)) throw new ApiError('BAD_REQUEST_BODY', 'to is an RFC 3339 date-time', { invalid: { to: 'not a date-time' } })
    if (at < now.getTime()) throw new ApiError('BAD_REQUEST_BODY', `the clock moves forward only; it is ${now.toISOString()}`, { invalid: { to: 'before the workspace\'s time' } })
    return withinReach(at, 'to')
  }
  const ms = durationMs(body.by!)
  if (ms === undefined) throw new ApiError('BAD_REQUEST_BODY', 'by is an ISO 8601 duration in weeks, days, hours, minutes and seconds, e.g. PT36H or P8D', { invalid: { by: 'not a duration Keel takes' } })
  return withinReach(now.getTime() + ms, 'by')
}

/** `at` as a Date, unless it lies past the furthest the clock moves (clockLatestMs). */
function withinReach(at: number, field: 'to' | 'by'): Date {
  if (at > clockLatestMs) throw new ApiError('BAD_REQUEST_BODY', `the clock moves no further than ${new Date(clockLatestMs).toISOString()}`, { invalid: { [field]: 'too far ahead' } })
  return new Date(at)
}

/** Moves the workspace's clock to `target`, running what falls due on the way; the new time. */
export async function advanceClock(services: Services, work: readonly DueWork[], workspace: Pick<Workspace, 'id' | 'mode'>, target: Date): Promise<Date> {
  requireSandbox(workspace, 'moves of the workspace clock (a live workspace follows real time)')
  const clock = movableClock(services)
  const moveTo = async (at: Date) => {
    clock.moveTo(workspace.id, at)
    await storeClockOffset(services.sql, workspace.id, clock.offsetMs(workspace.id), clock.now())
  }
  // Work still due at the time it last ran for has made no progress there (another process holds
  // it; a webhook retry goes out on the dispatcher's time): the rest goes on in time order without
  // it, and it joins again once what it has due moves on (else it waits for the last run).
  const ranFor = new Map<DueWork, number>()
  for (let step = 0; step < advanceStepsMax; step++) {
    const due: { w: DueWork; at: number }[] = []
    for (const w of work) {
      const at = (await w.nextDue(services, workspace.id, target))?.getTime()
      if (at !== undefined && ranFor.get(w) !== at) due.push({ w, at })
    }
    if (due.length === 0) break
    const next = Math.min(...due.map((d) => d.at))
    if (next > clock.now(workspace.id).getTime()) await moveTo(new Date(next))
    for (const d of due) if (d.at <= next) ranFor.set(d.w, d.at)
    for (const w of work) await w.run(services, workspace.id)
  }
  await moveTo(target)
  for (const w of work) await w.run(services, workspace.id)
  return clock.now(workspace.id)
}
