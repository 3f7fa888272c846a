import type { Queryable } from '../platform/db.js'
import type { Page } from '../platform/pagination.js'

export interface Party { customer_id: string | null; business_id: string | null }

export interface ItemRow extends Party {
  workspace_id: string
  id: string
  vendor: 'PLAID'
  access_token_sha256: string
  access_token_encrypted: string
  vendor_item_id: string
  institution_id: string
  institution_name: string | null
  created_at: Date
  removed_at: Date | null
}

export interface RoutingView {
  ach_routing_number?: string
  wire_routing_number?: string
  eft_ca_routing_number?: string
  bank_countries: string[]
  bank_name: string
  bank_address?: Record<string, unknown>
  swift_code?: string
  correspondent_bank_details?: Record<string, unknown>[]
}

export interface AccountRow extends Party {
  workspace_id: string
  id: string
  customer_type: 'BUSINESS' | 'PERSONAL'
  vendor: 'MANUAL' | 'PLAID'
  item_id: string | null
  vendor_account_id: string | null
  type: string
  status: 'ACTIVE' | 'CLOSED' | 'DELETED'
  name: string | null
  nickname: string | null
  currency: string
  account_number_encrypted: string | null
  account_number_last4: string | null
  iban_encrypted: string | null
  iban_last4: string | null
  numbers_sha256: string
  routing: RoutingView
  account_owner_names: string[]
  metadata: Record<string, unknown> | null
  tenant: string | null
  vendor_data: { account_number_mask?: string; institution_id?: string } | null
  verification_status: 'UNVERIFIED' | 'VERIFIED'
  verification_vendor: 'FINICITY' | 'MANUAL' | 'PLAID'
  verified_at: Date | null
  verification_updated_at: Date | null
  owner_match: { matched: string[]; checked_at: string } | null
  transactions_synced_at: Date | null
  created_at: Date
  updated_at: Date
  deleted_at: Date | null
}

export async function insertItem(db: Queryable, row: ItemRow): Promise<void> {
  await db`insert into external_account_items ${db(row as never)}`
}

/** The item an access token names, if it was obtained for this party in this workspace. */
export async function getItemByToken(db: Queryable, workspaceId: string, tokenSha256: string): Promise<ItemRow | undefined> {
  const [row] = await db<ItemRow[]>`
    select * from external_account_items where workspace_id = ${workspaceId} and access_token_sha256 = ${tokenSha256} and removed_at is null`
  return row
}

export async function getItem(db: Queryable, workspaceId: string, id: string): Promise<ItemRow | undefined> {
  const [row] = await db<ItemRow[]>`select * from external_account_items where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

export async function markItemRemoved(db: Queryable, workspaceId: string, id: string, at: Date): Promise<void> {
  await db`update external_account_items set removed_at = ${at} where workspace_id = ${workspaceId} and id = ${id}`
}

export async function insertAccount(db: Queryable, row: AccountRow): Promise<void> {
  await db`insert into external_accounts ${db({ ...row, routing: db.json(row.routing as never), account_owner_names: db.json(row.account_owner_names), metadata: row.metadata ? db.json(row.metadata as never) : null, vendor_data: row.vendor_data ? db.json(row.vendor_data as never) : null, owner_match: row.owner_match ? db.json(row.owner_match as never) : null } as never)}`
}

export async function getAccount(db: Queryable, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<AccountRow | undefined> {
  const [row] = await db<AccountRow[]>`
    select * from external_accounts where workspace_id = ${workspaceId} and id = ${id} ${options.forUpdate ? db`for update` : db``}`
  return row
}

/** Writes every changeable column of an account (the row as the service decided it). */
export async function saveAccount(db: Queryable, row: AccountRow): Promise<void> {
  await db`
    update external_accounts set
      type = ${row.type}, status = ${row.status}, name = ${row.name}, nickname = ${row.nickname}, currency = ${row.currency},
      account_number_encrypted = ${row.account_number_encrypted}, account_number_last4 = ${row.account_number_last4},
      iban_encrypted = ${row.iban_encrypted}, iban_last4 = ${row.iban_last4}, numbers_sha256 = ${row.numbers_sha256},
      routing = ${db.json(row.routing as never)}, account_owner_names = ${db.json(row.account_owner_names)},
      vendor_data = ${row.vendor_data ? db.json(row.vendor_data as never) : null},
      verification_status = ${row.verification_status}, verification_vendor = ${row.verification_vendor},
      verified_at = ${row.verified_at}, verification_updated_at = ${row.verification_updated_at},
      owner_match = ${row.owner_match ? db.json(row.owner_match as never) : null},
      transactions_synced_at = ${row.transactions_synced_at}, updated_at = ${row.updated_at}, deleted_at = ${row.deleted_at}
    where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

/** A live account of this party with the same numbers (routing and account number or IBAN). */
export async function findLiveByNumbers(db: Queryable, workspaceId: string, party: Party, numbersSha256: string, exceptId?: string): Promise<AccountRow | undefined> {
  const [row] = await db<AccountRow[]>`
    select * from external_accounts
    where workspace_id = ${workspaceId} and coalesce(customer_id, business_id) = ${party.customer_id ?? party.business_id}
      and numbers_sha256 = ${numbersSha256} and deleted_at is null ${exceptId ? db`and id <> ${exceptId}` : db``}`
  return row
}

/** The item's accounts that are not deleted, locked: sync and delete decide on them. */
export async function liveAccountsOfItem(db: Queryable, workspaceId: string, itemId: string): Promise<AccountRow[]> {
  return db<AccountRow[]>`
    select * from external_accounts where workspace_id = ${workspaceId} and item_id = ${itemId} and deleted_at is null order by id for update`
}

export interface AccountFilter { id?: string[]; customer_id?: string[]; business_id?: string[]; include_history?: boolean }

export async function listAccounts(db: Queryable, workspaceId: string, filter: AccountFilter, page: Page): Promise<AccountRow[]> {
  const any = (column: string, values: string[] | undefined) => (values?.length ? db`and ${db(column)} = any(${values}::uuid[])` : db``)
  return db<AccountRow[]>`
    select * from external_accounts
    where workspace_id = ${workspaceId}
      ${any('id', filter.id)} ${any('customer_id', filter.customer_id)} ${any('business_id', filter.business_id)}
      ${filter.include_history ? db`` : db`and deleted_at is null`}
      ${page.afterId ? db`and id > ${page.afterId}` : db``}
    order by id limit ${page.limit + 1}`
}

/** Serializes the changes that decide on one party's set of accounts (the duplicate check and the insert). */
export async function lockPartyAccounts(tx: Queryable, workspaceId: string, party: Party): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtextextended(${'external-accounts/' + workspaceId + '/' + (party.customer_id ?? party.business_id)}, 0))`
}

/** Records when the transactions of an item's live accounts were last synced from the vendor. */
export async function setTransactionsSynced(db: Queryable, workspaceId: string, itemId: string, at: Date): Promise<void> {
  await db`update external_accounts set transactions_synced_at = ${at} where workspace_id = ${workspaceId} and item_id = ${itemId} and deleted_at is null`
}
