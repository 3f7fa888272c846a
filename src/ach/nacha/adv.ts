// Automated Accounting Advices (ADV): the ACH operator's advices to a DFI of its settlement
// activity. Their entries and batch control use wider amount fields than other batches; an ADV
// file's file control does too (file-control.ts, layout 'adv').
//
// Entry detail (6): 2-3 transactionCode (81-88), 4-11 receivingDfi, 12 checkDigit,
//   13-27 15 accountNumber, 28-39 12 amount, 40-48 9 adviceRoutingNumber, 49-53 5 fileIdentification,
//   54 1 achOperatorData, 55-76 22 name, 77-78 2 discretionaryData, 79 addendaIndicator,
//   80-87 8 achOperatorRoutingNumber, 88-90 3 julianDateCreated, 91-94 4 sequenceNumber
// Batch control (8): 2-4 serviceClassCode (280), 5-10 6 entryAddendaCount, 11-20 10 entryHash,
//   21-40 20 totalDebit, 41-60 20 totalCredit, 61-79 19 achOperatorData, 80-87 8 originatingDfi,
//   88-94 7 batchNumber

export interface AdvEntryDetail {
  layout: 'adv'
  transactionCode: number
  receivingDfi: string
  checkDigit: string
  accountNumber: string
  /** Cents. */
  amount: number
  adviceRoutingNumber: string
  fileIdentification: string
  achOperatorData: string
  name: string
  discretionaryData: string
  addendaIndicator: number
  achOperatorRoutingNumber: string
  julianDateCreated: string
  sequenceNumber: number
  line?: number
}

export interface AdvBatchControl {
  layout: 'adv'
  serviceClassCode: number
  entryAddendaCount: number
  entryHash: number
  totalDebit: number
  totalCredit: number
  achOperatorData: string
  originatingDfi: string
  batchNumber: number
  line?: number
}
