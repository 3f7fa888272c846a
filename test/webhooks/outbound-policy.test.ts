// Webhooks are no way into Keel's network. A shared deployment (Keel listening on all interfaces)
// refuses internal addresses written in a webhook URL when it is saved, and names that resolve to
// one when a delivery connects: the receiver on loopback never hears a byte, and the delivery's
// history says why.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { createLogger } from '../../src/platform/logger.js'
import { createOutbound } from '../../src/platform/outbound.js'
import { startDispatcher, type Dispatcher } from '../../src/webhooks/dispatcher.js'
import { startHarness, type Harness } from '../support/harness.js'
import { startReceiver, type Receiver } from './receiver.js'

let h: Harness
let dispatcher: Dispatcher
let rx: Receiver
before(async () => {
  h = await startHarness({ outbound: createOutbound({ listenHost: '0.0.0.0' }) })
  dispatcher = startDispatcher(h.services, createLogger('silent'), { deliveryTimeoutMs: 2_000, pollMs: 50 })
  rx = await startReceiver()
})
after(async () => {
  await dispatcher?.stop()
  await rx?.stop()
  await h?.close()
})

const hook = (url: string) => h.request('POST', '/v0/webhooks', { body: { url, enabled_events: ['PERSON.CREATED'], is_enabled: true } })

it('refuses a webhook URL that names an internal address, however it is spelled', async () => {
  for (const url of [
    'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/h', 'http://172.16.5.4/h', 'http://192.168.0.10/h', 'http://[::1]/h',
    'http://0.0.0.0/h', 'http://2130706433/h', `http://127.0.0.1:${rx.port}/h`, 'http://[fe80::1]/h',
  ]) {
    const res = await hook(url)
    assert.equal(res.status, 400, `${url}: ${JSON.stringify(res.body)}`)
    assert.equal(res.body.code, 'BAD_REQUEST_BODY')
    assert.ok(res.body.invalid.url, url)
  }
})

it('refuses at delivery a name that resolves to an internal address: nothing reaches the receiver', async () => {
  const created = await hook(`http://localhost:${rx.port}/h`)
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const event = await h.request('POST', '/v0/webhooks/trigger', { body: { event: 'PERSON.CREATED' } })
  assert.equal(event.status, 200)
  // Every due delivery sent and recorded: the attempt is refused, and the retry is not due yet.
  await dispatcher.drain()
  const state = (await h.request('GET', `/v0/webhooks/${created.body.id}/events/${event.body.id}`)).body
  assert.ok(state.response_history?.length, 'no delivery attempt was recorded')
  assert.equal(state.response_history[0].code, 0)
  assert.match(state.response_history[0].response_body, /refused by the outbound network policy: localhost resolves to .* loopback/)
  assert.equal(rx.received.length, 0)
})
