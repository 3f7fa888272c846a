// startHarness({ workers: true }) runs every domain's background workers as `keel start` does:
// here, the webhooks domain's dispatcher, with its production settings.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { startReceiver, type Receiver } from './receiver.js'

let h: Harness
let rx: Receiver
before(async () => {
  h = await startHarness({ workers: true })
  rx = await startReceiver()
})
after(async () => {
  await h?.close()
  await rx?.stop()
})

it('delivers through the webhooks domain worker started with the harness', async () => {
  const hook = await h.request('POST', '/v0/webhooks', { body: { url: `${rx.url}/w`, enabled_events: ['STATEMENT.CREATED'], is_enabled: true } })
  assert.equal(hook.status, 201)
  const made = await h.request('POST', '/v0/webhooks/trigger', { body: { event: 'STATEMENT.CREATED' } })
  await rx.waitFor((rs) => rs.some((r) => r.body?.id === made.body.id))
  const deadline = Date.now() + 10_000
  let status = ''
  while (status !== 'SUCCESS' && Date.now() < deadline) {
    status = (await h.request('GET', `/v0/webhooks/${hook.body.id}/events/${made.body.id}`)).body.status
    if (status !== 'SUCCESS') await new Promise((r) => setTimeout(r, 50))
  }
  assert.equal(status, 'SUCCESS')
})
