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
//   8. amount (03) or account number (01) differ from the entry's    → dishonor R69 with those fields
//   9. otherwise                                                     → accept: the entry is reversed
//
// As RDFI, a dishonored return (R61, R62, R67-R70) of a return Keel sent (judgeDishonor):
//   1. it names no return Keel sent                                  → contest R71 misrouted dishonored return
//   2. it came later than 5 banking days after Keel's return settled → contest R72 untimely dishonored return
//   3. R68 and Keel's return was timely                              → contest R73 timely original return
//   4. R67 and Keel sent one return of that entry                    → contest R75 return not a duplicate
//   5. R69 and every field it names is right in Keel's return        → contest R76 no errors found
//   6. R70 and Keel's return was not an R06 or R31                   → contest R76 no errors found
//   7. otherwise (R61, R62, and the above when they hold)            → accept: Keel's return is reversed

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
export type ContestCode = 'R71' | 'R72' | 'R73' | 'R75' | 'R76'

/** NACHA's field error codes of an R69 dishonored return. */
export const fieldErrorCodes = { accountNumber: '01', originalTrace: '02', amount: '03' } as const
/** Returns an ODFI must have asked for (R06) or agreed to (R31). */
const returnsByOdfiAgreement = new Set(['R06', 'R31'])

export type ReturnJudgement =
  | { action: 'accept' }
  | { action: 'dishonor'; code: DishonorCode; fieldErrors?: string; reason: string }
  | { action: 'error'; reason: string }

export interface ReturnFacts {
  code: string
  /** The return's original trace begins with Keel's ODFI routing prefix. */
  traceIsOurs: boolean
  /** The entry Keel sent with that trace, if any. */
  original?: { sent: boolean; returned: boolean; declined: boolean; amount: bigint; accountNo: string; settledOn: string }
  amount: bigint
  accountNo: string
  today: string
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
  const fields: string[] = []
  if (o.accountNo !== f.accountNo) fields.push(fieldErrorCodes.accountNumber)
  if (o.amount !== f.amount) fields.push(fieldErrorCodes.amount)
  if (fields.length) return { action: 'dishonor', code: 'R69', fieldErrors: fields.join(''), reason: `field errors: ${fields.map((c) => (c === '01' ? 'account number' : 'amount')).join(', ')} differ from the entry's` }
  return { action: 'accept' }
}

export type DishonorJudgement = { action: 'accept' } | { action: 'contest'; code: ContestCode; reason: string }

export interface DishonorFacts {
  /** R61, R62 or R67-R70. */
  code: string
  /** R69: the field error codes it names (two digits each). */
  fieldErrors: string
  /** The return Keel sent that it dishonors, if it names one. */
  ours?: {
    returnCode: string
    settledOn: string
    /** Keel's return was sent within its own deadline. */
    timely: boolean
    /** How many returns Keel sent of the same entry. */
    returnsOfEntry: number
    /** Each field error code Keel can check, and whether Keel's return has that field right. */
    fieldsRight: Record<string, boolean>
  }
  today: string
}

export function judgeDishonor(f: DishonorFacts): DishonorJudgement {
  const o = f.ours
  if (!o) return { action: 'contest', code: 'R71', reason: 'misrouted dishonored return: it names no return Keel sent' }
  const late = returnDeadlinePassed(f.code, o.settledOn, f.today)
  if (late) return { action: 'contest', code: 'R72', reason: `untimely dishonored return: ${late}` }
  if (f.code === 'R68' && o.timely) return { action: 'contest', code: 'R73', reason: 'Keel\'s return was timely' }
  if (f.code === 'R67' && o.returnsOfEntry <= 1) return { action: 'contest', code: 'R75', reason: 'Keel returned the entry once: not a duplicate' }
  if (f.code === 'R69') {
    const named = f.fieldErrors.match(/\d\d/g) ?? []
    if (named.every((c) => o.fieldsRight[c] === true)) return { action: 'contest', code: 'R76', reason: `no errors found in the field(s) named (${named.join(', ') || 'none'})` }
  }
  if (f.code === 'R70' && !returnsByOdfiAgreement.has(o.returnCode)) return { action: 'contest', code: 'R76', reason: `Keel's return was ${o.returnCode}, which needs no request or agreement of the ODFI` }
  return { action: 'accept' }
}
