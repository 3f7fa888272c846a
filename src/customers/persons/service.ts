import { assert } from '../../platform/assert.js'
import type { Queryable, Tx } from '../../platform/db.js'
import { ApiError } from '../../platform/errors.js'
import { changedFields, recordEvent } from '../../platform/events.js'
import type { Services } from '../../platform/http.js'
import { uuidv7 } from '../../platform/ids.js'
import { withFields } from '../../platform/objects.js'
import { likePattern, pageOf, readPage } from '../../platform/pagination.js'
import { base_customer, base_person, patch_customer } from '../../spec/schemas.js'
import { propertiesOf, refuseChangedServerSetFields } from '../request-fields.js'
import { applyInput, canonicalIdentifier, customerFields, personalIdCountry, personFields, Problems, readBody, rowsDiffer, sortOrder, type ApplyContext, type ApplyMode } from './rules.js'
import { getPerson, insertPerson, insertPersonalId, listPersons, personalIdsOf, touchPerson, updatePerson, type PageAnchor, type PersonalIdRow, type PersonRow } from './store.js'
import { toCustomer, toPerson } from './views.js'

/** Which API view a request came through: it decides the body's fields and the response's shape. */
export type View = 'person' | 'customer'

const keysOf = (schema: { properties: object }) => Object.keys(schema.properties)
// The properties each request body declares (the spec's schemas, flattened from their allOf).
const declared = {
  createPerson: new Set([...keysOf(base_person), 'personal_ids', 'note']),
  patchPerson: new Set([...keysOf(base_person), 'note']),
  customer: new Set([...keysOf(base_customer), 'first_name', 'last_name', 'dob', 'status']),
  patchCustomer: new Set(keysOf(patch_customer)),
}

// The fields the server sets in each view, as its resource schema marks them readOnly (id,
// creation_time, verification_status or kyc_status, has_accounts…), with `tenant`: an update may
// send them back as a GET showed them, and is refused when it would change one.
const serverSet = { person: propertiesOf(base_person), customer: propertiesOf(base_customer) }

/** A person record with its personal ids: what both views are made from. */
export interface Person { row: PersonRow; personalIds: PersonalIdRow[] }

export interface Context { tx: Tx; services: Services; workspaceId: string }

function applyContext(services: Services, workspaceId: string): ApplyContext {
  return { now: services.clock.now(workspaceId), sealSsn: (ssn) => services.vault.encrypt(ssn), openSsn: (sealed) => services.vault.decrypt(sealed) }
}

export async function loadPerson(db: Queryable, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<Person | undefined> {
  const row = await getPerson(db, workspaceId, id, options)
  if (!row) return undefined
  return { row, personalIds: (await personalIdsOf(db, workspaceId, [id])).get(id)! }
}

export const personView = (p: Person) => toPerson(p.row, p.personalIds)


/** Reads the body's personal_ids (createPerson only) into rows for the new person. */
function personalIdRows(body: Record<string, unknown>, person: PersonRow, services: Services, problems: Problems): PersonalIdRow[] {
  const items = (body.personal_ids ?? []) as { id_type: string; identifier: string; country_code?: string }[]
  const rows: PersonalIdRow[] = []
  items.forEach((item, i) => {
    const prefix = `personal_ids[${i}].`
    const country = personalIdCountry(item.id_type, item.country_code, problems, prefix)
    const identifier = canonicalIdentifier(item.id_type, item.identifier, problems, prefix)
    if (!identifier) return
    rows.push({
      workspace_id: person.workspace_id, id: uuidv7(), person_id: person.id, id_type: item.id_type, country_code: country,
      identifier_encrypted: services.vault.encrypt(identifier.canonical), identifier_last4: identifier.last4,
      system_provided: false, created_at: person.created_at, updated_at: person.created_at,
    })
  })
  return rows
}

/** POST /persons and POST /customers: one record, its events, in the caller's transaction. */
export async function createRecord(ctx: Context, body: Record<string, unknown>, view: View): Promise<Person> {
  const problems = new Problems()
  const editable = view === 'person' ? personFields : customerFields
  const { input, note } = readBody(body, view === 'person' ? declared.createPerson : declared.customer, editable, problems)
  const apply = applyContext(ctx.services, ctx.workspaceId)
  const empty: PersonRow = {
    workspace_id: ctx.workspaceId, id: uuidv7(), is_customer: view === 'customer', status: '', verification_status: 'UNVERIFIED',
    verification_last_run: null, ban_status: 'ALLOWED', first_name: null, last_name: null, email: null, phone_number: null, dob: null,
    ssn_encrypted: null, ssn_last4: null, fields: {}, created_at: apply.now, updated_at: apply.now, has_accounts: false,
  }
  const { next } = applyInput(empty, input, note, 'create', editable, apply, problems)
  assert(next.status !== '', 'both create bodies require status, so the schema check has set it')
  const ids = view === 'person' ? personalIdRows(body, next, ctx.services, problems) : []
  problems.throwIfAny()
  await insertPerson(ctx.tx, next)
  for (const row of ids) await insertPersonalId(ctx.tx, row)
  const created = (await loadPerson(ctx.tx, ctx.workspaceId, next.id))!
  await recordEvent(ctx.tx, { at: apply.now, workspaceId: ctx.workspaceId, type: 'PERSON.CREATED', resourceId: next.id, resource: personView(created) })
  if (created.row.is_customer) await recordEvent(ctx.tx, { at: apply.now, workspaceId: ctx.workspaceId, type: 'CUSTOMER.CREATED', resourceId: next.id, resource: toCustomer(created.row) })
  return created
}

/**
 * PATCH /persons/{id}, PATCH /customers/{id} (mode patch) and PUT /customers/{id} (mode replace).
 * A request that changes nothing writes nothing: no new last_updated_time, no event.
 */
export async function changeRecord(ctx: Context, id: string, body: Record<string, unknown>, view: View, mode: ApplyMode): Promise<Person> {
  const current = await loadPerson(ctx.tx, ctx.workspaceId, id, { forUpdate: true })
  if (!current) throw new ApiError('RESOURCE_NOT_FOUND', `${view} ${id} not found`)
  const shown = view === 'person' ? personView(current) : toCustomer(current.row)
  refuseChangedServerSetFields({ body, properties: serverSet[view], current: shown, workspaceId: ctx.workspaceId })
  const problems = new Problems()
  const editable = view === 'person' ? personFields : customerFields
  const schema = view === 'person' ? declared.patchPerson : mode === 'replace' ? declared.customer : declared.patchCustomer
  const { input, note } = readBody(body, schema, editable, problems)
  const { next, ssnChanged } = applyInput(current.row, input, note, mode, editable, applyContext(ctx.services, ctx.workspaceId), problems)
  problems.throwIfAny()
  const changed = {
    person: changedFields(personView(current), toPerson(next, current.personalIds)),
    customer: changedFields(toCustomer(current.row), toCustomer(next)),
  }
  if (ssnChanged) for (const c of Object.values(changed)) c.ssn = current.row.ssn_last4 === null ? null : personView(current).ssn
  if (Object.keys(changed.person).length === 0 && Object.keys(changed.customer).length === 0) {
    // Only a note was added: kept for the record, but no view of the person changed.
    if (rowsDiffer(current.row, next)) await updatePerson(ctx.tx, { ...next, updated_at: current.row.updated_at })
    return current
  }
  await updatePerson(ctx.tx, next)
  const after = (await loadPerson(ctx.tx, ctx.workspaceId, id))!
  await recordUpdateEvents(ctx.tx, current, after, changed)
  return after
}

/**
 * PERSON.UPDATED for every change; a customer's subscribers hear CUSTOMER.CREATED when a person
 * becomes a customer, and CUSTOMER.UPDATED when a customer's view changes or it stops being one.
 */
export async function recordUpdateEvents(tx: Queryable, before: Person, after: Person, changed: { person: Record<string, unknown>; customer?: Record<string, unknown> }): Promise<void> {
  const { workspace_id: workspaceId, id } = after.row
  await recordEvent(tx, { at: after.row.updated_at, workspaceId, type: 'PERSON.UPDATED', resourceId: id, resource: personView(after), changedFields: changed.person })
  const customerChanged = changed.customer !== undefined && Object.keys(changed.customer).length > 0
  if (after.row.is_customer && !before.row.is_customer) {
    await recordEvent(tx, { at: after.row.updated_at, workspaceId, type: 'CUSTOMER.CREATED', resourceId: id, resource: toCustomer(after.row) })
  } else if (before.row.is_customer && (customerChanged || !after.row.is_customer)) {
    await recordEvent(tx, { at: after.row.updated_at, workspaceId, type: 'CUSTOMER.UPDATED', resourceId: id, resource: toCustomer(after.row), changedFields: changed.customer ?? {} })
  }
}

/**
 * A person whose account relationships changed, read again: if its has_accounts flipped, its
 * last_updated_time moves to `at` and its update events say so. `before` was read after the person
 * was locked (lockPersons), so two changes cannot both see the same flip.
 */
export async function announceAccountsChange(tx: Queryable, before: Person, at: Date): Promise<void> {
  const { workspace_id: workspaceId, id } = before.row
  const now = (await loadPerson(tx, workspaceId, id))!
  if (now.row.has_accounts === before.row.has_accounts) return
  await touchPerson(tx, workspaceId, id, at)
  const after: Person = { ...now, row: withFields(now.row, { updated_at: at }) }
  await recordUpdateEvents(tx, before, after, {
    person: changedFields(personView(before), personView(after)),
    customer: changedFields(toCustomer(before.row), toCustomer(after.row)),
  })
}

export interface ListQuery {
  id?: string[]; first_name?: string; last_name?: string; email?: string; phone_number?: string; ssn_last_4?: string
  status?: string; is_customer?: boolean; has_accounts?: boolean; ban_status?: string[]; sort_by?: string[]
  limit?: number; page_token?: string
}

/**
 * GET /persons and GET /customers. The customers list shows only records that are customers
 * (is_customer true); a non-customer party is still readable at /customers/{id}, under its id.
 * `include_console_users` filters nothing: Keel has no console users (is_user is always false).
 */
export async function listRecords(db: Queryable, workspaceId: string, query: ListQuery, view: View): Promise<{ items: Person[]; next_page_token?: string }> {
  const page = readPage(query)
  const sort = sortOrder(query.sort_by)
  let anchor: PageAnchor | undefined
  if (page.afterId) {
    anchor = { id: page.afterId, row: sort.length ? await getPerson(db, workspaceId, page.afterId) : undefined }
    if (sort.length && !anchor.row) throw new ApiError('BAD_QUERY_PARAMETER', `page_token names a ${view} that no longer exists; start again without it`)
  }
  const pattern = (value: string | undefined) => (value === undefined ? undefined : likePattern(value))
  const rows = await listPersons(db, workspaceId, {
    id: query.id,
    first_name: pattern(query.first_name),
    last_name: pattern(query.last_name),
    email: pattern(query.email),
    phone_number: pattern(query.phone_number),
    ssn_last4: query.ssn_last_4,
    status: query.status,
    is_customer: view === 'customer' ? true : query.is_customer,
    has_accounts: query.has_accounts,
    ban_status: query.ban_status,
    sort,
  }, page, anchor)
  const { items, next_page_token } = pageOf(rows, page.limit)
  const ids = view === 'person' ? await personalIdsOf(db, workspaceId, items.map((r) => r.id)) : new Map<string, PersonalIdRow[]>()
  return { items: items.map((row) => ({ row, personalIds: ids.get(row.id) ?? [] })), ...(next_page_token ? { next_page_token } : {}) }
}
