import type { Domain } from './platform/wipe.js'
import { disclosures } from './customers/disclosures/index.js'

/** Every part of the bank Keel serves, in dependency order (wipe empties them in reverse). */
export const domains: readonly Domain[] = [
  disclosures,
]
