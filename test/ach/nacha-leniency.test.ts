// Leniency: what real files get wrong that the reference library's users expect a reader to
// forgive. Each fixture is a sample file damaged in one such way; it validates, with a warning
// naming what was forgiven, and reads to the same records as the sample.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { parseNacha, validateNacha, writeNacha, type NachaFile, type NachaWarningCode } from '../../src/ach/nacha/index.js'

const samples = join(import.meta.dirname, '../../data/ach/samples')
const fixtures = join(import.meta.dirname, '../fixtures/nacha')

/** The records only: where they were read from and how lines ended is not their content. */
function records(file: NachaFile | undefined): unknown {
  return JSON.parse(JSON.stringify({ ...file, layout: undefined }, (key, value) => (key === 'line' ? undefined : value)))
}

const cases: { fixture: string; sample: string; warnings: NachaWarningCode[] }[] = [
  { fixture: 'one-line.ach', sample: 'ppd-credit.ach', warnings: ['singleLineSplit'] },
  { fixture: 'short-lines-crlf.ach', sample: 'web-credit.ach', warnings: ['shortLinePadded'] },
  { fixture: 'trailing-spaces.ach', sample: 'ppd-debit.ach', warnings: ['trailingSpacesTrimmed', 'blankLinesTrimmed'] },
  { fixture: 'no-filler.ach', sample: 'ccd-debit.ach', warnings: ['blockingFiller'] },
]

describe('NACHA leniency', () => {
  for (const c of cases) {
    it(`${c.fixture}: ${c.warnings.join(', ')}`, () => {
      const input = readFileSync(join(fixtures, c.fixture))
      const original = readFileSync(join(samples, c.sample), 'latin1')
      const result = validateNacha(input)
      assert.deepEqual(result.errors, [])
      assert.deepEqual([...new Set(result.warnings.map((w) => w.code))].sort(), [...c.warnings].sort())
      assert.deepEqual(result.summary, validateNacha(original).summary)
      const parsed = parseNacha(input)
      const sample = parseNacha(original).file!
      assert.deepEqual(records(parsed.file), records(sample))
      // Written with the sample's line endings, the forgiven file is the sample again.
      assert.equal(writeNacha({ ...parsed.file!, layout: sample.layout }), original)
    })
  }

  it('says which lines it padded and trimmed', () => {
    const short = validateNacha(readFileSync(join(fixtures, 'short-lines-crlf.ach')))
    const padded = short.warnings.filter((w) => w.code === 'shortLinePadded')
    // The file header and file control end in blank fields; every other record ends in digits.
    assert.deepEqual(padded.map((w) => [w.record, w.line, w.value]), [['fileHeader', 1, '75'], ['fileControl', 8, '55']])
    const trailing = validateNacha(readFileSync(join(fixtures, 'trailing-spaces.ach')))
    assert.deepEqual(trailing.warnings.filter((w) => w.code === 'trailingSpacesTrimmed').map((w) => [w.line, w.value]),
      Array.from({ length: 10 }, (_, i) => [i + 1, '100']))
    assert.deepEqual(trailing.warnings.filter((w) => w.code === 'blankLinesTrimmed').map((w) => w.line), [11, 12])
  })

  it('does not forgive a long line whose excess is not spaces, nor a short line cutting a field', () => {
    const lines = readFileSync(join(samples, 'ppd-debit.ach'), 'latin1').split('\n')
    lines[2] = lines[2]!.slice(0, 40)
    const result = validateNacha(lines.join('\n'))
    assert.equal(result.ok, false)
    assert.ok(result.warnings.some((w) => w.code === 'shortLinePadded' && w.line === 3))
    assert.ok(result.errors.some((e) => e.code === 'notNumeric' && e.line === 3 && e.field === 'traceNumber'))
  })
})
