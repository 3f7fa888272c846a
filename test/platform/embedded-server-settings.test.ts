// The embedded PostgreSQL runs with the settings Keel starts it with (src/platform/embedded-postgres.ts):
// its cache sized for the ledger's indexes, and WAL segments extended rather than zero-filled. On a
// server named by DATABASE_URL they are that server's own, so the test has nothing to check there.
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { sharedBuffersMb } from '../../src/platform/embedded-postgres.js'
import { startHarness, type Harness } from '../support/harness.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

it('starts the embedded PostgreSQL with its cache and WAL settings', { skip: process.env.DATABASE_URL ? 'a server of its own (DATABASE_URL)' : false }, async () => {
  const rows = await h.sql<{ name: string; mb: number | null; setting: string }[]>`
    select name, setting,
      case unit when '8kB' then setting::int8 * 8 / 1024 when 'MB' then setting::int8 end::int as mb
    from pg_settings where name in ('shared_buffers', 'max_wal_size', 'wal_init_zero') order by name`
  const byName = new Map(rows.map((r) => [r.name, r]))
  assert.ok(sharedBuffersMb >= 128 && sharedBuffersMb <= 2048, `between the default and 2 GB (${sharedBuffersMb})`)
  assert.equal(byName.get('shared_buffers')?.mb, sharedBuffersMb)
  assert.equal(byName.get('max_wal_size')?.mb, 4096)
  assert.equal(byName.get('wal_init_zero')?.setting, 'off')
})
