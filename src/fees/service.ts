// Fees through the ledger: into the bank's FEES internal account, never past the account's floor.
// What cannot be charged is owed (fees_owed) and collected at each end of day as funds arrive.
// Every fee record carries details.is_fee, which the transaction views show as is_fee.

import { ensureBankAccount, productsOfAccount, type AccountRow } from '../accounts/index.js'
import { applyInTransaction, expiredStatements, lockAccountsForChange, postedEvents, type LedgerCommand, type TransferRow } from '../ledger/index.js'
import type { Queryable, Unsent } from '../platform/db.js'
import { recordEvents } from '../platform/events.js'
import { uuidv7 } from '../platform/ids.js'
import { easternDayOf } from '../statements/calendar.js'
import { chargeable } from './arithmetic.js'
import { insertOwed, lockOpenOwed, reduceOwed } from './store.js'

/** The kind of every fee record. */
export const feeKind = 'FEE'

/** The spec's fee_type of a FEE product. */
export type FeeType = 'ACH_FEE' | 'ANNUAL_FEE' | 'ATM_WITHDRWAL_FEE' | 'MONTHLY_FEE' | 'OVERDRAFT_FEE' | 'WIRE_FEE'

export interface FeeCharge { workspaceId: string; accountId: string; feeType: FeeType; feeProductId: string | null; amount: bigint; currency: string; causeId: string | null }

/** How a fee reads in memos and statements. */
const feeLabels: Record<FeeType, string> = {
  ACH_FEE: 'ACH fee', ANNUAL_FEE: 'Annual fee', ATM_WITHDRWAL_FEE: 'ATM withdrawal fee', MONTHLY_FEE: 'Monthly maintenance fee', OVERDRAFT_FEE: 'Overdraft fee', WIRE_FEE: 'Wire fee',
}

const feeCommand = (fee: FeeCharge, feesAccountId: string, amount: bigint, memo: string): LedgerCommand => ({
  id: uuidv7(), kind: 'post',
  legs: [{ accountId: fee.accountId, amount: -amount, currency: fee.currency }, { accountId: feesAccountId, amount, currency: fee.currency }],
  meta: { kind: feeKind, type: fee.feeType, memo, details: { is_fee: true, fee_product_id: fee.feeProductId, ...(fee.causeId ? { cause_id: fee.causeId } : {}) } },
})

async function post(tx: Queryable, workspaceId: string, command: LedgerCommand, at: Date, partnerVerified: boolean): Promise<TransferRow | undefined> {
  const [result] = await applyInTransaction(tx, [{ workspaceId, now: at, partnerVerified, commands: [command] }], { expiredStatements, nowOf: () => at })
  if (!result.ok) return undefined
  await Promise.all(recordEvents(tx, postedEvents(result.transfers[0])))
  return result.transfers[0]
}

/**
 * Charges a fee on its own (a monthly fee): up to what the account has above its floor, the rest
 * recorded as owed. Returns what was charged and owed.
 */
export async function chargeFee(tx: Queryable, fee: FeeCharge, at: Date, partnerVerified: boolean): Promise<{ charged: bigint; owed: bigint; transfer?: TransferRow }> {
  const feesAccount = await ensureBankAccount(tx, fee.workspaceId, 'FEES', fee.currency, at)
  const locked = (await lockAccountsForChange(tx, fee.workspaceId, [fee.accountId], at, { expiredStatements })).get(fee.accountId)
  if (!locked || fee.amount === 0n) return { charged: 0n, owed: 0n }
  let { charge, owed } = chargeable(fee.amount, locked)
  let transfer: TransferRow | undefined
  if (charge > 0n) {
    transfer = await post(tx, fee.workspaceId, feeCommand(fee, feesAccount, charge, feeLabels[fee.feeType]), at, partnerVerified)
    if (!transfer) { owed += charge; charge = 0n }
  }
  if (owed > 0n) {
    await insertOwed(tx, [{
      workspace_id: fee.workspaceId, id: uuidv7(), account_id: fee.accountId, fee_product_id: fee.feeProductId, fee_type: fee.feeType, currency: fee.currency,
      amount: owed, remaining: owed, cause_id: transfer?.id ?? fee.causeId, created_at: at, updated_at: at,
    }])
  }
  return { charged: charge, owed, transfer }
}

/** Collects an account's owed fees, oldest first, from what it now has above its floor. Returns what was collected. */
export async function collectOwedFees(tx: Queryable, workspaceId: string, accountId: string, at: Date, partnerVerified: boolean): Promise<bigint> {
  const open = await lockOpenOwed(tx, workspaceId, accountId)
  if (open.length === 0) return 0n
  let collected = 0n
  for (const debt of open) {
    const locked = (await lockAccountsForChange(tx, workspaceId, [accountId], at, { expiredStatements })).get(accountId)
    if (!locked) break
    const { charge } = chargeable(debt.remaining, locked)
    if (charge === 0n) break
    const feesAccount = await ensureBankAccount(tx, workspaceId, 'FEES', debt.currency, at)
    const fee: FeeCharge = { workspaceId, accountId, feeType: debt.fee_type as FeeType, feeProductId: debt.fee_product_id, amount: charge, currency: debt.currency, causeId: debt.cause_id }
    const transfer = await post(tx, workspaceId, feeCommand(fee, feesAccount, charge, `${feeLabels[fee.feeType]}, owed since ${easternDayOf(debt.created_at)}`), at, partnerVerified)
    if (!transfer) break
    await reduceOwed(tx, workspaceId, debt.id, debt.remaining - charge, at)
    collected += charge
  }
  return collected
}

/**
 * THE function a rail calls for its per-transaction fees (docs/time.md, "Per-transaction fees"):
 * the fee commands to append to the rail's linked group for a movement on `accountId`, one per FEE
 * product of the account whose fee_type is `feeType` (ACH_FEE for ACH, ATM_WITHDRWAL_FEE for a card
 * ATM withdrawal, WIRE_FEE…), debiting the account and crediting the bank's FEES account. The group
 * then posts principal and fees all or nothing. If the ledger refuses the group with
 * insufficient_funds at a fee command's index, the rail submits the principal alone and calls
 * `recordOwed(tx, owedIfRefused)` in that transaction, so the fee is owed and collected when funds arrive.
 * Runs in the caller's transaction (it may create the FEES account, which must commit with the group).
 */
export async function transactionFees(tx: Queryable, movement: { workspaceId: string; account: AccountRow; feeType: FeeType; currency: string; causeId: string; now: Date }): Promise<{ commands: LedgerCommand[]; owedIfRefused: FeeCharge[] }> {
  const { fees } = await productsOfAccount(tx, movement.account)
  const charges: FeeCharge[] = fees
    .filter((p) => p.fields.fee_type === movement.feeType && p.fields.currency === movement.currency && Number(p.fields.amount) > 0)
    .map((p) => ({ workspaceId: movement.workspaceId, accountId: movement.account.id, feeType: movement.feeType, feeProductId: p.id, amount: BigInt(p.fields.amount as number), currency: movement.currency, causeId: movement.causeId }))
  if (charges.length === 0) return { commands: [], owedIfRefused: [] }
  const feesAccount = await ensureBankAccount(tx, movement.workspaceId, 'FEES', movement.currency, movement.now)
  return { commands: charges.map((c) => feeCommand(c, feesAccount, c.amount, feeLabels[c.feeType])), owedIfRefused: charges }
}

/**
 * Records fees that could not be charged with their movement as owed (see transactionFees): one
 * statement for all of them (at least one), not yet sent, so a batch sends it with its writes.
 * (It was an insert a fee, one after another: in a batch, a second fee's insert went out only once
 * the first was answered, after the batch's commit had been sent, and so outside its transaction.)
 */
export function recordOwed(tx: Queryable, fees: FeeCharge[], at: Date): Unsent {
  return insertOwed(tx, fees.map((f) => ({
    workspace_id: f.workspaceId, id: uuidv7(), account_id: f.accountId, fee_product_id: f.feeProductId, fee_type: f.feeType, currency: f.currency,
    amount: f.amount, remaining: f.amount, cause_id: f.causeId, created_at: at, updated_at: at,
  })))
}
