// The Rules for each record's values: headers, entries and their addenda within a batch.

import type { Addenda } from './addenda.js'
import { addenda99KindOf } from './addenda.js'
import type { BatchHeader } from './batch-header.js'
import { isSecCode, isServiceClassCode, nocCodes, returnCodes, transactionCodes } from './codes.js'
import type { EntryDetail } from './entry-detail.js'
import { isAllDigits, type IssueSink } from './fields.js'
import type { Batch, Entry } from './file.js'
import type { FileHeader } from './file-header.js'
import { routingCheckDigit } from './routing.js'

/** Most 05 addenda an entry of each SEC code may carry; absent: none. */
const addenda05Max: Readonly<Record<string, number>> = {
  PPD: 1, CCD: 1, WEB: 1, CIE: 1, ACK: 1, DNE: 1, ENR: 1, CTX: 9999, ATX: 9999, TRX: 9999,
}
/** SEC codes whose entries carry one 02 addenda (card and terminal data). */
const addenda02Sec = new Set(['POS', 'SHR', 'MTE'])
/** IAT's mandatory addenda, in order, then up to two 17s and five 18s. */
const iatMandatory = ['10', '11', '12', '13', '14', '15', '16'] as const
const iatOptionalMax = { '17': 2, '18': 5 } as const

function dateOk(yymmdd: string): boolean {
  if (yymmdd.length !== 6 || !isAllDigits(yymmdd)) return false
  const year = 2000 + Number(yymmdd.slice(0, 2))
  const month = Number(yymmdd.slice(2, 4))
  const day = Number(yymmdd.slice(4, 6))
  if (month < 1 || month > 12 || day < 1) return false
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate()
}
function timeOk(hhmm: string): boolean {
  return hhmm.length === 4 && isAllDigits(hhmm) && Number(hhmm.slice(0, 2)) < 24 && Number(hhmm.slice(2, 4)) < 60
}
function julianOk(ddd: string): boolean {
  return ddd.length === 3 && isAllDigits(ddd) && Number(ddd) >= 1 && Number(ddd) <= 366
}
const isUpperAlpha = (s: string, length: number) => s.length === length && /^[A-Z]+$/.test(s)

export function checkFileHeader(h: FileHeader, sink: IssueSink): void {
  const line = h.line ?? 0
  const bad = (field: string, value: string, message: string) => sink.error('invalidValue', 'fileHeader', line, field, value, message)
  if (h.priorityCode === h.priorityCode && h.priorityCode !== 1) bad('priorityCode', String(h.priorityCode), 'priorityCode must be 01')
  const destination = h.immediateDestination.length === 10 && h.immediateDestination[0] === '0' ? h.immediateDestination.slice(1) : h.immediateDestination
  if (destination === '') sink.error('required', 'fileHeader', line, 'immediateDestination', '', 'immediateDestination is required')
  else if (destination.length !== 9 || !isAllDigits(destination)) bad('immediateDestination', h.immediateDestination, 'immediateDestination must be a 9-digit routing number')
  else if (routingCheckDigit(destination.slice(0, 8)) !== Number(destination[8])) {
    sink.error('routingCheckDigit', 'fileHeader', line, 'immediateDestination', h.immediateDestination, `immediateDestination's check digit should be ${routingCheckDigit(destination.slice(0, 8))}`)
  }
  if (h.immediateOrigin === '') sink.error('required', 'fileHeader', line, 'immediateOrigin', '', 'immediateOrigin is required')
  if (!dateOk(h.fileCreationDate)) sink.error('invalidDate', 'fileHeader', line, 'fileCreationDate', h.fileCreationDate, 'fileCreationDate must be a date YYMMDD')
  if (h.fileCreationTime !== '' && !timeOk(h.fileCreationTime)) sink.error('invalidDate', 'fileHeader', line, 'fileCreationTime', h.fileCreationTime, 'fileCreationTime must be blank or a time HHMM')
  if (!/^[A-Z0-9]$/.test(h.fileIdModifier)) bad('fileIdModifier', h.fileIdModifier, 'fileIdModifier must be A-Z or 0-9')
  if (h.recordSize === h.recordSize && h.recordSize !== 94) bad('recordSize', String(h.recordSize), 'recordSize must be 094')
  if (h.blockingFactor === h.blockingFactor && h.blockingFactor !== 10) bad('blockingFactor', String(h.blockingFactor), 'blockingFactor must be 10')
  if (h.formatCode === h.formatCode && h.formatCode !== 1) bad('formatCode', String(h.formatCode), 'formatCode must be 1')
}

export function checkBatchHeader(h: BatchHeader, sink: IssueSink): void {
  const line = h.line ?? 0
  const bad = (field: string, value: string, message: string) => sink.error('invalidValue', 'batchHeader', line, field, value, message)
  const required = (field: string, value: string) => { if (value === '') sink.error('required', 'batchHeader', line, field, '', `${field} is required`) }
  const scc = h.serviceClassCode
  if (scc === scc && !isServiceClassCode(scc)) bad('serviceClassCode', String(scc), 'serviceClassCode must be 200, 220, 225 or 280')
  if (!isSecCode(h.secCode)) bad('secCode', h.secCode, `secCode ${JSON.stringify(h.secCode)} is not a NACHA SEC code`)
  else if ((h.secCode === 'ADV') !== (scc === 280) && scc === scc) bad('serviceClassCode', String(scc), 'service class 280 goes with ADV batches and only with them')
  required('companyEntryDescription', h.companyEntryDescription)
  if (h.layout === 'standard') {
    required('companyName', h.companyName)
    required('companyIdentification', h.companyIdentification)
  } else {
    required('originatorIdentification', h.originatorIdentification)
    if (!['FV', 'VF', 'FF'].includes(h.foreignExchangeIndicator)) bad('foreignExchangeIndicator', h.foreignExchangeIndicator, 'foreignExchangeIndicator must be FV, VF or FF')
    if (!['1', '2', '3'].includes(h.foreignExchangeReferenceIndicator)) bad('foreignExchangeReferenceIndicator', h.foreignExchangeReferenceIndicator, 'foreignExchangeReferenceIndicator must be 1, 2 or 3')
    if (!isUpperAlpha(h.isoDestinationCountryCode, 2)) bad('isoDestinationCountryCode', h.isoDestinationCountryCode, 'isoDestinationCountryCode must be two letters')
    if (!isUpperAlpha(h.isoOriginatingCurrencyCode, 3)) bad('isoOriginatingCurrencyCode', h.isoOriginatingCurrencyCode, 'isoOriginatingCurrencyCode must be three letters')
    if (!isUpperAlpha(h.isoDestinationCurrencyCode, 3)) bad('isoDestinationCurrencyCode', h.isoDestinationCurrencyCode, 'isoDestinationCurrencyCode must be three letters')
  }
  // ENR entries carry no effective date: the enrollment is not a payment.
  if (h.effectiveEntryDate === '') { if (h.secCode !== 'ENR') required('effectiveEntryDate', '') }
  else if (!dateOk(h.effectiveEntryDate)) sink.error('invalidDate', 'batchHeader', line, 'effectiveEntryDate', h.effectiveEntryDate, 'effectiveEntryDate must be a date YYMMDD')
  if (h.settlementDate !== '' && !julianOk(h.settlementDate)) sink.error('invalidDate', 'batchHeader', line, 'settlementDate', h.settlementDate, 'settlementDate must be blank or a Julian day 001-366')
  if (!['0', '1', '2'].includes(h.originatorStatusCode)) bad('originatorStatusCode', h.originatorStatusCode, 'originatorStatusCode must be 0, 1 or 2')
}

/** Entries and addenda of a batch, in order: codes, routing, amounts, indicators, sequences. */
export function checkEntries(batch: Batch, sink: IssueSink): void {
  const { header } = batch
  let previousTrace = ''
  for (const entry of batch.entries) {
    const d = entry.detail
    checkEntryDetail(d, header, sink)
    if (d.layout !== 'adv') {
      const line = d.line ?? 0
      if (d.traceNumber <= previousTrace) sink.error('traceNumber', 'entryDetail', line, 'traceNumber', d.traceNumber, `traceNumber must ascend within a batch (previous ${previousTrace})`)
      else if (!d.traceNumber.startsWith(header.originatingDfi)) sink.error('traceNumber', 'entryDetail', line, 'traceNumber', d.traceNumber, `traceNumber must start with the batch's originatingDfi ${header.originatingDfi}`)
      previousTrace = d.traceNumber
    }
    checkAddenda(entry, header.secCode, sink)
  }
}

// The checks below run once per entry: they allocate nothing (no closure, no string) unless they
// report, since allocation is most of what reading a large file costs.
function checkEntryDetail(d: EntryDetail, header: BatchHeader, sink: IssueSink): void {
  const line = d.line ?? 0
  const code = d.transactionCode
  const info = transactionCodes.get(code)
  if (code === code) {
    const advCode = info?.account === 'accountingAdvice'
    if (!info) sink.error('invalidValue', 'entryDetail', line, 'transactionCode', String(code), `transactionCode ${code} is not a NACHA transaction code`)
    else if (advCode !== (header.secCode === 'ADV')) {
      sink.error('transactionCodeNotAllowed', 'entryDetail', line, 'transactionCode', String(code), advCode ? 'transaction codes 81-88 belong in ADV batches only' : 'an ADV batch holds transaction codes 81-88 only')
    } else if ((header.serviceClassCode === 220 && info.direction !== 'credit') || (header.serviceClassCode === 225 && info.direction !== 'debit')) {
      sink.error('transactionCodeNotAllowed', 'entryDetail', line, 'transactionCode', String(code), `service class ${header.serviceClassCode} allows ${header.serviceClassCode === 220 ? 'credits' : 'debits'} only`)
    }
    if (info && (info.purpose === 'prenote') && d.amount !== 0 && d.amount === d.amount) sink.error('invalidValue', 'entryDetail', line, 'amount', String(d.amount), 'a prenotification carries a zero amount')
  }
  const checkDigit = routingCheckDigit(d.receivingDfi)
  if (checkDigit !== undefined && (d.checkDigit.length !== 1 || d.checkDigit.charCodeAt(0) - 48 !== checkDigit)) {
    sink.error('routingCheckDigit', 'entryDetail', line, 'checkDigit', d.receivingDfi + d.checkDigit, `the check digit of RDFI ${d.receivingDfi} is ${routingCheckDigit(d.receivingDfi)}`)
  }
  if (d.accountNumber === '') sink.error('required', 'entryDetail', line, 'accountNumber', '', 'accountNumber is required')
  if (d.addendaIndicator === d.addendaIndicator && d.addendaIndicator !== 0 && d.addendaIndicator !== 1) sink.error('invalidValue', 'entryDetail', line, 'addendaIndicator', String(d.addendaIndicator), 'addendaIndicator must be 0 or 1')
}

function checkAddenda(entry: Entry, sec: string, sink: IssueSink): void {
  const { detail, addenda } = entry
  const line = detail.line ?? 0
  const hasAddenda = addenda.length > 0 ? 1 : 0
  if (detail.addendaIndicator === detail.addendaIndicator && (detail.addendaIndicator === 1) !== (hasAddenda === 1)) {
    sink.error('addendaIndicator', 'entryDetail', line, 'addendaIndicator', String(detail.addendaIndicator), hasAddenda ? 'the entry has addenda but its addendaIndicator is 0' : 'addendaIndicator is 1 but no addenda follows')
  }
  if (addenda.length === 0) {
    if (sec === 'COR') sink.error('addendaNotAllowed', 'entryDetail', line, '', '', 'a COR entry carries one addenda 98')
    if (sec === 'IAT') sink.error('addendaNotAllowed', 'entryDetail', line, '', '', 'an IAT entry carries addenda 10-16')
    return
  }
  const entrySequence = detail.layout === 'adv' ? NaN : Number(detail.traceNumber.slice(8))
  let returnOrNoc = 0
  for (const a of addenda) {
    if (a.typeCode === '98' || a.typeCode === '99') { returnOrNoc++; checkReturnOrNoc(a, sec, sink) }
  }
  if (returnOrNoc > 0 && sec !== 'IAT') {
    if (addenda.length > 1) notAllowed(sink, addenda[1]!, 'a return or NOC entry carries exactly one addenda 98 or 99')
    return
  }
  if (detail.layout === 'adv') { notAllowed(sink, addenda[0]!, 'ADV entries carry no addenda'); return }
  if (sec === 'COR') { notAllowed(sink, addenda[0]!, 'a COR entry carries one addenda 98'); return }
  if (sec === 'IAT') { checkIatAddenda(entry, entrySequence, sink); return }

  const max05 = addenda05Max[sec] ?? 0
  let count05 = 0
  let count02 = 0
  for (const a of addenda) {
    if (a.typeCode === '05') {
      count05++
      if (count05 > max05) { notAllowed(sink, a, max05 === 0 ? `${sec} entries carry no addenda 05` : `${sec} entries carry at most ${max05} addenda 05`); continue }
      if (a.sequenceNumber === a.sequenceNumber && a.sequenceNumber !== count05) {
        sink.error('addendaSequence', 'addenda', a.line ?? 0, 'sequenceNumber', String(a.sequenceNumber), `addenda sequence numbers count from 1; this should be ${count05}`)
      }
      checkEntrySequence(sink, a, entrySequence)
    } else if (a.typeCode === '02') {
      count02++
      if (!addenda02Sec.has(sec) || count02 > 1) notAllowed(sink, a, addenda02Sec.has(sec) ? `${sec} entries carry one addenda 02` : `${sec} entries carry no addenda 02`)
      else if (a.traceNumber !== (detail as { traceNumber: string }).traceNumber) {
        sink.error('addendaSequence', 'addenda', a.line ?? 0, 'traceNumber', a.traceNumber, 'an addenda 02 carries its entry\'s trace number')
      }
    } else {
      notAllowed(sink, a, `${sec} entries carry no addenda ${a.typeCode}`)
    }
  }
  if (detail.layout === 'addendaCount' && detail.addendaCount === detail.addendaCount && detail.addendaCount !== count05) {
    sink.error('invalidValue', 'entryDetail', line, 'addendaCount', String(detail.addendaCount), `addendaCount must be the number of addenda 05 (${count05})`)
  }
}

function checkReturnOrNoc(a: Addenda, sec: string, sink: IssueSink): void {
  const line = a.line ?? 0
  if (a.typeCode === '98') {
    if (sec !== 'COR' && sec !== 'IAT') sink.error('addendaNotAllowed', 'addenda', line, 'typeCode', '98', 'an addenda 98 (NOC) belongs in a COR batch')
    if (!nocCodes.has(a.changeCode)) sink.error('invalidValue', 'addenda', line, 'changeCode', a.changeCode, `changeCode ${JSON.stringify(a.changeCode)} is not a NOC code (C01-C09, C13, C14)`)
  } else if (a.typeCode === '99') {
    const code = a.kind === 'return' ? a.returnReasonCode : a.kind === 'dishonored' ? a.dishonoredReturnReasonCode : a.contestedReturnReasonCode
    const field = a.kind === 'return' ? 'returnReasonCode' : a.kind === 'dishonored' ? 'dishonoredReturnReasonCode' : 'contestedReturnReasonCode'
    if (!returnCodes.has(code) || addenda99KindOf(code) !== a.kind) sink.error('invalidValue', 'addenda', line, field, code, `${JSON.stringify(code)} is not a return reason code (R01-R85)`)
  }
}

function notAllowed(sink: IssueSink, a: Addenda, message: string): void {
  sink.error('addendaNotAllowed', 'addenda', a.line ?? 0, 'typeCode', a.typeCode, message)
}

function checkEntrySequence(sink: IssueSink, a: Addenda & { entryDetailSequenceNumber: number }, entrySequence: number): void {
  if (a.entryDetailSequenceNumber === a.entryDetailSequenceNumber && entrySequence === entrySequence && a.entryDetailSequenceNumber !== entrySequence) {
    sink.error('addendaSequence', 'addenda', a.line ?? 0, 'entryDetailSequenceNumber', String(a.entryDetailSequenceNumber), `entryDetailSequenceNumber must be the entry trace number's last seven digits (${entrySequence})`)
  }
}

function checkIatAddenda(entry: Entry, entrySequence: number, sink: IssueSink): void {
  const { detail, addenda } = entry
  const line = detail.line ?? 0
  iatMandatory.forEach((typeCode, i) => {
    const a = addenda[i]
    if (a?.typeCode !== typeCode) sink.error('addendaNotAllowed', a ? 'addenda' : 'entryDetail', a?.line ?? line, 'typeCode', a?.typeCode ?? '', `an IAT entry's addenda ${i + 1} must be type ${typeCode}`)
  })
  const seen = { '17': 0, '18': 0 }
  let last = '16'
  for (const a of addenda) {
    if ('entryDetailSequenceNumber' in a) checkEntrySequence(sink, a, entrySequence)
    if (a.typeCode !== '17' && a.typeCode !== '18') continue
    seen[a.typeCode]++
    if (a.typeCode < last) notAllowed(sink, a, 'IAT addenda 17 come before addenda 18')
    last = a.typeCode
    if (seen[a.typeCode] > iatOptionalMax[a.typeCode]) notAllowed(sink, a, `an IAT entry carries at most ${iatOptionalMax[a.typeCode]} addenda ${a.typeCode}`)
    else if (a.sequenceNumber === a.sequenceNumber && a.sequenceNumber !== seen[a.typeCode]) {
      sink.error('addendaSequence', 'addenda', a.line ?? 0, 'sequenceNumber', String(a.sequenceNumber), `addenda ${a.typeCode} sequence numbers count from 1; this should be ${seen[a.typeCode]}`)
    }
  }
  for (const a of addenda.slice(iatMandatory.length)) {
    if (!['17', '18', '98', '99'].includes(a.typeCode)) notAllowed(sink, a, `an IAT entry carries addenda 10-16 once each, then 17 and 18`)
  }
  if (detail.layout === 'iat' && detail.addendaCount === detail.addendaCount && detail.addendaCount !== addenda.length) {
    // Writers disagree on whether the optional 17s and 18s count: the reference library counts the
    // seven mandatory addenda only. Reported, not rejected.
    sink.warning('iatAddendaCount', 'entryDetail', line, 'addendaCount', String(detail.addendaCount), `addendaCount is ${detail.addendaCount}; the entry has ${addenda.length} addenda`)
  }
}
