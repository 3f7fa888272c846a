// The built-in Plaid sandbox: the Plaid endpoints Keel uses, answering in Plaid's shapes with
// Plaid's documented sandbox behaviour, so the official SDK runs its real requests against it.
import { randomBytes, randomUUID } from 'node:crypto'
import type { Clock } from '../../platform/clock.js'
import { sha256Hex } from '../../platform/crypto.js'
import { isUuid } from '../../platform/ids.js'
import type { Sql } from '../../platform/db.js'
import {
  accountIdOf, dayOfDate, institutionById, itemLoginRequired, linkErrors, plaidId, sandboxAccounts, sandboxInstitutions,
  sandboxOwner, sandboxTransactions, sandboxUsers, type SandboxAccount, type SandboxInstitution,
} from './fixtures.js'
import { exchangePublicToken, getItem, getItemByAccessToken, getLinkToken, insertItem, insertLinkToken, insertPublicToken, removeItem, repairItem, setItemError, unspentPublicToken, type ItemRow, type LinkTokenRow } from './store.js'

/** Plaid's lifetimes: a link token lasts 4 hours, a public token 30 minutes (and is single-use). */
export const linkTokenLifetimeMs = 4 * 60 * 60 * 1000
export const publicTokenLifetimeMs = 30 * 60 * 1000
/** Plaid's /transactions/get page: 100 by default, 500 at most. */
export const transactionsCountDefault = 100
export const transactionsCountMax = 500

/** An error in Plaid's shape (HTTP 400 unless said otherwise). */
export class PlaidSandboxError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorCode: string,
    message: string,
    readonly displayMessage: string | null = null,
    readonly status = 400,
  ) { super(message) }

  body(requestId: string): Record<string, unknown> {
    return {
      error_type: this.errorType, error_code: this.errorCode, error_message: this.message, display_message: this.displayMessage,
      request_id: requestId, causes: [], status: this.status, documentation_url: `https://plaid.com/docs/errors/`, suggested_action: null,
    }
  }
}

const invalidField = (message: string) => new PlaidSandboxError('INVALID_REQUEST', 'INVALID_FIELD', message)
const missingField = (field: string) => new PlaidSandboxError('INVALID_REQUEST', 'MISSING_FIELDS', `the following required fields are missing: ${field}`)

export const newRequestId = (): string => randomBytes(12).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 15)

type Body = Record<string, unknown>
const str = (b: Body, field: string): string => {
  const v = b[field]
  if (v === undefined || v === null || v === '') throw missingField(field)
  if (typeof v !== 'string') throw invalidField(`${field} must be a string`)
  return v
}
const optionalObject = (b: Body, field: string): Body => {
  const v = b[field]
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidField(`${field} must be an object`)
  return v as Body
}
const optionalStrings = (b: Body, field: string): string[] | undefined => {
  const v = b[field]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidField(`${field} must be an array of strings`)
  return v as string[]
}

export class PlaidSandbox {
  constructor(private readonly sql: Sql, private readonly clock: Clock) {}

  /**
   * The sandbox's time for a client: Keel sends its workspace's id as the client id, so an item
   * lives on its workspace's clock (moved forward, its transactions and balances move with it).
   * Any other client id (a caller of its own) reads real time.
   */
  private nowFor(clientId: string): Date {
    return this.clock.now(isUuid(clientId) ? clientId : undefined)
  }

  // ---- Link: tokens, the sign-in the Link page drives, and the sandbox shortcut

  async linkTokenCreate(clientId: string, b: Body): Promise<Body> {
    const clientName = str(b, 'client_name')
    const language = str(b, 'language')
    const countryCodes = optionalStrings(b, 'country_codes')
    if (!countryCodes?.length) throw missingField('country_codes')
    const user = optionalObject(b, 'user')
    str(user, 'client_user_id')
    const accessToken = b.access_token
    let itemId: string | null = null
    if (accessToken !== undefined && accessToken !== null) {
      if (typeof accessToken !== 'string') throw invalidField('access_token must be a string')
      itemId = (await this.requireItem(accessToken, { allowItemError: true })).item_id
    }
    const products = optionalStrings(b, 'products') ?? []
    if (itemId === null && products.length === 0) throw missingField('products')
    const redirectUri = b.redirect_uri
    if (redirectUri !== undefined && redirectUri !== null && (typeof redirectUri !== 'string' || !/^https?:\/\//.test(redirectUri))) throw invalidField('redirect_uri must be an http or https URI')
    const token = `link-sandbox-${randomUUID()}`
    const now = this.nowFor(clientId)
    const row: LinkTokenRow = {
      token_sha256: sha256Hex(token), client_id: clientId, client_name: clientName, products, language, redirect_uri: (redirectUri as string | undefined) ?? null,
      item_id: itemId, created_at: now, expires_at: new Date(now.getTime() + linkTokenLifetimeMs),
    }
    await insertLinkToken(this.sql, row)
    return { link_token: token, expiration: row.expires_at.toISOString() }
  }

  /** A link token the Link page may use: known and unexpired. */
  async linkSession(linkToken: string): Promise<{ row: LinkTokenRow; institutions: readonly SandboxInstitution[] }> {
    const row = await getLinkToken(this.sql, sha256Hex(linkToken))
    if (!row) throw new PlaidSandboxError('INVALID_INPUT', 'INVALID_LINK_TOKEN', 'provided link token is in an invalid format or does not exist', 'This link is not valid. Please go back to the app and try again.')
    if (row.expires_at <= this.nowFor(row.client_id)) throw new PlaidSandboxError('INVALID_INPUT', 'INVALID_LINK_TOKEN', 'provided link token has expired', 'This link has expired. Please go back to the app and try again.')
    if (row.item_id) {
      const item = await getItem(this.sql, row.item_id)
      return { row, institutions: sandboxInstitutions.filter((i) => i.institution_id === item?.institution_id) }
    }
    return { row, institutions: sandboxInstitutions }
  }

  /** Signs in at an institution with sandbox credentials: the accounts to choose from, or Plaid's error. */
  signIn(institutionId: string, username: string, password: string): readonly SandboxAccount[] {
    if (!institutionById(institutionId)) throw invalidField(`unknown institution_id ${institutionId}`)
    const user = sandboxUsers[username]
    const forced = /^error_([A-Z_]+)$/.exec(password)
    if (user && forced && linkErrors[forced[1]]) {
      const e = linkErrors[forced[1]]
      throw new PlaidSandboxError(e.error_type, forced[1], e.error_message, e.display_message)
    }
    if (!user || (user.password !== null && user.password !== password)) {
      const e = linkErrors.INVALID_CREDENTIALS
      throw new PlaidSandboxError(e.error_type, 'INVALID_CREDENTIALS', e.error_message, e.display_message)
    }
    return sandboxAccounts
  }

  /**
   * Finishes Link: the person signed in and chose accounts. A new item and its public token; in
   * update mode (a link token made for an access token) the item's login is repaired instead.
   */
  async linkComplete(linkToken: string, institutionId: string, username: string, password: string, masks: string[]): Promise<Body> {
    const { row } = await this.linkSession(linkToken)
    const accounts = this.signIn(institutionId, username, password)
    if (row.item_id) {
      const item = await getItem(this.sql, row.item_id)
      if (!item || item.institution_id !== institutionId) throw invalidField('update mode signs in at the item\'s own institution')
      // Update mode repairs the login and, as Plaid's account select in update mode does, takes the
      // person's new choice of accounts when one is made.
      const chosenMasks = masks.length ? accounts.filter((a) => masks.includes(a.mask)).map((a) => a.mask) : item.account_masks
      await repairItem(this.sql, item.item_id, chosenMasks)
      return { public_token: null, update_mode: true, metadata: this.linkMetadata(item.item_id, institutionId, accounts.filter((a) => chosenMasks === null || chosenMasks.includes(a.mask))) }
    }
    const chosen = accounts.filter((a) => masks.includes(a.mask))
    if (chosen.length === 0) throw invalidField('choose at least one account')
    const itemId = plaidId('item', randomUUID())
    const publicToken = await this.newItem(row.client_id, itemId, institutionId, username, row.products, chosen.map((a) => a.mask))
    return { public_token: publicToken, update_mode: false, redirect_uri: row.redirect_uri, metadata: this.linkMetadata(itemId, institutionId, chosen) }
  }

  private linkMetadata(itemId: string, institutionId: string, accounts: readonly SandboxAccount[]): Body {
    return {
      institution: { institution_id: institutionId, name: institutionById(institutionId)!.name },
      accounts: accounts.map((a) => ({ id: accountIdOf(itemId, a.mask), name: a.name, mask: a.mask, type: a.type, subtype: a.subtype, verification_status: null })),
      link_session_id: randomUUID(),
    }
  }

  /** POST /sandbox/public_token/create: an item without Link, in Plaid's request shape. */
  async sandboxPublicTokenCreate(clientId: string, b: Body): Promise<Body> {
    const institutionId = str(b, 'institution_id')
    const products = optionalStrings(b, 'initial_products')
    if (!products?.length) throw missingField('initial_products')
    const options = optionalObject(b, 'options')
    const username = options.override_username === undefined ? 'user_good' : String(options.override_username)
    const password = options.override_password === undefined ? 'pass_good' : String(options.override_password)
    this.signIn(institutionId, username, password)
    const publicToken = await this.newItem(clientId, plaidId('item', randomUUID()), institutionId, username, products, null)
    return { public_token: publicToken }
  }

  private async newItem(clientId: string, itemId: string, institutionId: string, username: string, products: string[], masks: string[] | null): Promise<string> {
    const now = this.nowFor(clientId)
    const publicToken = `public-sandbox-${randomUUID()}`
    await this.sql.begin(async (tx) => {
      await insertItem(tx, { item_id: itemId, access_token_sha256: null, client_id: clientId, institution_id: institutionId, username, products, account_masks: masks, error_code: null, created_at: now, removed_at: null })
      await insertPublicToken(tx, { token_sha256: sha256Hex(publicToken), item_id: itemId, created_at: now, expires_at: new Date(now.getTime() + publicTokenLifetimeMs) })
    })
    return publicToken
  }

  async publicTokenExchange(clientId: string, b: Body): Promise<Body> {
    const publicToken = str(b, 'public_token')
    const accessToken = `access-sandbox-${randomUUID()}`
    const tokenSha256 = sha256Hex(publicToken)
    const itemId = await this.sql.begin(async (tx) => {
      const token = await unspentPublicToken(tx, tokenSha256)
      // A token expires on the clock it was made on: one an integrator made with a client id of its
      // own (the sandbox shortcut, in CI) on real time, though the workspace that exchanges it has
      // moved its clock forward; one made through Link, on that workspace's clock.
      if (!token || token.expires_at <= this.nowFor(token.client_id)) return undefined
      await exchangePublicToken(tx, tokenSha256, token.item_id, sha256Hex(accessToken), clientId, this.nowFor(clientId))
      return token.item_id
    })
    if (!itemId) throw new PlaidSandboxError('INVALID_INPUT', 'INVALID_PUBLIC_TOKEN', 'provided public token is expired, already exchanged, or does not exist. Public tokens expire 30 minutes after creation and are single use', null)
    return { access_token: accessToken, item_id: itemId }
  }

  // ---- Item data

  private async requireItem(accessToken: string, options: { allowItemError?: boolean } = {}): Promise<ItemRow> {
    if (!/^access-sandbox-[0-9a-f-]{36}$/.test(accessToken)) throw new PlaidSandboxError('INVALID_INPUT', 'INVALID_ACCESS_TOKEN', 'provided access token is in an invalid format. expected format: access-<environment>-<identifier>')
    const item = await getItemByAccessToken(this.sql, sha256Hex(accessToken))
    if (!item) throw new PlaidSandboxError('INVALID_INPUT', 'INVALID_ACCESS_TOKEN', 'the provided access token does not exist or the item was removed')
    if (item.error_code === itemLoginRequired.error_code && !options.allowItemError) {
      throw new PlaidSandboxError(itemLoginRequired.error_type, itemLoginRequired.error_code, itemLoginRequired.error_message, itemLoginRequired.display_message)
    }
    return item
  }

  private itemView(item: ItemRow): Body {
    return {
      item_id: item.item_id, institution_id: item.institution_id, institution_name: institutionById(item.institution_id)?.name ?? null, webhook: null,
      error: item.error_code ? { ...itemLoginRequired, request_id: null, causes: [], status: 400, documentation_url: null, suggested_action: null } : null,
      available_products: ['balance', 'identity', 'transactions'].filter((p) => !item.products.includes(p)),
      billed_products: item.products, products: item.products, consented_products: item.products, consent_expiration_time: null, update_type: 'background',
    }
  }

  /** The item's accounts, optionally narrowed to account_ids (an unknown id is Plaid's INVALID_ACCOUNT_ID). */
  private accountsOf(item: ItemRow, accountIds: string[] | undefined): SandboxAccount[] {
    const all = sandboxAccounts.filter((a) => item.account_masks === null || item.account_masks.includes(a.mask))
    if (accountIds === undefined) return all
    const byId = new Map(all.map((a) => [accountIdOf(item.item_id, a.mask), a]))
    const unknown = accountIds.filter((id) => !byId.has(id))
    if (unknown.length) throw new PlaidSandboxError('INVALID_INPUT', 'INVALID_ACCOUNT_ID', `one or more of the account IDs is invalid: ${unknown.join(', ')}`)
    return accountIds.map((id) => byId.get(id)!)
  }

  private accountView(item: ItemRow, a: SandboxAccount): Body {
    return {
      account_id: accountIdOf(item.item_id, a.mask),
      balances: { available: a.balances.available, current: a.balances.current, limit: a.balances.limit, iso_currency_code: 'USD', unofficial_currency_code: null, last_updated_datetime: null },
      mask: a.mask, name: a.name, official_name: a.official_name, type: a.type, subtype: a.subtype, holder_category: 'personal',
    }
  }

  /** The item of a request's access_token and the accounts it asks for (options.account_ids). */
  private async requested(b: Body): Promise<{ item: ItemRow; accounts: SandboxAccount[] }> {
    const item = await this.requireItem(str(b, 'access_token'))
    return { item, accounts: this.accountsOf(item, optionalStrings(optionalObject(b, 'options'), 'account_ids')) }
  }

  async accountsGet(b: Body): Promise<Body> {
    const { item, accounts } = await this.requested(b)
    return { accounts: accounts.map((a) => this.accountView(item, a)), item: this.itemView(item) }
  }

  async balanceGet(b: Body): Promise<Body> {
    const { item, accounts } = await this.requested(b)
    // Real-time balances: fetched "now" on the item's clock.
    const now = this.nowFor(item.client_id).toISOString()
    const views = accounts.map((a) => {
      const view = this.accountView(item, a)
      ;(view.balances as Body).last_updated_datetime = now
      return view
    })
    return { accounts: views, item: this.itemView(item) }
  }

  async authGet(b: Body): Promise<Body> {
    const { item, accounts } = await this.requested(b)
    const ach = accounts.filter((a) => a.ach).map((a) => ({
      account_id: accountIdOf(item.item_id, a.mask), account: a.ach!.account, routing: a.ach!.routing, wire_routing: a.ach!.wire_routing,
      can_transfer_in: true, can_transfer_out: true,
    }))
    return { accounts: accounts.map((a) => this.accountView(item, a)), numbers: { ach, eft: [], international: [], bacs: [] }, item: this.itemView(item) }
  }

  async identityGet(b: Body): Promise<Body> {
    const { item, accounts } = await this.requested(b)
    return { accounts: accounts.map((a) => ({ ...this.accountView(item, a), owners: [sandboxOwner] })), item: this.itemView(item) }
  }

  async transactionsGet(b: Body): Promise<Body> {
    const item = await this.requireItem(str(b, 'access_token'))
    const startDate = str(b, 'start_date')
    const endDate = str(b, 'end_date')
    if (!/^\d{4}-\d{2}-\d{2}$/.test(startDate) || Number.isNaN(dayOfDate(startDate))) throw invalidField('start_date must be a date in the format YYYY-MM-DD')
    if (!/^\d{4}-\d{2}-\d{2}$/.test(endDate) || Number.isNaN(dayOfDate(endDate))) throw invalidField('end_date must be a date in the format YYYY-MM-DD')
    if (dayOfDate(startDate) > dayOfDate(endDate)) throw invalidField('start_date must be on or before end_date')
    const options = optionalObject(b, 'options')
    const count = options.count === undefined ? transactionsCountDefault : Number(options.count)
    const offset = options.offset === undefined ? 0 : Number(options.offset)
    if (!Number.isInteger(count) || count < 1 || count > transactionsCountMax) throw invalidField(`count must be an integer from 1 to ${transactionsCountMax}`)
    if (!Number.isInteger(offset) || offset < 0) throw invalidField('offset must be a non-negative integer')
    const accounts = this.accountsOf(item, optionalStrings(options, 'account_ids'))
    const all = sandboxTransactions(item.item_id, accounts.map((a) => a.mask), item.created_at, this.nowFor(item.client_id), dayOfDate(startDate), dayOfDate(endDate))
    return {
      accounts: accounts.map((a) => this.accountView(item, a)),
      transactions: all.slice(offset, offset + count).map((t) => ({
        account_id: t.account_id, account_owner: null, amount: t.template.amount, iso_currency_code: 'USD', unofficial_currency_code: null,
        category: t.template.category, category_id: null, check_number: null, counterparties: [], date: t.date, datetime: null,
        authorized_date: t.authorized_date, authorized_datetime: null,
        location: { address: null, city: null, region: null, postal_code: null, country: null, lat: null, lon: null, store_number: null },
        name: t.template.name, merchant_name: t.template.merchant_name, merchant_entity_id: null, logo_url: null, website: null, original_description: null,
        payment_channel: t.template.payment_channel,
        payment_meta: { by_order_of: null, payee: null, payer: null, payment_method: t.template.payment_method, payment_processor: null, ppd_id: null, reason: null, reference_number: null },
        pending: t.pending, pending_transaction_id: null, personal_finance_category: null, transaction_code: null, transaction_id: t.transaction_id,
        transaction_type: t.template.transaction_type,
      })),
      total_transactions: all.length,
      item: this.itemView(item),
    }
  }

  async transactionsRefresh(b: Body): Promise<Body> {
    await this.requireItem(str(b, 'access_token'))
    return {}
  }

  async itemGet(b: Body): Promise<Body> {
    const item = await this.requireItem(str(b, 'access_token'), { allowItemError: true })
    return { item: this.itemView(item) }
  }

  async itemRemove(b: Body): Promise<Body> {
    const item = await this.requireItem(str(b, 'access_token'), { allowItemError: true })
    await removeItem(this.sql, item.item_id, this.nowFor(item.client_id))
    return {}
  }

  /** POST /sandbox/item/reset_login: the item needs its login again (ITEM_LOGIN_REQUIRED) until Link runs in update mode. */
  async resetLogin(b: Body): Promise<Body> {
    const item = await this.requireItem(str(b, 'access_token'), { allowItemError: true })
    await setItemError(this.sql, item.item_id, itemLoginRequired.error_code)
    return { reset_login: true }
  }

  institutionsGetById(b: Body): Body {
    const id = str(b, 'institution_id')
    const institution = institutionById(id)
    if (!institution) throw new PlaidSandboxError('INVALID_INPUT', 'INVALID_INSTITUTION', `invalid institution_id provided: ${id}`)
    return {
      institution: {
        institution_id: institution.institution_id, name: institution.name, products: ['auth', 'balance', 'identity', 'transactions'], country_codes: ['US'],
        url: institution.url, primary_color: institution.primary_color, logo: null, routing_numbers: ['011401533'], oauth: false, dtc_numbers: [],
      },
    }
  }
}
