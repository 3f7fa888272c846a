// The malformed corpus: files broken in the ways real files break. Each reads to clean, typed
// errors naming the record, line, field and value; none throws.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import {
  nachaErrorCodes, nachaErrorsMax, nachaWarningCodes, parseNacha, validateNacha, writeNacha,
  type NachaError, type ValidateResult,
} from '../../src/ach/nacha/index.js'
import { generatedFile } from '../fixtures/nacha/generate.js'

const samples = join(import.meta.dirname, '../../data/ach/samples')
const sample = (name: string) => readFileSync(join(samples, name), 'latin1')
const linesOf = (name: string) => sample(name).split('\n')
/** A sample with its line n (1-based) replaced by what `change` makes of it. */
const withLine = (name: string, n: number, change: (line: string) => string) => {
  const lines = linesOf(name)
  lines[n - 1] = change(lines[n - 1]!)
  return lines.join('\n')
}
/** Replaces `width` characters at 1-based position `at`. */
const put = (line: string, at: number, text: string) => line.slice(0, at - 1) + text + line.slice(at - 1 + text.length)

const codes = new Set<string>(nachaErrorCodes)
const warningCodes = new Set<string>(nachaWarningCodes)

/** Validates and checks the shape of every issue; the result for the case's own assertions. */
function check(input: string | Uint8Array): ValidateResult {
  const result = validateNacha(input)
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1')
  // A one-line file is read as 94-character records, numbered as lines.
  const lineCount = Math.max(text.split('\n').length, Math.ceil(text.length / 94))
  for (const e of result.errors) {
    assert.ok(codes.has(e.code), `unknown error code ${e.code}`)
    for (const key of ['record', 'field', 'value', 'message'] as const) assert.equal(typeof e[key], 'string', key)
    assert.ok(Number.isInteger(e.line) && e.line >= 0 && e.line <= lineCount, `line ${e.line}`)
  }
  for (const w of result.warnings) assert.ok(warningCodes.has(w.code), `unknown warning code ${w.code}`)
  assert.equal(result.ok, result.errors.length === 0)
  // The reader never throws, and agrees with the validator on what it reports itself.
  const parsed = parseNacha(input)
  for (const e of parsed.errors) assert.ok(result.errors.some((v) => v.code === e.code && v.line === e.line), `${e.code} at ${e.line}`)
  return result
}

interface Case {
  name: string
  input: () => string | Uint8Array
  /** Errors that must be among those found: code, record, line, field (and value when given). */
  expected: Partial<NachaError>[]
}

const cases: Case[] = [
  {
    name: 'a truncated entry line',
    input: () => withLine('ppd-debit.ach', 3, (l) => l.slice(0, 60)),
    expected: [{ code: 'notNumeric', record: 'entryDetail', line: 3, field: 'traceNumber' }, { code: 'notNumeric', record: 'entryDetail', line: 3, field: 'addendaIndicator' }],
  },
  {
    name: 'a file cut after its first entry',
    input: () => linesOf('ppd-debit.ach').slice(0, 3).join('\n'),
    expected: [{ code: 'missingRecord', record: 'batchControl', line: 3 }, { code: 'missingRecord', record: 'fileControl', line: 3 }],
  },
  {
    name: 'a batch control with a wrong entry hash',
    input: () => withLine('ppd-debit.ach', 4, (l) => put(l, 11, '0023138011')),
    expected: [{ code: 'controlMismatch', record: 'batchControl', line: 4, field: 'entryHash', value: '23138011' }],
  },
  {
    name: 'a batch control with wrong totals',
    input: () => withLine('ccd-debit.ach', 5, (l) => put(l, 21, '000000500126')),
    expected: [{ code: 'controlMismatch', record: 'batchControl', line: 5, field: 'totalDebit', value: '500126' }],
  },
  {
    name: 'a file control with a wrong entry count and block count',
    input: () => withLine('web-credit.ach', 8, (l) => put(put(l, 14, '00000005'), 8, '000002')),
    expected: [
      { code: 'controlMismatch', record: 'fileControl', line: 8, field: 'entryAddendaCount', value: '5' },
      { code: 'controlMismatch', record: 'fileControl', line: 8, field: 'blockCount', value: '2' },
    ],
  },
  {
    name: 'a batch control whose batch number and service class disagree with the header',
    input: () => withLine('ppd-debit.ach', 4, (l) => put(put(l, 88, '0000002'), 2, '200')),
    expected: [
      { code: 'controlMismatch', record: 'batchControl', line: 4, field: 'batchNumber', value: '2' },
      { code: 'controlMismatch', record: 'batchControl', line: 4, field: 'serviceClassCode', value: '200' },
    ],
  },
  {
    name: 'an entry before its batch header',
    input: () => { const l = linesOf('ppd-debit.ach'); [l[1], l[2]] = [l[2]!, l[1]!]; return l.join('\n') },
    expected: [{ code: 'recordOrder', record: 'entryDetail', line: 2 }],
  },
  {
    name: 'an addenda before its entry',
    input: () => { const l = linesOf('web-credit.ach'); [l[2], l[3]] = [l[3]!, l[2]!]; return l.join('\n') },
    expected: [{ code: 'recordOrder', record: 'addenda', line: 3 }],
  },
  {
    name: 'a second file header',
    input: () => { const l = linesOf('ppd-debit.ach'); l.splice(2, 0, l[0]!); return l.join('\n') },
    expected: [{ code: 'recordOrder', record: 'fileHeader', line: 3 }],
  },
  {
    name: 'a record after the file control',
    input: () => { const l = linesOf('ppd-debit.ach'); l.splice(5, 0, l[2]!); return l.join('\n') },
    expected: [{ code: 'recordOrder', record: 'entryDetail', line: 6 }],
  },
  {
    name: 'a non-ASCII byte in a name',
    input: () => Buffer.from(withLine('ppd-debit.ach', 3, (l) => put(l, 55, '\u00e9')), 'latin1'),
    expected: [{ code: 'nonAscii', record: 'entryDetail', line: 3, value: '0xe9' }],
  },
  {
    name: 'a UTF-8 character that makes a line 95 bytes',
    input: () => Buffer.from(withLine('ppd-debit.ach', 3, (l) => l.slice(0, 54) + 'Zoë' + l.slice(57)), 'utf8'),
    expected: [{ code: 'lineTooLong', record: 'entryDetail', line: 3, value: '95' }, { code: 'nonAscii', record: 'entryDetail', line: 3 }],
  },
  {
    name: 'a control character in a record',
    input: () => withLine('ppd-debit.ach', 2, (l) => put(l, 10, '\t')),
    expected: [{ code: 'nonAscii', record: 'batchHeader', line: 2, value: '0x09' }],
  },
  {
    name: 'an entry with a wrong RDFI check digit',
    input: () => withLine('ppd-debit.ach', 3, (l) => put(l, 12, '5')),
    expected: [{ code: 'routingCheckDigit', record: 'entryDetail', line: 3, field: 'checkDigit', value: '231380105' }],
  },
  {
    name: 'a file header with a wrong immediate destination check digit',
    input: () => withLine('ppd-credit.ach', 1, (l) => put(l, 5, '231380105')),
    expected: [{ code: 'routingCheckDigit', record: 'fileHeader', line: 1, field: 'immediateDestination', value: '231380105' }],
  },
  {
    name: 'a missing file control',
    input: () => { const l = linesOf('ppd-debit.ach'); l.splice(4, 1); return l.join('\n') },
    expected: [{ code: 'missingRecord', record: 'fileControl', line: 5 }],
  },
  {
    name: 'a missing batch control',
    input: () => { const l = linesOf('ppd-debit.ach'); l.splice(3, 1); return l.join('\n') },
    expected: [{ code: 'missingRecord', record: 'batchControl', line: 4 }],
  },
  {
    name: 'a missing file header',
    input: () => linesOf('ppd-debit.ach').slice(1).join('\n'),
    expected: [{ code: 'missingRecord', record: 'fileHeader', line: 1 }],
  },
  {
    name: 'entries and addenda only',
    input: () => linesOf('web-credit.ach').slice(2, 6).join('\n'),
    expected: [{ code: 'recordOrder', record: 'entryDetail', line: 1 }, { code: 'missingRecord', record: 'fileHeader', line: 1 }],
  },
  {
    name: 'an empty input',
    input: () => '',
    expected: [{ code: 'empty', record: 'file', line: 0 }],
  },
  {
    name: 'filler only',
    input: () => linesOf('ppd-debit.ach').slice(5).join('\n'),
    expected: [{ code: 'empty', record: 'file' }],
  },
  {
    name: 'an unknown record type',
    input: () => withLine('ppd-debit.ach', 3, (l) => put(l, 1, 'X')),
    expected: [{ code: 'unknownRecordType', record: 'file', line: 3, field: 'recordType', value: 'X' }],
  },
  {
    name: 'a line far longer than a record',
    input: () => withLine('ppd-debit.ach', 2, (l) => l + 'EXTRA DATA'),
    expected: [{ code: 'lineTooLong', record: 'batchHeader', line: 2, value: '104' }],
  },
  {
    name: 'an amount that is not digits',
    input: () => withLine('ppd-debit.ach', 3, (l) => put(l, 30, '00001O0000')),
    expected: [{ code: 'notNumeric', record: 'entryDetail', line: 3, field: 'amount', value: '00001O0000' }],
  },
  {
    name: 'an unknown SEC code and service class',
    input: () => withLine('ppd-debit.ach', 2, (l) => put(put(l, 51, 'XYZ'), 2, '230')),
    expected: [
      { code: 'invalidValue', record: 'batchHeader', line: 2, field: 'secCode', value: 'XYZ' },
      { code: 'invalidValue', record: 'batchHeader', line: 2, field: 'serviceClassCode', value: '230' },
    ],
  },
  {
    name: 'a credit in a debits-only batch',
    input: () => withLine('ppd-debit.ach', 3, (l) => put(l, 2, '22')),
    expected: [{ code: 'transactionCodeNotAllowed', record: 'entryDetail', line: 3, field: 'transactionCode', value: '22' }],
  },
  {
    name: 'an unknown transaction code',
    input: () => withLine('ppd-debit.ach', 3, (l) => put(l, 2, '25')),
    expected: [{ code: 'invalidValue', record: 'entryDetail', line: 3, field: 'transactionCode', value: '25' }],
  },
  {
    name: 'an addenda indicator with no addenda',
    input: () => withLine('ppd-debit.ach', 3, (l) => put(l, 79, '1')),
    expected: [{ code: 'addendaIndicator', record: 'entryDetail', line: 3, field: 'addendaIndicator', value: '1' }],
  },
  {
    name: 'an addenda 05 on an entry whose SEC code allows none',
    input: () => { const l = linesOf('tel-debit.ach'); l.splice(3, 0, linesOf('web-credit.ach')[3]!); return l.join('\n') },
    expected: [{ code: 'addendaNotAllowed', record: 'addenda', line: 4, field: 'typeCode', value: '05' }],
  },
  {
    name: 'an addenda with an unknown type code',
    input: () => withLine('web-credit.ach', 4, (l) => put(l, 2, '06')),
    expected: [{ code: 'invalidValue', record: 'addenda', line: 4, field: 'typeCode', value: '06' }],
  },
  {
    name: 'addenda sequence numbers out of order',
    input: () => withLine('ctx-debit.ach', 5, (l) => put(l, 84, '0003')),
    expected: [{ code: 'addendaSequence', record: 'addenda', line: 5, field: 'sequenceNumber', value: '3' }],
  },
  {
    name: 'a CTX addenda count that disagrees with its addenda',
    input: () => withLine('ctx-debit.ach', 3, (l) => put(l, 55, '0003')),
    expected: [{ code: 'invalidValue', record: 'entryDetail', line: 3, field: 'addendaCount', value: '3' }],
  },
  {
    name: 'trace numbers that do not ascend',
    input: () => withLine('ccd-debit.ach', 4, (l) => put(l, 80, '031300010000001')),
    expected: [{ code: 'traceNumber', record: 'entryDetail', line: 4, field: 'traceNumber', value: '031300010000001' }],
  },
  {
    name: 'a trace number of another ODFI',
    input: () => withLine('ppd-debit.ach', 3, (l) => put(l, 80, '231380100000001')),
    expected: [{ code: 'traceNumber', record: 'entryDetail', line: 3, field: 'traceNumber', value: '231380100000001' }],
  },
  {
    name: 'invalid dates',
    input: () => withLine('ppd-debit.ach', 1, (l) => put(put(l, 24, '190230'), 30, '2460')),
    expected: [
      { code: 'invalidDate', record: 'fileHeader', line: 1, field: 'fileCreationDate', value: '190230' },
      { code: 'invalidDate', record: 'fileHeader', line: 1, field: 'fileCreationTime', value: '2460' },
    ],
  },
  {
    name: 'a return with an unknown reason code',
    input: () => {
      const l = linesOf('ppd-credit.ach')
      l[2] = put(put(l[2]!, 2, '21'), 79, '1')
      l.splice(3, 0, '799R99121042880000001      23138010' + ' '.repeat(44) + '121042880000001')
      return l.join('\n')
    },
    expected: [{ code: 'invalidValue', record: 'addenda', line: 4, field: 'returnReasonCode', value: 'R99' }],
  },
  {
    name: 'a NOC with an unknown change code',
    input: () => withLine('cor-read.ach', 4, (l) => put(l, 4, 'C10')),
    expected: [{ code: 'invalidValue', record: 'addenda', line: 4, field: 'changeCode', value: 'C10' }],
  },
  {
    name: 'an IAT entry missing a mandatory addenda',
    input: () => { const l = linesOf('iat-credit.ach'); l.splice(5, 1); return l.join('\n') },
    expected: [{ code: 'addendaNotAllowed', record: 'addenda', line: 6, field: 'typeCode', value: '13' }],
  },
  {
    name: 'random bytes',
    input: () => { let x = 7; return Uint8Array.from({ length: 5000 }, () => (x = (x * 1103515245 + 12345) & 0x7fffffff) & 0xff) },
    expected: [{ code: 'nonAscii' }],
  },
]

describe('NACHA malformed corpus', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = check(c.input())
      assert.equal(result.ok, false)
      for (const want of c.expected) {
        assert.ok(result.errors.some((e) => Object.entries(want).every(([k, v]) => e[k as keyof NachaError] === v)),
          `expected ${JSON.stringify(want)} among ${JSON.stringify(result.errors, null, 1)}`)
      }
    })
  }

  it('stops reading past the record limit', () => {
    // Short lines are padded, so ten of them fit within the characters allowed for five records.
    const result = validateNacha(Array(10).fill('1').join('\n'), { recordsMax: 5 })
    assert.equal(result.ok, false)
    assert.deepEqual(result.errors.filter((e) => e.code === 'tooLarge').map((e) => e.line), [6])
    const long = validateNacha(sample('web-credit.ach'), { recordsMax: 5 })
    assert.deepEqual(long.errors.map((e) => [e.code, e.line]), [['tooLarge', 0]])
    assert.equal(validateNacha(sample('web-credit.ach'), { recordsMax: 10 }).ok, true)
  })

  it('reads a 200,000-entry file, and finds the one wrong amount in it', () => {
    const text = writeNacha(generatedFile(200_000))
    const clean = validateNacha(text)
    assert.deepEqual([clean.errors, clean.warnings], [[], []])
    assert.equal(clean.summary.entries, 200_000)
    assert.equal(clean.summary.addenda, 20_000)

    const lines = text.split('\n')
    const at = lines.findIndex((l, i) => i > 150_000 && l.startsWith('622'))
    lines[at] = put(lines[at]!, 30, String(Number(lines[at]!.slice(29, 39)) + 1).padStart(10, '0'))
    const broken = validateNacha(lines.join('\n'))
    assert.deepEqual(broken.errors.map((e) => [e.code, e.record, e.field]), [
      ['controlMismatch', 'batchControl', 'totalCredit'],
      ['controlMismatch', 'fileControl', 'totalCredit'],
    ])
    assert.ok(broken.errors[0]!.line > at + 1)
  })

  it('caps the errors of a file wrong on every line', () => {
    const lines = writeNacha(generatedFile(5_000)).split('\n').map((l) => (l.startsWith('6') ? put(l, 12, 'X') : l))
    const result = validateNacha(lines.join('\n'))
    assert.equal(result.errors.length, nachaErrorsMax + 1)
    assert.equal(result.errors.at(-1)!.code, 'tooManyErrors')
    assert.equal(result.summary.entries, 5_000)
  })
})
