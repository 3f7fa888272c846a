// The workspace clock: GET /v0/sandbox/clock and POST /v0/sandbox/clock/advance. An advance moves
// one sandbox workspace's time forward (never back), runs what falls due on the way before it
// answers, and leaves every other workspace where it was.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { WorkspaceClock } from '../../src/platform/clock.js'
import { recordEvent } from '../../src/platform/events.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { auditLedger, expireDueHolds, postedBalanceAsOf } from '../../src/ledger/index.js'
import { findDueLanes } from '../../src/webhooks/store.js'
import { startHarness, type Harness } from '../support/harness.js'
import { balances, fundingAccount, openAccount, transfer } from '../support/accounts.js'

const dayMs = 86_400_000
/** The clock's base runs only when a test moves it: nothing here depends on the machine's speed. */
let baseMs = Date.parse('2032-05-01T09:00:00Z')
let h: Harness
before(async () => { h = await startHarness({ clock: new WorkspaceClock(() => baseMs) }) })
after(async () => {
  assert.deepEqual((await auditLedger(h.sql)).discrepancies, [])
  await h.close()
})

const clockOf = async (key?: string) => {
  const res = await h.request('GET', '/v0/sandbox/clock', { key })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return Date.parse(res.body.now)
}
const advance = (body: unknown, key?: string, headers?: Record<string, string>) => h.request('POST', '/v0/sandbox/clock/advance', { body, key, headers })

describe('the workspace clock', () => {
  it('reads the workspace\'s time, real time where it was never moved', async () => {
    assert.equal(await clockOf(h.keys.b), baseMs)
    assert.equal(await clockOf(h.keys.live), baseMs)
  })

  it('moves forward by a duration or to a time, and runs on from there at real speed', async () => {
    const ws = await h.newWorkspace('clock-moves', 'sandbox')
    const start = await clockOf(ws.key)
    const by = await advance({ by: 'PT36H' }, ws.key)
    assert.equal(by.status, 200, JSON.stringify(by.body))
    assert.equal(Date.parse(by.body.now), start + 36 * 3_600_000)
    const target = new Date(start + 3 * dayMs).toISOString()
    const to = await advance({ to: target }, ws.key)
    assert.deepEqual([to.status, to.body.now], [200, target])
    // An offset, not a frozen time: real time passing moves it on.
    baseMs += 1_000
    assert.equal(await clockOf(ws.key), Date.parse(target) + 1_000)
    // Other workspaces keep their own time.
    assert.equal(await clockOf(h.keys.b), baseMs)
  })

  it('refuses to move back, malformed requests, and live workspaces', async () => {
    const ws = await h.newWorkspace('clock-refusals', 'sandbox')
    const now = await clockOf(ws.key)
    const table: [unknown, number, string][] = [
      [{ to: new Date(now - 1).toISOString() }, 400, 'BAD_REQUEST_BODY'],
      [{ to: 'yesterday' }, 400, 'BAD_REQUEST_BODY'],
      [{ by: '36 hours' }, 400, 'BAD_REQUEST_BODY'],
      [{ by: 'P1M' }, 400, 'BAD_REQUEST_BODY'],
      [{ by: 'PT1H', to: new Date(now + dayMs).toISOString() }, 400, 'BAD_REQUEST_BODY'],
      [{}, 400, 'BAD_REQUEST_BODY'],
      [{ by: 3600 }, 400, 'BAD_REQUEST_BODY'],
      // Past the furthest the clock moves (clockLatestMs): what Keel dates from it, and answers,
      // keeps a year of four digits. The second is past what a JavaScript Date holds at all.
      [{ to: '9000-01-01T00:00:00.001Z' }, 400, 'BAD_REQUEST_BODY'],
      [{ by: 'P3000000D' }, 400, 'BAD_REQUEST_BODY'],
      [{ by: 'P99999999999D' }, 400, 'BAD_REQUEST_BODY'],
    ]
    for (const [body, status, code] of table) {
      const res = await advance(body, ws.key)
      assert.deepEqual([res.status, res.body.code], [status, code], JSON.stringify(body))
    }
    assert.equal(await clockOf(ws.key), now, 'a refused advance moved nothing')
    // As far as it goes, and no further.
    const furthest = await advance({ to: '9000-01-01T00:00:00.000Z' }, ws.key)
    assert.deepEqual([furthest.status, furthest.body.now], [200, '9000-01-01T00:00:00.000Z'])
    baseMs += 1_000
    const beyond = await advance({ by: 'PT1S' }, ws.key)
    assert.deepEqual([beyond.status, beyond.body.code], [400, 'BAD_REQUEST_BODY'])
    const live = await advance({ by: 'PT1H' }, h.keys.live)
    assert.deepEqual([live.status, live.body.code], [400, 'FEATURE_NOT_AVAILABLE'])
    const anonymous = await h.request('GET', '/v0/sandbox/clock', { key: null })
    assert.equal(anonymous.status, 401)
  })

  it('replays an advance sent again with its Idempotency-Key instead of moving twice', async () => {
    const ws = await h.newWorkspace('clock-keys', 'sandbox')
    const start = await clockOf(ws.key)
    const headers = { 'idempotency-key': uuidv7() }
    // (A key is kept 24 hours of the workspace's time: an advance of a day would outlive its own key.)
    const first = await advance({ by: 'PT1H' }, ws.key, headers)
    const again = await advance({ by: 'PT1H' }, ws.key, headers)
    assert.deepEqual([first.status, again.status, again.headers['idempotent-replayed']], [200, 200, 'true'])
    assert.equal(again.body.now, first.body.now)
    assert.equal(await clockOf(ws.key), start + 3_600_000)
  })

  it('expires holds on the way, with their events, in one workspace only', async () => {
    const fundingA = await fundingAccount(h)
    const fundingB = await fundingAccount(h, h.keys.b)
    const a = await openAccount(h)
    const b = await openAccount(h, {}, h.keys.b)
    // MANUAL holds with the default expiry (7 days), one in each workspace.
    const holdA = await transfer(h, { amount: 500, capture_mode: 'MANUAL', originating_account_id: fundingA.id, receiving_account_id: a.id })
    const holdB = await transfer(h, { amount: 500, capture_mode: 'MANUAL', originating_account_id: fundingB.id, receiving_account_id: b.id }, { key: h.keys.b })
    assert.deepEqual([holdA.status, holdB.status], [200, 200])
    const moved = await advance({ by: 'P8D' })
    assert.equal(moved.status, 200)
    // Written by the advance itself, before it answered: the hold and its event.
    const [stored] = await h.sql<{ status: string; updated_at: Date; expires_at: Date }[]>`select status, updated_at, expires_at from ledger_holds where id = ${holdA.body.id}`
    assert.equal(stored.status, 'EXPIRED')
    assert.equal(stored.updated_at.getTime(), stored.expires_at.getTime(), 'expired at its own time, in time order')
    const events = await h.sql<{ type: string; event_time: Date }[]>`select type, event_time from events where resource_id = ${holdA.body.id} order by id`
    assert.deepEqual(events.map((e) => e.type), ['TRANSACTION.PENDING.CREATED', 'TRANSACTION.PENDING.UPDATED'])
    assert.equal(events[1].event_time.getTime(), stored.expires_at.getTime(), 'the expiry\'s event is stamped with the hold\'s expiry')
    assert.equal((await h.request('GET', `/v0/transactions/internal_transfer/${holdA.body.id}`)).body.status, 'EXPIRED')
    // Workspace b's hold, due at the same real time, is untouched: its clock did not move.
    const [other] = await h.sql<{ status: string }[]>`select status from ledger_holds where id = ${holdB.body.id}`
    assert.equal(other.status, 'PENDING')
    assert.equal((await h.request('GET', `/v0/transactions/internal_transfer/${holdB.body.id}`, { key: h.keys.b })).body.status, 'PENDING')
    assert.deepEqual(await balances(h, a.id), { posted: 0, available: 0 })
    // New records take the workspace's time.
    const later = await transfer(h, { amount: 5, originating_account_id: fundingA.id, receiving_account_id: a.id })
    const [row] = await h.sql<{ created_at: Date }[]>`select created_at from ledger_transfers where id = ${later.body.id}`
    assert.equal(row.created_at.getTime(), await clockOf())
    // And so do their events, stored by view or with their resource alike.
    const told = await h.sql<{ type: string; event_time: Date }[]>`select type, event_time from events where resource_id = ${later.body.id} order by id`
    assert.deepEqual(told.map((e) => [e.type, e.event_time.getTime()]), [['TRANSACTION.POSTED.CREATED', row.created_at.getTime()], ['INTERNAL_TRANSFER.SUCCEEDED', row.created_at.getTime()]])
    const person = await h.request('POST', '/v0/persons', { body: { is_customer: true, status: 'ACTIVE', first_name: 'Ada', last_name: 'Lovelace' } })
    assert.equal(person.status, 201, JSON.stringify(person.body))
    const [created] = await h.sql<{ event_time: Date }[]>`select event_time from events where resource_id = ${person.body.id} and type = 'PERSON.CREATED'`
    assert.equal(created.event_time.toISOString(), person.body.creation_time)
    // What a webhook's event log shows (and a delivery sends) is that time.
    const hook = await h.request('POST', '/v0/webhooks', { body: { url: 'https://example.com/hooks/clock', enabled_events: ['PERSON.*'], is_enabled: true } })
    assert.equal(hook.status, 201, JSON.stringify(hook.body))
    const triggered = await h.request('POST', '/v0/webhooks/trigger', { body: { event: 'PERSON.CREATED' } })
    assert.equal(Date.parse(triggered.body.event_time), await clockOf())
    const logged = await h.request('GET', `/v0/webhooks/${hook.body.id}/events`)
    assert.deepEqual(logged.body.event_list.map((e: { id: string; event_time: string }) => [e.id, e.event_time]), [[triggered.body.id, triggered.body.event_time]])
  })

  it('lets the expiry worker find a hold due in a workspace ahead of real time, and only there', async () => {
    // The worker's sweep reads the holds up to the furthest clock's time, then keeps each due by
    // its own workspace's time: a hold due in a workspace two days ahead expires as real time
    // passes its expiry there; one in a workspace on real time, due sooner than two days, stays.
    const ahead = await h.newWorkspace('sweep-ahead', 'sandbox')
    const onTime = await h.newWorkspace('sweep-on-time', 'sandbox')
    assert.equal((await advance({ by: 'P2D' }, ahead.key)).status, 200)
    const hold = async (ws: { key: string }, expiresInMs: number) => {
      const funding = await fundingAccount(h, ws.key)
      const to = await openAccount(h, {}, ws.key)
      const expiresAt = new Date((await clockOf(ws.key)) + expiresInMs).toISOString()
      const res = await transfer(h, { amount: 7, capture_mode: 'MANUAL', expires_at: expiresAt, originating_account_id: funding.id, receiving_account_id: to.id }, { key: ws.key })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      return res.body.id as string
    }
    const dueAhead = await hold(ahead, 60_000)
    const notDue = await hold(onTime, dayMs)
    baseMs += 61_000
    assert.ok((await expireDueHolds(h.sql, h.services.clock)) >= 1)
    const status = async (id: string) => (await h.sql<{ status: string }[]>`select status from ledger_holds where id = ${id}`)[0].status
    assert.deepEqual([await status(dueAhead), await status(notDue)], ['EXPIRED', 'PENDING'])
  })

  it('brings a webhook retry due in the workspace it moved, and no other', async () => {
    const wsA = await h.newWorkspace('clock-hooks-a', 'sandbox')
    const wsB = await h.newWorkspace('clock-hooks-b', 'sandbox')
    const retryAt = new Date(baseMs + 2 * 3_600_000)
    for (const ws of [wsA, wsB]) {
      const hook = await h.request('POST', '/v0/webhooks', { key: ws.key, body: { url: 'http://127.0.0.1:9/hook', enabled_events: ['PERSON.CREATED'], is_enabled: true } })
      assert.equal(hook.status, 201, JSON.stringify(hook.body))
      await h.sql.begin((tx) => recordEvent(tx, { workspaceId: ws.id, type: 'PERSON.CREATED', resourceId: uuidv7(), resource: {}, at: h.services.clock.now(ws.id) }))
      await h.sql`update webhook_deliveries set status = 'RETRYING', attempts = 1, next_attempt_at = ${retryAt} where workspace_id = ${ws.id}`
    }
    const dueWorkspaces = async () => (await findDueLanes(h.sql, h.services.clock.now(), 100)).map((l) => l.workspace_id).filter((id) => id === wsA.id || id === wsB.id)
    assert.deepEqual(await dueWorkspaces(), [])
    assert.equal((await advance({ by: 'PT3H' }, wsA.key)).status, 200)
    assert.deepEqual(await dueWorkspaces(), [wsA.id])
  })

  it('goes on in time order past work that stays due: a webhook retry its paused webhook holds back', async () => {
    const ws = await h.newWorkspace('clock-stuck-retry', 'sandbox')
    const now = await clockOf(ws.key)
    // A retry due in an hour on a paused webhook: it stays due however often the dispatchers are woken.
    const hook = await h.request('POST', '/v0/webhooks', { key: ws.key, body: { url: 'http://127.0.0.1:9/hook', enabled_events: ['PERSON.CREATED'], is_enabled: false } })
    assert.equal(hook.status, 201, JSON.stringify(hook.body))
    await h.sql.begin((tx) => recordEvent(tx, { workspaceId: ws.id, type: 'PERSON.CREATED', resourceId: uuidv7(), resource: {}, at: new Date(now) }))
    const delivered = await h.sql`insert into webhook_deliveries (workspace_id, webhook_id, event_id, status, attempts, next_attempt_at)
      select ${ws.id}, ${hook.body.id}, id, 'RETRYING', 1, ${new Date(now + 3_600_000)} from events where workspace_id = ${ws.id} returning event_id`
    assert.equal(delivered.length, 1)
    // A hold expiring an hour after it, and a second one after that.
    const funding = await fundingAccount(h, ws.key)
    const account = await openAccount(h, {}, ws.key)
    const expiries = [2, 3].map((hours) => new Date(now + hours * 3_600_000).toISOString())
    const holds = []
    for (const expires_at of expiries) {
      const res = await transfer(h, { amount: 100, capture_mode: 'MANUAL', expires_at, originating_account_id: funding.id, receiving_account_id: account.id }, { key: ws.key })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      holds.push(res.body.id)
    }
    assert.equal((await advance({ by: 'PT5H' }, ws.key)).status, 200)
    const stored = await h.sql<{ status: string; updated_at: Date }[]>`select status, updated_at from ledger_holds where id = any(${holds}::uuid[]) order by expires_at`
    assert.deepEqual(stored.map((r) => [r.status, r.updated_at.toISOString()]), expiries.map((at) => ['EXPIRED', at]), 'each expired at its own time')
  })

  it('reads an account\'s balance as of any past instant (statements)', async () => {
    const ws = await h.newWorkspace('clock-statements', 'sandbox')
    const funding = await fundingAccount(h, ws.key)
    const account = await openAccount(h, {}, ws.key)
    const t0 = await clockOf(ws.key)
    assert.equal((await transfer(h, { amount: 100, originating_account_id: funding.id, receiving_account_id: account.id }, { key: ws.key })).status, 200)
    assert.equal((await advance({ by: 'P1D' }, ws.key)).status, 200)
    assert.equal((await transfer(h, { amount: 50, originating_account_id: funding.id, receiving_account_id: account.id }, { key: ws.key })).status, 200)
    const at = (ms: number) => postedBalanceAsOf(h.sql, ws.id, account.id, new Date(ms))
    assert.deepEqual([await at(t0 - 1), await at(t0 + 3_600_000), await at(await clockOf(ws.key))], [0n, 100n, 150n])
  })
})
