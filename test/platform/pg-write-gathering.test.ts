// postgres.js gathers the protocol messages of queries and writes them to its socket together. As
// published (3.4.9) it wrote at once whenever what it had gathered reached 1 KiB, so each multi-row
// statement of a ledger batch (a few KB of parameters) was a system call of its own, and a wake-up of
// PostgreSQL. Keel installs it with patches/postgres+3.4.9.patch: past 1 KiB, what is gathered goes
// out when the code that made it yields, or at once at 64 KiB. These tests count the writes on the
// socket of one reserved connection, telling it from the process's other sockets by what it carries.
// A statement with parameters is described by the server before its first run (a round trip of its
// own), so each is run once before the writes are counted, as a batcher's session has run them.
import assert from 'node:assert/strict'
import { Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { connect, type Sql } from '../../src/platform/db.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
let sql: Sql
before(async () => {
  h = await startHarness()
  sql = connect(h.databaseUrl, 2)
})
after(async () => {
  await sql.end({ timeout: 5 })
  await h.close()
})

/** The writes writesDuring has seen so far. */
const seen: { socket: Socket; bytes: Buffer }[] = []

/** Bytes of each write on any socket while `run` runs (in `seen` as it runs). */
async function writesDuring(run: () => Promise<void>): Promise<{ socket: Socket; bytes: Buffer }[]> {
  seen.length = 0
  const write = Socket.prototype.write
  Socket.prototype.write = function (this: Socket, chunk: unknown, ...rest: unknown[]) {
    if (Buffer.isBuffer(chunk)) seen.push({ socket: this, bytes: Buffer.from(chunk) })
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
  } as typeof write
  try {
    await run()
  } finally {
    Socket.prototype.write = write
  }
  return [...seen]
}

/** The writes on the one socket that carried `marker`. */
function writesCarrying(writes: { socket: Socket; bytes: Buffer }[], marker: string): Buffer[] {
  const sockets = new Set(writes.filter((w) => w.bytes.includes(marker)).map((w) => w.socket))
  assert.equal(sockets.size, 1, `${marker} went out on ${sockets.size} sockets`)
  const [socket] = sockets
  return writes.filter((w) => w.socket === socket).map((w) => w.bytes)
}

const kilobytes = (n: number) => 'k'.repeat(n * 1024)

/** Writes' sizes, for a failure's message. */
const sizes = (writes: Buffer[]) => `${writes.length} writes of ${writes.map((b) => b.length).join(', ')} bytes`

/** Runs `run` on a connection of its own, released after. */
async function onReserved(run: (tx: Awaited<ReturnType<Sql['reserve']>>) => Promise<void>): Promise<void> {
  const tx = await sql.reserve()
  try {
    await run(tx)
  } finally {
    tx.release()
  }
}

describe("a reserved connection's statements started in one turn", () => {
  it('go out in one write, however large each is, and each gets its own result', () => onReserved(async (tx) => {
    await tx`create temporary table gathered (n int, body text)`
    const marker = 'gathered-one-turn'
    const bodies = [2, 3, 5, 1, 4, 2].map((k, n) => `${n}:${kilobytes(k)}`)
    const batch = () => {
      const begin = tx`begin`.execute()
      const inserts = bodies.map((body, n) => tx`insert into gathered (n, body) values (${n}, ${body}) returning n, length(body) as len, ${marker}::text as m`.execute())
      const commit = tx`commit`.execute()
      return Promise.all([begin, ...inserts, commit])
    }
    await batch()
    await tx`truncate gathered`
    let results: unknown[] = []
    const writes = await writesDuring(async () => { results = await batch() })
    const carried = writesCarrying(writes, marker)
    // 17 KB in six statements of 1–5 KB, with begin and commit: as published, seven writes.
    assert.equal(carried.length, 1, `the batch went out in ${sizes(carried)}`)
    assert.deepEqual(results.slice(1, -1).map((r) => (r as { n: number; len: number }[])[0]), bodies.map((body, n) => ({ n, len: body.length, m: marker })))
    const rows = await tx<{ n: number; body: string }[]>`select n, body from gathered order by n`
    assert.deepEqual(rows.map((r) => r.body), bodies)
  }))

  it('go out in a write each time what is gathered reaches 64 KiB, in order', () => onReserved(async (tx) => {
    await tx`create temporary table gathered_large (n int, body text)`
    const marker = 'gathered-large'
    const bodies = Array.from({ length: 6 }, (_, n) => `${n}:${kilobytes(30)}`)
    const batch = () => Promise.all(bodies.map((body, n) => tx`insert into gathered_large (n, body) values (${n}, ${body}) returning ${marker}::text as m`.execute()))
    await batch()
    await tx`truncate gathered_large`
    const writes = await writesDuring(async () => { await batch() })
    const carried = writesCarrying(writes, marker)
    // Six messages of about 30 KB: what is gathered is written once it reaches 64 KiB, so three
    // messages a write (as published, a write each).
    assert.deepEqual(carried.map((b) => Math.round(b.length / 1024)), [90, 90], sizes(carried))
    const rows = await tx<{ n: number; body: string }[]>`select n, body from gathered_large order by n`
    assert.deepEqual(rows.map((r) => r.body), bodies)
  }))

  it('go out as soon as the code that made them yields, not at the end of the turn', () => onReserved(async (tx) => {
    const marker = 'gathered-soon'
    const body = kilobytes(4)
    const statement = () => tx`select length(${body}::text) as len, ${marker}::text as m`.execute()
    await statement()
    let sentBeforeCheckPhase = -1
    const writes = await writesDuring(async () => {
      // Runs first in this turn's check phase, ahead of anything the statement schedules there.
      const checked = new Promise<void>((resolve) => setImmediate(() => {
        sentBeforeCheckPhase = seen.filter((w) => w.bytes.includes(marker)).length
        resolve()
      }))
      const done = statement()
      await checked
      await done
    })
    assert.equal(sentBeforeCheckPhase, 1)
    assert.equal(writesCarrying(writes, marker).length, 1)
  }))

  it('and a lone small query still goes out, in one write', async () => {
    const marker = 'lone-query'
    let got: unknown[] = []
    await sql`select ${marker}::text as m`
    const writes = await writesDuring(async () => { got = [...await sql`select ${marker}::text as m`] })
    assert.deepEqual(got, [{ m: marker }])
    assert.equal(writesCarrying(writes, marker).length, 1)
  })
})
