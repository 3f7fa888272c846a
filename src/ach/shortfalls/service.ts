// A settled debit Keel originated, returned after the account spent its money. A bank takes the
// return anyway; the ledger keeps every account at or above its floor. So, in the transaction that
// applies the return, through the ledger API, one linked group:
// - the account's availability hold (if still on) is released;
// - the account gives back what it has above its floor;
// - the rest comes from the bank's ACH returns receivable account (SYSTEM, no floor);
// and the account owes that rest (ach_shortfalls). What is owed is collected, oldest first, at the
// end of each US Eastern day from what the account then has above its floor (the ACH due work),
// moving it back to the receivable account, until nothing is owed.

import { assert } from '../../platform/assert.js'
import type { Clock } from '../../platform/clock.js'
import type { Tx } from '../../platform/db.js'
import { recordEvents, type EventInput } from '../../platform/events.js'
import { uuidv7 } from '../../platform/ids.js'
import { expiredStatements, lockAccountsForChange, postedEvents, settledHoldEvents, type LedgerCommand, type LedgerResult } from '../../ledger/index.js'
import { easternDayOf, endOfDay } from '../../statements/calendar.js'
import { achCurrency, achMeta, applyAch, ensureReceivableAccount, ensureSettlementAccount } from '../ledger.js'
import type { OutgoingRow } from '../store.js'
import { accountsWithShortfallDue, insertShortfall, lockOpenShortfalls, updateShortfall } from './store.js'

/** Accounts whose shortfalls one run collects at most; the rest stay due and the next run takes them. */
export const shortfallAccountsPerRunMax = 500

/** The end of the Eastern day after `at`'s: when a shortfall is next collected. */
export const nextCollectionAfter = (at: Date): Date => endOfDay(easternDayOf(at))

/** What of `amount` an account can give now without going below its floor (all of it without a floor). */
export function coverable(amount: bigint, account: { posted: bigint; held: bigint; floor: bigint | null }, released = 0n): bigint {
  if (account.floor === null) return amount
  const room = account.posted - (account.held - released) - account.floor
  return room <= 0n ? 0n : room < amount ? room : amount
}

/**
 * Takes back a settled debit `original` whose return the account cannot cover in full. `hold` is
 * its availability hold to release in the same group, if still on. Returns the ledger's result, the
 * id of the record that names the return, and what the account owes.
 */
export async function takeBackWithShortfall(tx: Tx, clock: Clock, original: OutgoingRow, code: string, hold: { id: string; amount: bigint } | undefined, now: Date): Promise<{ result: LedgerResult; reversalId: string; shortfall: bigint }> {
  const ws = original.workspace_id
  const accountId = original.source_account_id!
  const settlement = await ensureSettlementAccount(tx, ws, now)
  const receivable = await ensureReceivableAccount(tx, ws, now)
  const locked = (await lockAccountsForChange(tx, ws, [accountId], now, { expiredStatements })).get(accountId)
  const covered = locked ? coverable(original.amount, locked, hold?.amount ?? 0n) : 0n
  const shortfall = original.amount - covered
  assert(covered >= 0n && shortfall >= 0n && covered + shortfall === original.amount, 'a return is covered by the account and the receivable account, to the cent')
  const meta = achMeta('OUTGOING_DEBIT', original, { return_code: code })
  const reversalId = uuidv7()
  const commands: LedgerCommand[] = []
  if (hold) commands.push({ id: uuidv7(), kind: 'void_pending', pendingId: hold.id, meta })
  if (covered > 0n) commands.push({ id: reversalId, kind: 'post', meta, legs: [{ accountId, amount: -covered, currency: achCurrency }, { accountId: settlement, amount: covered, currency: achCurrency }] })
  if (shortfall > 0n) {
    commands.push({
      id: covered > 0n ? uuidv7() : reversalId, kind: 'post', meta: achMeta('OUTGOING_DEBIT', original, { return_code: code, shortfall: true }),
      legs: [{ accountId: receivable, amount: -shortfall, currency: achCurrency }, { accountId: settlement, amount: shortfall, currency: achCurrency }],
    })
  }
  const [result] = await applyAch(tx, clock, [{ workspaceId: ws, now, partnerVerified: true, commands }])
  if (result.ok && shortfall > 0n) {
    await insertShortfall(tx, {
      workspace_id: ws, id: uuidv7(), account_id: accountId, outgoing_ach_id: original.id, trace_no: original.trace_no, currency: achCurrency,
      amount: shortfall, remaining: shortfall, next_collection_at: nextCollectionAfter(now), created_at: now, updated_at: now,
    })
  }
  return { result, reversalId, shortfall }
}

/** Collects what accounts owe for returned debits, due by the workspace clock's time. Returns what was collected. */
export async function collectShortfallsDue(tx: Tx, clock: Clock, workspaceId: string): Promise<bigint> {
  const now = clock.now(workspaceId)
  const accounts = await accountsWithShortfallDue(tx, workspaceId, now, shortfallAccountsPerRunMax)
  if (accounts.length === 0) return 0n
  const receivable = await ensureReceivableAccount(tx, workspaceId, now)
  const events: EventInput[] = []
  let collected = 0n
  for (const accountId of accounts) {
    for (const debt of await lockOpenShortfalls(tx, workspaceId, accountId)) {
      if (debt.next_collection_at.getTime() > now.getTime()) continue
      const locked = (await lockAccountsForChange(tx, workspaceId, [accountId], now, { expiredStatements })).get(accountId)
      const take = locked ? coverable(debt.remaining, locked) : 0n
      assert(take <= debt.remaining, 'a collection takes no more than is owed')
      let remaining = debt.remaining
      if (take > 0n) {
        const [result] = await applyAch(tx, clock, [{
          workspaceId, now, partnerVerified: true,
          commands: [{
            id: uuidv7(), kind: 'post',
            meta: { ...achMeta('OUTGOING_DEBIT', { id: debt.outgoing_ach_id, trace_no: debt.trace_no, memo: `ACH return shortfall, owed since ${easternDayOf(debt.created_at)}` }, { shortfall_collection: true }) },
            legs: [{ accountId, amount: -take, currency: debt.currency }, { accountId: receivable, amount: take, currency: debt.currency }],
          }],
        }])
        if (result.ok) {
          events.push(...result.transfers.flatMap(postedEvents))
          for (const h of result.holds.values()) if (h.status !== 'PENDING') events.push(...settledHoldEvents(h))
          remaining -= take
          collected += take
        }
      }
      await updateShortfall(tx, { workspace_id: workspaceId, id: debt.id, remaining, next_collection_at: remaining > 0n ? nextCollectionAfter(now) : debt.next_collection_at, updated_at: now })
    }
  }
  await Promise.all(recordEvents(tx, events))
  return collected
}
