import type { Api } from '../platform/http.js'
import type { Domain } from '../platform/wipe.js'
import { registerSpendControlRoutes } from './routes.js'

// What other domains may use of spend controls: the card authorization engine reads them; the ACH
// rail looks back over the longest window one may have.
export { spendControlsByIds, type SpendControlRow } from './store.js'
export { windowDaysMax } from './service.js'

/** Spend controls: configuration the fintech attaches to accounts; wipe keeps them, as it keeps templates. */
export const spendControls: Domain = {
  name: 'spend-controls',
  register(api: Api) {
    registerSpendControlRoutes(api)
  },
  wipeTables: [],
}
