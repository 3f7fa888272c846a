import type { Queryable } from '../platform/db.js'
import { ApiError } from '../platform/errors.js'

// A request body that names a person or business that does not exist in the caller's workspace
// is a bad request (400 CUSTOMER_NOT_FOUND / BUSINESS_NOT_FOUND), not a 404: the URL was fine.

export async function requirePerson(db: Queryable, workspaceId: string, personId: string, field = 'person_id'): Promise<void> {
  const [row] = await db`select 1 from persons where workspace_id = ${workspaceId} and id = ${personId}`
  if (!row) throw new ApiError('CUSTOMER_NOT_FOUND', `${field} ${personId} names no person in this workspace`)
}

export async function requireBusiness(db: Queryable, workspaceId: string, businessId: string, field = 'business_id'): Promise<void> {
  const [row] = await db`select 1 from businesses where workspace_id = ${workspaceId} and id = ${businessId}`
  if (!row) throw new ApiError('BUSINESS_NOT_FOUND', `${field} ${businessId} names no business in this workspace`)
}
