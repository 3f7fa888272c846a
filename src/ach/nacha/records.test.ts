import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AssertionFailed } from '../../platform/assert.js'
import {
  completeControls, parseNacha, routingCheckDigit, validateFile, validateNacha, writeNacha,
  type Addenda99, type Entry, type FileHeader, type NachaFile, type StandardBatchHeader,
} from './index.js'

const fileHeader: FileHeader = {
  priorityCode: 1, immediateDestination: '121042882', immediateOrigin: '231380104', fileCreationDate: '310101',
  fileCreationTime: '0930', fileIdModifier: 'A', recordSize: 94, blockingFactor: 10, formatCode: 1,
  immediateDestinationName: 'Federal Reserve Bank', immediateOriginName: 'Keel Bank', referenceCode: '',
}
const batchHeader = (over: Partial<StandardBatchHeader> = {}): StandardBatchHeader => ({
  layout: 'standard', serviceClassCode: 200, companyName: 'Keel', companyDiscretionaryData: '', companyIdentification: '1231380104',
  secCode: 'PPD', companyEntryDescription: 'PAYMENT', companyDescriptiveDate: '', effectiveEntryDate: '310102', settlementDate: '',
  originatorStatusCode: '1', originatingDfi: '23138010', batchNumber: 1, ...over,
})
const entry = (transactionCode: number, amount: number, sequence: number, rdfi = '12104288', addenda: Entry['addenda'] = []): Entry => ({
  detail: {
    layout: 'standard', transactionCode, receivingDfi: rdfi, checkDigit: String(routingCheckDigit(rdfi)), accountNumber: '987654321',
    amount, identificationNumber: '', name: 'Jane Doe', discretionaryData: '', addendaIndicator: 0,
    traceNumber: '23138010' + String(sequence).padStart(7, '0'),
  },
  addenda,
})
/** Written, read back and compared without the line numbers the reader adds. */
function roundTrip(file: NachaFile): NachaFile {
  const read = parseNacha(writeNacha(file))
  assert.deepEqual(read.errors, [])
  return JSON.parse(JSON.stringify({ ...read.file, layout: undefined }, (k, v) => (k === 'line' ? undefined : v)))
}

describe('completeControls', () => {
  it('computes batch and file controls for a file built from headers and entries', () => {
    const file = completeControls({
      header: fileHeader,
      batches: [
        { header: batchHeader(), entries: [entry(22, 12_345, 1), entry(27, 500, 2, '03130001')] },
        { header: batchHeader({ serviceClassCode: 220, batchNumber: 2 }), entries: [entry(22, 1, 3, '12104288', [{ typeCode: '05', paymentRelatedInformation: 'INV 7', sequenceNumber: 1, entryDetailSequenceNumber: 3 }])] },
      ],
    })
    assert.deepEqual(file.batches.map((b) => [b.control.entryAddendaCount, b.control.entryHash, b.control.totalDebit, b.control.totalCredit]), [
      [2, 12104288 + 3130001, 500, 12_345],
      [2, 12104288, 0, 1],
    ])
    assert.equal(file.batches[1]!.entries[0]!.detail.addendaIndicator, 1)
    assert.deepEqual({ ...file.control }, {
      layout: 'standard', batchCount: 2, blockCount: 1, entryAddendaCount: 4, entryHash: 2 * 12104288 + 3130001, totalDebit: 500, totalCredit: 12_346,
    })
    const result = validateFile(file)
    assert.deepEqual(result.errors, [])
    assert.deepEqual(result.summary.bySecCode.PPD, { batches: 2, entries: 3, addenda: 1, totalDebit: 500, totalCredit: 12_346 })
    const text = writeNacha(file)
    assert.equal(text.split('\n').length, 11) // ten lines and the final line ending
    assert.equal(validateNacha(text).ok, true)
    assert.deepEqual(roundTrip(file), JSON.parse(JSON.stringify(file)))
  })

  it('keeps the entry hash to ten digits and counts blocks with filler', () => {
    const entries = Array.from({ length: 1200 }, (_, i) => entry(22, 1, i + 1, '99999999'.slice(0, 8)))
    entries.forEach((e) => { e.detail.checkDigit = String(routingCheckDigit(e.detail.receivingDfi)) })
    const file = completeControls({ header: fileHeader, batches: [{ header: batchHeader(), entries }] })
    assert.equal(file.control.entryHash, (1200 * 99999999) % 1e10)
    assert.equal(file.control.blockCount, Math.ceil((1200 + 4) / 10))
    assert.equal(validateFile(file).ok, true)
  })

  it('does not change the draft', () => {
    const draft = { header: fileHeader, batches: [{ header: batchHeader(), entries: [entry(22, 5, 1, '12104288', [{ typeCode: '05' as const, paymentRelatedInformation: 'x', sequenceNumber: 1, entryDetailSequenceNumber: 1 }])] }] }
    const before = JSON.stringify(draft)
    completeControls(draft)
    assert.equal(JSON.stringify(draft), before)
  })
})

describe('records', () => {
  it('writes and reads the three addenda 99 layouts', () => {
    const returns: Addenda99[] = [
      { typeCode: '99', kind: 'return', returnReasonCode: 'R01', originalTraceNumber: '121042880000001', dateOfDeath: '', originalReceivingDfi: '23138010', addendaInformation: 'NSF', traceNumber: '231380100000001' },
      { typeCode: '99', kind: 'dishonored', dishonoredReturnReasonCode: 'R68', originalTraceNumber: '121042880000001', originalReceivingDfi: '23138010', returnTraceNumber: '231380100000009', returnSettlementDate: '123', returnReasonCode: '01', addendaInformation: 'LATE', traceNumber: '231380100000002' },
      { typeCode: '99', kind: 'contested', contestedReturnReasonCode: 'R73', originalTraceNumber: '121042880000001', dateOriginalEntryReturned: '310101', originalReceivingDfi: '23138010', originalSettlementDate: '001', returnTraceNumber: '231380100000009', returnSettlementDate: '003', returnReasonCode: '01', dishonoredReturnTraceNumber: '121042880000077', dishonoredReturnSettlementDate: '005', dishonoredReturnReasonCode: '68', traceNumber: '231380100000003' },
    ]
    const file = completeControls({
      header: fileHeader,
      batches: [{ header: batchHeader({ serviceClassCode: 220 }), entries: returns.map((a, i) => entry(21, 100, i + 1, '12104288', [a])) }],
    })
    assert.deepEqual(validateFile(file).errors, [])
    const read = roundTrip(file)
    assert.deepEqual(read.batches[0]!.entries.map((e) => e.addenda[0]), returns)
    const text = writeNacha(file)
    assert.equal(text.split('\n')[7]!.slice(0, 21), '799R73121042880000001')
    for (const line of text.split('\n').slice(0, -1)) assert.equal(line.length, 94)
  })

  it('refuses to write a value that does not fit or is not ASCII', () => {
    const long = completeControls({ header: { ...fileHeader, immediateOriginName: 'A name longer than twenty-three' }, batches: [] })
    assert.throws(() => writeNacha(long), (err: unknown) => err instanceof AssertionFailed && /immediateOriginName/.test(err.message))
    const accented = completeControls({ header: { ...fileHeader, immediateOriginName: 'Banque Générale' }, batches: [] })
    assert.throws(() => writeNacha(accented), AssertionFailed)
    const amount = completeControls({ header: fileHeader, batches: [{ header: batchHeader(), entries: [entry(22, 1e10, 1)] }] })
    assert.throws(() => writeNacha(amount), (err: unknown) => err instanceof AssertionFailed && /amount/.test(err.message))
  })

  it('writes CRLF files when the layout says so', () => {
    const file = completeControls({ header: fileHeader, batches: [], layout: { lineEnding: '\r\n', finalLineEnding: false } })
    const text = writeNacha(file)
    assert.equal(text.split('\r\n').length, 10)
    assert.equal(text.endsWith('9'), true)
    assert.equal(parseNacha(text).file?.layout?.lineEnding, '\r\n')
  })
})
