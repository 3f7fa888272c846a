// Internal accounts: the fintech's own accounts (funding, fees, settlement…). Every sandbox
// workspace has a funded "New Funding Account", as Synctera's sandbox does, so a newcomer can fund
// a customer account with one internal transfer.
//
// The funding account is created lazily and idempotently on first use (listing or reading internal
// accounts, or a transfer naming its id), not when the workspace is created: workspaces are made in
// several places (server first start, CLI, test harness) that need no knowledge of accounts, and a
// wipe deletes the account like every other, after which first use re-creates it, freshly funded,
// with the same id (derived from the workspace id), so scripts that saved the id keep working.

import type { Static } from 'typebox'
import type { Clock } from '../../platform/clock.js'
import type { Queryable, Sql, Tx } from '../../platform/db.js'
import { ApiError } from '../../platform/errors.js'
import { changedFields, recordEvent } from '../../platform/events.js'
import { sameJson } from '../../platform/objects.js'
import { nameBasedId, uuidv7 } from '../../platform/ids.js'
import { pageOf, readPage } from '../../platform/pagination.js'
import { parseSortBy, type SortKey } from '../../platform/sorting.js'
import type { Workspace } from '../../platform/workspaces.js'
import { internal_account, internal_account_patch, internal_account_response, type internal_account_post } from '../../spec/schemas.js'
import {
  balancesOf, closedStatus, insertLedgerAccount, insertLedgerAccountIfAbsent, ledgerAccountAt, ledgerAccountsAt, postOpeningBalance,
  transactableStatus, type LedgerAccountRow,
} from '../ledger-port.js'
import { bankRouting, newAccountNumber } from '../customer-accounts/service.js'
import { keepDeclared } from '../declared.js'
import { getInternalAccount, insertInternalAccount, listInternalAccounts, updateInternalAccount, workspaceMode, type InternalAccountRow } from './store.js'

type Json = Record<string, unknown>

/** What the sandbox funding account starts with: one billion dollars, in cents. */
export const sandboxFundingOpeningCents = 100_000_000_000n
export const sandboxFundingCurrency = 'USD'
const sandboxFundingDescription = 'New Funding Account'
/** The unbounded ledger account the sandbox's opening balance comes from (never shown by the API). */
const systemSourceAccountNumber = '000000000000'

/** The last workspace's funding account id: every card message names it, and a server mostly serves one workspace. */
let lastFunding = { workspaceId: '', id: '' }
export function sandboxFundingAccountId(workspaceId: string): string {
  if (lastFunding.workspaceId !== workspaceId) lastFunding = { workspaceId, id: nameBasedId(workspaceId, 'sandbox-funding-account') }
  return lastFunding.id
}
const systemSourceId = (workspaceId: string) => nameBasedId(workspaceId, 'sandbox-system-source')

/** What the fintech sets on its internal account; the rest of the response is the server's. */
const internalAccountServerSet = ['id', 'account_number', 'balances', 'bank_routing', 'creation_time', 'last_updated_time', 'status', 'currency']

export function toInternalAccount(row: InternalAccountRow, ledger: LedgerAccountRow): Json {
  return {
    // Only declared fields, whatever an older row holds.
    ...keepDeclared(internal_account_response, row.fields),
    id: row.id,
    status: 'ACTIVE',
    currency: ledger.currency,
    account_number: ledger.account_number,
    bank_routing: bankRouting,
    balances: balancesOf(ledger),
    creation_time: row.created_at.toISOString(),
    last_updated_time: row.updated_at.toISOString(),
  }
}

/**
 * Creates the sandbox workspace's funding account unless it exists, in its own transaction, and
 * funds it through the ledger from the system source. True when this call created it.
 */
export async function ensureSandboxFunding(sql: Sql, clock: Clock, workspaceId: string): Promise<boolean> {
  const id = sandboxFundingAccountId(workspaceId)
  if (await ledgerAccountAt(sql, workspaceId, id, clock.now(workspaceId))) return false
  return sql.begin(async (tx) => {
    if ((await workspaceMode(tx, workspaceId)) !== 'sandbox') return false
    const now = clock.now(workspaceId)
    const accountNumber = await newAccountNumber(tx, workspaceId)
    const created = await insertLedgerAccountIfAbsent(tx, {
      workspace_id: workspaceId, id, kind: 'INTERNAL', account_number: accountNumber, currency: sandboxFundingCurrency,
      status: transactableStatus, access_status: 'ACTIVE', floor: 0n, ceiling: null, created_at: now,
    })
    if (!created) return false
    await insertLedgerAccountIfAbsent(tx, {
      workspace_id: workspaceId, id: systemSourceId(workspaceId), kind: 'SYSTEM', account_number: systemSourceAccountNumber, currency: sandboxFundingCurrency,
      status: transactableStatus, access_status: 'ACTIVE', floor: null, ceiling: null, created_at: now,
    })
    const row: InternalAccountRow = {
      workspace_id: workspaceId, id, is_sandbox_funding: true,
      fields: { account_type: 'NEW_FUNDING_ACCOUNT', description: sandboxFundingDescription, purpose: 'CORE', gl_type: 'ASSET', is_system_acc: false },
      created_at: now, updated_at: now,
    }
    await insertInternalAccount(tx, row)
    const refused = await postOpeningBalance(tx, { workspaceId, from: systemSourceId(workspaceId), to: id, amount: sandboxFundingOpeningCents, currency: sandboxFundingCurrency }, now)
    if (refused) throw new Error(`funding the sandbox account failed: ${refused}`)
    const ledger = (await ledgerAccountAt(tx, workspaceId, id, now))!
    await recordEvent(tx, { at: now, workspaceId, type: 'INTERNAL_ACCOUNT.CREATED', resourceId: id, resource: toInternalAccount(row, ledger) })
    return true
  }) as Promise<boolean>
}

/** The sandbox funding account, created on first use (see the top of this file). */
export const ensureFundingFor = (sql: Sql, clock: Clock, workspace: Workspace): Promise<boolean> =>
  workspace.mode === 'sandbox' ? ensureSandboxFunding(sql, clock, workspace.id) : Promise.resolve(false)

/** An internal account as shown at `now`: its balances count no hold past its expiry. */
const view = async (db: Queryable, row: InternalAccountRow, now: Date) => toInternalAccount(row, (await ledgerAccountAt(db, row.workspace_id, row.id, now))!)

/** A new internal account of the fintech's: it may not go below zero, and has no ceiling. */
export async function addInternalAccount(tx: Tx, workspace: Workspace, body: Static<typeof internal_account_post>, now: Date): Promise<Json> {
  const currency = body.currency
  // Only what internal_account declares is kept (the spec's post schema allows anything else).
  const req: Json = keepDeclared(internal_account, body)
  for (const f of internalAccountServerSet) delete req[f]
  const id = uuidv7()
  await insertLedgerAccount(tx, {
    workspace_id: workspace.id, id, kind: 'INTERNAL', account_number: await newAccountNumber(tx, workspace.id), currency,
    status: transactableStatus, access_status: 'ACTIVE', floor: 0n, ceiling: null, created_at: now,
  })
  const row: InternalAccountRow = { workspace_id: workspace.id, id, is_sandbox_funding: false, fields: { is_system_acc: false, ...req }, created_at: now, updated_at: now }
  await insertInternalAccount(tx, row)
  const resource = await view(tx, row, now)
  await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'INTERNAL_ACCOUNT.CREATED', resourceId: id, resource })
  return resource
}

export async function readInternalAccount(sql: Sql, clock: Clock, workspace: Workspace, id: string): Promise<Json> {
  if (id === sandboxFundingAccountId(workspace.id)) await ensureFundingFor(sql, clock, workspace)
  const row = await getInternalAccount(sql, workspace.id, id)
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `internal account ${id} not found`)
  return view(sql, row, clock.now(workspace.id))
}

/**
 * What `sort_by` may name of an internal account (the spec leaves them open: "field:asc|desc,…"):
 * its scalar fields as the API shows them, `account_id` for its id as the spec's example writes it.
 */
const internalSortFields = {
  id: 'id', account_id: 'id', account_number: 'account_number', account_type: 'account_type', description: 'description', currency: 'currency',
  status: 'status', gl_type: 'gl_type', purpose: 'purpose', is_system_acc: 'is_system_acc', creation_time: 'creation_time', last_updated_time: 'last_updated_time',
} as const
/** Internal accounts a workspace may have for a sorted list to be read whole and sorted as shown (a handful in practice: the bank's own). */
const internalSortedMax = 10_000

export async function internalAccountPage(sql: Sql, clock: Clock, workspace: Workspace, query: { id?: string[]; limit?: number; page_token?: string; sort_by?: string }): Promise<Json> {
  await ensureFundingFor(sql, clock, workspace)
  const page = readPage(query)
  const order = parseSortBy(query.sort_by?.split(','), internalSortFields)
  const now = clock.now(workspace.id)
  const render = async (rows: InternalAccountRow[]) => {
    const ledgers = new Map((await ledgerAccountsAt(sql, workspace.id, rows.map((r) => r.id), now)).map((l) => [l.id, l]))
    return rows.map((r) => toInternalAccount(r, ledgers.get(r.id)!))
  }
  if (order.length === 0) {
    const { items, next_page_token } = pageOf(await listInternalAccounts(sql, workspace.id, query, page), page.limit)
    return { internal_accounts: await render(items), ...(next_page_token ? { next_page_token } : {}) }
  }
  // Sorted by what the list shows (ledger figures among it), then by id: read whole, then cut after the page token's account.
  const all = await listInternalAccounts(sql, workspace.id, query, { limit: internalSortedMax, afterId: undefined })
  if (all.length > internalSortedMax) throw new ApiError('BAD_QUERY_PARAMETER', `sort_by sorts at most ${internalSortedMax} internal accounts; filter by id`)
  const sorted = (await render(all)).sort((a, b) => compareBy(order, a, b))
  const start = page.afterId === undefined ? 0 : sorted.findIndex((a) => a.id === page.afterId) + 1
  const { items, next_page_token } = pageOf(sorted.slice(start, start + page.limit + 1) as (Json & { id: string })[], page.limit)
  return { internal_accounts: items, ...(next_page_token ? { next_page_token } : {}) }
}

/** Two internal accounts as shown, by the sort's keys, then by id; a field one of them lacks comes last. */
function compareBy(order: SortKey<string>[], a: Json, b: Json): number {
  for (const { key, descending } of order) {
    const [x, y] = [a[key], b[key]]
    if (x === y) continue
    if (x === undefined || x === null) return 1
    if (y === undefined || y === null) return -1
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1
    return descending ? -c : c
  }
  return String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0
}

/** A PATCH: only the fields internal_account_patch declares change, and none of a CLOSED internal account. */
export async function patchInternalAccount(tx: Tx, workspace: Workspace, id: string, body: Static<typeof internal_account_patch>, now: Date): Promise<Json> {
  const row = await getInternalAccount(tx, workspace.id, id, true)
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `internal account ${id} not found`)
  const ledger = (await ledgerAccountAt(tx, workspace.id, id, now))!
  // No operation closes an internal account yet (the spec shows one only ACTIVE); one its ledger
  // account holds CLOSED changes no more, as a customer account (its PATCH answers 461).
  if (ledger.status === closedStatus) throw new ApiError('ACCOUNT_CLOSED', `internal account ${id} is closed; it cannot change`)
  const before = toInternalAccount(row, ledger)
  const fields = { ...keepDeclared(internal_account_response, row.fields), ...keepDeclared(internal_account_patch, body) }
  // A request that changes nothing is answered with the account as it is: no write, no event, no new time.
  if (sameJson(row.fields, fields)) return before
  const updated: InternalAccountRow = { ...row, fields, updated_at: now }
  await updateInternalAccount(tx, updated)
  const resource = await view(tx, updated, now)
  await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'INTERNAL_ACCOUNT.UPDATED', resourceId: row.id, resource, changedFields: changedFields(before, resource) })
  return resource
}
