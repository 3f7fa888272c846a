// Several Keel processes on one database, and a process killed in the middle of a delivery: every
// event reaches every matching webhook, once in normal operation, and nothing pending is lost.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { recordEvent } from '../../src/platform/events.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { verifySignature } from '../../src/webhooks/signing.js'
import { startHarness, type Harness } from '../support/harness.js'
import { killAll, startKeel } from './keel-process.js'
import { startReceiver, type Receiver } from './receiver.js'

const encryptionKey = randomBytes(32).toString('hex')
const deliveryWaitMs = 60_000
let h: Harness
const receivers: Receiver[] = []

before(async () => { h = await startHarness({ encryptionKey }) })
after(async () => {
  await killAll()
  await Promise.all(receivers.map((r) => r.stop()))
  await h?.close()
})

async function setup(name: string, hooks: number) {
  const ws = await h.newWorkspace(name, 'sandbox')
  const rx = await startReceiver()
  receivers.push(rx)
  const secret = (await h.request('POST', '/v0/webhook_secrets', { key: ws.key })).body.secret as string
  const hookIds: string[] = []
  for (let i = 0; i < hooks; i++) {
    const res = await h.request('POST', '/v0/webhooks', { key: ws.key, body: { url: `${rx.url}/hook/${i}`, enabled_events: ['PERSON.*'], is_enabled: true } })
    assert.equal(res.status, 201)
    hookIds.push(res.body.id)
  }
  return { ws, rx, secret, hookIds }
}

/** Writes events the way the API does (the outbox row in its own transaction), a few per transaction. */
async function writeEvents(workspaceId: string, transactions: number, perTransaction: number): Promise<string[]> {
  const ids: string[] = []
  for (let t = 0; t < transactions; t++) {
    await h.sql.begin(async (tx) => {
      for (let i = 0; i < perTransaction; i++) ids.push(await recordEvent(tx, { workspaceId, type: 'PERSON.UPDATED', resourceId: uuidv7(), resource: { t, i }, at: h.services.clock.now(workspaceId) }))
    })
  }
  return ids
}

const statuses = async (workspaceId: string) =>
  Object.fromEntries((await h.sql<{ status: string; n: number }[]>`select status, count(*)::int as n from webhook_deliveries where workspace_id = ${workspaceId} group by status`).map((r) => [r.status, r.n]))

/** The outcome is recorded when the dispatcher's batch commits, a moment after the receiver answers. */
async function waitForAllSucceeded(workspaceId: string, expected: number): Promise<void> {
  const deadline = Date.now() + deliveryWaitMs
  while (Date.now() < deadline) {
    const s = await statuses(workspaceId)
    if (s.SUCCESS === expected && Object.keys(s).length === 1) return
    await new Promise((r) => setTimeout(r, 50))
  }
  assert.deepEqual(await statuses(workspaceId), { SUCCESS: expected })
}

describe('webhook delivery across Keel processes', () => {
  it('two processes on one database deliver each event once per matching webhook', async () => {
    const { ws, rx, secret, hookIds } = await setup('two-procs', 4)
    const [a, b] = await Promise.all([startKeel(h.databaseUrl, encryptionKey), startKeel(h.databaseUrl, encryptionKey)])
    // Both dispatchers are up before the events exist, so they compete for every one of them.
    const ids = await writeEvents(ws.id, 40, 5)
    const expected = ids.length * hookIds.length
    await rx.waitFor((rs) => rs.length >= expected, deliveryWaitMs, `${expected} deliveries`)
    await new Promise((r) => setTimeout(r, 500)) // room for a duplicate to show up
    const keys = rx.received.map((r) => `${r.path} ${r.body.id}`)
    assert.equal(new Set(keys).size, keys.length, 'no delivery was sent twice')
    assert.equal(keys.length, expected)
    for (let i = 0; i < hookIds.length; i++) {
      const got = rx.received.filter((r) => r.path === `/hook/${i}`)
      assert.deepEqual(got.map((r) => r.body.id), ids, `webhook ${i} got every event, in order`)
      assert.ok(got.every((r) => r.body.webhook_id === hookIds[i]))
    }
    assert.ok(rx.received.every((r) => verifySignature({ header: r.headers['synctera-signature'] as string, timestamp: r.headers['request-timestamp'] as string, rawBody: r.raw, secrets: [secret], nowSeconds: Math.floor(Date.now() / 1000) })))
    await waitForAllSucceeded(ws.id, expected)
    await Promise.all([a.kill(), b.kill()])
  })

  it('a process killed mid-delivery loses nothing: a restarted one sends the interrupted and the pending events', async () => {
    const { ws, rx, hookIds } = await setup('crash', 1)
    let first = true
    rx.answer = () => {
      if (first) { first = false; return 'hang' }
      return { status: 200 }
    }
    const a = await startKeel(h.databaseUrl, encryptionKey)
    const before = await writeEvents(ws.id, 5, 2)
    await rx.waitFor((rs) => rs.length >= 1, deliveryWaitMs, 'the first delivery')
    const interrupted = rx.received[0].body.id
    assert.equal(interrupted, before[0])
    await a.kill('SIGKILL')
    // Written while no Keel process runs.
    const during = await writeEvents(ws.id, 3, 2)
    const b = await startKeel(h.databaseUrl, encryptionKey)
    const all = [...before, ...during]
    await rx.waitFor((rs) => all.every((id) => rs.some((r) => r.body.id === id && r.body.webhook_id === hookIds[0] && r !== rs[0])), deliveryWaitMs, 'every event after the restart')
    const afterRestart = rx.received.slice(1).map((r) => r.body.id)
    assert.deepEqual(afterRestart, all, 'the interrupted delivery is sent again, then the rest in order')
    await waitForAllSucceeded(ws.id, all.length)
    await b.kill()
  })
})
