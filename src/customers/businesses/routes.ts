import { ApiError } from '../../platform/errors.js'
import { recordEvent } from '../../platform/events.js'
import type { Api } from '../../platform/http.js'
import { likePattern, listBody, readPage } from '../../platform/pagination.js'
import { createBusiness, patchBusiness, sortOrder, toBusiness } from './service.js'
import { getBusiness, listBusinesses, type PageAnchor } from './store.js'

export function registerBusinessRoutes(api: Api): void {
  const { clock, vault, sql } = api.services

  api.write('createBusiness', async ({ tx, workspace, body }) => {
    const now = clock.now(workspace.id)
    const resource = await createBusiness(tx, vault, workspace.id, body, now)
    await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'BUSINESS.CREATED', resourceId: resource.id as string, resource })
    return resource
  })

  api.read('getBusiness', async ({ workspace, params }) => {
    const row = await getBusiness(sql, workspace.id, params.business_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `business ${params.business_id} not found`)
    return toBusiness(row)
  })

  api.write('updateBusiness', async ({ tx, workspace, params, body }) => {
    const now = clock.now(workspace.id)
    const outcome = await patchBusiness(tx, vault, workspace.id, params.business_id, body, now)
    if (!outcome) throw new ApiError('RESOURCE_NOT_FOUND', `business ${params.business_id} not found`)
    if (Object.keys(outcome.changed).length > 0) {
      await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'BUSINESS.UPDATED', resourceId: params.business_id, resource: outcome.resource, changedFields: outcome.changed })
    }
    return outcome.resource
  })

  api.read('listBusinesses', async ({ workspace, query }) => {
    const page = readPage(query)
    const sort = sortOrder(query.sort_by)
    let anchor: PageAnchor | undefined
    if (page.afterId) {
      anchor = { id: page.afterId, row: sort.length ? await getBusiness(sql, workspace.id, page.afterId) : undefined }
      if (sort.length && !anchor.row) throw new ApiError('BAD_QUERY_PARAMETER', 'page_token names a business that no longer exists; start again without it')
    }
    const filter = {
      id: query.id,
      entity_name: query.entity_name === undefined ? undefined : likePattern(query.entity_name),
      phone_number: query.phone_number === undefined ? undefined : likePattern(query.phone_number),
      status: query.status,
      is_customer: query.is_customer,
      has_accounts: query.has_accounts,
      sort,
    }
    const rows = await listBusinesses(sql, workspace.id, filter, page, anchor)
    return listBody('businesses', rows, page.limit, toBusiness)
  })
}
