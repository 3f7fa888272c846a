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
import { nameBasedId, uuidv7 } from '../../platform/ids.js'
import { pageOf, readPage } from '../../platform/pagination.js'
import type { Workspace } from '../../platform/workspaces.js'
import { internal_account, internal_account_patch, internal_account_response, type internal_account_post } from '../../spec/schemas.js'
import {
  balancesOf, insertLedgerAccount, insertLedgerAccountIfAbsent, ledgerAccountAt, ledgerAccountsAt, postOpeningBalance,
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

export async function internalAccountPage(sql: Sql, clock: Clock, workspace: Workspace, query: { id?: string[]; limit?: number; page_token?: string }): Promise<Json> {
  await ensureFundingFor(sql, clock, workspace)
  const page = readPage(query)
  const rows = await listInternalAccounts(sql, workspace.id, query, page)
  const { items, next_page_token } = pageOf(rows, page.limit)
  const ledgers = new Map((await ledgerAccountsAt(sql, workspace.id, items.map((r) => r.id), clock.now(workspace.id))).map((l) => [l.id, l]))
  return { internal_accounts: items.map((r) => toInternalAccount(r, ledgers.get(r.id)!)), ...(next_page_token ? { next_page_token } : {}) }
}

/** A PATCH: only the fields internal_account_patch declares change. */
export async function patchInternalAccount(tx: Tx, workspace: Workspace, id: string, body: Static<typeof internal_account_patch>, now: Date): Promise<Json> {
  const row = await getInternalAccount(tx, workspace.id, id, true)
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `internal account ${id} not found`)
  const before = await view(tx, row, now)
  const fields = { ...keepDeclared(internal_account_response, row.fields), ...keepDeclared(internal_account_patch, body) }
  const updated: InternalAccountRow = { ...row, fields, updated_at: now }
  await updateInternalAccount(tx, updated)
  const resource = await view(tx, updated, now)
  await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'INTERNAL_ACCOUNT.UPDATED', resourceId: row.id, resource, changedFields: changedFields(before, resource) })
  return resource
}
