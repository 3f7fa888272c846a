// The dispatcher is woken by LISTEN/NOTIFY at commit, not only by its polling: with polling
// pushed out of the picture, a new event is still delivered at once.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { createLogger } from '../../src/platform/logger.js'
import { startDispatcher, type Dispatcher } from '../../src/webhooks/dispatcher.js'
import { startHarness, type Harness } from '../support/harness.js'
import { startReceiver, type Receiver } from './receiver.js'

const noPollMs = 10 * 60_000
const wakeWithinMs = 3_000
let h: Harness
let dispatcher: Dispatcher
let rx: Receiver

before(async () => {
  h = await startHarness()
  rx = await startReceiver()
  dispatcher = startDispatcher(h.services, createLogger('silent'), { pollMs: noPollMs })
})
after(async () => {
  await dispatcher?.stop()
  await rx?.stop()
  await h?.close()
})

it('delivers a new event on the notification, without waiting for a poll', async () => {
  const res = await h.request('POST', '/v0/webhooks', { body: { url: `${rx.url}/n`, enabled_events: ['CASE.*'], is_enabled: true } })
  assert.equal(res.status, 201)
  // Let the dispatcher's start-up scan and LISTEN settle, so only a notification can wake it now.
  await new Promise((r) => setTimeout(r, 300))
  for (let i = 0; i < 3; i++) {
    const started = Date.now()
    const made = await h.request('POST', '/v0/webhooks/trigger', { body: { event: 'CASE.UPDATED' } })
    assert.equal(made.status, 200)
    await rx.waitFor((rs) => rs.some((r) => r.body?.id === made.body.id), wakeWithinMs, 'a delivery woken by NOTIFY')
    assert.ok(Date.now() - started < wakeWithinMs)
  }
})
