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

/** A day of 24 hours, in milliseconds. */
export const dayMs = 86_400_000

/** The last instant an RFC 3339 date-time can write (a year of four digits): every time Keel answers is at most this. */
export const lastWritableMs = Date.UTC(9999, 11, 31, 23, 59, 59, 999)
/**
 * The furthest a sandbox workspace's clock moves: a millennium short of lastWritableMs, so that what
 * Keel dates ahead of the clock (a card's expiry, an ACH entry's settlement, a token's end) can still
 * be written. An advance past it is refused.
 */
export const clockLatestMs = Date.UTC(9000, 0, 1)
/** Two- and three-digit fields, zero-padded: the hour, minute and second, and the millisecond. */
const twoDigits = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'))
const threeDigits = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'))
/** The UTC day last converted: where it starts (ms) and its `YYYY-MM-DDT` (or `±YYYYYY-MM-DDT`). */
let dayStart = Number.NaN
let dayText = ''
/** The second last converted: where it starts (ms) and its text up to the millisecond's. */
let secondStart = Number.NaN
let secondText = ''

/**
 * `d.toISOString()`, written out here from the day and the second last converted. V8's own goes
 * through a printf-style formatter in C++ on every call: about 7,000 instructions each, 6.8% of all
 * the server executed per keyed transfer (bench:instructions), where this is a few hundred. The day's
 * text comes from toISOString itself, once a day, so every date it can write (years past 9999 or
 * before 0 included) reads exactly as it would; an invalid date throws its RangeError.
 */
export function isoString(d: Date): string {
  const ms = d.getTime()
  const inSecond = ms - secondStart
  if (inSecond >= 0 && inSecond < 1000) return secondText + threeDigits[inSecond] + 'Z'
  let inDay = ms - dayStart
  if (!(inDay >= 0 && inDay < dayMs)) {
    const text = d.toISOString()
    dayStart = Math.floor(ms / dayMs) * dayMs
    dayText = text.slice(0, text.indexOf('T') + 1)
    inDay = ms - dayStart
  }
  const seconds = Math.floor(inDay / 1000)
  secondStart = dayStart + seconds * 1000
  secondText = dayText + twoDigits[Math.floor(seconds / 3600)] + ':' + twoDigits[Math.floor(seconds / 60) % 60] + ':' + twoDigits[seconds % 60] + '.'
  return secondText + threeDigits[ms - secondStart] + 'Z'
}
