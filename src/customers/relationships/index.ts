import type { Domain } from '../../platform/wipe.js'
import { registerRelationshipRoutes } from './routes.js'

export const relationships: Domain = {
  name: 'relationships',
  register: registerRelationshipRoutes,
  wipeTables: ['relationships'],
}
