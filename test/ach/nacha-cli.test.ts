// `keel ach validate FILE`: the verdict, the summary and every error; exit 0 valid, 1 invalid.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { promisify } from 'node:util'
import type { ValidateResult } from '../../src/ach/nacha/index.js'

const root = join(import.meta.dirname, '../..')
const keelBin = join(root, 'bin/keel.mjs')
const samples = join(root, 'data/ach/samples')
const scratch = mkdtempSync(join(tmpdir(), 'keel-nacha-cli-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

async function keel(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [keelBin, ...args], { cwd: root, timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    if (typeof e.code !== 'number') throw err
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('keel ach validate', () => {
  it('passes a valid file with its summary', async () => {
    const run = await keel(['ach', 'validate', join(samples, 'web-credit.ach')])
    assert.equal(run.code, 0, run.stderr)
    const lines = run.stdout.split('\n')
    assert.match(lines[0]!, /web-credit\.ach: VALID \(0 errors, 0 warnings\)$/)
    assert.equal(lines[1], 'batches 1  entries 2  addenda 2  debits 0.00  credits 107.99')
    assert.equal(lines[2], '  WEB  batches 1  entries 2  addenda 2  debits 0.00  credits 107.99')
  })

  it('fails an invalid file and prints every error with its line, record, field and value', async () => {
    const lines = readFileSync(join(samples, 'ppd-debit.ach'), 'latin1').split('\n')
    lines[2] = lines[2]!.slice(0, 11) + '9' + lines[2]!.slice(12) // wrong check digit
    lines[3] = lines[3]!.slice(0, 20) + '000100000001' + lines[3]!.slice(32) // wrong debit total
    const path = join(scratch, 'bad.ach')
    writeFileSync(path, lines.join('\n'), 'latin1')
    const run = await keel(['ach', 'validate', path])
    assert.equal(run.code, 1)
    assert.match(run.stdout, /bad\.ach: INVALID \(2 errors, 0 warnings\)/)
    assert.match(run.stdout, /line 3 entryDetail\.checkDigit "231380109": routingCheckDigit: /)
    assert.match(run.stdout, /line 4 batchControl\.totalDebit "100000001": controlMismatch: /)

    const json = await keel(['ach', 'validate', path, '--json'])
    assert.equal(json.code, 1)
    const result = JSON.parse(json.stdout) as ValidateResult
    assert.equal(result.ok, false)
    assert.deepEqual(result.errors.map((e) => [e.code, e.record, e.line, e.field, e.value]), [
      ['routingCheckDigit', 'entryDetail', 3, 'checkDigit', '231380109'],
      ['controlMismatch', 'batchControl', 4, 'totalDebit', '100000001'],
    ])
  })

  it('says when it cannot read the file, and how to call it', async () => {
    const missing = await keel(['ach', 'validate', join(scratch, 'nope.ach')])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /cannot read .*nope\.ach/)
    const usage = await keel(['ach', 'validate'])
    assert.equal(usage.code, 2)
    assert.match(usage.stderr, /keel ach validate FILE/)
  })
})
