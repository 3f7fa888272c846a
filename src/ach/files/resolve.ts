// Resolving an incoming entry IN_SUSPENSE (POST /v0/ach/incoming/{id}/resolve, `keel ach resolve`):
// an entry Keel had to take back after its return was dishonored, but could not post to its account,
// so its money waits in the ACH suspense account (returns.ts). The bank decides:
// - POST: the money goes to a customer account it names (the entry becomes POSTED there);
// - RETURN: the entry is returned again in Keel's next outgoing file (RETURNED), and what suspense
//   held goes back to the settlement account, as for any entry Keel returns without posting it.
// One transaction: the ledger's records, the entry's row, the return Keel sends, and the events.

import type { Tx } from '../../platform/db.js'
import { ApiError, badBody } from '../../platform/errors.js'
import type { Services } from '../../platform/http.js'
import { recordEvents } from '../../platform/events.js'
import { isUuid, uuidv7 } from '../../platform/ids.js'
import { getAccount } from '../../accounts/index.js'
import { postedEvents } from '../../ledger/index.js'
import { returnCodes } from '../nacha/index.js'
import { achCurrency, achError, achMeta, applyAch, ensureSettlementAccount, ensureSuspenseAccount } from '../ledger.js'
import { odfiSettings } from '../settings.js'
import { getIncoming, latestReturnOfIncoming, updateIncoming, type IncomingRow } from '../store.js'
import { sendBack } from './send-back.js'

export type Resolution = { action: 'POST'; accountId: string } | { action: 'RETURN'; returnCode?: string }

/** Reads a resolve request's body: 400 naming each field that is wrong, missing or unknown. */
export function readResolution(body: unknown): Resolution {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badBody('send a JSON object: {"action": "POST", "account_id": …} or {"action": "RETURN"}')
  const b = body as Record<string, unknown>
  const invalid: Record<string, string> = {}
  const allowed = b.action === 'POST' ? ['action', 'account_id'] : b.action === 'RETURN' ? ['action', 'return_code'] : ['action']
  for (const k of Object.keys(b)) if (!allowed.includes(k)) invalid[k] = b.action === 'POST' || b.action === 'RETURN' ? `not a field of action ${b.action}` : 'unknown field'
  if (b.action === undefined) throw badBody('action is required: POST or RETURN', { missing: ['action'], invalid })
  if (b.action !== 'POST' && b.action !== 'RETURN') invalid.action = 'POST or RETURN'
  if (b.action === 'POST') {
    if (b.account_id === undefined) throw badBody('account_id is required to post the entry', { missing: ['account_id'], invalid })
    if (typeof b.account_id !== 'string' || !isUuid(b.account_id)) invalid.account_id = 'an account id (uuid)'
  }
  if (b.action === 'RETURN' && b.return_code !== undefined && (typeof b.return_code !== 'string' || returnCodes.get(b.return_code)?.kind !== 'return')) {
    invalid.return_code = 'a NACHA return reason code of a return, such as R03'
  }
  if (Object.keys(invalid).length) throw badBody('the resolution is invalid', { invalid })
  return b.action === 'POST' ? { action: 'POST', accountId: b.account_id as string } : { action: 'RETURN', ...(b.return_code ? { returnCode: b.return_code as string } : {}) }
}

/** Resolves an entry IN_SUSPENSE; returns it as it is after. 404 unknown, 422 not IN_SUSPENSE or refused by the ledger. */
export async function resolveSuspense(tx: Tx, services: Services, workspaceId: string, id: string, r: Resolution): Promise<IncomingRow> {
  const row = isUuid(id) ? await getIncoming(tx, workspaceId, id, true) : undefined
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `incoming ACH ${id} not found`)
  if (row.status !== 'IN_SUSPENSE') throw new ApiError('INVALID_STATUS', `incoming ACH ${id} is ${row.status}: only an entry IN_SUSPENSE can be resolved`)
  const now = services.clock.now(workspaceId)
  const suspense = await ensureSuspenseAccount(tx, workspaceId, now)
  // +1: the entry brought money to Keel (a credit), -1: it takes some (a debit).
  const s = row.dc_sign === 'credit' ? 1n : -1n
  const moves = row.amount > 0n && !row.is_prenote && row.external_id !== null
  const type = row.dc_sign === 'credit' ? 'INCOMING_CREDIT' : 'INCOMING_DEBIT'

  if (r.action === 'POST') {
    const account = await getAccount(tx, workspaceId, r.accountId)
    if (!account) throw new ApiError('ACCOUNT_NOT_FOUND', `account ${r.accountId} not found`)
    let transferId: string | null = null
    if (moves) {
      transferId = uuidv7()
      const [result] = await applyAch(tx, services.clock, [{
        workspaceId, now, partnerVerified: true,
        commands: [{ id: transferId, kind: 'post', meta: achMeta(type, { id: row.id, trace_no: row.trace_no, memo: row.company_entry_description }, { resolved_from_suspense: true }), legs: [{ accountId: suspense, amount: -s * row.amount, currency: achCurrency }, { accountId: account.id, amount: s * row.amount, currency: achCurrency }] }],
      }])
      if (!result.ok) throw achError(result.code, result.detail)
      await Promise.all(recordEvents(tx, result.transfers.flatMap(postedEvents)))
    }
    // decline_reason stays: the spec's "why this entry did not post … when first processed" (as when a dishonor is taken back).
    const after: IncomingRow = { ...row, status: 'POSTED', account_id: account.id, external_id: transferId ?? row.external_id, updated_at: now }
    await updateIncoming(tx, after)
    return after
  }

  const code = r.returnCode ?? (await latestReturnOfIncoming(tx, workspaceId, row.id))?.return_code
  if (!code) throw badBody('this entry was never returned: name the return_code to return it with', { missing: ['return_code'] })
  if (moves) {
    const settlement = await ensureSettlementAccount(tx, workspaceId, now)
    const [result] = await applyAch(tx, services.clock, [{
      workspaceId, now, partnerVerified: true,
      commands: [{ id: uuidv7(), kind: 'post', meta: achMeta(type, { id: row.id, trace_no: row.trace_no, memo: 'ACH suspense' }, { suspense: true, return_code: code }), legs: [{ accountId: suspense, amount: -s * row.amount, currency: achCurrency }, { accountId: settlement, amount: s * row.amount, currency: achCurrency }] }],
    }])
    // The suspense and settlement accounts have no floor and no ceiling: the ledger cannot refuse this.
    if (!result.ok) throw new Error(`ACH suspense release refused: ${result.code} ${result.detail}`)
    await Promise.all(recordEvents(tx, result.transfers.flatMap(postedEvents)))
  }
  const odfi = await odfiSettings(tx, workspaceId)
  const reason = 'returned from suspense by the bank'
  await sendBack(tx, services, row, { kind: 'RETURN', code, reason, originalTrace: row.trace_no, returnData: { code, original_dfi_no: odfi.odfiRouting, original_trace: row.trace_no } })
  const after: IncomingRow = { ...row, status: 'RETURNED', decline_reason: `${code}: ${reason}`, updated_at: now }
  await updateIncoming(tx, after)
  return after
}
