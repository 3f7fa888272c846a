import type { Queryable } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'
import type { PartyKind } from './rules.js'

export interface RelationshipFields {
  title?: string
  transfer_type?: string
  metadata?: Record<string, unknown>
}

export interface RelationshipRow {
  workspace_id: string
  id: string
  relationship_type: string
  from_person_id: string | null
  from_business_id: string | null
  to_business_id: string | null
  to_person_id: string | null
  /** numeric(7, 4), as postgres.js returns it: a decimal string. */
  ownership_percentage: string | null
  fields: RelationshipFields
  created_at: Date
  updated_at: Date
}

const partyTable = (kind: PartyKind) => (kind === 'person' ? 'persons' : 'businesses')

export async function partyExists(db: Queryable, workspaceId: string, kind: PartyKind, id: string): Promise<boolean> {
  const [row] = await db`select 1 from ${db(partyTable(kind))} where workspace_id = ${workspaceId} and id = ${id}`
  return row !== undefined
}

/**
 * Locks the party a relationship points at, so that the relationships into it (their ownership
 * total, their duplicates) are read and changed by one transaction at a time. NO KEY UPDATE, not
 * UPDATE: it must not block the key-share locks other inserts' foreign keys take on the row.
 * Answers whether the party exists.
 */
export async function lockTarget(db: Queryable, workspaceId: string, kind: PartyKind, id: string): Promise<boolean> {
  const [row] = await db`select 1 from ${db(partyTable(kind))} where workspace_id = ${workspaceId} and id = ${id} for no key update`
  return row !== undefined
}

/** Locks parties of one kind in id order (NO KEY UPDATE, as lockTarget): a later statement reads them as the last transaction that held them left them. */
export async function lockParties(db: Queryable, workspaceId: string, kind: PartyKind, ids: string[]): Promise<void> {
  if (ids.length === 0) return
  await db`select 1 from ${db(partyTable(kind))} where workspace_id = ${workspaceId} and id = any(${ids}::uuid[]) order by id for no key update`
}

/** The relationships pointing at one party. */
export async function relationshipsInto(db: Queryable, workspaceId: string, kind: PartyKind, id: string): Promise<RelationshipRow[]> {
  return db<RelationshipRow[]>`
    select * from relationships where workspace_id = ${workspaceId} and ${db(kind === 'person' ? 'to_person_id' : 'to_business_id')} = ${id}`
}

export async function insertRelationship(db: Queryable, row: RelationshipRow): Promise<void> {
  await db`insert into relationships ${db({ ...row, fields: db.json(row.fields as never) } as never)}`
}

export async function getRelationship(db: Queryable, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<RelationshipRow | undefined> {
  const [row] = await db<RelationshipRow[]>`
    select * from relationships where workspace_id = ${workspaceId} and id = ${id} ${options.forUpdate ? db`for update` : db``}`
  return row
}

export async function updateRelationship(db: Queryable, row: RelationshipRow): Promise<void> {
  await db`
    update relationships set from_person_id = ${row.from_person_id}, from_business_id = ${row.from_business_id},
      to_business_id = ${row.to_business_id}, to_person_id = ${row.to_person_id}, ownership_percentage = ${row.ownership_percentage},
      fields = ${db.json(row.fields as never)}, updated_at = ${row.updated_at}
    where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

export async function deleteRelationship(db: Queryable, workspaceId: string, id: string): Promise<void> {
  await db`delete from relationships where workspace_id = ${workspaceId} and id = ${id}`
}

/** The ownership total of a business in ownership units, read back after a change to assert the 100% rule held. */
export async function ownershipUnitsOf(db: Queryable, workspaceId: string, businessId: string): Promise<number> {
  const [{ units }] = await db<{ units: number }[]>`
    select coalesce(sum(ownership_percentage * 10000), 0)::int as units from relationships
    where workspace_id = ${workspaceId} and to_business_id = ${businessId}`
  return units
}

export interface RelationshipFilter {
  id?: string[]
  from_person_id?: string[]
  from_business_id?: string[]
  to_business_id?: string[]
  relationship_type?: string[]
}

export async function listRelationships(db: Queryable, workspaceId: string, filter: RelationshipFilter, page: Page): Promise<RelationshipRow[]> {
  const any = (column: string, values: string[] | undefined, type: 'uuid' | 'text' = 'uuid') =>
    (values?.length ? (type === 'uuid' ? db`and ${db(column)} = any(${values}::uuid[])` : db`and ${db(column)} = any(${values}::text[])`) : db``)
  return db<RelationshipRow[]>`
    select * from relationships
    where workspace_id = ${workspaceId}
      ${any('id', filter.id)} ${any('from_person_id', filter.from_person_id)} ${any('from_business_id', filter.from_business_id)}
      ${any('to_business_id', filter.to_business_id)} ${any('relationship_type', filter.relationship_type, 'text')}
      ${page.afterId ? db`and id > ${page.afterId}` : db``}
    order by id limit ${page.limit + 1}`
}
