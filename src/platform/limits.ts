import { ApiError } from './errors.js'

// Rate limits and load shedding: what keeps one client, or a flood of them, from taking the whole
// process. All of it is per process and in memory; several processes each apply it on their own.

export interface LimitSettings {
  /** Requests per second one API key may make (a token bucket refilled at this rate); 0: no limit. */
  keyPerSecond: number
  /** Requests a key may make at once before the rate applies. */
  keyBurst: number
  /** Requests per second from one source address, with or without a key; 0: no limit. */
  sourcePerSecond: number
  sourceBurst: number
  /**
   * Unknown API keys one source may present per second. Each costs a database lookup unless it is
   * in the cache of unknown keys, so guessing is throttled far below the request rate.
   */
  unknownKeysPerSecond: number
  unknownKeysBurst: number
  /**
   * Requests this process holds at once (received, not yet answered). Past it, new requests are
   * answered 503 at once instead of queueing behind the others, so latency stays bounded.
   */
  requestsInFlightMax: number
}

export const limitDefaults: LimitSettings = {
  keyPerSecond: 5_000,
  keyBurst: 10_000,
  sourcePerSecond: 10_000,
  sourceBurst: 20_000,
  unknownKeysPerSecond: 20,
  unknownKeysBurst: 100,
  requestsInFlightMax: 512,
}

/** Buckets kept per limiter; the oldest is dropped past it (a flood of sources cannot grow memory). */
export const rateBucketsMax = 100_000
/** What a shed request is told to wait before retrying. */
export const overloadRetryAfterSeconds = 1

/** A token bucket per name: `take` answers 0 when a request may go, else the seconds to wait. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>()
  /**
   * The name `take` last moved to the end of `buckets`, where it still is. A Map's delete that
   * leaves few entries shrinks its table (V8 allocates a new one): moving the one bucket a server's
   * single client uses to the end on every request made a new table every time (measured: 154 bytes
   * a take, none now; two takes a request).
   */
  private newest: string | undefined
  constructor(readonly perSecond: number, readonly burst: number, private readonly nowMs: () => number = Date.now) {}

  /** The seconds to wait before `name` has a token, without taking one (0: it has one now). */
  waitFor(name: string): number {
    const bucket = this.buckets.get(name)
    if (this.perSecond <= 0 || !bucket) return 0
    const tokens = Math.min(this.burst, bucket.tokens + ((this.nowMs() - bucket.atMs) / 1000) * this.perSecond)
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.perSecond))
  }

  take(name: string): number {
    if (this.perSecond <= 0) return 0
    const now = this.nowMs()
    let bucket = this.buckets.get(name)
    if (bucket) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.atMs) / 1000) * this.perSecond)
      bucket.atMs = now
      // Most recently used last, so the oldest entry is the first the map yields.
      if (name !== this.newest) { this.buckets.delete(name); this.buckets.set(name, bucket) }
    } else {
      bucket = { tokens: this.burst, atMs: now }
      if (this.buckets.size >= rateBucketsMax) this.buckets.delete(this.buckets.keys().next().value!)
      this.buckets.set(name, bucket)
    }
    this.newest = name
    if (bucket.tokens >= 1) { bucket.tokens -= 1; return 0 }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond))
  }
}

/** 429 in Synctera's shape: TOO_MANY_REQUESTS with `retry_after` in seconds (and a Retry-After header). */
export function tooManyRequests(what: string, retryAfterSeconds: number): ApiError {
  return new ApiError('TOO_MANY_REQUESTS', `${what}; retry after ${retryAfterSeconds} s`, {}, { retryAfterSeconds })
}

/** 503 with a Retry-After header (the catalogue declares `retry_after` in a body for 429 only). */
export function overloaded(): ApiError {
  return new ApiError('SERVICE_UNAVAILABLE', 'the server is at capacity; retry shortly', {}, { retryAfterSeconds: overloadRetryAfterSeconds })
}

export interface Limits {
  settings: LimitSettings
  keys: RateLimiter
  sources: RateLimiter
  unknownKeys: RateLimiter
  /** Requests this process is holding now. */
  inFlight: number
}

export function createLimits(settings: Partial<LimitSettings> = {}, nowMs: () => number = Date.now): Limits {
  const s = { ...limitDefaults, ...settings }
  return {
    settings: s,
    keys: new RateLimiter(s.keyPerSecond, s.keyBurst, nowMs),
    sources: new RateLimiter(s.sourcePerSecond, s.sourceBurst, nowMs),
    unknownKeys: new RateLimiter(s.unknownKeysPerSecond, s.unknownKeysBurst, nowMs),
    inFlight: 0,
  }
}
