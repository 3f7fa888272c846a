// What Keel does with a return it receives, and with a dishonored return of a return it sent: pure
// decisions over plain facts, in a fixed precedence, so the rules read as NACHA's and are tested by
// table (return-rules.test.ts). The effects (ledger, rows, files) are returns.ts's.
//
// As ODFI, a return of one of Keel's entries (judgeReturn), first rule that applies:
//   1. not a return reason code of kind return                       → error (recorded, nothing moves)
//   2. the original trace is not Keel's (another ODFI's prefix)      → dishonor R61 misrouted return
//   3. no entry Keel sent has the trace (unknown, not yet sent)      → dishonor R69, field 02 (trace)
//   4. the entry was returned already                                → dishonor R67 duplicate return
//   5. the entry did not settle (declined at settlement)             → error
//   6. R06 or R31: Keel never asks for an R06 nor agrees to an R31   → dishonor R70
//   7. past its deadline (2 banking days, 60 days for the extended)  → dishonor R68 untimely return
//   8. a field not copied from the entry: account number (01), amount (03), individual
//      identification number (04), transaction code (05), company identification (06)
//                                                                    → dishonor R69 with those fields
//   9. otherwise                                                     → accept: the entry is reversed
//
// As RDFI, a dishonored return (R61, R62, R67-R70) of a return Keel sent (judgeDishonor):
//   1. it names no return Keel sent, or comes from another bank than
//      the one Keel's return went to                                 → contest R71 misrouted dishonored return
//   2. it came later than 5 banking days after Keel's return settled → contest R72 untimely dishonored return
//   3. R68 and Keel's return was timely                              → contest R73 timely original return
//   4. R67 and Keel sent one return of that entry                    → contest R75 return not a duplicate
//   5. R69 naming no field Keel's return has wrong                   → contest R76 no errors found
//   6. R69 naming fields Keel's return has wrong, none of them the
//      amount: Keel sends the corrected return                       → contest R74 corrected return
//   7. R70 and Keel's return was not an R06 or R31                   → contest R76 no errors found
//   8. R62 of Keel's return of a debit, when the debit's funds cannot
//      be recovered from the account, or Keel returned the erroneous
//      credit it reversed as well                                    → contest R77 non-acceptance of R62
//   9. otherwise (R61, R62, R69 with a wrong amount…)                → accept: Keel's return is reversed
//
// NACHA's R69 field error codes are 01-06 (its Operations Bulletin of 15 September 2006, which
// folded the former R62-R66 into R69): several are written separated by asterisks ("01*03*06").
// NACHA names no contest of an R61 but the general ones (R71, R72): Keel accepts any other R61.

import { addDays, businessDaysBetween } from '../calendar/fed-calendar.js'
import { returnCodes } from '../nacha/index.js'

/** Why a return with `code` of an entry settled on `settledOn` is late on `today`, or undefined when it is on time. */
export function returnDeadlinePassed(code: string, settledOn: string, today: string): string | undefined {
  const info = returnCodes.get(code)
  if (!info) return `${code} is not a NACHA return reason code`
  const d = info.deadline
  if (d.kind === 'bankingDays' && businessDaysBetween(settledOn, today) > d.days) return `${code} must be returned within ${d.days} banking days of settlement (${settledOn})`
  if (d.kind === 'calendarDays' && today > addDays(settledOn, d.days)) return `${code} must be returned within ${d.days} days of settlement (${settledOn})`
  return undefined
}

export type DishonorCode = 'R61' | 'R67' | 'R68' | 'R69' | 'R70'
export type ContestCode = 'R71' | 'R72' | 'R73' | 'R74' | 'R75' | 'R76' | 'R77'

/** NACHA's field error codes of an R69 dishonored return. */
export const fieldErrorCodes = {
  accountNumber: '01', originalTrace: '02', amount: '03', identificationNumber: '04', transactionCode: '05', companyIdentification: '06',
} as const
export type FieldErrorCode = (typeof fieldErrorCodes)[keyof typeof fieldErrorCodes]
const fieldNames: Record<FieldErrorCode, string> = {
  '01': 'DFI account number', '02': 'original entry trace number', '03': 'dollar amount', '04': 'individual identification number', '05': 'transaction code', '06': 'company identification number',
}
const isFieldErrorCode = (c: string): c is FieldErrorCode => c in fieldNames
/** The field error codes an R69's addenda information names ("01*03", or "0103"), those NACHA defines only. */
export function namedFieldErrors(s: string): FieldErrorCode[] {
  const codes: FieldErrorCode[] = []
  for (const c of s.match(/\d\d/g) ?? []) if (isFieldErrorCode(c) && !codes.includes(c)) codes.push(c)
  return codes
}
/** How Keel writes field error codes: NACHA's asterisk-separated list. */
export const formatFieldErrors = (codes: FieldErrorCode[]): string => codes.join('*')
/** Fields a corrected return (R74) can put right: all but the amount (a return carries the entry's money). */
const correctable = new Set<FieldErrorCode>(['01', '02', '04', '05', '06'])
/** Returns an ODFI must have asked for (R06) or agreed to (R31). */
const returnsByOdfiAgreement = new Set(['R06', 'R31'])

export type ReturnJudgement =
  | { action: 'accept' }
  | { action: 'dishonor'; code: DishonorCode; fieldErrors?: string; reason: string }
  | { action: 'error'; reason: string }

/** The fields of an entry an R69 compares: as the entry went out (Keel's) and as the return carries them. */
export interface EntryFields { accountNo: string; amount: bigint; identificationNumber: string; transactionCode: string; companyId: string }

export interface ReturnFacts {
  code: string
  /** The return's original trace begins with Keel's ODFI routing prefix. */
  traceIsOurs: boolean
  /** The entry Keel sent with that trace, if any: `fields` as a return of it must carry them. */
  original?: { sent: boolean; returned: boolean; declined: boolean; settledOn: string; fields: EntryFields }
  /** What the return carries. */
  fields: EntryFields
  today: string
}

/** The field error codes where `got` differs from `want`, in code order. */
export function fieldsDiffering(want: EntryFields, got: EntryFields): FieldErrorCode[] {
  const out: FieldErrorCode[] = []
  if (want.accountNo.trim() !== got.accountNo.trim()) out.push('01')
  if (want.amount !== got.amount) out.push('03')
  if (want.identificationNumber.trim() !== got.identificationNumber.trim()) out.push('04')
  if (Number(want.transactionCode) !== Number(got.transactionCode)) out.push('05')
  if (want.companyId.trim() !== got.companyId.trim()) out.push('06')
  return out
}

export function judgeReturn(f: ReturnFacts): ReturnJudgement {
  if (returnCodes.get(f.code)?.kind !== 'return') return { action: 'error', reason: `${f.code} is not a NACHA return reason code of a return` }
  if (!f.traceIsOurs) return { action: 'dishonor', code: 'R61', reason: 'misrouted return: the original trace is not one Keel gave' }
  const o = f.original
  if (!o || !o.sent) return { action: 'dishonor', code: 'R69', fieldErrors: fieldErrorCodes.originalTrace, reason: 'no entry Keel sent has the original trace' }
  if (o.returned) return { action: 'dishonor', code: 'R67', reason: 'duplicate return: the entry was returned already' }
  if (o.declined) return { action: 'error', reason: 'the entry did not settle: there is nothing to return' }
  if (returnsByOdfiAgreement.has(f.code)) return { action: 'dishonor', code: 'R70', reason: `${f.code} needs the ODFI's request or agreement, which Keel did not give` }
  const late = returnDeadlinePassed(f.code, o.settledOn, f.today)
  if (late) return { action: 'dishonor', code: 'R68', reason: `untimely return: ${late}` }
  const fields = fieldsDiffering(o.fields, f.fields)
  if (fields.length) return { action: 'dishonor', code: 'R69', fieldErrors: formatFieldErrors(fields), reason: `field errors: the ${fields.map((c) => fieldNames[c]).join(', ')} differ from the entry's` }
  return { action: 'accept' }
}

export type DishonorJudgement =
  | { action: 'accept' }
  | { action: 'contest'; code: ContestCode; reason: string; corrected?: FieldErrorCode[] }

export interface DishonorFacts {
  /** R61, R62 or R67-R70. */
  code: string
  /** R69: the field error codes it names (two digits each, asterisk-separated or not). */
  fieldErrors: string
  /** The return Keel sent that it dishonors, if it names one. */
  ours?: {
    returnCode: string
    settledOn: string
    /** The dishonor came from the bank Keel's return went to. */
    fromItsReceiver: boolean
    /** Keel's return was sent within its own deadline. */
    timely: boolean
    /** How many returns Keel sent of the same entry. */
    returnsOfEntry: number
    /** Each field error code Keel can check, and whether Keel's return has that field right. */
    fieldsRight: Partial<Record<FieldErrorCode, boolean>>
    /** R62: Keel's return was of a debit; if taken back now, the account can pay it; Keel also returned the credit it reversed. */
    debit: boolean
    recoverable: boolean
    relatedCreditReturned: boolean
  }
  today: string
}

export function judgeDishonor(f: DishonorFacts): DishonorJudgement {
  const o = f.ours
  if (!o) return { action: 'contest', code: 'R71', reason: 'misrouted dishonored return: it names no return Keel sent' }
  if (!o.fromItsReceiver) return { action: 'contest', code: 'R71', reason: 'misrouted dishonored return: it comes from another bank than the one Keel\'s return went to' }
  const late = returnDeadlinePassed(f.code, o.settledOn, f.today)
  if (late) return { action: 'contest', code: 'R72', reason: `untimely dishonored return: ${late}` }
  if (f.code === 'R68' && o.timely) return { action: 'contest', code: 'R73', reason: 'Keel\'s return was timely' }
  if (f.code === 'R67' && o.returnsOfEntry <= 1) return { action: 'contest', code: 'R75', reason: 'Keel returned the entry once: not a duplicate' }
  if (f.code === 'R69') {
    const named = namedFieldErrors(f.fieldErrors)
    const wrong = named.filter((c) => o.fieldsRight[c] === false)
    if (wrong.length === 0) return { action: 'contest', code: 'R76', reason: `no errors found in the field(s) named (${named.join(', ') || 'none'})` }
    if (wrong.every((c) => correctable.has(c))) return { action: 'contest', code: 'R74', corrected: wrong, reason: `corrected return: the ${wrong.map((c) => fieldNames[c]).join(', ')} put right` }
  }
  if (f.code === 'R70' && !returnsByOdfiAgreement.has(o.returnCode)) return { action: 'contest', code: 'R76', reason: `Keel's return was ${o.returnCode}, which needs no request or agreement of the ODFI` }
  if (f.code === 'R62' && o.debit && (!o.recoverable || o.relatedCreditReturned)) {
    return { action: 'contest', code: 'R77', reason: o.relatedCreditReturned ? 'Keel returned the erroneous credit as well as the debit reversing it' : 'the debit\'s funds cannot be recovered from the account' }
  }
  return { action: 'accept' }
}
