// The server's watchlist worker finishes a re-screen that an import left undone.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { uuidv7 } from '../platform/ids.js'
import { createLogger } from '../platform/logger.js'
import { startHarness, type Harness } from '../../test/support/harness.js'
import { seedPerson } from '../../test/verification/seed.js'
import { readListDir } from './watchlist/list.js'
import { insertCurrentList, ofacSource } from './watchlist/store.js'
import { rescreenGraceMs, startWatchlistWorker } from './worker.js'

const smallDir = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'ofac-small')
const waitMs = 30_000

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

describe('watchlist worker', () => {
  it('re-screens subscriptions against an import whose own re-screen never ran', async () => {
    const person = await seedPerson(h, { first_name: 'Dmitry', last_name: 'Khoroshev', dob: '1993-04-17' })
    assert.equal((await h.request('POST', '/v0/monitoring/subscriptions', { body: { person_id: person } })).status, 201)
    // An import that committed its list and then died before re-screening.
    const listId = uuidv7()
    const importedAt = new Date(Date.now() - rescreenGraceMs - 1000)
    await h.sql.begin((tx) => insertCurrentList(tx, { id: listId, source: ofacSource, version: 'crashed', list_date: null, entry_count: 17, imported_at: importedAt }, readListDir(smallDir)))
    const stop = startWatchlistWorker(h.services, createLogger('silent'))
    try {
      const deadline = Date.now() + waitMs
      while (Date.now() < deadline) {
        const [row] = await h.sql`select rescreened_at from watchlist_lists where id = ${listId}`
        if (row.rescreened_at) break
        await sleep(100)
      }
    } finally {
      await stop()
    }
    const [row] = await h.sql`select rescreened_at from watchlist_lists where id = ${listId}`
    assert.ok(row.rescreened_at, 'the worker marked the list re-screened')
    const alerts = (await h.request('GET', `/v0/monitoring/alerts?person_id=${person}`)).body.alerts
    assert.equal(alerts.length, 1)
    assert.equal(alerts[0].vendor_info.json.list.version, 'crashed')
  })

  it('leaves a fresh import to the process that made it', async () => {
    const listId = uuidv7()
    await h.sql.begin((tx) => insertCurrentList(tx, { id: listId, source: ofacSource, version: 'fresh', list_date: null, entry_count: 17, imported_at: new Date() }, readListDir(smallDir)))
    const stop = startWatchlistWorker(h.services, createLogger('silent'))
    await sleep(500)
    await stop()
    const [row] = await h.sql`select rescreened_at from watchlist_lists where id = ${listId}`
    assert.equal(row.rescreened_at, null)
  })
})
