// npm run bench:transfers: POST /v0/transactions/internal_transfer over HTTP, at a concurrency
// sweep, in two scenarios: uniform (random pairs among BENCH_ACCOUNTS accounts) and hot (every
// transfer debits the one funding account). Each scenario runs with group commit on and off
// (KEEL_GROUP_COMMIT=off), on the same database and machine in the same run, so the ratio is
// measured under the same conditions. Then a paced run at 80% of the peak gives p99 there.
//
// Keel runs as its own process (`node bin/keel.mjs start`, LOG_LEVEL=warn) on a fresh database
// (DATABASE_URL's server, or an embedded PostgreSQL in a temporary folder). This process is the
// load generator: raw HTTP/1.1 over keep-alive sockets with pipelining, which costs far less CPU
// than fetch, because the two share the machine's cores. Commits are durable (synchronous_commit
// on, fsync on): the bench prints both settings as read from the server.
//
// Knobs (environment): BENCH_ACCOUNTS (default 10000), BENCH_SECONDS (per point, default 5),
// BENCH_CONCURRENCY (comma list, default 32,128,512), BENCH_SCENARIOS (uniform,hot),
// BENCH_MODES (grouped,ungrouped), BENCH_NODE_ARGS (for the server's node, e.g. --cpu-prof),
// BENCH_TIMELINE=1 (latency per quarter second of the paced runs).
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { cpus, loadavg, totalmem } from 'node:os'
import { ensureSandboxFunding, sandboxFundingAccountId } from '../src/accounts/index.js'
import { systemClock } from '../src/platform/clock.js'
import { connect, type Sql } from '../src/platform/db.js'
import { uuidv7 } from '../src/platform/ids.js'
import { migrate } from '../src/platform/migrate.js'
import { createApiKey, ensureWorkspace } from '../src/platform/workspaces.js'
import { applyInTransaction, batchesInFlightMaxDefault, batchSizeMaxDefault, batchWaitMsDefault, type LedgerRequest } from '../src/ledger/index.js'
import { startKeel, type KeelProcess } from '../test/support/keel-process.js'
import { openBenchDatabase } from './support/database.js'
import { benchKeelEnv, benchKeelEnvText } from './support/processes.js'

const accountsCount = Number(process.env.BENCH_ACCOUNTS ?? 10_000)
const pointSeconds = Number(process.env.BENCH_SECONDS ?? 5)
const warmupSeconds = 1
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '32,128,512').split(',').map(Number)
const scenarios = (process.env.BENCH_SCENARIOS ?? 'uniform,hot').split(',') as ('uniform' | 'hot')[]
const modes = (process.env.BENCH_MODES ?? 'grouped,ungrouped').split(',') as ('grouped' | 'ungrouped')[]
/** Sockets the generator opens; concurrency is spread over them with HTTP pipelining. */
const socketsMax = 32
const openingCents = 1_000_000n
const setupBatchSize = 1000
const pacedShareOfPeak = 0.8
/** BENCH_TIMELINE=1: print each paced point's p50 / p99 / max per quarter second, to see where a tail comes from. */
const timeline = process.env.BENCH_TIMELINE === '1'
const timelineSliceMs = 250

// ---- database and data

/** Accounts straight into the tables (the API path is not what is measured), funded through the ledger. */
async function seed(sql: Sql): Promise<{ key: string; funding: string; accounts: string[] }> {
  const ws = await ensureWorkspace(sql, `bench-${Date.now()}`, 'sandbox')
  const { apiKey } = await createApiKey(sql, ws.id)
  await ensureSandboxFunding(sql, systemClock, ws.id)
  const funding = sandboxFundingAccountId(ws.id)
  const now = new Date()
  const accounts = Array.from({ length: accountsCount }, () => uuidv7())
  for (let i = 0; i < accounts.length; i += setupBatchSize) {
    const ids = accounts.slice(i, i + setupBatchSize)
    await sql.begin(async (tx) => {
      await tx`insert into ledger_accounts (workspace_id, id, kind, account_number, currency, status, access_status, floor, ceiling, created_at)
               select ${ws.id}, id, 'ACCOUNT', (${200_000_000_000 + i}::int8 + n)::text, 'USD', 'ACTIVE_OR_DISBURSED', 'ACTIVE', 0, null, ${now}
               from unnest(${ids}::uuid[]) with ordinality as x(id, n)`
      await tx`insert into accounts (workspace_id, id, account_type, status, access_status, customer_type, created_at, updated_at)
               select ${ws.id}, id, 'CHECKING', 'ACTIVE_OR_DISBURSED', 'ACTIVE', 'PERSONAL', ${now}, ${now} from unnest(${ids}::uuid[]) as x(id)`
      const opening: LedgerRequest[] = ids.map((id) => ({
        workspaceId: ws.id, now, partnerVerified: true,
        commands: [{ id: uuidv7(), kind: 'post', legs: [{ accountId: funding, amount: -openingCents, currency: 'USD' }, { accountId: id, amount: openingCents, currency: 'USD' }], meta: { kind: 'OPENING_BALANCE', type: 'ACCOUNT_BALANCE_ADJUSTMENT' } }],
      }))
      const outcomes = await applyInTransaction(tx, opening, { nowOf: () => now })
      if (outcomes.some((o) => !o.ok)) throw new Error('seeding failed')
    })
  }
  return { key: apiKey, funding, accounts }
}

// ---- a small pipelined HTTP/1.1 client

interface Point { sent: number; done: number; errors: Map<string, number>; latenciesUs: number[]; timeline: number[][]; startedAt?: number }

class Conn {
  private buf: Buffer = Buffer.alloc(0)
  private readonly inflight: { start: bigint }[] = []
  constructor(private readonly socket: net.Socket, private readonly onDone: (status: number, body: string, us: number) => void) {
    socket.setNoDelay(true)
    socket.on('data', (chunk) => this.read(chunk))
  }
  get depth() { return this.inflight.length }
  send(request: string) {
    this.inflight.push({ start: process.hrtime.bigint() })
    this.socket.write(request)
  }
  private read(chunk: Buffer) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk
    for (;;) {
      const headEnd = this.buf.indexOf('\r\n\r\n')
      if (headEnd < 0) return
      const head = this.buf.subarray(0, headEnd).toString('latin1')
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0)
      if (this.buf.length < headEnd + 4 + length) return
      const body = this.buf.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8')
      this.buf = this.buf.subarray(headEnd + 4 + length)
      const status = Number(head.slice(9, 12))
      const { start } = this.inflight.shift()!
      this.onDone(status, body, Number((process.hrtime.bigint() - start) / 1000n))
    }
  }
  close() { this.socket.destroy() }
}

async function openConns(url: string, count: number, onDone: (status: number, body: string, us: number) => void): Promise<Conn[]> {
  const { hostname, port } = new URL(url)
  return Promise.all(Array.from({ length: count }, () => new Promise<Conn>((resolve, reject) => {
    const s = net.connect(Number(port), hostname, () => resolve(new Conn(s, onDone)))
    s.once('error', reject)
  })))
}

function requestFor(host: string, key: string, body: string): string {
  return `POST /v0/transactions/internal_transfer HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
}

type Scenario = 'uniform' | 'hot'

function bodyMaker(scenario: Scenario, funding: string, accounts: string[]): () => string {
  return () => {
    const to = accounts[Math.floor(Math.random() * accounts.length)]
    let from = funding
    if (scenario === 'uniform') {
      do from = accounts[Math.floor(Math.random() * accounts.length)]
      while (from === to)
    }
    return `{"amount":1,"currency":"USD","type":"ACCOUNT_TO_ACCOUNT","originating_account_id":"${from}","receiving_account_id":"${to}"}`
  }
}

/** Closed loop at `concurrency` requests in flight, or open loop at `rate` per second. */
async function drive(url: string, key: string, makeBody: () => string, opts: { concurrency: number; rate?: number }, seconds: number): Promise<Point> {
  const host = new URL(url).host
  const point: Point = { sent: 0, done: 0, errors: new Map(), latenciesUs: [], timeline: [] }
  let timelineStart = 0
  let measuring = false
  let stopping = false
  const sockets = Math.min(socketsMax, opts.concurrency)
  const conns = await openConns(url, sockets, (status, body, us) => {
    if (measuring) {
      point.done++
      point.latenciesUs.push(us)
      if (timeline) {
        const slot = Math.floor((Date.now() - timelineStart) / timelineSliceMs)
        ;(point.timeline[slot] ??= []).push(us)
      }
      if (status !== 200) {
        const code = /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? String(status)
        point.errors.set(code, (point.errors.get(code) ?? 0) + 1)
      }
    }
    if (!stopping && opts.rate === undefined) fire()
  })
  let rr = 0
  const fire = () => {
    const c = conns[rr++ % conns.length]
    c.send(requestFor(host, key, makeBody()))
    point.sent++
  }
  let pacer: NodeJS.Timeout | undefined
  if (opts.rate === undefined) {
    for (let i = 0; i < opts.concurrency; i++) fire()
  } else {
    const tickMs = 5
    const perTick = (opts.rate * tickMs) / 1000
    let owed = 0
    pacer = setInterval(() => {
      owed += perTick
      while (owed >= 1) {
        const c = conns.reduce((a, b) => (b.depth < a.depth ? b : a))
        if (c.depth >= opts.concurrency / sockets) break // back-pressure: the server is behind
        c.send(requestFor(host, key, makeBody()))
        point.sent++
        owed--
      }
    }, tickMs)
  }
  await new Promise((r) => setTimeout(r, warmupSeconds * 1000))
  measuring = true
  timelineStart = Date.now()
  point.startedAt = timelineStart
  const t0 = process.hrtime.bigint()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  measuring = false
  const elapsedS = Number(process.hrtime.bigint() - t0) / 1e9
  stopping = true
  if (pacer) clearInterval(pacer)
  await new Promise((r) => setTimeout(r, 500)) // let in-flight requests finish before closing
  for (const c of conns) c.close()
  point.done = Math.round(point.done / elapsedS) // transfers per second
  return point
}

/** CPU seconds (user + system) a process has used, from /proc (Linux clock ticks are 1/100 s). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0 // the process has gone
  }
}

/** CPU of the server, of the PostgreSQL backends serving this database, and of this generator. */
async function cpuSample(sql: Sql, keel: KeelProcess): Promise<{ server: number; postgres: number; generator: number }> {
  const backends = await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`
  const usage = process.cpuUsage()
  return {
    server: cpuSeconds(keel.child.pid!),
    postgres: backends.reduce((s, b) => s + cpuSeconds(b.pid), 0),
    generator: (usage.user + usage.system) / 1e6,
  }
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0)
const rssMb = (k: KeelProcess) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${k.child.pid}/status`, 'utf8'))
  return m ? Math.round(Number(m[1]) / 1024) : NaN
}

interface Row { scenario: Scenario; mode: string; concurrency: string; tps: number; p50: number; p99: number; rss: number; errors: string; cpu?: string }

function report(rows: Row[]) {
  console.log('\nscenario  mode       concurrency  transfers/s  p50 ms  p99 ms  server RSS MB  CPU µs/transfer server+postgres+generator  errors')
  for (const r of rows) {
    console.log(`${r.scenario.padEnd(9)} ${r.mode.padEnd(10)} ${r.concurrency.padStart(11)}  ${String(r.tps).padStart(11)}  ${(r.p50 / 1000).toFixed(1).padStart(6)}  ${(r.p99 / 1000).toFixed(1).padStart(6)}  ${String(r.rss).padStart(13)}  ${(r.cpu ?? '').padEnd(42)}  ${r.errors || '-'}`)
  }
}

// ---- main

const db = await openBenchDatabase()
const sql = connect(db.url, 4)
const rows: Row[] = []
try {
  await migrate(sql)
  const [settings] = await sql<{ sc: string; fsync: string; version: string }[]>`select current_setting('synchronous_commit') as sc, current_setting('fsync') as fsync, version() as version`
  console.log('conditions:')
  console.log(`  machine: ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB, load average before ${loadavg().map((l) => l.toFixed(2)).join(' ')}; load generator on the same machine`)
  console.log(`  node ${process.version}; ${settings.version.split(',')[0]}; synchronous_commit=${settings.sc}, fsync=${settings.fsync} (durable commits)`)
  console.log(`  ${process.env.DATABASE_URL ? 'DATABASE_URL server' : 'embedded PostgreSQL'}; ${accountsCount} accounts; ${pointSeconds} s per point after ${warmupSeconds} s warm-up; ${socketsMax} sockets max, pipelined; Keel's ${benchKeelEnvText}`)
  console.log(`  group commit: batches of up to ${batchSizeMaxDefault}, ${batchWaitMsDefault} ms wait while busy, ${batchesInFlightMaxDefault} in flight; off = one transaction per transfer`)
  console.log('seeding…')
  const data = await seed(sql)
  const peaks = new Map<string, number>()
  for (const mode of modes) {
    const keel = await startKeel(db.url, { LOG_LEVEL: 'warn', KEEL_GROUP_COMMIT: mode === 'grouped' ? 'on' : 'off', ...benchKeelEnv }, process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean))
    try {
      for (const scenario of scenarios) {
        const makeBody = bodyMaker(scenario, data.funding, data.accounts)
        for (const concurrency of concurrencies) {
          const before = await cpuSample(sql, keel)
          const p = await drive(keel.url, data.key, makeBody, { concurrency }, pointSeconds)
          const after = await cpuSample(sql, keel)
          // Per transfer over the whole run of the point (warm-up and drain included, so a slight overestimate).
          const handled = p.sent || 1
          const us = (k: 'server' | 'postgres' | 'generator') => Math.round(((after[k] - before[k]) * 1e6) / handled)
          const cpu = `${us('server')} + ${us('postgres')} + ${us('generator')} = ${us('server') + us('postgres') + us('generator')}`
          const sorted = p.latenciesUs.sort((a, b) => a - b)
          rows.push({ scenario, mode, concurrency: String(concurrency), tps: p.done, p50: pct(sorted, 50), p99: pct(sorted, 99), rss: rssMb(keel), errors: [...p.errors].map(([c, n]) => `${c}×${n}`).join(' '), cpu })
          peaks.set(`${scenario}/${mode}`, Math.max(peaks.get(`${scenario}/${mode}`) ?? 0, p.done))
          console.log(`  ${scenario} ${mode} c=${concurrency}: ${p.done}/s`)
        }
        if (mode === 'grouped') {
          const rate = Math.round((peaks.get(`${scenario}/${mode}`) ?? 0) * pacedShareOfPeak)
          const p = await drive(keel.url, data.key, makeBody, { concurrency: Math.max(...concurrencies), rate }, pointSeconds)
          if (timeline) {
            console.log(`  ${scenario} @${rate}/s, per ${timelineSliceMs} ms from ${new Date(p.startedAt ?? 0).toISOString()}: count p50/p99/max ms`)
            console.log('  ' + p.timeline.map((slot) => {
              const sl = slot.sort((a, b) => a - b)
              return `${sl.length}:${(pct(sl, 50) / 1000).toFixed(0)}/${(pct(sl, 99) / 1000).toFixed(0)}/${(sl[sl.length - 1] / 1000).toFixed(0)}`
            }).join(' '))
          }
          const sorted = p.latenciesUs.sort((a, b) => a - b)
          rows.push({ scenario, mode, concurrency: `@${rate}/s`, tps: p.done, p50: pct(sorted, 50), p99: pct(sorted, 99), rss: rssMb(keel), errors: [...p.errors].map(([c, n]) => `${c}×${n}`).join(' ') })
        }
      }
    } finally {
      await keel.stop()
    }
  }
  report(rows)
  console.log('\ngroup commit on / off, peak transfers/s (same run, same database):')
  for (const scenario of scenarios) {
    const on = peaks.get(`${scenario}/grouped`)
    const off = peaks.get(`${scenario}/ungrouped`)
    if (on && off) console.log(`  ${scenario}: ${on} / ${off} = ${(on / off).toFixed(1)}×`)
  }
  console.log('CPU µs/transfer is what one transfer costs the machine; 2 cores give 2,000,000 µs per second, so')
  console.log('2e6 / (that sum) is the throughput this build could reach on an otherwise idle machine.')
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
} finally {
  await sql.end()
  await db.stop()
}
