import type { Static } from 'typebox'
import { ApiError, badBody } from '../platform/errors.js'
import { changedFields, recordEvent } from '../platform/events.js'
import type { Api } from '../platform/http.js'
import { uuidv7 } from '../platform/ids.js'
import { declaredShape } from '../platform/objects.js'
import { listBody, readPage } from '../platform/pagination.js'
import { monitoring_alert, monitoring_subscription, verification, verification_request, type adhoc_verification_response } from '../spec/schemas.js'
import { refuseChangedServerSetFields } from '../customers/request-fields.js'
import type { Queryable } from '../platform/db.js'
import { providerFor } from './provider.js'
import { requireBusinessRecord, requirePersonRecord } from './parties.js'
import {
  applyRollup, businessScreening, missingBusinessFieldsForUpload, missingPersonFieldsForUpload, personScreening, recordVerificationCreated,
  toVerification, verifyBusiness, verifyPerson,
} from './service.js'
import {
  getBusinessRecord, getPersonRecord, getVerification, insertAdhoc, insertVerification, listVerifications, type Party, type VerificationRow,
} from './store.js'
import { currentList } from './watchlist/current.js'
import { screenParty, screeningRecord, watchlistResultOf } from './watchlist/screening.js'
import { subscribe, toAlert, toSubscription } from './monitoring/service.js'
import { deleteSubscription, getAlert, getSubscription, listAlerts, listSubscriptions, updateAlert } from './monitoring/store.js'

type AdhocResponse = Static<typeof adhoc_verification_response>

const alertProperties = monitoring_alert.properties as Record<string, { readOnly?: boolean }>
const subscriptionProperties = monitoring_subscription.properties as Record<string, { readOnly?: boolean }>
type Properties = Record<string, { readOnly?: boolean }>
// The spec's verification is allOf [properties, required] and verification_request allOf
// [required, properties]: the part with properties declares the fields a body may carry.
const verificationProperties = (verification.allOf[0] as unknown as { properties: Properties }).properties
const verifyRequestProperties = (verification_request.allOf[1] as unknown as { properties: Properties }).properties
const adhocProperties = { payer_id: {}, payee_id: {} }

/** Exactly one of person_id and business_id, as the spec's verification and monitoring bodies say. */
function onePartyOf(body: { person_id?: string; business_id?: string }): Party {
  if ((body.person_id === undefined) === (body.business_id === undefined)) {
    const why = 'exactly one of person_id or business_id'
    throw badBody('exactly one of person_id or business_id must be set', { invalid: { person_id: why, business_id: why } })
  }
  return body.person_id !== undefined ? { personId: body.person_id } : { businessId: body.business_id! }
}

export function registerVerificationRoutes(api: Api): void {
  const { services } = api
  const { sql, clock } = services

  api.write('verify', async ({ tx, workspace, body }) => {
    refuseChangedServerSetFields({ body: body as Record<string, unknown>, properties: verifyRequestProperties, current: undefined, workspaceId: workspace.id })
    if (body.customer_consent !== true) {
      throw badBody('invalid fields: customer_consent (the customer must consent to verification: send true)', { invalid: { customer_consent: 'must be true' } })
    }
    const party = onePartyOf(body)
    const provider = providerFor(workspace.mode)
    return party.personId
      ? verifyPerson(tx, services, workspace.id, party.personId, provider)
      : verifyBusiness(tx, services, workspace.id, party.businessId!, provider)
  })

  api.write('createVerification', async ({ tx, workspace, body }) => {
    refuseChangedServerSetFields({ body: body as Record<string, unknown>, properties: verificationProperties, current: undefined, workspaceId: workspace.id })
    const party = onePartyOf(body)
    const missing = party.personId
      ? missingPersonFieldsForUpload(await requirePersonRecord(tx, workspace.id, party.personId))
      : missingBusinessFieldsForUpload(await requireBusinessRecord(tx, workspace.id, party.businessId!))
    if (missing.length) throw badBody(`missing required fields for verification: ${missing.join(', ')}`, { missing })
    const verificationTime = new Date(body.verification_time as string)
    const now = clock.now(workspace.id)
    if (verificationTime.getTime() > now.getTime()) throw badBody('invalid fields: verification_time (must not be in the future)', { invalid: { verification_time: 'must not be in the future' } })
    // Details and vendor_info as the spec declares them: their objects' undeclared properties are not kept.
    const kept = declaredShape(verification, body as Record<string, unknown>)
    const row: VerificationRow = {
      workspace_id: workspace.id, id: uuidv7(), person_id: party.personId ?? null, business_id: party.businessId ?? null,
      verification_type: body.verification_type as string, result: body.result as string, verification_time: verificationTime,
      is_current: true, run_id: null, details: (kept.details as unknown[] | undefined) ?? null,
      vendor_info: (kept.vendor_info as Record<string, unknown> | undefined) ?? null, metadata: (body.metadata as Record<string, unknown> | undefined) ?? null,
      created_at: now, updated_at: now,
    }
    await insertVerification(tx, row)
    await recordVerificationCreated(tx, row)
    await applyRollup(tx, workspace.id, party, now)
    return toVerification(row)
  })

  api.read('getVerification1', async ({ workspace, params }) => {
    const row = await getVerification(sql, workspace.id, params.verification_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `verification ${params.verification_id} not found`)
    return toVerification(row)
  })

  api.read('listVerifications1', async ({ workspace, query }) => {
    const page = readPage(query)
    const rows = await listVerifications(sql, workspace.id, query, page)
    return listBody('verifications', rows, page.limit, toVerification)
  })

  api.write('verifyAdHoc', async ({ tx, workspace, body }) => {
    refuseChangedServerSetFields({ body: body as Record<string, unknown>, properties: adhocProperties, current: undefined, workspaceId: workspace.id })
    // The payer is a customer: a person or a business. The payee is any party, screened as itself.
    const payer = await findParty(tx, workspace.id, body.payer_id)
    if (!payer) throw new ApiError('CUSTOMER_NOT_FOUND', `payer_id ${body.payer_id} names no person or business in this workspace`)
    const payee = await findParty(tx, workspace.id, body.payee_id)
    if (!payee) throw new ApiError('CUSTOMER_NOT_FOUND', `payee_id ${body.payee_id} names no person or business in this workspace`)
    const list = await currentList(tx)
    const matches = screenParty(list, payee.screening)
    const result = watchlistResultOf(matches)
    const id = uuidv7()
    const now = clock.now(workspace.id)
    await insertAdhoc(tx, {
      workspace_id: workspace.id, id, payer_id: body.payer_id, payee_id: body.payee_id, result,
      matching_watchlists: matches.length ? [list.source] : [], matches: screeningRecord(list, matches), list_version: list.version, created_at: now,
    })
    const response: AdhocResponse = {
      id, result, matching_watchlists: matches.length ? ['US_OFAC'] : [],
      vendor_info: { vendor: 'KEEL_WATCHLIST', content_type: 'application/json', json: screeningRecord(list, matches) },
    }
    // No spec event type for an ad hoc screening: recorded under Keel's own name, not subscribable.
    await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'ADHOC_VERIFICATION.CREATED', resourceId: id, resource: { ...response, payer_id: body.payer_id, payee_id: body.payee_id } })
    return response
  })

  // ---- monitoring ----

  api.write('createSubscription', async ({ tx, workspace, body }) => {
    refuseChangedServerSetFields({ body: body as Record<string, unknown>, properties: subscriptionProperties, current: undefined, workspaceId: workspace.id })
    const party = onePartyOf(body)
    const screening = party.personId
      ? personScreening(await requirePersonRecord(tx, workspace.id, party.personId))
      : businessScreening(await requireBusinessRecord(tx, workspace.id, party.businessId!))
    const row = await subscribe(tx, workspace.id, party, screening, await currentList(tx), clock.now(workspace.id), (body.metadata as Record<string, unknown> | undefined) ?? null)
    return toSubscription(row)
  })

  api.read('getSubscription', async ({ workspace, params }) => {
    const row = await getSubscription(sql, workspace.id, params.subscription_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `monitoring subscription ${params.subscription_id} not found`)
    return toSubscription(row)
  })

  api.read('listSubscriptions', async ({ workspace, query }) => {
    const page = readPage(query)
    const rows = await listSubscriptions(sql, workspace.id, query, page)
    return listBody('subscriptions', rows, page.limit, toSubscription)
  })

  api.write('deleteSubscription', async ({ tx, workspace, params }) => {
    const row = await deleteSubscription(tx, workspace.id, params.subscription_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `monitoring subscription ${params.subscription_id} not found`)
    await recordEvent(tx, { at: clock.now(workspace.id), workspaceId: workspace.id, type: 'MONITORING_SUBSCRIPTION.DELETED', resourceId: row.id, resource: toSubscription(row) })
    return { id: row.id, resource: 'monitoring_subscription' }
  })

  api.read('listAlerts', async ({ workspace, query }) => {
    const page = readPage(query)
    const rows = await listAlerts(sql, workspace.id, query, page)
    return listBody('alerts', rows, page.limit, toAlert)
  })

  api.read('getAlert', async ({ workspace, params }) => {
    const row = await getAlert(sql, workspace.id, params.alert_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `monitoring alert ${params.alert_id} not found`)
    return toAlert(row)
  })

  api.write('updateAlert', async ({ tx, workspace, params, body }) => {
    const row = await getAlert(tx, workspace.id, params.alert_id, { forUpdate: true })
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `monitoring alert ${params.alert_id} not found`)
    const before = toAlert(row) as Record<string, unknown>
    // Only the review state and the integrator's metadata change; the rest is what screening found.
    refuseChangedServerSetFields({
      body: body as Record<string, unknown>, properties: alertProperties, current: before, workspaceId: workspace.id,
      alsoImmutable: ['person_id', 'business_id', 'title', 'vendor_info'],
    })
    const next = {
      ...row,
      status: (body.status ?? row.status) as 'ACTIVE' | 'SUPPRESSED',
      metadata: body.metadata !== undefined ? (body.metadata as Record<string, unknown>) : row.metadata,
      updated_at: clock.now(workspace.id),
    }
    await updateAlert(tx, next)
    const after = toAlert(next)
    const changed = changedFields(before, after as Record<string, unknown>)
    if (Object.keys(changed).length) await recordEvent(tx, { at: next.updated_at, workspaceId: workspace.id, type: 'MONITORING_ALERT.UPDATED', resourceId: row.id, resource: after, changedFields: changed })
    // The spec's 200 for this operation declares no body: the updated alert is read with GET.
    return undefined
  })

}

async function findParty(db: Queryable, workspaceId: string, id: string) {
  const person = await getPersonRecord(db, workspaceId, id)
  if (person) return { personId: id, screening: personScreening(person) }
  const business = await getBusinessRecord(db, workspaceId, id)
  if (business) return { businessId: id, screening: businessScreening(business) }
  return undefined
}
