import type { Domain } from '../../platform/wipe.js'
import { registerDisclosureRoutes } from './routes.js'

export const disclosures: Domain = {
  name: 'disclosures',
  register: registerDisclosureRoutes,
  wipeTables: ['disclosures'],
}
