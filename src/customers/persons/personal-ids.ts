// Personal identifiers (passport, driver licence, ITIN…) belong to a person and appear in its
// response_person view. The spec has no event type of their own, so each change is announced as
// the change it makes to the person: PERSON.UPDATED, with the prior personal_ids as changed field.
import { ApiError } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { canonicalIdentifier, personalIdCountry, Problems } from './rules.js'
import { loadPerson, personView, recordUpdateEvents, type Context, type Person } from './service.js'
import { deletePersonalId as deleteRow, getPersonalId, insertPersonalId, touchPerson, updatePersonalId as updateRow, type PersonalIdRow } from './store.js'
import { maskedIdentifier, toPersonalIdWithCustomer, type PersonalIdWithCustomer } from './views.js'


/** Locks the person whose personal ids change, then records the change to its view. */
async function announce(ctx: Context, before: Person): Promise<void> {
  const now = ctx.services.clock.now(ctx.workspaceId)
  await touchPerson(ctx.tx, ctx.workspaceId, before.row.id, now)
  const after = (await loadPerson(ctx.tx, ctx.workspaceId, before.row.id))!
  await recordUpdateEvents(ctx.tx, before, after, { person: { personal_ids: personView(before).personal_ids } })
}

export interface CreatePersonalId { customer_id: string; id_type: string; identifier: string; country_code?: string }

export async function createPersonalId(ctx: Context, body: CreatePersonalId & Record<string, unknown>): Promise<PersonalIdWithCustomer> {
  const problems = new Problems()
  const country = personalIdCountry(body.id_type, body.country_code, problems)
  const identifier = canonicalIdentifier(body.id_type, body.identifier, problems)
  problems.throwIfAny()
  const person = await loadPerson(ctx.tx, ctx.workspaceId, body.customer_id, { forUpdate: true })
  if (!person) throw new ApiError('CUSTOMER_NOT_FOUND', `customer_id ${body.customer_id} names no person in this workspace`)
  const now = ctx.services.clock.now(ctx.workspaceId)
  const row: PersonalIdRow = {
    workspace_id: ctx.workspaceId, id: uuidv7(), person_id: person.row.id, id_type: body.id_type, country_code: country,
    identifier_encrypted: ctx.services.vault.encrypt(identifier!.canonical), identifier_last4: identifier!.last4,
    system_provided: false, created_at: now, updated_at: now,
  }
  await insertPersonalId(ctx.tx, row)
  await announce(ctx, person)
  return toPersonalIdWithCustomer(row)
}

async function lockedPersonalId(ctx: Context, id: string): Promise<{ row: PersonalIdRow; person: Person }> {
  const row = await getPersonalId(ctx.tx, ctx.workspaceId, id, { forUpdate: true })
  if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `personal id ${id} not found`)
  const person = (await loadPerson(ctx.tx, ctx.workspaceId, row.person_id, { forUpdate: true }))!
  return { row, person }
}

export interface PatchPersonalId { id_type: string; identifier?: string; country_code?: string }

/** A personal id's type never changes (the spec); its identifier and, where not implied, its country may. */
export async function updatePersonalId(ctx: Context, id: string, body: PatchPersonalId & Record<string, unknown>): Promise<PersonalIdWithCustomer> {
  const { row, person } = await lockedPersonalId(ctx, id)
  const problems = new Problems()
  if (body.id_type !== row.id_type) problems.reject('id_type', `cannot be changed (it is ${row.id_type})`)
  const country = body.country_code === undefined ? row.country_code : personalIdCountry(row.id_type, body.country_code, problems)
  // The masked identifier a GET returned, sent back unchanged, is not a new identifier.
  const sent = body.identifier === undefined || body.identifier === maskedIdentifier(row.id_type, row.identifier_last4)
    ? undefined
    : canonicalIdentifier(row.id_type, body.identifier, problems)
  problems.throwIfAny()
  const identifierChanged = sent !== undefined && ctx.services.vault.decrypt(row.identifier_encrypted) !== sent.canonical
  if (!identifierChanged && country === row.country_code) return toPersonalIdWithCustomer(row)
  const next: PersonalIdRow = {
    ...row,
    country_code: country,
    ...(identifierChanged ? { identifier_encrypted: ctx.services.vault.encrypt(sent.canonical), identifier_last4: sent.last4 } : {}),
    updated_at: ctx.services.clock.now(ctx.workspaceId),
  }
  await updateRow(ctx.tx, next)
  await announce(ctx, person)
  return toPersonalIdWithCustomer(next)
}

export async function deletePersonalId(ctx: Context, id: string): Promise<{ id: string; resource: string }> {
  const { row, person } = await lockedPersonalId(ctx, id)
  await deleteRow(ctx.tx, ctx.workspaceId, row.id)
  await announce(ctx, person)
  return { id: row.id, resource: 'personal_id' }
}
