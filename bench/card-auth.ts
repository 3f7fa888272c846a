// npm run bench:card-auth: card authorizations over HTTP through the simulation endpoint, on
// accounts with spend controls attached, beside the internal-transfer peak of the same run.
//
// The method is bench/transfers-realistic.ts's:
// - Clients in this process (bench/support/http-load.ts): autocannon for the peaks, undici's Pool for
//   the paced run; BENCH_CONNECTIONS keep-alive connections (64), no pipelining (one request in
//   flight per connection), a fresh Idempotency-Key (a random UUID) on every POST.
// - Keel: `keel start` as its own process at its default log level (a line per request received
//   and answered, written to a pipe this process drains).
// - Seeding through the public API only: BENCH_CARDS accounts opened and funded
//   (bench/support/api-seed.ts), three spend controls attached to every account (a per-transaction
//   limit, a 31-day rolling limit, an MCC block list), and a virtual debit card on each.
// - Points: the authorization peak (closed loop, every connection busy), the internal-transfer peak
//   (uniform, 1 cent between random seeded accounts), then an open loop of authorizations paced at
//   BENCH_RATE/s (1,000) for p50 and p99, latency counted from when each request was due.
// - Only 2xx answers count, and only approved authorizations (a decline is a 201 too: it would
//   flatter the figure, so the bench counts declines and fails if there are any). A sample of the
//   approvals is read back through GET /v0/transactions/pending/{id}, and one is retried with its key.
// - Per 2xx answer in each point's window: the server's CPU, the database's CPU, and the bytes of
//   WAL the database server wrote (bench/support/database.ts, walBytesFrom), the one of the three
//   that the machine's load does not move.
//
// Knobs: BENCH_CARDS (500), BENCH_SECONDS (8), BENCH_WARMUP_SECONDS (2, before a peak's window),
// BENCH_PACED_WARMUP_SECONDS (30, before a paced point's window, at its rate), BENCH_CONNECTIONS (64),
// BENCH_RATE (1000), BENCH_POINTS (peaks,paced,paced-floor: `paced` alone measures the server's CPU per
// authorization at BENCH_RATE without the peaks, a figure that holds on a shared machine;
// `paced-transfers` adds internal transfers at the same rate, the same run's per-request floor;
// `paced-floor`, on by default, the bare route of bench/support/bare-route.ts paced at the same rate:
// one INSERT a request committed on its own, no authentication, no key, no rules, the latency any
// durable write has at that rate on this machine in this run),
// BENCH_NODE_ARGS (for the server's node, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof), BENCH_TIMELINE=1
// (the paced point's quarter seconds with an answer slower than 15 ms), BENCH_VACUUM=0 (no VACUUM
// (ANALYZE) of the run's database before each point, as bench/transfers-realistic.ts does and says why;
// each point prints how long autovacuum was at work in its window either way). Target: p99 ≤ 15 ms at 1,000 authorizations/s on this machine, generator included.
// Figures stand only from a quiet machine: the bench prints the load average before and after.
import { randomUUID } from 'node:crypto'
import { cpus, loadavg, totalmem } from 'node:os'
import type { Pool } from 'undici'
import { loadConfig } from '../src/platform/config.js'
import { connect, poolSizeDefault } from '../src/platform/db.js'
import { migrate } from '../src/platform/migrate.js'
import { createApiKey, ensureWorkspace } from '../src/platform/workspaces.js'
import { startKeel, type KeelProcess } from '../test/support/keel-process.js'
import { call, inParallel, seedThroughApi } from './support/api-seed.js'
import { AutovacuumWatch, describeAutovacuum, vacuumBeforePoint, vacuumCondition } from './support/autovacuum.js'
import { ledgerBatchesFrom, openBenchDatabase, walBytesFrom } from './support/database.js'
import { closedLoop, describeGeneratorLag, describeMachine, openLoop, openPool, percentile, slowSlices, type LoadResult, type MakeRequest, type Sample } from './support/http-load.js'
import { bareRouteTableDdl, benchKeelEnv, benchKeelEnvText, checkBareSamples, cpuSeconds, databaseCpuSeconds, RssSampler, startBareRoute, type BareRoute } from './support/processes.js'
import { requestMaker } from './support/transfer-requests.js'

const cardsCount = Number(process.env.BENCH_CARDS ?? 500)
const pointSeconds = Number(process.env.BENCH_SECONDS ?? 8)
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 2)
/**
 * Paced points run this long at their rate before their window: the p99 at 1,000/s is the figure
 * of a server that has been serving that rate, as one does for hours, not of its first seconds at
 * it. In its first seconds V8's optimizing compiler is still at work (on helper threads: 17% of a
 * core 3–8 s into a paced point of 300/s, 5% 25–30 s into one of 1,000/s), and at 1,000/s each
 * authorization cost the server 652 µs of CPU after 2 s against 421–461 µs after 30 s; p99 34.5 ms
 * against 11.1, 45.5 and 11.7 ms (paced points alone, one hour, docs/throughput/card-authorization.md). The peaks before it do not warm the same code: the full run's paced
 * point after them read 527–574 µs.
 */
const pacedWarmupSeconds = Number(process.env.BENCH_PACED_WARMUP_SECONDS ?? 30)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64)
const pacedRate = Number(process.env.BENCH_RATE ?? 1_000)
const idleSeconds = 3
const idleSettleSeconds = 15
/** BENCH_TIMELINE=1: after a paced point, its quarter seconds whose slowest answer took longer than this. */
const timeline = process.env.BENCH_TIMELINE === '1'
const timelineOverMs = 15
const points = new Set((process.env.BENCH_POINTS ?? 'peaks,paced,paced-floor').split(','))
const seedConnections = 32
const openingCents = 100_000_000
const authorizationCents = 1
const p99TargetMs = 15
const keelLogLevel = loadConfig({}).logLevel
const authorizationPath = '/v0/cards/transaction_simulations/authorization'
const merchant = { mcc: '5411', name: 'Bench Grocer', city: 'Oakland', state: 'CA', zip: '94607', country: 'USA' }

/** Spend controls on every account, and a virtual card on each: what the authorizations run against. */
async function seedCards(pool: Pool, key: string, accounts: string[]): Promise<string[]> {
  const control = (body: Record<string, unknown>) => call(pool, key, 'POST', '/v0/spend_controls', 201, { is_active: true, action_case: false, action_decline: true, ...body })
  const controls = [
    await control({ name: 'per transaction', amount_limit: 100_000, time_range: { time_range_type: 'SINGLE_TRANSACTION' } }),
    await control({ name: 'monthly', amount_limit: 10_000_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 31 } }),
    await control({ name: 'no gambling', amount_limit: 0, merchant_category_codes: ['7995', '7800-7802'], time_range: { time_range_type: 'SINGLE_TRANSACTION' } }),
  ]
  const persons = await call(pool, key, 'GET', '/v0/persons?limit=1', 200)
  const personId = persons.persons[0].id as string
  const products = await call(pool, key, 'GET', '/v0/cards/products', 200)
  const virtual = products.card_products.find((p: { form: string; card_type: string }) => p.form === 'VIRTUAL' && p.card_type === 'DEBIT')
  return inParallel(accounts.length, async (i) => {
    await call(pool, key, 'PATCH', `/v0/accounts/${accounts[i]}`, 200, { account_type: 'CHECKING', spend_control_ids: controls.map((c) => c.id) })
    const card = await call(pool, key, 'POST', '/v0/cards', 201, { form: 'VIRTUAL', type: 'DEBIT', card_product_id: virtual.id, account_id: accounts[i], customer_id: personId })
    return card.id as string
  })
}

const keyed = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() })

function authorizationMaker(key: string, cards: string[]): MakeRequest {
  return () => ({
    path: authorizationPath, headers: keyed(key),
    body: JSON.stringify({ card_id: cards[Math.floor(Math.random() * cards.length)], amount: authorizationCents, mid: 'BENCH-MID', card_acceptor: merchant }),
  })
}

interface Row { label: string; load: string; result: LoadResult; perSecond: number; p50: number; p99: number; rss: number; cpuUs: number; dbCpuUs: number; walBytes: number; declined: number; batches: number }

/** Approved authorizations among the sampled answers are what they claim: read back as a PENDING hold; one retry is replayed. */
async function checkAuthorizations(pool: Pool, key: string, samples: Sample[]): Promise<{ passed: boolean; text: string }> {
  let good = 0
  for (const s of samples) {
    const t = JSON.parse(s.body).transaction
    if (t?.state !== 'PENDING') continue
    const pending = await call(pool, key, 'GET', `/v0/transactions/pending/${t.pending_transaction_id}`, 200)
    if (pending.data.amount === authorizationCents && pending.data.external_data?.card_id === t.card_id) good++
  }
  let replayed = false
  if (samples.length) {
    const first = samples[0]
    const res = await pool.request({ method: 'POST', path: first.request.path, headers: first.request.headers, body: first.request.body })
    const again = JSON.parse(await res.body.text())
    replayed = res.statusCode === 201 && res.headers['idempotent-replayed'] === 'true' && again.transaction?.token === JSON.parse(first.body).transaction.token
  }
  return { passed: samples.length > 0 && good === samples.length && replayed, text: `${good}/${samples.length} sampled approvals read back as holds; ${replayed ? 'a retry with the same key was replayed' : 'A RETRY WAS NOT REPLAYED'}` }
}

const db = await openBenchDatabase()
const sql = connect(db.url, 4)
let keel: KeelProcess | undefined
let bare: BareRoute | undefined
const pools: Pool[] = []
let rss: RssSampler | undefined
try {
  await migrate(sql)
  const [pg] = await sql<{ version: string; sc: string; fsync: string }[]>`select current_setting('server_version') as version, current_setting('synchronous_commit') as sc, current_setting('fsync') as fsync`
  const models = new Map<string, number>()
  for (const c of cpus()) models.set(c.model, (models.get(c.model) ?? 0) + 1)
  console.log('conditions:')
  console.log(`  cpus(): ${[...models].map(([m, n]) => `${n} × ${m}`).join(', ')}; ${Math.round(totalmem() / 2 ** 30)} GiB; load average before ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  console.log(`  node ${process.version}; PostgreSQL ${pg.version} (${process.env.DATABASE_URL ? 'DATABASE_URL server' : 'embedded'}): synchronous_commit=${pg.sc}, fsync=${pg.fsync}`)
  console.log(`  clients in this process: autocannon (peaks), undici Pool (paced); ${connections} keep-alive connections, no pipelining, a fresh Idempotency-Key on every POST`)
  console.log(`  Keel: \`keel start\`, own process, LOG_LEVEL=${keelLogLevel} (its default), database pool ${poolSizeDefault}, ${benchKeelEnvText}`)
  console.log('  database CPU: every process named postgres on this machine (the bench needs its database here), with the ended backends')
  console.log(`  ${cardsCount} cards, one per account, each account with 3 spend controls (per transaction, 31-day rolling, MCC block list); ${pointSeconds} s per point, after ${warmupSeconds} s of warm-up at a peak and ${pacedWarmupSeconds} s at a paced point's rate`)
  console.log(`  ${vacuumCondition}`)

  const ws = await ensureWorkspace(sql, `bench-card-auth-${Date.now()}`, 'sandbox')
  const { apiKey } = await createApiKey(sql, ws.id)
  keel = await startKeel(db.url, { LOG_LEVEL: keelLogLevel, ...benchKeelEnv }, process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean))
  const seedPool = openPool(keel.url, seedConnections)
  pools.push(seedPool)
  const seedStart = performance.now()
  const data = await seedThroughApi(seedPool, apiKey, cardsCount, openingCents)
  const cards = await seedCards(seedPool, apiKey, data.accounts)
  console.log(`seeded ${cardsCount} funded accounts with spend controls and cards through the API in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`)

  const pool = openPool(keel.url, connections)
  pools.push(pool)
  rss = new RssSampler(keel.child.pid!)
  const pid = keel.child.pid!
  // Keel's own time for each 2xx answer (its access log's responseTime: from receiving the request to
  // sending the answer), beside the client's: what the client adds (waiting for a connection, its own
  // event loop on a busy machine) is the difference.
  // The log is kept as it comes in a point's window and read after it: read line by line as it came,
  // it was the bench's own work on the event loop that sends the requests, and a request due
  // meanwhile went out late, its latency counted from when it was due.
  const logChunks: Buffer[] = []
  let collecting = false
  keel.child.stdout!.on('data', (chunk: Buffer) => { if (collecting) logChunks.push(chunk) })
  const serverTimesOf = (chunks: Buffer[]): number[] => {
    const times: number[] = []
    for (const line of Buffer.concat(chunks).toString().split('\n')) {
      const time = /"url":"\/v0\/cards\/transaction_simulations\/[^"]*","statusCode":2\d\d,"responseTime":([0-9.]+)/.exec(line)
      if (time) times.push(Number(time[1]))
    }
    return times
  }
  const point = async (label: string, load: { concurrency: number } | { rate: number }, make: MakeRequest): Promise<Row> => {
    const vacuumed = await vacuumBeforePoint(sql)
    const watch = new AutovacuumWatch(sql)
    let cpuBefore = 0
    let cpuAfter = 0
    let dbBefore = 0
    let dbAfter = 0
    let batchesSince: (() => Promise<number>) | undefined
    let batches = 0
    let walSince: (() => Promise<number>) | undefined
    let wal = 0
    let autovacuum = { share: 0, work: [] as string[] }
    const phases = {
      warmupSeconds: 'rate' in load ? pacedWarmupSeconds : warmupSeconds, seconds: pointSeconds,
      atWindowStart: async () => { cpuBefore = cpuSeconds(pid); dbBefore = databaseCpuSeconds(); batchesSince = await ledgerBatchesFrom(sql); walSince = await walBytesFrom(sql); rss!.take(); logChunks.length = 0; collecting = true; watch.start() },
      atWindowEnd: async () => { autovacuum = watch.stop(); cpuAfter = cpuSeconds(pid); dbAfter = databaseCpuSeconds(); batches = await batchesSince!(); wal = await walSince!(); collecting = false },
    }
    const result = 'rate' in load ? await openLoop(pool, make, { rate: load.rate, ...phases }) : await closedLoop(keel!.url, make, { connections: load.concurrency, ...phases })
    const declined = result.samples.filter((s) => s.request.path === authorizationPath && JSON.parse(s.body).transaction?.state === 'DECLINED').length
    const latencies = [...result.latenciesMs].sort((a, b) => a - b)
    const row: Row = {
      label, load: 'rate' in load ? `paced ${load.rate}/s` : `${load.concurrency} conns`, result, perSecond: Math.round(result.ok / result.seconds),
      p50: percentile(latencies, 50), p99: percentile(latencies, 99), rss: rss!.take().maxMiB, cpuUs: Math.round(((cpuAfter - cpuBefore) * 1e6) / Math.max(result.ok, 1)), dbCpuUs: Math.round(((dbAfter - dbBefore) * 1e6) / Math.max(result.ok, 1)), walBytes: Math.round(wal / Math.max(result.ok, 1)), declined,
      // Ledger batches that wrote records in the window.
      batches,
    }
    const inServer = serverTimesOf(logChunks).sort((a, b) => a - b)
    console.log(`  ${label} ${row.load}: ${row.perSecond} 2xx/s, p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms` +
      (inServer.length ? ` (in Keel, by its access log: p50 ${percentile(inServer, 50).toFixed(1)} ms, p99 ${percentile(inServer, 99).toFixed(1)} ms over ${inServer.length} answers)` : '') +
      `; ${row.batches} ledger batches in the window, ${(result.ok / Math.max(row.batches, 1)).toFixed(1)} answers per batch${describeMachine(result.machine)}${describeGeneratorLag(result.generatorLagMs)}${vacuumed}${describeAutovacuum(autovacuum)}`)
    if (timeline && 'rate' in load) for (const line of slowSlices(result, timelineOverMs)) console.log(`    ${line}`)
    return row
  }

  // What the server spends with nothing to do (its workers' polls, timers), to set apart from what
  // authorizations cost. Right after seeding it can still be busy with what seeding left (compiling,
  // collecting): one run read 93 ms of CPU a second there, where the server left alone uses 7 to 13.
  // Counted as idle, that would hide part of each authorization's cost, so it first waits for two
  // one-second windows within a quarter of each other (at most idleSettleSeconds), then measures.
  const cpuPerSecondOver = async (seconds: number) => {
    const before = cpuSeconds(pid)
    const start = performance.now()
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
    return ((cpuSeconds(pid) - before) * 1e6) / ((performance.now() - start) / 1000)
  }
  let settledAfter = 0
  for (let last = await cpuPerSecondOver(1); settledAfter < idleSettleSeconds; settledAfter++) {
    const now = await cpuPerSecondOver(1)
    if (Math.abs(now - last) <= 0.25 * Math.max(now, last)) break
    last = now
  }
  const idleUsPerSecond = await cpuPerSecondOver(idleSeconds)
  console.log(`server idle: ${Math.round(idleUsPerSecond)} µs of CPU per second (over ${idleSeconds} s, after ${settledAfter + 2} s to settle${settledAfter >= idleSettleSeconds ? ': did not settle' : ''})`)
  console.log('running:')
  const authPeak = points.has('peaks') ? await point('authorizations', { concurrency: connections }, authorizationMaker(apiKey, cards)) : undefined
  const transferPeak = points.has('peaks') ? await point('internal transfers', { concurrency: connections }, requestMaker(apiKey, 'uniform', data.funding, data.accounts)) : undefined
  const paced = points.has('paced') ? await point('authorizations', { rate: pacedRate }, authorizationMaker(apiKey, cards)) : undefined
  // The same rate of internal transfers: what any keyed ledger request costs the server at that pace, beside an authorization.
  const pacedTransfers = points.has('paced-transfers') ? await point('internal transfers', { rate: pacedRate }, requestMaker(apiKey, 'uniform', data.funding, data.accounts)) : undefined
  // The floor: the bare route paced at the same rate, on its own pool of connections; its server's
  // CPU from its own process, the database's as for Keel's points.
  let floor: Row | undefined
  let floorChecked = { passed: true, text: '' }
  if (points.has('paced-floor')) {
    await sql.unsafe(bareRouteTableDdl)
    bare = await startBareRoute(db.url)
    const barePool = openPool(bare.url, connections)
    pools.push(barePool)
    const barePid = bare.child.pid!
    const vacuumed = await vacuumBeforePoint(sql)
    const watch = new AutovacuumWatch(sql)
    let autovacuum = { share: 0, work: [] as string[] }
    let cpuBefore = 0, cpuAfter = 0, dbBefore = 0, dbAfter = 0, wal = 0
    let walSince: (() => Promise<number>) | undefined
    const result = await openLoop(barePool, requestMaker(apiKey, 'uniform', data.funding, data.accounts), {
      rate: pacedRate, warmupSeconds: pacedWarmupSeconds, seconds: pointSeconds,
      atWindowStart: async () => { cpuBefore = cpuSeconds(barePid); dbBefore = databaseCpuSeconds(); walSince = await walBytesFrom(sql); watch.start() },
      atWindowEnd: async () => { autovacuum = watch.stop(); cpuAfter = cpuSeconds(barePid); dbAfter = databaseCpuSeconds(); wal = await walSince!() },
    })
    const latencies = [...result.latenciesMs].sort((a, b) => a - b)
    const perUs = (seconds: number) => Math.round((seconds * 1e6) / Math.max(result.ok, 1))
    floor = {
      label: 'bare route (1 row)', load: `paced ${pacedRate}/s`, result, perSecond: Math.round(result.ok / result.seconds), p50: percentile(latencies, 50), p99: percentile(latencies, 99),
      rss: NaN, cpuUs: perUs(cpuAfter - cpuBefore), dbCpuUs: perUs(dbAfter - dbBefore), walBytes: Math.round(wal / Math.max(result.ok, 1)), declined: 0, batches: 0,
    }
    floorChecked = await checkBareSamples(sql, result.samples)
    console.log(`  ${floor.label} ${floor.load}: ${floor.perSecond} 2xx/s, p50 ${floor.p50.toFixed(1)} ms, p99 ${floor.p99.toFixed(1)} ms; ${floorChecked.text}${floorChecked.passed ? '' : ' (FAILED)'}${describeMachine(result.machine)}${describeGeneratorLag(result.generatorLagMs)}${vacuumed}${describeAutovacuum(autovacuum)}`)
  }
  const rows = [authPeak, transferPeak, paced, pacedTransfers, floor].filter((r): r is Row => r !== undefined)
  const checks = await Promise.all([authPeak, paced].flatMap((r) => (r ? [checkAuthorizations(pool, apiKey, r.result.samples)] : [])))

  /** A point's server CPU per answer beyond what the idle server uses per second, spread over its answers. */
  const beyondIdle = (r: Row) => Math.round(r.cpuUs - idleUsPerSecond / Math.max(r.perSecond, 1))
  console.log('\ntarget               load            2xx/s  p50 ms  p99 ms  non-2xx, failed  declined (sampled)  server RSS max MiB  server CPU µs per 2xx  database CPU µs per 2xx  WAL B per 2xx')
  for (const r of rows) {
    const errors = [...r.result.rejected, ...r.result.failed].map(([k, n]) => `${k}×${n}`).join(' ') || '-'
    console.log(`${r.label.padEnd(20)} ${r.load.padEnd(15)} ${String(r.perSecond).padStart(6)} ${r.p50.toFixed(1).padStart(7)} ${r.p99.toFixed(1).padStart(7)}  ${errors.padEnd(16)} ${String(r.declined).padStart(18)} ${(Number.isNaN(r.rss) ? '-' : r.rss.toFixed(0)).padStart(19)} ${String(r.cpuUs).padStart(22)} ${String(r.dbCpuUs).padStart(24)} ${String(r.walBytes).padStart(14)}`)
  }
  for (const c of checks) console.log(`  check: ${c.text}`)
  console.log('\nfigures:')
  if (authPeak && transferPeak) {
    console.log(`  peak authorizations/s: ${authPeak.perSecond}`)
    console.log(`  internal-transfer peak of the same run: ${transferPeak.perSecond}/s; ratio authorizations / transfers = ${(authPeak.perSecond / Math.max(transferPeak.perSecond, 1)).toFixed(2)}×`)
    console.log(`  server CPU per answer at peak: ${authPeak.cpuUs} µs per authorization, ${transferPeak.cpuUs} µs per internal transfer`)
    console.log(`  database CPU per answer at peak: ${authPeak.dbCpuUs} µs per authorization, ${transferPeak.dbCpuUs} µs per internal transfer`)
  }
  if (paced) {
    const behind = paced.perSecond < pacedRate * 0.95 ? ` (only ${paced.perSecond}/s answered: the server fell behind)` : ''
    console.log(`  p99 at ${pacedRate} authorizations/s: ${paced.p99.toFixed(1)} ms (target ≤ ${p99TargetMs} ms: ${paced.p99 <= p99TargetMs && !behind ? 'met' : 'NOT met'})${behind}`)
    console.log(`  server CPU at ${pacedRate} authorizations/s: ${paced.cpuUs} µs per authorization, ${beyondIdle(paced)} beyond the server's idle CPU; database CPU ${paced.dbCpuUs} µs and ${paced.walBytes} B of WAL per authorization`)
  }
  if (floor) {
    const behind = floor.perSecond < pacedRate * 0.95 ? ` (only ${floor.perSecond}/s answered: it fell behind)` : ''
    console.log(`  (not a target) p99 of the bare route, one INSERT a request committed on its own, at ${pacedRate}/s in the same run: ${floor.p99.toFixed(1)} ms${behind}`)
  }
  if (pacedTransfers) {
    console.log(`  server CPU at ${pacedRate} internal transfers/s: ${pacedTransfers.cpuUs} µs per transfer, ${beyondIdle(pacedTransfers)} beyond the server's idle CPU; database CPU ${pacedTransfers.dbCpuUs} µs per transfer`)
    if (paced) console.log(`  ratio of server CPU beyond idle at that rate, authorization / internal transfer (same run): ${(beyondIdle(paced) / Math.max(beyondIdle(pacedTransfers), 1)).toFixed(2)}×`)
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  if (!floorChecked.passed || checks.some((c) => !c.passed) || rows.some((r) => r.label === 'authorizations' && r.declined > 0)) {
    console.log('CHECKS FAILED: sampled answers were declined or could not be confirmed; the figures do not stand')
    process.exitCode = 1
  }
} finally {
  rss?.stop()
  await Promise.all(pools.map((p) => p.close()))
  await keel?.stop()
  await bare?.stop()
  await sql.end()
  await db.stop()
}
