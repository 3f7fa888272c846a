// Idempotency-Key outcomes are kept 24 hours of the workspace's time: within it a retry replays,
// after it the key is free again, and the purge deletes what has passed the window.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { WorkspaceClock } from '../../src/platform/clock.js'
import { idempotencyKeyRetentionMs, purgeExpiredKeys } from '../../src/platform/idempotency.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { startHarness, type Harness } from '../support/harness.js'
import { personBody } from '../support/parties.js'

let baseMs = Date.parse('2034-02-01T08:00:00Z')
let h: Harness
before(async () => { h = await startHarness({ clock: new WorkspaceClock(() => baseMs) }) })
after(async () => { await h.close() })

/** One body per name (personBody varies its fields per call), so that a retry is the same request. */
const bodies = new Map<string, Record<string, unknown>>()
const create = (key: string, last_name: string) => {
  if (!bodies.has(last_name)) bodies.set(last_name, { ...personBody(), last_name })
  return h.request('POST', '/v0/persons', { body: bodies.get(last_name), headers: { 'idempotency-key': key } })
}

describe('Idempotency-Key retention', () => {
  it('replays within the window, and runs afresh once it has passed', async () => {
    const key = uuidv7()
    const first = await create(key, 'Hopper')
    assert.equal(first.status, 201, JSON.stringify(first.body))
    baseMs += idempotencyKeyRetentionMs - 1000
    const replay = await create(key, 'Hopper')
    assert.deepEqual([replay.status, replay.headers["idempotent-replayed"], replay.body.id], [201, "true", first.body.id], JSON.stringify(replay.body))
    const reused = await create(key, 'Lamarr')
    assert.deepEqual([reused.status, reused.body.code], [422, 'IDEMPOTENCY_INVALID_REUSE'])
    baseMs += 2000
    const fresh = await create(key, 'Lamarr')
    assert.equal(fresh.status, 201, JSON.stringify(fresh.body))
    assert.equal(fresh.headers['idempotent-replayed'], undefined)
    assert.notEqual(fresh.body.id, first.body.id)
  })

  it('purges outcomes past the window, a page at a time, and keeps the rest', async () => {
    const now = new Date()
    const old = Array.from({ length: 5 }, () => uuidv7())
    const recent = uuidv7()
    for (const key of old) {
      await h.sql`insert into idempotency_keys (workspace_id, key, request_hash, response_status, response_body, created_at)
                  values (${h.workspaces.a}, ${key}, 'h', 200, null, ${new Date(now.getTime() - idempotencyKeyRetentionMs - 60_000)})`
    }
    await h.sql`insert into idempotency_keys (workspace_id, key, request_hash, response_status, response_body, created_at)
                values (${h.workspaces.a}, ${recent}, 'h', 200, null, ${new Date(now.getTime() - 60_000)})`
    assert.equal(await purgeExpiredKeys(h.sql, now, 3), 3)
    assert.equal(await purgeExpiredKeys(h.sql, now, 3), 2)
    assert.equal(await purgeExpiredKeys(h.sql, now, 3), 0)
    const left = await h.sql<{ key: string }[]>`select key from idempotency_keys where key = any(${[...old, recent]}::text[])`
    assert.deepEqual(left.map((r) => r.key), [recent])
  })
})
