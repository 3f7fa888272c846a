// The day close: what falls due at the end of each US Eastern day, for each active account, in
// one transaction per account and day: the day's interest accrual on its end-of-day balance, owed
// fees collected from what arrived, and at a month's end the interest payout, the monthly fees
// and the statement. Records post at the day's last instant, so balances as of any instant read the
// same whenever the close ran. Statement cycles are (start, end]: what the close posts, 1 ms before
// the day's end, falls in the day and the cycle it belongs to.
//
// Exactly once: an account's close of a day is claimed by a row (time_account_days) in the same
// transaction as everything it writes. Two processes closing the same day both try to insert it;
// the second waits for the first to commit and then skips the account. A crash rolls back the claim
// with the work. The workspace cursor (time_cursors) only says where the next close starts: after
// downtime, the worker closes every day since, in order, and the claims make a repeat harmless.

import { activeAccountsPage, productsOfAccount, type AccountRow, type ProductRow } from '../accounts/index.js'
import { accrueDay, payMonth } from '../interest/index.js'
import { accountsOwing, chargeFee, collectOwedFees, proRated, waivedByMinimumBalance, type FeeType } from '../fees/index.js'
import { ledgerAccountAt, periodActivity, postedBalanceAsOf } from '../ledger/index.js'
import type { Logger } from 'pino'
import type { Clock } from '../platform/clock.js'
import { eachWorkspace } from '../platform/due-work.js'
import type { Sql } from '../platform/db.js'
import { findWorkspace, listWorkspaces, partnerVerifiedOf } from '../platform/workspaces.js'
import { daysBetween, daysInMonth, easternDayOf, endOfDay, isMonthEnd, monthStartOf, nextDay, startOfDay } from './calendar.js'
import { issueStatement } from './service.js'
import { claimAccountDay, lastClosedDay, markClosed, recordAccountDay } from './store.js'
import { statementKinds } from './service.js'

/** The account types that get statements: the spec's `statement` is "a statement for a depository account". */
export const statementAccountTypes: ReadonlySet<string> = new Set(['CHECKING', 'SAVING'])
/** Accounts read per page of a day close. */
export const dayClosePageSize = 500
/** Accounts closed at once (each its own transaction) per process. */
export const dayCloseConcurrency = 4
/** Days one run closes at most per workspace; the next run goes on (a workspace years behind catches up in steps). */
export const dayCloseDaysMax = 400
/** How often the live worker looks for days that have ended. */
export const dayClosePollMs = 60_000
/** Account metadata key (integer minor units): a monthly fee is waived for a cycle whose balance never fell below it. */
export const monthlyFeeWaiverKey = 'monthly_fee_waiver_min_balance'

/** The first day of the workspace not yet closed: the day after the cursor, or the day its first active account opened. */
async function firstOpenDay(sql: Sql, workspaceId: string): Promise<string | undefined> {
  const last = await lastClosedDay(sql, workspaceId)
  if (last) return nextDay(last)
  const [first] = await activeAccountsPage(sql, workspaceId, undefined, 1)
  return first ? easternDayOf(first.created_at) : undefined
}

/** When the workspace's next day close falls due, if at or before `until`. */
export async function nextDayClose(sql: Sql, workspaceId: string, until: Date): Promise<Date | undefined> {
  const day = await firstOpenDay(sql, workspaceId)
  if (!day) return undefined
  const end = endOfDay(day)
  return end.getTime() <= until.getTime() ? end : undefined
}

/** Closes every day of the workspace that has ended on its clock. Returns how many days. */
export async function closeDueDays(sql: Sql, clock: Clock, workspaceId: string): Promise<number> {
  return closeWorkspaceDays(sql, clock, workspaceId)
}

/**
 * The live worker's round: the days that have ended in every workspace, each workspace on its own
 * (eachWorkspace: one whose day close fails is logged, holds up no other, and goes on next round
 * from its first day not closed). Returns how many days were closed.
 */
export async function dayCloseRound(sql: Sql, clock: Clock, log: Logger): Promise<number> {
  const closed = await eachWorkspace('day close', (await listWorkspaces(sql)).map((w) => w.id), (id) => closeWorkspaceDays(sql, clock, id), log)
  return closed.reduce((a, b) => a + b, 0)
}

async function closeWorkspaceDays(sql: Sql, clock: Clock, id: string): Promise<number> {
  const ws = await findWorkspace(sql, id)
  if (!ws) return 0
  const partnerVerified = partnerVerifiedOf(ws)
  let closed = 0
  let day = await firstOpenDay(sql, id)
  for (let n = 0; day && n < dayCloseDaysMax && endOfDay(day).getTime() <= clock.now(id).getTime(); n++) {
    await closeDay(sql, id, day, partnerVerified)
    await markClosed(sql, id, day)
    closed++
    day = nextDay(day)
  }
  return closed
}

async function closeDay(sql: Sql, workspaceId: string, day: string, partnerVerified: boolean): Promise<void> {
  const end = endOfDay(day)
  const monthEnd = isMonthEnd(day)
  const products = new Map<string, Promise<{ interest?: ProductRow; fees: ProductRow[] }>>()
  const productsOf = (a: AccountRow) => {
    const key = `${a.interest_product_id}/${JSON.stringify(a.fields.fee_product_ids ?? [])}`
    if (!products.has(key)) products.set(key, productsOfAccount(sql, a))
    return products.get(key)!
  }
  let after: string | undefined
  for (;;) {
    const page = await activeAccountsPage(sql, workspaceId, after, dayClosePageSize)
    if (page.length === 0) return
    after = page[page.length - 1].id
    const owing = await accountsOwing(sql, workspaceId, page.map((a) => a.id))
    const due = page.filter((a) => a.created_at.getTime() < end.getTime() && (monthEnd || a.interest_product_id !== null || owing.has(a.id)))
    for (let i = 0; i < due.length; i += dayCloseConcurrency) {
      await Promise.all(due.slice(i, i + dayCloseConcurrency).map(async (a) => closeAccountDay(sql, a, day, end, monthEnd, await productsOf(a), partnerVerified)))
    }
    if (page.length < dayClosePageSize) return
  }
}

async function closeAccountDay(sql: Sql, account: AccountRow, day: string, end: Date, monthEnd: boolean, products: { interest?: ProductRow; fees: ProductRow[] }, partnerVerified: boolean): Promise<void> {
  const ws = account.workspace_id
  await sql.begin(async (tx) => {
    if (!(await claimAccountDay(tx, ws, account.id, day, end))) return
    // What the close posts is dated the last instant of the day it belongs to.
    const postAt = new Date(end.getTime() - 1)
    const balance = await postedBalanceAsOf(tx, ws, account.id, end)
    const accrual = products.interest ? await accrueDay(tx, { workspaceId: ws, accountId: account.id, day, balance, product: products.interest }) : { rateBps: 0, accruedMicro: 0n }
    await recordAccountDay(tx, ws, account.id, day, { balance, ...accrual })
    await collectOwedFees(tx, ws, account.id, postAt, partnerVerified)
    if (!monthEnd) return
    const ledger = await ledgerAccountAt(tx, ws, account.id, end)
    if (!ledger) return
    const monthStart = startOfDay(monthStartOf(day))
    // A first cycle starts at the midnight of the day the account opened (it has no entry before).
    const opened = startOfDay(easternDayOf(account.created_at))
    const start = opened.getTime() > monthStart.getTime() ? opened : monthStart
    if (products.interest) await payMonth(tx, { workspaceId: ws, accountId: account.id, currency: ledger.currency, product: products.interest, at: postAt, partnerVerified, month: day.slice(0, 7) })
    const monthly = products.fees.filter((f) => f.fields.fee_type === 'MONTHLY_FEE' && f.fields.currency === ledger.currency)
    if (monthly.length) {
      const opening = await postedBalanceAsOf(tx, ws, account.id, start)
      const { lowest } = await periodActivity(tx, ws, account.id, start, end, statementKinds)
      // The lowest balance the account held in the cycle: in a first cycle, from its first entry on
      // (it opened at zero, which would otherwise rule every first-cycle waiver out).
      const firstCycle = start.getTime() === opened.getTime()
      const lowestBalance = lowest === null ? opening : firstCycle || lowest < opening ? lowest : opening
      const threshold = (account.fields.metadata as Record<string, unknown> | undefined)?.[monthlyFeeWaiverKey]
      const waived = waivedByMinimumBalance(lowestBalance, Number.isSafeInteger(threshold) ? BigInt(threshold as number) : undefined)
      const daysHeld = daysBetween(easternDayOf(start), day) + 1
      for (const fee of waived ? [] : monthly) {
        const amount = proRated(BigInt(fee.fields.amount as number), daysHeld, daysInMonth(day))
        await chargeFee(tx, { workspaceId: ws, accountId: account.id, feeType: fee.fields.fee_type as FeeType, feeProductId: fee.id, amount, currency: ledger.currency, causeId: null }, postAt, partnerVerified)
      }
    }
    // The spec's statement is a depository account's (CHECKING, SAVING).
    if (statementAccountTypes.has(account.account_type)) await issueStatement(tx, { account, start, end, lastDay: day, interest: products.interest })
  })
}
