// The processes of a bench run, as Linux's /proc shows them: the bare route's server started as a
// child process, the resident memory (VmRSS) of a server sampled while it is under load, and the
// CPU time a process has used; and the check that the bare route's sampled answers were rows written.
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Sql } from '../../src/platform/db.js'
import { launch, type LaunchOptions } from '../../test/support/keel-process.js'
import type { Sample } from './http-load.js'

const repoRoot = join(import.meta.dirname, '..', '..')
const bareRouteScript = join(import.meta.dirname, 'bare-route.ts')
const bareStartTimeoutMs = 30_000
const stopTimeoutMs = 15_000
/** Linux clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
const clockTicksPerSecond = 100
const rssSampleMs = 250

/**
 * The environment every bench that drives one API key starts its Keel with, besides its log level
 * (card-auth, transfers, transfers-realistic, instructions): the per-key and per-source rate
 * limits (5,000 and 10,000 requests a second by default, src/platform/limits.ts) raised past any
 * rate this machine reaches. A bench's client is one API key from one address; at a quick moment
 * its keyed peak passed 5,000/s for long enough to empty the key's burst, and the rest were answered
 * 429. The limits still run on every request; only their bounds are out of reach.
 */
export const benchKeelEnv = { KEEL_RATE_LIMIT_KEY: '1000000', KEEL_RATE_LIMIT_SOURCE: '1000000' }
/** How the conditions line states benchKeelEnv. */
export const benchKeelEnvText = 'rate limits per key and per source raised to 1,000,000/s'

export interface BareRoute { url: string; child: ChildProcess; stop(): Promise<void> }

/** The table the bare route writes its one row a request to: the caller creates it before starting the route. */
export const bareRouteTableDdl = `create table if not exists bench_bare_transfers (
  id uuid primary key, idempotency_key text, amount int8 not null, currency text not null, type text not null,
  originating_account_id uuid, receiving_account_id uuid, created_at timestamptz not null)`

/** The bare route's sampled 2xx answers were rows written: each answer's id is found in `table`. */
export async function checkBareSamples(sql: Sql, samples: Sample[], table = 'bench_bare_transfers'): Promise<{ passed: boolean; text: string }> {
  const ids = samples.map((s) => (JSON.parse(s.body) as { id: string }).id)
  const [{ n }] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table} where id = any($1::uuid[])`, [ids])
  return { passed: samples.length > 0 && n === samples.length, text: `${n}/${samples.length} sampled rows found` }
}

/**
 * The bare Fastify route (bench/support/bare-route.ts) as its own node process, with the node flag
 * Keel's processes get (--max-semi-space-size=64), on the given database: writing one row per
 * request, or a transfer's rows (`writes`).
 */
export async function startBareRoute(databaseUrl: string, writes: 'row' | 'transfer' = 'row', options: LaunchOptions = {}): Promise<BareRoute> {
  const startTimeoutMs = options.startTimeoutMs ?? bareStartTimeoutMs
  const child = spawn(...launch(['--max-semi-space-size=64', '--import', 'tsx', bareRouteScript], options.launcher), {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl, BARE_ROUTE_WRITES: writes },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr!.on('data', (c: Buffer) => { output += c.toString() })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the bare route did not start in ${startTimeoutMs} ms:\n${output}`)) }, startTimeoutMs)
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the bare route exited with ${code}:\n${output}`)) })
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString()
      const line = /^\{"port":(\d+)\}$/m.exec(output)
      if (line) { clearTimeout(timer); resolve(Number(line[1])) }
    })
  })
  child.stdout!.removeAllListeners('data').resume()
  child.stderr!.removeAllListeners('data').resume()
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Resident memory of a process in MiB, from /proc/<pid>/status; NaN once it has gone. */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : NaN
  } catch {
    return NaN
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; 0 once it has gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond
  } catch {
    return 0
  }
}

/**
 * CPU seconds every PostgreSQL process on this machine has used (user + system), with what the
 * postmasters' ended children used: from /proc/<pid>/stat of each process named `postgres`. The
 * bench's database runs on this machine either way (embedded, or DATABASE_URL's local server);
 * other PostgreSQL servers here count too, so the bench states it and idle ones add little.
 */
export function databaseCpuSeconds(): number {
  let ticks = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (!stat.includes(' (postgres) ')) continue
      const fields = stat.split(') ')[1].split(' ')
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])
    } catch {
      // The process ended between the listing and the read: its time is in its parent's now.
    }
  }
  return ticks / clockTicksPerSecond
}

/** Samples a process's RSS every quarter second; `take()` gives the highest and last since the previous take. */
export class RssSampler {
  private max = 0
  private last = NaN
  private readonly timer: NodeJS.Timeout
  constructor(private readonly pid: number) {
    this.sample()
    this.timer = setInterval(() => this.sample(), rssSampleMs)
    this.timer.unref()
  }
  private sample() {
    this.last = rssMiB(this.pid)
    if (this.last > this.max) this.max = this.last
  }
  take(): { maxMiB: number; lastMiB: number } {
    this.sample()
    const taken = { maxMiB: this.max, lastMiB: this.last }
    this.max = this.last
    return taken
  }
  stop() { clearInterval(this.timer) }
}
