import { ApiError, badBody } from '../../platform/errors.js'

// The rules a relationship between parties must keep, as plain functions over plain data: the
// caller gathers the facts (which parties exist, which relationships already point at the same
// target) and these decide, in one fixed precedence, which refusal wins when several apply:
//
//   1. a party related to itself            400 BAD_REQUEST_BODY
//   2. the `from` party does not exist      400 CUSTOMER_NOT_FOUND / BUSINESS_NOT_FOUND
//   3. the `to` party does not exist        400 CUSTOMER_NOT_FOUND / BUSINESS_NOT_FOUND
//   4. the same relationship already exists 409 DUPLICATE_RESOURCE
//   5. the target's owners would hold more than 100%   400 BAD_REQUEST_BODY
//
// Over-ownership is a BAD_REQUEST_BODY: the catalogue binds every code to one status, its 422
// codes each name a specific money-movement or lifecycle rule, and BAD_REQUEST_BODY is the one
// it describes for a body that is wrong in a way "more complex than simply missing/invalid
// fields". The offending field is named in `invalid`.

export type RelationshipType = 'BENEFICIAL_OWNER_OF' | 'MANAGING_PERSON_OF' | 'OWNER_OF' | 'PAYER_PAYEE'
export type PartyKind = 'person' | 'business'
export interface Party { kind: PartyKind; id: string }

export interface Candidate {
  relationship_type: RelationshipType
  from: Party
  to: Party
  /** Ownership in ownership units (BENEFICIAL_OWNER_OF and OWNER_OF only), else null. */
  ownershipUnits: number | null
}

export interface Facts {
  fromExists: boolean
  toExists: boolean
  /** Every other relationship whose target is the candidate's target (on PATCH, itself excluded). */
  siblings: readonly Candidate[]
}

/** Ownership is kept in ten-thousandths of a percent: the column's numeric(7, 4), as integers. */
export const ownershipUnitsPerPercent = 10_000
export const ownershipUnitsMax = 100 * ownershipUnitsPerPercent

export const ownerTypes: readonly RelationshipType[] = ['BENEFICIAL_OWNER_OF', 'OWNER_OF']

/** A percent_ownership as ownership units, or undefined when it has more than four decimals. */
export function toOwnershipUnits(percent: number): number | undefined {
  const scaled = percent * ownershipUnitsPerPercent
  const units = Math.round(scaled)
  return Math.abs(scaled - units) < 1e-6 ? units : undefined
}

export const fieldOf = (end: 'from' | 'to', party: Party): string => `${end}_${party.kind}_id`

const sameParty = (a: Party, b: Party) => a.kind === b.kind && a.id === b.id

function notFound(end: 'from' | 'to', party: Party): ApiError {
  const field = fieldOf(end, party)
  return party.kind === 'person'
    ? new ApiError('CUSTOMER_NOT_FOUND', `${field} ${party.id} names no person in this workspace`)
    : new ApiError('BUSINESS_NOT_FOUND', `${field} ${party.id} names no business in this workspace`)
}

/** The first rule the candidate breaks, in the precedence above; undefined when it keeps them all. */
export function judge(candidate: Candidate, facts: Facts): ApiError | undefined {
  const { from, to } = candidate
  if (sameParty(from, to)) {
    const field = fieldOf('to', to)
    return badBody(`a party cannot be related to itself: ${fieldOf('from', from)} and ${field} are both ${to.id}`, { invalid: { [field]: `must differ from ${fieldOf('from', from)}` } })
  }
  if (!facts.fromExists) return notFound('from', from)
  if (!facts.toExists) return notFound('to', to)
  const duplicate = facts.siblings.some((s) => s.relationship_type === candidate.relationship_type && sameParty(s.from, from) && sameParty(s.to, to))
  if (duplicate) return new ApiError('DUPLICATE_RESOURCE', `a ${candidate.relationship_type} relationship from ${from.id} to ${to.id} already exists`)
  if (candidate.ownershipUnits !== null) {
    const held = facts.siblings.reduce((sum, s) => sum + (s.ownershipUnits ?? 0), 0)
    const total = held + candidate.ownershipUnits
    if (total > ownershipUnitsMax) {
      const percent = (units: number) => `${units / ownershipUnitsPerPercent}%`
      return badBody(`the owners of business ${to.id} would hold ${percent(total)} (${percent(held)} already held), over 100%`, {
        invalid: { 'additional_data.percent_ownership': `at most ${percent(ownershipUnitsMax - held)} of business ${to.id} is left to own` },
      })
    }
  }
  return undefined
}
