import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { idempotencyKeyRetentionMs } from '../../src/platform/idempotency.js'
import { uuidv7 } from '../../src/platform/ids.js'
import { expireDueHolds, keysKept } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { assertBooksClean, balances, fundingAccount, openAccount, transfer } from '../support/accounts.js'

let h: Harness
let now = Date.now()
const clock = { now: () => new Date(now) }
before(async () => { h = await startHarness({ clock }) })
after(async () => {
  await assertBooksClean(h)
  await h.close()
})

describe('funding a customer account from the sandbox funding account', () => {
  it('moves money with one transfer and shows it on both sides', async () => {
    const funding = await fundingAccount(h)
    assert.equal(funding.description, 'New Funding Account')
    const account = await openAccount(h)
    const res = await transfer(h, { amount: 1025, originating_account_id: funding.id, receiving_account_id: account.id })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.status, 'COMPLETE')
    assert.equal(res.body.amount, 1025)
    assert.deepEqual(await balances(h, account.id), { posted: 1025, available: 1025 })
    const fundingAfter = (await h.request('GET', `/v0/internal_accounts/${funding.id}`)).body
    assert.equal(fundingAfter.balances.find((b: any) => b.type === 'ACCOUNT_BALANCE').balance, funding.balances[0].balance - 1025)

    const got = await h.request('GET', `/v0/transactions/internal_transfer/${res.body.id}`)
    assert.deepEqual(got.body, res.body)
    const posted = await h.request('GET', `/v0/transactions/posted?account_id=${account.id}`)
    assert.equal(posted.status, 200)
    assert.equal(posted.body.result.length, 1)
    const [line0, line1] = posted.body.result[0].data.lines
    assert.deepEqual([line0.account_id, line0.dc_sign, line0.amount], [funding.id, 'debit', 1025])
    assert.deepEqual([line1.account_id, line1.dc_sign, line1.amount, line1.balance], [account.id, 'credit', 1025, 1025])
    const one = await h.request('GET', `/v0/transactions/posted/${res.body.id}`)
    assert.equal(one.body.uuid, res.body.id)
    const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from events where resource_id = ${res.body.id} and type in ('INTERNAL_TRANSFER.SUCCEEDED', 'TRANSACTION.POSTED.CREATED')`
    assert.equal(n, 2)
  })
})

describe('rejections', () => {
  it("keeps no key for each new record's id, only for the accounts named", async () => {
    const funding = await fundingAccount(h)
    const account = await openAccount(h)
    await transfer(h, { amount: 1, originating_account_id: funding.id, receiving_account_id: account.id })
    const before = keysKept()
    for (let i = 0; i < 20; i++) {
      const res = await transfer(h, { amount: 1, originating_account_id: funding.id, receiving_account_id: account.id })
      assert.equal(res.status, 200)
    }
    assert.ok(keysKept() - before < 5, `20 transfers between two accounts kept ${keysKept() - before} keys`)
  })

  it('answers each failure with its code and changes nothing', async () => {
    const funding = await fundingAccount(h)
    const a = await openAccount(h)
    const b = await openAccount(h, { balance_ceiling: { balance: 500 } })
    assert.equal((await transfer(h, { amount: 300, originating_account_id: funding.id, receiving_account_id: a.id })).status, 200)
    const cases: [Record<string, unknown>, number, string][] = [
      [{ amount: 301, originating_account_id: a.id, receiving_account_id: funding.id }, 422, 'INSUFFICIENT_FUNDS'],
      [{ amount: 501, originating_account_id: funding.id, receiving_account_id: b.id }, 422, 'BALANCE_VIOLATION'],
      [{ amount: 1, originating_account_id: uuidv7(), receiving_account_id: a.id }, 400, 'ACCOUNT_NOT_FOUND'],
      [{ amount: 1, originating_account_id: a.id, receiving_account_id: a.id }, 400, 'BAD_REQUEST_BODY'],
      [{ amount: 1, currency: 'EUR', originating_account_id: a.id, receiving_account_id: b.id }, 422, 'UNABLE_TO_TRANSACT'],
      [{ amount: 0, originating_account_id: a.id, receiving_account_id: b.id }, 400, 'BAD_REQUEST_BODY'],
      [{ amount: 1.5, originating_account_id: a.id, receiving_account_id: b.id }, 400, 'BAD_REQUEST_BODY'],
      [{ amount: 1, receiving_account_id: b.id }, 400, 'BAD_REQUEST_BODY'],
      [{ amount: 1, currency: 'usd', originating_account_id: a.id, receiving_account_id: b.id }, 400, 'BAD_REQUEST_BODY'],
      [{ amount: 1, originating_account_id: a.id, receiving_account_id: b.id, expires_at: '2030-01-01T00:00:00Z' }, 400, 'BAD_REQUEST_BODY'],
      [{ amount: 2 ** 60, originating_account_id: a.id, receiving_account_id: b.id }, 400, 'BAD_REQUEST_BODY'],
    ]
    for (const [body, status, code] of cases) {
      const res = await transfer(h, body)
      assert.equal(res.status, status, JSON.stringify(body))
      assert.equal(res.body.code, code, JSON.stringify(body))
    }
    assert.deepEqual(await balances(h, a.id), { posted: 300, available: 300 })
    assert.deepEqual(await balances(h, b.id), { posted: 0, available: 0 })
  })

  it('refuses closed, suspended and frozen accounts with the spec codes', async () => {
    const funding = await fundingAccount(h)
    const cases: [Record<string, unknown>, string][] = [
      [{ status: 'SUSPENDED' }, 'IMPROPER_ACCOUNT_STATUS'],
      [{ access_status: 'FROZEN' }, 'IMPROPER_ACCOUNT_ACCESS_STATUS'],
      [{ status: 'CLOSED' }, 'ACCOUNT_CLOSED'],
    ]
    for (const [patch, code] of cases) {
      const account = await openAccount(h)
      const changed = await h.request('PATCH', `/v0/accounts/${account.id}`, { body: patch })
      assert.equal(changed.status, 200, JSON.stringify(changed.body))
      for (const body of [{ originating_account_id: funding.id, receiving_account_id: account.id }, { originating_account_id: account.id, receiving_account_id: funding.id }]) {
        const res = await transfer(h, { amount: 1, ...body })
        assert.equal(res.status, 422)
        assert.equal(res.body.code, code)
      }
    }
  })

  it('honours overdraft_limit and balance_floor', async () => {
    const funding = await fundingAccount(h)
    const account = await openAccount(h, { overdraft_limit: 100, balance_floor: { balance: 20 } })
    assert.equal((await transfer(h, { amount: 50, originating_account_id: funding.id, receiving_account_id: account.id })).status, 200)
    // Lowest available: floor 20 − overdraft 100 = −80, so 130 may leave and no more.
    assert.equal((await transfer(h, { amount: 131, originating_account_id: account.id, receiving_account_id: funding.id })).body.code, 'INSUFFICIENT_FUNDS')
    assert.equal((await transfer(h, { amount: 130, originating_account_id: account.id, receiving_account_id: funding.id })).status, 200)
    assert.deepEqual(await balances(h, account.id), { posted: -80, available: -80 })
  })
})

describe('MANUAL capture', () => {
  it('holds funds until completed', async () => {
    const funding = await fundingAccount(h)
    const a = await openAccount(h)
    const b = await openAccount(h)
    await transfer(h, { amount: 1000, originating_account_id: funding.id, receiving_account_id: a.id })
    const held = await transfer(h, { amount: 400, capture_mode: 'MANUAL', originating_account_id: a.id, receiving_account_id: b.id })
    assert.equal(held.status, 200)
    assert.equal(held.body.status, 'PENDING')
    assert.deepEqual(await balances(h, a.id), { posted: 1000, available: 600 })
    assert.deepEqual(await balances(h, b.id), { posted: 0, available: 0 })
    // The reservation counts: 601 more is more than is available.
    assert.equal((await transfer(h, { amount: 601, originating_account_id: a.id, receiving_account_id: b.id })).body.code, 'INSUFFICIENT_FUNDS')
    const pending = await h.request('GET', `/v0/transactions/pending?account_id=${a.id}`)
    assert.equal(pending.body.result.length, 1)
    assert.equal(pending.body.result[0].data.status, 'PENDING')
    const done = await h.request('PATCH', `/v0/transactions/internal_transfer/${held.body.id}`, { body: { status: 'COMPLETE' } })
    assert.equal(done.status, 200, JSON.stringify(done.body))
    assert.equal(done.body.status, 'COMPLETE')
    assert.deepEqual(await balances(h, a.id), { posted: 600, available: 600 })
    assert.deepEqual(await balances(h, b.id), { posted: 400, available: 400 })
    const again = await h.request('PATCH', `/v0/transactions/internal_transfer/${held.body.id}`, { body: { status: 'CANCELED' } })
    assert.equal(again.status, 422)
    assert.equal(again.body.code, 'INVALID_STATUS')
    const cleared = await h.request('GET', `/v0/transactions/pending/${held.body.id}`)
    assert.equal(cleared.body.data.status, 'CLEARED')
    const events = await h.sql<{ type: string }[]>`select type from events where resource_id = ${held.body.id} order by id`
    assert.deepEqual(events.map((e) => e.type), ['TRANSACTION.PENDING.CREATED', 'TRANSACTION.PENDING.UPDATED', 'INTERNAL_TRANSFER.SUCCEEDED'])
    // The capture is a record of its own, naming the hold: the pending transfer is never rewritten.
    const posted = await h.request('GET', `/v0/transactions/posted?account_id=${b.id}`)
    assert.deepEqual(posted.body.result.map((p: any) => [p.data.hold_id, p.data.lines.map((l: any) => [l.dc_sign, l.amount])]), [[held.body.id, [['debit', 400], ['credit', 400]]]])
    const captured = await h.sql<{ type: string }[]>`select type from events where resource_id = ${posted.body.result[0].uuid}`
    assert.deepEqual(captured.map((e) => e.type), ['TRANSACTION.POSTED.CREATED'])
  })

  it('releases funds when canceled', async () => {
    const funding = await fundingAccount(h)
    const a = await openAccount(h)
    const held = await transfer(h, { amount: 70, capture_mode: 'MANUAL', originating_account_id: funding.id, receiving_account_id: a.id })
    const res = await h.request('PATCH', `/v0/transactions/internal_transfer/${held.body.id}`, { body: { status: 'CANCELED' } })
    assert.equal(res.body.status, 'CANCELED')
    assert.deepEqual(await balances(h, a.id), { posted: 0, available: 0 })
    // Canceled again: refused in the API's own words (CANCELED), not the ledger's (RELEASED).
    const again = await h.request('PATCH', `/v0/transactions/internal_transfer/${held.body.id}`, { body: { status: 'CANCELED' } })
    assert.deepEqual([again.status, again.body.code], [422, 'INVALID_STATUS'])
    assert.match(again.body.detail, /CANCELED/)
    assert.doesNotMatch(again.body.detail, /RELEASED/)
  })

  it('expires: funds released, and a later COMPLETE is refused', async () => {
    const funding = await fundingAccount(h)
    const a = await openAccount(h)
    const b = await openAccount(h)
    await transfer(h, { amount: 100, originating_account_id: funding.id, receiving_account_id: a.id })
    const soon = new Date(now + 60_000).toISOString()
    const one = await transfer(h, { amount: 30, capture_mode: 'MANUAL', expires_at: soon, originating_account_id: a.id, receiving_account_id: b.id })
    const two = await transfer(h, { amount: 40, capture_mode: 'MANUAL', expires_at: soon, originating_account_id: a.id, receiving_account_id: b.id })
    assert.deepEqual(await balances(h, a.id), { posted: 100, available: 30 })
    now += 61_000
    // The worker's pass releases the first; the PATCH of the second finds it expired itself.
    assert.ok((await expireDueHolds(h.sql, clock, 1)) >= 1)
    const late = await h.request('PATCH', `/v0/transactions/internal_transfer/${two.body.id}`, { body: { status: 'COMPLETE' } })
    assert.equal(late.status, 422)
    assert.equal(late.body.code, 'INVALID_STATUS')
    await expireDueHolds(h.sql, clock, 100)
    for (const id of [one.body.id, two.body.id]) assert.equal((await h.request('GET', `/v0/transactions/internal_transfer/${id}`)).body.status, 'EXPIRED')
    assert.deepEqual(await balances(h, a.id), { posted: 100, available: 100 })
    assert.deepEqual(await balances(h, b.id), { posted: 0, available: 0 })
  })
})

describe('idempotency', () => {
  it('replays a retried transfer and never moves money twice', async () => {
    const funding = await fundingAccount(h)
    const a = await openAccount(h)
    const headers = { 'idempotency-key': uuidv7() }
    const body = { amount: 5, originating_account_id: funding.id, receiving_account_id: a.id }
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => transfer(h, body, { headers })))
    const ok = results.filter((r) => r.status === 200)
    for (const r of results) assert.ok(r.status === 200 || r.body.code === 'IDEMPOTENCY_CONCURRENT_USE', JSON.stringify(r.body))
    assert.equal(new Set(ok.map((r) => r.body.id)).size, 1)
    const replay = await transfer(h, body, { headers })
    assert.equal(replay.headers['idempotent-replayed'], 'true')
    assert.deepEqual(replay.body, ok[0].body)
    assert.deepEqual(await balances(h, a.id), { posted: 5, available: 5 })
    const reuse = await transfer(h, { ...body, amount: 6 }, { headers })
    assert.equal(reuse.body.code, 'IDEMPOTENCY_INVALID_REUSE')
  })

  it('runs a key afresh once its outcome has passed the retention window', async () => {
    const funding = await fundingAccount(h)
    const a = await openAccount(h)
    const headers = { 'idempotency-key': uuidv7() }
    const body = { amount: 7, originating_account_id: funding.id, receiving_account_id: a.id }
    const first = await transfer(h, body, { headers })
    assert.equal(first.status, 200, JSON.stringify(first.body))
    now += idempotencyKeyRetentionMs + 1000
    const again = await transfer(h, body, { headers })
    assert.deepEqual([again.status, again.headers['idempotent-replayed']], [200, undefined], JSON.stringify(again.body))
    assert.notEqual(again.body.id, first.body.id)
    assert.deepEqual(await balances(h, a.id), { posted: 14, available: 14 })
    const replay = await transfer(h, body, { headers })
    assert.deepEqual([replay.headers['idempotent-replayed'], replay.body.id], ['true', again.body.id])
  })
})

describe('transaction views', () => {
  it('list newest first, page, and filter by account, sign, type, date, reference and key', async () => {
    const funding = await fundingAccount(h)
    const a = await openAccount(h)
    const b = await openAccount(h)
    const made: string[] = []
    for (const [i, to] of [a, b, a, a].entries()) {
      const res = await transfer(h, { amount: 10 + i, originating_account_id: funding.id, receiving_account_id: to.id, reference_id: `ref-${i}` }, { headers: { 'idempotency-key': `views-${i}-${a.id}` } })
      made.push(res.body.id)
    }
    await transfer(h, { amount: 1, originating_account_id: a.id, receiving_account_id: b.id, type: 'FEE' })
    const seen: string[] = []
    let token: string | null = null
    do {
      const res: any = await h.request('GET', `/v0/transactions/posted?account_id=${a.id}&dc_sign=credit&limit=2${token ? `&page_token=${token}` : ''}`)
      assert.equal(res.status, 200)
      seen.push(...res.body.result.map((t: any) => t.uuid))
      token = res.body.next_page_token
    } while (token)
    assert.deepEqual(seen, [made[3], made[2], made[0]])
    const debits = await h.request('GET', `/v0/transactions/posted?account_id=${a.id}&dc_sign=debit`)
    assert.equal(debits.body.result.length, 1)
    assert.equal(debits.body.result[0].type, 'FEE')
    assert.equal((await h.request('GET', `/v0/transactions/posted?account_id=${a.id}&type=FEE`)).body.result.length, 1)
    assert.deepEqual((await h.request('GET', '/v0/transactions/posted?reference_id=ref-1')).body.result.map((t: any) => t.uuid), [made[1]])
    assert.deepEqual((await h.request('GET', `/v0/transactions/posted?idempotency_key=views-2-${a.id}`)).body.result.map((t: any) => t.uuid), [made[2]])
    const today = new Date(now).toISOString().slice(0, 10)
    const yesterday = new Date(Date.parse(today) - 86_400_000).toISOString().slice(0, 10)
    // The spec's bounds: posted after from_date's day, on or before to_date's.
    assert.equal((await h.request('GET', `/v0/transactions/posted?account_id=${a.id}&from_date=${yesterday}&to_date=${today}`)).body.result.length, 4)
    assert.equal((await h.request('GET', `/v0/transactions/posted?account_id=${a.id}&from_date=${today}&to_date=${today}`)).body.result.length, 0)
    assert.equal((await h.request('GET', `/v0/transactions/posted?account_id=${a.id}&to_date=2020-01-01`)).body.result.length, 0)
    assert.equal((await h.request('GET', `/v0/transactions/posted?card_id=${uuidv7()}`)).body.result.length, 0)
    assert.equal((await h.request('GET', '/v0/transactions/posted?from_date=yesterday')).status, 400)
  })
})

describe('tenancy', () => {
  it('cannot move or see another workspace’s money', async () => {
    const fundingB = await fundingAccount(h, h.keys.b)
    const a = await openAccount(h)
    const res = await transfer(h, { amount: 1, originating_account_id: fundingB.id, receiving_account_id: a.id })
    assert.equal(res.status, 400)
    assert.equal(res.body.code, 'ACCOUNT_NOT_FOUND')
    const own = await transfer(h, { amount: 1, originating_account_id: (await fundingAccount(h)).id, receiving_account_id: a.id })
    assert.equal((await h.request('GET', `/v0/transactions/internal_transfer/${own.body.id}`, { key: h.keys.b })).status, 404)
    assert.equal((await h.request('GET', `/v0/transactions/posted/${own.body.id}`, { key: h.keys.b })).status, 404)
  })
})
