/**
 * The one place Keel reads the time. Sandbox time travel (moving a workspace's clock forward)
 * plugs in here, so every rule that depends on time (expiry, retries, windows) follows it.
 */
export interface Clock { now(): Date }
export const systemClock: Clock = { now: () => new Date() }
