import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { connectionTarget, withDatabase } from './database-url.js'
import { connect, isDatabaseUnavailable } from './db.js'

describe('database URLs', () => {
  it('reads libpq\'s host parameter naming a directory as the Unix-domain socket there, for the URL\'s port', () => {
    assert.deepEqual(connectionTarget('postgres://keel:p%40ss@127.0.0.1:6432/keel?host=%2Fvar%2Fkeel%2Fpg-socket&sslmode=disable'), {
      url: 'postgres://keel:p%40ss@127.0.0.1:6432/keel?sslmode=disable',
      path: '/var/keel/pg-socket/.s.PGSQL.6432',
    })
    assert.equal(connectionTarget('postgres://keel@localhost/keel?host=/run/pg/').path, '/run/pg/.s.PGSQL.5432')
  })

  it('leaves a URL without a socket directory as it is', () => {
    for (const url of ['postgres://keel:pw@127.0.0.1:5432/keel', 'postgres://keel@db.internal/keel?host=db.internal', 'postgres://keel@h/keel?application_name=x']) {
      assert.deepEqual(connectionTarget(url), { url })
    }
  })

  it('names another database on the same server, keeping the query', () => {
    assert.equal(withDatabase('postgres://keel:pw@127.0.0.1:5432/keel?host=%2Ftmp%2Fs', 'postgres'), 'postgres://keel:pw@127.0.0.1:5432/postgres?host=%2Ftmp%2Fs')
    assert.equal(withDatabase('postgres://keel:pw@127.0.0.1:5432/keel', 'other'), 'postgres://keel:pw@127.0.0.1:5432/other')
  })

  it('reaches the tests\' server as its URL says: the embedded one through its socket, DATABASE_URL\'s over TCP', async () => {
    const url = process.env.KEEL_TEST_SERVER_URL!
    const sql = connect(url, 1)
    try {
      const [row] = await sql<{ addr: string | null }[]>`select inet_server_addr()::text as addr`
      if (process.env.DATABASE_URL) assert.notEqual(row.addr, null, 'a TCP connection has a server address')
      else {
        assert.ok(connectionTarget(url).path, `the embedded server's URL names its socket: ${url.replace(/:[^:@/]*@/, ':***@')}`)
        assert.equal(row.addr, null, 'a Unix-domain socket connection has no server address')
      }
    } finally {
      await sql.end()
    }
  })

  it('counts a socket with no server behind it as the database being unavailable, and no other missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-nosocket-'))
    const sql = connect(`postgres://keel@127.0.0.1:5999/keel?host=${encodeURIComponent(dir)}`, 1)
    try {
      const err = await sql`select 1`.then(() => undefined, (e: unknown) => e)
      assert.equal((err as { code?: string }).code, 'ENOENT')
      assert.equal(isDatabaseUnavailable(err), true)
      assert.equal(isDatabaseUnavailable(Object.assign(new Error('no such file'), { code: 'ENOENT', syscall: 'open' })), false)
    } finally {
      await sql.end({ timeout: 0 })
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
