// A postgres.js query is a Promise subclass. As published (3.4.9) its constructor stored two
// closures over its own scope as the query's `resolve` and `reject`, and a query built that way
// outlived every young-generation collection of V8 until the next full one: each query, with its
// arguments and its result, was copied and then promoted, which made the server's scavenges long.
// Keel installs postgres.js with patches/postgres+3.4.9.patch, which keeps the promise's resolving
// functions as fields and makes resolve() and reject() methods. The weighing runs in a process of
// its own (test/fixtures/postgres/query-lifetime.ts): under node's test runner young collections
// keep every promise of the test process a little longer.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'

interface Figures {
  count: number
  runs: number
  /** Bytes young collections kept of `count` queries made and dropped. */
  dropped: number
  /** The same queries, still referred to. */
  held: number
  /** Bytes kept of `runs` queries awaited one after another, their results dropped. */
  ran: number
  /** The same, every result kept. */
  ranHeld: number
}

let h: Harness
let figures: Figures
before(async () => {
  h = await startHarness()
  const script = fileURLToPath(new URL('../fixtures/postgres/query-lifetime.ts', import.meta.url))
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--expose-gc', script], {
    env: { ...process.env, QUERY_LIFETIME_DATABASE_URL: h.databaseUrl },
  })
  figures = JSON.parse(stdout) as Figures
})
after(async () => { await h.close() })

describe('a postgres.js query nothing refers to', () => {
  it('is freed by a young collection, as the same queries still referred to are not', () => {
    // Referred to, each query weighs a few hundred bytes; as published, dropped ones weighed as much.
    assert.ok(figures.held > figures.count * 200, `${figures.count} queries held: ${figures.held} bytes`)
    assert.ok(figures.dropped < figures.held / 10,
      `${figures.count} dropped queries kept ${figures.dropped} bytes through young collections, against ${figures.held} held`)
  })

  it('is freed once it has run, with its result', () => {
    assert.ok(figures.ranHeld > figures.runs * 100, `${figures.runs} results held: ${figures.ranHeld} bytes`)
    // As published, each query run kept 0.5 to 1.2 KB (its result, arguments, buffers and itself).
    assert.ok(figures.ran < figures.runs * 300,
      `${figures.runs} queries run kept ${figures.ran} bytes through young collections (${figures.ranHeld} with their results held)`)
  })

  it('still settles through its resolve and reject methods', async () => {
    const [row] = await h.sql<{ n: number }[]>`select 1 as n`
    assert.equal(row!.n, 1)
    await assert.rejects(h.sql`select 1/0`, /division by zero/)
    const seen: number[] = []
    await h.sql<{ n: number }[]>`select generate_series(1, 5) as n`.cursor(2, (rows) => { seen.push(...rows.map((r) => r.n)) })
    assert.deepEqual(seen, [1, 2, 3, 4, 5])
  })
})
