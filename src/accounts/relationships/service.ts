// Account relationships: who holds, shares or may act on an account (primary holder, joint
// holder, authorized signer, authorized user, account holder).

import type { Static } from 'typebox'
import { holdersBeforeChange, holdersChanged, requireBusiness, requirePerson, type PartyIds } from '../../customers/parties.js'
import { assert } from '../../platform/assert.js'
import type { Queryable } from '../../platform/db.js'
import { ApiError } from '../../platform/errors.js'
import { changedFields, recordEvent } from '../../platform/events.js'
import { sameJson } from '../../platform/objects.js'
import type { Page } from '../../platform/pagination.js'
import type { account_relationship } from '../../spec/schemas.js'
import { requireVerifiedParty } from '../../verification/gate.js'
import { holderTypes, relationshipKey, relationshipRow, toAccount, viewOf } from '../customer-accounts/service.js'
import { getAccount, touchAccount } from '../customer-accounts/store.js'
import { closedStatus } from '../ledger-port.js'
import { deleteRelationship, getRelationship, insertRelationship, listRelationships, relationshipsOf, updateRelationship, type AccountRelationshipRow } from './store.js'

type Json = Record<string, unknown>

export const toRelationship = (r: AccountRelationshipRow): Json => ({
  id: r.id,
  account_id: r.account_id,
  relationship_type: r.relationship_type,
  ...(r.person_id ? { person_id: r.person_id, customer_id: r.person_id } : {}),
  ...(r.business_id ? { business_id: r.business_id } : {}),
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
})

/** The account whose relationships change, locked for the change: it must exist, and not be CLOSED (ACCOUNT_CLOSED: its writes answer 461). */
async function accountToChange(db: Queryable, workspaceId: string, accountId: string) {
  const row = await getAccount(db, workspaceId, accountId, true)
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `account ${accountId} not found`)
  if (row.status === closedStatus) throw new ApiError('ACCOUNT_CLOSED', `account ${accountId} is closed; its relationships cannot change`)
  return row
}

async function checkParty(db: Queryable, workspaceId: string, body: RelationshipBody): Promise<{ person: string | null; business: string | null }> {
  const person = (body.person_id ?? body.customer_id) as string | undefined
  const business = body.business_id as string | undefined
  if ((person === undefined) === (business === undefined) || (body.person_id !== undefined && body.customer_id !== undefined && body.person_id !== body.customer_id)) {
    throw new ApiError('BAD_REQUEST_BODY', 'exactly one of person_id (or customer_id) and business_id must be set', { invalid: { person_id: 'exactly one party', business_id: 'exactly one party' } })
  }
  if (person) await requirePerson(db, workspaceId, person)
  if (business) await requireBusiness(db, workspaceId, business)
  return { person: person ?? null, business: business ?? null }
}

/** The KYC/KYB gate, as on opening: a holder added to an account later must be verified too. */
async function gateHolder(db: Queryable, workspaceId: string, relationshipType: unknown, party: { person: string | null; business: string | null }): Promise<void> {
  if (!holderTypes.has(relationshipType as string)) return
  await requireVerifiedParty(db, workspaceId, party.person ? { customerId: party.person } : { businessId: party.business! })
}

/** The account's relationships after a change must keep at most one primary holder. */
function checkPrimary(rels: AccountRelationshipRow[]): void {
  if (rels.filter((r) => r.relationship_type === 'PRIMARY_ACCOUNT_HOLDER').length > 1) {
    throw new ApiError('BAD_REQUEST_BODY', 'an account has at most one PRIMARY_ACCOUNT_HOLDER', { invalid: { relationship_type: 'the account already has a PRIMARY_ACCOUNT_HOLDER' } })
  }
}

/**
 * An account relates a party to it once per relationship_type: `row` must not be the twin of
 * another of the account's relationships (409 DUPLICATE_RESOURCE, as POST /v0/relationships
 * answers). Read under the account's lock, which every change of its relationships takes first,
 * so two requests cannot both pass.
 */
function checkNoTwin(rels: AccountRelationshipRow[], row: AccountRelationshipRow): void {
  const key = relationshipKey(row)
  const twin = rels.find((r) => r.id !== row.id && relationshipKey(r) === key)
  if (twin) throw new ApiError('DUPLICATE_RESOURCE', `account ${row.account_id} already has this relationship: ${twin.id}, ${twin.relationship_type} of ${twin.person_id ?? twin.business_id}`)
}

type RelationshipBody = Static<typeof account_relationship>

/**
 * The account changed with its relationships (customer_ids, business_ids): its last_updated_time
 * moves to `now` and ACCOUNT.UPDATED says so; a change the account does not show changes neither.
 */
async function accountEvent(tx: Queryable, workspaceId: string, accountId: string, before: Json, now: Date): Promise<void> {
  const changed = await accountView(tx, workspaceId, accountId, now)
  if (sameJson(before, changed)) return
  await touchAccount(tx, workspaceId, accountId, now)
  const resource = { ...changed, last_updated_time: now.toISOString() }
  await recordEvent(tx, { at: now, workspaceId, type: 'ACCOUNT.UPDATED', resourceId: accountId, resource, changedFields: changedFields(before, resource) })
}

/**
 * A relationship change, with what it changes beyond the relationship: the account's view
 * (accountEvent) and the has_accounts of the parties it names, before and after (holdersChanged).
 */
async function changeRelationships(tx: Queryable, workspaceId: string, accountId: string, parties: PartyIds[], now: Date, change: () => Promise<void>): Promise<void> {
  const holders = await holdersBeforeChange(tx, workspaceId, parties)
  const before = await accountView(tx, workspaceId, accountId, now)
  await change()
  await accountEvent(tx, workspaceId, accountId, before, now)
  await holdersChanged(tx, holders, now)
}
/** The account as shown at `now` (its balances count no hold past its expiry). */
async function accountView(db: Queryable, workspaceId: string, accountId: string, now: Date): Promise<Json> {
  return toAccount(await viewOf(db, workspaceId, (await getAccount(db, workspaceId, accountId))!, now))
}

export async function addRelationship(tx: Queryable, workspaceId: string, accountId: string, body: RelationshipBody, now: Date): Promise<Json> {
  await accountToChange(tx, workspaceId, accountId)
  const party = await checkParty(tx, workspaceId, body)
  const row = relationshipRow(workspaceId, accountId, body, now)
  const rels = await relationshipsOf(tx, workspaceId, [accountId])
  checkNoTwin(rels, row)
  checkPrimary([...rels, row])
  // The gate is checked with the party locked (changeRelationships): a verification cannot change it in between.
  await changeRelationships(tx, workspaceId, accountId, [row], now, async () => {
    await gateHolder(tx, workspaceId, body.relationship_type, party)
    await insertRelationship(tx, row)
  })
  return toRelationship(row)
}

export async function readRelationship(db: Queryable, workspaceId: string, accountId: string, relationshipId: string): Promise<Json> {
  const row = await getRelationship(db, workspaceId, accountId, relationshipId)
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `relationship ${relationshipId} not found on account ${accountId}`)
  return toRelationship(row)
}

export async function relationshipPage(db: Queryable, workspaceId: string, accountId: string, page: Page): Promise<AccountRelationshipRow[]> {
  if (!(await getAccount(db, workspaceId, accountId))) throw new ApiError('RESOURCE_NOT_FOUND', `account ${accountId} not found`)
  return listRelationships(db, workspaceId, accountId, page)
}

export async function replaceRelationship(tx: Queryable, workspaceId: string, accountId: string, relationshipId: string, body: RelationshipBody, now: Date): Promise<Json> {
  await accountToChange(tx, workspaceId, accountId)
  const current = await getRelationship(tx, workspaceId, accountId, relationshipId)
  if (!current) throw new ApiError('RESOURCE_NOT_FOUND', `relationship ${relationshipId} not found on account ${accountId}`)
  const party = await checkParty(tx, workspaceId, body)
  const row: AccountRelationshipRow = { ...current, relationship_type: body.relationship_type, person_id: party.person, business_id: party.business, updated_at: now }
  const rels = await relationshipsOf(tx, workspaceId, [accountId])
  checkNoTwin(rels, row)
  checkPrimary(rels.map((r) => (r.id === row.id ? row : r)))
  await changeRelationships(tx, workspaceId, accountId, [current, row], now, async () => {
    await gateHolder(tx, workspaceId, body.relationship_type, party)
    await updateRelationship(tx, row)
  })
  return toRelationship(row)
}

export async function removeRelationship(tx: Queryable, workspaceId: string, accountId: string, relationshipId: string, now: Date): Promise<void> {
  await accountToChange(tx, workspaceId, accountId)
  const current = await getRelationship(tx, workspaceId, accountId, relationshipId)
  if (!current) throw new ApiError('RESOURCE_NOT_FOUND', `relationship ${relationshipId} not found on account ${accountId}`)
  await changeRelationships(tx, workspaceId, accountId, [current], now, async () => {
    const deleted = await deleteRelationship(tx, workspaceId, accountId, relationshipId)
    assert(deleted, 'a relationship read under the account\'s lock is there to delete')
  })
}
