// `keel ach`: ingest a NACHA file as the receiving bank (applied once), list, show and export the
// workspace's files, and the validate subcommand forwarded to the NACHA library's report.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { incomingEntryFile } from '../../src/ach/simulations/build.js'
import { startHarness, type Harness } from '../support/harness.js'
import { runKeel } from '../support/keel-process.js'
import { advanceTo, assertBooksClean, customer, expectBalances } from './support.js'

const encryptionKey = randomBytes(32).toString('hex')
let h: Harness
before(async () => { h = await startHarness({ encryptionKey }) })
after(async () => { await h.close() })

const keel = (args: string[]) => runKeel(h.databaseUrl, args, { KEEL_ENCRYPTION_KEY: encryptionKey })

it('ingests a file once, then lists, shows and exports it', async () => {
  await advanceTo(h, '2031-05-22T12:00:00Z')
  const c = await customer(h, 0)
  const dir = mkdtempSync(join(tmpdir(), 'keel-ach-'))
  const path = join(dir, 'in.ach')
  const content = incomingEntryFile({ accountNumber: c.account.account_number, amount: 1_234, dcSign: 'credit', effectiveDate: '2031-05-22', sequence: 99, now: new Date('2031-05-22T12:00:00Z') })
  writeFileSync(path, content)

  const first = await keel(['ach', 'ingest', path, '--workspace', 'a', '--json'])
  assert.equal(first.code, 0, first.stderr)
  const result = JSON.parse(first.stdout)
  assert.equal(result.already_applied, false)
  assert.equal(result.entries[0].status, 'POSTED')
  await expectBalances(h, c.account.id, { posted: 1_234, available: 1_234 })
  const second = await keel(['ach', 'ingest', path, '--workspace', 'a'])
  assert.equal(second.code, 0, second.stderr)
  assert.match(second.stdout, /already applied/)
  await expectBalances(h, c.account.id, { posted: 1_234, available: 1_234 })

  const list = await keel(['ach', 'files', 'list', '--workspace', 'a', '--json'])
  assert.equal(list.code, 0, list.stderr)
  const files = JSON.parse(list.stdout)
  assert.equal(files.length, 1)
  assert.equal(files[0].id, result.file.id)
  const show = await keel(['ach', 'files', 'show', result.file.id, '--workspace', 'a'])
  assert.equal(show.code, 0, show.stderr)
  assert.ok(show.stdout.includes(content.split('\n')[0]))
  const out = join(dir, 'out.ach')
  const exported = await keel(['ach', 'files', 'export', result.file.id, '--workspace', 'a', '--out', out])
  assert.equal(exported.code, 0, exported.stderr)
  assert.equal(readFileSync(out, 'utf8'), content)
  assert.equal((await keel(['ach', 'files', 'show', result.file.id, '--workspace', 'b'])).code, 1, 'another workspace\'s file is not found')

  const validate = await keel(['ach', 'validate', path])
  assert.equal(validate.code, 0, validate.stderr)
  assert.match(validate.stdout, /VALID/)
  writeFileSync(path, content.replace(/^1/, 'X'))
  const bad = await keel(['ach', 'ingest', path, '--workspace', 'a'])
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /line 1/)
  assert.equal((await keel(['ach', 'nothing'])).code, 2)
  await assertBooksClean(h)
})

it('shows and sets the ACH settings, refusing invalid ones', async () => {
  const shown = await keel(['ach', 'settings', 'show', '--workspace', 'b', '--json'])
  assert.equal(shown.code, 0, shown.stderr)
  assert.equal(JSON.parse(shown.stdout).immediate_destination, '011000015')
  const set = await keel(['ach', 'settings', 'set', '--workspace', 'b', '--company-id', '1123456789', '--gateway-timeout-decision', 'DECLINE', '--json'])
  assert.equal(set.code, 0, set.stderr)
  assert.equal(JSON.parse(set.stdout).company_id, '1123456789')
  const api = await h.request('GET', '/v0/ach/settings', { key: h.keys.b })
  assert.equal(api.body.company_id, '1123456789')
  assert.equal(api.body.gateway_timeout_decision, 'DECLINE')
  const bad = await keel(['ach', 'settings', 'set', '--workspace', 'b', '--immediate-destination', '123'])
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /immediate_destination must be a 9-digit routing number/)
  assert.equal((await keel(['ach', 'settings', 'set', '--workspace', 'b'])).code, 2, 'nothing to set')
  const text = await keel(['ach', 'settings', 'show', '--workspace', 'b'])
  assert.match(text.stdout, /^company_id: 1123456789$/m)
})
