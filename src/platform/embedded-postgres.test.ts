import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { connectionTarget } from './database-url.js'
import { embeddedUrl, socketDirectoryFor, startEmbedded } from './embedded-postgres.js'

it('tells a process that joined another\'s embedded PostgreSQL when that server stops or moves to another port', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-joined-'))
  try {
    const pgdata = join(dataDir, 'pg')
    mkdirSync(pgdata)
    writeFileSync(join(pgdata, 'PG_VERSION'), '18\n')
    writeFileSync(join(dataDir, 'pg-password'), 'pw\n')
    // A running postmaster, as its pid file says: this (live) process's pid, on port 5999, with its socket directory.
    const socketDir = join(dataDir, 'pg-socket')
    const pidFile = (port: number, socket = socketDir) => writeFileSync(join(pgdata, 'postmaster.pid'), `${process.pid}\n${pgdata}\n0\n${port}\n${socket}\n`)
    pidFile(5999, '')
    const overTcp = await startEmbedded(dataDir, () => {})
    assert.equal(connectionTarget(overTcp.url).path, undefined, 'a server without a socket is joined over TCP')
    assert.match(overTcp.url, /@127\.0\.0\.1:5999\/keel$/)
    pidFile(5999)
    const joined = await startEmbedded(dataDir, () => {})
    assert.equal(joined.owned, false)
    assert.match(joined.url, /:5999\//)
    assert.equal(connectionTarget(joined.url).path, `${socketDir}/.s.PGSQL.5999`, 'joined through the socket the server listens on')
    assert.equal(joined.stillServing?.(), true)
    pidFile(6001) // restarted on another port
    assert.equal(joined.stillServing?.(), false)
    pidFile(5999)
    assert.equal(joined.stillServing?.(), true)
    rmSync(join(pgdata, 'postmaster.pid')) // stopped
    assert.equal(joined.stillServing?.(), false)
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
})

it('listens on a socket under the data directory unless its path would be too long for the system, then on TCP only', () => {
  assert.equal(socketDirectoryFor('/var/lib/keel'), '/var/lib/keel/pg-socket')
  const deep = `/${'d'.repeat(82)}` // 83 bytes: one more than a socket path leaves room for
  assert.equal(socketDirectoryFor(deep), undefined)
  assert.equal(connectionTarget(embeddedUrl('pw', 5432, socketDirectoryFor(deep))).path, undefined)
  assert.equal(connectionTarget(embeddedUrl('p w', 5432, '/var/lib/keel/pg-socket')).path, '/var/lib/keel/pg-socket/.s.PGSQL.5432')
})
