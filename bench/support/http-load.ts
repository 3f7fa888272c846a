// The load generator of the realistic transfer bench: standard HTTP/1.1 clients over keep-alive
// connections without pipelining (one request in flight per connection), as a fintech's backend
// calls an API. Two ways to drive a target:
// - closed loop, for the peak: autocannon, every connection sending its next request as soon as
//   the previous one is answered;
// - open loop, for latency at a given load: undici's Pool (the client under Node's fetch), requests
//   sent at a steady rate whatever the answers, each one's latency counted from the moment it was
//   due, so that a stalled server is charged for the requests it held up (no coordinated omission).
//   autocannon's own rate limit sends each connection's share of a second back to back at the top
//   of the second, which measures the peak's latency again, hence undici here.
// Only answers with a 2xx status count as throughput; the others are counted apart, by status and
// problem code, and so are requests that got no answer.
import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import autocannon from 'autocannon'
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
  /** Requests that got no answer (time-out, reset), in the window, by kind. */
  failed: Map<string, number>
  /**
   * Latency of each 2xx answer in the window, in ms (from when it was due, in an open loop), in the
   * order they came: read-only, since `answeredAtMs` pairs with it by index (sort a copy).
   */
  latenciesMs: readonly number[]
  /** When each of those answers came, in ms from the window's start (same order). */
  answeredAtMs: readonly number[]
  /** Open loop only: requests not sent because `inFlightMax` were already waiting. */
  skipped: number
  samples: Sample[]
  /** The whole machine's CPU over the window (every process, ours and any other), from /proc/stat. */
  machine: MachineShares
  /**
   * Open loop only: how late the generator's own event loop ran its timers in the window (p99 and
   * the longest, ms): a request due while it was late went out late, and its latency, counted from
   * when it was due, carries that delay too.
   */
  generatorLagMs?: { p99: number; max: number }
}

/** Watches this process's event loop over a window. */
function lagWatch(): { stop(): { p99: number; max: number } } {
  const h: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 })
  h.enable()
  return { stop: () => { h.disable(); return { p99: h.percentile(99) / 1e6, max: h.max / 1e6 } } }
}

/**
 * Shares of the machine's CPU time over a window: busy (user, nice, system, interrupts), idle
 * (idle and I/O wait), and stolen (the hypervisor ran another guest on our virtual CPUs while they
 * had work). Steal says whether a slow hour is this machine's neighbours: CPU time the bench's
 * processes counted as theirs does not include it, but their latency does.
 */
export interface MachineShares { busy: number; idle: number; steal: number }

/** The `cpu` line of /proc/stat: ticks of all CPUs by kind (user nice system idle iowait irq softirq steal …). */
function machineTicks(): number[] {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]
    return line.trim().split(/\s+/).slice(1, 9).map(Number)
  } catch {
    return []
  }
}

function machineShares(before: number[], after: number[]): MachineShares {
  if (before.length < 8 || after.length < 8) return { busy: NaN, idle: NaN, steal: NaN }
  const d = after.map((v, i) => v - before[i])
  const [user, nice, system, idle, iowait, irq, softirq, steal] = d
  const total = d.reduce((a, b) => a + b, 0) || 1
  return { busy: (user + nice + system + irq + softirq) / total, idle: (idle + iowait) / total, steal: steal / total }
}

/** "; the machine over the window: 71% busy, 0.3% stolen by the hypervisor", for a point's line. */
export function describeMachine(m: MachineShares): string {
  if (Number.isNaN(m.busy)) return ''
  return `; the machine over the window: ${(m.busy * 100).toFixed(0)}% busy, ${(m.steal * 100).toFixed(1)}% stolen by the hypervisor`
}

/** "; the generator's event loop late by 2.1 ms at p99, 9.8 ms at most", for a paced point's line; '' for a closed loop's. */
export function describeGeneratorLag(lag: LoadResult['generatorLagMs']): string {
  if (!lag) return ''
  return `; the generator's event loop late by ${lag.p99.toFixed(1)} ms at p99, ${lag.max.toFixed(1)} ms at most`
}

/** A request unanswered this long is a failure, not a slow success. */
export const requestTimeoutMs = 30_000
/** Between points connections sit idle for a few seconds: keep them open well past that. */
const keepAliveMs = 120_000
/** Open loop: at most this many requests waiting (in flight or queued for a connection). */
export const openLoopInFlightMax = 4096
/**
 * Open loop: how often the ticker sends the requests that have fallen due. A request's latency counts
 * from when it was due, so the time it waits for the tick is the generator's own delay, charged to
 * the server: up to a tick, half a tick on average, and the requests of a tick go out together. 1 ms,
 * the finest a Node timer fires (it was 2 ms: in pairs alternating with this, the bare route's paced
 * p50 read 2.2–2.4 ms against 1.5–1.7 ms at 1 ms).
 */
const openLoopTickMs = 1
/** Samples kept per run, and the share of 2xx answers they are drawn from. */
export const samplesMax = 20
const sampleOneIn = 97

/** An undici pool: the open loop's client, and the one that seeds and checks. */
export function openPool(origin: string, connections: number): Pool {
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

/** Counts answers that complete inside the measured window, and keeps a sample of the 2xx ones. */
class Recorder {
  private measuringSince = 0
  private on = false
  ok = 0
  readonly rejected = new Map<string, number>()
  readonly failed = new Map<string, number>()
  readonly latenciesMs: number[] = []
  readonly answeredAtMs: number[] = []
  readonly samples: Sample[] = []

  get measuring(): boolean { return this.on }
  set measuring(on: boolean) {
    if (on && !this.on) this.measuringSince = performance.now()
    this.on = on
  }

  answered(request: LoadRequest, status: number, body: string): void {
    if (!this.measuring) return
    if (status >= 200 && status < 300) {
      this.ok++
      if (this.samples.length < samplesMax && this.ok % sampleOneIn === 1) this.samples.push({ request, status, body })
      return
    }
    const key = `${status} ${problemCode(body)}`.trim()
    this.rejected.set(key, (this.rejected.get(key) ?? 0) + 1)
  }

  timed(status: number, latencyMs: number): void {
    if (!this.measuring || status < 200 || status >= 300) return
    this.latenciesMs.push(latencyMs)
    this.answeredAtMs.push(performance.now() - this.measuringSince)
  }

  unanswered(kind: string, count = 1): void {
    if (!this.measuring || count === 0) return
    this.failed.set(kind, (this.failed.get(kind) ?? 0) + count)
  }

  result(seconds: number, machine: MachineShares, generatorLagMs?: LoadResult['generatorLagMs'], skipped = 0): LoadResult {
    return { seconds, ok: this.ok, rejected: this.rejected, failed: this.failed, latenciesMs: this.latenciesMs, answeredAtMs: this.answeredAtMs, skipped, samples: this.samples, machine, generatorLagMs }
  }
}

/**
 * One POST through the pool, by undici's `dispatch` (what its `request` is built on): the answer's
 * status and body, without the stream and promises `request` makes for every response.
 */
export function send(pool: Pool, request: LoadRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let status = 0
    const chunks: Buffer[] = []
    pool.dispatch({ method: 'POST', path: request.path, headers: request.headers, body: request.body }, {
      onRequestStart() {},
      onResponseStart(_controller, statusCode) { status = statusCode },
      onResponseData(_controller, chunk) { chunks.push(chunk) },
      onResponseEnd() { resolve({ status, body: (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString() }) },
      onResponseError(_controller, err) { reject(err) },
    })
  })
}

/** How long a run lasts, and what to do at the edges of its measured window (read CPU counters). */
export interface Phases { warmupSeconds: number; seconds: number; atWindowStart?: () => Promise<void>; atWindowEnd?: () => Promise<void> }

/** One autocannon run of `seconds` on `connections` connections, recorded into `recorder`. */
function cannon(origin: string, make: MakeRequest, connections: number, seconds: number, recorder: Recorder): Promise<autocannon.Result> {
  interface Context { sent?: LoadRequest }
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: origin, connections, pipelining: 1, duration: seconds, timeout: requestTimeoutMs / 1000,
      requests: [{
        // With one request in flight per connection, the context holds the request being answered.
        setupRequest: (req, context: Context) => {
          const sent = make()
          context.sent = sent
          return { ...req, method: 'POST', path: sent.path, headers: sent.headers, body: sent.body }
        },
        onResponse: (status, body, context: Context) => recorder.answered(context.sent!, status, body),
      }],
    }, (err, result) => (err ? reject(err) : resolve(result)))
    instance.on('response', (_client, status, _bytes, ms) => recorder.timed(status, ms))
  })
}

/** Every connection busy (autocannon): a warm-up run, then the measured one. */
export async function closedLoop(origin: string, make: MakeRequest, opts: { connections: number } & Phases): Promise<LoadResult> {
  await cannon(origin, make, opts.connections, opts.warmupSeconds, new Recorder())
  const recorder = new Recorder()
  await opts.atWindowStart?.()
  const ticks = machineTicks()
  recorder.measuring = true
  const result = await cannon(origin, make, opts.connections, opts.seconds, recorder)
  const machine = machineShares(ticks, machineTicks())
  await opts.atWindowEnd?.()
  recorder.unanswered('time-out', result.timeouts)
  recorder.unanswered('connection error', result.errors - result.timeouts)
  recorder.measuring = false
  return recorder.result(result.duration, machine)
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
      ({ status, body }) => { recorder.timed(status, performance.now() - dueAt); recorder.answered(request, status, body) },
      (err: { code?: string }) => recorder.unanswered(err.code ?? 'error'),
    ).finally(() => pending.delete(p))
    pending.add(p)
  }
  const ticker = setInterval(() => {
    // Request k is due at t0 + k / rate: every one due by now goes out (k = 0 at once).
    const now = performance.now()
    const target = Math.floor(((now - t0) / 1000) * opts.rate) + 1
    for (; due < target; due++) fire(t0 + (due * 1000) / opts.rate)
  }, openLoopTickMs)
  await sleep(opts.warmupSeconds * 1000)
  await opts.atWindowStart?.()
  const ticks = machineTicks()
  const lag = lagWatch()
  recorder.measuring = true
  const windowStart = performance.now()
  await sleep(opts.seconds * 1000)
  recorder.measuring = false
  const seconds = (performance.now() - windowStart) / 1000
  const machine = machineShares(ticks, machineTicks())
  const generatorLagMs = lag.stop()
  await opts.atWindowEnd?.()
  clearInterval(ticker)
  await Promise.all([...pending])
  return recorder.result(seconds, machine, generatorLagMs, skipped)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The p-th percentile (0–100) of values sorted ascending. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/**
 * An open loop's tail, quarter second by quarter second: the slices whose slowest answer took more
 * than `overMs`, with their answers, p50, p90, p99 and slowest. Shows whether a p99 comes from a few stalls
 * (slices where nearly every answer is late) or from latency spread through the run.
 */
export function slowSlices(result: LoadResult, overMs: number, sliceMs = 250): string[] {
  const slices = new Map<number, number[]>()
  result.latenciesMs.forEach((ms, i) => {
    const slot = Math.floor(result.answeredAtMs[i] / sliceMs)
    const list = slices.get(slot)
    if (list) list.push(ms)
    else slices.set(slot, [ms])
  })
  return [...slices].sort((a, b) => a[0] - b[0]).flatMap(([slot, ms]) => {
    const sorted = [...ms].sort((a, b) => a - b)
    const max = sorted[sorted.length - 1]
    if (max <= overMs) return []
    return [`${((slot * sliceMs) / 1000).toFixed(2)} s: ${sorted.length} answers, p50 ${percentile(sorted, 50).toFixed(1)} ms, p90 ${percentile(sorted, 90).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, slowest ${max.toFixed(1)} ms`]
  })
}
