import type { Fragment } from 'postgres'
import type { Queryable } from '../platform/db.js'
import { ApiError } from '../platform/errors.js'
import { announceAccountsChange as announceBusiness } from './businesses/service.js'
import { businessIdsAtPostalCode, getBusiness, type BusinessRow } from './businesses/store.js'
import { announceAccountsChange as announcePerson, loadPerson, type Person } from './persons/service.js'
import { personIdsAtPostalCode } from './persons/store.js'
import { lockParties, partyExists } from './relationships/store.js'

// What other domains may ask of persons and businesses.
//
// A request body that names a person or business that does not exist in the caller's workspace
// is a bad request (400 CUSTOMER_NOT_FOUND / BUSINESS_NOT_FOUND), not a 404: the URL was fine.

export async function requirePerson(db: Queryable, workspaceId: string, personId: string, field = 'person_id'): Promise<void> {
  if (!(await partyExists(db, workspaceId, 'person', personId))) throw new ApiError('CUSTOMER_NOT_FOUND', `${field} ${personId} names no person in this workspace`)
}

export async function requireBusiness(db: Queryable, workspaceId: string, businessId: string, field = 'business_id'): Promise<void> {
  if (!(await partyExists(db, workspaceId, 'business', businessId))) throw new ApiError('BUSINESS_NOT_FOUND', `${field} ${businessId} names no business in this workspace`)
}

/**
 * The persons (legal or shipping address) and businesses (legal address) at a postal code, as
 * subqueries of their ids for another domain's filter: the lists are never read into memory.
 */
export function partiesAtPostalCode(db: Queryable, workspaceId: string, postalCode: string): { personIds: Fragment; businessIds: Fragment } {
  return { personIds: personIdsAtPostalCode(db, workspaceId, postalCode), businessIds: businessIdsAtPostalCode(db, workspaceId, postalCode) }
}

/** The parties an account relationship names. */
export interface PartyIds { person_id: string | null; business_id: string | null }

/** Parties locked before their account relationships change, as they were: see holdersChanged. */
export interface HoldersBefore { persons: Person[]; businesses: BusinessRow[] }

/**
 * Locks the parties whose account relationships are about to change (businesses, then persons,
 * each in id order, as a business's verification locks them) and reads them as they are.
 */
export async function holdersBeforeChange(db: Queryable, workspaceId: string, parties: PartyIds[]): Promise<HoldersBefore> {
  const personIds = [...new Set(parties.flatMap((p) => (p.person_id ? [p.person_id] : [])))].sort()
  const businessIds = [...new Set(parties.flatMap((p) => (p.business_id ? [p.business_id] : [])))].sort()
  await lockParties(db, workspaceId, 'business', businessIds)
  await lockParties(db, workspaceId, 'person', personIds)
  const businesses = (await Promise.all(businessIds.map((id) => getBusiness(db, workspaceId, id)))).filter((b) => b !== undefined)
  const persons = (await Promise.all(personIds.map((id) => loadPerson(db, workspaceId, id)))).filter((p) => p !== undefined)
  return { businesses, persons }
}

/**
 * After account relationships changed: each party whose has_accounts flipped shows the change
 * (its last_updated_time moves to `at`) and its update events say so (PERSON.UPDATED, with
 * CUSTOMER.UPDATED for a customer, or BUSINESS.UPDATED).
 */
export async function holdersChanged(db: Queryable, before: HoldersBefore, at: Date): Promise<void> {
  for (const b of before.businesses) await announceBusiness(db, b, at)
  for (const p of before.persons) await announcePerson(db, p, at)
}
