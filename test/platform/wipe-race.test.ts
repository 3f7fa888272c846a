// A wipe racing changes of its workspace: it waits for a change that has written its event, so it
// renders that event's resource before deleting what the resource is read from; and an event whose
// resource is nevertheless gone never fails a page of events or a later wipe.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { recordEvent } from '../../src/platform/events.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

async function hookFor(key: string): Promise<string> {
  const res = await h.request('POST', '/v0/webhooks', { key, body: { url: 'http://127.0.0.1:9/h', enabled_events: ['TRANSACTION.POSTED.CREATED'], is_enabled: true } })
  assert.equal(res.status, 201)
  return res.body.id
}

it('waits for a change of the workspace in progress, so the event it wrote is rendered before the wipe deletes', async () => {
  const ws = await h.newWorkspace('wipe-race', 'sandbox')
  let commit!: () => void
  const committing = new Promise<void>((r) => { commit = r })
  let written!: () => void
  const isWritten = new Promise<void>((r) => { written = r })
  const resourceId = uuidv7()
  let eventId = ''
  const writer = h.sql.begin(async (tx) => {
    eventId = await recordEvent(tx, { workspaceId: ws.id, type: 'TRANSACTION.POSTED.CREATED', resourceId, view: 'posted_transaction', at: h.services.clock.now(ws.id) })
    written()
    await committing
  })
  await isWritten
  const wipe = h.request('POST', '/v0/wipe', { key: ws.key })
  let wipeDone = false
  let wipeStatus = 0
  void wipe.then((r) => { wipeDone = true; wipeStatus = r.status })
  // The wipe is waiting on the workspace's row while the change is open.
  for (let i = 0; ; i++) {
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`
    if (n >= 1) break
    assert.ok(!wipeDone, `the wipe finished (${wipeStatus}) while a change of the workspace was still open`)
    assert.ok(i < 500, 'the wipe never waited for the change')
    await new Promise((r) => setTimeout(r, 10))
  }
  commit()
  await writer
  assert.equal((await wipe).status, 204)
  const [event] = await h.sql<{ resource_view: string | null }[]>`select resource_view from events where workspace_id = ${ws.id} and id = ${eventId}`
  assert.equal(event.resource_view, null, 'the wipe rendered the event written before it')
})

it('renders an event whose resource is gone as null, without failing the page or a wipe', async () => {
  const ws = await h.newWorkspace('wipe-orphan', 'sandbox')
  const hookId = await hookFor(ws.key)
  await recordEvent(h.sql, { workspaceId: ws.id, type: 'TRANSACTION.POSTED.CREATED', resourceId: uuidv7(), view: 'posted_transaction', at: h.services.clock.now(ws.id) })
  const page = await h.request('GET', `/v0/webhooks/${hookId}/events`, { key: ws.key })
  assert.equal(page.status, 200, JSON.stringify(page.body))
  assert.equal(page.body.event_list.length, 1)
  assert.equal(page.body.event_list[0].event_resource, 'null')
  assert.equal((await h.request('POST', '/v0/wipe', { key: ws.key })).status, 204)
  assert.equal((await h.request('POST', '/v0/wipe', { key: ws.key })).status, 204)
})
