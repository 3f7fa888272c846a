// Every sample file (one or more per SEC code) reads without an error, validates, and writes back
// byte for byte; the written text reads back to the same structure.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { parseNacha, secCodes, validateNacha, writeNacha } from '../../src/ach/nacha/index.js'

const samples = join(import.meta.dirname, '../../data/ach/samples')
const files = readdirSync(samples).filter((f) => f.endsWith('.ach')).sort()

describe('NACHA sample files round-trip', () => {
  it('cover every SEC code', () => {
    const seen = new Set<string>()
    for (const f of files) for (const b of parseNacha(readFileSync(join(samples, f))).file?.batches ?? []) seen.add(b.header.secCode)
    assert.deepEqual([...seen].sort(), [...secCodes].sort())
  })

  for (const name of files) {
    it(name, () => {
      const bytes = readFileSync(join(samples, name))
      const parsed = parseNacha(bytes)
      assert.deepEqual(parsed.errors, [])
      assert.ok(parsed.file)
      const written = Buffer.from(writeNacha(parsed.file), 'latin1')
      assert.ok(written.equals(bytes), `${name} written back differs from the sample`)
      const again = parseNacha(written)
      assert.deepEqual(again.file, parsed.file)

      const validated = validateNacha(bytes)
      assert.deepEqual(validated.errors, [])
      assert.equal(validated.ok, true)
      const entries = parsed.file.batches.reduce((n, b) => n + b.entries.length, 0)
      assert.equal(validated.summary.entries, entries)
      assert.equal(validated.summary.batches, parsed.file.batches.length)
      assert.equal(validated.summary.totalDebit, parsed.file.control.totalDebit)
      assert.equal(validated.summary.totalCredit, parsed.file.control.totalCredit)
      // Only the IAT sample warns: its writer counts the seven mandatory addenda, not all nine.
      assert.deepEqual(validated.warnings.map((w) => w.code), name === 'iat-credit.ach' ? ['iatAddendaCount'] : [])
    })
  }

  it('keeps CRLF line endings and the absence of a final line ending', () => {
    const lf = readFileSync(join(samples, 'ppd-debit.ach'), 'latin1')
    assert.equal(lf.endsWith('\n'), false)
    const crlf = lf.split('\n').join('\r\n') + '\r\n'
    const parsed = parseNacha(crlf)
    assert.deepEqual([parsed.errors, parsed.warnings], [[], []])
    assert.equal(writeNacha(parsed.file!), crlf)
  })
})
