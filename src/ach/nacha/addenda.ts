// Addenda records, type 7, but IAT's 10-18 (iat.ts). The type code at 2-3 picks the layout; a 99's
// return reason code picks between return, dishonored return (R61, R62, R67-R70) and contested
// dishonored return (R71-R77).
//
// 02 (POS, SHR, MTE):  4-10 7 referenceInformation1, 11-13 3 referenceInformation2,
//   14-19 6 terminalIdentificationCode, 20-25 6 transactionSerialNumber, 26-29 4 transactionDate
//   MMDD, 30-35 6 authorizationCodeOrExpireDate, 36-62 27 terminalLocation, 63-77 15 terminalCity,
//   78-79 2 terminalState, 80-94 15 traceNumber
// 05: 4-83 80 paymentRelatedInformation, 84-87 4 sequenceNumber, 88-94 7 entryDetailSequenceNumber
// 98 (NOC): 4-6 3 changeCode, 7-21 15 originalTraceNumber, 22-27 reserved,
//   28-35 8 originalReceivingDfi, 36-64 29 correctedData, 65-79 reserved, 80-94 15 traceNumber
// 99 return: 4-6 3 returnReasonCode, 7-21 15 originalTraceNumber, 22-27 6 dateOfDeath,
//   28-35 8 originalReceivingDfi, 36-79 44 addendaInformation, 80-94 15 traceNumber
// 99 dishonored: 4-6 3 dishonoredReturnReasonCode, 7-21 15 originalTraceNumber, 22-27 reserved,
//   28-35 8 originalReceivingDfi, 36-38 reserved, 39-53 15 returnTraceNumber,
//   54-56 3 returnSettlementDate, 57-58 2 returnReasonCode, 59-79 21 addendaInformation,
//   80-94 15 traceNumber
// 99 contested: 4-6 3 contestedReturnReasonCode, 7-21 15 originalTraceNumber,
//   22-27 6 dateOriginalEntryReturned, 28-35 8 originalReceivingDfi, 36-38 3 originalSettlementDate,
//   39-53 15 returnTraceNumber, 54-56 3 returnSettlementDate, 57-58 2 returnReasonCode,
//   59-73 15 dishonoredReturnTraceNumber, 74-76 3 dishonoredReturnSettlementDate,
//   77-78 2 dishonoredReturnReasonCode, 79 reserved, 80-94 15 traceNumber

import type { FieldReader, RecordWriter } from './fields.js'
import { writeIatAddenda, type IatAddenda } from './iat.js'

export interface Addenda02 {
  typeCode: '02'
  referenceInformation1: string
  referenceInformation2: string
  terminalIdentificationCode: string
  transactionSerialNumber: string
  transactionDate: string
  authorizationCodeOrExpireDate: string
  terminalLocation: string
  terminalCity: string
  terminalState: string
  traceNumber: string
  line?: number
}

export interface Addenda05 {
  typeCode: '05'
  paymentRelatedInformation: string
  sequenceNumber: number
  entryDetailSequenceNumber: number
  line?: number
}

export interface Addenda98 {
  typeCode: '98'
  /** C01-C09, C13, C14 (see `nocCodes`). */
  changeCode: string
  originalTraceNumber: string
  originalReceivingDfi: string
  correctedData: string
  traceNumber: string
  line?: number
}

export interface Addenda99Return {
  typeCode: '99'
  kind: 'return'
  /** R01-R85 (see `returnCodes`). */
  returnReasonCode: string
  originalTraceNumber: string
  dateOfDeath: string
  originalReceivingDfi: string
  addendaInformation: string
  traceNumber: string
  line?: number
}

export interface Addenda99Dishonored {
  typeCode: '99'
  kind: 'dishonored'
  dishonoredReturnReasonCode: string
  originalTraceNumber: string
  originalReceivingDfi: string
  returnTraceNumber: string
  returnSettlementDate: string
  returnReasonCode: string
  addendaInformation: string
  traceNumber: string
  line?: number
}

export interface Addenda99Contested {
  typeCode: '99'
  kind: 'contested'
  contestedReturnReasonCode: string
  originalTraceNumber: string
  dateOriginalEntryReturned: string
  originalReceivingDfi: string
  originalSettlementDate: string
  returnTraceNumber: string
  returnSettlementDate: string
  returnReasonCode: string
  dishonoredReturnTraceNumber: string
  dishonoredReturnSettlementDate: string
  dishonoredReturnReasonCode: string
  traceNumber: string
  line?: number
}

export type Addenda99 = Addenda99Return | Addenda99Dishonored | Addenda99Contested
export type Addenda = Addenda02 | Addenda05 | Addenda98 | Addenda99 | IatAddenda

/** Which 99 layout a return reason code uses. */
export function addenda99KindOf(reasonCode: string): Addenda99['kind'] {
  switch (reasonCode) {
    case 'R61': case 'R62': case 'R67': case 'R68': case 'R69': case 'R70': return 'dishonored'
    case 'R71': case 'R72': case 'R73': case 'R74': case 'R75': case 'R76': case 'R77': return 'contested'
    default: return 'return'
  }
}

/** Reads addenda 02, 05, 98 and 99; undefined for another type code (IAT's: readIatAddenda). */
export function readAddenda(r: FieldReader, typeCode: string): Addenda | undefined {
  const line = r.lineNumber
  switch (typeCode) {
    case '02':
      return {
        typeCode, referenceInformation1: r.text(4, 10), referenceInformation2: r.text(11, 13),
        terminalIdentificationCode: r.text(14, 19), transactionSerialNumber: r.text(20, 25), transactionDate: r.text(26, 29),
        authorizationCodeOrExpireDate: r.text(30, 35), terminalLocation: r.text(36, 62), terminalCity: r.text(63, 77),
        terminalState: r.text(78, 79), traceNumber: r.digits(80, 94, 'traceNumber'), line,
      }
    case '05':
      return {
        typeCode, paymentRelatedInformation: r.text(4, 83), sequenceNumber: r.number(84, 87, 'sequenceNumber'),
        entryDetailSequenceNumber: r.number(88, 94, 'entryDetailSequenceNumber'), line,
      }
    case '98':
      r.reserved(22, 27)
      r.reserved(65, 79)
      return {
        typeCode, changeCode: r.raw(4, 6), originalTraceNumber: r.digits(7, 21, 'originalTraceNumber'),
        originalReceivingDfi: r.digits(28, 35, 'originalReceivingDfi'), correctedData: r.text(36, 64),
        traceNumber: r.digits(80, 94, 'traceNumber'), line,
      }
    case '99':
      return readAddenda99(r)
    default:
      return undefined
  }
}

function readAddenda99(r: FieldReader): Addenda99 {
  const code = r.raw(4, 6)
  const line = r.lineNumber
  switch (addenda99KindOf(code)) {
    case 'return':
      return {
        typeCode: '99', kind: 'return', returnReasonCode: code, originalTraceNumber: r.digits(7, 21, 'originalTraceNumber'),
        dateOfDeath: r.text(22, 27), originalReceivingDfi: r.digits(28, 35, 'originalReceivingDfi'),
        addendaInformation: r.text(36, 79), traceNumber: r.digits(80, 94, 'traceNumber'), line,
      }
    case 'dishonored':
      r.reserved(22, 27)
      r.reserved(36, 38)
      return {
        typeCode: '99', kind: 'dishonored', dishonoredReturnReasonCode: code, originalTraceNumber: r.digits(7, 21, 'originalTraceNumber'),
        originalReceivingDfi: r.digits(28, 35, 'originalReceivingDfi'), returnTraceNumber: r.digits(39, 53, 'returnTraceNumber'),
        returnSettlementDate: r.text(54, 56), returnReasonCode: r.text(57, 58), addendaInformation: r.text(59, 79),
        traceNumber: r.digits(80, 94, 'traceNumber'), line,
      }
    case 'contested':
      r.reserved(79, 79)
      return {
        typeCode: '99', kind: 'contested', contestedReturnReasonCode: code, originalTraceNumber: r.digits(7, 21, 'originalTraceNumber'),
        dateOriginalEntryReturned: r.text(22, 27), originalReceivingDfi: r.digits(28, 35, 'originalReceivingDfi'),
        originalSettlementDate: r.text(36, 38), returnTraceNumber: r.digits(39, 53, 'returnTraceNumber'),
        returnSettlementDate: r.text(54, 56), returnReasonCode: r.text(57, 58),
        dishonoredReturnTraceNumber: r.digits(59, 73, 'dishonoredReturnTraceNumber'),
        dishonoredReturnSettlementDate: r.text(74, 76), dishonoredReturnReasonCode: r.text(77, 78),
        traceNumber: r.digits(80, 94, 'traceNumber'), line,
      }
  }
}

export function writeAddenda(w: RecordWriter, a: Addenda): void {
  switch (a.typeCode) {
    case '02':
      w.literal(1, '702')
      w.alpha(4, 10, a.referenceInformation1, 'referenceInformation1')
      w.alpha(11, 13, a.referenceInformation2, 'referenceInformation2')
      w.alpha(14, 19, a.terminalIdentificationCode, 'terminalIdentificationCode')
      w.alpha(20, 25, a.transactionSerialNumber, 'transactionSerialNumber')
      w.alpha(26, 29, a.transactionDate, 'transactionDate')
      w.alpha(30, 35, a.authorizationCodeOrExpireDate, 'authorizationCodeOrExpireDate')
      w.alpha(36, 62, a.terminalLocation, 'terminalLocation')
      w.alpha(63, 77, a.terminalCity, 'terminalCity')
      w.alpha(78, 79, a.terminalState, 'terminalState')
      w.alpha(80, 94, a.traceNumber, 'traceNumber')
      return
    case '05':
      w.literal(1, '705')
      w.alpha(4, 83, a.paymentRelatedInformation, 'paymentRelatedInformation')
      w.numeric(84, 87, a.sequenceNumber, 'sequenceNumber')
      w.numeric(88, 94, a.entryDetailSequenceNumber, 'entryDetailSequenceNumber')
      return
    case '98':
      w.literal(1, '798')
      w.alpha(4, 6, a.changeCode, 'changeCode')
      w.alpha(7, 21, a.originalTraceNumber, 'originalTraceNumber')
      w.alpha(28, 35, a.originalReceivingDfi, 'originalReceivingDfi')
      w.alpha(36, 64, a.correctedData, 'correctedData')
      w.alpha(80, 94, a.traceNumber, 'traceNumber')
      return
    case '99':
      w.literal(1, '799')
      writeAddenda99(w, a)
      return
    default:
      writeIatAddenda(w, a)
  }
}

function writeAddenda99(w: RecordWriter, a: Addenda99): void {
  w.alpha(7, 21, a.originalTraceNumber, 'originalTraceNumber')
  w.alpha(28, 35, a.originalReceivingDfi, 'originalReceivingDfi')
  w.alpha(80, 94, a.traceNumber, 'traceNumber')
  switch (a.kind) {
    case 'return':
      w.alpha(4, 6, a.returnReasonCode, 'returnReasonCode')
      w.alpha(22, 27, a.dateOfDeath, 'dateOfDeath')
      w.alpha(36, 79, a.addendaInformation, 'addendaInformation')
      return
    case 'dishonored':
      w.alpha(4, 6, a.dishonoredReturnReasonCode, 'dishonoredReturnReasonCode')
      w.alpha(39, 53, a.returnTraceNumber, 'returnTraceNumber')
      w.alpha(54, 56, a.returnSettlementDate, 'returnSettlementDate')
      w.alpha(57, 58, a.returnReasonCode, 'returnReasonCode')
      w.alpha(59, 79, a.addendaInformation, 'addendaInformation')
      return
    case 'contested':
      w.alpha(4, 6, a.contestedReturnReasonCode, 'contestedReturnReasonCode')
      w.alpha(22, 27, a.dateOriginalEntryReturned, 'dateOriginalEntryReturned')
      w.alpha(36, 38, a.originalSettlementDate, 'originalSettlementDate')
      w.alpha(39, 53, a.returnTraceNumber, 'returnTraceNumber')
      w.alpha(54, 56, a.returnSettlementDate, 'returnSettlementDate')
      w.alpha(57, 58, a.returnReasonCode, 'returnReasonCode')
      w.alpha(59, 73, a.dishonoredReturnTraceNumber, 'dishonoredReturnTraceNumber')
      w.alpha(74, 76, a.dishonoredReturnSettlementDate, 'dishonoredReturnSettlementDate')
      w.alpha(77, 78, a.dishonoredReturnReasonCode, 'dishonoredReturnReasonCode')
      return
  }
}
