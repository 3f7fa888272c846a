// Verifying parties: gather their facts, run the identity provider and the watchlist screening,
// store the results, roll them up into the party's status and record the outcome events, all in
// the caller's transaction.
import type { Static } from 'typebox'
import type { Tx } from '../platform/db.js'
import { badBody } from '../platform/errors.js'
import { changedFields, recordEvent } from '../platform/events.js'
import type { Services } from '../platform/http.js'
import { uuidv7 } from '../platform/ids.js'
import type { verification } from '../spec/schemas.js'
import { toBusiness } from '../customers/businesses/service.js'
import { getBusiness } from '../customers/businesses/store.js'
import { getPerson, personalIdsOf } from '../customers/persons/store.js'
import { toCustomer, toPerson } from '../customers/persons/views.js'
import type { Detail, PersonFacts, BusinessFacts, ProviderOutcome, VerificationProvider, VerificationResult, PostalAddress } from './provider.js'
import { kycStatusOf, relatedEntitiesResult, verificationStatusOf, type KycStatus, type VerificationStatus } from './rollup.js'
import {
  currentResults, getBusinessRecord, getPersonRecord, insertVerification, listVerifiableOwners, setBusinessStatus, setPersonStatus,
  type BusinessRecord, type OwnerLink, type Party, type PersonRecord, type VerificationRow,
} from './store.js'
import { currentList, type LoadedList } from './watchlist/current.js'
import { screenParty, screeningRecord, watchlistDetails, watchlistResultOf, type ScreenedParty } from './watchlist/screening.js'
import { requireBusinessRecord, requirePersonRecord } from './parties.js'
import { subscribe } from './monitoring/service.js'

export type Verification = Static<typeof verification>

export function toVerification(row: VerificationRow): Verification {
  return {
    id: row.id,
    ...(row.person_id ? { person_id: row.person_id } : {}),
    ...(row.business_id ? { business_id: row.business_id } : {}),
    verification_type: row.verification_type as Verification['verification_type'],
    result: row.result as Verification['result'],
    verification_time: row.verification_time.toISOString(),
    ...(row.details ? { details: row.details as Detail[] } : {}),
    ...(row.vendor_info ? { vendor_info: row.vendor_info as Verification['vendor_info'] } : {}),
    ...(row.metadata ? { metadata: row.metadata } : {}),
    creation_time: row.created_at.toISOString(),
    last_updated_time: row.updated_at.toISOString(),
  }
}

// ---- what each verification needs -------------------------------------------------------------

/** The fields POST /v0/verifications/verify needs on a person (the spec's list). */
export function missingPersonFields(p: PersonRecord): string[] {
  const missing: string[] = []
  if (!p.first_name) missing.push('first_name')
  if (!p.last_name) missing.push('last_name')
  if (!p.dob) missing.push('dob')
  if (!p.email) missing.push('email')
  if (!p.phone_number) missing.push('phone_number')
  if (!p.legal_address) missing.push('legal_address')
  if (!p.ssn_encrypted) missing.push('ssn')
  return missing
}

/** A business needs its name and legal address (the spec) and an EIN, which a sole proprietorship may lack. */
export function missingBusinessFields(b: BusinessRecord): string[] {
  const missing: string[] = []
  if (!b.entity_name) missing.push('entity_name')
  if (!b.legal_address) missing.push('legal_address')
  if (!b.ein_encrypted && b.structure !== 'SOLE_PROPRIETORSHIP') missing.push('ein')
  return missing
}

/** An uploaded vendor result (POST /v0/verifications) needs what the spec lists for it. */
export function missingPersonFieldsForUpload(p: PersonRecord): string[] {
  const missing: string[] = []
  if (!p.first_name) missing.push('first_name')
  if (!p.last_name) missing.push('last_name')
  if (!p.dob) missing.push('dob')
  if (!p.email && !p.phone_number) missing.push('email or phone_number')
  if (!p.legal_address) missing.push('legal_address')
  if (!p.ssn_encrypted && !p.has_personal_id) missing.push('ssn or personal_ids')
  return missing
}

export function missingBusinessFieldsForUpload(b: BusinessRecord): string[] {
  const missing: string[] = []
  if (!b.entity_name) missing.push('entity_name')
  if (!b.legal_address) missing.push('legal_address')
  if (!b.email && !b.phone_number) missing.push('email or phone_number')
  return missing
}

function personName(p: PersonRecord): string {
  return [p.first_name, p.middle_name, p.last_name].filter(Boolean).join(' ')
}

export function personScreening(p: PersonRecord): ScreenedParty {
  return { kind: 'person', names: [personName(p)], ...(p.dob ? { dob: p.dob } : {}), ...(p.legal_address?.country_code ? { countryCode: p.legal_address.country_code } : {}) }
}

export function businessScreening(b: BusinessRecord): ScreenedParty {
  const names = [b.entity_name ?? '', ...(Array.isArray(b.trade_names) ? b.trade_names : [])].filter((n) => n.trim() !== '')
  return { kind: 'business', names, ...(b.legal_address?.country_code ? { countryCode: b.legal_address.country_code } : {}) }
}

// ---- running a verification --------------------------------------------------------------------

export interface RunContext {
  tx: Tx
  services: Services
  workspaceId: string
  provider: VerificationProvider
  list: LoadedList
  runId: string
  now: Date
}

const vendorJson = (vendor: string, json: Record<string, unknown>) => ({ vendor, content_type: 'application/json' as const, json })

async function store(ctx: RunContext, party: Party, type: string, result: VerificationResult, details: Detail[], vendorInfo: Record<string, unknown>): Promise<VerificationRow> {
  const row: VerificationRow = {
    workspace_id: ctx.workspaceId, id: uuidv7(),
    person_id: party.personId ?? null, business_id: party.businessId ?? null,
    verification_type: type, result, verification_time: ctx.now, is_current: true, run_id: ctx.runId,
    details, vendor_info: vendorInfo, metadata: null, created_at: ctx.now, updated_at: ctx.now,
  }
  await insertVerification(ctx.tx, row)
  await recordVerificationCreated(ctx.tx, row)
  return row
}

/** The spec has no event type for a stored result; it is recorded as VERIFICATION.CREATED (not subscribable). */
export async function recordVerificationCreated(tx: Tx, row: VerificationRow): Promise<void> {
  await recordEvent(tx, { at: row.created_at, workspaceId: row.workspace_id, type: 'VERIFICATION.CREATED', resourceId: row.id, resource: toVerification(row) })
}

function screening(ctx: RunContext, party: ScreenedParty): { result: VerificationResult; details: Detail[]; vendorInfo: Record<string, unknown> } {
  const matches = screenParty(ctx.list, party)
  return { result: watchlistResultOf(matches), details: watchlistDetails(ctx.list, matches), vendorInfo: vendorJson('KEEL_WATCHLIST', screeningRecord(ctx.list, matches)) }
}

/** A person with every field verification needs, the SSN decrypted for the provider call only. */
function personFacts(services: Services, p: PersonRecord): PersonFacts {
  return {
    id: p.id, first_name: p.first_name!, ...(p.middle_name ? { middle_name: p.middle_name } : {}), last_name: p.last_name!, dob: p.dob!,
    email: p.email!, phone_number: p.phone_number!, legal_address: p.legal_address as PostalAddress, ssn: services.vault.decrypt(p.ssn_encrypted!),
  }
}

async function verifyPersonRecord(ctx: RunContext, p: PersonRecord): Promise<{ rows: VerificationRow[]; kyc: KycStatus }> {
  const identity: ProviderOutcome = await ctx.provider.verifyPerson(personFacts(ctx.services, p))
  const party: Party = { personId: p.id }
  const rows = [await store(ctx, party, 'IDENTITY', identity.result, identity.details, vendorJson(ctx.provider.vendor, identity.raw))]
  const watch = screening(ctx, personScreening(p))
  rows.push(await store(ctx, party, 'WATCHLIST', watch.result, watch.details, watch.vendorInfo))
  const kyc = await applyRollup(ctx.tx, ctx.workspaceId, party, ctx.now)
  return { rows, kyc }
}

/**
 * Recomputes a party's status from its current results, stores it, and records the outcome events
 * (PERSON.VERIFICATION_OUTCOME.UPDATED and, for a customer, CUSTOMER.KYC_OUTCOME.UPDATED; or
 * BUSINESS.VERIFICATION_OUTCOME.UPDATED). Returns the customer-level status.
 */
export async function applyRollup(tx: Tx, workspaceId: string, party: Party, now: Date): Promise<KycStatus> {
  const current = await currentResults(tx, workspaceId, party)
  const status = verificationStatusOf(current)
  const kyc = kycStatusOf(current)
  if (party.personId) {
    const id = party.personId
    const view = async () => {
      const row = (await getPerson(tx, workspaceId, id))!
      return { row, person: toPerson(row, (await personalIdsOf(tx, workspaceId, [id])).get(id) ?? []) as Record<string, unknown> }
    }
    const before = await view()
    await setPersonStatus(tx, workspaceId, id, status, now, kyc)
    const after = await view()
    await recordEvent(tx, { at: now, workspaceId, type: 'PERSON.VERIFICATION_OUTCOME.UPDATED', resourceId: id, resource: after.person, changedFields: changedFields(before.person, after.person) })
    if (after.row.is_customer) {
      // The customer view's kyc_status is stored with the status (PROVIDER_FAILURE included), so
      // the event and a later GET agree.
      const customer = toCustomer(after.row) as Record<string, unknown>
      await recordEvent(tx, { at: now, workspaceId, type: 'CUSTOMER.KYC_OUTCOME.UPDATED', resourceId: id, resource: customer, changedFields: changedFields(toCustomer(before.row) as Record<string, unknown>, customer) })
    }
  } else {
    const id = party.businessId!
    const before = toBusiness((await getBusiness(tx, workspaceId, id))!) as Record<string, unknown>
    await setBusinessStatus(tx, workspaceId, id, status, now)
    const after = toBusiness((await getBusiness(tx, workspaceId, id))!) as Record<string, unknown>
    await recordEvent(tx, { at: now, workspaceId, type: 'BUSINESS.VERIFICATION_OUTCOME.UPDATED', resourceId: id, resource: after, changedFields: changedFields(before, after) })
  }
  return kyc
}

export interface VerifyOutcome { verification_status: VerificationStatus; verifications: Verification[] }

function refuseMissing(missing: Array<{ who: string; fields: string[] }>): void {
  const all = missing.filter((m) => m.fields.length > 0)
  if (all.length === 0) return
  const names = all.flatMap((m) => m.fields.map((f) => (m.who ? `${m.who}.${f}` : f)))
  const detail = all.map((m) => `${m.who ? `${m.who} is` : 'the party is'} missing ${m.fields.join(', ')}`).join('; ')
  throw badBody(`missing required fields for verification: ${detail}`, { missing: names })
}

// Verified parties are subscribed to watchlist monitoring, as Synctera does for every party it
// verifies ("since August 2022, watchlist monitoring is automatically enabled"), so every import
// re-screens them.

/** POST /v0/verifications/verify for a person. */
export async function verifyPerson(tx: Tx, services: Services, workspaceId: string, personId: string, provider: VerificationProvider): Promise<VerifyOutcome> {
  const person = await requirePersonRecord(tx, workspaceId, personId)
  refuseMissing([{ who: '', fields: missingPersonFields(person) }])
  const ctx: RunContext = { tx, services, workspaceId, provider, list: await currentList(tx), runId: uuidv7(), now: services.clock.now(workspaceId) }
  const { rows } = await verifyPersonRecord(ctx, person)
  await subscribe(tx, workspaceId, { personId }, personScreening(person), ctx.list, ctx.now)
  const after = await getPersonRecord(tx, workspaceId, personId)
  return { verification_status: after!.verification_status, verifications: rows.map(toVerification) }
}

function ownerRole(o: OwnerLink): string {
  return o.relationship_type === 'BENEFICIAL_OWNER_OF' ? `beneficial owner (${Number(o.ownership_percentage)}%)` : 'managing person'
}

/** POST /v0/verifications/verify for a business: the business and its owners, together. */
export async function verifyBusiness(tx: Tx, services: Services, workspaceId: string, businessId: string, provider: VerificationProvider): Promise<VerifyOutcome> {
  const business = await requireBusinessRecord(tx, workspaceId, businessId)
  const owners = await listVerifiableOwners(tx, workspaceId, businessId)
  const ownerRecords: PersonRecord[] = []
  for (const o of owners) ownerRecords.push((await getPersonRecord(tx, workspaceId, o.person_id, { forUpdate: true }))!)
  // Every missing field, the business's and every owner's, in one answer and before any change.
  refuseMissing([
    { who: '', fields: missingBusinessFields(business) },
    ...ownerRecords.map((p) => ({ who: `owner ${p.id}`, fields: missingPersonFields(p) })),
  ])
  const ctx: RunContext = { tx, services, workspaceId, provider, list: await currentList(tx), runId: uuidv7(), now: services.clock.now(workspaceId) }
  const rows: VerificationRow[] = []
  const ownerOutcomes: Array<{ owner: OwnerLink; kyc: KycStatus }> = []
  for (const [i, p] of ownerRecords.entries()) {
    const out = await verifyPersonRecord(ctx, p)
    rows.push(...out.rows)
    ownerOutcomes.push({ owner: owners[i], kyc: out.kyc })
  }
  const party: Party = { businessId }
  const facts: BusinessFacts = {
    id: business.id, entity_name: business.entity_name!, legal_address: business.legal_address as PostalAddress,
    ...(business.ein_encrypted ? { ein: services.vault.decrypt(business.ein_encrypted) } : {}),
    ...(business.structure ? { structure: business.structure } : {}),
  }
  const identity = await provider.verifyBusiness(facts)
  rows.push(await store(ctx, party, 'IDENTITY', identity.result, identity.details, vendorJson(provider.vendor, identity.raw)))
  const watch = screening(ctx, businessScreening(business))
  rows.push(await store(ctx, party, 'WATCHLIST', watch.result, watch.details, watch.vendorInfo))
  const related = relatedEntitiesResult(ownerOutcomes.map((o) => o.kyc))
  const relatedDetails: Detail[] = ownerOutcomes.length === 0
    ? [{ category: 'OTHER', result: 'INFO', label: 'Related parties', description: 'no beneficial owners of 25% or more and no managing persons to verify' }]
    : ownerOutcomes.map(({ owner, kyc }) => ({
      category: 'OTHER' as const,
      result: kyc === 'ACCEPTED' ? ('PASS' as const) : kyc === 'REVIEW' || kyc === 'PENDING' || kyc === 'PROVISIONAL' ? ('WARN' as const) : ('FAIL' as const),
      label: 'Related party',
      description: `person ${owner.person_id}, ${ownerRole(owner)}: ${kyc}`,
    }))
  rows.push(await store(ctx, party, 'RELATED_ENTITIES', related, relatedDetails, vendorJson('KEEL', { owners: ownerOutcomes.map((o) => ({ person_id: o.owner.person_id, relationship_type: o.owner.relationship_type, kyc_status: o.kyc })) })))
  await applyRollup(tx, workspaceId, party, ctx.now)
  for (const p of ownerRecords) await subscribe(tx, workspaceId, { personId: p.id }, personScreening(p), ctx.list, ctx.now)
  await subscribe(tx, workspaceId, party, businessScreening(business), ctx.list, ctx.now)
  const after = await getBusinessRecord(tx, workspaceId, businessId)
  // The business's own results first, then its owners'.
  const ordered = [...rows.filter((r) => r.business_id), ...rows.filter((r) => r.person_id)]
  return { verification_status: after!.verification_status, verifications: ordered.map(toVerification) }
}
