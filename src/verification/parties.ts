import type { Queryable } from '../platform/db.js'
import { ApiError } from '../platform/errors.js'
import { getBusinessRecord, getPersonRecord, type BusinessRecord, type PersonRecord } from './store.js'

// A body naming a party that is not in the workspace is a 400 (CUSTOMER_NOT_FOUND /
// BUSINESS_NOT_FOUND), as customers/parties.ts rules; these also lock the row for the status update.

export async function requirePersonRecord(db: Queryable, workspaceId: string, id: string, field = 'person_id'): Promise<PersonRecord> {
  const row = await getPersonRecord(db, workspaceId, id, { forUpdate: true })
  if (!row) throw new ApiError('CUSTOMER_NOT_FOUND', `${field} ${id} names no person in this workspace`)
  return row
}

export async function requireBusinessRecord(db: Queryable, workspaceId: string, id: string, field = 'business_id'): Promise<BusinessRecord> {
  const row = await getBusinessRecord(db, workspaceId, id, { forUpdate: true })
  if (!row) throw new ApiError('BUSINESS_NOT_FOUND', `${field} ${id} names no business in this workspace`)
  return row
}
