// Settlement of outgoing entries, at their window's settlement time on the workspace clock:
// - a credit captures the reservation made at origination (the money leaves for the Fed);
// - a debit's funds arrive from the Fed, with, when asked, a hold on them until their availability
//   time (a pending record that the clock expires then, releasing them);
// - a return Keel sent moves nothing here: the entry it returns never posted;
// - a dishonored return or a contested dishonored return Keel sent takes out of the suspense account
//   what the entry it answers brought in (returns.ts).
// One ledger request per entry, each all or nothing, with the entry's row and events. The account's
// ACH_FEE products are charged in the same group (src/fees/); a fee the account cannot pay is owed
// and the entry settles without it.

import type { Clock } from '../platform/clock.js'
import type { Tx } from '../platform/db.js'
import { recordEvents, type EventInput } from '../platform/events.js'
import { uuidv7 } from '../platform/ids.js'
import { getAccount } from '../accounts/index.js'
import { recordOwed, transactionFees, type FeeCharge } from '../fees/index.js'
import { pendingCreatedEvents, postedEvents, settledHoldEvents, type LedgerCommand, type LedgerRequest } from '../ledger/index.js'
import { achCurrency, achMeta, applyAch, ensureSettlementAccount, ensureSuspenseAccount, saveOutgoing } from './ledger.js'
import { outgoingToSettle, setFileStatus, settledFiles, type OutgoingRow } from './store.js'

/** Settles the workspace's sent entries due by its clock's time; returns how many. */
export async function settleDue(tx: Tx, clock: Clock, workspaceId: string): Promise<number> {
  const now = clock.now(workspaceId)
  const due = await outgoingToSettle(tx, workspaceId, now)
  if (due.length === 0) return 0
  const settlement = await ensureSettlementAccount(tx, workspaceId, now)
  const suspense = due.some((r) => r.kind === 'DISHONOR' || r.kind === 'CONTEST') ? await ensureSuspenseAccount(tx, workspaceId, now) : ''
  const plans = due.map((row) => ({ row, ...commandsOf(row, settlement, suspense, now), fees: { commands: [] as LedgerCommand[], owedIfRefused: [] as FeeCharge[] } }))
  for (const p of plans) {
    const account = p.commands.length && p.row.kind === 'ORIGINATION' && p.row.source_account_id ? await getAccount(tx, workspaceId, p.row.source_account_id) : undefined
    if (account) p.fees = await transactionFees(tx, { workspaceId, account, feeType: 'ACH_FEE', currency: achCurrency, causeId: p.row.id, now })
  }
  const moving = plans.filter((p) => p.commands.length)
  const requestOf = (commands: LedgerCommand[]): LedgerRequest => ({ workspaceId, now, partnerVerified: true, commands })
  const results = await applyAch(tx, clock, moving.map((p) => requestOf([...p.commands, ...p.fees.commands])))
  // An entry whose fees the account cannot pay settles without them; the fees are owed.
  const unpaid = moving.flatMap((p, i) => {
    const r = results[i]
    return !r.ok && r.code === 'insufficient_funds' && r.index >= p.commands.length ? [i] : []
  })
  if (unpaid.length) {
    const retried = await applyAch(tx, clock, unpaid.map((i) => requestOf(moving[i].commands)))
    for (const [n, i] of unpaid.entries()) {
      results[i] = retried[n]
      if (retried[n].ok) await recordOwed(tx, moving[i].fees.owedIfRefused, now)
    }
  }
  const events: EventInput[] = []
  let k = 0
  for (const p of plans) {
    const after: OutgoingRow = { ...p.row, updated_at: now, status: 'COMPLETE' }
    if (p.commands.length) {
      const result = results[k++]
      if (!result.ok) {
        // The account can no longer take the funds (closed, frozen): the entry does not complete.
        after.status = 'DECLINED'
      } else {
        for (const t of result.transfers) events.push(...postedEvents(t))
        if (p.row.dc_sign === 'credit' && p.row.ledger_hold_id) events.push(...settledHoldEvents(result.holds.get(p.row.ledger_hold_id)!))
        after.settlement_transfer_id = p.settlementId ?? null
        if (p.availabilityHoldId) {
          after.availability_hold_id = p.availabilityHoldId
          events.push(...pendingCreatedEvents(result.holds.get(p.availabilityHoldId)!))
        }
      }
    }
    await saveOutgoing(tx, after)
  }
  const files = [...new Set(due.flatMap((r) => (r.file_id ? [r.file_id] : [])))]
  for (const f of await settledFiles(tx, workspaceId, files)) await setFileStatus(tx, workspaceId, f, 'SETTLED')
  await Promise.all(recordEvents(tx, events))
  return due.length
}

function commandsOf(row: OutgoingRow, settlement: string, suspense: string, now: Date): { commands: LedgerCommand[]; settlementId?: string; availabilityHoldId?: string } {
  if (row.kind === 'RETURN') return { commands: [] }
  if (row.kind === 'DISHONOR' || row.kind === 'CONTEST') {
    // What the suspense account held since the entry was received leaves with it (returns.ts).
    if (row.amount === 0n) return { commands: [] }
    const settlementId = uuidv7()
    const s = row.dc_sign === 'credit' ? 1n : -1n
    return {
      settlementId,
      commands: [{
        id: settlementId, kind: 'post', meta: achMeta(row.dc_sign === 'credit' ? 'INCOMING_CREDIT' : 'INCOMING_DEBIT', row, { suspense: true, return_code: row.return_code }),
        legs: [{ accountId: suspense, amount: -s * row.amount, currency: achCurrency }, { accountId: settlement, amount: s * row.amount, currency: achCurrency }],
      }],
    }
  }
  const settlementId = uuidv7()
  if (row.dc_sign === 'credit') {
    return { settlementId, commands: [{ id: settlementId, kind: 'post_pending', pendingId: row.ledger_hold_id!, final: true, meta: achMeta('OUTGOING_CREDIT', row) }] }
  }
  const commands: LedgerCommand[] = [{
    id: settlementId, kind: 'post', meta: achMeta('OUTGOING_DEBIT', row),
    legs: [{ accountId: settlement, amount: -row.amount, currency: achCurrency }, { accountId: row.source_account_id!, amount: row.amount, currency: achCurrency }],
  }]
  const availableAt = row.hold ? new Date(row.hold.availability_time) : now
  if (row.hold && row.hold.amount > 0 && availableAt.getTime() > now.getTime()) {
    const availabilityHoldId = uuidv7()
    commands.push({
      id: availabilityHoldId, kind: 'pending', debitAccountId: row.source_account_id!, creditAccountId: settlement, amount: BigInt(row.hold.amount),
      currency: achCurrency, expiresAt: availableAt, meta: achMeta('OUTGOING_DEBIT', row, { availability_hold: true }),
    })
    return { commands, settlementId, availabilityHoldId }
  }
  return { commands, settlementId }
}
