// Applying incoming entries, in the caller's transaction, each on its own:
// - a credit or a debit posts to the account its account number names, against the settlement
//   account; one the ledger refuses (no such account R03, closed R02, frozen R16, not enough funds
//   R01…) or the fintech's gateway declines is returned in Keel's next outgoing file;
// - a prenote checks the account and moves nothing;
// - a return of an entry Keel sent reverses it (returns.ts);
// - a notification of change corrects the external account Keel sent it to.

import type { Tx } from '../../platform/db.js'
import type { Services } from '../../platform/http.js'
import { recordEvents, type EventInput } from '../../platform/events.js'
import { uuidv7 } from '../../platform/ids.js'
import { inLanes } from '../../platform/lanes.js'
import { ledgerAccountByNumber, ledgerAccountsByNumbers, postedEvents, type LedgerCommand, type LedgerRequest } from '../../ledger/index.js'
import { achCurrency, achMeta, applyAch, ensureSettlementAccount, returnCodeOf } from '../ledger.js'
import { achSettings, odfiSettings } from '../settings.js'
import { activeGateway, updateIncoming, type IncomingRow } from '../store.js'
import { askGateway, declineReturnCode, type GatewayOutcome } from '../gateways/decide.js'
import { applyNoc, applyReturn } from './returns.js'
import { sendBack } from './send-back.js'

/** At most this many debits of one file are offered to the gateway; the rest take its default decision. */
export const gatewayOffersPerFileMax = 100
/** Debits offered to the gateway at once: a file of them waits about its max_wait_ms per this many, not per debit. */
export const gatewayOffersAtOnceMax = 8

/** Asks the workspace's gateway (if any) about the plain debits among `entries`, one at a time. */
export async function gatewayDecisions(services: Services, workspaceId: string, entries: IncomingRow[]): Promise<Map<string, GatewayOutcome>> {
  const decisions = new Map<string, GatewayOutcome>()
  const debits = entries.filter((e) => e.dc_sign === 'debit' && !e.is_prenote && !e.return_data && !e.notification_of_change)
  if (debits.length === 0) return decisions
  const gateway = await activeGateway(services.sql, workspaceId)
  if (!gateway) return decisions
  const offered = debits.slice(0, gatewayOffersPerFileMax)
  const accounts = new Map((await ledgerAccountsByNumbers(services.sql, workspaceId, [...new Set(offered.map((e) => e.account_no))])).map((a) => [a.account_number, a]))
  await inLanes(offered, gatewayOffersAtOnceMax, async (e) => {
    const account = accounts.get(e.account_no)
    if (!account || account.kind !== 'ACCOUNT') return
    decisions.set(e.id, await askGateway(services, gateway, {
      id: e.id, account_id: account.id, account_no: e.account_no, amount: Number(e.amount), dc_sign: 'debit', sec_code: e.sec_code,
      company_name: e.company_name, company_entry_description: e.company_entry_description, originating_routing_number: e.originating_routing_number,
      trace_no: e.trace_no, effective_date: e.effective_date,
    }))
  })
  return decisions
}

/** Applies entries due now; returns them as they are after. */
export async function applyIncoming(tx: Tx, services: Services, workspaceId: string, entries: IncomingRow[], decisions: Map<string, GatewayOutcome>): Promise<IncomingRow[]> {
  if (entries.length === 0) return []
  const now = services.clock.now(workspaceId)
  const settlement = await ensureSettlementAccount(tx, workspaceId, now)
  const timeoutDeclines = (await achSettings(tx, workspaceId)).gatewayTimeoutDecision === 'DECLINE'
  const events: EventInput[] = []
  const done: IncomingRow[] = []
  const toPost: { row: IncomingRow; accountId: string; transferId: string }[] = []
  const returned: { row: IncomingRow; code: string; reason: string }[] = []

  for (const row of entries) {
    if (row.return_data) { done.push(await applyReturn(tx, services, row, events)); continue }
    if (row.notification_of_change) { done.push(await applyNoc(tx, services, row)); continue }
    const account = await ledgerAccountByNumber(tx, workspaceId, row.account_no)
    if (!account || account.kind !== 'ACCOUNT') { returned.push({ row, code: 'R03', reason: `no account numbered ${row.account_no}` }); continue }
    const decision = decisions.get(row.id)
    if (decision?.decision === 'DECLINED' || (decision?.decision === 'DEFAULT' && timeoutDeclines)) {
      const why = decision.decision === 'DECLINED' ? `declined by the ACH gateway (${decision.detail})` : `the ACH gateway gave no decision (${decision.detail}); the workspace's time-out decision is DECLINE`
      returned.push({ row: { ...row, account_id: account.id }, code: declineReturnCode(row.sec_code), reason: why })
      continue
    }
    toPost.push({ row: { ...row, account_id: account.id }, accountId: account.id, transferId: uuidv7() })
  }

  // Prenotes (and zero-dollar entries) move nothing: only the account's state is checked.
  const requests: LedgerRequest[] = toPost.map(({ row, accountId, transferId }) => {
    const amount = row.amount
    const sign = row.dc_sign === 'credit' ? 1n : -1n
    const command: LedgerCommand = {
      id: transferId, kind: 'post', meta: achMeta(row.dc_sign === 'credit' ? 'INCOMING_CREDIT' : 'INCOMING_DEBIT', { id: row.id, trace_no: row.trace_no, memo: row.company_entry_description }),
      legs: [{ accountId: settlement, amount: -sign * amount, currency: achCurrency }, { accountId, amount: sign * amount, currency: achCurrency }],
    }
    return { workspaceId, now, partnerVerified: true, commands: [command] }
  })
  const prenoteChecks = toPost.map((p) => p.row.is_prenote || p.row.amount === 0n)
  const results = await applyAch(tx, services.clock, requests.filter((_r, i) => !prenoteChecks[i]))
  let k = 0
  for (const p of toPost) {
    if (p.row.is_prenote || p.row.amount === 0n) {
      const account = (await ledgerAccountByNumber(tx, workspaceId, p.row.account_no))!
      if (account.status === 'CLOSED') returned.push({ row: p.row, code: 'R02', reason: 'the account is closed' })
      else if (account.access_status === 'FROZEN') returned.push({ row: p.row, code: 'R16', reason: 'the account is frozen' })
      else done.push({ ...p.row, status: 'POSTED', updated_at: now })
      continue
    }
    const result = results[k++]
    if (!result.ok) { returned.push({ row: p.row, code: returnCodeOf(result.code), reason: result.detail }); continue }
    events.push(...result.transfers.flatMap(postedEvents))
    done.push({ ...p.row, status: 'POSTED', external_id: p.transferId, updated_at: now })
  }

  for (const r of returned) done.push(await returnEntry(tx, services, r.row, r.code, r.reason, now))
  for (const row of done) await updateIncoming(tx, row)
  await Promise.all(recordEvents(tx, events))
  return done
}

/** Returns an incoming entry: a RETURN entry in Keel's next outgoing file, and the entry RETURNED. */
async function returnEntry(tx: Tx, services: Services, row: IncomingRow, code: string, reason: string, now: Date): Promise<IncomingRow> {
  const odfi = await odfiSettings(tx, row.workspace_id)
  await sendBack(tx, services, row, { kind: 'RETURN', code, reason, originalTrace: row.trace_no, returnData: { code, original_dfi_no: odfi.odfiRouting, original_trace: row.trace_no } })
  return { ...row, status: 'RETURNED', decline_reason: `${code}: ${reason}`, outgoing_ach_id: null, updated_at: now }
}
