import { assert } from '../../platform/assert.js'
import type { Tx } from '../../platform/db.js'
import { badBody } from '../../platform/errors.js'
import { changedFields } from '../../platform/events.js'
import { uuidv7 } from '../../platform/ids.js'
import { declaredOnly, refuseChangedServerSetFields } from '../request-fields.js'
import { judge, ownerTypes, ownershipUnitsMax, ownershipUnitsPerPercent, toOwnershipUnits, type Candidate, type Party, type RelationshipType } from './rules.js'
import { relationshipProperties } from './schemas.js'
import { getRelationship, insertRelationship, lockTarget, ownershipUnitsOf, partyExists, relationshipsInto, updateRelationship, type RelationshipFields, type RelationshipRow } from './store.js'

// Bodies arrive checked against the branch of the spec's oneOf their relationship_type names
// (schemas.ts); what is left here is what a schema cannot say.

type Body = Record<string, unknown> & { relationship_type: RelationshipType; additional_data?: Record<string, unknown>; metadata?: Record<string, unknown> }
export type Relationship = Record<string, unknown> & { id: string }

export function toRelationship(row: RelationshipRow): Relationship {
  const type = row.relationship_type as RelationshipType
  const additional_data = ownerTypes.includes(type) ? { percent_ownership: Number(row.ownership_percentage) }
    : type === 'MANAGING_PERSON_OF' ? { title: row.fields.title } : { transfer_type: row.fields.transfer_type }
  return {
    id: row.id,
    relationship_type: type,
    tenant: row.workspace_id,
    ...(row.from_person_id ? { from_person_id: row.from_person_id } : {}),
    ...(row.from_business_id ? { from_business_id: row.from_business_id } : {}),
    ...(row.to_person_id ? { to_person_id: row.to_person_id } : {}),
    ...(row.to_business_id ? { to_business_id: row.to_business_id } : {}),
    additional_data,
    ...(row.fields.metadata ? { metadata: row.fields.metadata } : {}),
    creation_time: row.created_at.toISOString(),
    last_updated_time: row.updated_at.toISOString(),
  }
}

function notExactlyOneParty(end: 'from' | 'to') {
  const message = `exactly one of ${end}_person_id or ${end}_business_id`
  return badBody(`a relationship has ${message}`, { invalid: { [`${end}_person_id`]: message, [`${end}_business_id`]: message } })
}

/** The one party a body names at an end (from or to), if it names any; a 400 if it names two. */
function partyAt(body: Record<string, unknown>, end: 'from' | 'to'): Party | undefined {
  const person = body[`${end}_person_id`] as string | undefined
  const business = body[`${end}_business_id`] as string | undefined
  if (person !== undefined && business !== undefined) throw notExactlyOneParty(end)
  if (person !== undefined) return { kind: 'person', id: person }
  if (business !== undefined) return { kind: 'business', id: business }
  return undefined
}

function unitsOf(body: Body): number | undefined {
  const percent = body.additional_data?.percent_ownership
  if (typeof percent !== 'number') return undefined
  const units = toOwnershipUnits(percent)
  if (units === undefined) throw badBody('invalid fields: additional_data.percent_ownership (at most 4 decimal places)', { invalid: { 'additional_data.percent_ownership': 'at most 4 decimal places' } })
  // The schema's exclusive minimum of 0 lets through a share too small to keep (5e-324 is 0.0000).
  if (units === 0) throw badBody('invalid fields: additional_data.percent_ownership (at least 0.0001)', { invalid: { 'additional_data.percent_ownership': 'at least 0.0001' } })
  return units
}

const partyOf = (row: RelationshipRow, end: 'from' | 'to'): Party => {
  const person = end === 'from' ? row.from_person_id : row.to_person_id
  const business = end === 'from' ? row.from_business_id : row.to_business_id
  assert((person === null) !== (business === null), 'a stored relationship has exactly one party at each end')
  return person ? { kind: 'person', id: person } : { kind: 'business', id: business! }
}

const toCandidate = (row: RelationshipRow): Candidate => ({
  relationship_type: row.relationship_type as RelationshipType,
  from: partyOf(row, 'from'),
  to: partyOf(row, 'to'),
  ownershipUnits: row.ownership_percentage === null ? null : Math.round(Number(row.ownership_percentage) * ownershipUnitsPerPercent),
})

/** Gathers the facts the rules need (locking the target first) and throws the refusal that wins, if any. */
async function enforceRules(tx: Tx, workspaceId: string, candidate: Candidate, selfId: string | undefined): Promise<void> {
  const toExists = await lockTarget(tx, workspaceId, candidate.to.kind, candidate.to.id)
  const fromExists = await partyExists(tx, workspaceId, candidate.from.kind, candidate.from.id)
  const siblings = (await relationshipsInto(tx, workspaceId, candidate.to.kind, candidate.to.id)).filter((r) => r.id !== selfId).map(toCandidate)
  const refusal = judge(candidate, { fromExists, toExists, siblings })
  if (refusal) throw refusal
}

/** Pair assertion for the 100% rule: what the rules allowed must be what the table now holds. */
async function assertOwnershipHeld(tx: Tx, workspaceId: string, candidate: Candidate): Promise<void> {
  if (candidate.ownershipUnits === null) return
  assert(candidate.to.kind === 'business', 'only businesses are owned')
  assert(await ownershipUnitsOf(tx, workspaceId, candidate.to.id) <= ownershipUnitsMax, 'a business is never owned beyond 100%')
}

function rowOf(base: Omit<RelationshipRow, 'from_person_id' | 'from_business_id' | 'to_person_id' | 'to_business_id'>, candidate: Candidate): RelationshipRow {
  return {
    ...base,
    from_person_id: candidate.from.kind === 'person' ? candidate.from.id : null,
    from_business_id: candidate.from.kind === 'business' ? candidate.from.id : null,
    to_person_id: candidate.to.kind === 'person' ? candidate.to.id : null,
    to_business_id: candidate.to.kind === 'business' ? candidate.to.id : null,
  }
}

/** The stored-only fields after a body is applied: a title or transfer type, and metadata (replaced whole). */
function fieldsOf(type: RelationshipType, body: Body, prior: RelationshipFields): RelationshipFields {
  const data = body.additional_data
  return {
    ...prior,
    ...(type === 'MANAGING_PERSON_OF' && data ? { title: data.title as string } : {}),
    ...(type === 'PAYER_PAYEE' && data ? { transfer_type: data.transfer_type as string } : {}),
    ...(body.metadata ? { metadata: body.metadata } : {}),
  }
}

const ownershipColumn = (units: number | null) => (units === null ? null : (units / ownershipUnitsPerPercent).toFixed(4))

export async function createRelationship(tx: Tx, workspaceId: string, sent: Body, now: Date): Promise<RelationshipRow> {
  const type = sent.relationship_type
  const body = declaredOnly(sent, relationshipProperties[type])
  refuseChangedServerSetFields({ body, properties: relationshipProperties[type], current: undefined, workspaceId })
  const from = partyAt(body, 'from')
  const to = partyAt(body, 'to')
  // Only PAYER_PAYEE leaves the ends to the caller: its branch cannot require "one of two" fields.
  if (!from) throw notExactlyOneParty('from')
  if (!to) throw notExactlyOneParty('to')
  const units = unitsOf(body)
  assert(ownerTypes.includes(type) === (units !== undefined), 'the owner types, and only they, require a share')
  const candidate: Candidate = { relationship_type: type, from, to, ownershipUnits: units ?? null }
  await enforceRules(tx, workspaceId, candidate, undefined)
  const row = rowOf({
    workspace_id: workspaceId, id: uuidv7(), relationship_type: type,
    ownership_percentage: ownershipColumn(candidate.ownershipUnits),
    fields: fieldsOf(type, body, {}),
    created_at: now, updated_at: now,
  }, candidate)
  await insertRelationship(tx, row)
  await assertOwnershipHeld(tx, workspaceId, candidate)
  return row
}

/**
 * Applies a PATCH once every rule holds. A PATCH that changes nothing writes nothing (no new
 * last_updated_time, no event): `changed` is then empty. Undefined when the id names no relationship.
 */
export async function patchRelationship(tx: Tx, workspaceId: string, id: string, sent: Body, now: Date): Promise<{ resource: Relationship; changed: Record<string, unknown> } | undefined> {
  const row = await getRelationship(tx, workspaceId, id, { forUpdate: true })
  if (!row) return undefined
  const type = row.relationship_type as RelationshipType
  const body = declaredOnly(sent, relationshipProperties[type])
  refuseChangedServerSetFields({ body, properties: relationshipProperties[type], current: toRelationship(row), workspaceId, alsoImmutable: ['relationship_type'] })
  const stored = toCandidate(row)
  const candidate: Candidate = {
    relationship_type: type,
    from: partyAt(body, 'from') ?? stored.from,
    to: partyAt(body, 'to') ?? stored.to,
    ownershipUnits: ownerTypes.includes(type) ? (unitsOf(body) ?? stored.ownershipUnits) : null,
  }
  await enforceRules(tx, workspaceId, candidate, row.id)
  const after = rowOf({
    ...row,
    ownership_percentage: ownershipColumn(candidate.ownershipUnits),
    fields: fieldsOf(type, body, row.fields),
    updated_at: now,
  }, candidate)
  const before = toRelationship(row)
  const changed = changedFields(before, toRelationship(after))
  if (Object.keys(changed).length === 0) return { resource: before, changed }
  await updateRelationship(tx, after)
  await assertOwnershipHeld(tx, workspaceId, candidate)
  return { resource: toRelationship(after), changed }
}
