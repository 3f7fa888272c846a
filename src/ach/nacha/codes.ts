// NACHA's closed lists: SEC codes, service class codes, transaction codes, return reason codes and
// notification-of-change codes. Titles follow the NACHA Operating Rules (2024 edition) wording.

/** Standard Entry Class codes this library reads and writes. */
export const secCodes = [
  'ACK', 'ADV', 'ARC', 'ATX', 'BOC', 'CCD', 'CIE', 'COR', 'CTX', 'DNE', 'ENR', 'IAT',
  'MTE', 'POP', 'POS', 'PPD', 'RCK', 'SHR', 'TEL', 'TRC', 'TRX', 'WEB', 'XCK',
] as const
export type SecCode = (typeof secCodes)[number]
const secCodeSet: ReadonlySet<string> = new Set(secCodes)
export const isSecCode = (value: string): value is SecCode => secCodeSet.has(value)

/** Batch service class codes: what kinds of entries a batch may hold. */
export const serviceClassCodes = {
  mixed: 200,
  creditsOnly: 220,
  debitsOnly: 225,
  automatedAccountingAdvices: 280,
} as const
export type ServiceClassCode = (typeof serviceClassCodes)[keyof typeof serviceClassCodes]
export const isServiceClassCode = (value: number): value is ServiceClassCode =>
  value === 200 || value === 220 || value === 225 || value === 280

export type AccountKind = 'checking' | 'savings' | 'generalLedger' | 'loan' | 'accountingAdvice'
export type TransactionPurpose =
  | 'returnOrNoc' | 'live' | 'prenote' | 'zeroDollarWithRemittance' | 'loanReversal' | 'advice'

export interface TransactionCodeInfo {
  code: number
  direction: 'credit' | 'debit'
  account: AccountKind
  purpose: TransactionPurpose
  title: string
}

const info = (code: number, direction: 'credit' | 'debit', account: AccountKind, purpose: TransactionPurpose, title: string): TransactionCodeInfo =>
  ({ code, direction, account, purpose, title })

/** Every transaction code NACHA defines, by code. */
export const transactionCodes: ReadonlyMap<number, TransactionCodeInfo> = new Map([
  info(21, 'credit', 'checking', 'returnOrNoc', 'Return or NOC of a checking credit (22, 23, 24)'),
  info(22, 'credit', 'checking', 'live', 'Checking credit (deposit)'),
  info(23, 'credit', 'checking', 'prenote', 'Checking credit prenotification'),
  info(24, 'credit', 'checking', 'zeroDollarWithRemittance', 'Zero-dollar checking credit with remittance data'),
  info(26, 'debit', 'checking', 'returnOrNoc', 'Return or NOC of a checking debit (27, 28, 29)'),
  info(27, 'debit', 'checking', 'live', 'Checking debit (payment)'),
  info(28, 'debit', 'checking', 'prenote', 'Checking debit prenotification'),
  info(29, 'debit', 'checking', 'zeroDollarWithRemittance', 'Zero-dollar checking debit with remittance data'),
  info(31, 'credit', 'savings', 'returnOrNoc', 'Return or NOC of a savings credit (32, 33, 34)'),
  info(32, 'credit', 'savings', 'live', 'Savings credit (deposit)'),
  info(33, 'credit', 'savings', 'prenote', 'Savings credit prenotification'),
  info(34, 'credit', 'savings', 'zeroDollarWithRemittance', 'Zero-dollar savings credit with remittance data'),
  info(36, 'debit', 'savings', 'returnOrNoc', 'Return or NOC of a savings debit (37, 38, 39)'),
  info(37, 'debit', 'savings', 'live', 'Savings debit (payment)'),
  info(38, 'debit', 'savings', 'prenote', 'Savings debit prenotification'),
  info(39, 'debit', 'savings', 'zeroDollarWithRemittance', 'Zero-dollar savings debit with remittance data'),
  info(41, 'credit', 'generalLedger', 'returnOrNoc', 'Return or NOC of a general ledger credit (42, 43, 44)'),
  info(42, 'credit', 'generalLedger', 'live', 'General ledger credit'),
  info(43, 'credit', 'generalLedger', 'prenote', 'General ledger credit prenotification'),
  info(44, 'credit', 'generalLedger', 'zeroDollarWithRemittance', 'Zero-dollar general ledger credit with remittance data'),
  info(46, 'debit', 'generalLedger', 'returnOrNoc', 'Return or NOC of a general ledger debit (47, 48, 49)'),
  info(47, 'debit', 'generalLedger', 'live', 'General ledger debit'),
  info(48, 'debit', 'generalLedger', 'prenote', 'General ledger debit prenotification'),
  info(49, 'debit', 'generalLedger', 'zeroDollarWithRemittance', 'Zero-dollar general ledger debit with remittance data'),
  info(51, 'credit', 'loan', 'returnOrNoc', 'Return or NOC of a loan credit (52, 53, 54)'),
  info(52, 'credit', 'loan', 'live', 'Loan account credit'),
  info(53, 'credit', 'loan', 'prenote', 'Loan account credit prenotification'),
  info(54, 'credit', 'loan', 'zeroDollarWithRemittance', 'Zero-dollar loan credit with remittance data'),
  info(55, 'debit', 'loan', 'loanReversal', 'Loan account debit (reversals only)'),
  info(56, 'debit', 'loan', 'returnOrNoc', 'Return or NOC of a loan debit (55)'),
  info(81, 'credit', 'accountingAdvice', 'advice', 'Credit for ACH debits originated'),
  info(82, 'debit', 'accountingAdvice', 'advice', 'Debit for ACH credits originated'),
  info(83, 'credit', 'accountingAdvice', 'advice', 'Credit for ACH credits received'),
  info(84, 'debit', 'accountingAdvice', 'advice', 'Debit for ACH debits received'),
  info(85, 'credit', 'accountingAdvice', 'advice', 'Credit for ACH credits in rejected batches'),
  info(86, 'debit', 'accountingAdvice', 'advice', 'Debit for ACH debits in rejected batches'),
  info(87, 'credit', 'accountingAdvice', 'advice', 'Summary credit for respondent ACH activity'),
  info(88, 'debit', 'accountingAdvice', 'advice', 'Summary debit for respondent ACH activity'),
].map((i) => [i.code, i]))

/** The codes a consumer or business rail uses most, by name. */
export const transactionCode = {
  checkingCredit: 22,
  checkingCreditPrenote: 23,
  checkingDebit: 27,
  checkingDebitPrenote: 28,
  savingsCredit: 32,
  savingsCreditPrenote: 33,
  savingsDebit: 37,
  savingsDebitPrenote: 38,
} as const

/** Whether a transaction code moves money into the receiver's account (credit) or out (debit). */
export function isCreditCode(code: number): boolean {
  return transactionCodes.get(code)?.direction === 'credit'
}
export function isDebitCode(code: number): boolean {
  return transactionCodes.get(code)?.direction === 'debit'
}
export function isPrenoteCode(code: number): boolean {
  return transactionCodes.get(code)?.purpose === 'prenote'
}

/**
 * When a return must reach the ODFI, counted from the settlement date of the original entry (of
 * the return, for a dishonored return; of the dishonored return, for a contested one).
 * `byAgreement`: the Rules set no deadline (R06, R31: the ODFI asked for it or agreed to it).
 */
export type ReturnDeadline =
  | { kind: 'bankingDays'; days: number }
  | { kind: 'calendarDays'; days: number }
  | { kind: 'byAgreement' }

export type ReturnKind = 'return' | 'dishonored' | 'contested'

export interface ReturnCodeInfo {
  code: string
  title: string
  kind: ReturnKind
  deadline: ReturnDeadline
  /** An extended return: a consumer's written statement of unauthorized debit backs it. */
  extended: boolean
}

const twoBankingDays: ReturnDeadline = { kind: 'bankingDays', days: 2 }
const sixtyCalendarDays: ReturnDeadline = { kind: 'calendarDays', days: 60 }
const fiveBankingDays: ReturnDeadline = { kind: 'bankingDays', days: 5 }
const byAgreement: ReturnDeadline = { kind: 'byAgreement' }

const ret = (code: string, title: string, deadline: ReturnDeadline = twoBankingDays, kind: ReturnKind = 'return'): ReturnCodeInfo =>
  ({ code, title, kind, deadline, extended: deadline.kind === 'calendarDays' })

/** Every return reason code, R01–R85, with its title, kind and deadline. */
export const returnCodes: ReadonlyMap<string, ReturnCodeInfo> = new Map([
  ret('R01', 'Insufficient Funds'),
  ret('R02', 'Account Closed'),
  ret('R03', 'No Account/Unable to Locate Account'),
  ret('R04', 'Invalid Account Number Structure'),
  ret('R05', 'Unauthorized Debit to Consumer Account Using Corporate SEC Code', sixtyCalendarDays),
  ret('R06', 'Returned per ODFI\'s Request', byAgreement),
  ret('R07', 'Authorization Revoked by Customer', sixtyCalendarDays),
  ret('R08', 'Payment Stopped'),
  ret('R09', 'Uncollected Funds'),
  ret('R10', 'Customer Advises Originator is Not Known to Receiver and/or Originator is Not Authorized by Receiver to Debit Receiver\'s Account', sixtyCalendarDays),
  ret('R11', 'Customer Advises Entry Not in Accordance with the Terms of the Authorization', sixtyCalendarDays),
  ret('R12', 'Account Sold to Another DFI'),
  ret('R13', 'Invalid ACH Routing Number'),
  ret('R14', 'Representative Payee Deceased or Unable to Continue in That Capacity'),
  ret('R15', 'Beneficiary or Account Holder (Other Than a Representative Payee) Deceased'),
  ret('R16', 'Account Frozen/Entry Returned per OFAC Instruction'),
  ret('R17', 'File Record Edit Criteria/Entry with Invalid Account Number Initiated Under Questionable Circumstances'),
  ret('R18', 'Improper Effective Entry Date'),
  ret('R19', 'Amount Field Error'),
  ret('R20', 'Non-Transaction Account'),
  ret('R21', 'Invalid Company Identification'),
  ret('R22', 'Invalid Individual ID Number'),
  ret('R23', 'Credit Entry Refused by Receiver'),
  ret('R24', 'Duplicate Entry'),
  ret('R25', 'Addenda Error'),
  ret('R26', 'Mandatory Field Error'),
  ret('R27', 'Trace Number Error'),
  ret('R28', 'Routing Number Check Digit Error'),
  ret('R29', 'Corporate Customer Advises Not Authorized'),
  ret('R30', 'RDFI Not Participant in Check Truncation Program'),
  ret('R31', 'Permissible Return Entry (CCD and CTX only)', byAgreement),
  ret('R32', 'RDFI Non-Settlement'),
  ret('R33', 'Return of XCK Entry', sixtyCalendarDays),
  ret('R34', 'Limited Participation DFI'),
  ret('R35', 'Return of Improper Debit Entry'),
  ret('R36', 'Return of Improper Credit Entry'),
  ret('R37', 'Source Document Presented for Payment', sixtyCalendarDays),
  ret('R38', 'Stop Payment on Source Document', sixtyCalendarDays),
  ret('R39', 'Improper Source Document/Source Document Presented for Payment'),
  ret('R40', 'Return of ENR Entry by Federal Government Agency'),
  ret('R41', 'Invalid Transaction Code'),
  ret('R42', 'Routing Number/Check Digit Error'),
  ret('R43', 'Invalid DFI Account Number'),
  ret('R44', 'Invalid Individual ID Number/Identification Number'),
  ret('R45', 'Invalid Individual Name/Company Name'),
  ret('R46', 'Invalid Representative Payee Indicator'),
  ret('R47', 'Duplicate Enrollment'),
  ret('R50', 'State Law Affecting RCK Acceptance'),
  ret('R51', 'Item Related to RCK Entry is Ineligible or RCK Entry is Improper', sixtyCalendarDays),
  ret('R52', 'Stop Payment on Item Related to RCK Entry', sixtyCalendarDays),
  ret('R53', 'Item and RCK Entry Presented for Payment', sixtyCalendarDays),
  ret('R61', 'Misrouted Return', fiveBankingDays, 'dishonored'),
  ret('R62', 'Return of Erroneous or Reversing Debit', fiveBankingDays, 'dishonored'),
  ret('R67', 'Duplicate Return', fiveBankingDays, 'dishonored'),
  ret('R68', 'Untimely Return', fiveBankingDays, 'dishonored'),
  ret('R69', 'Field Error(s)', fiveBankingDays, 'dishonored'),
  ret('R70', 'Permissible Return Entry Not Accepted/Return Not Requested by ODFI', fiveBankingDays, 'dishonored'),
  ret('R71', 'Misrouted Dishonored Return', twoBankingDays, 'contested'),
  ret('R72', 'Untimely Dishonored Return', twoBankingDays, 'contested'),
  ret('R73', 'Timely Original Return', twoBankingDays, 'contested'),
  ret('R74', 'Corrected Return', twoBankingDays, 'contested'),
  ret('R75', 'Return Not a Duplicate', twoBankingDays, 'contested'),
  ret('R76', 'No Errors Found', twoBankingDays, 'contested'),
  ret('R77', 'Non-Acceptance of R62 Dishonored Return', twoBankingDays, 'contested'),
  ret('R80', 'IAT Entry Coding Error'),
  ret('R81', 'Non-Participant in IAT Program'),
  ret('R82', 'Invalid Foreign Receiving DFI Identification'),
  ret('R83', 'Foreign Receiving DFI Unable to Settle'),
  ret('R84', 'Entry Not Processed by Gateway'),
  ret('R85', 'Incorrectly Coded Outbound International Payment'),
].map((r) => [r.code, r]))

/** A field of the original entry that a notification of change corrects. */
export type CorrectedField =
  | 'accountNumber' | 'routingNumber' | 'transactionCode' | 'individualName'
  | 'receivingDfiIdentification' | 'individualIdentificationNumber' | 'secCode'

export interface NocCodeInfo {
  code: string
  title: string
  /** The fields the corrected data carries, in the order they appear in it. */
  corrects: readonly CorrectedField[]
}

const noc = (code: string, title: string, corrects: CorrectedField[]): NocCodeInfo => ({ code, title, corrects })

/** Notification-of-change codes (addenda 98), with the fields each corrects. */
export const nocCodes: ReadonlyMap<string, NocCodeInfo> = new Map([
  noc('C01', 'Incorrect DFI Account Number', ['accountNumber']),
  noc('C02', 'Incorrect Routing Number', ['routingNumber']),
  noc('C03', 'Incorrect Routing Number and Incorrect DFI Account Number', ['routingNumber', 'accountNumber']),
  noc('C04', 'Incorrect Individual Name/Receiving Company Name', ['individualName']),
  noc('C05', 'Incorrect Transaction Code', ['transactionCode']),
  noc('C06', 'Incorrect DFI Account Number and Incorrect Transaction Code', ['accountNumber', 'transactionCode']),
  noc('C07', 'Incorrect Routing Number, Incorrect DFI Account Number, and Incorrect Transaction Code', ['routingNumber', 'accountNumber', 'transactionCode']),
  noc('C08', 'Incorrect Receiving DFI Identification (IAT only)', ['receivingDfiIdentification']),
  noc('C09', 'Incorrect Individual Identification Number', ['individualIdentificationNumber']),
  noc('C13', 'Addenda Format Error', []),
  noc('C14', 'Incorrect SEC Code for Outbound International Payment', ['secCode']),
].map((n) => [n.code, n]))

export type CorrectedData = Partial<Record<CorrectedField, string>>

/**
 * The corrected data of an addenda 98, split into the fields its code names. Positions are the
 * Rules' (1-based within the 29-character field): C03 routing 1-9 and account 13-29; C06 account
 * 1-17 and transaction code 21-22; C07 routing 1-9, account 10-26, transaction code 27-28.
 * Undefined for a code outside the table.
 */
export function decodeCorrectedData(code: string, data: string): CorrectedData | undefined {
  const at = (from: number, to: number) => data.slice(from - 1, to).trim()
  switch (code) {
    case 'C01': return { accountNumber: at(1, 17) }
    case 'C02': return { routingNumber: at(1, 9) }
    case 'C03': return { routingNumber: at(1, 9), accountNumber: at(13, 29) }
    case 'C04': return { individualName: at(1, 22) }
    case 'C05': return { transactionCode: at(1, 2) }
    case 'C06': return { accountNumber: at(1, 17), transactionCode: at(21, 22) }
    case 'C07': return { routingNumber: at(1, 9), accountNumber: at(10, 26), transactionCode: at(27, 28) }
    case 'C08': return { receivingDfiIdentification: at(1, 29) }
    case 'C09': return { individualIdentificationNumber: at(1, 22) }
    case 'C13': return {}
    case 'C14': return { secCode: at(1, 3) }
    default: return undefined
  }
}
