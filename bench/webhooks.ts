// npm run bench:webhooks: webhook deliveries per second to a local receiver, and the lag from an
// event's commit to its arrival at the receiver (p50, p99), at full speed and at a fixed rate.
//
// Keel runs as its own process (`node bin/keel.mjs start`) on a fresh database (DATABASE_URL's
// server, or an embedded PostgreSQL in a temporary folder); this process writes the events (the
// outbox rows, as any API change writes them, a few per transaction) and runs the receiver, so
// commit and arrival times are read from one clock. Every delivery's signature is verified.
//
// Knobs (environment): BENCH_EVENTS (burst size, default 20000), BENCH_RATE (events/s of the
// paced phase, default 2000), BENCH_SECONDS (paced phase length, default 10), BENCH_WEBHOOKS
// (subscriptions receiving every event, default 1).
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { connect } from '../src/platform/db.js'
import { recordEvent } from '../src/platform/events.js'
import { uuidv7 } from '../src/platform/ids.js'
import { migrate } from '../src/platform/migrate.js'
import { createApiKey, ensureWorkspace } from '../src/platform/workspaces.js'
import { dispatcherLanesMax, laneBatchDeliveriesMax } from '../src/webhooks/dispatcher.js'
import { deliveryTimeoutMs } from '../src/webhooks/schedule.js'
import { verifySignature } from '../src/webhooks/signing.js'
import { startKeel, type KeelProcess } from '../test/support/keel-process.js'
import { openBenchDatabase } from './support/database.js'

const burstEvents = Number(process.env.BENCH_EVENTS ?? 20_000)
const pacedRate = Number(process.env.BENCH_RATE ?? 2_000)
const pacedSeconds = Number(process.env.BENCH_SECONDS ?? 10)
const webhookCount = Number(process.env.BENCH_WEBHOOKS ?? 1)
const eventsPerTransaction = 20
const writersMax = 4
const pacedTickMs = 10
const drainWaitMs = 120_000

// ---- database

const db = await openBenchDatabase()
const databaseUrl = db.url
const sql = connect(databaseUrl, writersMax + 2)
await migrate(sql)
const [{ version }] = await sql<{ version: string }[]>`select current_setting('server_version') as version`

// ---- receiver

const secretHolder: { secret: string } = { secret: '' }
/** Arrival time of each delivery, by receiving path and event id (the first, if redelivered). */
const arrivals = new Map<string, number>()
let received = 0
let badSignatures = 0
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const at = performance.now()
    const raw = Buffer.concat(chunks)
    const ok = verifySignature({ header: req.headers['synctera-signature'] as string, timestamp: req.headers['request-timestamp'] as string, rawBody: raw, secrets: [secretHolder.secret], nowSeconds: Math.floor(Date.now() / 1000) })
    if (!ok) badSignatures++
    const id = (JSON.parse(raw.toString('utf8')) as { id: string }).id
    received++
    const key = `${req.url} ${id}`
    if (!arrivals.has(key)) arrivals.set(key, at)
    res.writeHead(200).end()
  })
})
receiver.keepAliveTimeout = 60_000
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`

// ---- Keel

let keel: KeelProcess | undefined

/** CPU seconds (user + system) a process has used, from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond
  } catch {
    return undefined
  }
}
const clockTicksPerSecond = 100

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
const fmt = (n: number) => n.toFixed(1)

async function main(): Promise<void> {
  const server = await startKeel(databaseUrl)
  keel = server
  const keelUrl = server.url
  const ws = await ensureWorkspace(sql, 'bench', 'sandbox')
  const { apiKey } = await createApiKey(sql, ws.id)
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(keelUrl + path, { method, headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined })
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
    return res.json() as Promise<any>
  }
  secretHolder.secret = (await call('POST', '/v0/webhook_secrets')).secret
  for (let i = 0; i < webhookCount; i++) await call('POST', '/v0/webhooks', { url: `${receiverUrl}/hook/${i}`, enabled_events: ['PERSON.*'], is_enabled: true })

  const resource = (n: number) => ({
    id: uuidv7(), first_name: 'Ada', last_name: `Lovelace${n}`, email: `ada${n}@example.com`, phone_number: '+14155550100', dob: '1985-12-10',
    status: 'ACTIVE', is_customer: true, verification_status: 'UNVERIFIED', ssn_last_4: '1000',
    legal_address: { address_line_1: '1 Main St', city: 'Springfield', state: 'IL', postal_code: '62701', country_code: 'US' },
    creation_time: new Date().toISOString(), last_updated_time: new Date().toISOString(),
  })
  const committedAt = new Map<string, number>()
  let serial = 0
  async function writeBatch(count: number): Promise<void> {
    const ids: string[] = []
    await sql.begin(async (tx) => {
      for (let i = 0; i < count; i++) {
        const r = resource(serial++)
        ids.push(await recordEvent(tx, { workspaceId: ws.id, type: 'PERSON.CREATED', resourceId: r.id, resource: r, at: new Date() }))
      }
    })
    const at = performance.now()
    for (const id of ids) committedAt.set(id, at)
  }
  async function drain(ids: string[]): Promise<void> {
    const deadline = Date.now() + drainWaitMs
    while (arrivals.size < ids.length * webhookCount) {
      if (Date.now() > deadline) throw new Error(`only ${received} of ${ids.length * webhookCount} deliveries arrived`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  function report(name: string, ids: string[], keelCpuAtStart: number | undefined) {
    const lags = [...arrivals].map(([key, at]) => at - committedAt.get(key.split(' ')[1])!).sort((a, b) => a - b)
    const first = Math.min(...ids.map((id) => committedAt.get(id)!))
    const last = Math.max(...arrivals.values())
    const deliveries = ids.length * webhookCount
    console.log(`${name}: ${deliveries} deliveries in ${fmt((last - first) / 1000)} s = ${Math.round(deliveries / ((last - first) / 1000))} deliveries/s; ` +
      `lag commit→arrival p50 ${fmt(percentile(lags, 50))} ms, p99 ${fmt(percentile(lags, 99))} ms, max ${fmt(lags[lags.length - 1])} ms`)
    const keelCpu = cpuSeconds(server.child.pid)
    if (keelCpu !== undefined && keelCpuAtStart !== undefined) {
      const perDelivery = ((keelCpu - keelCpuAtStart) * 1000) / deliveries
      console.log(`  Keel process CPU: ${fmt(keelCpu - keelCpuAtStart)} s, ${(perDelivery * 1000).toFixed(0)} µs per delivery (≈${Math.round(1000 / perDelivery)} deliveries per CPU-second, database not included)`)
    }
  }

  const loadStart = loadavg()
  console.log(`conditions: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model}), load average ${loadStart.map((l) => l.toFixed(2)).join(' ')} (machine shared with other work)`)
  console.log(`  PostgreSQL ${version} (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'}), Keel as one separate process; receiver and event writer in this process; ${webhookCount} webhook(s) subscribed to PERSON.*`)
  console.log(`  dispatcher: ${dispatcherLanesMax} lanes, batches of up to ${laneBatchDeliveriesMax}, time-out ${deliveryTimeoutMs} ms; events written ${eventsPerTransaction} per transaction, ~${JSON.stringify(resource(0)).length} bytes of resource each`)

  // Warm-up: connections, JIT, plans.
  const warm: string[] = []
  for (let i = 0; i < 10; i++) { const before = committedAt.size; await writeBatch(eventsPerTransaction); warm.push(...[...committedAt.keys()].slice(before)) }
  await drain(warm)
  received = 0
  arrivals.clear()
  committedAt.clear()

  // 1. Burst: write as fast as the writers can; the dispatcher runs alongside.
  const burstCpu = cpuSeconds(server.child.pid)
  let remaining = burstEvents
  await Promise.all(Array.from({ length: writersMax }, async () => {
    while (remaining > 0) {
      const n = Math.min(eventsPerTransaction, remaining)
      remaining -= n
      await writeBatch(n)
    }
  }))
  const burstIds = [...committedAt.keys()]
  await drain(burstIds)
  report(`burst of ${burstEvents} events`, burstIds, burstCpu)
  if (received !== arrivals.size) console.log(`  note: ${received - arrivals.size} redeliveries`)

  // 2. Paced: a fixed offered rate, as a steady stream of API changes would produce.
  received = 0
  arrivals.clear()
  committedAt.clear()
  const pacedCpu = cpuSeconds(server.child.pid)
  const perTick = Math.max(1, Math.round((pacedRate * pacedTickMs) / 1000))
  const ticks = Math.round((pacedSeconds * 1000) / pacedTickMs)
  const startMs = performance.now()
  const inFlight: Promise<void>[] = []
  for (let t = 0; t < ticks; t++) {
    const due = startMs + t * pacedTickMs
    const wait = due - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    inFlight.push(writeBatch(perTick))
  }
  await Promise.all(inFlight)
  const pacedIds = [...committedAt.keys()]
  await drain(pacedIds)
  report(`paced ${pacedRate} events/s for ${pacedSeconds} s`, pacedIds, pacedCpu)
  console.log(`signatures failing verification: ${badSignatures}; load average after ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
}

try {
  await main()
} finally {
  await keel?.stop()
  receiver.closeAllConnections()
  receiver.close()
  await sql.end({ timeout: 5 })
  await db.stop()
}
