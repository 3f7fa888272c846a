// The other ways an internal transfer may name its accounts, besides `*_account_id`: by alias
// (`originating_account_alias: "ach_suspense"`, "an alias representing a GL account") and by owner
// (`*_account_customer_id`, "the customer id of the owner of the account").
//
// An alias names the workspace's internal account whose `account_type` it spells, case-insensitively
// (`ach_suspense` ↔ ACH_SUSPENSE), in the transfer's currency: the account type is the one field of
// an internal account that says which GL account it is, and the spec's example alias is one. A
// customer id names the account that person or business holds (PRIMARY_ACCOUNT_HOLDER or
// ACCOUNT_HOLDER); alone, it must point at exactly one open account in the transfer's currency.
//
// Resolution costs one query, and only requests using these forms pay it: the plain id form never
// comes here, so the throughput path is unchanged.

import { holderTypes, sandboxFundingAccountId, sandboxFundingCurrency, transferAccountCandidates, type TransferAccountCandidate } from '../accounts/index.js'
import { assert } from '../platform/assert.js'
import type { Queryable } from '../platform/db.js'
import { ApiError } from '../platform/errors.js'
import type { Workspace } from '../platform/workspaces.js'
import { closedStatus } from '../ledger/index.js'
import { internal_account_type } from '../spec/schemas.js'

type Json = Record<string, unknown>
export type Side = 'originating' | 'receiving'
const sides: readonly Side[] = ['originating', 'receiving']

/** How a request names one side's account; any of the three, and at least one. */
interface SideNames { id?: string; alias?: string; customerId?: string }
export interface TransferAccounts { originating: string; receiving: string }

/** Every alias that can name an account: the spec's internal account types. */
const aliases: ReadonlySet<string> = new Set(internal_account_type.anyOf.map((t) => t.const))
/** The sandbox's funding account answers to its type before its lazy creation (see accounts/internal.ts). */
const sandboxFundingType = 'NEW_FUNDING_ACCOUNT'

const namesOf = (body: Json, side: Side): SideNames => ({
  id: body[`${side}_account_id`] as string | undefined,
  alias: body[`${side}_account_alias`] as string | undefined,
  customerId: body[`${side}_account_customer_id`] as string | undefined,
})

/** True when the request names an account by alias or owner: only then is there anything to resolve. */
export function namesAccountsIndirectly(body: Json): boolean {
  return body.originating_account_alias !== undefined || body.receiving_account_alias !== undefined ||
    body.originating_account_customer_id !== undefined || body.receiving_account_customer_id !== undefined
}

/** The ids as sent, for a request that names both accounts by id and nothing else. */
export const accountsById = (body: Json): TransferAccounts => ({ originating: body.originating_account_id as string, receiving: body.receiving_account_id as string })

/** Shape rules of the account names, checked before anything is looked up. */
export function checkAccountNames(body: Json): void {
  if (namesAccountsIndirectly(body)) checkIndirectNames(body)
  else {
    // The hot path: two ids, nothing else to look at.
    const missing = ['originating_account_id', 'receiving_account_id'].filter((f) => body[f] === undefined)
    if (missing.length) throw new ApiError('BAD_REQUEST_BODY', `missing required fields: ${missing.join(', ')} (an account is named by id, alias or customer id)`, { missing })
  }
  if (body.originating_account_id !== undefined && body.originating_account_id === body.receiving_account_id) sameAccount()
}

function checkIndirectNames(body: Json): void {
  const missing = sides.filter((s) => { const n = namesOf(body, s); return n.id === undefined && n.alias === undefined && n.customerId === undefined })
  if (missing.length) {
    const fields = missing.map((s) => `${s}_account_id`)
    throw new ApiError('BAD_REQUEST_BODY', `missing required fields: ${fields.join(', ')} (an account is named by id, alias or customer id)`, { missing: fields })
  }
  for (const side of sides) {
    const { alias, customerId } = namesOf(body, side)
    if (alias === undefined) continue
    if (!aliases.has(alias.toUpperCase())) {
      throw new ApiError('BAD_REQUEST_BODY', `${side}_account_alias "${alias}" is not an internal account type (an alias names an internal account by its account_type, e.g. ach_suspense)`, { invalid: { [`${side}_account_alias`]: 'not an internal account type' } })
    }
    // An alias names one of the fintech's own accounts, which no customer holds.
    if (customerId !== undefined) {
      throw new ApiError('BAD_REQUEST_BODY', `${side}_account_alias names an internal account, which has no customer: send ${side}_account_customer_id without it`, { invalid: { [`${side}_account_customer_id`]: `not with ${side}_account_alias` } })
    }
  }
}

function sameAccount(): never {
  throw new ApiError('BAD_REQUEST_BODY', 'originating and receiving accounts are the same', { invalid: { receiving_account_id: 'same as originating_account_id' } })
}

type CandidateRow = TransferAccountCandidate

/**
 * The account ids a request names by alias or owner (ids it sends are checked against them), for a
 * body that passed checkAccountNames. One query for both sides.
 */
export async function resolveTransferAccounts(db: Queryable, workspace: Workspace, body: Json): Promise<TransferAccounts> {
  const [o, r] = sides.map((s) => namesOf(body, s))
  const currency = body.currency as string
  const rows = await transferAccountCandidates(db, workspace.id, { originating: o, receiving: r }, [...holderTypes])
  assert(rows.every((row) => sides.includes(row.side) && typeof row.id === 'string'), 'every candidate names a side and an account')
  const of = (side: Side) => rows.filter((row) => row.side === side)
  const accounts = { originating: resolveSide('originating', o, of('originating'), workspace, currency), receiving: resolveSide('receiving', r, of('receiving'), workspace, currency) }
  if (accounts.originating === accounts.receiving) sameAccount()
  return accounts
}

function resolveSide(side: Side, names: SideNames, rows: CandidateRow[], workspace: Workspace, currency: string): string {
  if (names.alias !== undefined) return byAlias(side, names, rows, workspace, currency)
  if (names.customerId !== undefined) return byOwner(side, names, rows, currency)
  assert(names.id !== undefined, `checkAccountNames let through a ${side} side with no name`)
  return names.id
}

function byAlias(side: Side, { id, alias }: SideNames, rows: CandidateRow[], workspace: Workspace, currency: string): string {
  const type = alias!.toUpperCase()
  const typed = rows.filter((row) => row.via === 'alias')
  const matches = new Set(typed.filter((row) => row.currency === currency).map((row) => row.id))
  // Not made yet is not missing: the batch creates the funding account on first use.
  if (workspace.mode === 'sandbox' && type === sandboxFundingType && currency === sandboxFundingCurrency) matches.add(sandboxFundingAccountId(workspace.id))
  // An id that is one of the alias's accounts settles which one is meant.
  if (id !== undefined && matches.has(id)) return id
  if (matches.size === 0) {
    const elsewhere = [...new Set(typed.map((row) => row.currency))].sort()
    throw new ApiError('ACCOUNT_NOT_FOUND', `${side}_account_alias "${alias}": no internal account with account_type ${type} in ${currency}${elsewhere.length ? ` (found in ${elsewhere.join(', ')})` : ''}`)
  }
  if (id !== undefined) {
    throw new ApiError('BAD_REQUEST_BODY', `${side}_account_alias "${alias}" and ${side}_account_id name different accounts: send one of them`, { invalid: { [`${side}_account_id`]: `not the account ${side}_account_alias names` } })
  }
  if (matches.size > 1) {
    throw new ApiError('BAD_REQUEST_BODY', `${side}_account_alias "${alias}" matches ${matches.size} internal accounts with account_type ${type} in ${currency}: name the account by ${side}_account_id`, { invalid: { [`${side}_account_alias`]: 'names more than one account' } })
  }
  return [...matches][0]
}

function byOwner(side: Side, { id, customerId }: SideNames, rows: CandidateRow[], currency: string): string {
  const field = `${side}_account_customer_id`
  if (!rows.some((row) => row.via === 'customer')) throw new ApiError('CUSTOMER_NOT_FOUND', `${field}: customer ${customerId} not found`)
  const held = rows.filter((row) => row.via === 'holder')
  if (id !== undefined) {
    if (!rows.some((row) => row.via === 'account')) throw new ApiError('ACCOUNT_NOT_FOUND', `${side}_account_id: account ${id} not found`)
    if (!held.some((row) => row.id === id)) {
      throw new ApiError('IMPROPER_ACCOUNT_CUSTOMER_RELATIONSHIP', `customer ${customerId} is not a holder of account ${id} (${field} must name a PRIMARY_ACCOUNT_HOLDER or ACCOUNT_HOLDER of ${side}_account_id)`)
    }
    return id
  }
  // A closed account can never transact, so it does not make a choice ambiguous.
  const eligible = [...new Set(held.filter((row) => row.currency === currency && row.status !== closedStatus).map((row) => row.id))]
  if (eligible.length !== 1) {
    const found = eligible.length === 0 ? `holds no open ${currency} account` : `holds ${eligible.length} open ${currency} accounts`
    throw new ApiError('BAD_REQUEST_BODY', `${field}: customer ${customerId} ${found}; name the account by ${side}_account_id`, { invalid: { [field]: eligible.length === 0 ? `no open ${currency} account` : 'more than one open account' } })
  }
  return eligible[0]
}
