// npm run bench:transfers:realistic (also the second half of npm run bench:transfers): internal
// transfers posted as a fintech's backend would post them, beside a bare route as the floor.
//
// - Clients (bench/support/http-load.ts), in this process: autocannon for the peaks, undici's Pool
//   for the paced runs; BENCH_CONNECTIONS keep-alive connections (64) each, no pipelining: one
//   request in flight per connection. Every POST carries a fresh Idempotency-Key (a random UUID),
//   to Keel and to the bare route alike.
// - Keel: `keel start` as its own process (test/support/keel-process.ts) at its default log level
//   (info: one access-log line per request answered, written to a pipe this process drains).
// - Bare route: bench/support/bare-route.ts as its own process (a child, like Keel): Fastify,
//   the same JSON schema for the body, one INSERT per request into the same database, committed
//   on its own. In BENCH_ROUNDS rounds (3): the bare route's peak, Keel's peaks, the bare route's
//   peak again, Keel's, and so on; each keyed peak is divided by the mean of the bare route's runs
//   on either side of it, and the median of those ratios is the figure (this machine's speed moves
//   by half within minutes, so a ratio of runs minutes apart says more of the machine than of Keel).
// - Scenarios: uniform (random pairs among BENCH_ACCOUNTS accounts) and hot (every transfer
//   debits the one funding account). Peaks in a closed loop (every connection busy), then an open
//   loop paced at 80% of each scenario's keyed peak for p50 / p99, latency counted from when each
//   request was due, and the bare route paced at the same rate (the latency of one INSERT committed
//   a request, at that rate, on this machine, in this run).
// - Only 2xx answers count as throughput; others are listed by status and problem code. A sample
//   of the 2xx transfers is read back through GET, and one of them is retried with its key to show
//   the key was honoured.
// - Per 2xx answer in each point's window: the CPU of the server, of PostgreSQL's processes and of
//   this generator, and the bytes of WAL the database server wrote (bench/support/database.ts,
//   walBytesFrom): what a request asks of the database's storage, a figure the machine's load does
//   not move as it moves CPU time.
// - Accounts are opened and funded through the public API (bench/support/api-seed.ts).
//
// The database: DATABASE_URL's server (a new database on it), or an embedded PostgreSQL in a
// temporary folder (bench/support/database.ts). Durability settings are read from the server.
//
// Knobs (environment): BENCH_ACCOUNTS (2000), BENCH_SECONDS (measured seconds per point, 8),
// BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (64), BENCH_SCENARIOS (uniform,hot), BENCH_NODE_ARGS (for
// the server's node, e.g. --cpu-prof), BENCH_TIMELINE=1 (each paced point's quarter seconds with an
// answer over the p99 target, or over BENCH_TIMELINE_OVER_MS, to see whether a tail comes from a few
// stalls or from the whole run), BENCH_BATCH_COUNTERS=1 (Keel serves its metrics, KEEL_METRICS=on,
// which counts every response: not its default, so not for the figures; each Keel point then says
// how many of its batches went from memory and how many ran again, reading or locking first),
// BENCH_VACUUM=0 (no VACUUM (ANALYZE) of the run's database before each point; below),
// BENCH_FLOOR=1 (after the bare route's second run, a uniform peak of the bare route writing a
// transfer's rows per request, bench/support/bare-route.ts: what Keel's own writes cost without
// group commit, beside the one-row floor; then the one-row route, that route and Keel, each paced at
// BENCH_FLOOR_RATE/s, 1,000 by default: the latency of the same writes at card authorization's
// target rate), BENCH_ROUNDS (3), BENCH_PACED_RATE (every paced point at this rate instead of 80% of
// its scenario's keyed peak: to compare two builds' tails at one rate, since 80% of a higher peak is
// a harder point; the target line then says the rate was not the target's). The defaults
// keep a run within about three minutes: fourteen points of 10 s, and the seeding, which costs Keel
// a few ms of CPU per account opened through the API (10,000 accounts would take a minute or more).
// The paced points run at 80% of each scenario's median keyed peak.
//
// Before each point the run's database is vacuumed and analyzed, as pgbench does before a run. The
// run's tables are young: each grows by a fifth (autovacuum's trigger for a table that is inserted
// into) within a minute, so autovacuum comes every minute (autovacuum_naptime) and works for seconds
// on one core of the two the server, PostgreSQL and the generator share, inside whichever point it
// meets (a paced point it met fell behind its pace, and the bare route's p99 at the same rate rose to
// hundreds of milliseconds). An established deployment's tables take days to grow by a fifth. Every
// point prints how long autovacuum was seen at work in its window all the same.
import { cpus, loadavg, totalmem } from 'node:os'
import type { Pool } from 'undici'
import { loadConfig } from '../src/platform/config.js'
import { connect, poolSizeDefault, type Sql } from '../src/platform/db.js'
import { isUuid } from '../src/platform/ids.js'
import { migrate } from '../src/platform/migrate.js'
import { createApiKey, ensureWorkspace } from '../src/platform/workspaces.js'
import { startKeel, type KeelProcess } from '../test/support/keel-process.js'
import { seedThroughApi } from './support/api-seed.js'
import { AutovacuumWatch, describeAutovacuum, vacuumBeforePoint, vacuumCondition, type AutovacuumSeen } from './support/autovacuum.js'
import { ledgerBatchesFrom, openBenchDatabase, walBytesFrom } from './support/database.js'
import { closedLoop, describeGeneratorLag, describeMachine, openLoop, openPool, percentile, slowSlices, type LoadRequest, type LoadResult, type MakeRequest, type Phases, type Sample } from './support/http-load.js'
import { bareRouteTableDdl, benchKeelEnv, benchKeelEnvText, checkBareSamples, cpuSeconds, RssSampler, startBareRoute, type BareRoute } from './support/processes.js'
import { requestMaker, transferCents, transferPath, type Scenario } from './support/transfer-requests.js'

const accountsCount = Number(process.env.BENCH_ACCOUNTS ?? 2_000)
const pointSeconds = Number(process.env.BENCH_SECONDS ?? 8)
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 2)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64)
const scenarios = (process.env.BENCH_SCENARIOS ?? 'uniform,hot').split(',') as Scenario[]
for (const s of scenarios) if (s !== 'uniform' && s !== 'hot') throw new Error(`unknown scenario ${s}`)
const seedConnections = 32
const openingCents = 1_000_000
const pacedShareOfPeak = 0.8
/** BENCH_PACED_RATE: one rate for every paced point, in place of pacedShareOfPeak of each peak. */
const pacedRateFixed = process.env.BENCH_PACED_RATE === undefined ? undefined : Number(process.env.BENCH_PACED_RATE)
if (pacedRateFixed !== undefined && !(Number.isInteger(pacedRateFixed) && pacedRateFixed >= 1)) throw new Error('BENCH_PACED_RATE must be a whole number of requests a second')
/** A paced point whose 2xx/s falls below this share of its rate did not keep up. */
const pacedKeptUpShare = 0.95
/** The targets, printed beside the figures. */
const keyedShareOfBareTarget = 0.9
const pacedP99TargetMs = 50
const timeline = process.env.BENCH_TIMELINE === '1'
const batchCountersOn = process.env.BENCH_BATCH_COUNTERS === '1'
const timelineOverMs = Number(process.env.BENCH_TIMELINE_OVER_MS ?? pacedP99TargetMs)
const floor = process.env.BENCH_FLOOR === '1'
const floorRate = Number(process.env.BENCH_FLOOR_RATE ?? 1_000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error('BENCH_ROUNDS must be a whole number of at least 1')
/** Keel's own default, whatever this shell's LOG_LEVEL says. */
const keelLogLevel = loadConfig({}).logLevel

// ---- measurements around a point: CPU of the server, of PostgreSQL's backends, of this generator

interface CpuReading { server: number; postgres: Map<number, number>; generator: number }

async function readCpu(sql: Sql, serverPid: number): Promise<CpuReading> {
  const backends = await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`
  const usage = process.cpuUsage()
  return { server: cpuSeconds(serverPid), postgres: new Map(backends.map((b) => [b.pid, cpuSeconds(b.pid)])), generator: (usage.user + usage.system) / 1e6 }
}

/** µs of CPU per 2xx answer in the window: server + PostgreSQL + generator. */
function cpuPerAnswer(before: CpuReading, after: CpuReading, answers: number): string {
  const postgres = [...after.postgres].reduce((sum, [pid, s]) => sum + s - (before.postgres.get(pid) ?? 0), 0)
  const us = (seconds: number) => Math.round((seconds * 1e6) / Math.max(answers, 1))
  const parts = [us(after.server - before.server), us(postgres), us(after.generator - before.generator)]
  return `${parts.join(' + ')} = ${parts.reduce((a, b) => a + b, 0)}`
}

/** The server's group-commit batch counters (its /metrics), by name without `keel_ledger_batches_` and `_total`; empty for a server without them. */
async function batchCounters(origin: string): Promise<Map<string, number>> {
  if (!batchCountersOn) return new Map()
  const res = await fetch(`${origin}/metrics`).catch(() => undefined)
  if (!res?.ok) return new Map()
  const out = new Map<string, number>()
  for (const m of (await res.text()).matchAll(/^keel_ledger_batches_(\w+)_total (\d+)$/gm)) out.set(m[1], Number(m[2]))
  return out
}

/** How the window's batches went: decided from memory, and run again (reading, or locking first). */
function describeBatchCounters(before: Map<string, number>, after: Map<string, number>): string {
  if (after.size === 0) return ''
  const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0)
  return `; from memory ${delta('from_memory')}, run again reading ${delta('reread')}, run again locking ${delta('relocked')}`
}

interface Check { passed: boolean; text: string }
interface Row { target: string; scenario: Scenario; load: string; rate?: number; result: LoadResult; perSecond: number; p50: number; p99: number; rss: number; cpu: string; walPerAnswer: number; autovacuum: AutovacuumSeen; checked: Check }

interface Target { label: string; pid: number; origin: string; pool: Pool; rss: RssSampler }

async function point(sql: Sql, target: Target, scenario: Scenario, load: { concurrency: number } | { rate: number }, make: MakeRequest): Promise<Row> {
  const vacuumed = await vacuumBeforePoint(sql)
  let before: CpuReading | undefined
  let after: CpuReading | undefined
  let batchesSince: (() => Promise<number>) | undefined
  let batches = 0
  let walSince: (() => Promise<number>) | undefined
  let wal = 0
  let autovacuum: AutovacuumSeen = { share: 0, work: [] }
  let countersBefore = new Map<string, number>()
  let countersAfter = new Map<string, number>()
  const watch = new AutovacuumWatch(sql)
  const phases: Phases = {
    warmupSeconds, seconds: pointSeconds,
    atWindowStart: async () => { before = await readCpu(sql, target.pid); batchesSince = await ledgerBatchesFrom(sql); walSince = await walBytesFrom(sql); countersBefore = await batchCounters(target.origin); target.rss.take(); watch.start() },
    atWindowEnd: async () => { autovacuum = watch.stop(); after = await readCpu(sql, target.pid); batches = await batchesSince!(); wal = await walSince!(); countersAfter = await batchCounters(target.origin) },
  }
  const result = 'rate' in load
    ? await openLoop(target.pool, make, { rate: load.rate, ...phases })
    : await closedLoop(target.origin, make, { connections: load.concurrency, ...phases })
  const latencies = [...result.latenciesMs].sort((a, b) => a - b)
  const row: Row = {
    target: target.label, scenario, load: 'rate' in load ? `paced ${load.rate}/s` : `${load.concurrency} conns`, rate: 'rate' in load ? load.rate : undefined, result,
    perSecond: Math.round(result.ok / result.seconds), p50: percentile(latencies, 50), p99: percentile(latencies, 99),
    rss: target.rss.take().maxMiB, cpu: cpuPerAnswer(before!, after!, result.ok), walPerAnswer: Math.round(wal / Math.max(result.ok, 1)), autovacuum, checked: { passed: false, text: 'not checked' },
  }
  // Keel's ledger batches that wrote records in the window (none for the bare route).
  const perBatch = batches > 0 ? `; ${batches} ledger batches, ${(result.ok / batches).toFixed(1)} answers per batch${describeBatchCounters(countersBefore, countersAfter)}` : ''
  console.log(`  ${row.target} ${scenario} ${row.load}: ${row.perSecond} 2xx/s, p99 ${row.p99.toFixed(1)} ms, ${row.walPerAnswer} B of WAL per 2xx${result.rejected.size + result.failed.size ? ', with non-2xx or failures' : ''}${perBatch}${describeMachine(result.machine)}${describeGeneratorLag(result.generatorLagMs)}${vacuumed}${describeAutovacuum(autovacuum)}`)
  if (timeline && 'rate' in load) for (const line of slowSlices(result, timelineOverMs)) console.log(`    ${line}`)
  return row
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b)
  const mid = Math.floor(v.length / 2)
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2
}

// ---- checking that 2xx answers are what they claim

const bodyOf = (request: LoadRequest) => JSON.parse(request.body) as { amount: number; originating_account_id: string; receiving_account_id: string }

function sameTransfer(request: LoadRequest, t: Record<string, unknown>): boolean {
  const sent = bodyOf(request)
  return typeof t.id === 'string' && isUuid(t.id) && t.status === 'COMPLETE' && t.amount === sent.amount &&
    t.originating_account_id === sent.originating_account_id && t.receiving_account_id === sent.receiving_account_id
}

/** Each sampled answer is a transfer Keel can show again; one retried with its key is replayed, not posted twice. */
async function checkKeelSamples(pool: Pool, apiKey: string, samples: Sample[]): Promise<Check> {
  let good = 0
  for (const s of samples) {
    const answered = JSON.parse(s.body) as Record<string, unknown>
    if (!sameTransfer(s.request, answered)) continue
    const res = await pool.request({ method: 'GET', path: `${transferPath}/${answered.id}`, headers: { authorization: `Bearer ${apiKey}` } })
    const text = await res.body.text()
    if (res.statusCode === 200 && sameTransfer(s.request, JSON.parse(text))) good++
  }
  let replay = 'no sample to retry'
  let replayed = false
  if (samples.length > 0) {
    const first = samples[0]
    const res = await pool.request({ method: 'POST', path: first.request.path, headers: first.request.headers, body: first.request.body })
    const again = JSON.parse(await res.body.text()) as Record<string, unknown>
    replayed = res.statusCode === 200 && res.headers['idempotent-replayed'] === 'true' && again.id === (JSON.parse(first.body) as { id: string }).id
    replay = replayed ? 'a retry with the same key was replayed' : `A RETRY WITH THE SAME KEY WAS NOT REPLAYED (${res.statusCode})`
  }
  return { passed: samples.length > 0 && good === samples.length && replayed, text: `${good}/${samples.length} sampled transfers read back; ${replay}` }
}

/** The tables the bare route writes a transfer's rows to (BENCH_FLOOR=1), with Keel's keys and indexes on them. */
async function createFloorTables(sql: Sql, accounts: string[]): Promise<void> {
  await sql.unsafe(`
    create table bench_floor_keys (key text primary key, request_hash text not null, response_status int4 not null, response_view text not null,
      response_resource_id uuid not null, created_at timestamptz not null);
    create index on bench_floor_keys (created_at);
    create table bench_floor_transfers (id uuid primary key, amount int8 not null, currency text not null, type text not null,
      debit_account_id uuid not null, credit_account_id uuid not null, created_at timestamptz not null);
    create table bench_floor_entries (transfer_id uuid not null, line int4 not null, account_id uuid not null, amount int8 not null,
      created_at timestamptz not null, primary key (transfer_id, line));
    create index on bench_floor_entries (account_id, created_at) include (amount);
    create table bench_floor_accounts (id uuid primary key, posted int8 not null);
    create table bench_floor_events (id uuid primary key, type text not null, resource_id uuid not null, created_at timestamptz not null);
    create index on bench_floor_events (resource_id, id);`)
  await sql`insert into bench_floor_accounts (id, posted) select unnest(${accounts}::uuid[]), ${openingCents}`
}

// ---- report

function describeErrors(r: LoadResult): string {
  const parts = [...r.rejected].map(([k, n]) => `${k}×${n}`).concat([...r.failed].map(([k, n]) => `${k}×${n}`))
  if (r.skipped) parts.push(`not sent (${r.skipped}: server behind)`)
  return parts.join(' ') || '-'
}

function report(rows: Row[]) {
  console.log('\ntarget        scenario  load            2xx/s  p50 ms  p99 ms  non-2xx, failed  server RSS max MiB  WAL B per 2xx  CPU µs per 2xx: server + PostgreSQL + generator')
  for (const r of rows) {
    console.log(`${r.target.padEnd(13)} ${r.scenario.padEnd(9)} ${r.load.padEnd(14)} ${String(r.perSecond).padStart(6)}  ${r.p50.toFixed(1).padStart(6)}  ${r.p99.toFixed(1).padStart(6)}  ${describeErrors(r.result).padEnd(15)}  ${r.rss.toFixed(0).padStart(18)}  ${String(r.walPerAnswer).padStart(13)}  ${r.cpu}`)
  }
  console.log('\nchecks of the 2xx answers:')
  for (const r of rows) console.log(`  ${r.target} ${r.scenario} ${r.load}: ${r.checked.text}${r.checked.passed ? '' : ' (FAILED)'}`)
}

// ---- main

const db = await openBenchDatabase()
const sql = connect(db.url, 4)
let keel: KeelProcess | undefined
let bare: BareRoute | undefined
let floorRoute: BareRoute | undefined
const pools: Pool[] = []
const samplers: RssSampler[] = []
try {
  await migrate(sql)
  await sql.unsafe(bareRouteTableDdl)
  const [pg] = await sql<{ version: string; sc: string; fsync: string; fpw: string; sync: string; delay: string }[]>`
    select current_setting('server_version') as version, current_setting('synchronous_commit') as sc, current_setting('fsync') as fsync,
           current_setting('full_page_writes') as fpw, current_setting('wal_sync_method') as sync, current_setting('commit_delay') as delay`
  const models = new Map<string, number>()
  for (const c of cpus()) models.set(c.model, (models.get(c.model) ?? 0) + 1)
  console.log('conditions:')
  console.log(`  cpus(): ${[...models].map(([m, n]) => `${n} × ${m}`).join(', ')}; ${Math.round(totalmem() / 2 ** 30)} GiB; load average before ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  console.log(`  node ${process.version}; PostgreSQL ${pg.version} (${process.env.DATABASE_URL ? 'DATABASE_URL server' : 'embedded'}): synchronous_commit=${pg.sc}, fsync=${pg.fsync}, full_page_writes=${pg.fpw}, wal_sync_method=${pg.sync}, commit_delay=${pg.delay}`)
  console.log(`  clients in this process (same machine): autocannon for peaks, undici Pool for paced runs; ${connections} keep-alive connections, pipelining=1, a fresh Idempotency-Key (UUID) on every POST`)
  console.log(`  Keel: \`keel start\`, own process, LOG_LEVEL=${keelLogLevel} (its default), database pool ${poolSizeDefault}, ${benchKeelEnvText}${batchCountersOn ? ', KEEL_METRICS=on (BENCH_BATCH_COUNTERS=1: not the default, so its figures are not the targets)' : ''}; bare route: Fastify, own process, no logger, same schema, one INSERT per request, pool ${poolSizeDefault}`)
  console.log(`  ${accountsCount} accounts (opened and funded through the API); ${transferCents} cent per transfer; ${warmupSeconds} s warm-up + ${pointSeconds} s measured per point; paced at ${pacedRateFixed === undefined ? `${pacedShareOfPeak * 100}% of each keyed peak` : `${pacedRateFixed}/s (BENCH_PACED_RATE)`} (Keel, then the bare route at the same rate), latency from when each request was due`)
  console.log(`  ${vacuumCondition}`)

  const ws = await ensureWorkspace(sql, `bench-realistic-${Date.now()}`, 'sandbox')
  const { apiKey } = await createApiKey(sql, ws.id)
  keel = await startKeel(db.url, { LOG_LEVEL: keelLogLevel, ...benchKeelEnv, ...(batchCountersOn ? { KEEL_METRICS: 'on' } : {}) }, process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean))
  bare = await startBareRoute(db.url)

  const seedStart = performance.now()
  const seedCpuBefore = cpuSeconds(keel.child.pid!)
  const seedPool = openPool(keel.url, seedConnections)
  pools.push(seedPool)
  const data = await seedThroughApi(seedPool, apiKey, accountsCount, openingCents)
  const seedCpuMs = (cpuSeconds(keel.child.pid!) - seedCpuBefore) * 1000
  console.log(`seeded ${accountsCount} accounts through the API in ${((performance.now() - seedStart) / 1000).toFixed(1)} s (opening ${data.openingSeconds.toFixed(1)} s, funding ${data.fundingSeconds.toFixed(1)} s, ${seedConnections} requests in flight; Keel's CPU ${(seedCpuMs / accountsCount).toFixed(2)} ms per account opened and funded)`)

  const keelTarget: Target = { label: 'keel, keyed', pid: keel.child.pid!, origin: keel.url, pool: openPool(keel.url, connections), rss: new RssSampler(keel.child.pid!) }
  const bareTarget: Target = { label: 'bare route', pid: bare.child.pid!, origin: bare.url, pool: openPool(bare.url, connections), rss: new RssSampler(bare.child.pid!) }
  pools.push(keelTarget.pool, bareTarget.pool)
  samplers.push(keelTarget.rss, bareTarget.rss)
  const makers = new Map(scenarios.map((s) => [s, requestMaker(apiKey, s, data.funding, data.accounts)]))
  const bareMaker = requestMaker(apiKey, 'uniform', data.funding, data.accounts)

  const rows: Row[] = []
  const bareRun = async () => {
    const row = await point(sql, bareTarget, 'uniform', { concurrency: connections }, bareMaker)
    row.checked = await checkBareSamples(sql, row.result.samples)
    rows.push(row)
    return row.perSecond
  }
  console.log('running:')
  // Rounds: the bare route, then Keel's peaks, then the bare route again, and so on; each keyed
  // peak is divided by the mean of the bare route's runs just before and just after it.
  const barePeaks = [await bareRun()]
  const keyedPeaks = new Map<Scenario, number[]>(scenarios.map((s) => [s, []]))
  const ratios = new Map<Scenario, number[]>(scenarios.map((s) => [s, []]))
  for (let round = 0; round < rounds; round++) {
    for (const scenario of scenarios) {
      const row = await point(sql, keelTarget, scenario, { concurrency: connections }, makers.get(scenario)!)
      row.checked = await checkKeelSamples(keelTarget.pool, apiKey, row.result.samples)
      rows.push(row)
      keyedPeaks.get(scenario)!.push(row.perSecond)
    }
    barePeaks.push(await bareRun())
    const bareMean = (barePeaks[round] + barePeaks[round + 1]) / 2
    for (const scenario of scenarios) ratios.get(scenario)!.push(keyedPeaks.get(scenario)![round] / bareMean)
  }
  const peaks = new Map(scenarios.map((s) => [s, median(keyedPeaks.get(s)!)]))
  const bareMedian = median(barePeaks)
  let floorPeak: number | undefined
  if (floor) {
    await createFloorTables(sql, [data.funding, ...data.accounts])
    floorRoute = await startBareRoute(db.url, 'transfer')
    const floorTarget: Target = { label: 'bare, rows', pid: floorRoute.child.pid!, origin: floorRoute.url, pool: openPool(floorRoute.url, connections), rss: new RssSampler(floorRoute.child.pid!) }
    pools.push(floorTarget.pool)
    samplers.push(floorTarget.rss)
    const row = await point(sql, floorTarget, 'uniform', { concurrency: connections }, bareMaker)
    row.checked = await checkBareSamples(sql, row.result.samples, 'bench_floor_transfers')
    rows.push(row)
    floorPeak = row.perSecond
    for (const target of [bareTarget, floorTarget, keelTarget]) {
      const paced = await point(sql, target, 'uniform', { rate: floorRate }, target === keelTarget ? makers.get('uniform') ?? requestMaker(apiKey, 'uniform', data.funding, data.accounts) : bareMaker)
      paced.checked = target === keelTarget ? await checkKeelSamples(keelTarget.pool, apiKey, paced.result.samples) : await checkBareSamples(sql, paced.result.samples, target === floorTarget ? 'bench_floor_transfers' : 'bench_bare_transfers')
      rows.push(paced)
    }
  }
  // Each keyed peak's paced point, then the bare route paced at the same rate: what one INSERT a
  // request, committed on its own, answers in at that rate on this machine in this run.
  const paced = new Map<Scenario, { keel: Row; bare: Row }>()
  for (const scenario of scenarios) {
    const rate = pacedRateFixed ?? Math.max(1, Math.round(peaks.get(scenario)! * pacedShareOfPeak))
    const keelRow = await point(sql, keelTarget, scenario, { rate }, makers.get(scenario)!)
    keelRow.checked = await checkKeelSamples(keelTarget.pool, apiKey, keelRow.result.samples)
    rows.push(keelRow)
    const bareRow = await point(sql, bareTarget, 'uniform', { rate }, bareMaker)
    bareRow.checked = await checkBareSamples(sql, bareRow.result.samples)
    rows.push(bareRow)
    paced.set(scenario, { keel: keelRow, bare: bareRow })
  }
  report(rows)

  console.log(`\ntargets (${rounds} round${rounds === 1 ? '' : 's'}; the bare route's peaks in turn: ${barePeaks.join(', ')} 2xx/s; each keyed peak against the mean of the bare route's runs on either side of it):`)
  for (const scenario of scenarios) {
    const ratio = median(ratios.get(scenario)!)
    console.log(`  ${scenario}: keyed peaks ${keyedPeaks.get(scenario)!.join(', ')} 2xx/s; keyed / bare ${ratios.get(scenario)!.map((r) => `${r.toFixed(2)}×`).join(', ')}; median ${ratio.toFixed(2)}× (target ≥ ${keyedShareOfBareTarget}×: ${ratio >= keyedShareOfBareTarget ? 'met' : 'NOT met'})`)
  }
  if (floorPeak !== undefined) {
    console.log(`  (not a target) a transfer's rows, one transaction a request / bare = ${floorPeak} / ${Math.round(bareMedian)} (median) = ${(floorPeak / bareMedian).toFixed(2)}×; keyed uniform (median) / that = ${peaks.get('uniform') ?? '-'} / ${floorPeak}${peaks.has('uniform') ? ` = ${(peaks.get('uniform')! / floorPeak).toFixed(2)}×` : ''}`)
  }
  const behind = (r: Row) => (r.perSecond < r.rate! * pacedKeptUpShare ? `; only ${r.perSecond} 2xx/s answered: it fell behind the pace` : '') + describeAutovacuum(r.autovacuum)
  for (const scenario of scenarios) {
    const { keel: r, bare: b } = paced.get(scenario)!
    const share = pacedRateFixed === undefined ? `${pacedShareOfPeak * 100}% of the keyed peak` : `BENCH_PACED_RATE, ${Math.round((100 * r.rate!) / peaks.get(scenario)!)}% of the keyed peak: not the target's rate`
    const verdict = pacedRateFixed === undefined ? (r.p99 <= pacedP99TargetMs ? 'met' : 'NOT met') : 'not judged'
    console.log(`  ${scenario}: p99 at ${r.rate}/s (${share}) = ${r.p99.toFixed(1)} ms (target ≤ ${pacedP99TargetMs} ms: ${verdict}${behind(r)}); ` +
      `(not a target) the bare route at the same rate: p99 ${b.p99.toFixed(1)} ms${behind(b)}`)
  }
  const keelRss = keelTarget.rss.take()
  console.log(`Keel's RSS: ${Math.max(...rows.filter((r) => r.target === keelTarget.label).map((r) => r.rss)).toFixed(0)} MiB at most under load, ${keelRss.lastMiB.toFixed(0)} MiB at the end`)
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  // The figures stand only if the answers counted were real transfers.
  if (rows.some((r) => !r.checked.passed)) {
    console.log('CHECKS FAILED: some 2xx answers could not be confirmed (see above); the figures do not stand')
    process.exitCode = 1
  }
} finally {
  for (const s of samplers) s.stop()
  await Promise.all(pools.map((p) => p.close()))
  await bare?.stop()
  await floorRoute?.stop()
  await keel?.stop()
  await sql.end()
  await db.stop()
}
