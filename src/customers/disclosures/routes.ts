import type { Static } from 'typebox'
import { ApiError } from '../../platform/errors.js'
import { recordEvent } from '../../platform/events.js'
import type { Api } from '../../platform/http.js'
import { uuidv7 } from '../../platform/ids.js'
import { listBody, readPage } from '../../platform/pagination.js'
import type { disclosure } from '../../spec/schemas.js'
import { requireBusiness, requirePerson } from '../parties.js'
import { getDisclosure, insertDisclosure, listDisclosures, type DisclosureRow } from './store.js'

type Disclosure = Static<typeof disclosure>

export function toDisclosure(row: DisclosureRow): Disclosure {
  return {
    id: row.id,
    type: row.type as Disclosure['type'],
    version: row.version,
    event_type: row.event_type as Disclosure['event_type'],
    disclosure_date: row.disclosure_date.toISOString(),
    ...(row.person_id ? { person_id: row.person_id } : {}),
    ...(row.business_id ? { business_id: row.business_id } : {}),
    ...(row.acknowledging_person_id ? { acknowledging_person_id: row.acknowledging_person_id } : {}),
    ...(row.metadata ? { metadata: row.metadata } : {}),
    creation_time: row.created_at.toISOString(),
    last_updated_time: row.updated_at.toISOString(),
  }
}

export function registerDisclosureRoutes(api: Api): void {
  const { clock } = api.services

  api.write('createDisclosure', async ({ tx, workspace, body }) => {
    // Exactly one subject: a person or a business.
    if ((body.person_id === undefined) === (body.business_id === undefined)) {
      throw new ApiError('BAD_REQUEST_BODY', 'exactly one of person_id or business_id must be set', { invalid: { person_id: 'exactly one of person_id or business_id', business_id: 'exactly one of person_id or business_id' } })
    }
    if (body.type === 'OWNER_CERTIFICATION' && body.acknowledging_person_id === undefined) {
      throw new ApiError('BAD_REQUEST_BODY', 'missing required fields: acknowledging_person_id (OWNER_CERTIFICATION disclosures need one)', { missing: ['acknowledging_person_id'] })
    }
    if (body.person_id) await requirePerson(tx, workspace.id, body.person_id)
    if (body.business_id) await requireBusiness(tx, workspace.id, body.business_id)
    if (body.acknowledging_person_id) await requirePerson(tx, workspace.id, body.acknowledging_person_id, 'acknowledging_person_id')
    const now = clock.now(workspace.id)
    const row: DisclosureRow = {
      workspace_id: workspace.id,
      id: uuidv7(),
      person_id: body.person_id ?? null,
      business_id: body.business_id ?? null,
      acknowledging_person_id: body.acknowledging_person_id ?? null,
      type: body.type,
      version: body.version,
      event_type: body.event_type,
      disclosure_date: new Date(body.disclosure_date),
      metadata: (body.metadata as Record<string, unknown> | undefined) ?? null,
      created_at: now,
      updated_at: now,
    }
    await insertDisclosure(tx, row)
    const resource = toDisclosure(row)
    await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'DISCLOSURE.CREATED', resourceId: row.id, resource })
    return resource
  })

  api.read('getDisclosure', async ({ workspace, params }) => {
    const row = await getDisclosure(api.services.sql, workspace.id, params.disclosure_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `disclosure ${params.disclosure_id} not found`)
    return toDisclosure(row)
  })

  api.read('listDisclosures', async ({ workspace, query }) => {
    const page = readPage(query)
    const rows = await listDisclosures(api.services.sql, workspace.id, query, page)
    return listBody('disclosures', rows, page.limit, toDisclosure)
  })
}
