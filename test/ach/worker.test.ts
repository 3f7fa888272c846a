// The real-time ACH worker's round: whatever fell due in every workspace runs, each workspace on its
// own, so one whose run fails (a fault planted in its file's insert) holds up no other, and its
// entries go out in the next round once it can.
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { achWorkerRound } from '../../src/ach/due.js'
import { WorkspaceClock } from '../../src/platform/clock.js'
import { createLogger } from '../../src/platform/logger.js'
import { startHarness, type Harness } from '../support/harness.js'
import { assertBooksClean, customer, getAch, originate } from './support.js'

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
})
