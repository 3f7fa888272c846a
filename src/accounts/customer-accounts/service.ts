// Customer accounts: opened from a template with request fields overriding, numbered uniquely per
// workspace, with status transitions enforced and balances read from the ledger.

import { randomInt } from 'node:crypto'
import type { Static } from 'typebox'
import { holdersBeforeChange, holdersChanged, requireBusiness, requirePerson } from '../../customers/parties.js'
import { requireVerifiedParty } from '../../verification/gate.js'
import type { Clock } from '../../platform/clock.js'
import type { Queryable, Sql, Tx } from '../../platform/db.js'
import { assert } from '../../platform/assert.js'
import { ApiError } from '../../platform/errors.js'
import { changedFields, recordEvent } from '../../platform/events.js'
import { uuidv7 } from '../../platform/ids.js'
import { sameJson, withFields } from '../../platform/objects.js'
import { pageOf, readPage } from '../../platform/pagination.js'
import { parseSortBy } from '../../platform/sorting.js'
import type { Workspace } from '../../platform/workspaces.js'
import { account_closure, account_generic_response } from '../../spec/schemas.js'
import {
  accountNumberTaken, amountFromJson, balancesOf, closedStatus, floorOf, insertLedgerAccount, ledgerAccountAt, ledgerAccountsAt,
  limitBreachOf, lockForChange, sweepClosingBalance, updateLedgerAccountTerms, type LockedAccount,
} from '../ledger-port.js'
import { accruedInterestOf } from '../accrued-interest-port.js'
import { accountShapes, checkShape, isAccountType } from '../account-types.js'
import { keepDeclared } from '../declared.js'
import { insertRelationship, relationshipsOf, type AccountRelationshipRow } from '../relationships/store.js'
import { templateToOpenFrom, validateTerms } from '../templates/service.js'
import { accountSortFields, accountSortValues, getAccount, insertAccount, listAccounts, unknownAccountIds, updateAccount, type AccountAnchor, type AccountFilter, type AccountRow } from './store.js'

type Json = Record<string, unknown>

/** Routing number every Keel account shows: Keel is one bank. */
export const bankRouting = '084106768'
export const accountNumberDigits = 12
/** Attempts at a random account number before giving up (a collision needs a nearly full space). */
export const accountNumberAttemptsMax = 8
const maskedDigitsShown = 4

/** Statuses an account cannot be opened in: they describe the end of an account's life. */
const notOpenable = new Set(['CLOSED', 'IN_CLOSING', 'CHARGED_OFF'])
/** The relationships that make a party an account's holder: only verified parties may hold one. */
export const holderTypes: ReadonlySet<string> = new Set(['PRIMARY_ACCOUNT_HOLDER', 'ACCOUNT_HOLDER'])
/** What the API computes and never takes from a request body. */
const serverSet = ['id', 'account_number', 'account_number_masked', 'balances', 'bank_routing', 'creation_time', 'last_updated_time', 'customer_ids', 'business_ids', 'customer_type', 'is_sar_enabled', 'access_status_last_updated_time', 'account_closure', 'close_date']
/** Request-only fields: not part of the stored terms. */
const requestOnly = ['relationships', 'manual_account_number', 'note']
/** Fields kept in columns rather than in `fields`. */
const columns = ['account_type', 'account_template_id', 'status', 'access_status', 'nickname', 'interest_product_id', 'general_ledger_type', 'currency']

/** What an account is rendered from; `accruedInterest` only for an account with an INTEREST product. */
export interface AccountView { row: AccountRow; ledger: LockedAccount; relationships: AccountRelationshipRow[]; accruedInterest?: bigint }

/**
 * The stored terms: what the account type's shape declares, and the dates and closure the server
 * writes. Rows written before undeclared fields were dropped on the way in may still hold some
 * (even under a name the response declares in another form, like billing_period): never shown.
 */
function storedTerms(row: AccountRow): Json {
  assert(isAccountType(row.account_type), `account ${row.id} has a known account_type`)
  const { account_closure: closure, open_date: openDate, close_date: closeDate } = row.fields
  return keepDeclared(account_generic_response, {
    ...termsOf(keepDeclared(accountShapes[row.account_type].account, row.fields)),
    ...(typeof openDate === 'string' ? { open_date: openDate } : {}),
    ...(typeof closeDate === 'string' ? { close_date: closeDate } : {}),
    ...(closure !== undefined ? { account_closure: closure } : {}),
  })
}

export function toAccount({ row, ledger, relationships, accruedInterest }: AccountView): Json {
  const customerIds = [...new Set(relationships.flatMap((r) => (r.person_id ? [r.person_id] : [])))]
  const businessIds = [...new Set(relationships.flatMap((r) => (r.business_id ? [r.business_id] : [])))]
  return withFields(storedTerms(row), {
    id: row.id,
    account_type: row.account_type,
    ...(row.account_template_id ? { account_template_id: row.account_template_id } : {}),
    status: row.status,
    access_status: row.access_status,
    ...(row.access_status_updated_at ? { access_status_last_updated_time: row.access_status_updated_at.toISOString() } : {}),
    ...(row.customer_type ? { customer_type: row.customer_type } : {}),
    ...(row.nickname !== null ? { nickname: row.nickname } : {}),
    ...(row.interest_product_id ? { interest_product_id: row.interest_product_id } : {}),
    ...(row.general_ledger_type ? { general_ledger_type: row.general_ledger_type } : {}),
    currency: ledger.currency,
    account_number: ledger.account_number,
    account_number_masked: maskAccountNumber(ledger.account_number),
    bank_routing: bankRouting,
    balances: balancesOf(ledger, accruedInterest),
    customer_ids: customerIds,
    business_ids: businessIds,
    creation_time: row.created_at.toISOString(),
    last_updated_time: row.updated_at.toISOString(),
  })
}

export const maskAccountNumber = (n: string): string => '*'.repeat(Math.max(0, n.length - maskedDigitsShown)) + n.slice(-maskedDigitsShown)

/** A fresh account number, unique in the workspace. */
export async function newAccountNumber(db: Queryable, workspaceId: string): Promise<string> {
  for (let attempt = 0; attempt < accountNumberAttemptsMax; attempt++) {
    // The first digit is never 0, so every number has its full length.
    const n = String(randomInt(1, 10)) + Array.from({ length: accountNumberDigits - 1 }, () => randomInt(0, 10)).join('')
    if (!(await accountNumberTaken(db, workspaceId, n))) return n
  }
  throw new Error(`no free account number after ${accountNumberAttemptsMax} attempts`)
}

/** The ledger limits an account's terms set: floor = balance_floor − overdraft_limit, ceiling = balance_ceiling. */
export function limitsOf(terms: Json): { floor: bigint; ceiling: bigint | null } {
  const floor = terms.balance_floor as { balance: number } | undefined
  const ceiling = terms.balance_ceiling as { balance: number } | undefined
  const overdraft = terms.overdraft_limit as number | undefined
  return {
    floor: floorOf(floor ? amountFromJson(floor.balance) : null, overdraft !== undefined ? amountFromJson(overdraft) : null),
    ceiling: ceiling ? amountFromJson(ceiling.balance) : null,
  }
}

/** The account as shown at `now`: its balances count no hold past its expiry. */
export async function viewOf(db: Queryable, workspaceId: string, row: AccountRow, now: Date): Promise<AccountView> {
  const [ledger, relationships, accrued] = await Promise.all([ledgerAccountAt(db, workspaceId, row.id, now), relationshipsOf(db, workspaceId, [row.id]), accruedInterestOf(db, workspaceId, [row])])
  return { row, ledger: ledger!, relationships, accruedInterest: accrued.get(row.id) }
}

/** What makes two relationships of an account the same: their type and their party (an id compared as a uuid, in any case). */
export const relationshipKey = (r: { relationship_type: string; person_id: string | null; business_id: string | null }): string =>
  r.person_id !== null ? `${r.relationship_type} person ${r.person_id.toLowerCase()}` : `${r.relationship_type} business ${r.business_id!.toLowerCase()}`

async function checkRelationships(tx: Tx, workspaceId: string, rels: Json[], accountType: string): Promise<void> {
  const seen = new Map<string, number>()
  rels.forEach((r, i) => {
    const named = ['person_id', 'customer_id', 'business_id'].filter((f) => r[f] !== undefined)
    const distinctPerson = r.person_id !== undefined && r.customer_id !== undefined && r.person_id === r.customer_id
    if (named.length !== 1 && !(named.length === 2 && distinctPerson)) {
      throw new ApiError('BAD_REQUEST_BODY', `relationships[${i}] names exactly one of person_id (or customer_id) and business_id`, { invalid: { [`relationships[${i}]`]: 'exactly one party' } })
    }
    // One body cannot relate a party to the account twice the same way (a later request: 409 DUPLICATE_RESOURCE).
    const key = relationshipKey({ relationship_type: r.relationship_type as string, person_id: ((r.person_id ?? r.customer_id) as string | undefined) ?? null, business_id: (r.business_id as string | undefined) ?? null })
    const twin = seen.get(key)
    if (twin !== undefined) {
      throw new ApiError('BAD_REQUEST_BODY', `relationships[${i}] repeats relationships[${twin}]: the same relationship_type ${r.relationship_type as string} of the same party`, { invalid: { [`relationships[${i}]`]: `the same relationship_type and party as relationships[${twin}]` } })
    }
    seen.set(key, i)
  })
  for (const [i, r] of rels.entries()) {
    const person = (r.person_id ?? r.customer_id) as string | undefined
    if (person) await requirePerson(tx, workspaceId, person, `relationships[${i}].person_id`)
    else await requireBusiness(tx, workspaceId, r.business_id as string, `relationships[${i}].business_id`)
    // KYC/KYB gate: an account opens only for holders whose verification is ACCEPTED (422 otherwise).
    if (holderTypes.has(r.relationship_type as string)) await requireVerifiedParty(tx, workspaceId, person ? { customerId: person } : { businessId: r.business_id as string })
  }
  if (rels.filter((r) => r.relationship_type === 'PRIMARY_ACCOUNT_HOLDER').length > 1) {
    throw new ApiError('BAD_REQUEST_BODY', 'an account has at most one PRIMARY_ACCOUNT_HOLDER', { invalid: { relationships: 'more than one PRIMARY_ACCOUNT_HOLDER' } })
  }
  if (accountType !== 'GENERAL_LEDGER' && !rels.some((r) => holderTypes.has(r.relationship_type as string))) {
    throw new ApiError('BAD_REQUEST_BODY', 'a customer account needs a PRIMARY_ACCOUNT_HOLDER or ACCOUNT_HOLDER relationship', { missing: ['relationships'] })
  }
}

export const relationshipRow = (workspaceId: string, accountId: string, r: Json, now: Date): AccountRelationshipRow => ({
  workspace_id: workspaceId, id: uuidv7(), account_id: accountId, relationship_type: r.relationship_type as string,
  person_id: ((r.person_id ?? r.customer_id) as string | undefined) ?? null, business_id: (r.business_id as string | undefined) ?? null,
  created_at: now, updated_at: now,
})

/** Keeps the patchable terms of a request body, dropping server-set and request-only fields. */
function termsOf(body: Json): Json {
  const terms: Json = {}
  for (const [k, v] of Object.entries(body)) if (!serverSet.includes(k) && !requestOnly.includes(k)) terms[k] = v
  return terms
}

const fieldsOf = (terms: Json): Json => Object.fromEntries(Object.entries(terms).filter(([k]) => !columns.includes(k)))

/** Checks the account's balances fit new limits; a limit change must not put it in breach. */
function checkLimitsFit(ledger: LockedAccount, floor: bigint | null, ceiling: bigint | null): void {
  const breach = limitBreachOf(ledger, floor, ceiling)
  if (breach) throw new ApiError('BALANCE_VIOLATION', `the account's current balances do not fit the new limits: ${breach}`)
}

/** Applies a PATCH or PUT body to an account, enforcing the status rules, in the caller's transaction. */
export async function changeAccount(tx: Tx, workspace: Workspace, accountId: string, body: Json, now: Date, kind: 'patch' | 'replace'): Promise<Json> {
  const row = await getAccount(tx, workspace.id, accountId, true)
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `account ${accountId} not found`)
  const ledger = (await lockForChange(tx, workspace.id, [accountId], now)).get(accountId)!
  const before = toAccount(await viewOf(tx, workspace.id, row, now))
  assert(isAccountType(row.account_type), `account ${accountId} has a known account_type`)
  // The shape of the account's own type: what it declares is validated and kept, the rest ignored.
  const shape = kind === 'patch' ? accountShapes[row.account_type].patch : accountShapes[row.account_type].account
  checkShape(shape, body)
  const patch = termsOf(keepDeclared(shape, body))
  if (patch.account_type !== undefined && patch.account_type !== row.account_type) throw new ApiError('BAD_REQUEST_BODY', `account_type cannot change (it is ${row.account_type})`, { invalid: { account_type: 'cannot change' } })
  if (patch.currency !== undefined && patch.currency !== ledger.currency) throw new ApiError('BAD_REQUEST_BODY', `currency cannot change (it is ${ledger.currency})`, { invalid: { currency: 'cannot change' } })
  if (row.status === closedStatus && Object.keys(patch).some((k) => k !== 'metadata' && k !== 'nickname')) {
    throw new ApiError('ACCOUNT_CLOSED', `account ${accountId} is closed; only its nickname and metadata can change`)
  }
  const status = (patch.status as string | undefined) ?? row.status
  if (status === closedStatus && row.status !== closedStatus && (ledger.posted !== 0n || ledger.held !== 0n)) {
    throw new ApiError('BALANCE_VIOLATION', `an account closes with a zero balance and no pending holds; it has ${ledger.posted} posted and ${ledger.held} held`)
  }
  const fields = { ...storedTerms(row), ...fieldsOf(patch) }
  // Spend control ids are checked as sent: an account written before they were checked may hold
  // one naming nothing, which must not block a change to its other terms.
  await validateTerms(tx, workspace.id, { ...fields, interest_product_id: patch.interest_product_id ?? row.interest_product_id ?? undefined, spend_control_ids: patch.spend_control_ids }, '')
  const { floor, ceiling } = limitsOf(fields)
  checkLimitsFit(ledger, floor, ceiling)
  const accessStatus = (patch.access_status as string | undefined) ?? row.access_status
  const updated: AccountRow = {
    ...row,
    status, access_status: accessStatus,
    access_status_updated_at: accessStatus !== row.access_status ? now : row.access_status_updated_at,
    nickname: patch.nickname !== undefined ? (patch.nickname as string) : row.nickname,
    interest_product_id: patch.interest_product_id !== undefined ? (patch.interest_product_id as string) : row.interest_product_id,
    fields: status === closedStatus && row.status !== closedStatus ? { ...fields, close_date: now.toISOString().slice(0, 10) } : fields,
    updated_at: now,
  }
  // A request that changes nothing is answered with the account as it is: no write, no event, no new time.
  const kept = (a: AccountRow) => ({ status: a.status, access_status: a.access_status, nickname: a.nickname, interest_product_id: a.interest_product_id, fields: a.fields })
  if (sameJson(kept(row), kept(updated))) return before
  await updateAccount(tx, updated)
  await updateLedgerAccountTerms(tx, workspace.id, accountId, { status, access_status: accessStatus, floor, ceiling })
  const after = toAccount(await viewOf(tx, workspace.id, updated, now))
  await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'ACCOUNT.UPDATED', resourceId: accountId, resource: after, changedFields: changedFields(before, after) })
  return after
}

/** Opens an account: template terms, overridden by the request's, in the shape of the account's type. */
export async function openAccount(tx: Tx, workspace: Workspace, req: Json, now: Date): Promise<Json> {
  const template: Json = req.account_template_id !== undefined ? await templateToOpenFrom(tx, workspace.id, req.account_template_id as string) : {}
  const accountType = req.account_type ?? template.account_type
  if (!isAccountType(accountType)) throw new ApiError('BAD_REQUEST_BODY', 'missing required fields: account_type (give it or an account_template_id)', { missing: ['account_type'] })
  // Only what the account type's shape declares is kept, from the template as from the request:
  // a template's bank_country, or a field no schema declares, never reaches the account.
  const shape = accountShapes[accountType].account
  checkShape(shape, req)
  const terms: Json = { ...termsOf(keepDeclared(shape, template)), ...termsOf(keepDeclared(shape, req)), account_type: accountType }
  const missing = ['currency'].filter((f) => terms[f] === undefined)
  if (missing.length) throw new ApiError('BAD_REQUEST_BODY', `missing required fields: ${missing.join(', ')} (give them or an account_template_id)`, { missing })
  await validateTerms(tx, workspace.id, terms, '')
  const status = (terms.status as string | undefined) ?? 'ACTIVE_OR_DISBURSED'
  if (notOpenable.has(status)) throw new ApiError('INVALID_STATUS', `an account cannot be opened as ${status}`)
  const accessStatus = (terms.access_status as string | undefined) ?? 'ACTIVE'
  const rels = (req.relationships as Json[] | undefined) ?? []
  // The parties are locked before the KYC/KYB gate reads them: a verification cannot change one in between.
  const holders = await holdersBeforeChange(tx, workspace.id, rels.map((r) => ({
    person_id: ((r.person_id ?? r.customer_id) as string | undefined) ?? null, business_id: (r.business_id as string | undefined) ?? null,
  })))
  await checkRelationships(tx, workspace.id, rels, accountType)

  let accountNumber: string
  if (req.manual_account_number !== undefined) {
    accountNumber = req.manual_account_number as string
    if (await accountNumberTaken(tx, workspace.id, accountNumber)) throw new ApiError('DUPLICATE_RESOURCE', `account number ${accountNumber} is already in use`)
  } else accountNumber = await newAccountNumber(tx, workspace.id)

  const id = uuidv7()
  const { floor, ceiling } = limitsOf(terms)
  await insertLedgerAccount(tx, {
    workspace_id: workspace.id, id, kind: 'ACCOUNT', account_number: accountNumber, currency: terms.currency as string,
    status, access_status: accessStatus, floor, ceiling, created_at: now,
  })
  const row: AccountRow = {
    workspace_id: workspace.id, id, account_type: accountType,
    account_template_id: (req.account_template_id as string | undefined) ?? null,
    status, access_status: accessStatus,
    customer_type: rels.some((r) => r.business_id !== undefined) ? 'BUSINESS' : rels.length ? 'PERSONAL' : null,
    nickname: (terms.nickname as string | undefined) ?? null,
    interest_product_id: (terms.interest_product_id as string | undefined) ?? null,
    general_ledger_type: (terms.general_ledger_type as string | undefined) ?? null,
    fields: { ...fieldsOf(terms), open_date: now.toISOString().slice(0, 10) },
    access_status_updated_at: null, created_at: now, updated_at: now,
  }
  await insertAccount(tx, row)
  const relationships = rels.map((r) => relationshipRow(workspace.id, id, r, now))
  for (const r of relationships) await insertRelationship(tx, r)
  const [ledger, accrued] = await Promise.all([ledgerAccountAt(tx, workspace.id, id, now), accruedInterestOf(tx, workspace.id, [row])])
  const resource = toAccount({ row, ledger: ledger!, relationships, accruedInterest: accrued.get(id) })
  await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'ACCOUNT.CREATED', resourceId: id, resource })
  // A party's first account flips its has_accounts.
  await holdersChanged(tx, holders, now)
  return resource
}

/** An account as shown at its workspace's time (balances count no hold past its expiry; reads never write). */
export async function readAccount(sql: Sql, clock: Clock, workspace: Workspace, accountId: string): Promise<Json> {
  const row = await getAccount(sql, workspace.id, accountId)
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `account ${accountId} not found`)
  return toAccount(await viewOf(sql, workspace.id, row, clock.now(workspace.id)))
}

/** A page of accounts, filtered and sorted as the query asks. */
export async function accountPage(sql: Sql, clock: Clock, workspace: Workspace, query: AccountFilter & { limit?: number; page_token?: string; sort_by?: string[] }): Promise<Json> {
  const page = readPage(query)
  const sort = parseSortBy(query.sort_by, accountSortFields)
  let anchor: AccountAnchor | undefined
  if (page.afterId) {
    const values = sort.length ? await accountSortValues(sql, workspace.id, page.afterId, sort) : []
    if (!values) throw new ApiError('BAD_QUERY_PARAMETER', 'page_token names an account that no longer exists; start again without it')
    anchor = { id: page.afterId, values }
  }
  const rows = await listAccounts(sql, workspace.id, query, page, sort, anchor)
  const { items, next_page_token } = pageOf(rows, page.limit)
  const ids = items.map((r) => r.id)
  // One read per kind for the whole page: ledgers, relationships, and accrued interest (of the accounts with an INTEREST product).
  const [ledgers, rels, accrued] = await Promise.all([ledgerAccountsAt(sql, workspace.id, ids, clock.now(workspace.id)), relationshipsOf(sql, workspace.id, ids), accruedInterestOf(sql, workspace.id, items)])
  const ledgerById = new Map(ledgers.map((l) => [l.id, l]))
  const accounts = items.map((row) => toAccount({ row, ledger: ledgerById.get(row.id)!, relationships: rels.filter((r) => r.account_id === row.id), accruedInterest: accrued.get(row.id) }))
  return { accounts, ...(next_page_token ? { next_page_token } : {}) }
}

type Closure = Static<typeof account_closure>

/**
 * Closes an account: with a zero balance at once; with money on it, an internal move sweeps it to
 * the destination through the ledger first, else the account waits IN_CLOSING for the balance to
 * leave by ACH or draft.
 */
export async function closeAccount(tx: Tx, workspace: Workspace, accountId: string, closure: Closure, now: Date): Promise<Json> {
  const row = await getAccount(tx, workspace.id, accountId, true)
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `account ${accountId} not found`)
  if (row.status === closedStatus) throw new ApiError('ACCOUNT_CLOSED', `account ${row.id} is already closed`)
  // An internal move's destination is an account of this workspace, whether or not money moves now.
  const internalDestination = closure.payment_method === 'INTERNAL_TRANSFER_TO_CUSTOMER_ACCOUNT' || closure.payment_method === 'INTERNAL_TRANSFER_TO_INTERNAL_ACCOUNT'
  if (internalDestination && typeof closure.destination_id === 'string' && (await unknownAccountIds(tx, workspace.id, [closure.destination_id])).length) {
    throw new ApiError('ACCOUNT_NOT_FOUND', `destination_id ${closure.destination_id}: no such account in this workspace`)
  }
  // Lock this account and the destination together, in the ledger's order, as every batch does.
  const ids = [row.id, ...(closure.destination_id ? [closure.destination_id] : [])]
  const locked = await lockForChange(tx, workspace.id, ids, now)
  const ledger = locked.get(row.id)!
  if (ledger.held !== 0n) throw new ApiError('UNABLE_TO_TRANSACT', `account ${row.id} has ${ledger.held} held by pending transfers; complete or cancel them first`)
  // As it was before the closure moved its balance: the event's changed fields name the balance too.
  const before = toAccount(await viewOf(tx, workspace.id, row, now))
  if (ledger.posted > 0n && internalDestination) {
    if (!closure.destination_id) throw new ApiError('BAD_REQUEST_BODY', 'destination_id is required to move the balance', { missing: ['destination_id'] })
    const refused = await sweepClosingBalance(tx, { workspaceId: workspace.id, partnerVerified: workspace.partnerVerified, from: row.id, to: closure.destination_id, amount: ledger.posted, currency: ledger.currency, reason: closure.reason }, now)
    if (refused) throw refused
  }
  const after = (await ledgerAccountAt(tx, workspace.id, row.id, now))!
  const status = after.posted === 0n ? closedStatus : 'IN_CLOSING'
  const updated: AccountRow = {
    ...row, status, updated_at: now,
    fields: { ...storedTerms(row), account_closure: { ...keepDeclared(account_closure, closure), validation_responses: [] }, ...(status === closedStatus ? { close_date: now.toISOString().slice(0, 10) } : {}) },
  }
  await updateAccount(tx, updated)
  await updateLedgerAccountTerms(tx, workspace.id, row.id, { status, access_status: row.access_status, floor: after.floor, ceiling: after.ceiling })
  const resource = toAccount(await viewOf(tx, workspace.id, updated, now))
  await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'ACCOUNT.UPDATED', resourceId: row.id, resource, changedFields: changedFields(before, resource) })
  return resource
}
