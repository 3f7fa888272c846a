/**
 * The one place Keel reads the time. Sandbox time travel (moving a workspace's clock forward)
 * plugs in here, so every rule that depends on time (expiry, retries, windows) follows it.
 */
export interface Clock { now(): Date }
export const systemClock: Clock = { now: () => new Date() }

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
