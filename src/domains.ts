import type { Domain } from './platform/wipe.js'
import { accounts } from './accounts/index.js'
import { ach } from './ach/index.js'
import { addresses } from './customers/addresses/index.js'
import { cards } from './cards/index.js'
import { cardAuthorization } from './card-authorization/index.js'
import { spendControls } from './spend-controls/index.js'
import { businesses } from './customers/businesses/index.js'
import { disclosures } from './customers/disclosures/index.js'
import { fees } from './fees/index.js'
import { interest } from './interest/index.js'
import { statements } from './statements/index.js'
import { externalAccounts } from './external-accounts/index.js'
import { persons } from './customers/persons/index.js'
import { relationships } from './customers/relationships/index.js'
import { sandboxDomain } from './sandbox/index.js'
import { transfers } from './transfers/index.js'
import { verification } from './verification/index.js'
import { webhooks } from './webhooks/index.js'

/** Every part of the bank Keel serves, in dependency order (wipe empties them in reverse). */
export const domains: readonly Domain[] = [
  persons,
  businesses,
  relationships,
  addresses,
  disclosures,
  verification,
  accounts,
  transfers,
  cards,
  spendControls,
  cardAuthorization,
  webhooks,
  externalAccounts,
  interest,
  fees,
  statements,
  ach,
  sandboxDomain(() => domains.flatMap((d) => d.dueWork ?? [])),
]
