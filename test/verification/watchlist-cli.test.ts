// `keel watchlist search` and `keel watchlist import` as an operator runs them, against this file's database.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from '../support/harness.js'
import { seedPerson } from './seed.js'

const root = join(import.meta.dirname, '..', '..')
const smallDir = join(root, 'test', 'fixtures', 'ofac-small')
const commandTimeoutMs = 60_000

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

function keel(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: h.databaseUrl, LOG_LEVEL: 'error' }
    delete env.KEEL_DATA_DIR
    const child = spawn(process.execPath, [join(root, 'bin', 'keel.mjs'), 'watchlist', ...args], { cwd: root, env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`keel watchlist ${args.join(' ')} timed out`)) }, commandTimeoutMs)
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

describe('keel watchlist', () => {
  it('searches the bundled list, as text and as JSON', async () => {
    const json = await keel(['search', 'Usama Binladen', '--json'])
    assert.equal(json.code, 0, `exit ${json.code}: ${json.stderr} ${json.stdout}`)
    const out = JSON.parse(json.stdout)
    assert.equal(out.list.source, 'US_OFAC')
    assert.equal(out.matches[0].entry_id, 6365)
    assert.equal(out.matches[0].score, 1)
    const text = await keel(['search', 'Joaquin Guzman Loera', '--type', 'person', '--limit', '3'])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /1\.000\s+6861\s+individual\s+GUZMAN LOERA, Joaquin/)
    const none = await keel(['search', 'Ada Lovelace', '--json'])
    assert.deepEqual(JSON.parse(none.stdout).matches, [])
  })

  it('refuses bad invocations with the usage', async () => {
    for (const args of [['search'], ['search', 'x', '--type', 'ship'], ['search', 'x', '--dob', '1990'], ['import'], ['frobnicate']]) {
      const res = await keel(args)
      assert.equal(res.code, 2, args.join(' '))
      assert.match(res.stderr, /keel watchlist search/)
    }
  })

  it('imports a list, recording its version and date, re-screens subscribers, and refuses a malformed one', async () => {
    const person = await seedPerson(h, { first_name: 'Dmitry', last_name: 'Khoroshev', dob: '1993-04-17' })
    await h.request('POST', '/v0/monitoring/subscriptions', { body: { person_id: person } })
    const bad = mkdtempSync(join(tmpdir(), 'keel-ofac-bad-'))
    try {
      for (const name of ['sdn.csv', 'alt.csv', 'add.csv']) writeFileSync(join(bad, name), readFileSync(join(smallDir, name)))
      writeFileSync(join(bad, 'add.csv'), '1,2,"only three"\n')
      const refused = await keel(['import', bad])
      assert.equal(refused.code, 1)
      assert.match(refused.stderr, /not imported: add\.csv row 1 has 3 columns/)
      assert.equal((await h.sql`select 1 from watchlist_lists`).length, 0)
    } finally {
      rmSync(bad, { recursive: true, force: true })
    }
    const res = await keel(['import', smallDir, '--list-version', '2026-11-01', '--date', '2026-11-01', '--json'])
    assert.equal(res.code, 0, `exit ${res.code}: ${res.stderr} ${res.stdout}`)
    const summary = JSON.parse(res.stdout)
    assert.equal(summary.version, '2026-11-01')
    assert.equal(summary.entries, 17)
    assert.ok(summary.rescreened >= 1)
    assert.equal(summary.new_alerts, 1)
    const alerts = (await h.request('GET', `/v0/monitoring/alerts?person_id=${person}`)).body.alerts
    assert.equal(alerts[0].vendor_info.json.entry.id, 48603)
    // Search now reads the imported list.
    const search = JSON.parse((await keel(['search', 'LockBitSupp', '--json'])).stdout)
    assert.equal(search.list.version, '2026-11-01')
    assert.equal(search.matches[0].entry_id, 48603)
  })
})
