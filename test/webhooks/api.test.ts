// The Webhooks tag's API: subscriptions, the signing secret, the per-webhook event log, resend and
// trigger. No dispatcher runs here: these tests check what is stored and shown, and the fan-out
// of events to matching subscriptions. Every response is checked against the spec by h.request.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { recordEvent } from '../../src/platform/events.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { rollingSecretValidityMs, webhooksPerWorkspaceMax } from '../../src/webhooks/service.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const hookBody = (overrides: Record<string, unknown> = {}) => ({
  url: 'https://example.com/hooks/keel', enabled_events: ['PERSON.*', 'ACCOUNT.CREATED'], is_enabled: true, ...overrides,
})

async function createHook(overrides: Record<string, unknown> = {}, key?: string) {
  const res = await h.request('POST', '/v0/webhooks', { body: hookBody(overrides), key })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  return res.body
}

async function trigger(event: string, key?: string) {
  const res = await h.request('POST', '/v0/webhooks/trigger', { body: { event }, key })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body
}

const eventIds = async (hookId: string, key?: string, query = '') => {
  const res = await h.request('GET', `/v0/webhooks/${hookId}/events${query}`, { key })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body.event_list.map((e: { id: string }) => e.id) as string[]
}

describe('webhook subscriptions', () => {
  it('creates, reads, lists, updates and deletes a webhook', async () => {
    const ws = await h.newWorkspace('crud', 'sandbox')
    const made = await createHook({ description: 'ops', metadata: '{"team":"ops"}' }, ws.key)
    assert.equal(made.url, 'https://example.com/hooks/keel')
    assert.deepEqual(made.enabled_events, ['PERSON.*', 'ACCOUNT.CREATED'])
    assert.equal(made.is_enabled, true)
    assert.equal(made.description, 'ops')
    assert.equal(made.metadata, '{"team":"ops"}')
    assert.ok(made.last_updated)

    const got = await h.request('GET', `/v0/webhooks/${made.id}`, { key: ws.key })
    assert.equal(got.status, 200)
    assert.deepEqual(got.body, made)

    const updated = await h.request('PUT', `/v0/webhooks/${made.id}`, { key: ws.key, body: { ...made, url: 'http://example.org/new', enabled_events: ['ACCOUNT.*'], is_enabled: false, description: undefined } })
    assert.equal(updated.status, 200, JSON.stringify(updated.body))
    assert.equal(updated.body.url, 'http://example.org/new')
    assert.deepEqual(updated.body.enabled_events, ['ACCOUNT.*'])
    assert.equal(updated.body.is_enabled, false)
    assert.equal(updated.body.description, undefined)

    const enabled = await createHook({}, ws.key)
    const all = await h.request('GET', '/v0/webhooks', { key: ws.key })
    assert.deepEqual(all.body.webhooks.map((w: { id: string }) => w.id), [made.id, enabled.id])
    const onlyEnabled = await h.request('GET', '/v0/webhooks?is_enabled_only=true', { key: ws.key })
    assert.deepEqual(onlyEnabled.body.webhooks.map((w: { id: string }) => w.id), [enabled.id])
    const page1 = await h.request('GET', '/v0/webhooks?limit=1', { key: ws.key })
    assert.equal(page1.body.webhooks.length, 1)
    const page2 = await h.request('GET', `/v0/webhooks?limit=1&page_token=${page1.body.next_page_token}`, { key: ws.key })
    assert.deepEqual(page2.body.webhooks.map((w: { id: string }) => w.id), [enabled.id])
    assert.equal(page2.body.next_page_token, undefined)

    const deleted = await h.request('DELETE', `/v0/webhooks/${made.id}`, { key: ws.key })
    assert.equal(deleted.status, 200)
    assert.deepEqual(deleted.body, { id: made.id, resource: 'webhook' })
    for (const [method, body] of [['GET', undefined], ['PUT', hookBody()], ['DELETE', undefined]] as const) {
      const res = await h.request(method, `/v0/webhooks/${made.id}`, { key: ws.key, body })
      assert.equal(res.status, 404, method)
      assert.equal(res.body.code, 'RESOURCE_NOT_FOUND')
    }
    assert.deepEqual((await h.request('GET', '/v0/webhooks', { key: ws.key })).body.webhooks.map((w: { id: string }) => w.id), [enabled.id])
  })

  it('removes duplicate event types and keeps the order given', async () => {
    const made = await createHook({ enabled_events: ['PERSON.UPDATED', 'PERSON.CREATED', 'PERSON.UPDATED'] })
    assert.deepEqual(made.enabled_events, ['PERSON.UPDATED', 'PERSON.CREATED'])
  })

  it('refuses bad bodies with 400 and changes nothing', async () => {
    const ws = await h.newWorkspace('bad-hooks', 'sandbox')
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['ftp scheme', hookBody({ url: 'ftp://example.com/x' }), 'url'],
      ['not a URL', hookBody({ url: 'not a url' }), 'url'],
      ['relative URL', hookBody({ url: '/hooks' }), 'url'],
      ['URL too long', hookBody({ url: `https://example.com/${'x'.repeat(1000)}` }), 'url'],
      ['URL with credentials', hookBody({ url: 'https://user:pw@example.com/x' }), 'url'],
      ['type not in the spec', hookBody({ enabled_events: ['DISCLOSURE.CREATED'] }), 'enabled_events[0]'],
      ['unknown wildcard', hookBody({ enabled_events: ['PERSON.CREATED', 'DISCLOSURE.*'] }), 'enabled_events[1]'],
      ['bare star', hookBody({ enabled_events: ['*'] }), 'enabled_events[0]'],
      ['no event types', hookBody({ enabled_events: [] }), 'enabled_events'],
      ['events not a list', hookBody({ enabled_events: 'PERSON.CREATED' }), 'enabled_events'],
      ['is_enabled a string', hookBody({ is_enabled: 'true' }), 'is_enabled'],
      ['metadata too long', hookBody({ metadata: 'm'.repeat(1025) }), 'metadata'],
      ['description too long', hookBody({ description: 'd'.repeat(5000) }), 'description'],
    ]
    for (const [name, body, field] of cases) {
      const res = await h.request('POST', '/v0/webhooks', { key: ws.key, body })
      assert.equal(res.status, 400, name)
      assert.equal(res.body.code, 'BAD_REQUEST_BODY', name)
      assert.ok(res.body.invalid?.[field], `${name}: ${JSON.stringify(res.body)}`)
    }
    for (const missing of ['url', 'enabled_events', 'is_enabled']) {
      const body: Record<string, unknown> = hookBody()
      delete body[missing]
      const res = await h.request('POST', '/v0/webhooks', { key: ws.key, body })
      assert.equal(res.status, 400, missing)
      assert.deepEqual(res.body.missing, [missing])
    }
    const made = await createHook({}, ws.key)
    const wrongId = await h.request('PUT', `/v0/webhooks/${made.id}`, { key: ws.key, body: hookBody({ id: uuidv7(), url: 'https://example.com/changed' }) })
    assert.equal(wrongId.status, 400)
    const badUpdate = await h.request('PUT', `/v0/webhooks/${made.id}`, { key: ws.key, body: hookBody({ url: 'mailto:x@example.com' }) })
    assert.equal(badUpdate.status, 400)
    assert.deepEqual((await h.request('GET', `/v0/webhooks/${made.id}`, { key: ws.key })).body, made)
    assert.deepEqual((await h.request('GET', '/v0/webhooks', { key: ws.key })).body.webhooks.map((w: { id: string }) => w.id), [made.id])
  })

  it('answers an unknown or malformed webhook id with 404', async () => {
    for (const id of [uuidv7(), 'nope']) {
      for (const [method, url] of [['GET', `/v0/webhooks/${id}`], ['DELETE', `/v0/webhooks/${id}`], ['GET', `/v0/webhooks/${id}/events`], ['GET', `/v0/webhooks/${id}/events/${uuidv7()}`], ['POST', `/v0/webhooks/${id}/events/${uuidv7()}/resend`]] as const) {
        const res = await h.request(method, url)
        assert.equal(res.status, 404, `${method} ${url}`)
        assert.equal(res.body.code, 'RESOURCE_NOT_FOUND')
      }
    }
  })

  it('keeps workspaces apart', async () => {
    const mine = await createHook()
    for (const [method, url, body] of [['GET', `/v0/webhooks/${mine.id}`, undefined], ['PUT', `/v0/webhooks/${mine.id}`, hookBody()], ['DELETE', `/v0/webhooks/${mine.id}`, undefined], ['GET', `/v0/webhooks/${mine.id}/events`, undefined]] as const) {
      const res = await h.request(method, url, { key: h.keys.b, body })
      assert.equal(res.status, 404, `${method} ${url}`)
    }
    const listB = await h.request('GET', '/v0/webhooks', { key: h.keys.b })
    assert.ok(!listB.body.webhooks.some((w: { id: string }) => w.id === mine.id))
    // An event in workspace b never reaches a's webhook.
    await trigger('PERSON.CREATED', h.keys.b)
    assert.deepEqual(await eventIds(mine.id), [])
    assert.equal((await h.request('GET', `/v0/webhooks/${mine.id}`)).status, 200)
  })

  it('replays a create with the same Idempotency-Key', async () => {
    const ws = await h.newWorkspace('idem-hooks', 'sandbox')
    const headers = { 'idempotency-key': uuidv7() }
    const first = await h.request('POST', '/v0/webhooks', { key: ws.key, body: hookBody(), headers })
    const again = await h.request('POST', '/v0/webhooks', { key: ws.key, body: hookBody(), headers })
    assert.equal(again.status, 201)
    assert.deepEqual(again.body, first.body)
    assert.equal(again.headers['idempotent-replayed'], 'true')
    assert.equal((await h.request('GET', '/v0/webhooks', { key: ws.key })).body.webhooks.length, 1)
  })

  it(`holds a workspace to ${webhooksPerWorkspaceMax} webhooks`, async () => {
    const ws = await h.newWorkspace('many-hooks', 'sandbox')
    await Promise.all(Array.from({ length: webhooksPerWorkspaceMax + 3 }, () => h.request('POST', '/v0/webhooks', { key: ws.key, body: hookBody() })))
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from webhooks where workspace_id = ${ws.id} and deleted_at is null`
    assert.equal(n, webhooksPerWorkspaceMax)
    const over = await h.request('POST', '/v0/webhooks', { key: ws.key, body: hookBody() })
    assert.equal(over.status, 400)
    assert.equal(over.body.code, 'BAD_REQUEST')
  })
})

describe('webhook secrets', () => {
  it('creates the secret once, shows it once and stores it encrypted', async () => {
    const ws = await h.newWorkspace('secret-create', 'sandbox')
    const res = await h.request('POST', '/v0/webhook_secrets', { key: ws.key })
    assert.equal(res.status, 201)
    assert.match(res.body.secret, /^[0-9a-f]{64}$/)
    const again = await h.request('POST', '/v0/webhook_secrets', { key: ws.key })
    assert.equal(again.status, 409)
    assert.equal(again.body.code, 'DUPLICATE_RESOURCE')
    const rows = await h.sql`select * from webhook_secrets where workspace_id = ${ws.id}`
    assert.equal(rows.length, 1)
    assert.ok(!JSON.stringify(rows).includes(res.body.secret))
    assert.equal(h.services.vault.decrypt(rows[0].secret_encrypted), res.body.secret)
  })

  it('replaces at once, or rolling with the old secret valid for 24 hours', async () => {
    const ws = await h.newWorkspace('secret-replace', 'sandbox')
    const none = await h.request('PUT', '/v0/webhook_secrets', { key: ws.key, body: { is_rolling_secret: true } })
    assert.equal(none.status, 404)
    const first = (await h.request('POST', '/v0/webhook_secrets', { key: ws.key })).body.secret

    const before = Date.now()
    const rolled = await h.request('PUT', '/v0/webhook_secrets', { key: ws.key, body: { is_rolling_secret: true } })
    assert.equal(rolled.status, 200)
    assert.match(rolled.body.secret, /^[0-9a-f]{64}$/)
    assert.notEqual(rolled.body.secret, first)
    const until = Date.parse(rolled.body.deleted_at)
    assert.ok(until >= before + rollingSecretValidityMs && until <= Date.now() + rollingSecretValidityMs)
    const [row] = await h.sql`select * from webhook_secrets where workspace_id = ${ws.id}`
    assert.equal(h.services.vault.decrypt(row.secret_encrypted), rolled.body.secret)
    assert.equal(h.services.vault.decrypt(row.previous_secret_encrypted), first)

    const immediate = await h.request('PUT', '/v0/webhook_secrets', { key: ws.key, body: {} })
    assert.equal(immediate.status, 200)
    assert.ok(Math.abs(Date.parse(immediate.body.deleted_at) - Date.now()) < 60_000)
    const [row2] = await h.sql`select * from webhook_secrets where workspace_id = ${ws.id}`
    assert.equal(row2.previous_secret_encrypted, null)

    const bad = await h.request('PUT', '/v0/webhook_secrets', { key: ws.key, body: { is_rolling_secret: 'yes' } })
    assert.equal(bad.status, 400)
    assert.equal(h.services.vault.decrypt((await h.sql`select * from webhook_secrets where workspace_id = ${ws.id}`)[0].secret_encrypted), immediate.body.secret)
  })

  it('replays a secret-bearing answer for the same Idempotency-Key without storing the secret in the clear', async () => {
    const ws = await h.newWorkspace('secret-idem', 'sandbox')
    const headers = { 'idempotency-key': uuidv7() }
    const first = await h.request('POST', '/v0/webhook_secrets', { key: ws.key, headers })
    const again = await h.request('POST', '/v0/webhook_secrets', { key: ws.key, headers })
    assert.equal(first.status, 201)
    assert.equal(again.status, 201)
    assert.equal(again.body.secret, first.body.secret)
    assert.equal(again.headers['idempotent-replayed'], 'true')
    const putHeaders = { 'idempotency-key': uuidv7() }
    const put = await h.request('PUT', '/v0/webhook_secrets', { key: ws.key, headers: putHeaders, body: { is_rolling_secret: true } })
    const putAgain = await h.request('PUT', '/v0/webhook_secrets', { key: ws.key, headers: putHeaders, body: { is_rolling_secret: true } })
    assert.deepEqual(putAgain.body, put.body)
    // The replay did not rotate again: the first secret is still the rolling old one.
    const [row] = await h.sql`select * from webhook_secrets where workspace_id = ${ws.id}`
    assert.equal(h.services.vault.decrypt(row.previous_secret_encrypted), first.body.secret)
    const stored = JSON.stringify(await h.sql`select response_body from idempotency_keys where workspace_id = ${ws.id}`)
    assert.ok(!stored.includes(first.body.secret) && !stored.includes(put.body.secret))
    const reused = await h.request('PUT', '/v0/webhook_secrets', { key: ws.key, headers: putHeaders, body: {} })
    assert.equal(reused.status, 422)
    assert.equal(reused.body.code, 'IDEMPOTENCY_INVALID_REUSE')
  })

  it('revokes the old secret only, or both', async () => {
    const ws = await h.newWorkspace('secret-revoke', 'sandbox')
    assert.equal((await h.request('DELETE', '/v0/webhook_secrets', { key: ws.key })).status, 404)
    await h.request('POST', '/v0/webhook_secrets', { key: ws.key })
    const noOld = await h.request('DELETE', '/v0/webhook_secrets?old_secret_only=true', { key: ws.key })
    assert.equal(noOld.status, 404)
    const rolled = (await h.request('PUT', '/v0/webhook_secrets', { key: ws.key, body: { is_rolling_secret: true } })).body.secret
    const oldOnly = await h.request('DELETE', '/v0/webhook_secrets?old_secret_only=true', { key: ws.key })
    assert.equal(oldOnly.status, 200)
    const [row] = await h.sql`select * from webhook_secrets where workspace_id = ${ws.id}`
    assert.equal(row.previous_secret_encrypted, null)
    assert.equal(h.services.vault.decrypt(row.secret_encrypted), rolled)

    await h.request('PUT', '/v0/webhook_secrets', { key: ws.key, body: { is_rolling_secret: true } })
    const all = await h.request('DELETE', '/v0/webhook_secrets', { key: ws.key })
    assert.equal(all.status, 200)
    assert.equal((await h.sql`select 1 from webhook_secrets where workspace_id = ${ws.id}`).length, 0)
    assert.equal((await h.request('PUT', '/v0/webhook_secrets', { key: ws.key, body: {} })).status, 404)
    assert.equal((await h.request('POST', '/v0/webhook_secrets', { key: ws.key })).status, 201)
    const badQuery = await h.request('DELETE', '/v0/webhook_secrets?old_secret_only=maybe', { key: ws.key })
    assert.equal(badQuery.status, 400)
    assert.equal((await h.sql`select 1 from webhook_secrets where workspace_id = ${ws.id}`).length, 1)
  })
})

describe('the event log of a webhook', () => {
  it('fans an event out to every matching subscription, explicit or wildcard, and to no other', async () => {
    const ws = await h.newWorkspace('fan-out', 'sandbox')
    const personAll = await createHook({ enabled_events: ['PERSON.*'] }, ws.key)
    const personCreated = await createHook({ enabled_events: ['PERSON.CREATED'] }, ws.key)
    const accounts = await createHook({ enabled_events: ['ACCOUNT.*'] }, ws.key)
    const disabled = await createHook({ enabled_events: ['PERSON.*'], is_enabled: false }, ws.key)
    const removed = await createHook({ enabled_events: ['PERSON.*'] }, ws.key)
    await h.request('DELETE', `/v0/webhooks/${removed.id}`, { key: ws.key })

    const created = await trigger('PERSON.CREATED', ws.key)
    const outcome = await trigger('PERSON.VERIFICATION_OUTCOME.UPDATED', ws.key)
    const internal = await trigger('INTERNAL_ACCOUNT.CREATED', ws.key)
    const account = await trigger('ACCOUNT.CREATED', ws.key)
    assert.deepEqual(await eventIds(personAll.id, ws.key), [created.id, outcome.id])
    assert.deepEqual(await eventIds(personCreated.id, ws.key), [created.id])
    assert.deepEqual(await eventIds(accounts.id, ws.key), [account.id])
    assert.ok(!(await eventIds(accounts.id, ws.key)).includes(internal.id))
    assert.deepEqual(await eventIds(disabled.id, ws.key), [])
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from webhook_deliveries where workspace_id = ${ws.id} and webhook_id = ${removed.id}`
    assert.equal(n, 0)
  })

  it('lets a wildcard match an event type added after the subscription', async () => {
    const ws = await h.newWorkspace('later-types', 'sandbox')
    const hook = await createHook({ enabled_events: ['CARD.*'] }, ws.key)
    const id = await h.sql.begin((tx) => recordEvent(tx, { workspaceId: ws.id, type: 'CARD.SOMETHING_NEW', resourceId: uuidv7(), resource: {}, at: h.services.clock.now(ws.id) }))
    const rows = await h.sql`select status from webhook_deliveries where workspace_id = ${ws.id} and webhook_id = ${hook.id} and event_id = ${id}`
    assert.deepEqual(rows.map((r) => r.status), ['RUNNING'])
    // Types outside the spec's subscribable list (DISCLOSURE.CREATED) match no subscription.
    await h.sql.begin((tx) => recordEvent(tx, { workspaceId: ws.id, type: 'DISCLOSURE.CREATED', resourceId: uuidv7(), resource: {}, at: h.services.clock.now(ws.id) }))
    // (Read from the table: the spec's event schema lists only today's explicit types.)
    assert.equal((await h.sql`select 1 from webhook_deliveries where workspace_id = ${ws.id}`).length, 1)
  })

  it('writes no delivery for an event whose transaction rolls back', async () => {
    const ws = await h.newWorkspace('rollback', 'sandbox')
    const hook = await createHook({ enabled_events: ['PERSON.*'] }, ws.key)
    await assert.rejects(h.sql.begin(async (tx) => {
      await recordEvent(tx, { workspaceId: ws.id, type: 'PERSON.CREATED', resourceId: uuidv7(), resource: {}, at: h.services.clock.now(ws.id) })
      throw new Error('abort')
    }))
    assert.deepEqual(await eventIds(hook.id, ws.key), [])
  })

  it('lists, filters and gets events; a list carries no response history', async () => {
    const ws = await h.newWorkspace('event-log', 'sandbox')
    const hook = await createHook({ enabled_events: ['PERSON.*'], metadata: 'mine' }, ws.key)
    const resourceId = uuidv7()
    const resource = { id: resourceId, first_name: 'Ada', status: 'ACTIVE' }
    const e1 = await h.sql.begin((tx) => recordEvent(tx, { workspaceId: ws.id, type: 'PERSON.CREATED', resourceId, resource, at: h.services.clock.now(ws.id) }))
    const e2 = await h.sql.begin((tx) => recordEvent(tx, { workspaceId: ws.id, type: 'PERSON.UPDATED', resourceId, resource: { ...resource, first_name: 'Grace' }, changedFields: { first_name: 'Ada' }, at: h.services.clock.now(ws.id) }))
    const e3 = (await trigger('PERSON.CREATED', ws.key)).id

    const list = await h.request('GET', `/v0/webhooks/${hook.id}/events`, { key: ws.key })
    assert.deepEqual(list.body.event_list.map((e: { id: string }) => e.id), [e1, e2, e3])
    for (const e of list.body.event_list) {
      assert.equal(e.response_history, undefined)
      assert.equal(e.status, 'RUNNING')
      assert.equal(e.webhook_id, hook.id)
      assert.equal(e.url, hook.url)
      assert.equal(e.metadata, 'mine')
    }
    assert.deepEqual(await eventIds(hook.id, ws.key, `?resource_id=${resourceId}`), [e1, e2])
    assert.deepEqual(await eventIds(hook.id, ws.key, '?limit=2'), [e1, e2])
    const page = await h.request('GET', `/v0/webhooks/${hook.id}/events?limit=2`, { key: ws.key })
    assert.deepEqual(await eventIds(hook.id, ws.key, `?limit=2&page_token=${page.body.next_page_token}`), [e3])
    const future = new Date(Date.now() + 3600_000).toISOString()
    assert.deepEqual(await eventIds(hook.id, ws.key, `?start_time=${future}`), [])
    assert.deepEqual(await eventIds(hook.id, ws.key, `?end_time=${future}`), [e1, e2, e3])
    const today = new Date().toISOString().slice(0, 10)
    assert.deepEqual(await eventIds(hook.id, ws.key, `?start_date=${today}&end_date=${today}`), [e1, e2, e3])
    assert.deepEqual(await eventIds(hook.id, ws.key, '?end_date=2000-01-01'), [])
    for (const q of ['start_time=yesterday', 'limit=0', 'resource_id=nope', `start_time=${future}&end_time=2000-01-01T00:00:00Z`, 'page_token=zzz']) {
      const res = await h.request('GET', `/v0/webhooks/${hook.id}/events?${q}`, { key: ws.key })
      assert.equal(res.status, 400, q)
      assert.equal(res.body.code, 'BAD_QUERY_PARAMETER', q)
    }

    const got = await h.request('GET', `/v0/webhooks/${hook.id}/events/${e2}`, { key: ws.key })
    assert.equal(got.status, 200)
    assert.equal(got.body.type, 'PERSON.UPDATED')
    assert.equal(got.body.resource_id, resourceId)
    assert.deepEqual(JSON.parse(got.body.event_resource), { ...resource, first_name: 'Grace' })
    assert.deepEqual(JSON.parse(got.body.event_resource_changed_fields), { first_name: 'Ada' })
    assert.deepEqual(got.body.response_history, [])
    assert.equal(got.body.event_resource_changed_fields !== undefined, true)
    assert.equal((await h.request('GET', `/v0/webhooks/${hook.id}/events/${e1}`, { key: ws.key })).body.event_resource_changed_fields, undefined)
    assert.equal((await h.request('GET', `/v0/webhooks/${hook.id}/events/${uuidv7()}`, { key: ws.key })).status, 404)
    assert.equal((await h.request('GET', `/v0/webhooks/${hook.id}/events/${e1}`, { key: h.keys.b })).status, 404)
  })

  it('reschedules a resend after its delay, and refuses a delay out of range', async () => {
    const ws = await h.newWorkspace('resend', 'sandbox')
    const hook = await createHook({ enabled_events: ['PERSON.*'] }, ws.key)
    const id = (await trigger('PERSON.UPDATED', ws.key)).id
    await h.sql`update webhook_deliveries set status = 'SUCCESS', attempts = 1, next_attempt_at = null where workspace_id = ${ws.id} and event_id = ${id}`
    const before = Date.now()
    const res = await h.request('POST', `/v0/webhooks/${hook.id}/events/${id}/resend?delay=120`, { key: ws.key })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.id, id)
    assert.equal(res.body.status, 'RUNNING')
    const [row] = await h.sql`select * from webhook_deliveries where workspace_id = ${ws.id} and event_id = ${id}`
    assert.equal(row.attempts, 0)
    assert.ok(row.next_attempt_at.getTime() >= before + 120_000 && row.next_attempt_at.getTime() <= Date.now() + 120_000)
    for (const delay of ['-1', '3601', 'soon']) {
      const bad = await h.request('POST', `/v0/webhooks/${hook.id}/events/${id}/resend?delay=${delay}`, { key: ws.key })
      assert.equal(bad.status, 400, delay)
    }
    assert.equal((await h.request('POST', `/v0/webhooks/${hook.id}/events/${uuidv7()}/resend`, { key: ws.key })).status, 404)
    assert.equal((await h.request('POST', `/v0/webhooks/${hook.id}/events/${id}/resend`, { key: h.keys.b })).status, 404)
  })

  it('triggers a test event of an explicit type, and refuses wildcards and unknown types', async () => {
    const ws = await h.newWorkspace('trigger', 'sandbox')
    const hook = await createHook({ enabled_events: ['ACCOUNT.*'] }, ws.key)
    const made = await trigger('ACCOUNT.UPDATED', ws.key)
    assert.equal(made.type, 'ACCOUNT.UPDATED')
    assert.equal(made.status, 'RUNNING')
    assert.equal(JSON.parse(made.event_resource).id !== undefined, true)
    assert.deepEqual(await eventIds(hook.id, ws.key), [made.id])
    for (const body of [{}, { event: 'ACCOUNT.*' }, { event: 'DISCLOSURE.CREATED' }, { event: 7 }]) {
      const res = await h.request('POST', '/v0/webhooks/trigger', { key: ws.key, body })
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.equal(res.body.code, 'BAD_REQUEST_BODY')
    }
    assert.deepEqual(await eventIds(hook.id, ws.key), [made.id])
  })

  it('stops the deliveries of a deleted webhook', async () => {
    const ws = await h.newWorkspace('delete-stops', 'sandbox')
    const hook = await createHook({ enabled_events: ['PERSON.*'] }, ws.key)
    const id = (await trigger('PERSON.CREATED', ws.key)).id
    await h.request('DELETE', `/v0/webhooks/${hook.id}`, { key: ws.key })
    const [row] = await h.sql`select status, next_attempt_at from webhook_deliveries where workspace_id = ${ws.id} and event_id = ${id}`
    assert.equal(row.status, 'FAILED')
    assert.equal(row.next_attempt_at, null)
    await trigger('PERSON.CREATED', ws.key)
    assert.equal((await h.sql`select 1 from webhook_deliveries where workspace_id = ${ws.id}`).length, 1)
  })
})
