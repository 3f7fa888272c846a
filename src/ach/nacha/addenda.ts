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

import type { IatAddenda } from './iat.js'

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
