// The real-time ACH worker's round: whatever fell due in every workspace runs, each workspace on its
// own, so one whose run fails (a fault planted in its file's insert) holds up no other, and its
// entries go out in the next round once it can; one waiting on its gateway holds up no other
// either, and its own debits are offered to the gateway at once.
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { achWorkerRound } from '../../src/ach/due.js'
import { WorkspaceClock } from '../../src/platform/clock.js'
import { createLogger } from '../../src/platform/logger.js'
import { startHarness, type Harness } from '../support/harness.js'
import { assertBooksClean, customer, getAch, incomingByAccount, originate } from './support.js'

/** Bound on reading the entries' states while the slow gateway holds its debits (each poll is one read). */
const statePollsMax = 20_000

// Thursday 22 May 2031, 8:00 ET; moved only by the test.
let baseMs = Date.parse('2031-05-22T12:00:00Z')
let h: Harness
before(async () => { h = await startHarness({ clock: new WorkspaceClock(() => baseMs) }) })
after(async () => { await h.close() })

describe('the ACH worker', () => {
  it('runs every other workspace when one workspace\'s run fails, and that one next round', async () => {
    // Named so that the stuck one comes first.
    const [stuck, fine] = [await h.newWorkspace('ach-a-stuck', 'sandbox'), await h.newWorkspace('ach-b-fine', 'sandbox')]
    const entries = new Map<string, string>()
    for (const ws of [stuck, fine]) {
      const c = await customer(h, 10_000, { key: ws.key })
      const res = await originate(h, c, { amount: 100, dc_sign: 'credit', is_same_day: true }, ws.key)
      assert.equal(res.status, 201, JSON.stringify(res.body))
      entries.set(ws.id, res.body.id)
    }
    const logged: string[] = []
    const log = createLogger('error', new Writable({ write(chunk, _enc, done) { logged.push(String(chunk)); done() } }))
    await h.sql.unsafe(`create function test_stuck_file() returns trigger language plpgsql as $$
      begin if new.workspace_id = '${stuck.id}' then raise exception 'planted'; end if; return new; end $$`)
    await h.sql`create trigger test_stuck_file before insert on ach_files for each row execute function test_stuck_file()`
    baseMs = Date.parse('2031-05-22T14:31:00Z') // 10:31 ET: the first same-day window has been cut
    try {
      await achWorkerRound(h.services, log)
      assert.equal((await getAch(h, entries.get(fine.id)!, fine.key)).status, 'PENDING', 'the other workspace\'s entry went out')
      assert.equal((await getAch(h, entries.get(stuck.id)!, stuck.key)).status, 'INIT')
      assert.equal(logged.length, 1, logged.join(''))
      assert.equal(JSON.parse(logged[0]).workspace, stuck.id)
    } finally {
      await h.sql`drop trigger test_stuck_file on ach_files`
      await h.sql`drop function test_stuck_file()`
    }
    await achWorkerRound(h.services, log)
    assert.equal((await getAch(h, entries.get(stuck.id)!, stuck.key)).status, 'PENDING')
    assert.equal(logged.length, 1)
    await assertBooksClean(h)
  })

  it('goes on with other workspaces while one waits on its gateway, whose debits are all offered at once', async () => {
    // A gateway that answers nothing until three debits have reached it and the test lets it: with
    // offers one at a time, the first would wait out its max_wait_ms alone.
    const held: http.ServerResponse[] = []
    let release!: () => void
    const released = new Promise<void>((r) => { release = r })
    const server = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        held.push(res)
        if (held.length === 3) void released.then(() => { for (const r of held) r.writeHead(402).end('{}') })
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      // The worker takes workspaces in id order: the slow one goes first.
      const [slow, quick] = [await h.newWorkspace('ach-c-slow', 'sandbox'), await h.newWorkspace('ach-d-quick', 'sandbox')].sort((x, y) => (x.id < y.id ? -1 : 1))
      const gateway = await h.request('POST', '/v0/ach/gateways', { key: slow.key, body: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ach`, max_wait_ms: 32_000 } })
      assert.equal(gateway.status, 201, JSON.stringify(gateway.body))
      const accounts = new Map<string, string>()
      for (const [ws, debits] of [[slow, 3], [quick, 1]] as const) {
        const c = await customer(h, 10_000, { key: ws.key })
        accounts.set(ws.id, c.account.account_number)
        for (let i = 0; i < debits; i++) {
          const res = await h.request('POST', '/v0/ach/transaction_simulations/receiving_transaction', { key: ws.key, body: { account_number: c.account.account_number, amount: 100 + i, dc_sign: 'debit', effective_date: '2031-05-27' } })
          assert.equal(res.status, 201, JSON.stringify(res.body))
        }
      }
      baseMs = Date.parse('2031-05-27T07:00:00Z') // 03:00 ET on their date: due since 02:15
      const log = createLogger('error', new Writable({ write(_chunk, _enc, done) { done() } }))
      const round = achWorkerRound(h.services, log)
      // While the slow workspace's gateway holds its three debits, the quick workspace's debit posts.
      const statuses = async (ws: { id: string; key: string }) => (await incomingByAccount(h, accounts.get(ws.id)!, ws.key)).map((e: any) => e.status)
      // Asked again and again, never by the clock: each poll is a read, and a busy machine only makes more of them.
      let quickStatus: string | undefined
      for (let poll = 0; poll < statePollsMax && (held.length < 3 || quickStatus !== 'POSTED'); poll++) quickStatus = (await statuses(quick))[0]
      assert.equal(held.length, 3, 'the slow gateway was offered its three debits at once')
      assert.deepEqual(await statuses(quick), ['POSTED'])
      assert.deepEqual(await statuses(slow), ['INIT', 'INIT', 'INIT'])
      release()
      await round
      assert.deepEqual(await statuses(slow), ['RETURNED', 'RETURNED', 'RETURNED'], 'declined by the gateway: returned R10')
      await assertBooksClean(h)
    } finally {
      release()
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  })
})
