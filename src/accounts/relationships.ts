// Account relationships: who holds, shares or may act on an account (primary holder, joint
// holder, authorized signer, authorized user, account holder).

import { requireBusiness, requirePerson } from '../customers/parties.js'
import type { Queryable } from '../platform/db.js'
import { ApiError } from '../platform/errors.js'
import { changedFields, recordEvent } from '../platform/events.js'
import type { Api } from '../platform/http.js'
import { listBody, readPage } from '../platform/pagination.js'
import { holderTypes, relationshipRow, toAccount } from './accounts.js'
import { requireVerifiedParty } from '../verification/gate.js'
import { deleteRelationship, getAccount, getRelationship, insertRelationship, listRelationships, relationshipsOf, updateRelationship, type AccountRelationshipRow } from './store.js'
import { ledgerAccountAt } from '../ledger/index.js'

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

async function requireAccount(db: Queryable, workspaceId: string, accountId: string) {
  const row = await getAccount(db, workspaceId, accountId, true)
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `account ${accountId} not found`)
  return row
}

async function checkParty(db: Queryable, workspaceId: string, body: Json): Promise<{ person: string | null; business: string | null }> {
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

export function registerAccountRelationshipRoutes(api: Api): void {
  const { clock, sql } = api.services

  /** The account changed with its relationships: ACCOUNT.UPDATED with customer_ids / business_ids. */
  const accountEvent = async (tx: Queryable, workspaceId: string, accountId: string, before: Json) => {
    const row = (await getAccount(tx, workspaceId, accountId))!
    const resource = toAccount({ row, ledger: (await ledgerAccountAt(tx, workspaceId, accountId, clock.now(workspaceId)))!, relationships: await relationshipsOf(tx, workspaceId, [accountId]) })
    await recordEvent(tx, { workspaceId, type: 'ACCOUNT.UPDATED', resourceId: accountId, resource, changedFields: changedFields(before, resource) })
  }
  const accountView = async (db: Queryable, workspaceId: string, accountId: string) => {
    const row = (await getAccount(db, workspaceId, accountId))!
    return toAccount({ row, ledger: (await ledgerAccountAt(db, workspaceId, accountId, clock.now(workspaceId)))!, relationships: await relationshipsOf(db, workspaceId, [accountId]) })
  }

  api.write('createAccountRelationship', async ({ tx, workspace, params, body }) => {
    await requireAccount(tx, workspace.id, params.account_id)
    const before = await accountView(tx, workspace.id, params.account_id)
    await gateHolder(tx, workspace.id, (body as Json).relationship_type, await checkParty(tx, workspace.id, body as Json))
    const row = relationshipRow(workspace.id, params.account_id, body as Json, clock.now())
    checkPrimary([...(await relationshipsOf(tx, workspace.id, [params.account_id])), row])
    await insertRelationship(tx, row)
    await accountEvent(tx, workspace.id, params.account_id, before)
    return toRelationship(row)
  })

  api.read('getAccountRelationship', async ({ workspace, params }) => {
    const row = await getRelationship(sql, workspace.id, params.account_id, params.relationship_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `relationship ${params.relationship_id} not found on account ${params.account_id}`)
    return toRelationship(row)
  })

  api.read('listAccountRelationship', async ({ workspace, params, query }) => {
    if (!(await getAccount(sql, workspace.id, params.account_id))) throw new ApiError('RESOURCE_NOT_FOUND', `account ${params.account_id} not found`)
    const page = readPage(query)
    const rows = await listRelationships(sql, workspace.id, params.account_id, page)
    return listBody('relationships', rows, page.limit, toRelationship)
  })

  api.write('updateAccountRelationship', async ({ tx, workspace, params, body }) => {
    await requireAccount(tx, workspace.id, params.account_id)
    const current = await getRelationship(tx, workspace.id, params.account_id, params.relationship_id)
    if (!current) throw new ApiError('RESOURCE_NOT_FOUND', `relationship ${params.relationship_id} not found on account ${params.account_id}`)
    const before = await accountView(tx, workspace.id, params.account_id)
    const party = await checkParty(tx, workspace.id, body as Json)
    await gateHolder(tx, workspace.id, (body as Json).relationship_type, party)
    const row: AccountRelationshipRow = { ...current, relationship_type: (body as Json).relationship_type as string, person_id: party.person, business_id: party.business, updated_at: clock.now() }
    checkPrimary((await relationshipsOf(tx, workspace.id, [params.account_id])).map((r) => (r.id === row.id ? row : r)))
    await updateRelationship(tx, row)
    await accountEvent(tx, workspace.id, params.account_id, before)
    return toRelationship(row)
  })

  api.write('DeleteAccountRelationship', async ({ tx, workspace, params }) => {
    await requireAccount(tx, workspace.id, params.account_id)
    const before = await accountView(tx, workspace.id, params.account_id)
    if (!(await deleteRelationship(tx, workspace.id, params.account_id, params.relationship_id))) {
      throw new ApiError('RESOURCE_NOT_FOUND', `relationship ${params.relationship_id} not found on account ${params.account_id}`)
    }
    await accountEvent(tx, workspace.id, params.account_id, before)
    return { id: params.relationship_id, resource: 'account_relationship' }
  })
}
