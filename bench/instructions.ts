// npm run bench:instructions: the instructions each server executes per request, counted by
// valgrind's callgrind: Keel posting keyed internal transfers (uniform and hot), and the bare route
// of bench/transfers-realistic.ts (one durable INSERT a request). A count of instructions does not
// move with what else the machine is doing, where CPU time per request does: on this shared
// machine, the same build's server CPU per transfer has moved by a seventh between two runs minutes
// apart, more than most changes to the server can show. So a change to the server's work per
// request is measured here, and its effect on throughput in bench:transfers:realistic.
//
// How: each server runs as its own process under `valgrind --tool=callgrind`, against the same
// database, which runs natively. The server starts with callgrind's instrumentation off (about five
// times slower than natively, against 50 to 100 with it on) and a client in this process sends
// BENCH_WARMUP_REQUESTS requests, enough for the JIT to finish compiling the hot code: natively,
// Keel's optimizing compiler spent 0.65 s of a thread in the first 13,000 keyed transfers and
// 0.2 s in the next 13,000, and counted from a warm-up of 3,000 requests, 46% of the instructions
// were that compiler's. Then the instrumentation is switched on (`callgrind_control -i on`), the
// counters are zeroed (`-z`), BENCH_REQUESTS requests are sent and answered, and the counters are
// dumped (`-d`): every instruction of the server's process in that window, its threads and its
// garbage collection included, divided by the requests answered. Beside the total, read from the
// dump with callgrind_annotate: the main thread's work outside the garbage collector (the figure to
// compare builds by: the collector's work in a window moves with whether a full collection falls in
// it and with timing), the collector's on the main thread, and on other threads the optimizing
// compiler's (a share of more than a few percent says the warm-up was too short) and the rest.
// BENCH_CONNECTIONS (64) keep-alive connections, one request in flight on each, a fresh
// Idempotency-Key on every POST, Keel at its default log level: as bench:transfers:realistic.
//
// What it does not show: the server slowed fifty-fold sees its connections' requests all waiting,
// so Keel's batches hold about as many requests as there are connections, against about 30 at the
// native peak; the database's work and the client's are not counted. Only 2xx answers count; any
// other answer fails the run, and the transfers written are counted in the ledger.
//
// Knobs: BENCH_ACCOUNTS (2000), BENCH_REQUESTS (2000), BENCH_WARMUP_REQUESTS (30000),
// BENCH_CONNECTIONS (64), BENCH_TARGETS (keel-uniform,keel-hot,bare), BENCH_DUMPS_DIR (keep callgrind's
// dumps there, for callgrind_annotate; else they go with the run's folder), BENCH_NODE_ARGS (for
// Keel's node: --perf-basic-prof writes /tmp/perf-PID.map, which names the JIT's code at the
// addresses callgrind shows; it adds work of its own, so not for counts to compare). The database: DATABASE_URL's
// server (a new database on it), or an embedded PostgreSQL in a temporary folder.
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import type { Pool } from 'undici'
import { loadConfig } from '../src/platform/config.js'
import { connect } from '../src/platform/db.js'
import { migrate } from '../src/platform/migrate.js'
import { createApiKey, ensureWorkspace } from '../src/platform/workspaces.js'
import { startKeel, type LaunchOptions } from '../test/support/keel-process.js'
import { seedThroughApi } from './support/api-seed.js'
import { openBenchDatabase } from './support/database.js'
import { openPool, send, type MakeRequest } from './support/http-load.js'
import { bareRouteTableDdl, benchKeelEnv, benchKeelEnvText, startBareRoute } from './support/processes.js'
import { requestMaker, type Scenario } from './support/transfer-requests.js'

const accountsCount = Number(process.env.BENCH_ACCOUNTS ?? 2_000)
const requests = Number(process.env.BENCH_REQUESTS ?? 2_000)
const warmupRequests = Number(process.env.BENCH_WARMUP_REQUESTS ?? 30_000)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64)
const targets = (process.env.BENCH_TARGETS ?? 'keel-uniform,keel-hot,bare').split(',')
for (const t of targets) if (!['keel-uniform', 'keel-hot', 'bare'].includes(t)) throw new Error(`unknown target ${t}`)
const openingCents = 1_000_000
/** A server under callgrind starts in minutes, not seconds. */
const startTimeoutMs = 600_000
const keelLogLevel = loadConfig({}).logLevel

/** Sends `count` requests over `connections` connections, one in flight on each; throws on any answer but 2xx. */
async function sendAll(pool: Pool, make: MakeRequest, count: number): Promise<void> {
  let left = count
  await Promise.all(Array.from({ length: connections }, async () => {
    while (left > 0) {
      left--
      const { status, body } = await send(pool, make())
      if (status < 200 || status >= 300) throw new Error(`answered ${status}: ${body}`)
    }
  }))
}

/** What callgrind counted in the process since its counters were last zeroed. */
interface Counted {
  total: number
  /** On the main thread (its event loop): the JavaScript, and the collector's work done there. */
  mainThread: number
  /** The garbage collector's work on the main thread (approximately: see mainThreadCollectorFunctions). */
  mainThreadCollector: number
  /** In the optimizing compiler (TurboFan), which runs on background threads. */
  compiler: number
}

/**
 * Functions whose inclusive counts say where the instructions ran (libuv's, node's and V8's own
 * symbols). Callgrind attributes a function's instructions to its callers only for calls it saw
 * begin, so with instrumentation switched on under way, the main thread's outermost function is
 * libuv's event loop, not node's main.
 */
const mainThreadFunction = 'uv_run'
const compilerFunction = 'v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal()'
/**
 * The collector's entries on the main thread: its pauses (scavenges, and the atomic part of a full
 * collection), and the incremental marking done in tasks and on allocation. A pause that marking
 * finalizes would be counted twice; the share is a guide. How much the collector does in a window
 * depends on whether a full collection falls in it, and on timing (V8 paces marking by the clock),
 * so a change to the server's own code is compared on the main thread's work outside it.
 */
const mainThreadCollectorFunctions = [
  'v8::internal::Heap::CollectGarbage(v8::internal::AllocationSpace, v8::internal::GarbageCollectionReason, v8::GCCallbackFlags)',
  'v8::internal::IncrementalMarkingJob::Task::RunInternal()',
  'v8::internal::IncrementalMarking::Observer::Step(int, unsigned long, unsigned long)',
]

/** Dumps the process's counters and reads the dump: its total, and the inclusive counts of the functions above. */
function dumpedInstructions(pid: number, dir: string): Counted {
  const before = new Set(readdirSync(dir))
  execFileSync('callgrind_control', ['-d', String(pid)], { stdio: 'ignore' })
  const dumps = readdirSync(dir).filter((f) => f.startsWith(`callgrind.${pid}.out.`) && !before.has(f))
  if (dumps.length !== 1) throw new Error(`expected one new callgrind dump of ${pid}, found ${dumps.length}`)
  const file = join(dir, dumps[0])
  const totals = /^totals:\s+(\d+)/m.exec(readFileSync(file, 'utf8'))
  if (!totals) throw new Error(`no totals in ${dumps[0]}`)
  const annotated = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', file], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 })
  const lines = annotated.split('\n')
  /** A function's inclusive count; 0 when it never ran in the window (no compile at all). */
  const inclusive = (fn: string): number => {
    const line = lines.find((l) => l.includes(`:${fn} [`))
    return line ? Number(/^\s*([\d,]+)/.exec(line)![1].replaceAll(',', '')) : 0
  }
  const mainThread = inclusive(mainThreadFunction)
  if (mainThread === 0) throw new Error(`no ${mainThreadFunction} in ${dumps[0]}`)
  const mainThreadCollector = mainThreadCollectorFunctions.reduce((sum, fn) => sum + inclusive(fn), 0)
  return { total: Number(totals[1]), mainThread, mainThreadCollector, compiler: inclusive(compilerFunction) }
}

const db = await openBenchDatabase()
const sql = connect(db.url, 4)
try {
  await migrate(sql)
  await sql.unsafe(bareRouteTableDdl)
  const valgrindVersion = execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim()
  console.log('conditions:')
  console.log(`  cpus(): ${cpus().length} × ${cpus()[0]?.model}; load average before ${loadavg().map((l) => l.toFixed(2)).join(' ')} (instruction counts do not depend on it)`)
  console.log(`  node ${process.version}; ${valgrindVersion} --tool=callgrind; PostgreSQL ${process.env.DATABASE_URL ? 'by DATABASE_URL' : 'embedded'}, natively`)
  console.log(`  each server under callgrind, instrumentation off for ${warmupRequests} requests to warm up, then on for ${requests} counted; ${connections} keep-alive connections, one request in flight on each, a fresh Idempotency-Key on every POST; Keel at LOG_LEVEL=${keelLogLevel} (its default), ${benchKeelEnvText}`)

  const ws = await ensureWorkspace(sql, `bench-instructions-${Date.now()}`, 'sandbox')
  const { apiKey } = await createApiKey(sql, ws.id)
  // Seeded by a Keel running natively: through the API, in seconds.
  const seeder = await startKeel(db.url, { LOG_LEVEL: keelLogLevel, ...benchKeelEnv })
  const seedPool = openPool(seeder.url, 32)
  const data = await seedThroughApi(seedPool, apiKey, accountsCount, openingCents)
  await seedPool.close()
  await seeder.stop()
  console.log(`  ${accountsCount} accounts opened and funded through the API`)

  const launcher = (dir: string): LaunchOptions => ({
    launcher: ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'callgrind.%p.out')}`, '--smc-check=all-non-file'],
    startTimeoutMs,
  })
  const dumpsDir = process.env.BENCH_DUMPS_DIR ?? db.dir
  const results = new Map<string, Counted>()
  for (const target of targets) {
    const started = performance.now()
    const server = target === 'bare'
      ? await startBareRoute(db.url, 'row', launcher(dumpsDir))
      : await startKeel(db.url, { LOG_LEVEL: keelLogLevel, ...benchKeelEnv }, process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean), launcher(dumpsDir))
    try {
      const pool = openPool(server.url, connections)
      const scenario: Scenario = target === 'keel-hot' ? 'hot' : 'uniform'
      const make = requestMaker(apiKey, scenario, data.funding, data.accounts)
      await sendAll(pool, make, warmupRequests)
      const pid = server.child.pid!
      const transfersBefore = target === 'bare' ? 0 : await ledgerTransfers()
      execFileSync('callgrind_control', ['-i', 'on', String(pid)], { stdio: 'ignore' })
      execFileSync('callgrind_control', ['-z', String(pid)], { stdio: 'ignore' })
      await sendAll(pool, make, requests)
      const counted = dumpedInstructions(pid, dumpsDir)
      const instructions = counted.total
      if (target !== 'bare') {
        const written = await ledgerTransfers() - transfersBefore
        if (written !== requests) throw new Error(`${requests} transfers answered, ${written} written`)
      }
      await pool.close()
      results.set(target, counted)
      const perRequest = (n: number) => Math.round(n / requests).toLocaleString('en')
      const share = (n: number) => `${((100 * n) / instructions).toFixed(1)}%`
      console.log(`  ${target}: ${perRequest(instructions)} instructions per 2xx (${instructions.toLocaleString('en')} for ${requests}; ${((performance.now() - started) / 1000).toFixed(0)} s with its start)`)
      console.log(`    main thread ${perRequest(counted.mainThread)} (${share(counted.mainThread)}): outside the collector ${perRequest(counted.mainThread - counted.mainThreadCollector)}, the collector ${perRequest(counted.mainThreadCollector)}`)
      console.log(`    other threads ${perRequest(instructions - counted.mainThread)} (${share(instructions - counted.mainThread)}): the optimizing compiler ${perRequest(counted.compiler)} (${share(counted.compiler)}), the rest (mostly the collector's helpers) ${perRequest(instructions - counted.mainThread - counted.compiler)}`)
    } finally {
      await server.stop()
    }
  }
  const bare = results.get('bare')
  if (bare !== undefined && results.size > 1) {
    console.log('per request, against the bare route (in all; on the main thread outside the collector):')
    const outside = (c: Counted) => c.mainThread - c.mainThreadCollector
    for (const [target, c] of results) if (target !== 'bare') console.log(`  ${target} / bare = ${(c.total / bare.total).toFixed(2)}×; ${(outside(c) / outside(bare)).toFixed(2)}×`)
  }
} finally {
  await sql.end()
  await db.stop()
}

/** Internal transfers in the ledger so far (records of the bench's transfers; the seeding's were written before). */
async function ledgerTransfers(): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from ledger_transfers where kind = 'INTERNAL_TRANSFER'`
  return n
}
