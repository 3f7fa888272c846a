import type { Static } from 'typebox'
import { assert } from '../../platform/assert.js'
import type { Queryable, Tx } from '../../platform/db.js'
import type { Vault } from '../../platform/crypto.js'
import { badBody } from '../../platform/errors.js'
import { changedFields, recordEvent } from '../../platform/events.js'
import { uuidv7 } from '../../platform/ids.js'
import { withFields } from '../../platform/objects.js'
import { parseSortBy, type SortKey } from '../../platform/sorting.js'
import { base, type business } from '../../spec/schemas.js'
import { indexedNameBytesMax, overlongName, propertiesOf, refuseChangedServerSetFields, storedAddress } from '../request-fields.js'
import { getBusiness, insertBusiness, touchBusiness, updateBusiness, type BusinessRow, type BusinessSortKey, type StoredBusinessFields } from './store.js'

export type Business = Static<typeof business>
/** A request body: every field optional (createBusiness's schema has already required is_customer and status). */
type BusinessBody = Static<typeof base>

// The spec gives an EIN's format as xx-xxxxxxx; the dash is accepted but not required, since
// integrators copy EINs from forms that print it either way.
const einPattern = /^(\d{2})-?(\d{7})$/

/** The canonical xx-xxxxxxx form of an EIN, or a 400 naming the field. */
export function canonicalEin(ein: string): string {
  const match = einPattern.exec(ein)
  if (!match) throw badBody('invalid fields: ein (must be 9 digits as xx-xxxxxxx)', { invalid: { ein: 'must be 9 digits, in the format xx-xxxxxxx' } })
  return `${match[1]}-${match[2]}`
}

/** What a response shows of an EIN: the documented xx-xxxxxxx shape with all but the last four digits hidden. */
export const maskedEin = (last4: string): string => `**-***${last4}`

const storedFieldNames = ['compliance_restrictions', 'formation_date', 'formation_state', 'legal_address', 'metadata', 'structure', 'trade_names', 'website'] as const

/** The fields the API only stores and returns (kept in the `fields` jsonb column). */
export function storedFields(body: BusinessBody): StoredBusinessFields {
  const out: Record<string, unknown> = {}
  for (const name of storedFieldNames) if (body[name] !== undefined) out[name] = body[name]
  if (body.legal_address !== undefined) out.legal_address = storedAddress(body.legal_address as Record<string, unknown>)
  return out as StoredBusinessFields
}

export function toBusiness(row: BusinessRow): Business {
  const view: Record<string, unknown> = {
    id: row.id,
    tenant: row.workspace_id,
    is_customer: row.is_customer,
    status: row.status,
    verification_status: row.verification_status,
    ...(row.verification_last_run ? { verification_last_run: row.verification_last_run.toISOString() } : {}),
    ...(row.entity_name !== null ? { entity_name: row.entity_name } : {}),
    ...(row.email !== null ? { email: row.email } : {}),
    ...(row.phone_number !== null ? { phone_number: row.phone_number } : {}),
    ...(row.ein_last4 !== null ? { ein: maskedEin(row.ein_last4) } : {}),
    ...row.fields,
    has_accounts: row.has_accounts,
    creation_time: row.created_at.toISOString(),
    last_updated_time: row.updated_at.toISOString(),
  }
  return view as Business
}

/** The changes a PATCH body makes to a row, applied to a copy. */
function patchedRow(row: BusinessRow, body: BusinessBody, ein: { encrypted: string; last4: string } | undefined, now: Date): BusinessRow {
  return {
    ...row,
    is_customer: body.is_customer ?? row.is_customer,
    status: body.status ?? row.status,
    entity_name: body.entity_name ?? row.entity_name,
    email: body.email ?? row.email,
    phone_number: body.phone_number ?? row.phone_number,
    ein_encrypted: ein ? ein.encrypted : row.ein_encrypted,
    ein_last4: ein ? ein.last4 : row.ein_last4,
    fields: { ...row.fields, ...storedFields(body) },
    updated_at: now,
  }
}

export type SortOrder = SortKey<BusinessSortKey>[]

const sortColumns: Record<string, BusinessSortKey> = { creation_time: 'created_at', entity_name: 'entity_name', last_updated_time: 'updated_at' }

/** `sort_by` as the spec writes it (field:asc|desc, most significant first). */
export const sortOrder = (sortBy: readonly string[] | undefined): SortOrder => parseSortBy(sortBy, sortColumns)


const businessProperties = propertiesOf(base)

interface SealedEin { canonical: string; encrypted: string; last4: string }

function sealEin(vault: Vault, ein: string): SealedEin {
  const canonical = canonicalEin(ein)
  return { canonical, encrypted: vault.encrypt(canonical), last4: canonical.slice(-4) }
}

// Read back after a write: has_accounts is computed by the database, not held in the row written.
async function reread(tx: Tx, workspaceId: string, id: string): Promise<Business> {
  const row = await getBusiness(tx, workspaceId, id)
  assert(row !== undefined, 'a business written in this transaction is there to read')
  return toBusiness(row)
}

function refuseOverlongName(body: BusinessBody): void {
  if (overlongName(body.entity_name)) throw badBody(`entity_name must be at most ${indexedNameBytesMax} bytes`, { invalid: { entity_name: `at most ${indexedNameBytesMax} bytes` } })
}

export async function createBusiness(tx: Tx, vault: Vault, workspaceId: string, body: BusinessBody, now: Date): Promise<Business> {
  refuseChangedServerSetFields({ body, properties: businessProperties, current: undefined, workspaceId })
  refuseOverlongName(body)
  assert(body.is_customer !== undefined && body.status !== undefined, 'the create schema requires is_customer and status')
  const ein = body.ein === undefined ? undefined : sealEin(vault, body.ein)
  const row: BusinessRow = {
    workspace_id: workspaceId,
    id: uuidv7(),
    is_customer: body.is_customer,
    status: body.status,
    verification_status: 'UNVERIFIED',
    verification_last_run: null,
    entity_name: body.entity_name ?? null,
    email: body.email ?? null,
    phone_number: body.phone_number ?? null,
    ein_encrypted: ein?.encrypted ?? null,
    ein_last4: ein?.last4 ?? null,
    fields: storedFields(body),
    created_at: now,
    updated_at: now,
    has_accounts: false,
  }
  await insertBusiness(tx, row)
  return reread(tx, workspaceId, row.id)
}

/**
 * A business whose account relationships changed, read again: if its has_accounts flipped, its
 * last_updated_time moves to `at` and BUSINESS.UPDATED says so. `before` was read after the
 * business was locked (lockBusinesses), so two changes cannot both see the same flip.
 */
export async function announceAccountsChange(tx: Queryable, before: BusinessRow, at: Date): Promise<void> {
  const now = (await getBusiness(tx, before.workspace_id, before.id))!
  if (now.has_accounts === before.has_accounts) return
  await touchBusiness(tx, before.workspace_id, before.id, at)
  const resource = toBusiness(withFields(now, { updated_at: at }))
  await recordEvent(tx, {
    at, workspaceId: before.workspace_id, type: 'BUSINESS.UPDATED', resourceId: before.id, resource,
    changedFields: changedFields(toBusiness(before) as Record<string, unknown>, resource as Record<string, unknown>),
  })
}

/**
 * Applies a PATCH. One that changes nothing writes nothing (no new last_updated_time, no event):
 * `changed` is then empty. Undefined when the id names no business in the workspace.
 */
export async function patchBusiness(tx: Tx, vault: Vault, workspaceId: string, id: string, body: BusinessBody, now: Date): Promise<{ resource: Business; changed: Record<string, unknown> } | undefined> {
  const row = await getBusiness(tx, workspaceId, id, { forUpdate: true })
  if (!row) return undefined
  const before = toBusiness(row) as Record<string, unknown>
  refuseChangedServerSetFields({ body, properties: businessProperties, current: before, workspaceId })
  refuseOverlongName(body)
  // The masked EIN a GET returned, sent back unchanged, is not a new EIN.
  const sent = body.ein !== undefined && body.ein !== before.ein ? sealEin(vault, body.ein) : undefined
  const ein = sent && (row.ein_encrypted === null || vault.decrypt(row.ein_encrypted) !== sent.canonical) ? sent : undefined
  const next = patchedRow(row, body, ein, now)
  const changed = changedFields(before, toBusiness(next) as Record<string, unknown>)
  // The mask can hide a change (same last four digits); the prior value is still recorded as shown.
  if (ein) changed.ein = before.ein ?? null
  if (Object.keys(changed).length === 0) return { resource: before as Business, changed }
  await updateBusiness(tx, next)
  return { resource: await reread(tx, workspaceId, id), changed }
}
