import { ApiError } from '../../platform/errors.js'
import { recordEvent } from '../../platform/events.js'
import type { Api } from '../../platform/http.js'
import { listBody, readPage } from '../../platform/pagination.js'
import { relationshipCreateBody, relationshipPatchBody } from './schemas.js'
import { createRelationship, patchRelationship, toRelationship } from './service.js'
import { deleteRelationship, getRelationship, listRelationships } from './store.js'

// The spec names no event types for relationships; their changes still go to the outbox under
// RELATIONSHIP.*, where they are kept though no webhook can subscribe to them.

const notFound = (id: string) => new ApiError('RESOURCE_NOT_FOUND', `relationship ${id} not found`)

export function registerRelationshipRoutes(api: Api): void {
  const { clock, sql } = api.services

  api.write('createRelationship', async ({ tx, workspace, body }) => {
    const now = clock.now(workspace.id)
    const row = await createRelationship(tx, workspace.id, body as never, now)
    const resource = toRelationship(row)
    await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'RELATIONSHIP.CREATED', resourceId: row.id, resource })
    return resource
  }, { body: relationshipCreateBody })

  api.read('getRelationship', async ({ workspace, params }) => {
    const row = await getRelationship(sql, workspace.id, params.relationship_id)
    if (!row) throw notFound(params.relationship_id)
    return toRelationship(row)
  })

  api.write('updateRelationship', async ({ tx, workspace, params, body }) => {
    const now = clock.now(workspace.id)
    const outcome = await patchRelationship(tx, workspace.id, params.relationship_id, body as never, now)
    if (!outcome) throw notFound(params.relationship_id)
    if (Object.keys(outcome.changed).length > 0) {
      await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'RELATIONSHIP.UPDATED', resourceId: outcome.resource.id, resource: outcome.resource, changedFields: outcome.changed })
    }
    return outcome.resource
  }, { body: relationshipPatchBody })

  api.write('deleteRelationship', async ({ tx, workspace, params }) => {
    const row = await getRelationship(tx, workspace.id, params.relationship_id, { forUpdate: true })
    if (!row) throw notFound(params.relationship_id)
    await deleteRelationship(tx, workspace.id, row.id)
    await recordEvent(tx, { at: clock.now(workspace.id), workspaceId: workspace.id, type: 'RELATIONSHIP.DELETED', resourceId: row.id, resource: toRelationship(row) })
    return { id: row.id, resource: 'relationship' }
  })

  api.read('listRelationships', async ({ workspace, query }) => {
    const page = readPage(query)
    const rows = await listRelationships(sql, workspace.id, query, page)
    return listBody('relationships', rows, page.limit, toRelationship)
  })
}
