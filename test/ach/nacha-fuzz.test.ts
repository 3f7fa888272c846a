// Fuzzing with a fixed seed: sample files with bytes and lines changed, inserted, dropped and
// swapped. Reading and validating never throw; every issue is well-formed; a file that validates
// writes back to a file that validates, and one read without any warning writes back byte for byte.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { nachaErrorCodes, nachaWarningCodes, parseNacha, validateNacha, writeNacha } from '../../src/ach/nacha/index.js'

const samplesDir = join(import.meta.dirname, '../../data/ach/samples')
const samples = readdirSync(samplesDir).filter((f) => f.endsWith('.ach')).sort().map((f) => readFileSync(join(samplesDir, f)))
const errorCodes = new Set<string>(nachaErrorCodes)
const warningCodes = new Set<string>(nachaWarningCodes)

type Mutation =
  | { kind: 'set' | 'insert'; at: number; byte: number }
  | { kind: 'delete' | 'truncate'; at: number }
  | { kind: 'duplicateLine' | 'dropLine'; line: number }
  | { kind: 'swapLines'; line: number; other: number }

// Bytes a NACHA file is made of, weighted toward those that change meaning (digits, spaces, 9s).
const byte = fc.oneof(
  fc.constantFrom(...'0123456789 9ABCRXZ'.split('').map((c) => c.charCodeAt(0))),
  fc.constantFrom(10, 13, 0, 0x7f, 0xe9),
  fc.integer({ min: 0, max: 255 }),
)
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('set' as const, 'insert' as const), at: fc.nat(), byte }),
  fc.record({ kind: fc.constantFrom('delete' as const, 'truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constantFrom('duplicateLine' as const, 'dropLine' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines' as const), line: fc.nat(), other: fc.nat() }),
)

function mutate(input: Buffer, mutations: Mutation[]): Buffer {
  let bytes = Buffer.from(input)
  for (const m of mutations) {
    if ('at' in m) {
      const at = m.at % (bytes.length + 1)
      if (m.kind === 'set' && at < bytes.length) bytes[at] = m.byte
      if (m.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([m.byte]), bytes.subarray(at)])
      if (m.kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)])
      if (m.kind === 'truncate') bytes = bytes.subarray(0, at)
      continue
    }
    const lines = bytes.toString('latin1').split('\n')
    const i = m.line % lines.length
    if (m.kind === 'duplicateLine') lines.splice(i, 0, lines[i]!)
    if (m.kind === 'dropLine') lines.splice(i, 1)
    if (m.kind === 'swapLines') { const j = m.other % lines.length; [lines[i], lines[j]] = [lines[j]!, lines[i]!] }
    bytes = Buffer.from(lines.join('\n'), 'latin1')
  }
  return bytes
}

describe('NACHA fuzzing', () => {
  it('never throws, and writes back what validates', () => {
    let valid = 0, exact = 0
    fc.assert(
      fc.property(fc.nat({ max: samples.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (index, mutations) => {
        const input = mutate(samples[index]!, mutations)
        const parsed = parseNacha(input)
        const result = validateNacha(input)
        for (const e of [...parsed.errors, ...result.errors]) {
          assert.ok(errorCodes.has(e.code) && typeof e.field === 'string' && typeof e.value === 'string' && Number.isInteger(e.line), JSON.stringify(e))
        }
        for (const w of result.warnings) assert.ok(warningCodes.has(w.code), JSON.stringify(w))
        assert.equal(result.ok, result.errors.length === 0)
        if (!result.ok) return
        valid++
        assert.ok(parsed.file)
        const written = writeNacha(parsed.file)
        const again = validateNacha(written)
        assert.deepEqual(again.errors, [])
        assert.deepEqual(again.warnings.filter((w) => w.code !== 'iatAddendaCount'), [])
        assert.equal(writeNacha(parseNacha(written).file!), written)
        if (result.warnings.length === 0) {
          exact++
          assert.equal(written, input.toString('latin1'))
        }
      }),
      { seed: 20261129, numRuns: 4000 },
    )
    // The mutations must reach both sides of the property, or it tests nothing.
    assert.ok(valid > 100, `only ${valid} mutated files validated`)
    assert.ok(exact > 50, `only ${exact} mutated files were read without warnings`)
  })
})
