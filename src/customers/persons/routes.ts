import { ApiError } from '../../platform/errors.js'
import type { Api } from '../../platform/http.js'
import { createPersonalId, deletePersonalId, updatePersonalId } from './personal-ids.js'
import { changeRecord, createRecord, listRecords, loadPerson, personView } from './service.js'

export function registerPersonRoutes(api: Api): void {
  const { services } = api

  api.write('createPerson', async ({ tx, workspace, body }) =>
    personView(await createRecord({ tx, services, workspaceId: workspace.id }, body as Record<string, unknown>, 'person')))

  api.read('getPerson', async ({ workspace, params }) => {
    const person = await loadPerson(services.sql, workspace.id, params.person_id)
    if (!person) throw new ApiError('RESOURCE_NOT_FOUND', `person ${params.person_id} not found`)
    return personView(person)
  })

  api.write('updatePerson', async ({ tx, workspace, params, body }) =>
    personView(await changeRecord({ tx, services, workspaceId: workspace.id }, params.person_id, body as Record<string, unknown>, 'person', 'patch')))

  api.read('listPersons', async ({ workspace, query }) => {
    const { items, next_page_token } = await listRecords(services.sql, workspace.id, query, 'person')
    return { persons: items.map(personView), ...(next_page_token ? { next_page_token } : {}) }
  })

  api.write('createPersonalId', async ({ tx, workspace, body }) =>
    createPersonalId({ tx, services, workspaceId: workspace.id }, body as never))

  api.write('updatePersonalId', async ({ tx, workspace, params, body }) =>
    updatePersonalId({ tx, services, workspaceId: workspace.id }, params.personal_id_id, body as never))

  api.write('DeletePersonalId', async ({ tx, workspace, params }) =>
    deletePersonalId({ tx, services, workspaceId: workspace.id }, params.personal_id_id))
}
