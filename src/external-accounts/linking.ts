// Linking through a vendor: link tokens, the public-token exchange, and adding or syncing the
// accounts an access token reaches. Each operation asks the vendor first, outside any database
// transaction (a vendor call can take seconds), then applies what it learnt in one transaction.
import type { Static } from 'typebox'
import type { PlaidApi, Products } from 'plaid'
import { assert } from '../platform/assert.js'
import { sha256Hex } from '../platform/crypto.js'
import type { Tx } from '../platform/db.js'
import { ApiError, badBody } from '../platform/errors.js'
import { changedFields, recordEvent } from '../platform/events.js'
import type { Services } from '../platform/http.js'
import { uuidv7 } from '../platform/ids.js'
import type { Workspace } from '../platform/workspaces.js'
import type { add_vendor_account_failure, add_vendor_accounts_request, external_account_access_token, external_account_link_token } from '../spec/schemas.js'
import { eventTypes, numbersSha256 } from './manual.js'
import { matchOwners, type OwnerMatch, type PartyContact, type VendorOwner } from './owner-match.js'
import { partyContact, requireParty } from './party.js'
import { plaidClient, plaidFailureOf, plaidSdk, type PlaidFailure, type PlaidSettings } from './plaid-client.js'
import { findLiveByNumbers, getItemByToken, insertAccount, insertItem, liveAccountsOfItem, lockPartyAccounts, saveAccount, type AccountRow, type ItemRow, type Party } from './store.js'
import { lastFour, toExternalAccount, type ExternalAccount } from './views.js'

type LinkTokenRequest = Static<typeof external_account_link_token>
type AccessTokenRequest = Static<typeof external_account_access_token>
type VendorAccountsRequest = Static<typeof add_vendor_accounts_request>
type Failure = Static<typeof add_vendor_account_failure>

/** Plaid products a link token asks for, by the spec's link token type. */
function productsOf(type: LinkTokenRequest['type']): Products[] {
  const { Products } = plaidSdk()
  return { DEPOSITORY: [Products.Auth], MICRO_DEPOSIT: [Products.Auth], CREDIT: [Products.Liabilities], INVESTMENT: [Products.Investments] }[type]
}

/** Plaid account subtypes and the spec's external account types. */
const typeBySubtype: Record<string, AccountRow['type']> = {
  checking: 'CHECKING', savings: 'SAVINGS', 'money market': 'MONEY_MARKET', 'credit card': 'CREDIT_CARD', '529': 'INVESTMENT_529',
}
/** Types an external account can be added as: the ones ACH moves money with. */
export const supportedAccountTypes = new Set(['CHECKING', 'SAVINGS'])

/** One vendor account as the vendor reported it. */
interface VendorAccount {
  accountId: string
  name: string
  officialName: string | null
  mask: string | null
  type: string
  ach: { account: string; routing: string; wireRouting: string | null } | null
  owners: VendorOwner[] | null
}

/** What the vendor said about an item, gathered before the transaction that applies it. */
export interface VendorSnapshot {
  party: Party
  /** The kind of customer the account has at its bank (a business may link its owner's personal account). */
  customerType: 'BUSINESS' | 'PERSONAL'
  item: ItemRow
  requested: string[] | undefined
  verifyOwner: boolean
  contact: PartyContact | null
  accounts: VendorAccount[]
  failure: PlaidFailure | undefined
}

export class VendorLinks {
  constructor(
    private readonly services: Services,
    private readonly settings: PlaidSettings,
    private readonly basePath: () => string,
  ) {}

  private client(workspace: Workspace): PlaidApi {
    return plaidClient(this.settings, this.settings.mode === 'plaid' ? this.settings.basePath : this.basePath(), this.services.outbound, workspace.id)
  }

  /** FINICITY is not configured; a live workspace needs real Plaid (the built-in sandbox serves sandbox workspaces). */
  requireVendor(workspace: Workspace, vendor: 'PLAID' | 'FINICITY' = 'PLAID'): void {
    if (vendor === 'FINICITY') throw new ApiError('FEATURE_NOT_AVAILABLE', 'vendor FINICITY is not configured on this Keel; link accounts through PLAID')
    if (workspace.mode === 'live' && this.settings.mode === 'builtin') {
      throw new ApiError('FEATURE_NOT_AVAILABLE', 'no Plaid credentials are configured (PLAID_CLIENT_ID, PLAID_SECRET, PLAID_ENV): the built-in Plaid sandbox serves sandbox workspaces only')
    }
  }

  /** The item behind an access token, if it was obtained for this party in this workspace. */
  async requireItem(workspace: Workspace, party: Party, accessToken: string | undefined): Promise<ItemRow> {
    if (accessToken === undefined) throw badBody('missing required fields: vendor_access_token', { missing: ['vendor_access_token'] })
    const item = await getItemByToken(this.services.sql, workspace.id, sha256Hex(accessToken))
    if (!item || item.customer_id !== party.customer_id || item.business_id !== party.business_id) {
      throw badBody('vendor_access_token was not obtained for this customer through POST /v0/external_accounts/access_tokens', { invalid: { vendor_access_token: 'unknown for this customer' } })
    }
    return item
  }

  accessTokenOf(item: ItemRow): string {
    return this.services.vault.decrypt(item.access_token_encrypted)
  }

  async createLinkToken(workspace: Workspace, body: LinkTokenRequest): Promise<Record<string, unknown>> {
    this.requireVendor(workspace)
    const party = await requireParty(this.services.sql, workspace.id, body)
    if (body.client_name.length > 30 || body.client_name.trim() === '') throw badBody('client_name is 1 to 30 characters', { invalid: { client_name: '1 to 30 characters' } })
    const update = body.vendor_access_token !== undefined ? await this.requireItem(workspace, party, body.vendor_access_token) : undefined
    const { CountryCode, Products } = plaidSdk()
    const products = [...productsOf(body.type), ...(body.verify_owner ? [Products.Identity] : [])]
    let answer
    try {
      answer = (await this.client(workspace).linkTokenCreate({
        client_name: body.client_name,
        language: body.language.toLowerCase(),
        country_codes: body.country_codes.map((c) => (c === 'CA' ? CountryCode.Ca : CountryCode.Us)),
        user: { client_user_id: party.customer_id ?? party.business_id! },
        ...(update ? { access_token: this.accessTokenOf(update) } : { products }),
        ...(body.redirect_uri !== undefined ? { redirect_uri: body.redirect_uri } : {}),
        ...(body.link_customization_name !== undefined ? { link_customization_name: body.link_customization_name } : {}),
      })).data
    } catch (err) {
      throw vendorRefused(plaidFailureOf(err), 'the link token')
    }
    return {
      ...(party.customer_id ? { customer_id: party.customer_id } : { business_id: party.business_id }),
      client_name: body.client_name, country_codes: body.country_codes, language: body.language, type: body.type,
      sdk_type: body.sdk_type ?? 'WEB', verify_owner: body.verify_owner ?? false,
      ...(body.redirect_uri !== undefined ? { redirect_uri: body.redirect_uri } : {}),
      ...(body.link_customization_name !== undefined ? { link_customization_name: body.link_customization_name } : {}),
      ...(body.vendor_institution_id !== undefined ? { vendor_institution_id: body.vendor_institution_id } : {}),
      link_token: answer.link_token, expiration: new Date(answer.expiration).toISOString(), request_id: answer.request_id,
    }
  }

  /** Exchanges the public token at the vendor; the item is stored by commitAccessToken. */
  async exchangePublicToken(workspace: Workspace, body: AccessTokenRequest): Promise<{ item: ItemRow; answer: Record<string, unknown> }> {
    this.requireVendor(workspace)
    if (body.customer_id !== undefined && body.vendor_customer_id !== undefined && body.customer_id !== body.vendor_customer_id) {
      throw badBody('vendor_customer_id is an alias of customer_id: send one, or the same id in both', { invalid: { vendor_customer_id: 'differs from customer_id' } })
    }
    const party = await requireParty(this.services.sql, workspace.id, { customer_id: body.customer_id ?? body.vendor_customer_id, business_id: body.business_id })
    if (body.vendor_public_token === '') throw badBody('vendor_public_token is empty', { invalid: { vendor_public_token: 'empty' } })
    const client = this.client(workspace)
    let exchanged
    try {
      exchanged = (await client.itemPublicTokenExchange({ public_token: body.vendor_public_token })).data
    } catch (err) {
      const failure = plaidFailureOf(err)
      throw badBody(`the vendor refused the public token: ${failure.error_code}: ${failure.error_message}`, { invalid: { vendor_public_token: failure.error_code } })
    }
    // The item's own institution (what Link signed in at), and its name for routing_identifiers.bank_name.
    let institutionId = body.vendor_institution_id
    let institutionName: string | null = null
    try {
      const item = (await client.itemGet({ access_token: exchanged.access_token })).data.item
      institutionId = item.institution_id ?? institutionId
      const institution = (await client.institutionsGetById({ institution_id: institutionId, country_codes: [plaidSdk().CountryCode.Us] })).data.institution
      institutionName = institution.name
    } catch {
      // The public token is spent: whatever went wrong with the name, the access token must be kept.
    }
    const now = this.services.clock.now(workspace.id)
    const item: ItemRow = {
      workspace_id: workspace.id, id: uuidv7(), ...party, vendor: 'PLAID',
      access_token_sha256: sha256Hex(exchanged.access_token), access_token_encrypted: this.services.vault.encrypt(exchanged.access_token),
      vendor_item_id: exchanged.item_id, institution_id: institutionId, institution_name: institutionName, created_at: now, removed_at: null,
    }
    const answer = {
      ...(party.customer_id ? { customer_id: party.customer_id } : { business_id: party.business_id }),
      // The spec's response schema is the request's, vendor_public_token required: the spent token is echoed.
      vendor_institution_id: body.vendor_institution_id, vendor_public_token: body.vendor_public_token,
      vendor_access_token: exchanged.access_token, request_id: exchanged.request_id,
    }
    return { item, answer }
  }

  async commitAccessToken(tx: Tx, item: ItemRow): Promise<void> {
    await insertItem(tx, item)
  }

  /** Asks the vendor for the item's accounts, numbers and (with verify_owner) owners. */
  async snapshot(workspace: Workspace, body: VendorAccountsRequest): Promise<VendorSnapshot> {
    this.requireVendor(workspace, body.vendor)
    const party = await requireParty(this.services.sql, workspace.id, body)
    const item = await this.requireItem(workspace, party, body.vendor_access_token)
    const verifyOwner = body.verify_owner ?? false
    const snapshot: VendorSnapshot = { party, customerType: body.customer_type, item, requested: body.vendor_account_ids, verifyOwner, contact: null, accounts: [], failure: undefined }
    const client = this.client(workspace)
    const accessToken = this.accessTokenOf(item)
    try {
      const auth = (await client.authGet({ access_token: accessToken })).data
      const numbers = new Map(auth.numbers.ach.map((n) => [n.account_id, n]))
      let owners = new Map<string, VendorOwner[]>()
      if (verifyOwner) {
        const identity = (await client.identityGet({ access_token: accessToken })).data
        owners = new Map(identity.accounts.map((a) => [a.account_id, a.owners.map((o) => ({
          names: o.names, emails: o.emails.map((e) => e.data), phones: o.phone_numbers.map((p) => p.data),
          addresses: o.addresses.map((ad) => ({ street: ad.data.street ?? null, postalCode: ad.data.postal_code ?? null })),
        }))]))
        snapshot.contact = await partyContact(this.services.sql, workspace.id, party)
      }
      snapshot.accounts = auth.accounts.map((a) => {
        const n = numbers.get(a.account_id)
        return {
          accountId: a.account_id, name: a.name, officialName: a.official_name ?? null, mask: a.mask ?? null,
          type: typeBySubtype[a.subtype ?? ''] ?? 'OTHER',
          ach: n ? { account: n.account, routing: n.routing, wireRouting: n.wire_routing ?? null } : null,
          owners: verifyOwner ? owners.get(a.account_id) ?? [] : null,
        }
      })
    } catch (err) {
      snapshot.failure = plaidFailureOf(err)
      if (snapshot.requested === undefined) throw vendorRefused(snapshot.failure, 'the accounts')
    }
    return snapshot
  }

  /**
   * Applies a snapshot. `add` adds each requested account or lists why not; `sync` also refreshes
   * the accounts already linked and deletes those the vendor no longer reports.
   */
  async commitAccounts(tx: Tx, workspace: Workspace, s: VendorSnapshot, mode: 'add' | 'sync'): Promise<{ added_accounts: ExternalAccount[]; failed_accounts: Failure[]; deleted_accounts?: ExternalAccount[] }> {
    const now = this.services.clock.now(workspace.id)
    await lockPartyAccounts(tx, workspace.id, s.party)
    const linked = new Map((await liveAccountsOfItem(tx, workspace.id, s.item.id)).map((a) => [a.vendor_account_id!, a]))
    const reported = new Map(s.accounts.map((a) => [a.accountId, a]))
    const requested = [...new Set(s.requested ?? s.accounts.map((a) => a.accountId))]
    const added: ExternalAccount[] = []
    const failed: Failure[] = []
    for (const id of requested) {
      const fail = (reason: Failure['reason'], description: string) => failed.push({ vendor_account_id: id, reason, reason_description: description })
      if (s.failure) {
        failed.push({
          vendor_account_id: id, reason: 'PROVIDER_ERROR', reason_description: `${s.failure.error_code}: ${s.failure.error_message}`,
          ...(s.failure.display_message ? { vendor_error_message: s.failure.display_message } : {}),
          ...(s.failure.request_id ? { vendor_request_id: s.failure.request_id } : {}),
        })
        continue
      }
      const account = reported.get(id)
      if (!account) { fail('ACCOUNT_NOT_FOUND', `the vendor reports no account ${id} for this access token`); continue }
      if (!supportedAccountTypes.has(account.type) || !account.ach) {
        fail('UNSUPPORTED_ACCOUNT_TYPE', `${account.name} is a ${account.type} account${account.ach ? '' : ' without ACH numbers'}; only checking and savings accounts can be added`)
        continue
      }
      const existing = linked.get(id)
      if (existing && mode === 'add') { fail('DUPLICATE_ACCOUNT', `vendor account ${id} is already linked as external account ${existing.id}`); continue }
      const routing = { ach_routing_number: account.ach.routing, ...(account.ach.wireRouting ? { wire_routing_number: account.ach.wireRouting } : {}), bank_countries: ['US'], bank_name: s.item.institution_name ?? s.item.institution_id }
      const sha = numbersSha256(routing, account.ach.account, undefined)
      const twin = await findLiveByNumbers(tx, workspace.id, s.party, sha, existing?.id)
      if (twin) { fail('DUPLICATE_ACCOUNT', `this customer already has external account ${twin.id} with these routing and account numbers`); continue }
      let match: OwnerMatch | undefined
      if (s.verifyOwner) {
        assert(s.contact && account.owners, 'owner data was fetched for verify_owner')
        match = matchOwners(s.contact, account.owners)
        if (!match.verified) {
          fail('FAILED_VERIFICATION', `the account owner matched on ${match.matched.length ? match.matched.join(', ') : 'nothing'}; at least 2 of name, phone, email and address must match`)
          continue
        }
      }
      const fields = {
        type: account.type, name: account.officialName ?? account.name,
        account_number_encrypted: this.services.vault.encrypt(account.ach.account), account_number_last4: lastFour(account.ach.account),
        numbers_sha256: sha, routing,
        account_owner_names: account.owners?.flatMap((o) => o.names) ?? existing?.account_owner_names ?? [],
        vendor_data: { ...(account.mask ? { account_number_mask: account.mask } : {}), institution_id: s.item.institution_id },
      }
      const verified = match?.verified ? { verification_status: 'VERIFIED' as const, verification_vendor: 'PLAID' as const, verified_at: existing?.verified_at ?? now, verification_updated_at: now, owner_match: { matched: match.matched, checked_at: now.toISOString() } } : {}
      if (existing) {
        const after: AccountRow = { ...existing, ...fields, ...verified, updated_at: now }
        const changed = changedFields(toExternalAccount(existing), toExternalAccount(after))
        if (Object.keys(changed).length) {
          await saveAccount(tx, after)
          await recordEvent(tx, { at: now, workspaceId: workspace.id, type: eventTypes.updated, resourceId: after.id, resource: toExternalAccount(after), changedFields: changed })
        }
        added.push(toExternalAccount(Object.keys(changed).length ? after : existing))
        continue
      }
      const row: AccountRow = {
        workspace_id: workspace.id, id: uuidv7(), ...s.party, customer_type: s.customerType, vendor: 'PLAID', item_id: s.item.id, vendor_account_id: id,
        status: 'ACTIVE', nickname: null, currency: 'USD', iban_encrypted: null, iban_last4: null, metadata: null, tenant: null,
        verification_status: 'UNVERIFIED', verification_vendor: 'PLAID', verified_at: null, verification_updated_at: null, owner_match: null,
        transactions_synced_at: null, created_at: now, updated_at: now, deleted_at: null,
        ...fields, ...verified,
      }
      await insertAccount(tx, row)
      const resource = toExternalAccount(row)
      await recordEvent(tx, { at: now, workspaceId: workspace.id, type: eventTypes.created, resourceId: row.id, resource })
      added.push(resource)
    }
    if (mode === 'add') return { added_accounts: added, failed_accounts: failed }
    const deleted: ExternalAccount[] = []
    if (!s.failure) {
      for (const [vendorAccountId, account] of linked) {
        if (reported.has(vendorAccountId)) continue
        const after: AccountRow = { ...account, status: 'DELETED', deleted_at: now, updated_at: now }
        await saveAccount(tx, after)
        const resource = toExternalAccount(after)
        await recordEvent(tx, { at: now, workspaceId: workspace.id, type: eventTypes.deleted, resourceId: after.id, resource, changedFields: changedFields(toExternalAccount(account), resource) })
        deleted.push(resource)
      }
    }
    return { added_accounts: added, failed_accounts: failed, deleted_accounts: deleted }
  }

  /** Tells the vendor an item is no longer used (its last account was deleted). */
  async removeItem(workspace: Workspace, accessToken: string): Promise<void> {
    await this.client(workspace).itemRemove({ access_token: accessToken })
  }

  vendorClient(workspace: Workspace): PlaidApi {
    return this.client(workspace)
  }
}

/** A vendor refusal of a whole call: 400 with the vendor's code and message. */
export function vendorRefused(failure: PlaidFailure, what: string): ApiError {
  return new ApiError('BAD_REQUEST', `the vendor refused ${what}: ${failure.error_code}: ${failure.display_message ?? failure.error_message}`)
}
