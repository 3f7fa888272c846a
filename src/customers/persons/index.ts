import type { Api } from '../../platform/http.js'
import type { Domain } from '../../platform/wipe.js'
import { registerCustomerRoutes } from './customers-routes.js'
import { registerPersonRoutes } from './routes.js'

/** Persons and their customer view: one table, two sets of routes. */
export const persons: Domain = {
  name: 'persons',
  register: (api: Api) => {
    registerPersonRoutes(api)
    registerCustomerRoutes(api)
  },
  wipeTables: ['persons', 'personal_ids'],
}
