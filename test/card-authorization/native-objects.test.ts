// A card authorization's path makes none of node:crypto's native objects (Hash, Hmac, Cipher,
// Decipher). Each is finalized by the garbage collector one by one at the server's next
// young-generation collection, a pause every request in flight waits out: at 1,000 authorizations
// a second, one Hash a message (the sandbox funding account's id) added 0.5 ms (median) to every
// such pause, up to 2 ms on a slow machine (docs/throughput/card-authorization.md, "Native objects, tables and
// strings made per message"). node:crypto is wrapped before the app is loaded, so the app's own
// imports count too.
import assert from 'node:assert/strict'
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { after, before, describe, it } from 'node:test'

const require = createRequire(import.meta.url)
const crypto = require('node:crypto') as Record<string, (...a: unknown[]) => unknown>
const made = new Map<string, number>()
let counting = false
for (const name of ['createHash', 'createHmac', 'createCipheriv', 'createDecipheriv']) {
  const original = crypto[name]
  crypto[name] = function (this: unknown, ...a: unknown[]) {
    // Keel's own calls, by their caller: a database session's sign-in (postgres.js's SCRAM) makes
    // Hmacs too, whenever a pool opens one.
    const caller = (new Error().stack ?? '').split('\n')[2] ?? ''
    const key = `${name} ${caller.trim()}`
    if (counting && !caller.includes('/node_modules/')) made.set(key, (made.get(key) ?? 0) + 1)
    return original.apply(this, a)
  }
}
syncBuiltinESMExports()

const { startHarness } = await import('../support/harness.js')
const { authorize, fundedCard, simulate, spendControl, stateOf } = await import('./support.js')
type Harness = Awaited<ReturnType<typeof startHarness>>

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

describe("a card authorization's path", () => {
  it('makes no Hash, Hmac, Cipher or Decipher: authorizations, clearings and reversals, decided from memory and not', async () => {
    const window = await spendControl(h, { name: 'month', amount_limit: 1_000_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 31 } })
    const { card } = await fundedCard(h, 1_000_000, { spendControlIds: [window.id] })
    assert.equal(stateOf(await authorize(h, card.id, 100)), 'PENDING')
    counting = true
    const states: string[] = []
    for (let i = 0; i < 10; i++) states.push(stateOf(await authorize(h, card.id, 100)))
    const held = await authorize(h, card.id, 200)
    const clearing = await simulate(h, 'clearing', { original_transaction_id: held.body.transaction.token, amount: 200 })
    const reversed = await authorize(h, card.id, 300)
    const reversal = await simulate(h, 'reversal', { original_transaction_id: reversed.body.transaction.token, amount: 300 })
    counting = false
    assert.deepEqual(states, Array(10).fill('PENDING'))
    assert.equal(clearing.status, 201)
    assert.equal(reversal.status, 201)
    assert.deepEqual(Object.fromEntries(made), {})
  })
})
