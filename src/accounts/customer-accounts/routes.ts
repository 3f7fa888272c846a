// HTTP for customer accounts: open, read, list, change and close.

import type { Api } from '../../platform/http.js'
import { closedAccountWrite } from '../closed.js'
import { accountPage, changeAccount, closeAccount, openAccount, readAccount } from './service.js'

export function registerAccountRoutes(api: Api): void {
  const { clock, sql } = api.services

  api.write('createAccount', async ({ tx, workspace, body }) => openAccount(tx, workspace, body, clock.now(workspace.id)))

  api.read('getAccount', async ({ workspace, params }) => readAccount(sql, clock, workspace, params.account_id))

  api.read('listAccounts', async ({ workspace, query }) => accountPage(sql, clock, workspace, query))

  api.write('patchAccount', async ({ tx, workspace, params, body }) => changeAccount(tx, workspace, params.account_id, body, clock.now(workspace.id), 'patch'), closedAccountWrite)
  // The deprecated PUT takes the account's fields; it changes what it is given, like PATCH. Both
  // answer a change to a CLOSED account with the spec's 461 (closed.ts).
  api.write('updateAccount', async ({ tx, workspace, params, body }) => changeAccount(tx, workspace, params.account_id, body, clock.now(workspace.id), 'replace'), closedAccountWrite)

  api.write('initiateAccountClosure', async ({ tx, workspace, params, body }) => closeAccount(tx, workspace, params.account_id, body, clock.now(workspace.id)))

  // Stop payments are placed by the ACH rail, which is not built yet, so there are none to list.
  api.read('listStopPayment', async () => ({ stop_payments: [] }))
}
