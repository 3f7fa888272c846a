import type { Domain } from '../../platform/wipe.js'
import { registerAddressRoutes } from './routes.js'

export const addresses: Domain = {
  name: 'addresses',
  register: registerAddressRoutes,
  wipeTables: ['addresses'],
}
