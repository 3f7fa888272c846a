// HTTP for internal accounts: the fintech's own accounts.

import type { Api } from '../../platform/http.js'
import { closedAccountWrite } from '../closed.js'
import { addInternalAccount, internalAccountPage, patchInternalAccount, readInternalAccount } from './service.js'

export function registerInternalAccountRoutes(api: Api): void {
  const { clock, sql } = api.services

  api.write('addInternalAccounts', async ({ tx, workspace, body }) => addInternalAccount(tx, workspace, body, clock.now(workspace.id)))

  api.read('getInternalAccounts', async ({ workspace, params }) => readInternalAccount(sql, clock, workspace, params.internal_account_id))

  api.read('listInternalAccounts', async ({ workspace, query }) => internalAccountPage(sql, clock, workspace, query))

  api.write('patchInternalAccount', async ({ tx, workspace, params, body }) => patchInternalAccount(tx, workspace, params.internal_account_id, body, clock.now(workspace.id)), closedAccountWrite)
}
