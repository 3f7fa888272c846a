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

import { writeAdvEntryDetail, type AdvEntryDetail } from './adv.js'
import type { FieldReader, RecordWriter } from './fields.js'
import { writeIatEntryDetail, type IatEntryDetail } from './iat.js'

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

/** Reads an entry of any layout but IAT and ADV (readIatEntryDetail, readAdvEntryDetail). */
export function readEntryDetail(r: FieldReader, layout: Exclude<EntryLayout, 'iat' | 'adv'>): EntryDetail {
  const transactionCode = r.number(2, 3, 'transactionCode')
  const receivingDfi = r.digits(4, 11, 'receivingDfi')
  const checkDigit = r.raw(12, 12)
  const accountNumber = r.text(13, 29)
  const amount = r.number(30, 39, 'amount')
  const addendaIndicator = r.number(79, 79, 'addendaIndicator')
  const traceNumber = r.digits(80, 94, 'traceNumber')
  const line = r.lineNumber
  switch (layout) {
    case 'standard':
      return {
        layout, transactionCode, receivingDfi, checkDigit, accountNumber, amount,
        identificationNumber: r.text(40, 54), name: r.text(55, 76), discretionaryData: r.text(77, 78),
        addendaIndicator, traceNumber, line,
      }
    case 'addendaCount':
      r.reserved(75, 76)
      return {
        layout, transactionCode, receivingDfi, checkDigit, accountNumber, amount,
        identificationNumber: r.text(40, 54), addendaCount: r.number(55, 58, 'addendaCount'), name: r.text(59, 74),
        discretionaryData: r.text(77, 78), addendaIndicator, traceNumber, line,
      }
    case 'pop':
      return {
        layout, transactionCode, receivingDfi, checkDigit, accountNumber, amount,
        checkSerialNumber: r.text(40, 48), terminalCity: r.text(49, 52), terminalState: r.text(53, 54),
        name: r.text(55, 76), discretionaryData: r.text(77, 78), addendaIndicator, traceNumber, line,
      }
    case 'shr':
      return {
        layout, transactionCode, receivingDfi, checkDigit, accountNumber, amount,
        cardExpirationDate: r.text(40, 43), documentReferenceNumber: r.text(44, 54),
        individualCardAccountNumber: r.text(55, 76), cardTransactionTypeCode: r.text(77, 78),
        addendaIndicator, traceNumber, line,
      }
    case 'checkTruncation':
      return {
        layout, transactionCode, receivingDfi, checkDigit, accountNumber, amount,
        checkSerialNumber: r.text(40, 54), processControlField: r.text(55, 60), itemResearchNumber: r.text(61, 76),
        discretionaryData: r.text(77, 78), addendaIndicator, traceNumber, line,
      }
    case 'cie':
      return {
        layout, transactionCode, receivingDfi, checkDigit, accountNumber, amount,
        name: r.text(40, 54), identificationNumber: r.text(55, 76), discretionaryData: r.text(77, 78),
        addendaIndicator, traceNumber, line,
      }
  }
}

/** Positions 40-78 of an entry, by layout. */
function writeMiddle(w: RecordWriter, e: Exclude<EntryDetail, IatEntryDetail | AdvEntryDetail>): void {
  switch (e.layout) {
    case 'standard':
      w.alpha(40, 54, e.identificationNumber, 'identificationNumber')
      w.alpha(55, 76, e.name, 'name')
      w.alpha(77, 78, e.discretionaryData, 'discretionaryData')
      return
    case 'addendaCount':
      w.alpha(40, 54, e.identificationNumber, 'identificationNumber')
      w.numeric(55, 58, e.addendaCount, 'addendaCount')
      w.alpha(59, 74, e.name, 'name')
      w.alpha(77, 78, e.discretionaryData, 'discretionaryData')
      return
    case 'pop':
      w.alpha(40, 48, e.checkSerialNumber, 'checkSerialNumber')
      w.alpha(49, 52, e.terminalCity, 'terminalCity')
      w.alpha(53, 54, e.terminalState, 'terminalState')
      w.alpha(55, 76, e.name, 'name')
      w.alpha(77, 78, e.discretionaryData, 'discretionaryData')
      return
    case 'shr':
      w.alpha(40, 43, e.cardExpirationDate, 'cardExpirationDate')
      w.alpha(44, 54, e.documentReferenceNumber, 'documentReferenceNumber')
      w.alpha(55, 76, e.individualCardAccountNumber, 'individualCardAccountNumber')
      w.alpha(77, 78, e.cardTransactionTypeCode, 'cardTransactionTypeCode')
      return
    case 'checkTruncation':
      w.alpha(40, 54, e.checkSerialNumber, 'checkSerialNumber')
      w.alpha(55, 60, e.processControlField, 'processControlField')
      w.alpha(61, 76, e.itemResearchNumber, 'itemResearchNumber')
      w.alpha(77, 78, e.discretionaryData, 'discretionaryData')
      return
    case 'cie':
      w.alpha(40, 54, e.name, 'name')
      w.alpha(55, 76, e.identificationNumber, 'identificationNumber')
      w.alpha(77, 78, e.discretionaryData, 'discretionaryData')
      return
  }
}

export function writeEntryDetail(w: RecordWriter, e: EntryDetail): void {
  if (e.layout === 'iat') return writeIatEntryDetail(w, e)
  if (e.layout === 'adv') return writeAdvEntryDetail(w, e)
  w.literal(1, '6')
  w.numeric(2, 3, e.transactionCode, 'transactionCode')
  w.alpha(4, 11, e.receivingDfi, 'receivingDfi')
  w.alpha(12, 12, e.checkDigit, 'checkDigit')
  w.alpha(13, 29, e.accountNumber, 'accountNumber')
  w.numeric(30, 39, e.amount, 'amount')
  writeMiddle(w, e)
  w.numeric(79, 79, e.addendaIndicator, 'addendaIndicator')
  w.alpha(80, 94, e.traceNumber, 'traceNumber')
}
