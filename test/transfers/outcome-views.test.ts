// A posted internal transfer's Idempotency-Key outcome is stored by view (migration 1570): the key's
// row names the internal_transfer view and the transfer, carries no text, and a retry replays the
// transfer rendered from its record, as the first answer showed it. A MANUAL transfer's answer
// (PENDING) changes as its hold moves on, so it is stored as sent. A wipe, which keeps keys and
// deletes transfers, writes the rendered answer in first, so a retry after it still replays.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { materializeEventResources } from '../../src/platform/events.js'
import { materializeOutcomeViews } from '../../src/platform/idempotency.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { assertBooksClean, fundingAccount, openAccount, transfer } from '../support/accounts.js'
import { startHarness, type Harness } from '../support/harness.js'
import { keyRow } from '../support/outcomes.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => {
  await assertBooksClean(h)
  await h.close()
})

const transfersOf = async (workspaceId: string, id: string) =>
  (await h.sql<{ n: number }[]>`select count(*)::int as n from ledger_transfers where workspace_id = ${workspaceId} and id = ${id}`)[0].n

describe('Idempotency-Key outcomes stored by view', () => {
  it("stores a posted transfer's outcome as its view, and replays the transfer as it was answered", async () => {
    const [funding, account] = [await fundingAccount(h), await openAccount(h)]
    const key = uuidv7()
    const body = { amount: 2_500, originating_account_id: funding.id, receiving_account_id: account.id, memo: 'rent', reference_id: 'r-1', metadata: { note: 'by view' } }
    const first = await transfer(h, body, { headers: { 'idempotency-key': key } })
    assert.equal(first.status, 200, JSON.stringify(first.body))
    assert.equal(first.body.status, 'COMPLETE')
    assert.deepEqual(await keyRow(h.sql, h.workspaces.a, key), { response_status: 200, response_body: null, response_view: 'internal_transfer', response_resource_id: first.body.id })

    const replay = await transfer(h, body, { headers: { 'idempotency-key': key } })
    assert.deepEqual([replay.status, replay.headers['idempotent-replayed']], [200, 'true'])
    assert.deepEqual(replay.body, first.body)
    assert.equal(await transfersOf(h.workspaces.a, first.body.id), 1, 'the replay moved no money')
    const reused = await transfer(h, { ...body, amount: 2_501 }, { headers: { 'idempotency-key': key } })
    assert.deepEqual([reused.status, reused.body.code], [422, 'IDEMPOTENCY_INVALID_REUSE'])
  })

  it('replays by view on the path that looks accounts up first (an alias)', async () => {
    const account = await openAccount(h)
    const key = uuidv7()
    const body = { amount: 300, originating_account_alias: 'new_funding_account', receiving_account_id: account.id }
    const first = await transfer(h, body, { headers: { 'idempotency-key': key } })
    assert.equal(first.status, 200, JSON.stringify(first.body))
    assert.equal((await keyRow(h.sql, h.workspaces.a, key)).response_view, 'internal_transfer')
    const replay = await transfer(h, body, { headers: { 'idempotency-key': key } })
    assert.deepEqual([replay.status, replay.headers['idempotent-replayed'], replay.body], [200, 'true', first.body])
  })

  it("stores a MANUAL transfer's answer as sent: a retry after its capture still answers PENDING", async () => {
    const [funding, account] = [await fundingAccount(h), await openAccount(h)]
    const key = uuidv7()
    const body = { amount: 700, originating_account_id: funding.id, receiving_account_id: account.id, capture_mode: 'MANUAL' }
    const first = await transfer(h, body, { headers: { 'idempotency-key': key } })
    assert.equal(first.body.status, 'PENDING', JSON.stringify(first.body))
    const stored = await keyRow(h.sql, h.workspaces.a, key)
    assert.deepEqual([stored.response_view, stored.response_resource_id, JSON.parse(stored.response_body!)], [null, null, first.body])
    const captured = await h.request('PATCH', `/v0/transactions/internal_transfer/${first.body.id}`, { body: { status: 'COMPLETE' } })
    assert.equal(captured.body.status, 'COMPLETE', JSON.stringify(captured.body))
    const replay = await transfer(h, body, { headers: { 'idempotency-key': key } })
    assert.deepEqual([replay.headers['idempotent-replayed'], replay.body], ['true', first.body])
  })

  it('writes the rendered answers and events in, a page at a time, every one exactly once', async () => {
    const ws = await h.newWorkspace('outcome-views-pages', 'sandbox')
    const [funding, account] = [await fundingAccount(h, ws.key), await openAccount(h, {}, ws.key)]
    const keys = [uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7()]
    const firsts = []
    for (const [i, key] of keys.entries()) {
      firsts.push(await transfer(h, { amount: 10 + i, originating_account_id: funding.id, receiving_account_id: account.id }, { key: ws.key, headers: { 'idempotency-key': key } }))
    }
    // Pages of two over five outcomes (and ten events by view, two per transfer): three pages each.
    assert.equal(await materializeOutcomeViews(h.sql, ws.id, 2), 5)
    assert.equal(await materializeEventResources(h.sql, ws.id, 2), 10)
    for (const [i, key] of keys.entries()) {
      const row = await keyRow(h.sql, ws.id, key)
      assert.deepEqual([row.response_view, JSON.parse(row.response_body!)], [null, firsts[i].body])
    }
    const [left] = await h.sql<{ n: number }[]>`select count(*)::int as n from events where workspace_id = ${ws.id} and resource_view is not null`
    assert.equal(left.n, 0)
    assert.equal(await materializeOutcomeViews(h.sql, ws.id, 2), 0, 'nothing is left to write')
  })

  it('keeps replaying after a wipe deletes the transfer: the wipe writes the answer in', async () => {
    const ws = await h.newWorkspace('outcome-views-wipe', 'sandbox')
    const [funding, account] = [await fundingAccount(h, ws.key), await openAccount(h, {}, ws.key)]
    const keys = [uuidv7(), uuidv7(), uuidv7()]
    const bodies = keys.map((_, i) => ({ amount: 100 + i, originating_account_id: funding.id, receiving_account_id: account.id }))
    const firsts = []
    for (const [i, key] of keys.entries()) firsts.push(await transfer(h, bodies[i], { key: ws.key, headers: { 'idempotency-key': key } }))
    for (const f of firsts) assert.equal(f.status, 200, JSON.stringify(f.body))

    const wiped = await h.request('POST', '/v0/wipe', { key: ws.key })
    assert.equal(wiped.status, 204, JSON.stringify(wiped.body))
    for (const [i, key] of keys.entries()) {
      assert.equal(await transfersOf(ws.id, firsts[i].body.id), 0, 'the wipe deleted the transfer')
      const row = await keyRow(h.sql, ws.id, key)
      assert.deepEqual([row.response_view, row.response_resource_id, JSON.parse(row.response_body!)], [null, null, firsts[i].body])
      const replay = await transfer(h, bodies[i], { key: ws.key, headers: { 'idempotency-key': key } })
      assert.deepEqual([replay.status, replay.headers['idempotent-replayed'], replay.body], [200, 'true', firsts[i].body])
    }
  })
})
