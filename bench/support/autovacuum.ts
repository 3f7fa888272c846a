// What PostgreSQL's autovacuum did while a point was measured. It shares the machine's two cores with
// the server, its backends and the generator. On a run's young tables it comes once a minute
// (autovacuum_naptime) and vacuums and analyzes every table that has grown by a fifth since its
// last visit (autovacuum_vacuum_insert_scale_factor), for seconds at a time: in a run of
// bench:transfers:realistic, its pass over the ledger's tables took about 13 s. A point it overlaps
// is measured on a busier machine, so the benches say so beside the point.
import type { Sql } from '../../src/platform/db.js'

const sampleMs = 250

export interface AutovacuumSeen {
  /** Share of the samples in which an autovacuum worker was at work, anywhere on the server. */
  share: number
  /** What the workers were seen at: `vacuum ledger_entries`, `analyze events`, … */
  work: string[]
}

/** Looks at pg_stat_activity every sampleMs between start() and stop(). */
export class AutovacuumWatch {
  private samples = 0
  private busy = 0
  private work = new Set<string>()
  private timer: NodeJS.Timeout | undefined
  private sampling = false

  constructor(private readonly sql: Sql) {}

  start(): void {
    this.stopTimer()
    this.samples = 0
    this.busy = 0
    this.work = new Set()
    this.timer = setInterval(() => void this.sample(), sampleMs)
    this.timer.unref()
  }

  stop(): AutovacuumSeen {
    this.stopTimer()
    return { share: this.samples ? this.busy / this.samples : 0, work: [...this.work] }
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  private async sample(): Promise<void> {
    if (this.sampling) return
    this.sampling = true
    try {
      const workers = await this.sql<{ query: string; other: string | null }[]>`
        select query, nullif(datname, current_database()) as other from pg_stat_activity where backend_type = 'autovacuum worker'`
      this.samples++
      if (workers.length) this.busy++
      for (const w of workers) {
        // "autovacuum: VACUUM ANALYZE public.events (to prevent wraparound)"; another role's query may be hidden.
        const m = /^autovacuum: ((?:VACUUM|ANALYZE| )+) (\S+)/.exec(w.query)
        const what = m ? `${m[1].toLowerCase()} ${m[2].replace(/^public\./, '')}` : 'at work'
        this.work.add(w.other ? `${what} (database ${w.other})` : what)
      }
    } catch {
      // A sample lost (the run is ending): the share counts the ones taken.
    } finally {
      this.sampling = false
    }
  }
}

/**
 * VACUUM (ANALYZE) of the run's database before a point, as pgbench does before a run: the seconds
 * it took. The benches do it unless BENCH_VACUUM=0 (bench/transfers-realistic.ts says why).
 */
export async function vacuumDatabase(sql: Sql): Promise<number> {
  const start = performance.now()
  await sql`vacuum (analyze)`
  return (performance.now() - start) / 1000
}

export const vacuumFirst = process.env.BENCH_VACUUM !== '0'

/** The condition line both benches print: whether points start vacuumed, and that autovacuum's work is shown. */
export const vacuumCondition = `${vacuumFirst ? 'VACUUM (ANALYZE) of the run\'s database before each point, as pgbench does before a run (BENCH_VACUUM=0: not)' : 'no VACUUM before the points (BENCH_VACUUM=0)'}; autovacuum as the server has it, its work in each window printed`

/** Vacuums before a point unless BENCH_VACUUM=0: `; vacuumed first in 0.8 s`, or nothing. */
export async function vacuumBeforePoint(sql: Sql): Promise<string> {
  return vacuumFirst ? `; vacuumed first in ${(await vacuumDatabase(sql)).toFixed(1)} s` : ''
}

/** `; autovacuum at work 62% of the window: vacuum ledger_entries, analyze events`, or nothing when it was not seen. */
export function describeAutovacuum(seen: AutovacuumSeen): string {
  if (seen.share === 0) return ''
  return `; autovacuum at work ${Math.round(seen.share * 100)}% of the window: ${seen.work.join(', ')}`
}
