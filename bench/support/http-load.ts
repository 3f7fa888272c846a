// The load generator of the realistic transfer bench: undici's Pool, the HTTP client Node's own
// fetch is built on, with keep-alive connections and no pipelining (one request in flight per
// connection), as a fintech's backend calls an API. Two ways to drive it:
// - closed loop: `concurrency` requests in flight at all times, each sent as the previous one on its
//   connection is answered (the peak a target sustains);
// - open loop: requests sent at a steady `rate` whatever the answers, each one's latency counted
//   from the moment it was due, so that a stalled server is charged for the requests it held up
//   (no coordinated omission).
// Only answers with a 2xx status count as throughput; the others are counted apart, by status and
// problem code, and so are transport failures.
import { Pool } from 'undici'

/** Headers and body are made fresh for every request (a new Idempotency-Key each time). */
export interface LoadRequest { path: string; headers: Record<string, string>; body: string }
export type MakeRequest = () => LoadRequest

/** A 2xx answer kept to be checked after the run: that it is what it claims to be. */
export interface Sample { request: LoadRequest; status: number; body: string }

export interface LoadResult {
  /** Length of the measured window, after the warm-up. */
  seconds: number
  /** 2xx answers completed in the window. */
  ok: number
  /** Non-2xx answers completed in the window, by "status code" (e.g. "422 INSUFFICIENT_FUNDS"). */
  rejected: Map<string, number>
  /** Requests that got no answer (time-out, reset), in the window, by error code. */
  failed: Map<string, number>
  /** Latency of each 2xx answer in the window, in ms. */
  latenciesMs: number[]
  /** Open loop only: requests not sent because `inFlightMax` were already waiting. */
  skipped: number
  samples: Sample[]
}

export const loadConnectionsDefault = 64
/** A request unanswered this long is a failure, not a slow success. */
export const requestTimeoutMs = 30_000
/** Between points connections sit idle for a few seconds: keep them open well past that. */
const keepAliveMs = 120_000
/** Open loop: at most this many requests waiting (in flight or queued for a connection). */
export const openLoopInFlightMax = 4096
const openLoopTickMs = 2
/** Samples kept per run, and the share of 2xx answers they are drawn from. */
export const samplesMax = 20
const sampleOneIn = 97

export function openPool(origin: string, connections = loadConnectionsDefault): Pool {
  return new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: keepAliveMs,
    keepAliveMaxTimeout: keepAliveMs,
    headersTimeout: requestTimeoutMs,
    bodyTimeout: requestTimeoutMs,
  })
}

const problemCode = (body: string): string => /"code"\s*:\s*"([A-Z_]+)"/.exec(body)?.[1] ?? ''

/** Counts and times answers that complete inside the measured window. */
class Recorder {
  measuring = false
  ok = 0
  readonly rejected = new Map<string, number>()
  readonly failed = new Map<string, number>()
  readonly latenciesMs: number[] = []
  readonly samples: Sample[] = []

  answered(request: LoadRequest, status: number, body: string, latencyMs: number): void {
    if (!this.measuring) return
    if (status >= 200 && status < 300) {
      this.ok++
      this.latenciesMs.push(latencyMs)
      if (this.samples.length < samplesMax && this.ok % sampleOneIn === 1) this.samples.push({ request, status, body })
      return
    }
    const key = `${status} ${problemCode(body)}`.trim()
    this.rejected.set(key, (this.rejected.get(key) ?? 0) + 1)
  }

  unanswered(err: unknown): void {
    if (!this.measuring) return
    const key = (err as { code?: string }).code ?? (err as Error).name ?? 'error'
    this.failed.set(key, (this.failed.get(key) ?? 0) + 1)
  }
}

async function send(pool: Pool, request: LoadRequest): Promise<{ status: number; body: string }> {
  const res = await pool.request({ method: 'POST', path: request.path, headers: request.headers, body: request.body })
  return { status: res.statusCode, body: await res.body.text() }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** How long a run lasts, and what to do at the edges of its measured window (read CPU counters). */
export interface Phases { warmupSeconds: number; seconds: number; atWindowStart?: () => Promise<void>; atWindowEnd?: () => Promise<void> }

/** Runs the warm-up, then the measured window; returns once every request sent has settled. */
async function measure(recorder: Recorder, phases: Phases, stop: () => void, settled: () => Promise<unknown>, skipped = () => 0): Promise<LoadResult> {
  await sleep(phases.warmupSeconds * 1000)
  await phases.atWindowStart?.()
  recorder.measuring = true
  const t0 = performance.now()
  await sleep(phases.seconds * 1000)
  recorder.measuring = false
  const elapsed = (performance.now() - t0) / 1000
  await phases.atWindowEnd?.()
  stop()
  await settled()
  return { seconds: elapsed, ok: recorder.ok, rejected: recorder.rejected, failed: recorder.failed, latenciesMs: recorder.latenciesMs, skipped: skipped(), samples: recorder.samples }
}

/** `concurrency` requests in flight (one per connection when it equals the pool's connections). */
export async function closedLoop(pool: Pool, make: MakeRequest, opts: { concurrency: number } & Phases): Promise<LoadResult> {
  const recorder = new Recorder()
  let stopping = false
  const worker = async () => {
    while (!stopping) {
      const request = make()
      const start = performance.now()
      try {
        const { status, body } = await send(pool, request)
        recorder.answered(request, status, body, performance.now() - start)
      } catch (err) {
        recorder.unanswered(err)
      }
    }
  }
  const workers = Array.from({ length: opts.concurrency }, worker)
  return measure(recorder, opts, () => { stopping = true }, () => Promise.all(workers))
}

/** `rate` requests a second, evenly spaced, whatever the answers; latency from when each was due. */
export async function openLoop(pool: Pool, make: MakeRequest, opts: { rate: number } & Phases): Promise<LoadResult> {
  const recorder = new Recorder()
  const pending = new Set<Promise<void>>()
  let due = 0
  let skipped = 0
  const t0 = performance.now()
  const fire = (dueAt: number) => {
    if (pending.size >= openLoopInFlightMax) {
      if (recorder.measuring) skipped++
      return
    }
    const request = make()
    const p = send(pool, request).then(
      ({ status, body }) => recorder.answered(request, status, body, performance.now() - dueAt),
      (err) => recorder.unanswered(err),
    ).finally(() => pending.delete(p))
    pending.add(p)
  }
  const ticker = setInterval(() => {
    const now = performance.now()
    const target = Math.floor(((now - t0) / 1000) * opts.rate)
    for (; due < target; due++) fire(t0 + (due * 1000) / opts.rate)
  }, openLoopTickMs)
  return measure(recorder, opts, () => clearInterval(ticker), () => Promise.all([...pending]), () => skipped)
}

/** The p-th percentile (0–100) of values sorted ascending. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
