import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { startEmbedded } from './embedded-postgres.js'

it('tells a process that joined another\'s embedded PostgreSQL when that server stops or moves to another port', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-joined-'))
  try {
    const pgdata = join(dataDir, 'pg')
    mkdirSync(pgdata)
    writeFileSync(join(pgdata, 'PG_VERSION'), '18\n')
    writeFileSync(join(dataDir, 'pg-password'), 'pw\n')
    // A running postmaster, as its pid file says: this (live) process's pid, on port 5999.
    const pidFile = (port: number) => writeFileSync(join(pgdata, 'postmaster.pid'), `${process.pid}\n${pgdata}\n0\n${port}\n`)
    pidFile(5999)
    const joined = await startEmbedded(dataDir, () => {})
    assert.equal(joined.owned, false)
    assert.match(joined.url, /:5999\//)
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
