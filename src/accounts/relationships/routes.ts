// HTTP for account relationships: who holds, shares or may act on an account.

import type { Api } from '../../platform/http.js'
import { listBody, readPage } from '../../platform/pagination.js'
import { closedAccountWrite } from '../closed.js'
import { addRelationship, readRelationship, relationshipPage, removeRelationship, replaceRelationship, toRelationship } from './service.js'

// A CLOSED account's relationships do not change: its writes answer the spec's 461 (closed.ts).
export function registerAccountRelationshipRoutes(api: Api): void {
  const { clock, sql } = api.services

  api.write('createAccountRelationship', async ({ tx, workspace, params, body }) => addRelationship(tx, workspace.id, params.account_id, body, clock.now(workspace.id)), closedAccountWrite)

  api.read('getAccountRelationship', async ({ workspace, params }) => readRelationship(sql, workspace.id, params.account_id, params.relationship_id))

  api.read('listAccountRelationship', async ({ workspace, params, query }) => {
    const page = readPage(query)
    return listBody('relationships', await relationshipPage(sql, workspace.id, params.account_id, page), page.limit, toRelationship)
  })

  api.write('updateAccountRelationship', async ({ tx, workspace, params, body }) =>
    replaceRelationship(tx, workspace.id, params.account_id, params.relationship_id, body, clock.now(workspace.id)), closedAccountWrite)

  api.write('DeleteAccountRelationship', async ({ tx, workspace, params }) => {
    await removeRelationship(tx, workspace.id, params.account_id, params.relationship_id, clock.now(workspace.id))
    return { id: params.relationship_id, resource: 'account_relationship' }
  }, closedAccountWrite)
}
