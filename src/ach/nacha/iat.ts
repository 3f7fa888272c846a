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

import { alpha, numeric, spaces, type FieldReader } from './fields.js'

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

export function writeIatBatchHeader(h: IatBatchHeader): string {
  return '5' + numeric(h.serviceClassCode, 3, 'serviceClassCode') + alpha(h.iatIndicator, 16, 'iatIndicator')
    + alpha(h.foreignExchangeIndicator, 2, 'foreignExchangeIndicator') + alpha(h.foreignExchangeReferenceIndicator, 1, 'foreignExchangeReferenceIndicator')
    + alpha(h.foreignExchangeReference, 15, 'foreignExchangeReference') + alpha(h.isoDestinationCountryCode, 2, 'isoDestinationCountryCode')
    + alpha(h.originatorIdentification, 10, 'originatorIdentification') + alpha(h.secCode, 3, 'secCode')
    + alpha(h.companyEntryDescription, 10, 'companyEntryDescription') + alpha(h.isoOriginatingCurrencyCode, 3, 'isoOriginatingCurrencyCode')
    + alpha(h.isoDestinationCurrencyCode, 3, 'isoDestinationCurrencyCode') + alpha(h.effectiveEntryDate, 6, 'effectiveEntryDate')
    + alpha(h.settlementDate, 3, 'settlementDate') + alpha(h.originatorStatusCode, 1, 'originatorStatusCode')
    + alpha(h.originatingDfi, 8, 'originatingDfi') + numeric(h.batchNumber, 7, 'batchNumber')
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

export function writeIatEntryDetail(e: IatEntryDetail): string {
  return '6' + numeric(e.transactionCode, 2, 'transactionCode') + alpha(e.receivingDfi, 8, 'receivingDfi')
    + alpha(e.checkDigit, 1, 'checkDigit') + numeric(e.addendaCount, 4, 'addendaCount') + spaces(13)
    + numeric(e.amount, 10, 'amount') + alpha(e.accountNumber, 35, 'accountNumber') + spaces(2)
    + alpha(e.gatewayOfacScreening, 1, 'gatewayOfacScreening') + alpha(e.secondaryOfacScreening, 1, 'secondaryOfacScreening')
    + numeric(e.addendaIndicator, 1, 'addendaIndicator') + alpha(e.traceNumber, 15, 'traceNumber')
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

export function writeIatAddenda(a: IatAddenda): string {
  const seq = numeric(a.entryDetailSequenceNumber, 7, 'entryDetailSequenceNumber')
  switch (a.typeCode) {
    case '10':
      return '710' + alpha(a.transactionTypeCode, 3, 'transactionTypeCode') + numeric(a.foreignPaymentAmount, 18, 'foreignPaymentAmount')
        + alpha(a.foreignTraceNumber, 22, 'foreignTraceNumber') + alpha(a.receiverName, 35, 'receiverName') + spaces(6) + seq
    case '11':
      return '711' + alpha(a.originatorName, 35, 'originatorName') + alpha(a.originatorStreetAddress, 35, 'originatorStreetAddress') + spaces(14) + seq
    case '12':
      return '712' + alpha(a.originatorCityState, 35, 'originatorCityState') + alpha(a.originatorCountryPostalCode, 35, 'originatorCountryPostalCode') + spaces(14) + seq
    case '13':
      return '713' + alpha(a.originatingDfiName, 35, 'originatingDfiName') + alpha(a.originatingDfiIdQualifier, 2, 'originatingDfiIdQualifier')
        + alpha(a.originatingDfiId, 34, 'originatingDfiId') + alpha(a.originatingDfiBranchCountryCode, 3, 'originatingDfiBranchCountryCode') + spaces(10) + seq
    case '14':
      return '714' + alpha(a.receivingDfiName, 35, 'receivingDfiName') + alpha(a.receivingDfiIdQualifier, 2, 'receivingDfiIdQualifier')
        + alpha(a.receivingDfiId, 34, 'receivingDfiId') + alpha(a.receivingDfiBranchCountryCode, 3, 'receivingDfiBranchCountryCode') + spaces(10) + seq
    case '15':
      return '715' + alpha(a.receiverIdentificationNumber, 15, 'receiverIdentificationNumber') + alpha(a.receiverStreetAddress, 35, 'receiverStreetAddress') + spaces(34) + seq
    case '16':
      return '716' + alpha(a.receiverCityState, 35, 'receiverCityState') + alpha(a.receiverCountryPostalCode, 35, 'receiverCountryPostalCode') + spaces(14) + seq
    case '17':
      return '717' + alpha(a.paymentRelatedInformation, 80, 'paymentRelatedInformation') + numeric(a.sequenceNumber, 4, 'sequenceNumber') + seq
    case '18':
      return '718' + alpha(a.foreignCorrespondentBankName, 35, 'foreignCorrespondentBankName')
        + alpha(a.foreignCorrespondentBankIdQualifier, 2, 'foreignCorrespondentBankIdQualifier') + alpha(a.foreignCorrespondentBankId, 34, 'foreignCorrespondentBankId')
        + alpha(a.foreignCorrespondentBankBranchCountryCode, 3, 'foreignCorrespondentBankBranchCountryCode') + spaces(6)
        + numeric(a.sequenceNumber, 4, 'sequenceNumber') + seq
  }
}
