// Internal accounts: the fintech's own accounts (funding, fees, settlement…). Every sandbox
// workspace has a funded "New Funding Account", as Synctera's sandbox does, so a newcomer can fund
// a customer account with one internal transfer.
//
// The funding account is created lazily and idempotently on first use (listing or reading internal
// accounts, or a transfer naming its id), not when the workspace is created: workspaces are made in
// several places (server first start, CLI, test harness) that need no knowledge of accounts, and a
// wipe deletes the account like every other, after which first use re-creates it, freshly funded,
// with the same id (derived from the workspace id), so scripts that saved the id keep working.

import { createHash } from 'node:crypto'
import type { Clock } from '../platform/clock.js'
import type { Queryable, Sql } from '../platform/db.js'
import { ApiError } from '../platform/errors.js'
import { changedFields, recordEvent } from '../platform/events.js'
import type { Api } from '../platform/http.js'
import { uuidv7 } from '../platform/ids.js'
import { pageOf, readPage } from '../platform/pagination.js'
import type { Workspace } from '../platform/workspaces.js'
import { releaseDueHolds } from '../ledger/expiry.js'
import { amountToJson } from '../ledger/money.js'
import { transactableStatus } from '../ledger/rules.js'
import { createTransfers, getLedgerAccount, getLedgerAccounts, insertLedgerAccount, insertLedgerAccountIfAbsent, type LedgerAccountRow } from '../ledger/store.js'
import { bankRouting, newAccountNumber } from './accounts.js'
import { keepDeclared } from './declared.js'
import { internal_account, internal_account_patch, internal_account_response } from '../spec/schemas.js'
import { getInternalAccount, insertInternalAccount, listInternalAccounts, updateInternalAccount, type InternalAccountRow } from './store.js'

type Json = Record<string, unknown>

/** What the sandbox funding account starts with: one billion dollars, in cents. */
export const sandboxFundingOpeningCents = 100_000_000_000n
export const sandboxFundingCurrency = 'USD'
const sandboxFundingDescription = 'New Funding Account'
/** The unbounded ledger account the sandbox's opening balance comes from (never shown by the API). */
const systemSourceAccountNumber = '000000000000'

/** A UUID fixed by the workspace and a purpose (RFC 9562 version 8: name-based, SHA-256). */
export function derivedId(workspaceId: string, purpose: string): string {
  const b = createHash('sha256').update(`${workspaceId}/${purpose}`).digest().subarray(0, 16)
  b[6] = (b[6] & 0x0f) | 0x80
  b[8] = (b[8] & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

export const sandboxFundingAccountId = (workspaceId: string) => derivedId(workspaceId, 'sandbox-funding-account')
const systemSourceId = (workspaceId: string) => derivedId(workspaceId, 'sandbox-system-source')

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
    balances: [
      { type: 'ACCOUNT_BALANCE', balance: amountToJson(ledger.posted) },
      { type: 'AVAILABLE_BALANCE', balance: amountToJson(ledger.posted - ledger.held) },
    ],
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
  if (await getLedgerAccount(sql, workspaceId, id)) return false
  return sql.begin(async (tx) => {
    const [ws] = await tx<{ mode: string }[]>`select mode from workspaces where id = ${workspaceId}`
    if (ws?.mode !== 'sandbox') return false
    const now = clock.now()
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
    const [opening] = await createTransfers(tx, [{
      workspaceId, id: uuidv7(), kind: 'OPENING_BALANCE', type: 'ACCOUNT_BALANCE_ADJUSTMENT', captureMode: 'IMMEDIATE',
      movement: { debitAccountId: systemSourceId(workspaceId), creditAccountId: id, amount: sandboxFundingOpeningCents, currency: sandboxFundingCurrency },
      idempotencyKey: null, referenceId: null, memo: 'sandbox opening balance', expiresAt: null, details: {},
    }], now)
    if (!opening.ok) throw new Error(`funding the sandbox account failed: ${opening.rejection.detail}`)
    const ledger = (await getLedgerAccount(tx, workspaceId, id))!
    await recordEvent(tx, { workspaceId, type: 'INTERNAL_ACCOUNT.CREATED', resourceId: id, resource: toInternalAccount(row, ledger) })
    return true
  }) as Promise<boolean>
}

export function registerInternalAccountRoutes(api: Api): void {
  const { clock, sql } = api.services
  const ensure = (workspace: Workspace) => (workspace.mode === 'sandbox' ? ensureSandboxFunding(sql, clock, workspace.id) : Promise.resolve(false))
  const view = async (db: Queryable, row: InternalAccountRow) => toInternalAccount(row, (await getLedgerAccount(db, row.workspace_id, row.id))!)

  api.write('addInternalAccounts', async ({ tx, workspace, body }) => {
    const currency = body.currency
    // Only what internal_account declares is kept (the spec's post schema allows anything else).
    const req: Json = keepDeclared(internal_account, body as Json)
    for (const f of internalAccountServerSet) delete req[f]
    const now = clock.now()
    const id = uuidv7()
    // The fintech's own money: it may not go below zero, and has no ceiling.
    await insertLedgerAccount(tx, {
      workspace_id: workspace.id, id, kind: 'INTERNAL', account_number: await newAccountNumber(tx, workspace.id), currency,
      status: transactableStatus, access_status: 'ACTIVE', floor: 0n, ceiling: null, created_at: now,
    })
    const row: InternalAccountRow = { workspace_id: workspace.id, id, is_sandbox_funding: false, fields: { is_system_acc: false, ...req }, created_at: now, updated_at: now }
    await insertInternalAccount(tx, row)
    const resource = await view(tx, row)
    await recordEvent(tx, { workspaceId: workspace.id, type: 'INTERNAL_ACCOUNT.CREATED', resourceId: id, resource })
    return resource
  })

  api.read('getInternalAccounts', async ({ workspace, params }) => {
    if (params.internal_account_id === sandboxFundingAccountId(workspace.id)) await ensure(workspace)
    const row = await getInternalAccount(sql, workspace.id, params.internal_account_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `internal account ${params.internal_account_id} not found`)
    // Balances count no hold past its expiry: release those now, whatever the worker's pace.
    await releaseDueHolds(sql, clock, workspace.id, [row.id])
    return view(sql, row)
  })

  api.read('listInternalAccounts', async ({ workspace, query }) => {
    await ensure(workspace)
    const page = readPage(query)
    const rows = await listInternalAccounts(sql, workspace.id, query, page)
    const { items, next_page_token } = pageOf(rows, page.limit)
    await releaseDueHolds(sql, clock, workspace.id, items.map((r) => r.id))
    const ledgers = new Map((await getLedgerAccounts(sql, workspace.id, items.map((r) => r.id))).map((l) => [l.id, l]))
    return { internal_accounts: items.map((r) => toInternalAccount(r, ledgers.get(r.id)!)), ...(next_page_token ? { next_page_token } : {}) }
  })

  api.write('patchInternalAccount', async ({ tx, workspace, params, body }) => {
    const row = await getInternalAccount(tx, workspace.id, params.internal_account_id, true)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `internal account ${params.internal_account_id} not found`)
    const before = await view(tx, row)
    const fields = { ...keepDeclared(internal_account_response, row.fields), ...keepDeclared(internal_account_patch, body) }
    const updated: InternalAccountRow = { ...row, fields, updated_at: clock.now() }
    await updateInternalAccount(tx, updated)
    const resource = await view(tx, updated)
    await recordEvent(tx, { workspaceId: workspace.id, type: 'INTERNAL_ACCOUNT.UPDATED', resourceId: row.id, resource, changedFields: changedFields(before, resource) })
    return resource
  })
}
