// npm run bench:pg-transport: what reaching PostgreSQL through its Unix-domain socket saves against
// loopback TCP, on the embedded server Keel starts (which listens on both).
//
// The same work over each, alternately (BENCH_ROUNDS pairs, 3), each round BENCH_SECONDS (5): 40
// loops on a pool of Keel's size, each running transactions of the shape of a ledger batch's round
// trips: `begin`, eight statements pipelined on the transaction's connection, each sending an
// array of 20 uuids and reading 20 rows back, and `commit`. Nothing is written, so no commit waits
// for the disk: what differs is only the transport. Printed per round: transactions per second,
// and CPU per transaction of this process (the client's side: postgres.js and the socket calls) and
// of every PostgreSQL process on the machine.
import { randomUUID } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
import { connectionTarget } from '../src/platform/database-url.js'
import { connect, poolSizeDefault, type Sql } from '../src/platform/db.js'
import { openBenchDatabase } from './support/database.js'
import { databaseCpuSeconds } from './support/processes.js'

const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const loops = 40
const statementsPerTransaction = 8
const arrayLength = 20

if (process.env.DATABASE_URL) {
  console.error('bench:pg-transport compares the transports of the embedded server: run it without DATABASE_URL')
  process.exit(2)
}

interface Round { transport: string; perSecond: number; clientUs: number; databaseUs: number }

async function round(sql: Sql, transport: string): Promise<Round> {
  const ids = `{${Array.from({ length: arrayLength }, () => randomUUID()).join(',')}}`
  let done = 0
  const until = Date.now() + seconds * 1000
  const loop = async () => {
    while (Date.now() < until) {
      await sql.begin((tx) => Promise.all(Array.from({ length: statementsPerTransaction }, (_, i) =>
        tx`select k.id, ${i}::int as n from unnest(${ids}::uuid[]) as k(id)`.execute())))
      done++
    }
  }
  const cpu0 = process.cpuUsage()
  const db0 = databaseCpuSeconds()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: loops }, loop))
  const elapsed = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  return {
    transport,
    perSecond: done / elapsed,
    clientUs: (cpu.user + cpu.system) / done,
    databaseUs: ((databaseCpuSeconds() - db0) * 1e6) / done,
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const db = await openBenchDatabase()
try {
  const socketPath = connectionTarget(db.url).path
  if (!socketPath) throw new Error('the embedded server has no socket here (its path would be too long for the system)')
  const tcpUrl = new URL(db.url)
  tcpUrl.searchParams.delete('host')
  const pools = { tcp: connect(tcpUrl.toString(), poolSizeDefault), socket: connect(db.url, poolSizeDefault) }
  console.log('conditions:')
  console.log(`  cpus(): ${cpus().length} × ${cpus()[0]?.model}; load average before ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  console.log(`  node ${process.version}; embedded PostgreSQL on 127.0.0.1 and ${socketPath}; pool ${poolSizeDefault} per transport`)
  console.log(`  ${loops} loops; a transaction = begin, ${statementsPerTransaction} pipelined statements (${arrayLength} uuids each way), commit; nothing written`)
  console.log(`  ${rounds} rounds per transport, alternating, ${seconds} s each, after a warm-up of each`)
  for (const sql of Object.values(pools)) await round(sql, 'warm-up')
  const results: Round[] = []
  console.log('\ntransport  tx/s    client CPU µs/tx  PostgreSQL CPU µs/tx')
  for (let r = 0; r < rounds; r++) {
    for (const [name, sql] of Object.entries(pools)) {
      const res = await round(sql, name)
      results.push(res)
      console.log(`${name.padEnd(9)}  ${res.perSecond.toFixed(0).padStart(5)}   ${res.clientUs.toFixed(0).padStart(16)}  ${res.databaseUs.toFixed(0).padStart(20)}`)
    }
  }
  const of = (t: string, k: keyof Omit<Round, 'transport'>) => median(results.filter((x) => x.transport === t).map((x) => x[k]))
  console.log('\nmedians, socket against TCP:')
  console.log(`  transactions/s: ${of('socket', 'perSecond').toFixed(0)} against ${of('tcp', 'perSecond').toFixed(0)} (${(of('socket', 'perSecond') / of('tcp', 'perSecond')).toFixed(2)}×)`)
  console.log(`  client CPU per transaction: ${of('socket', 'clientUs').toFixed(0)} against ${of('tcp', 'clientUs').toFixed(0)} µs`)
  console.log(`  PostgreSQL CPU per transaction: ${of('socket', 'databaseUs').toFixed(0)} against ${of('tcp', 'databaseUs').toFixed(0)} µs`)
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  await Promise.all(Object.values(pools).map((sql) => sql.end()))
} finally {
  await db.stop()
}
