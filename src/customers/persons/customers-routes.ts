// The customer view of person records (see views.ts for how its fields map to a person's).
import { ApiError } from '../../platform/errors.js'
import type { Api } from '../../platform/http.js'
import { customer } from '../../spec/schemas.js'
import { changeRecord, createRecord, listRecords, loadPerson } from './service.js'
import { toCustomer } from './views.js'

// customer_in_body is a oneOf of `customer` and `prospect`, which are the same schema (the status
// discriminator only names which); validating against `customer` accepts exactly the same bodies
// and reports each error once.
const customerBody = { body: customer }

export function registerCustomerRoutes(api: Api): void {
  const { services } = api

  api.write('createCustomer', async ({ tx, workspace, body }) =>
    toCustomer((await createRecord({ tx, services, workspaceId: workspace.id }, body as Record<string, unknown>, 'customer')).row), customerBody)

  api.read('getCustomer', async ({ workspace, params }) => {
    const person = await loadPerson(services.sql, workspace.id, params.customer_id)
    if (!person) throw new ApiError('RESOURCE_NOT_FOUND', `customer ${params.customer_id} not found`)
    return toCustomer(person.row)
  })

  api.write('patchCustomer', async ({ tx, workspace, params, body }) =>
    toCustomer((await changeRecord({ tx, services, workspaceId: workspace.id }, params.customer_id, body as Record<string, unknown>, 'customer', 'patch')).row))

  api.write('updateCustomer', async ({ tx, workspace, params, body }) =>
    toCustomer((await changeRecord({ tx, services, workspaceId: workspace.id }, params.customer_id, body as Record<string, unknown>, 'customer', 'replace')).row), customerBody)

  api.read('listCustomers', async ({ workspace, query }) => {
    const { items, next_page_token } = await listRecords(services.sql, workspace.id, query, 'customer')
    return { customers: items.map((p) => toCustomer(p.row)), ...(next_page_token ? { next_page_token } : {}) }
  })
}
