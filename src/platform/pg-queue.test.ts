// postgres.js keeps its pool's connections (open, busy, reserved…) and its waiting queries in a small
// FIFO of its own. As published (3.4.9), a queue that never empties, such as the open connections of
// a pool that always has one idle, kept every slot it had ever shifted, and each move of a connection
// scanned them all: a server slowed down with every query it had run since its pool was last fully
// busy (measured alone: 34 µs a move after 100,000 queries, 258 µs after 500,000). Keel installs it
// with patches/postgres+3.4.9.patch; these tests read the module as installed.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import fc from 'fast-check'
import { hasFastProperties, stableHiddenClass } from '../../test/support/hidden-classes.js'

interface PgQueue<T> { readonly length: number; push(x: T): T; shift(): T | undefined; remove(x: T): T | null }
const installed = new URL('../../node_modules/postgres/src/queue.js', import.meta.url).href
const { default: Queue } = await import(installed) as { default: <T>() => PgQueue<T> }

it('is a first-in first-out queue whose remove takes out the one entry named', () => {
  type Op = { push: true } | { shift: true } | { remove: number }
  const op: fc.Arbitrary<Op> = fc.oneof(fc.constant({ push: true as const }), fc.constant({ shift: true as const }), fc.nat(50).map((n) => ({ remove: n })))
  fc.assert(fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
    const q = Queue<{ n: number }>()
    const model: { n: number }[] = []
    let made = 0
    const all: { n: number }[] = []
    for (const o of ops) {
      if ('push' in o) {
        const x = { n: made++ }
        all.push(x)
        q.push(x)
        model.push(x)
      } else if ('shift' in o) {
        assert.equal(q.shift(), model.shift())
      } else {
        const x = all[o.remove % Math.max(1, all.length)]
        const at = x ? model.indexOf(x) : -1
        assert.equal(x ? q.remove(x) : null, at === -1 ? null : x)
        if (at !== -1) model.splice(at, 1)
      }
      assert.equal(q.length, model.length)
    }
    while (model.length) assert.equal(q.shift(), model.shift())
  }), { seed: 20261130, numRuns: 300 })
})

it('keeps its array near its length when it never empties, so a move of a connection stays cheap', () => {
  // A pool's connections as postgres.js moves them for each query: taken from the open queue, moved
  // to busy (removed from where it was, which scans), moved back to open when the query is done.
  const open = Queue<{ queue: PgQueue<unknown> }>()
  const busy = Queue<{ queue: PgQueue<unknown> }>()
  const move = (c: { queue: PgQueue<unknown> }, to: PgQueue<{ queue: PgQueue<unknown> }>) => { c.queue.remove(c); to.push(c); c.queue = to as PgQueue<unknown> }
  for (let i = 0; i < 20; i++) { const c = { queue: open as PgQueue<unknown> }; open.push(c) }
  const indexOf = Array.prototype.indexOf
  let longestScanned = 0
  Array.prototype.indexOf = function (this: unknown[], ...args: Parameters<typeof indexOf>) {
    longestScanned = Math.max(longestScanned, this.length - (args[1] ?? 0))
    return indexOf.apply(this, args)
  }
  try {
    for (let k = 0; k < 100_000; k++) {
      const c = open.shift()!
      move(c, busy)
      move(c, open)
    }
  } finally {
    Array.prototype.indexOf = indexOf
  }
  assert.equal(open.length, 20)
  assert.equal(busy.length, 0)
  // As published, the open queue's array had grown to 100,020 entries, all scanned by every move.
  assert.ok(longestScanned <= 100, `a move scanned ${longestScanned} entries`)
})

it('shares its length accessor, so a reserved connection or a transaction does not carry its scope into the old generation', () => {
  // As published, a queue was an object literal with a `get length()` closure of its own: each
  // queue held its own accessor (and was a dictionary-mode object), and what that closure reached
  // (reserve()'s or begin()'s scope) outlived young collections until the next full one: about a
  // tenth of what a reserve-and-release cycle allocated was promoted (docs/throughput/ledger.md, "Hidden classes").
  const used = () => { const q = Queue<number>(); q.push(1); q.shift(); return q }
  assert.equal(Object.getOwnPropertyDescriptor(used(), 'length'), undefined)
  assert.ok(stableHiddenClass(used))
  assert.ok(hasFastProperties(used()))
})

it('holds nothing it has given out, whether emptied or compacted', () => {
  const q = Queue<object>()
  const inside = q as unknown as { xs: unknown[]; index: number }
  for (let i = 0; i < 3; i++) q.push({ i })
  q.shift(); q.shift(); q.shift()
  assert.deepEqual(inside.xs, [])
  for (let i = 0; i < 200; i++) q.push({ i })
  for (let i = 0; i < 150; i++) q.shift()
  // Compacted once, at 100 spent of 200: 100 left, 50 of them given out since.
  assert.equal(q.length, 50)
  assert.equal(inside.xs.length, 100)
  assert.ok(inside.xs.slice(0, inside.index).every((x) => x === undefined))
  assert.ok(inside.xs.slice(inside.index).every((x) => x !== undefined))
})
