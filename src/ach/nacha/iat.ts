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
