/**
 * The one place Keel reads the time: a clock per workspace. A live workspace follows real time; a
 * sandbox workspace may run ahead of it by an offset (POST /v0/sandbox/clock/advance, src/sandbox/),
 * never behind. Every rule that depends on time (hold expiry, webhook retries, and later ACH
 * windows, authorization expiry, interest, statements) reads `now(workspaceId)`.
 *
 * `now()` without a workspace is real time: for what belongs to no workspace (a key cache's time to
 * live, a worker's poll), never for a workspace's records.
 */
export interface Clock { now(workspaceId?: string): Date }

/** Real time for every workspace: for tools that never move a workspace's clock. */
export const systemClock: Clock = { now: () => new Date() }

/**
 * Real time (or an injected base, in tests) plus each workspace's offset. The offsets are kept in
 * memory, loaded at start and kept current by the sandbox domain (which stores them and hears other
 * processes' changes), so that reading the time never waits on the database.
 */
export class WorkspaceClock implements Clock {
  private readonly offsets = new Map<string, number>()
  constructor(private readonly baseMs: () => number = Date.now) {}

  now(workspaceId?: string): Date {
    return new Date(this.baseMs() + (workspaceId === undefined ? 0 : this.offsets.get(workspaceId) ?? 0))
  }

  /** Moves a workspace's clock to `at` (forward only): the offset from this clock's real time that reads `at` now. */
  moveTo(workspaceId: string, at: Date): void {
    this.setOffset(workspaceId, at.getTime() - this.baseMs())
  }

  offsetMs(workspaceId: string): number {
    return this.offsets.get(workspaceId) ?? 0
  }

  /** Sets a workspace's offset; it never goes back (an older notification arriving late changes nothing). */
  setOffset(workspaceId: string, offsetMs: number): void {
    if (offsetMs > this.offsetMs(workspaceId)) this.offsets.set(workspaceId, offsetMs)
  }
}

let lastMs = Number.NaN
let lastIso = ''
/**
 * `d.toISOString()`, remembered for the last time converted: the rows and views of one batch of
 * transfers share one timestamp, converted a dozen times per transfer (it showed in profiles).
 */
export function isoString(d: Date): string {
  const ms = d.getTime()
  if (ms !== lastMs) { lastMs = ms; lastIso = d.toISOString() }
  return lastIso
}
