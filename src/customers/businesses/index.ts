import type { Domain } from '../../platform/wipe.js'
import { registerBusinessRoutes } from './routes.js'

export const businesses: Domain = {
  name: 'businesses',
  register: registerBusinessRoutes,
  wipeTables: ['businesses'],
}
