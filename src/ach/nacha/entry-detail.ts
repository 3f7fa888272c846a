// Entry detail record, type 6. Positions 1-39 and 79-94 are the same for every SEC code but IAT
// and ADV (iat.ts, adv.ts); positions 40-78 depend on the batch's SEC code (`entryLayoutOf`).
//
//  pos    len  field
//  1       1   record type '6'
//  2-3     2   transactionCode
//  4-11    8   receivingDfi (RDFI routing, first 8 digits)
//  12      1   checkDigit
//  13-29   17  accountNumber
//  30-39   10  amount (cents)
//  40-78       by layout, below
//  79      1   addendaIndicator (0 or 1)
//  80-94   15  traceNumber (ODFI routing's 8 digits + 7-digit sequence)
//
// layout 'standard' (PPD CCD WEB TEL ARC BOC RCK POS MTE DNE ENR COR ACK):
//  40-54 15 identificationNumber (ARC/BOC/RCK: check serial number; ACK: original trace number)
//  55-76 22 name (individual or receiving company)
//  77-78 2  discretionaryData (WEB/TEL: payment type code; POS/MTE: card transaction type)
// layout 'addendaCount' (CTX ATX TRX):
//  40-54 15 identificationNumber, 55-58 4 addendaCount, 59-74 16 name, 75-76 reserved,
//  77-78 2 discretionaryData (TRX: item type indicator)
// layout 'pop': 40-48 9 checkSerialNumber, 49-52 4 terminalCity, 53-54 2 terminalState,
//  55-76 22 name, 77-78 2 discretionaryData
// layout 'shr': 40-43 4 cardExpirationDate MMYY, 44-54 11 documentReferenceNumber,
//  55-76 22 individualCardAccountNumber, 77-78 2 cardTransactionTypeCode
// layout 'checkTruncation' (TRC XCK): 40-54 15 checkSerialNumber, 55-60 6 processControlField,
//  61-76 16 itemResearchNumber, 77-78 2 discretionaryData (TRC: item type indicator)
// layout 'cie': 40-54 15 name, 55-76 22 identificationNumber, 77-78 2 discretionaryData

import type { AdvEntryDetail } from './adv.js'
import type { IatEntryDetail } from './iat.js'

interface EntryDetailCommon {
  transactionCode: number
  receivingDfi: string
  checkDigit: string
  /** Cents. */
  amount: number
  addendaIndicator: number
  traceNumber: string
  line?: number
}

export interface StandardEntryDetail extends EntryDetailCommon {
  layout: 'standard'
  accountNumber: string
  identificationNumber: string
  name: string
  discretionaryData: string
}

export interface AddendaCountEntryDetail extends EntryDetailCommon {
  layout: 'addendaCount'
  accountNumber: string
  identificationNumber: string
  addendaCount: number
  name: string
  discretionaryData: string
}

export interface PopEntryDetail extends EntryDetailCommon {
  layout: 'pop'
  accountNumber: string
  checkSerialNumber: string
  terminalCity: string
  terminalState: string
  name: string
  discretionaryData: string
}

export interface ShrEntryDetail extends EntryDetailCommon {
  layout: 'shr'
  accountNumber: string
  cardExpirationDate: string
  documentReferenceNumber: string
  individualCardAccountNumber: string
  cardTransactionTypeCode: string
}

export interface CheckTruncationEntryDetail extends EntryDetailCommon {
  layout: 'checkTruncation'
  accountNumber: string
  checkSerialNumber: string
  processControlField: string
  itemResearchNumber: string
  discretionaryData: string
}

export interface CieEntryDetail extends EntryDetailCommon {
  layout: 'cie'
  accountNumber: string
  name: string
  identificationNumber: string
  discretionaryData: string
}

export type EntryDetail =
  | StandardEntryDetail | AddendaCountEntryDetail | PopEntryDetail | ShrEntryDetail
  | CheckTruncationEntryDetail | CieEntryDetail | IatEntryDetail | AdvEntryDetail

export type EntryLayout = EntryDetail['layout']

/** The entry detail layout a batch of this SEC code uses. */
export function entryLayoutOf(secCode: string): EntryLayout {
  switch (secCode) {
    case 'CTX': case 'ATX': case 'TRX': return 'addendaCount'
    case 'POP': return 'pop'
    case 'SHR': return 'shr'
    case 'TRC': case 'XCK': return 'checkTruncation'
    case 'CIE': return 'cie'
    case 'IAT': return 'iat'
    case 'ADV': return 'adv'
    default: return 'standard'
  }
}
