import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { Vault } from '../platform/crypto.js'
import { ApiError } from '../platform/errors.js'
import { createOutbound } from '../platform/outbound.js'
import { activeSecrets, checkWebhookBody, deliveryBody, toEvent } from './service.js'
import type { DeliveryRow } from './store.js'

const row: DeliveryRow = {
  webhook_id: '046b6c7f-0b8a-43b9-b35d-6489e6daee91', event_id: '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', status: 'RUNNING', attempts: 0,
  next_attempt_at: null, round_started_at: null, response_history: [], type: 'ACCOUNT.CREATED', resource_id: '7d943c51-e4ff-4e57-9558-08cab6b963c7',
  resource: { id: '7d943c51-e4ff-4e57-9558-08cab6b963c7', status: 'ACTIVE' }, resource_view: null, changed_fields: null, event_time: new Date('2024-05-01T12:00:00Z'),
}
const hook = { url: 'https://example.com/webhooks/synctera', metadata: null }

describe('webhook bodies', () => {
  it('lays out the delivery body in the field order of the reference example', () => {
    const body = JSON.parse(deliveryBody(row, hook))
    assert.deepEqual(Object.keys(body), ['id', 'type', 'event_time', 'resource_id', 'webhook_id', 'url', 'metadata', 'event_resource', 'status'])
    assert.equal(body.metadata, '')
    assert.equal(body.event_resource, JSON.stringify(row.resource))
    const updated = JSON.parse(deliveryBody({ ...row, status: 'RETRYING', changed_fields: { status: 'PENDING' } }, { ...hook, metadata: 'm' }))
    assert.equal(updated.event_resource_changed_fields, '{"status":"PENDING"}')
    assert.equal(updated.status, 'RETRYING')
    assert.equal(updated.metadata, 'm')
  })

  it('shows the response history only when asked', () => {
    const history = [{ sent_time: 'a', response_time: 'b', code: 500, response_body: 'no' }]
    assert.equal(toEvent({ ...row, response_history: history }, hook, false).response_history, undefined)
    assert.deepEqual(toEvent({ ...row, response_history: history }, hook, true).response_history, history)
  })
})

describe('webhook subscriptions', () => {
  const sandbox = createOutbound({ listenHost: '127.0.0.1' })
  const shared = createOutbound({ listenHost: '0.0.0.0' })
  const base = { url: 'https://example.com/x', enabled_events: ['PERSON.*'] as never, is_enabled: true }
  it('accepts http and https URLs and removes duplicate event types', () => {
    assert.deepEqual(checkWebhookBody({ ...base, url: 'http://127.0.0.1:8080/h', enabled_events: ['PERSON.*', 'PERSON.*', 'ACCOUNT.CREATED'] as never }, sandbox).enabledEvents, ['PERSON.*', 'ACCOUNT.CREATED'])
  })
  for (const [name, body, field] of [
    ['ftp', { ...base, url: 'ftp://example.com' }, 'url'],
    ['javascript', { ...base, url: 'javascript:alert(1)' }, 'url'],
    ['credentials', { ...base, url: 'https://a:b@example.com' }, 'url'],
    ['empty events', { ...base, enabled_events: [] as never }, 'enabled_events'],
    ['long description', { ...base, description: 'd'.repeat(2000) }, 'description'],
    ['cloud metadata', { ...base, url: 'http://169.254.169.254/latest/meta-data/' }, 'url'],
    ['a private address', { ...base, url: 'http://10.1.2.3/h' }, 'url'],
    ['a private address (172.16/12)', { ...base, url: 'http://172.20.0.1/h' }, 'url'],
    ['a private address (192.168/16)', { ...base, url: 'https://192.168.1.1/h' }, 'url'],
    ['loopback on a shared deployment', { ...base, url: 'http://127.0.0.1:8080/h' }, 'url'],
    ['IPv6 loopback on a shared deployment', { ...base, url: 'http://[::1]:8080/h' }, 'url'],
    ['the unspecified address', { ...base, url: 'http://0.0.0.0:8080/h' }, 'url'],
    ['loopback as an integer', { ...base, url: 'http://2130706433:8080/h' }, 'url'],
    ['loopback mapped into IPv6', { ...base, url: 'http://[::ffff:127.0.0.1]:8080/h' }, 'url'],
  ] as const) {
    it(`refuses ${name}`, () => {
      assert.throws(() => checkWebhookBody(body, shared), (e: unknown) => e instanceof ApiError && e.code === 'BAD_REQUEST_BODY' && (e.extra.invalid as Record<string, string>)[field] !== undefined)
    })
  }
})

describe('signing secrets', () => {
  const vault = new Vault(randomBytes(32))
  const now = new Date('2026-01-01T00:00:00Z')
  const stored = (previousUntil: Date | null) => ({
    workspace_id: 'w', secret_encrypted: vault.encrypt('new'), previous_secret_encrypted: previousUntil ? vault.encrypt('old') : null,
    previous_expires_at: previousUntil, created_at: now, updated_at: now,
  })
  it('signs with the current secret, and the old one only inside its window', () => {
    assert.deepEqual(activeSecrets(undefined, vault, now), [])
    assert.deepEqual(activeSecrets(stored(null), vault, now), ['new'])
    assert.deepEqual(activeSecrets(stored(new Date(now.getTime() + 1)), vault, now), ['new', 'old'])
    assert.deepEqual(activeSecrets(stored(now), vault, now), ['new'])
  })
})
