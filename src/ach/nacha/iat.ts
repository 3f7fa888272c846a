// International ACH Transactions: IAT's batch header, entry detail and addenda 10-18.
//
// Batch header (5): 2-4 3 serviceClassCode, 5-20 16 iatIndicator, 21-22 2 foreignExchangeIndicator
//   (FV, VF, FF), 23 1 foreignExchangeReferenceIndicator (1, 2, 3), 24-38 15 foreignExchangeReference,
//   39-40 2 isoDestinationCountryCode, 41-50 10 originatorIdentification, 51-53 3 secCode 'IAT',
//   54-63 10 companyEntryDescription, 64-66 3 isoOriginatingCurrencyCode,
//   67-69 3 isoDestinationCurrencyCode, 70-75 6 effectiveEntryDate, 76-78 3 settlementDate,
//   79 1 originatorStatusCode, 80-87 8 originatingDfi (gateway operator), 88-94 7 batchNumber
// Entry detail (6): 2-3 transactionCode, 4-11 receivingDfi, 12 checkDigit, 13-16 4 addendaCount,
//   17-29 reserved, 30-39 10 amount, 40-74 35 accountNumber, 75-76 reserved,
//   77 1 gatewayOfacScreening, 78 1 secondaryOfacScreening, 79 addendaIndicator, 80-94 traceNumber
// Addenda (7), 88-94 7 entryDetailSequenceNumber on each:
//   10: 4-6 3 transactionTypeCode, 7-24 18 foreignPaymentAmount, 25-46 22 foreignTraceNumber,
//       47-81 35 receiverName, 82-87 reserved
//   11: 4-38 35 originatorName, 39-73 35 originatorStreetAddress, 74-87 reserved
//   12: 4-38 35 originatorCityState, 39-73 35 originatorCountryPostalCode, 74-87 reserved
//   13: 4-38 35 originatingDfiName, 39-40 2 originatingDfiIdQualifier, 41-74 34 originatingDfiId,
//       75-77 3 originatingDfiBranchCountryCode, 78-87 reserved
//   14: the same for the receiving DFI
//   15: 4-18 15 receiverIdentificationNumber, 19-53 35 receiverStreetAddress, 54-87 reserved
//   16: 4-38 35 receiverCityState, 39-73 35 receiverCountryPostalCode, 74-87 reserved
//   17: 4-83 80 paymentRelatedInformation, 84-87 4 sequenceNumber (up to two)
//   18: 4-38 35 foreignCorrespondentBankName, 39-40 2 foreignCorrespondentBankIdQualifier,
//       41-74 34 foreignCorrespondentBankId, 75-77 3 foreignCorrespondentBankBranchCountryCode,
//       78-83 reserved, 84-87 4 sequenceNumber (up to five)

import type { FieldReader, RecordWriter } from './fields.js'

export interface IatBatchHeader {
  layout: 'iat'
  serviceClassCode: number
  iatIndicator: string
  foreignExchangeIndicator: string
  foreignExchangeReferenceIndicator: string
  foreignExchangeReference: string
  isoDestinationCountryCode: string
  originatorIdentification: string
  secCode: string
  companyEntryDescription: string
  isoOriginatingCurrencyCode: string
  isoDestinationCurrencyCode: string
  effectiveEntryDate: string
  settlementDate: string
  originatorStatusCode: string
  originatingDfi: string
  batchNumber: number
  line?: number
}

export interface IatEntryDetail {
  layout: 'iat'
  transactionCode: number
  receivingDfi: string
  checkDigit: string
  addendaCount: number
  amount: number
  accountNumber: string
  gatewayOfacScreening: string
  secondaryOfacScreening: string
  addendaIndicator: number
  traceNumber: string
  line?: number
}

interface IatAddendaCommon { entryDetailSequenceNumber: number; line?: number }

export interface Addenda10 extends IatAddendaCommon {
  typeCode: '10'
  transactionTypeCode: string
  /** Cents, in the destination currency. */
  foreignPaymentAmount: number
  foreignTraceNumber: string
  receiverName: string
}
export interface Addenda11 extends IatAddendaCommon {
  typeCode: '11'
  originatorName: string
  originatorStreetAddress: string
}
export interface Addenda12 extends IatAddendaCommon {
  typeCode: '12'
  originatorCityState: string
  originatorCountryPostalCode: string
}
export interface Addenda13 extends IatAddendaCommon {
  typeCode: '13'
  originatingDfiName: string
  originatingDfiIdQualifier: string
  originatingDfiId: string
  originatingDfiBranchCountryCode: string
}
export interface Addenda14 extends IatAddendaCommon {
  typeCode: '14'
  receivingDfiName: string
  receivingDfiIdQualifier: string
  receivingDfiId: string
  receivingDfiBranchCountryCode: string
}
export interface Addenda15 extends IatAddendaCommon {
  typeCode: '15'
  receiverIdentificationNumber: string
  receiverStreetAddress: string
}
export interface Addenda16 extends IatAddendaCommon {
  typeCode: '16'
  receiverCityState: string
  receiverCountryPostalCode: string
}
export interface Addenda17 extends IatAddendaCommon {
  typeCode: '17'
  paymentRelatedInformation: string
  sequenceNumber: number
}
export interface Addenda18 extends IatAddendaCommon {
  typeCode: '18'
  foreignCorrespondentBankName: string
  foreignCorrespondentBankIdQualifier: string
  foreignCorrespondentBankId: string
  foreignCorrespondentBankBranchCountryCode: string
  sequenceNumber: number
}

export type IatAddenda =
  | Addenda10 | Addenda11 | Addenda12 | Addenda13 | Addenda14 | Addenda15 | Addenda16 | Addenda17 | Addenda18

export function readIatBatchHeader(r: FieldReader): IatBatchHeader {
  return {
    layout: 'iat',
    serviceClassCode: r.number(2, 4, 'serviceClassCode'),
    iatIndicator: r.text(5, 20),
    foreignExchangeIndicator: r.text(21, 22),
    foreignExchangeReferenceIndicator: r.text(23, 23),
    foreignExchangeReference: r.text(24, 38),
    isoDestinationCountryCode: r.text(39, 40),
    originatorIdentification: r.text(41, 50),
    secCode: r.raw(51, 53),
    companyEntryDescription: r.text(54, 63),
    isoOriginatingCurrencyCode: r.text(64, 66),
    isoDestinationCurrencyCode: r.text(67, 69),
    effectiveEntryDate: r.text(70, 75),
    settlementDate: r.text(76, 78),
    originatorStatusCode: r.raw(79, 79),
    originatingDfi: r.digits(80, 87, 'originatingDfi'),
    batchNumber: r.number(88, 94, 'batchNumber'),
    line: r.lineNumber,
  }
}

export function writeIatBatchHeader(w: RecordWriter, h: IatBatchHeader): void {
  w.literal(1, '5')
  w.numeric(2, 4, h.serviceClassCode, 'serviceClassCode')
  w.alpha(5, 20, h.iatIndicator, 'iatIndicator')
  w.alpha(21, 22, h.foreignExchangeIndicator, 'foreignExchangeIndicator')
  w.alpha(23, 23, h.foreignExchangeReferenceIndicator, 'foreignExchangeReferenceIndicator')
  w.alpha(24, 38, h.foreignExchangeReference, 'foreignExchangeReference')
  w.alpha(39, 40, h.isoDestinationCountryCode, 'isoDestinationCountryCode')
  w.alpha(41, 50, h.originatorIdentification, 'originatorIdentification')
  w.alpha(51, 53, h.secCode, 'secCode')
  w.alpha(54, 63, h.companyEntryDescription, 'companyEntryDescription')
  w.alpha(64, 66, h.isoOriginatingCurrencyCode, 'isoOriginatingCurrencyCode')
  w.alpha(67, 69, h.isoDestinationCurrencyCode, 'isoDestinationCurrencyCode')
  w.alpha(70, 75, h.effectiveEntryDate, 'effectiveEntryDate')
  w.alpha(76, 78, h.settlementDate, 'settlementDate')
  w.alpha(79, 79, h.originatorStatusCode, 'originatorStatusCode')
  w.alpha(80, 87, h.originatingDfi, 'originatingDfi')
  w.numeric(88, 94, h.batchNumber, 'batchNumber')
}

export function readIatEntryDetail(r: FieldReader): IatEntryDetail {
  r.reserved(17, 29)
  r.reserved(75, 76)
  return {
    layout: 'iat',
    transactionCode: r.number(2, 3, 'transactionCode'),
    receivingDfi: r.digits(4, 11, 'receivingDfi'),
    checkDigit: r.raw(12, 12),
    addendaCount: r.number(13, 16, 'addendaCount'),
    amount: r.number(30, 39, 'amount'),
    accountNumber: r.text(40, 74),
    gatewayOfacScreening: r.text(77, 77),
    secondaryOfacScreening: r.text(78, 78),
    addendaIndicator: r.number(79, 79, 'addendaIndicator'),
    traceNumber: r.digits(80, 94, 'traceNumber'),
    line: r.lineNumber,
  }
}

export function writeIatEntryDetail(w: RecordWriter, e: IatEntryDetail): void {
  w.literal(1, '6')
  w.numeric(2, 3, e.transactionCode, 'transactionCode')
  w.alpha(4, 11, e.receivingDfi, 'receivingDfi')
  w.alpha(12, 12, e.checkDigit, 'checkDigit')
  w.numeric(13, 16, e.addendaCount, 'addendaCount')
  w.numeric(30, 39, e.amount, 'amount')
  w.alpha(40, 74, e.accountNumber, 'accountNumber')
  w.alpha(77, 77, e.gatewayOfacScreening, 'gatewayOfacScreening')
  w.alpha(78, 78, e.secondaryOfacScreening, 'secondaryOfacScreening')
  w.numeric(79, 79, e.addendaIndicator, 'addendaIndicator')
  w.alpha(80, 94, e.traceNumber, 'traceNumber')
}

/** Reads addenda 10-18; undefined for another type code. */
export function readIatAddenda(r: FieldReader, typeCode: string): IatAddenda | undefined {
  const line = r.lineNumber
  const seq = () => r.number(88, 94, 'entryDetailSequenceNumber')
  switch (typeCode) {
    case '10':
      r.reserved(82, 87)
      return {
        typeCode, transactionTypeCode: r.text(4, 6), foreignPaymentAmount: r.number(7, 24, 'foreignPaymentAmount'),
        foreignTraceNumber: r.text(25, 46), receiverName: r.text(47, 81), entryDetailSequenceNumber: seq(), line,
      }
    case '11':
      r.reserved(74, 87)
      return { typeCode, originatorName: r.text(4, 38), originatorStreetAddress: r.text(39, 73), entryDetailSequenceNumber: seq(), line }
    case '12':
      r.reserved(74, 87)
      return { typeCode, originatorCityState: r.text(4, 38), originatorCountryPostalCode: r.text(39, 73), entryDetailSequenceNumber: seq(), line }
    case '13':
      r.reserved(78, 87)
      return {
        typeCode, originatingDfiName: r.text(4, 38), originatingDfiIdQualifier: r.text(39, 40), originatingDfiId: r.text(41, 74),
        originatingDfiBranchCountryCode: r.text(75, 77), entryDetailSequenceNumber: seq(), line,
      }
    case '14':
      r.reserved(78, 87)
      return {
        typeCode, receivingDfiName: r.text(4, 38), receivingDfiIdQualifier: r.text(39, 40), receivingDfiId: r.text(41, 74),
        receivingDfiBranchCountryCode: r.text(75, 77), entryDetailSequenceNumber: seq(), line,
      }
    case '15':
      r.reserved(54, 87)
      return { typeCode, receiverIdentificationNumber: r.text(4, 18), receiverStreetAddress: r.text(19, 53), entryDetailSequenceNumber: seq(), line }
    case '16':
      r.reserved(74, 87)
      return { typeCode, receiverCityState: r.text(4, 38), receiverCountryPostalCode: r.text(39, 73), entryDetailSequenceNumber: seq(), line }
    case '17':
      return {
        typeCode, paymentRelatedInformation: r.text(4, 83), sequenceNumber: r.number(84, 87, 'sequenceNumber'),
        entryDetailSequenceNumber: seq(), line,
      }
    case '18':
      r.reserved(78, 83)
      return {
        typeCode, foreignCorrespondentBankName: r.text(4, 38), foreignCorrespondentBankIdQualifier: r.text(39, 40),
        foreignCorrespondentBankId: r.text(41, 74), foreignCorrespondentBankBranchCountryCode: r.text(75, 77),
        sequenceNumber: r.number(84, 87, 'sequenceNumber'), entryDetailSequenceNumber: seq(), line,
      }
    default:
      return undefined
  }
}

export function writeIatAddenda(w: RecordWriter, a: IatAddenda): void {
  w.literal(1, '7' + a.typeCode)
  w.numeric(88, 94, a.entryDetailSequenceNumber, 'entryDetailSequenceNumber')
  switch (a.typeCode) {
    case '10':
      w.alpha(4, 6, a.transactionTypeCode, 'transactionTypeCode')
      w.numeric(7, 24, a.foreignPaymentAmount, 'foreignPaymentAmount')
      w.alpha(25, 46, a.foreignTraceNumber, 'foreignTraceNumber')
      w.alpha(47, 81, a.receiverName, 'receiverName')
      return
    case '11':
      w.alpha(4, 38, a.originatorName, 'originatorName')
      w.alpha(39, 73, a.originatorStreetAddress, 'originatorStreetAddress')
      return
    case '12':
      w.alpha(4, 38, a.originatorCityState, 'originatorCityState')
      w.alpha(39, 73, a.originatorCountryPostalCode, 'originatorCountryPostalCode')
      return
    case '13':
      w.alpha(4, 38, a.originatingDfiName, 'originatingDfiName')
      w.alpha(39, 40, a.originatingDfiIdQualifier, 'originatingDfiIdQualifier')
      w.alpha(41, 74, a.originatingDfiId, 'originatingDfiId')
      w.alpha(75, 77, a.originatingDfiBranchCountryCode, 'originatingDfiBranchCountryCode')
      return
    case '14':
      w.alpha(4, 38, a.receivingDfiName, 'receivingDfiName')
      w.alpha(39, 40, a.receivingDfiIdQualifier, 'receivingDfiIdQualifier')
      w.alpha(41, 74, a.receivingDfiId, 'receivingDfiId')
      w.alpha(75, 77, a.receivingDfiBranchCountryCode, 'receivingDfiBranchCountryCode')
      return
    case '15':
      w.alpha(4, 18, a.receiverIdentificationNumber, 'receiverIdentificationNumber')
      w.alpha(19, 53, a.receiverStreetAddress, 'receiverStreetAddress')
      return
    case '16':
      w.alpha(4, 38, a.receiverCityState, 'receiverCityState')
      w.alpha(39, 73, a.receiverCountryPostalCode, 'receiverCountryPostalCode')
      return
    case '17':
      w.alpha(4, 83, a.paymentRelatedInformation, 'paymentRelatedInformation')
      w.numeric(84, 87, a.sequenceNumber, 'sequenceNumber')
      return
    case '18':
      w.alpha(4, 38, a.foreignCorrespondentBankName, 'foreignCorrespondentBankName')
      w.alpha(39, 40, a.foreignCorrespondentBankIdQualifier, 'foreignCorrespondentBankIdQualifier')
      w.alpha(41, 74, a.foreignCorrespondentBankId, 'foreignCorrespondentBankId')
      w.alpha(75, 77, a.foreignCorrespondentBankBranchCountryCode, 'foreignCorrespondentBankBranchCountryCode')
      w.numeric(84, 87, a.sequenceNumber, 'sequenceNumber')
      return
  }
}
