import type { FastifyReply, FastifyRequest } from 'fastify'
import { assert } from '../platform/assert.js'
import type { Tx } from '../platform/db.js'
import { ApiError } from '../platform/errors.js'
import { changedFields, recordEvent } from '../platform/events.js'
import { sendOutcome, type Api } from '../platform/http.js'
import { identityOf, keyClaimOf, keyFromHeader, runMutation, storedOutcome, type Outcome } from '../platform/idempotency.js'
import { listBody, readPage } from '../platform/pagination.js'
import type { Workspace } from '../platform/workspaces.js'
import { operations, type OperationId } from '../spec/schemas.js'
import { VendorLinks } from './linking.js'
import { addManualAccount, eventTypes, patchAccount } from './manual.js'
import { builtinBasePath, plaidSettingsFrom } from './plaid-client.js'
import { registerPlaidSandbox } from './plaid-sandbox/routes.js'
import { getAccount, getItem, listAccounts, liveAccountsOfItem, markItemRemoved, saveAccount, setTransactionsSynced } from './store.js'
import { VendorData } from './vendor-data.js'
import { toExternalAccount } from './views.js'

export function registerExternalAccountRoutes(api: Api): void {
  const { sql, vault, clock } = api.services
  const settings = plaidSettingsFrom(process.env)
  // Offline by default: Keel serves its own Plaid sandbox and points the SDK at it. With real
  // Plaid configured, /plaid is not served at all.
  if (settings.mode === 'builtin') registerPlaidSandbox(api.app, api.services)
  const links = new VendorLinks(api.services, settings, () => builtinBasePath(api.app))
  const data = new VendorData(api.services, links)

  /**
   * A write that asks a vendor first: an Idempotency-Key already answered replays without calling
   * the vendor again (a public token is single-use); otherwise the vendor is asked outside any
   * transaction, and what it said is applied in one. `seal` keeps the stored answer encrypted (it
   * carries an access token).
   */
  function vendorWrite<T>(
    id: OperationId,
    prepare: (workspace: Workspace, req: FastifyRequest) => Promise<T>,
    commit: (tx: Tx, workspace: Workspace, prepared: T) => Promise<unknown>,
    options: { seal?: boolean } = {},
  ): void {
    const send = (reply: FastifyReply, outcome: Outcome) => {
      // A sealed outcome is stored encrypted: what is sent is what it seals, not the stored text.
      return options.seal ? sendOutcome(reply, { status: outcome.status, replayed: outcome.replayed, body: JSON.parse(vault.decrypt((outcome.body as { sealed: string }).sealed)) }) : sendOutcome(reply, outcome)
    }
    api.route(id, async (req, reply) => {
      const request = identityOf(req)
      const now = clock.now(req.workspace.id)
      const claim = keyClaimOf(req.workspace.id, req.headers['idempotency-key'], request, now)
      if (claim) {
        const prior = await storedOutcome(sql, claim)
        if (prior) return send(reply, prior)
      }
      const prepared = await prepare(req.workspace, req)
      const outcome = await runMutation(sql, req.workspace.id, claim?.key, request, now, async (tx) => {
        const body = await commit(tx, req.workspace, prepared)
        return { status: operations[id].status, body: options.seal ? { sealed: vault.encrypt(JSON.stringify(body)) } : body }
      })
      return send(reply, outcome)
    })
  }

  type Body<I extends OperationId> = Parameters<Parameters<typeof api.write<I>>[1]>[0]['body']

  vendorWrite('createVerificationLinkToken',
    (workspace, req) => links.createLinkToken(workspace, req.body as Body<'createVerificationLinkToken'>),
    async (_tx, _workspace, answer) => answer)

  vendorWrite('createAccessToken',
    (workspace, req) => links.exchangePublicToken(workspace, req.body as Body<'createAccessToken'>),
    async (tx, _workspace, { item, answer }) => {
      await links.commitAccessToken(tx, item)
      return answer
    },
    { seal: true })

  vendorWrite('addVendorExternalAccounts',
    (workspace, req) => links.snapshot(workspace, req.body as Body<'addVendorExternalAccounts'>),
    (tx, workspace, snapshot) => links.commitAccounts(tx, workspace, snapshot, 'add'))

  vendorWrite('syncVendorExternalAccounts',
    (workspace, req) => links.snapshot(workspace, req.body as Body<'syncVendorExternalAccounts'>),
    (tx, workspace, snapshot) => links.commitAccounts(tx, workspace, snapshot, 'sync'))

  vendorWrite('externalAccountRefreshTransactions',
    (workspace, req) => {
      const { external_account_id } = req.params as { external_account_id: string }
      const { force_vendor_refresh } = req.query as { force_vendor_refresh?: boolean }
      return data.refreshTransactions(workspace, external_account_id, force_vendor_refresh ?? false)
    },
    async (tx, workspace, { account, synced }) => {
      await setTransactionsSynced(tx, workspace.id, account.item_id!, clock.now(workspace.id))
      return { transactions_synced: synced }
    })

  api.write('addExternalAccounts', ({ tx, workspace, body }) => addManualAccount(tx, api.services, workspace, body))

  api.read('listExternalAccounts', async ({ workspace, query }) => {
    const page = readPage(query)
    const rows = await listAccounts(sql, workspace.id, query, page)
    return listBody('external_accounts', rows, page.limit, toExternalAccount)
  })

  api.read('getExternalAccount', async ({ workspace, params }) => {
    const row = await getAccount(sql, workspace.id, params.external_account_id)
    if (!row) throw new ApiError('RESOURCE_NOT_FOUND', `external account ${params.external_account_id} not found`)
    return toExternalAccount(row)
  })

  api.write('updateExternalAccount', ({ tx, workspace, params, body }) => patchAccount(tx, api.services, workspace, params.external_account_id, body))

  // Delete keeps the account readable (status DELETED, deletion_time; listed with include_history).
  // When it was the last account of its vendor link, the vendor is told to forget the item, after commit.
  api.route('deleteExternalAccount', async (req, reply) => {
    const key = keyFromHeader(req.headers['idempotency-key'])
    const { external_account_id: id } = req.params as { external_account_id: string }
    const workspace = req.workspace
    let itemToRemove: string | undefined
    const outcome = await runMutation(sql, workspace.id, key, identityOf(req), clock.now(workspace.id), async (tx) => {
      const before = await getAccount(tx, workspace.id, id, { forUpdate: true })
      if (!before) throw new ApiError('RESOURCE_NOT_FOUND', `external account ${id} not found`)
      if (before.status === 'DELETED') throw new ApiError('INVALID_STATUS', `external account ${id} is already deleted`)
      const now = clock.now(workspace.id)
      const after = { ...before, status: 'DELETED' as const, deleted_at: now, updated_at: now }
      await saveAccount(tx, after)
      const resource = toExternalAccount(after)
      await recordEvent(tx, { at: now, workspaceId: workspace.id, type: eventTypes.deleted, resourceId: id, resource, changedFields: changedFields(toExternalAccount(before), resource) })
      if (before.item_id && (await liveAccountsOfItem(tx, workspace.id, before.item_id)).length === 0) {
        const item = await getItem(tx, workspace.id, before.item_id)
        assert(item, 'a linked account has its item')
        await markItemRemoved(tx, workspace.id, item.id, now)
        itemToRemove = vault.decrypt(item.access_token_encrypted)
      }
      return { status: operations.deleteExternalAccount.status, body: { id, resource: 'external_account' } }
    })
    if (itemToRemove) {
      try {
        await links.removeItem(workspace, itemToRemove)
      } catch (err) {
        // The account is deleted either way; the vendor keeps an unused item until it is removed by hand.
        req.log.warn({ err: (err as Error).message }, 'the vendor did not remove the item of a deleted external account')
      }
    }
    return sendOutcome(reply, outcome)
  })

  api.read('getExternalAccountBalance', ({ workspace, params, query }) => data.balance(workspace, params.external_account_id, query.max_age))

  api.read('getExternalAccountTransactions', ({ workspace, params, query }) => data.transactions(workspace, params.external_account_id, query.start_date, query.end_date))
}
