// Delivery against a real HTTP receiver on 127.0.0.1: signatures, bodies checked against the
// spec, retries through failures, the retry schedule driven by the clock, secret rotation.
// The dispatcher runs in this process against this file's database; the clock is one a test can
// move forward, as sandbox time travel will.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { recordEvent } from '../../src/platform/events.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { createLogger } from '../../src/platform/logger.js'
import { startDispatcher, type Dispatcher } from '../../src/webhooks/dispatcher.js'
import { retryDelayMaxMs, webhookAttemptsMax } from '../../src/webhooks/schedule.js'
import { rollingSecretValidityMs } from '../../src/webhooks/service.js'
import { verifySignature } from '../../src/webhooks/signing.js'
import { conformance } from '../support/conformance.js'
import { startHarness, type Harness } from '../support/harness.js'
import { createBusiness, createPerson } from '../support/parties.js'
import { startReceiver, type Received, type Receiver } from './receiver.js'

const testTimeoutMs = 300
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) }
let h: Harness
let dispatcher: Dispatcher
const receivers: Receiver[] = []

before(async () => {
  h = await startHarness({ clock })
  dispatcher = startDispatcher(h.services, createLogger('silent'), { deliveryTimeoutMs: testTimeoutMs, pollMs: 50 })
})
after(async () => {
  await dispatcher?.stop()
  await Promise.all(receivers.map((r) => r.stop()))
  await h?.close()
})

async function receiver(): Promise<Receiver> {
  const r = await startReceiver()
  receivers.push(r)
  return r
}

/** Moves the clock forward (scheduled retries come due) and wakes the dispatcher. */
function advance(ms: number): void {
  clock.offsetMs += ms
  dispatcher.wake()
}

async function setup(name: string, events: string[], withSecret = true) {
  const ws = await h.newWorkspace(name, 'sandbox')
  const rx = await receiver()
  const secret = withSecret ? (await h.request('POST', '/v0/webhook_secrets', { key: ws.key })).body.secret as string : undefined
  const res = await h.request('POST', '/v0/webhooks', { key: ws.key, body: { url: `${rx.url}/hooks/${name}`, enabled_events: events, is_enabled: true, metadata: `ws=${name}` } })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return { ws, rx, secret, hook: res.body as { id: string; url: string } }
}

async function trigger(key: string, event = 'PERSON.CREATED'): Promise<string> {
  const res = await h.request('POST', '/v0/webhooks/trigger', { key, body: { event } })
  assert.equal(res.status, 200)
  return res.body.id
}

async function eventState(key: string, hookId: string, eventId: string) {
  const res = await h.request('GET', `/v0/webhooks/${hookId}/events/${eventId}`, { key })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body
}

/** Polls an event until it has `status`; with `advanceMs`, moves the clock on at each poll. */
async function waitForStatus(key: string, hookId: string, eventId: string, status: string, advanceMs = 0, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const e = await eventState(key, hookId, eventId)
    if (e.status === status) return e
    if (Date.now() > deadline) throw new Error(`event ${eventId} is ${e.status}, not ${status}: ${JSON.stringify(e.response_history)}`)
    if (advanceMs) advance(advanceMs)
    await new Promise((r) => setTimeout(r, 30))
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000)
const verifies = (r: Received, secrets: string[]) => verifySignature({
  header: r.headers['synctera-signature'] as string | undefined, timestamp: r.headers['request-timestamp'] as string | undefined,
  rawBody: r.raw, secrets, nowSeconds: nowSeconds(),
})
const ofEvent = (id: string) => (rs: Received[]) => rs.filter((r) => r.body?.id === id)

describe('webhook delivery', () => {
  it('delivers a person created and updated through the API: signed, in order, bodies as the spec says', async () => {
    const { ws, rx, secret, hook } = await setup('e2e-person', ['PERSON.*'])
    const person = await createPerson(h, {}, ws.key)
    const patched = await h.request('PATCH', `/v0/persons/${person.id}`, { key: ws.key, body: { first_name: 'Grace' } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    await rx.waitFor((rs) => rs.length >= 2)
    await new Promise((r) => setTimeout(r, 100))
    assert.deepEqual(rx.received.map((r) => r.body.type), ['PERSON.CREATED', 'PERSON.UPDATED'], 'CUSTOMER.* events are not subscribed')
    for (const r of rx.received) {
      assert.ok(verifies(r, [secret!]))
      conformance().checkSchema('webhook_request_object', r.body)
      assert.equal(r.body.webhook_id, hook.id)
      assert.equal(r.body.resource_id, person.id)
    }
    const [created, updated] = rx.received
    assert.deepEqual(JSON.parse(created.body.event_resource), person)
    assert.deepEqual(JSON.parse(updated.body.event_resource), patched.body)
    assert.equal(JSON.parse(updated.body.event_resource_changed_fields).first_name, person.first_name)
    // The resource as the API shows it: the SSN masked, never in full.
    assert.ok(!/\d{3}-\d{2}-\d{4}/.test(created.raw + updated.raw), 'no full SSN in a webhook body')
  })

  it('delivers signed events, in order, with bodies that match the spec, for real API changes (businesses)', async () => {
    const { ws, rx, secret, hook } = await setup('e2e', ['BUSINESS.*'])
    const business = await createBusiness(h, {}, ws.key)
    const patched = await h.request('PATCH', `/v0/businesses/${business.id}`, { key: ws.key, body: { entity_name: 'Renamed Widgets' } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    await rx.waitFor((rs) => rs.length >= 2)
    assert.deepEqual(rx.received.map((r) => r.body.type), ['BUSINESS.CREATED', 'BUSINESS.UPDATED'])
    for (const r of rx.received) {
      assert.equal(r.path, '/hooks/e2e')
      assert.match(String(r.headers['content-type']), /^application\/json/)
      assert.ok(Math.abs(Number(r.headers['request-timestamp']) - nowSeconds()) <= 5)
      assert.match(String(r.headers['synctera-signature']), /^[0-9a-f]{64}$/)
      assert.ok(verifies(r, [secret!]), 'signature verifies with the workspace secret')
      assert.ok(!verifies({ ...r, raw: r.raw.replace('"status"', '"status" ') }, [secret!]), 'a changed body does not verify')
      conformance().checkSchema('webhook_request_object', r.body)
      conformance().checkSchema('event', r.body)
      assert.equal(r.body.webhook_id, hook.id)
      assert.equal(r.body.url, hook.url)
      assert.equal(r.body.metadata, 'ws=e2e')
      assert.equal(r.body.resource_id, business.id)
      assert.equal(r.body.status, 'RUNNING')
    }
    const [created, updated] = rx.received
    assert.deepEqual(JSON.parse(created.body.event_resource), business)
    assert.equal(created.body.event_resource_changed_fields, undefined)
    assert.deepEqual(JSON.parse(updated.body.event_resource), patched.body)
    assert.equal(JSON.parse(updated.body.event_resource_changed_fields).entity_name, business.entity_name)

    const state = await waitForStatus(ws.key, hook.id, created.body.id, 'SUCCESS')
    assert.equal(state.response_history.length, 1)
    assert.equal(state.response_history[0].code, 200)
    assert.equal(state.response_history[0].response_body, 'status 200')
    assert.ok(state.response_history[0].sent_time <= state.response_history[0].response_time)
  })

  it('keeps event order for a webhook when deliveries succeed first time', async () => {
    const { ws, rx } = await setup('order', ['PERSON.*'])
    const ids: string[] = []
    for (let i = 0; i < 40; i++) ids.push(await h.sql.begin((tx) => recordEvent(tx, { workspaceId: ws.id, type: i % 2 ? 'PERSON.UPDATED' : 'PERSON.CREATED', resourceId: uuidv7(), resource: { i }, at: h.services.clock.now(ws.id) })))
    await rx.waitFor((rs) => rs.length >= ids.length)
    assert.deepEqual(rx.received.map((r) => r.body.id), ids)
  })

  it('retries a receiver that answers 500 until it recovers, recording each attempt', async () => {
    const { ws, rx, hook } = await setup('five-hundred', ['PERSON.*'])
    let failing = true
    rx.answer = () => (failing ? { status: 500, body: 'x'.repeat(5000) } : { status: 204 })
    const ids = [await trigger(ws.key), await trigger(ws.key, 'PERSON.UPDATED')]
    await rx.waitFor((rs) => ids.every((id) => ofEvent(id)(rs).length >= 1))
    const retrying = await waitForStatus(ws.key, hook.id, ids[0], 'RETRYING')
    assert.equal(retrying.response_history[0].code, 500)
    assert.equal(Buffer.byteLength(retrying.response_history[0].response_body), 1024)
    // Not due yet: nothing more is sent until the clock reaches the retry time.
    const before = rx.received.length
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(rx.received.length, before)
    advance(60_000)
    await rx.waitFor((rs) => ids.every((id) => ofEvent(id)(rs).length >= 2))
    failing = false
    for (const id of ids) {
      // An attempt may still be answering as the receiver recovers: keep moving the clock on.
      const done = await waitForStatus(ws.key, hook.id, id, 'SUCCESS', 10 * 60_000)
      assert.deepEqual(done.response_history.map((a: { code: number }) => a.code).slice(-1), [204])
      assert.ok(done.response_history.slice(0, -1).every((a: { code: number }) => a.code === 500))
      assert.ok(ofEvent(id)(rx.received).slice(1).every((r) => r.body.status === 'RETRYING'))
    }
  })

  it('retries while the receiver is down and delivers everything once it is back', async () => {
    const { ws, rx, hook } = await setup('down', ['PERSON.*'])
    await rx.stop()
    const ids = [await trigger(ws.key), await trigger(ws.key), await trigger(ws.key)]
    for (const id of ids) {
      const e = await waitForStatus(ws.key, hook.id, id, 'RETRYING')
      assert.equal(e.response_history[0].code, 0)
      assert.match(e.response_history[0].response_body, /ECONNREFUSED|request failed/)
    }
    await rx.start()
    advance(60_000)
    await rx.waitFor((rs) => ids.every((id) => ofEvent(id)(rs).length >= 1))
    for (const id of ids) await waitForStatus(ws.key, hook.id, id, 'SUCCESS')
  })

  it('treats an answer slower than the time-out as a failure and retries it', async () => {
    const { ws, rx, hook } = await setup('slow', ['PERSON.*'])
    let slow = true
    rx.answer = () => ({ status: 200, delayMs: slow ? testTimeoutMs * 3 : 0 })
    const id = await trigger(ws.key)
    const e = await waitForStatus(ws.key, hook.id, id, 'RETRYING')
    assert.equal(e.response_history[0].code, 0)
    assert.match(e.response_history[0].response_body, /no complete answer within/)
    slow = false
    advance(60_000)
    const done = await waitForStatus(ws.key, hook.id, id, 'SUCCESS')
    assert.deepEqual(done.response_history.map((a: { code: number }) => a.code), [0, 200])
  })

  // Driven by the clock alone: each step moves it past the longest retry delay and drains the
  // dispatcher (every due delivery sent and recorded), so the machine's speed changes nothing.
  it(`marks a delivery FAILED after ${webhookAttemptsMax} attempts or the retry window`, async () => {
    const { ws, rx, hook } = await setup('exhausted', ['PERSON.*'])
    rx.answer = () => ({ status: 503 })
    const id = await trigger(ws.key)
    await dispatcher.drain()
    let steps = 0
    for (; steps < webhookAttemptsMax + 2; steps++) {
      if ((await eventState(ws.key, hook.id, id)).status === 'FAILED') break
      advance(retryDelayMaxMs * 1.25)
      await dispatcher.drain()
    }
    const failed = await eventState(ws.key, hook.id, id)
    assert.equal(failed.status, 'FAILED', `still ${failed.status} after ${steps} steps`)
    assert.ok(failed.response_history.length >= 2 && failed.response_history.length <= webhookAttemptsMax)
    assert.equal(ofEvent(id)(rx.received).length, failed.response_history.length)
    const seen = rx.received.length
    advance(retryDelayMaxMs * 2)
    await dispatcher.drain()
    assert.equal(rx.received.length, seen, 'no attempt after FAILED')
    // A resend starts a new round.
    rx.answer = () => ({ status: 200 })
    const resent = await h.request('POST', `/v0/webhooks/${hook.id}/events/${id}/resend`, { key: ws.key })
    assert.equal(resent.status, 200)
    await dispatcher.drain()
    const done = await eventState(ws.key, hook.id, id)
    assert.equal(done.status, 'SUCCESS')
    assert.equal(done.response_history.at(-1).code, 200)
  })

  it('resends a delivered event after its delay', async () => {
    const { ws, rx, hook } = await setup('resend', ['PERSON.*'])
    const id = await trigger(ws.key)
    await waitForStatus(ws.key, hook.id, id, 'SUCCESS')
    const res = await h.request('POST', `/v0/webhooks/${hook.id}/events/${id}/resend?delay=30`, { key: ws.key })
    assert.equal(res.status, 200)
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(ofEvent(id)(rx.received).length, 1, 'not before the delay')
    advance(31_000)
    await rx.waitFor((rs) => ofEvent(id)(rs).length === 2)
    const done = await waitForStatus(ws.key, hook.id, id, 'SUCCESS')
    assert.equal(done.response_history.length, 2)
  })

  it('pauses a disabled webhook and stops a deleted one', async () => {
    const { ws, rx, hook } = await setup('pause', ['PERSON.*'])
    rx.answer = () => ({ status: 500 })
    const id = await trigger(ws.key)
    await waitForStatus(ws.key, hook.id, id, 'RETRYING')
    const body = { url: hook.url, enabled_events: ['PERSON.*'], is_enabled: false }
    assert.equal((await h.request('PUT', `/v0/webhooks/${hook.id}`, { key: ws.key, body })).status, 200)
    rx.answer = () => ({ status: 200 })
    const seen = rx.received.length
    advance(60_000)
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(rx.received.length, seen, 'nothing is sent while disabled')
    assert.equal((await h.request('PUT', `/v0/webhooks/${hook.id}`, { key: ws.key, body: { ...body, is_enabled: true } })).status, 200)
    dispatcher.wake()
    await waitForStatus(ws.key, hook.id, id, 'SUCCESS')

    rx.answer = () => ({ status: 500 })
    const id2 = await trigger(ws.key)
    await waitForStatus(ws.key, hook.id, id2, 'RETRYING')
    assert.equal((await h.request('DELETE', `/v0/webhooks/${hook.id}`, { key: ws.key })).status, 200)
    const seen2 = rx.received.length
    advance(60_000)
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(rx.received.length, seen2, 'nothing is sent for a deleted webhook')
    const [row] = await h.sql`select status from webhook_deliveries where workspace_id = ${ws.id} and event_id = ${id2}`
    assert.equal(row.status, 'FAILED')
  })

  it('signs with both secrets during a rolling replacement, and only the new one after revoking the old', async () => {
    const { ws, rx } = await setup('rotation', ['PERSON.*'])
    const first = (await h.sql`select secret_encrypted from webhook_secrets where workspace_id = ${ws.id}`)[0].secret_encrypted as string
    const oldSecret = h.services.vault.decrypt(first)
    const rolled = await h.request('PUT', '/v0/webhook_secrets', { key: ws.key, body: { is_rolling_secret: true } })
    const newSecret = rolled.body.secret as string
    const during = await trigger(ws.key)
    await rx.waitFor((rs) => ofEvent(during)(rs).length === 1)
    const r1 = ofEvent(during)(rx.received)[0]
    assert.equal(String(r1.headers['synctera-signature']).split('.').length, 2)
    assert.ok(verifies(r1, [oldSecret]), 'old secret verifies during the window')
    assert.ok(verifies(r1, [newSecret]), 'new secret verifies during the window')

    assert.equal((await h.request('DELETE', '/v0/webhook_secrets?old_secret_only=true', { key: ws.key })).status, 200)
    const afterRevoke = await trigger(ws.key)
    await rx.waitFor((rs) => ofEvent(afterRevoke)(rs).length === 1)
    const r2 = ofEvent(afterRevoke)(rx.received)[0]
    assert.ok(!verifies(r2, [oldSecret]), 'old secret no longer verifies')
    assert.ok(verifies(r2, [newSecret]))

    // A rolling window also ends by itself after 24 hours of (workspace) time.
    const third = (await h.request('PUT', '/v0/webhook_secrets', { key: ws.key, body: { is_rolling_secret: true } })).body.secret as string
    advance(rollingSecretValidityMs + 1000)
    const later = await trigger(ws.key)
    await rx.waitFor((rs) => ofEvent(later)(rs).length === 1)
    const r3 = ofEvent(later)(rx.received)[0]
    assert.ok(verifies(r3, [third]))
    assert.ok(!verifies(r3, [newSecret]), 'the replaced secret expired with its window')
  })

  it('sends events unsigned while the workspace has no secret', async () => {
    const { ws, rx } = await setup('unsigned', ['PERSON.*'], false)
    const id = await trigger(ws.key)
    await rx.waitFor((rs) => ofEvent(id)(rs).length === 1)
    assert.equal(ofEvent(id)(rx.received)[0].headers['synctera-signature'], undefined)
    assert.ok(ofEvent(id)(rx.received)[0].headers['request-timestamp'])
  })
})
